import { z } from 'zod';
import { DatasourceCapabilitiesSchema } from '../data/datasource.zod';
import { MetadataMigrationOperationSchema } from '../data/driver/metadata-migration.zod';
import { MetadataCursorSchema } from '../data/driver/metadata-query.zod';
import { MetadataRecordSchema } from '../data/metadata-record.zod';
import { MachineNameSchema } from '../shared/identifier.zod';
import { MAX_SAFE_COUNT } from '../shared/limits';
import { OpaqueIdSchema } from '../shared/opaque-id.zod';
import { define, withRules } from '../shared/registry';
import { totalNotBelowRecordCount } from '../shared/rules';
import { boundedText } from '../shared/text';
import { versionNumber } from '../shared/fields';
import { MetadataChangeEventSchema, MetadataRecordKeySchema } from './metadata-persistence.zod';

// ---------------------------------------------------------------------------
// Who is calling
// ---------------------------------------------------------------------------

/** Whether a call comes from the platform serving its users or from an operator's tooling. */
export const MetadataCallerRoleSchema = /* @__PURE__ */ define('MetadataCallerRole', () =>
  z.enum(['runtime', 'operator']).meta({
    description:
      'Who is calling. runtime: the platform, on behalf of its users; it may not write system-scope items (R39), import (R17) or apply a migration (R9, R42), and gets forbidden when it tries. operator: migration and deployment tooling run by the people who operate the store; it may also import, apply migrations and write system-scope items.',
    examples: ['runtime'],
  }),
);
export type MetadataCallerRole = z.output<typeof MetadataCallerRoleSchema>;
export type MetadataCallerRoleInput = z.input<typeof MetadataCallerRoleSchema>;

const hasDuplicates = (values: readonly string[]) => new Set(values).size !== values.length;

/** The authenticated context every store call carries. */
export const MetadataCallContextSchema = /* @__PURE__ */ define('MetadataCallContext', () =>
  withRules(
    z.strictObject({
      actor: OpaqueIdSchema.meta({
        description:
          'Who is calling: written into audit fields and change events, and the owner whose user-scope items the caller may read and write.',
        examples: ['jane@acme'],
      }),
      role: MetadataCallerRoleSchema.default('runtime').meta({ description: 'runtime or operator. Default runtime.' }),
      readTenants: z
        .array(OpaqueIdSchema)
        .min(1)
        .max(1000)
        .meta({
          description:
            'Tenants the caller may read, 1 to 1000, each once. Taken from the authenticated session, never from the request (R36): every read is confined to them, and a tenantId filter only narrows them.',
          examples: [['acme']],
        }),
      writeTenants: z
        .array(OpaqueIdSchema)
        .max(1000)
        .default([])
        .meta({
          description:
            'Tenants the caller may write, each also in readTenants; default none (read-only). A write naming another tenant is forbidden (R37); a write naming no tenant goes to the only writable tenant, and is invalid when there are several.',
          examples: [['acme']],
        }),
      administersUsers: z.boolean().default(false).meta({
        description:
          "Whether the caller may read and write other users' user-scope items of its tenants (an administrator's tooling). Default false: user-scope items are served only to their owner (R40).",
      }),
    }),
    [
      {
        name: 'read_tenants_unique',
        message: 'readTenants names each tenant at most once',
        path: ['readTenants'],
        holds: (c) => !hasDuplicates(c.readTenants),
        jsonSchema: { properties: { readTenants: { uniqueItems: true } } },
      },
      {
        name: 'write_tenants_unique',
        message: 'writeTenants names each tenant at most once',
        path: ['writeTenants'],
        holds: (c) => !hasDuplicates(c.writeTenants),
        jsonSchema: { properties: { writeTenants: { uniqueItems: true } } },
      },
      {
        name: 'write_tenants_readable',
        message: 'every tenant in writeTenants must also be in readTenants',
        path: ['writeTenants'],
        holds: (c) => c.writeTenants.every((tenant) => c.readTenants.includes(tenant)),
      },
    ],
    {
      description:
        'The authenticated context of one store call: who is calling, in which role, the tenants they may read and write, and whether they administer other users\u2019 items. A runtime builds it from its own session, never from request input.',
      examples: [
        { actor: 'jane@acme', readTenants: ['acme'], writeTenants: ['acme'] },
        { actor: 'deploy-bot', role: 'operator', readTenants: ['acme', 'globex'], writeTenants: ['acme', 'globex'] },
      ],
    },
  ),
);
export type MetadataCallContext = z.output<typeof MetadataCallContextSchema>;
export type MetadataCallContextInput = z.input<typeof MetadataCallContextSchema>;

