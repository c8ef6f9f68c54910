import { z } from 'zod';
import { DateTimeSchema } from '../shared/date-time.zod';
import { MachineNameSchema } from '../shared/identifier.zod';
import { JsonObjectSchema } from '../shared/json.zod';
import { versionNumber } from '../shared/fields';
import { OpaqueIdSchema } from '../shared/opaque-id.zod';
import { define, withRules } from '../shared/registry';
import { ownerByScopeRules, systemScopeCannotExtend } from './metadata-record-rules';

/** Who a metadata item belongs to, from shipped defaults to one user's customisation. */
export const MetadataScopeSchema = /* @__PURE__ */ define('MetadataScope', () =>
  z.enum(['system', 'platform', 'user']).meta({
    description:
      "Layer a metadata item belongs to. system: shipped with the platform, read-only at runtime; platform: customised by administrators for everyone; user: one user's customisation, which needs an owner. Later layers override earlier ones.",
    examples: ['platform'],
  }),
);
export type MetadataScope = z.output<typeof MetadataScopeSchema>;
export type MetadataScopeInput = z.input<typeof MetadataScopeSchema>;

/** Lifecycle state of a metadata item. */
export const MetadataStateSchema = /* @__PURE__ */ define('MetadataState', () =>
  z.enum(['draft', 'active', 'archived', 'deprecated']).meta({
    description:
      'Lifecycle state. draft: saved but not served; active: served; deprecated: served, with a warning to its users; archived: kept for history, not served and left out of queries unless asked for.',
    examples: ['active'],
  }),
);
export type MetadataState = z.output<typeof MetadataStateSchema>;
export type MetadataStateInput = z.input<typeof MetadataStateSchema>;

/** How an item combines with the item it extends. */
export const MetadataMergeStrategySchema = /* @__PURE__ */ define('MetadataMergeStrategy', () =>
  z.enum(['merge', 'replace']).meta({
    description:
      "How an item combines with the item named in `extends`. merge: this payload is applied to the parent's as a JSON Merge Patch (RFC 7396): objects merge key by key, recursively, a null removes the key, arrays and scalars replace; replace: this payload replaces the parent's whole.",
    examples: ['merge'],
  }),
);
export type MetadataMergeStrategy = z.output<typeof MetadataMergeStrategySchema>;
export type MetadataMergeStrategyInput = z.input<typeof MetadataMergeStrategySchema>;

/** Content checksum: `sha256:` and 64 lowercase hex digits of the SHA-256 of a JSON value's RFC 8785 form. */
export const MetadataChecksumSchema = /* @__PURE__ */ define('MetadataChecksum', () =>
  z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/, { error: 'must be "sha256:" followed by 64 lowercase hex digits' })
    .meta({
      description:
        'Content checksum: "sha256:" and 64 lowercase hex digits of the SHA-256 of the UTF-8 bytes of a JSON value serialised by RFC 8785 (JSON Canonicalization Scheme: keys sorted, no whitespace, numbers in shortest form, so 1.0 and 1 are the same number). Equal values give equal checksums whatever their key order; array order counts. Where a checksum is used it says which value it covers: the payload of a record alone, or the content projection of a load result.',
      examples: ['sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
    }),
);
export type MetadataChecksum = z.output<typeof MetadataChecksumSchema>;
export type MetadataChecksumInput = z.input<typeof MetadataChecksumSchema>;

/** The tenant a single-tenant installation stores everything under. */
export const DEFAULT_TENANT_ID = 'default';
/** The namespace of an item that names none. */
export const DEFAULT_NAMESPACE = 'default';

