import { z } from 'zod';
import { DateTimeSchema } from '../shared/date-time.zod';
import { MachineNameSchema } from '../shared/identifier.zod';
import { JsonObjectSchema } from '../shared/json.zod';
import { MAX_SAFE_COUNT } from '../shared/limits';
import { OpaqueIdSchema } from '../shared/opaque-id.zod';
import { define, withRules } from '../shared/registry';

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
      "How an item combines with the item named in `extends`. merge: deep-merge this payload over the parent's (objects merge key by key, arrays and scalars replace); replace: this payload replaces the parent's whole.",
    examples: ['merge'],
  }),
);
export type MetadataMergeStrategy = z.output<typeof MetadataMergeStrategySchema>;
export type MetadataMergeStrategyInput = z.input<typeof MetadataMergeStrategySchema>;

/** Content checksum: `sha256:` and 64 lowercase hex digits of the payload's canonical JSON. */
export const MetadataChecksumSchema = /* @__PURE__ */ define('MetadataChecksum', () =>
  z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/, { error: 'must be "sha256:" followed by 64 lowercase hex digits' })
    .meta({
      description:
        'SHA-256 of the payload serialised as canonical JSON (RFC 8785, JSON Canonicalization Scheme), written as "sha256:" and 64 lowercase hex digits. Two payloads with equal checksums are equal, whatever their key order.',
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
      version: z
        .int()
        .min(1)
        .max(MAX_SAFE_COUNT)
        .default(1)
        .meta({
          description:
            'Optimistic-concurrency version: 1 on create, incremented by exactly 1 on every write. A write names the version it read; a mismatch is a conflict, never an overwrite.',
          examples: [3],
        }),
      checksum: MetadataChecksumSchema.optional().meta({
        description: 'Checksum of the payload, set by the runtime on every write.',
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
    [
      {
        name: 'user_scope_requires_owner',
        message: 'owner is required when scope is "user"',
        path: ['owner'],
        holds: (record) => record.scope !== 'user' || record.owner !== undefined,
        jsonSchema: {
          if: { properties: { scope: { const: 'user' } }, required: ['scope'] },
          then: { required: ['owner'] },
        },
      },
      {
        // The owner is part of the unique key: an owner on a shared item would
        // silently make it a second, differently keyed item.
        name: 'owner_only_for_user_scope',
        message: 'owner is only allowed when scope is "user"',
        path: ['owner'],
        holds: (record) => record.scope === 'user' || record.owner === undefined,
        jsonSchema: {
          if: { properties: { scope: { const: 'user' } }, required: ['scope'] },
          else: { not: { required: ['owner'] } },
        },
      },
    ],
    {
      description:
        'The envelope of one metadata item: identity (tenant, type, namespace, name, scope, owner), lifecycle state, the open JSON payload, inheritance, optimistic-concurrency version, content checksum, tags and audit fields. The envelope is strict; only the payload is open.',
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

/** Field names of the metadata record envelope, in declaration order. */
export const METADATA_RECORD_FIELDS = /* @__PURE__ */ (() => MetadataRecordFieldSchema.options)();