// ---------------------------------------------------------------------------
// Typed errors
// ---------------------------------------------------------------------------

/** Stable code of an error a store call fails with. */
export const MetadataStoreErrorCodeSchema = /* @__PURE__ */ define('MetadataStoreErrorCode', () =>
  z
    .enum([
      'invalid_input',
      'version_conflict',
      'already_exists',
      'not_found',
      'forbidden',
      'invalid_cursor',
      'page_too_large',
      'result_too_large',
      'unsupported_capability',
      'inconsistent_inheritance',
      'resync_needed',
      'migration_locked',
      'unavailable',
    ])
    .meta({
      description:
        'Stable code of a failed store call. invalid_input: the input failed its schema (nothing written); version_conflict: the stored version is not the expected one; already_exists: a create (or a save or import with onConflict error) met a stored item with the same key; not_found: the named item is not stored; forbidden: the call context does not allow it (tenant, system scope, owner, role); invalid_cursor: a cursor that this store did not issue for this query; page_too_large: pageSize above maxPageSize; result_too_large: an unpaged read above maxResultSize; unsupported_capability: the store cannot honour the request (never a silent downgrade); inconsistent_inheritance: an extends names no item in an earlier scope; resync_needed: the change feed no longer holds the events after the given sequence; migration_locked: another migration holds the lock; unavailable: the datasource cannot be reached.',
      examples: ['version_conflict'],
    }),
);
export type MetadataStoreErrorCode = z.output<typeof MetadataStoreErrorCodeSchema>;
export type MetadataStoreErrorCodeInput = z.input<typeof MetadataStoreErrorCodeSchema>;

function storeErrorFields<const C extends MetadataStoreErrorCode>(code: C, meaning: string) {
  return {
    code: z.literal(code).meta({ description: meaning }),
    message: boundedText(1, 2000).meta({
      description:
        'What went wrong, for people, 1 to 2000 characters. Never holds a secret, a connection string, a payload or a filter value (R43, R44).',
      examples: ['stored version is 4, the write was based on version 3'],
    }),
  };
}

function storeErrorVariant<const C extends MetadataStoreErrorCode, S extends z.ZodRawShape>(
  code: C,
  meaning: string,
  shape: S,
  example: Record<string, unknown>,
) {
  return z.strictObject({ ...storeErrorFields(code, meaning), ...shape }).meta({ description: meaning, examples: [example] });
}

const ISSUE_PATH = () =>
  z
    .array(z.union([z.string().max(256), z.int().min(0).max(MAX_SAFE_COUNT)]))
    .max(64)
    .meta({ description: 'Path of the offending value inside the input, keys and array indexes.', examples: [['records', 0, 'name']] });

/**
 * A record key inside an error. Lazy, so that the key's own rules stay behind
 * its `$ref` instead of being repeated beside it (as ruledRef does in
 * metadata-persistence.zod.ts).
 */
const errorKey = (description: string) => z.lazy(() => MetadataRecordKeySchema).meta({ description });