/** The envelope of one metadata item as it is stored, loaded and exchanged. */
export const MetadataRecordSchema = /* @__PURE__ */ define('MetadataRecord', () =>
  withRules(
    z.strictObject({
      id: OpaqueIdSchema.optional().meta({
        description: 'Storage id of the record. Assigned by the runtime on create when absent; never reused.',
      }),
      type: MachineNameSchema.meta({
        description: 'Metadata type, such as object, field, view, flow or permission_set.',
        examples: ['object'],
      }),
      name: MachineNameSchema.meta({
        description: 'Name of the item, unique within its tenant, type, namespace, scope and owner.',
        examples: ['account'],
      }),
      namespace: MachineNameSchema.default(DEFAULT_NAMESPACE).meta({
        description: 'Namespace (package or app) the item belongs to.',
        examples: ['crm'],
      }),
      scope: MetadataScopeSchema.default('platform').meta({ description: 'Layer the item belongs to.' }),
      state: MetadataStateSchema.default('active').meta({ description: 'Lifecycle state of the item.' }),
      payload: JsonObjectSchema.meta({
        description: 'The metadata itself: an open JSON object whose shape the metadata type defines.',
        examples: [{ label: 'Account', fields: { name: { type: 'text' } } }],
      }),
      extends: MachineNameSchema.optional().meta({
        description: 'Name of an item of the same type and namespace in an earlier scope that this item builds on.',
        examples: ['account'],
      }),
      mergeStrategy: MetadataMergeStrategySchema.default('merge').meta({
        description: 'How this item combines with the item it extends.',
      }),
      owner: OpaqueIdSchema.optional().meta({
        description: 'User who owns the item. Required when scope is user, and only allowed then.',
        examples: ['jane@acme'],
      }),
      tenantId: OpaqueIdSchema.default(DEFAULT_TENANT_ID).meta({
        description: "Tenant the item belongs to; part of the unique key, so tenants never see each other's items.",
        examples: ['acme'],
      }),
      version: versionNumber(
        'Optimistic-concurrency version: 1 on create, incremented by exactly 1 on every write. A write names the version it read (expectedVersion); a mismatch is a version_conflict, never an overwrite.',
      ).default(1),
      checksum: MetadataChecksumSchema.optional().meta({
        description:
          'Checksum of the payload alone, as stored; set by the runtime on every write. No envelope field (id, version, state, tags, audit fields, ...) is covered, so two stores holding the same payload agree whatever their ids and audit fields. An item returned with inheritance resolved carries the checksum of its effective (merged) payload.',
      }),
      tags: z
        .array(MachineNameSchema)
        .max(64)
        .default([])
        .meta({ description: 'Labels for grouping and filtering, at most 64.', examples: [['crm', 'core']] }),
      createdAt: DateTimeSchema.optional().meta({ description: 'When the item was created; set by the runtime.' }),
      createdBy: OpaqueIdSchema.optional().meta({ description: 'Who created the item; set by the runtime.' }),
      updatedAt: DateTimeSchema.optional().meta({ description: 'When the item was last written; set by the runtime.' }),
      updatedBy: OpaqueIdSchema.optional().meta({ description: 'Who last wrote the item; set by the runtime.' }),
    }),
    [...ownerByScopeRules(), systemScopeCannotExtend()],
    {
      description:
        'The envelope of one metadata item as it is stored, loaded, exported and imported: identity (tenant, type, namespace, name, scope, owner), lifecycle state, the open JSON payload, inheritance, optimistic-concurrency version, content checksum, tags and audit fields. Parsing fills every envelope default, because this is the complete record a runtime reads from a store. A create or change takes MetadataRecordWrite instead, which fills none. The envelope is strict; only the payload is open.',
      examples: [
        {
          type: 'object',
          name: 'account',
          namespace: 'crm',
          payload: { label: 'Account', fields: { name: { type: 'text', required: true } } },
        },
      ],
    },
  ),
);
export type MetadataRecord = z.output<typeof MetadataRecordSchema>;
export type MetadataRecordInput = z.input<typeof MetadataRecordSchema>;

/** What a caller gives to create or change one item: key and content, never the fields the runtime owns. */
export const MetadataRecordWriteSchema = /* @__PURE__ */ define('MetadataRecordWrite', () =>
  withRules(
    z.strictObject({
      // The key fields identify the item, so their defaults name one definite item.
      type: MetadataRecordSchema.shape.type,
      name: MetadataRecordSchema.shape.name,
      namespace: MetadataRecordSchema.shape.namespace,
      scope: MetadataRecordSchema.shape.scope,
      owner: MetadataRecordSchema.shape.owner,
      tenantId: OpaqueIdSchema.optional().meta({
        description:
          "Tenant of the item. Absent: the caller's tenant when the call context allows writing exactly one tenant; otherwise the write is invalid. The runtime decides from the authenticated context; there is no default here, because a default tenant would silently write into another tenant.",
        examples: ['acme'],
      }),
      payload: MetadataRecordSchema.shape.payload,
      // Content fields have no default: on an update an absent field keeps the stored value.
      state: MetadataStateSchema.optional().meta({
        description: 'Lifecycle state. Absent: active on create; the stored state on an update.',
        examples: ['draft'],
      }),
      tags: z
        .array(MachineNameSchema)
        .max(64)
        .optional()
        .meta({
          description: 'Labels, at most 64; replace the stored tags when given. Absent: none on create; the stored tags on an update.',
          examples: [['crm', 'core']],
        }),
      extends: MachineNameSchema.nullable()
        .optional()
        .meta({
          description:
            'Name of the item this one builds on. Absent: none on create; the stored parent on an update. null: no parent (on an update, removes the stored one).',
          examples: ['account'],
        }),
      mergeStrategy: MetadataMergeStrategySchema.optional().meta({
        description: 'How the item combines with the item it extends. Absent: merge on create; the stored strategy on an update.',
      }),
      expectedVersion: versionNumber(
        'Version the write is based on. Absent: no version check; the write applies as its operation says. Given: the write applies only if the stored version equals it; a different stored version is a version_conflict, and no stored item is not_found. A bulk create rejects it (create_has_no_expected_version).',
      ).optional(),
    }),
    [...ownerByScopeRules(), systemScopeCannotExtend()],
    {
      description:
        "What a caller gives to create or change one item: its key (type, name, namespace, scope, owner, tenantId), its content (payload, state, tags, extends, mergeStrategy) and an optional expectedVersion. Only namespace (default) and scope (platform) have defaults, because they identify the item. The content fields have none: on create an absent one takes the record's default (state active, no tags, no extends, mergeStrategy merge); on an update of a stored item (onConflict update or replace, bulk upsert) an absent one keeps the stored value. id, version, checksum and the audit fields are the runtime's and are rejected as unknown keys.",
      examples: [
        { type: 'object', name: 'account', namespace: 'crm', payload: { label: 'Account' } },
        { type: 'view', name: 'my_accounts', scope: 'user', owner: 'jane@acme', payload: { columns: ['name'] }, expectedVersion: 3 },
      ],
    },
  ),
);
export type MetadataRecordWrite = z.output<typeof MetadataRecordWriteSchema>;
export type MetadataRecordWriteInput = z.input<typeof MetadataRecordWriteSchema>;

/** Names of the record's fields: what columns, indexes, filters and sorts refer to. */
export const MetadataRecordFieldSchema = /* @__PURE__ */ define('MetadataRecordField', () =>
  MetadataRecordSchema.keyof().meta({
    description:
      'Name of a field of the metadata record envelope. Column mappings, indexes, filters and sorts name fields by these names, never by column names.',
    examples: ['type', 'updatedAt'],
  }),
);
export type MetadataRecordField = z.output<typeof MetadataRecordFieldSchema>;
export type MetadataRecordFieldInput = z.input<typeof MetadataRecordFieldSchema>;

/**
 * Field names of the metadata record envelope, in declaration order. Written
 * out rather than read from MetadataRecordFieldSchema, so that importing the
 * package builds no schema; the record's tests check the two agree.
 */
export const METADATA_RECORD_FIELDS: readonly MetadataRecordField[] = /* @__PURE__ */ Object.freeze([
  'id',
  'type',
  'name',
  'namespace',
  'scope',
  'state',
  'payload',
  'extends',
  'mergeStrategy',
  'owner',
  'tenantId',
  'version',
  'checksum',
  'tags',
  'createdAt',
  'createdBy',
  'updatedAt',
  'updatedBy',
] as const);