/** The error a store call fails with: a stable code, a safe message, and what a caller needs to act on it. */
export const MetadataStoreErrorSchema = /* @__PURE__ */ define('MetadataStoreError', () =>
  z
    .discriminatedUnion('code', [
      storeErrorVariant(
        'invalid_input',
        'invalid_input: the input failed its schema; nothing was written.',
        {
          issues: z
            .array(
              z
                .strictObject({
                  path: ISSUE_PATH(),
                  code: boundedText(1, 64).meta({ description: 'The schema issue code, such as too_big or unrecognized_keys.' }),
                  rule: MachineNameSchema.optional().meta({ description: 'Name of the cross-field rule, when a rule failed.' }),
                  message: boundedText(1, 1000).meta({ description: 'What the schema says is wrong.' }),
                })
                .meta({ description: 'One schema issue.' }),
            )
            .min(1)
            .max(100)
            .meta({ description: 'The schema issues, 1 to 100 (the first 100 when there are more).' }),
        },
        {
          code: 'invalid_input',
          message: 'the query options are invalid',
          issues: [{ path: ['pagination', 'pageSize'], code: 'too_big', message: 'must be at most 1000' }],
        },
      ),
      storeErrorVariant(
        'version_conflict',
        'version_conflict: the item is stored with another version than the write expected; nothing was written (R29).',
        {
          key: errorKey('Key of the item the write named.'),
          expectedVersion: versionNumber('Version the write was based on.'),
          actualVersion: versionNumber('Version stored now.', 4),
        },
        {
          code: 'version_conflict',
          message: 'stored version is 4, the write was based on version 3',
          key: { tenantId: 'acme', type: 'object', namespace: 'crm', scope: 'platform', name: 'account' },
          expectedVersion: 3,
          actualVersion: 4,
        },
      ),
      storeErrorVariant(
        'already_exists',
        'already_exists: a create, or a save or import with onConflict error, met a stored item with the same key; nothing was written (R29).',
        {
          key: errorKey('Key of the stored item.'),
          existingId: OpaqueIdSchema.meta({ description: 'Id of the stored item.' }),
          actualVersion: versionNumber('Version of the stored item.', 4),
        },
        {
          code: 'already_exists',
          message: 'object crm/account already exists',
          key: { tenantId: 'acme', type: 'object', namespace: 'crm', scope: 'platform', name: 'account' },
          existingId: 'rec_42',
          actualVersion: 4,
        },
      ),
      storeErrorVariant(
        'not_found',
        'not_found: the named item is not stored (also when the write named an expectedVersion of an item since deleted).',
        { expectedVersion: versionNumber('Version the write was based on, when it named one.').optional() },
        { code: 'not_found', message: 'no item object crm/account' },
      ),
      storeErrorVariant(
        'forbidden',
        'forbidden: the call context does not allow the call.',
        {
          reason: z.enum(['tenant_not_readable', 'tenant_not_writable', 'system_scope_read_only', 'not_owner', 'operator_only']).meta({
            description:
              'Why. tenant_not_readable / tenant_not_writable: the tenant is outside the context (R36, R37); system_scope_read_only: a runtime caller wrote a system-scope item (R39); not_owner: a write to another user\u2019s user-scope item without administersUsers (R40); operator_only: an import or an applied migration (dryRun false) needs the operator role (R17, R9, R42).',
          }),
        },
        { code: 'forbidden', message: 'tenant globex is not writable in this context', reason: 'tenant_not_writable' },
      ),
      storeErrorVariant(
        'invalid_cursor',
        'invalid_cursor: the cursor was not issued by this store for this query (R25).',
        {},
        {
          code: 'invalid_cursor',
          message: 'the cursor does not belong to this query',
        },
      ),
      storeErrorVariant(
        'page_too_large',
        'page_too_large: pageSize is above the driver\u2019s maxPageSize (R26).',
        { maxPageSize: z.int().min(1).max(1000).meta({ description: 'The largest pageSize this store accepts.' }) },
        { code: 'page_too_large', message: 'pageSize 1000 is above maxPageSize 200', maxPageSize: 200 },
      ),
      storeErrorVariant(
        'result_too_large',
        'result_too_large: an unpaged read would return more than maxResultSize records (R26).',
        { maxResultSize: z.int().min(1).max(MAX_SAFE_COUNT).meta({ description: 'The most records an unpaged read returns.' }) },
        { code: 'result_too_large', message: 'the read would return more than 10000 records', maxResultSize: 10_000 },
      ),
      storeErrorVariant(
        'unsupported_capability',
        'unsupported_capability: the store cannot honour the request and refuses it up front instead of downgrading it (R45, R46).',
        {
          capability: MachineNameSchema.meta({
            description: 'The capability missing, such as transactional_ddl or atomic_import.',
            examples: ['transactional_ddl'],
          }),
        },
        {
          code: 'unsupported_capability',
          message: 'an atomic import that creates the table is not possible on MySQL',
          capability: 'transactional_ddl',
        },
      ),
      storeErrorVariant(
        'inconsistent_inheritance',
        'inconsistent_inheritance: an item extends a name that no earlier scope holds (R38).',
        {
          key: errorKey('Key of the item whose extends names no parent.'),
          extends: MachineNameSchema.meta({ description: 'The parent name that could not be found.' }),
        },
        {
          code: 'inconsistent_inheritance',
          message: 'object crm/account (user) extends account, which no earlier scope holds',
          key: { tenantId: 'acme', type: 'object', namespace: 'crm', scope: 'user', owner: 'jane@acme', name: 'account' },
          extends: 'account',
        },
      ),
      storeErrorVariant(
        'resync_needed',
        'resync_needed: the feed no longer holds events after the given sequence; reload everything, then follow from latestSequence (R35).',
        {
          latestSequence: z
            .int()
            .min(0)
            .max(MAX_SAFE_COUNT)
            .meta({ description: 'The tenant\u2019s latest sequence, to follow from after reloading.' }),
        },
        { code: 'resync_needed', message: 'events after 10 are no longer kept', latestSequence: 5_310 },
      ),
      storeErrorVariant(
        'migration_locked',
        'migration_locked: another migration holds the lock (R10).',
        {},
        {
          code: 'migration_locked',
          message: 'another migration is running on _framework_metadata',
        },
      ),
      storeErrorVariant(
        'unavailable',
        'unavailable: the datasource cannot be reached; the message names the host, never a credential.',
        {},
        {
          code: 'unavailable',
          message: 'cannot connect to db.internal:5432',
        },
      ),
    ])
    .meta({
      description:
        'The typed error a store call fails with: a stable code, a message safe to show and log, and the fields a caller needs to act on it. A store never fails with an untyped exception for any of these conditions.',
      examples: [{ code: 'not_found', message: 'no item object crm/account' }],
    }),
);
export type MetadataStoreError = z.output<typeof MetadataStoreErrorSchema>;
export type MetadataStoreErrorInput = z.input<typeof MetadataStoreErrorSchema>;

// ---------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------

/** One page of a query. */
export const MetadataQueryResultSchema = /* @__PURE__ */ define('MetadataQueryResult', () =>
  withRules(
    z.strictObject({
      records: z
        .array(MetadataRecordSchema)
        .max(1000)
        .meta({ description: 'The records of this page, in the query\u2019s order (its sort keys, then id), at most pageSize.' }),
      nextCursor: MetadataCursorSchema.optional().meta({
        description: 'Present exactly when more records follow: pass it as pagination.cursor, with the same query, for the next page.',
      }),
      total: z
        .int()
        .min(0)
        .max(MAX_SAFE_COUNT)
        .optional()
        .meta({
          description: 'Number of records matching the query across all pages; present only when includeTotal was true.',
          examples: [1234],
        }),
    }),
    [totalNotBelowRecordCount()],
    {
      description:
        'One page of a metadata query: its records as stored (complete envelopes, inheritance not resolved) in the query\u2019s order, the cursor of the next page exactly when more records follow, and the total when asked for.',
      examples: [
        {
          records: [
            {
              id: 'rec_42',
              tenantId: 'acme',
              type: 'object',
              namespace: 'crm',
              scope: 'platform',
              name: 'account',
              state: 'active',
              payload: { label: 'Account' },
              mergeStrategy: 'merge',
              tags: [],
              version: 2,
              checksum: 'sha256:2d52ed529cb4b094a424aece817c22c1655c4ec6a9b5c7401e3becf65ef7b5df',
              createdAt: '2026-01-31T09:30:00.000Z',
              createdBy: 'jane@acme',
              updatedAt: '2026-01-31T09:31:00.000Z',
              updatedBy: 'jane@acme',
            },
          ],
          nextCursor: 'eyJpIjoiNDIifQ',
          total: 2,
        },
      ],
    },
  ),
);
export type MetadataQueryResult = z.output<typeof MetadataQueryResultSchema>;
export type MetadataQueryResultInput = z.input<typeof MetadataQueryResultSchema>;

/** Which change events to read. */
export const MetadataChangeFeedOptionsSchema = /* @__PURE__ */ define('MetadataChangeFeedOptions', () =>
  z
    .strictObject({
      tenantId: OpaqueIdSchema.optional().meta({
        description:
          'Tenant whose feed to read; it must be readable in the call context. Absent: the context\u2019s only readable tenant (invalid when it has several).',
        examples: ['acme'],
      }),
      afterSequence: z
        .int()
        .min(0)
        .max(MAX_SAFE_COUNT)
        .default(0)
        .meta({ description: 'Return events with a sequence above this one; 0 (the default) reads from the start.', examples: [1041] }),
      limit: z
        .int()
        .min(1)
        .max(1000)
        .default(100)
        .meta({ description: 'Most events returned, 1 to 1000; default 100.', examples: [500] }),
    })
    .meta({
      description: 'Which change events to read: one tenant\u2019s feed after a sequence number, up to a limit.',
      examples: [{ tenantId: 'acme', afterSequence: 1041, limit: 500 }],
    }),
);
export type MetadataChangeFeedOptions = z.output<typeof MetadataChangeFeedOptionsSchema>;
export type MetadataChangeFeedOptionsInput = z.input<typeof MetadataChangeFeedOptionsSchema>;

/** A page of one tenant's change feed. */
export const MetadataChangeFeedPageSchema = /* @__PURE__ */ define('MetadataChangeFeedPage', () =>
  withRules(
    z.strictObject({
      tenantId: OpaqueIdSchema.meta({ description: 'Tenant whose feed this is.', examples: ['acme'] }),
      events: z.array(MetadataChangeEventSchema).max(1000).meta({
        description:
          'The tenant\u2019s events after afterSequence, in sequence order and without gaps: the first has sequence afterSequence + 1, each next one the previous + 1 (R34). At most limit of them.',
      }),
      lastSequence: z
        .int()
        .min(0)
        .max(MAX_SAFE_COUNT)
        .meta({
          description: 'Sequence of the last event returned, or afterSequence when none was: pass it as afterSequence next.',
          examples: [1042],
        }),
      hasMore: z.boolean().meta({ description: 'Whether events after lastSequence are already committed and visible.' }),
    }),
    [
      {
        name: 'events_of_page_tenant',
        message: 'every event belongs to the page\u2019s tenant',
        path: ['events'],
        holds: (page) => page.events.every((event) => event.key.tenantId === page.tenantId),
      },
      {
        name: 'events_consecutive',
        message: 'each event\u2019s sequence is the previous event\u2019s sequence + 1',
        path: ['events'],
        holds: (page) => page.events.every((event, i) => i === 0 || event.sequence === page.events[i - 1]!.sequence + 1),
      },
      {
        name: 'last_sequence_of_last_event',
        message: 'lastSequence is the sequence of the last event returned',
        path: ['lastSequence'],
        holds: (page) => page.events.length === 0 || page.lastSequence === page.events[page.events.length - 1]!.sequence,
      },
    ],
    {
      description:
        'A page of one tenant\u2019s change feed: the events after a sequence number, consecutive and in order, and where to continue.',
      examples: [
        { tenantId: 'acme', events: [], lastSequence: 1042, hasMore: false },
        {
          tenantId: 'acme',
          events: [
            {
              sequence: 1043,
              operation: 'archive',
              key: { tenantId: 'acme', type: 'object', namespace: 'crm', scope: 'platform', name: 'account' },
              recordId: 'rec_42',
              version: 3,
              checksumBefore: 'sha256:2d52ed529cb4b094a424aece817c22c1655c4ec6a9b5c7401e3becf65ef7b5df',
              checksumAfter: 'sha256:2d52ed529cb4b094a424aece817c22c1655c4ec6a9b5c7401e3becf65ef7b5df',
              actor: 'jane@acme',
              occurredAt: '2026-01-31T09:32:00.000Z',
            },
          ],
          lastSequence: 1043,
          hasMore: false,
        },
      ],
    },
  ),
);
export type MetadataChangeFeedPage = z.output<typeof MetadataChangeFeedPageSchema>;
export type MetadataChangeFeedPageInput = z.input<typeof MetadataChangeFeedPageSchema>;

// ---------------------------------------------------------------------------
// Migration plan
// ---------------------------------------------------------------------------

/** One planned migration step, with the statements a store would run for it. */
export const MetadataMigrationPlanStepSchema = /* @__PURE__ */ define('MetadataMigrationPlanStep', () =>
  z
    .strictObject({
      operation: z.lazy(() => MetadataMigrationOperationSchema).meta({ description: 'The step, as a migration operation.' }),
      statements: z
        .array(boundedText(1, 100_000))
        .max(1000)
        .meta({
          description:
            'The exact statements the store runs for this step, in order, in its own dialect; empty for a store with no schema to change (the memory store). A dry run returns them and runs nothing (R11).',
          examples: [['CREATE TABLE "_framework_metadata" (...)']],
        }),
      losesData: z.boolean().meta({
        description: 'Whether the step can lose data (drops a column, an index or a table): needs allowDataLoss and a backup first (R9).',
      }),
      reversible: z
        .boolean()
        .meta({ description: 'Whether the step can be rolled back on this datasource (transactional DDL, or a rollback script).' }),
      transactional: z.boolean().meta({
        description:
          'Whether the step runs inside the migration\u2019s transaction; false on MySQL/MariaDB DDL, which commits implicitly (R46).',
      }),
    })
    .meta({
      description:
        'One planned migration step: the operation, the statements that carry it out, and whether it loses data, can be undone and runs in a transaction.',
      examples: [
        {
          operation: { type: 'backup', table: '_framework_metadata', backupTable: '_framework_metadata_bak_20260131' },
          statements: ['CREATE TABLE "_framework_metadata_bak_20260131" AS SELECT * FROM "_framework_metadata"'],
          losesData: false,
          reversible: true,
          transactional: true,
        },
      ],
    }),
);
export type MetadataMigrationPlanStep = z.output<typeof MetadataMigrationPlanStepSchema>;
export type MetadataMigrationPlanStepInput = z.input<typeof MetadataMigrationPlanStepSchema>;

/** What a migration would do, or did. */
export const MetadataMigrationPlanSchema = /* @__PURE__ */ define('MetadataMigrationPlan', () =>
  withRules(
    z.strictObject({
      steps: z
        .array(MetadataMigrationPlanStepSchema)
        .max(1000)
        .meta({ description: 'The steps in order; empty when the store is up to date (or has no schema, as the memory store).' }),
      atomic: z.boolean().meta({
        description:
          'Whether every step runs in one transaction, so that a failure leaves nothing applied; then every step is transactional (R46).',
      }),
      applied: z.boolean().meta({ description: 'Whether the steps were run: false for a dry run, and for an empty plan.' }),
    }),
    [
      {
        name: 'atomic_plan_steps_transactional',
        message: 'an atomic plan has only transactional steps',
        path: ['atomic'],
        holds: (plan) => !plan.atomic || plan.steps.every((step) => step.transactional),
        jsonSchema: {
          if: { properties: { atomic: { const: true } }, required: ['atomic'] },
          then: { properties: { steps: { items: { properties: { transactional: { const: true } } } } } },
        },
      },
      {
        name: 'empty_plan_not_applied',
        message: 'a plan without steps is never applied',
        path: ['applied'],
        holds: (plan) => !plan.applied || plan.steps.length > 0,
        jsonSchema: {
          if: { properties: { applied: { const: true } }, required: ['applied'] },
          then: { properties: { steps: { minItems: 1 } } },
        },
      },
    ],
    {
      description:
        'What a migration would do (dry run) or did: its steps with their statements, and whether it is atomic on this datasource. A store that cannot run a plan atomically says atomic false rather than claim it (R46).',
      examples: [
        { steps: [], atomic: true, applied: false },
        {
          steps: [
            {
              operation: { type: 'backup', table: '_framework_metadata', backupTable: '_framework_metadata_bak_20260131' },
              statements: ['CREATE TABLE "_framework_metadata_bak_20260131" AS SELECT * FROM "_framework_metadata"'],
              losesData: false,
              reversible: true,
              transactional: true,
            },
          ],
          atomic: true,
          applied: true,
        },
      ],
    },
  ),
);
export type MetadataMigrationPlan = z.output<typeof MetadataMigrationPlanSchema>;
export type MetadataMigrationPlanInput = z.input<typeof MetadataMigrationPlanSchema>;

/** Options of a migration. */
export const MetadataMigrateOptionsSchema = /* @__PURE__ */ define('MetadataMigrateOptions', () =>
  z
    .strictObject({
      dryRun: z.boolean().default(true).meta({
        description: 'Return the plan with its statements and run nothing (R11). Default true: applying is asked for explicitly.',
      }),
      steps: z
        .array(z.lazy(() => MetadataMigrationOperationSchema))
        .max(100)
        .optional()
        .meta({
          description:
            'Explicit steps to plan or run; absent: the steps that bring the table up to the driver configuration, adding only (R9).',
        }),
      allowDataLoss: z
        .boolean()
        .default(false)
        .meta({ description: 'Allow steps that can lose data; they still need the operator role and a backup first. Default false.' }),
    })
    .meta({
      description: 'Options of a migration: dry run (the default), explicit steps, and whether steps that lose data are allowed.',
      examples: [{ dryRun: false }, { dryRun: true, allowDataLoss: true }],
    }),
);
export type MetadataMigrateOptions = z.output<typeof MetadataMigrateOptionsSchema>;
export type MetadataMigrateOptionsInput = z.input<typeof MetadataMigrateOptionsSchema>;

// ---------------------------------------------------------------------------
// Store profile
// ---------------------------------------------------------------------------

/** What a store is and what it can do. */
export const MetadataStoreProfileSchema = /* @__PURE__ */ define('MetadataStoreProfile', () =>
  withRules(
    z.strictObject({
      protocolVersion: z
        .string()
        .regex(/^[0-9]+\.[0-9]+\.[0-9]+$/, { error: 'must be a version such as 1.0.0' })
        .meta({ description: 'Version of the Metasource protocol the store implements.', examples: ['1.0.0'] }),
      kind: z.enum(['memory', 'datasource']).meta({ description: 'memory: the in-process store; datasource: a store on a database.' }),
      datasource: MachineNameSchema.optional().meta({
        description: 'Name of the datasource: present exactly when kind is datasource.',
        examples: ['metadata_db'],
      }),
      capabilities: z
        .lazy(() => DatasourceCapabilitiesSchema)
        .optional()
        .meta({
          description: 'Capability profile of the database, which the store acts on (R45): present exactly when kind is datasource.',
        }),
      atomicImport: z
        .boolean()
        .meta({ description: 'Whether an import can run in one transaction (all or none, R17); false: an atomic import is refused.' }),
      transactionalBulk: z
        .boolean()
        .meta({ description: 'Whether a bulk operation can run in one transaction (R8); false: a transactional bulk is refused.' }),
      changeFeedRetention: z
        .int()
        .min(1)
        .max(MAX_SAFE_COUNT)
        .optional()
        .meta({
          description:
            'The store keeps at least the last changeFeedRetention events of each tenant; absent: it keeps every event. A reader whose afterSequence is older than the oldest kept event gets resync_needed (R35).',
          examples: [100_000],
        }),
    }),
    [
      {
        name: 'datasource_matches_kind',
        message: 'datasource is given exactly when kind is datasource',
        path: ['datasource'],
        holds: (p) => (p.kind === 'datasource') === (p.datasource !== undefined),
        jsonSchema: {
          if: { properties: { kind: { const: 'datasource' } }, required: ['kind'] },
          then: { required: ['datasource'] },
          else: { not: { required: ['datasource'] } },
        },
      },
      {
        name: 'capabilities_match_kind',
        message: 'capabilities are given exactly when kind is datasource',
        path: ['capabilities'],
        holds: (p) => (p.kind === 'datasource') === (p.capabilities !== undefined),
        jsonSchema: {
          if: { properties: { kind: { const: 'datasource' } }, required: ['kind'] },
          then: { required: ['capabilities'] },
          else: { not: { required: ['capabilities'] } },
        },
      },
    ],
    {
      description:
        'What a store is and can do: the protocol version, memory or datasource (with the datasource\u2019s name and capability profile), whether imports and bulk writes can be atomic, and how long the change feed reaches back.',
      examples: [
        { protocolVersion: '1.0.0', kind: 'memory', atomicImport: true, transactionalBulk: true },
        {
          protocolVersion: '1.0.0',
          kind: 'datasource',
          datasource: 'metadata_db',
          capabilities: {
            driver: 'postgres',
            transactionalDdl: true,
            jsonColumns: true,
            partialIndexes: true,
            advisoryLocks: true,
            changeStreams: false,
            tableSchemas: true,
            nulCharacters: false,
            maxIdentifierLength: 63,
          },
          atomicImport: true,
          transactionalBulk: true,
          changeFeedRetention: 100_000,
        },
      ],
    },
  ),
);
export type MetadataStoreProfile = z.output<typeof MetadataStoreProfileSchema>;
export type MetadataStoreProfileInput = z.input<typeof MetadataStoreProfileSchema>;

// ---------------------------------------------------------------------------
// Single-item options and results
// ---------------------------------------------------------------------------

/** Options of a get by key. */
export const MetadataGetOptionsSchema = /* @__PURE__ */ define('MetadataGetOptions', () =>
  z
    .strictObject({
      useCache: z.boolean().default(true).meta({
        description:
          'Serve from the cache when it holds the record; false reads the datasource and refreshes the cache (R22). Default true.',
      }),
    })
    .meta({ description: 'Options of a get by key: whether the cache may answer.', examples: [{ useCache: false }] }),
);
export type MetadataGetOptions = z.output<typeof MetadataGetOptionsSchema>;
export type MetadataGetOptionsInput = z.input<typeof MetadataGetOptionsSchema>;

/** Options of archiving, restoring or deleting one item. */
export const MetadataItemChangeOptionsSchema = /* @__PURE__ */ define('MetadataItemChangeOptions', () =>
  z
    .strictObject({
      expectedVersion: versionNumber(
        'Apply only if the stored version is this one: another version is a version_conflict, no stored item not_found. Absent: whatever the version.',
      ).optional(),
      dryRun: z.boolean().default(false).meta({ description: 'Check the key, version and permissions, and write nothing. Default false.' }),
      actor: OpaqueIdSchema.optional().meta({
        description:
          'Who makes the change, when it differs from the context\u2019s actor (a service acting for a user); absent: the context\u2019s actor.',
        examples: ['jane@acme'],
      }),
    })
    .meta({
      description: 'Options of archiving, restoring or deleting one item: an optional version guard, a dry run and the acting user.',
      examples: [{ expectedVersion: 3 }, { dryRun: true }],
    }),
);
export type MetadataItemChangeOptions = z.output<typeof MetadataItemChangeOptionsSchema>;
export type MetadataItemChangeOptionsInput = z.input<typeof MetadataItemChangeOptionsSchema>;

/** What deleting one item did. */
export const MetadataDeleteResultSchema = /* @__PURE__ */ define('MetadataDeleteResult', () =>
  z
    .strictObject({
      id: OpaqueIdSchema.meta({ description: 'Storage id of the deleted item.' }),
      version: versionNumber('The last version the item had.', 4),
      dryRun: z.boolean().meta({ description: 'Whether this was a dry run, in which case nothing was deleted.' }),
    })
    .meta({
      description: 'What deleting one item did: its id, the last version it had, and whether it was a dry run.',
      examples: [{ id: 'rec_42', version: 4, dryRun: false }],
    }),
);
export type MetadataDeleteResult = z.output<typeof MetadataDeleteResultSchema>;
export type MetadataDeleteResultInput = z.input<typeof MetadataDeleteResultSchema>;
