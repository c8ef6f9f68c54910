import { z } from 'zod';
import { MetadataCacheConfigSchema } from '../data/driver/metadata-driver.zod';
import { MetadataCursorSchema, MetadataQueryFiltersSchema, MetadataSortSchema } from '../data/driver/metadata-query.zod';
import { DEFAULT_METADATA_TABLE_NAME } from '../data/driver/metadata-table.zod';
import { MetadataChecksumSchema, MetadataRecordSchema } from '../data/metadata-record.zod';
import { DateTimeSchema } from '../shared/date-time.zod';
import { MachineNameSchema, SqlIdentifierSchema } from '../shared/identifier.zod';
import { TransactionIsolationLevelSchema } from '../shared/isolation-level.zod';
import { MAX_SAFE_COUNT } from '../shared/limits';
import { OpaqueIdSchema } from '../shared/opaque-id.zod';
import { define, withRules } from '../shared/registry';
import { SecretRefSchema } from '../shared/secret-ref.zod';
import { excludesContinueOnError } from '../shared/rules';
import { boundedText } from '../shared/text';

// ---------------------------------------------------------------------------
// Datasource configuration of a loader
// ---------------------------------------------------------------------------

/** How a loader keeps metadata in a named datasource: table, migration, cache and read batching. */
export const MetadataDatasourceConfigSchema = /* @__PURE__ */ define('MetadataDatasourceConfig', () =>
  z
    .strictObject({
      datasource: MachineNameSchema.meta({
        description: 'Name of the datasource (declared with its driver and connection elsewhere) that stores the metadata.',
        examples: ['metadata_db'],
      }),
      table: SqlIdentifierSchema.default(DEFAULT_METADATA_TABLE_NAME).meta({
        description: 'Table (the collection on MongoDB) that holds the records. Default _framework_metadata.',
        examples: ['_framework_metadata'],
      }),
      schema: SqlIdentifierSchema.optional().meta({
        description:
          "PostgreSQL schema or MySQL database of the table; absent: the connection's default. A driver without schemas (SQLite, MongoDB) refuses to start with it set rather than ignore it.",
        examples: ['metadata'],
      }),
      autoMigrate: z.boolean().default(true).meta({
        description: 'On startup, create the table and add missing columns and indexes; never drops anything. Default true.',
      }),
      cache: MetadataCacheConfigSchema.prefault({}).meta({
        description: 'In-memory cache of loaded records; on by default with every cache default filled.',
      }),
      // The design summary also had "use indexes": dropped, because the
      // database's query planner picks indexes and no runtime could honour it.
      query: z
        .strictObject({
          batchSize: z
            .int()
            .min(1)
            .max(10_000)
            .default(100)
            .meta({ description: 'Records read per round trip when loading many items, 1 to 10,000; default 100.', examples: [500] }),
          loadConcurrency: z
            .int()
            .min(1)
            .max(64)
            .default(4)
            .meta({
              description:
                "Loads (for example one per metadata type) run against the datasource at the same time, 1 to 64; 1 loads one after another. Default 4; keep it at or below the datasource's connection pool size.",
              examples: [4],
            }),
        })
        .prefault({})
        .meta({
          description: 'How loads read from the datasource: records per round trip and parallel loads; every setting has a default.',
          examples: [{ batchSize: 500, loadConcurrency: 8 }],
        }),
    })
    .meta({
      description:
        'How a datasource loader keeps metadata in a named datasource: the table and schema, automatic migration, the record cache and read batching. Only datasource is required; parsing fills every other setting. Holds no secrets: the connection and its credentials belong to the datasource.',
      examples: [{ datasource: 'metadata_db' }, { datasource: 'metadata_db', schema: 'metadata', cache: { ttlSeconds: 600 } }],
    }),
);
export type MetadataDatasourceConfig = z.output<typeof MetadataDatasourceConfigSchema>;
export type MetadataDatasourceConfigInput = z.input<typeof MetadataDatasourceConfigSchema>;

// ---------------------------------------------------------------------------
// Loader contract
// ---------------------------------------------------------------------------

/** Where a loader reads metadata from. */
export const MetadataLoaderProtocolSchema = /* @__PURE__ */ define('MetadataLoaderProtocol', () =>
  z.enum(['file', 'http', 'memory', 'datasource']).meta({
    description:
      'Where a loader reads metadata from. file: a directory tree; http: a remote Metasource endpoint; memory: items registered in the process (tests, built-ins); datasource: a table in a named datasource.',
    examples: ['datasource'],
  }),
);
export type MetadataLoaderProtocol = z.output<typeof MetadataLoaderProtocolSchema>;
export type MetadataLoaderProtocolInput = z.input<typeof MetadataLoaderProtocolSchema>;

/** What a loader can do. */
export const MetadataLoaderCapabilitiesSchema = /* @__PURE__ */ define('MetadataLoaderCapabilities', () =>
  withRules(
    z.strictObject({
      read: z.boolean().default(true).meta({ description: 'Loads items. Default true.' }),
      write: z.boolean().default(false).meta({ description: 'Saves, deletes, archives and restores items. Default false.' }),
      watch: z.boolean().default(false).meta({
        description:
          'Pushes change notifications (file watcher, change stream, LISTEN/NOTIFY); without it, replicas poll the change feed. Default false.',
      }),
      list: z.boolean().default(true).meta({ description: 'Enumerates items by filters, not only by key. Default true.' }),
      history: z.boolean().default(false).meta({
        description: 'Keeps change events, so item history and the change feed can be read. Default false.',
      }),
      transactions: z.boolean().default(false).meta({
        description: 'Commits several writes together or none of them. Default false.',
      }),
    }),
    [
      {
        name: 'transactions_require_write',
        message: 'transactions needs write: true; a loader that cannot write has nothing to commit',
        path: ['transactions'],
        holds: (c) => !c.transactions || c.write,
        jsonSchema: {
          if: { properties: { transactions: { const: true } }, required: ['transactions'] },
          then: { properties: { write: { const: true } }, required: ['write'] },
        },
      },
    ],
    {
      description:
        'What a loader can do. A runtime refuses an operation whose capability is false instead of emulating it. Defaults describe a read-only loader that can list items.',
      examples: [{ write: true, history: true, transactions: true }],
    },
  ),
);
export type MetadataLoaderCapabilities = z.output<typeof MetadataLoaderCapabilitiesSchema>;
export type MetadataLoaderCapabilitiesInput = z.input<typeof MetadataLoaderCapabilitiesSchema>;

/**
 * https only, host and optional port and path; no userinfo (`user:pw@`), no
 * query and no fragment, so a credential cannot ride along in the URL: a
 * token goes in bearerToken, as a secret reference. ASCII only, so `.max()`
 * counts the same as JSON Schema's maxLength.
 */
const HTTPS_BASE_URL = /^https:\/\/[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::[0-9]{1,5})?(?:\/[A-Za-z0-9._~%!$&'()*+,;=:@\/-]*)?$/;

/** The fields every loader variant has, with its protocol literal. */
function loaderFields<P extends MetadataLoaderProtocol>(protocol: P) {
  return {
    protocol: z.literal(protocol).meta({ description: `Where the loader reads metadata from: ${protocol}.` }),
    name: MachineNameSchema.meta({ description: "Name of the loader, unique among a runtime's loaders.", examples: ['metadata_db'] }),
    description: boundedText(1, 1000)
      .optional()
      .meta({ description: 'What the loader is for, 1 to 1000 characters.', examples: ['Customisations stored in PostgreSQL'] }),
    capabilities: MetadataLoaderCapabilitiesSchema.prefault({}).meta({
      description: 'What the loader can do; default a read-only loader that can list.',
    }),
  };
}

/** A named loader: where it reads metadata from, what it can do, and its protocol's settings. */
export const MetadataLoaderContractSchema = /* @__PURE__ */ define('MetadataLoaderContract', () =>
  z
    .discriminatedUnion('protocol', [
      z
        .strictObject({
          ...loaderFields('file'),
          rootDir: boundedText(2, 4096)
            .regex(/^\/[^\0]*$/, { error: 'must be an absolute path starting with "/"' })
            .meta({ description: 'Absolute path of the directory tree the loader reads.', examples: ['/srv/app/metadata'] }),
        })
        .meta({
          description: 'A loader that reads metadata files under a directory.',
          examples: [{ protocol: 'file', name: 'builtin', rootDir: '/srv/app/metadata' }],
        }),
      z
        .strictObject({
          ...loaderFields('http'),
          baseUrl: z
            .string()
            .max(2048)
            .regex(HTTPS_BASE_URL, {
              error: 'must be an https URL with a host and optional port and path, without user:password@, query or fragment',
            })
            .meta({
              description:
                'Base URL of the remote endpoint, at most 2048 characters: https only, no user:password@, no query, no fragment, so no credential can hide in it.',
              examples: ['https://metadata.example.com/v1'],
            }),
          bearerToken: SecretRefSchema.optional().meta({
            description: 'Token sent as "Authorization: Bearer"; a secret reference, never inline. Absent: no Authorization header.',
            examples: [{ env: 'METADATA_API_TOKEN' }],
          }),
        })
        .meta({
          description: 'A loader that reads metadata from a remote Metasource endpoint over HTTPS.',
          examples: [
            { protocol: 'http', name: 'central', baseUrl: 'https://metadata.example.com/v1', bearerToken: { env: 'METADATA_API_TOKEN' } },
          ],
        }),
      z.strictObject({ ...loaderFields('memory') }).meta({
        description:
          'A loader over items registered in the running process, such as built-ins or test fixtures; nothing survives a restart.',
        examples: [{ protocol: 'memory', name: 'fixtures', capabilities: { write: true } }],
      }),
      z
        .strictObject({
          ...loaderFields('datasource'),
          datasourceConfig: MetadataDatasourceConfigSchema.meta({
            description:
              'The datasource, table, cache and batching this loader uses. Required for the datasource protocol, and only there.',
          }),
        })
        .meta({
          description: 'A loader that keeps metadata in a table of a named datasource (PostgreSQL, MySQL, SQLite, MongoDB).',
          examples: [
            {
              protocol: 'datasource',
              name: 'metadata_db',
              capabilities: { write: true, history: true, transactions: true },
              datasourceConfig: { datasource: 'metadata_db' },
            },
          ],
        }),
    ])
    .meta({
      description:
        'A named metadata loader. The protocol decides its settings: file has rootDir, http has baseUrl, datasource has datasourceConfig (required there and rejected elsewhere), memory has none.',
      examples: [
        { protocol: 'datasource', name: 'metadata_db', capabilities: { write: true }, datasourceConfig: { datasource: 'metadata_db' } },
        { protocol: 'file', name: 'builtin', rootDir: '/srv/app/metadata' },
      ],
    }),
);
export type MetadataLoaderContract = z.output<typeof MetadataLoaderContractSchema>;
export type MetadataLoaderContractInput = z.input<typeof MetadataLoaderContractSchema>;

// ---------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------

/** Options of one load: which datasource, filters, order, limit, caching and inheritance. */
export const MetadataLoadOptionsSchema = /* @__PURE__ */ define('MetadataLoadOptions', () =>
  z
    .strictObject({
      datasource: MachineNameSchema.optional().meta({
        description: "Datasource to load from instead of the loader's own; only a datasource loader accepts it.",
        examples: ['metadata_archive'],
      }),
      filters: MetadataQueryFiltersSchema.prefault({}).meta({
        description: 'Which records to load; none by default, which loads every record the caller may read.',
      }),
      sort: z
        .array(MetadataSortSchema)
        .max(5)
        .default([])
        .meta({
          description: 'Up to 5 sort keys, first one first; the loader appends the record id as a final tie-breaker. Default: by id only.',
          examples: [[{ field: 'type' }, { field: 'name' }]],
        }),
      limit: z
        .int()
        .min(1)
        .max(100_000)
        .optional()
        .meta({
          description: 'Most records to return, 1 to 100,000; absent returns every match. When more match, the result has a nextCursor.',
          examples: [500],
        }),
      cursor: MetadataCursorSchema.optional().meta({
        description: 'nextCursor of the previous result, to load the next page; valid only with the same filters and sort.',
        examples: ['eyJpIjoiNDIifQ'],
      }),
      useCache: z.boolean().default(true).meta({
        description: 'Serve from the cache when it holds the result; false reads the datasource and refreshes the cache. Default true.',
      }),
      includeArchived: z.boolean().default(false).meta({
        description: 'Include archived records when the filters name no state (a state filter overrides it). Default false.',
      }),
      ifNoneMatch: MetadataChecksumSchema.optional().meta({
        description:
          'Checksum of a result loaded before. When the result would have the same checksum, the loader returns notModified: true and no records.',
      }),
      resolveInheritance: z.boolean().default(true).meta({
        description:
          'Return each item as it takes effect: extends and mergeStrategy applied across scopes (system, then platform, then user). false returns records exactly as stored. Default true.',
      }),
    })
    .meta({
      description:
        'Options of one load: an optional datasource override, structured filters, sort, limit and cursor, cache use, archived items, a conditional-load checksum and inheritance resolution.',
      examples: [{ filters: { type: 'object', namespace: 'crm' }, sort: [{ field: 'name' }], limit: 100 }],
    }),
);
export type MetadataLoadOptions = z.output<typeof MetadataLoadOptionsSchema>;
export type MetadataLoadOptionsInput = z.input<typeof MetadataLoadOptionsSchema>;

/** What one load returns. */
export const MetadataLoadResultSchema = /* @__PURE__ */ define('MetadataLoadResult', () =>
  withRules(
    z.strictObject({
      records: z
        .array(MetadataRecordSchema)
        .meta({ description: 'The loaded records, in the requested order; empty when notModified is true.' }),
      total: z
        .int()
        .min(0)
        .max(MAX_SAFE_COUNT)
        .optional()
        .meta({
          description: 'Number of records matching the load across every page; present when the load had a limit.',
          examples: [1234],
        }),
      nextCursor: MetadataCursorSchema.optional().meta({
        description: 'Cursor of the next page, present when the limit cut the result short; pass it as cursor to continue.',
        examples: ['eyJpIjoiNDIifQ'],
      }),
      checksum: MetadataChecksumSchema.optional().meta({
        description:
          'Checksum of this result: SHA-256 of the canonical JSON (RFC 8785) of the records array, envelopes included. Send it back as ifNoneMatch. Absent when the loader does not compute it.',
      }),
      fromCache: z.boolean().meta({ description: 'Whether the result was served from the cache.' }),
      notModified: z.boolean().default(false).meta({
        description: "true when the result's checksum equals the load's ifNoneMatch; records is then empty. Default false.",
      }),
      loadedAt: DateTimeSchema.meta({ description: 'When the loader read the result (from the datasource or into the cache).' }),
    }),
    [
      {
        name: 'not_modified_has_no_records',
        message: 'a notModified result carries no records',
        path: ['records'],
        holds: (r) => !r.notModified || r.records.length === 0,
        jsonSchema: {
          if: { properties: { notModified: { const: true } }, required: ['notModified'] },
          then: { properties: { records: { maxItems: 0 } } },
        },
      },
      {
        name: 'not_modified_has_no_next_cursor',
        message: 'a notModified result has no nextCursor',
        path: ['nextCursor'],
        holds: (r) => !r.notModified || r.nextCursor === undefined,
        jsonSchema: {
          if: { properties: { notModified: { const: true } }, required: ['notModified'] },
          then: { not: { required: ['nextCursor'] } },
        },
      },
      {
        name: 'total_not_below_record_count',
        message: 'total must not be below the number of records returned',
        path: ['total'],
        holds: (r) => r.total === undefined || r.total >= r.records.length,
      },
    ],
    {
      description:
        "What one load returns: the records, a total and next-page cursor when paged, the result's checksum, whether it came from the cache, and whether it was unchanged since ifNoneMatch.",
      examples: [
        {
          records: [{ type: 'object', name: 'account', namespace: 'crm', payload: { label: 'Account' } }],
          fromCache: false,
          loadedAt: '2026-01-31T09:30:00Z',
        },
      ],
    },
  ),
);
export type MetadataLoadResult = z.output<typeof MetadataLoadResultSchema>;
export type MetadataLoadResultInput = z.input<typeof MetadataLoadResultSchema>;

// ---------------------------------------------------------------------------
// Save
// ---------------------------------------------------------------------------

/** What a write does when an item with the same key already exists. */
export const MetadataConflictStrategySchema = /* @__PURE__ */ define('MetadataConflictStrategy', () =>
  z.enum(['error', 'skip', 'update', 'replace']).meta({
    description:
      'What a write does when an item with the same key (tenantId, type, namespace, scope, owner, name) already exists. error: fail with a conflict and write nothing; skip: leave the stored item and report it skipped; update: deep-merge the new payload over the stored one (objects key by key, arrays and scalars replace), take the other envelope fields from the new record, and write the result as a new version; replace: the new payload replaces the stored one whole, as a new version. A write whose result equals the stored item writes nothing and reports unchanged.',
    examples: ['update'],
  }),
);
export type MetadataConflictStrategy = z.output<typeof MetadataConflictStrategySchema>;
export type MetadataConflictStrategyInput = z.input<typeof MetadataConflictStrategySchema>;

/** Options of one save: datasource, transaction, conflict handling, optimistic concurrency, dry run, history, actor. */
export const MetadataSaveOptionsSchema = /* @__PURE__ */ define('MetadataSaveOptions', () =>
  withRules(
    z.strictObject({
      datasource: MachineNameSchema.optional().meta({
        description: "Datasource to save to instead of the loader's own; only a datasource loader accepts it.",
        examples: ['metadata_db'],
      }),
      transaction: z
        .strictObject({
          isolationLevel: TransactionIsolationLevelSchema.default('read_committed').meta({
            description: "Isolation level of the save's transaction. Default read_committed.",
          }),
          timeoutMs: z
            .int()
            .min(1)
            .max(3_600_000)
            .default(30_000)
            .meta({
              description: 'Milliseconds the transaction may run before it is rolled back, 1 to 3,600,000; default 30,000.',
              examples: [30_000],
            }),
        })
        .prefault({})
        .meta({
          description: 'Isolation level and timeout of the transaction the save runs in; every setting has a default.',
          examples: [{ isolationLevel: 'serializable', timeoutMs: 10_000 }],
        }),
      onConflict: MetadataConflictStrategySchema.default('update').meta({
        description: 'What to do when an item with the same key exists. Default update.',
      }),
      expectedVersion: z
        .int()
        .min(1)
        .max(MAX_SAFE_COUNT)
        .optional()
        .meta({
          description:
            'Version the write is based on (optimistic concurrency). When the stored version differs, or no item is stored, the save fails with a conflict whatever onConflict says; it never overwrites. Needs onConflict update or replace.',
          examples: [3],
        }),
      dryRun: z.boolean().default(false).meta({
        description: 'Validate and check the key, version and conflict, report what would happen, and write nothing. Default false.',
      }),
      recordHistory: z.boolean().default(true).meta({
        description:
          "Keep the replaced version in the item's history. The change event itself is always written, because replicas' caches follow the change feed. Default true.",
      }),
      actor: OpaqueIdSchema.optional().meta({
        description: "Who makes the change, recorded in the audit fields and the change event; absent: the runtime's own service identity.",
        examples: ['jane@acme'],
      }),
    }),
    [
      {
        name: 'expected_version_requires_update_or_replace',
        message: 'expectedVersion names a stored version to overwrite, so onConflict must be "update" or "replace"',
        path: ['onConflict'],
        holds: (o) => o.expectedVersion === undefined || o.onConflict === 'update' || o.onConflict === 'replace',
        jsonSchema: {
          if: { required: ['expectedVersion'] },
          then: { properties: { onConflict: { enum: ['update', 'replace'] } } },
        },
      },
    ],
    {
      description:
        'Options of one save: an optional datasource override, the transaction, what to do with an existing item, the version the write is based on, dry run, history and the acting user.',
      examples: [{ onConflict: 'replace', expectedVersion: 3, actor: 'jane@acme' }, { dryRun: true }],
    },
  ),
);
export type MetadataSaveOptions = z.output<typeof MetadataSaveOptionsSchema>;
export type MetadataSaveOptionsInput = z.input<typeof MetadataSaveOptionsSchema>;

/** What a save did to one item. */
export const MetadataSaveStatusSchema = /* @__PURE__ */ define('MetadataSaveStatus', () =>
  z.enum(['created', 'updated', 'replaced', 'skipped', 'unchanged']).meta({
    description:
      'What a save did. created: a new item; updated: merged into the stored item (onConflict update); replaced: the stored payload replaced (onConflict replace); skipped: an item existed and onConflict was skip; unchanged: the result equalled the stored item, so nothing was written.',
    examples: ['updated'],
  }),
);
export type MetadataSaveStatus = z.output<typeof MetadataSaveStatusSchema>;
export type MetadataSaveStatusInput = z.input<typeof MetadataSaveStatusSchema>;

/** The fields of every save result; a written new version adds previousVersion. */
function saveResultFields() {
  return {
    id: OpaqueIdSchema.meta({ description: 'Storage id of the item.' }),
    version: z
      .int()
      .min(1)
      .max(MAX_SAFE_COUNT)
      .meta({ description: 'Version of the item after the save (the stored one when nothing was written).', examples: [4] }),
    checksum: MetadataChecksumSchema.meta({ description: "Checksum of the item's payload after the save." }),
    savedAt: DateTimeSchema.meta({ description: 'When the save completed (or, in a dry run, was checked).' }),
    dryRun: z
      .boolean()
      .meta({ description: 'Whether this was a dry run, in which case nothing was written and the result says what would happen.' }),
  };
}

/** What one save did: the item's id, status, new version and checksum. */
export const MetadataSaveResultSchema = /* @__PURE__ */ define('MetadataSaveResult', () =>
  z
    .discriminatedUnion('status', [
      z
        .strictObject({
          status: MetadataSaveStatusSchema.extract(['created', 'skipped', 'unchanged']).meta({
            description: 'created, skipped or unchanged: no earlier version was overwritten, so there is no previousVersion.',
          }),
          ...saveResultFields(),
        })
        .meta({
          description:
            'A save that overwrote no version: a new item (version 1, unless an import preserved versions), or an existing item left as it was (its stored version).',
          examples: [
            {
              id: 'rec_42',
              status: 'created',
              version: 1,
              checksum: `sha256:${'0'.repeat(64)}`,
              savedAt: '2026-01-31T09:30:00Z',
              dryRun: false,
            },
          ],
        }),
      withRules(
        z.strictObject({
          status: MetadataSaveStatusSchema.extract(['updated', 'replaced']).meta({
            description: 'updated or replaced: a new version of an existing item was written.',
          }),
          ...saveResultFields(),
          previousVersion: z
            .int()
            .min(1)
            .max(MAX_SAFE_COUNT)
            .meta({ description: 'Version the save replaced; version is previousVersion + 1.', examples: [3] }),
        }),
        [
          {
            name: 'version_follows_previous_version',
            message: 'version must be previousVersion + 1',
            path: ['version'],
            holds: (r) => r.version === r.previousVersion + 1,
          },
        ],
        {
          description: 'A save that wrote a new version of an existing item.',
          examples: [
            {
              id: 'rec_42',
              status: 'updated',
              version: 4,
              previousVersion: 3,
              checksum: `sha256:${'0'.repeat(64)}`,
              savedAt: '2026-01-31T09:30:00Z',
              dryRun: false,
            },
          ],
        },
      ),
    ])
    .meta({
      description:
        "What one save did: the item's id and status, its version and checksum after the save, the version it replaced (only for updated and replaced), when, and whether it was a dry run.",
      examples: [
        {
          id: 'rec_42',
          status: 'replaced',
          version: 4,
          previousVersion: 3,
          checksum: `sha256:${'0'.repeat(64)}`,
          savedAt: '2026-01-31T09:30:00Z',
          dryRun: false,
        },
      ],
    }),
);
export type MetadataSaveResult = z.output<typeof MetadataSaveResultSchema>;
export type MetadataSaveResultInput = z.input<typeof MetadataSaveResultSchema>;

// ---------------------------------------------------------------------------
// History and change feed
// ---------------------------------------------------------------------------

/** Kind of change recorded in history and the change feed. */
export const MetadataChangeOperationSchema = /* @__PURE__ */ define('MetadataChangeOperation', () =>
  z.enum(['create', 'update', 'delete', 'archive', 'restore']).meta({
    description:
      'Kind of change. create: a new item; update: a new version (merged or replaced); delete: the item removed; archive: state set to archived; restore: an archived item made active again.',
    examples: ['update'],
  }),
);
export type MetadataChangeOperation = z.output<typeof MetadataChangeOperationSchema>;
export type MetadataChangeOperationInput = z.input<typeof MetadataChangeOperationSchema>;

/** The unique key of a metadata item. */
export const MetadataRecordKeySchema = /* @__PURE__ */ define('MetadataRecordKey', () =>
  withRules(
    z.strictObject({
      tenantId: MetadataRecordSchema.shape.tenantId,
      type: MetadataRecordSchema.shape.type,
      namespace: MetadataRecordSchema.shape.namespace,
      scope: MetadataRecordSchema.shape.scope,
      owner: MetadataRecordSchema.shape.owner,
      name: MetadataRecordSchema.shape.name,
    }),
    [
      // The same rule as MetadataRecord's, under the same name.
      {
        name: 'user_scope_requires_owner',
        message: 'owner is required when scope is "user"',
        path: ['owner'],
        holds: (key) => key.scope !== 'user' || key.owner !== undefined,
        jsonSchema: {
          if: { properties: { scope: { const: 'user' } }, required: ['scope'] },
          then: { required: ['owner'] },
        },
      },
    ],
    {
      description:
        "The unique key of a metadata item: tenant, type, namespace, scope, owner (user scope only needs it) and name. Defaults are the record's: tenant default, namespace default, scope platform.",
      examples: [{ tenantId: 'acme', type: 'object', namespace: 'crm', scope: 'platform', name: 'account' }],
    },
  ),
);
export type MetadataRecordKey = z.output<typeof MetadataRecordKeySchema>;
export type MetadataRecordKeyInput = z.input<typeof MetadataRecordKeySchema>;

/**
 * A property that reuses a schema built with withRules. `.meta()` on it would
 * clone it, and the clone inherits the rules' `allOf`, which the JSON Schema
 * then repeats beside the `$ref` (where draft-07 ignores it). A lazy wrapper
 * is a new schema: it carries only this description and the `$ref`.
 */
function ruledRef<T extends z.ZodType>(schema: T, meta: z.core.GlobalMeta) {
  return z.lazy(() => schema).meta(meta);
}

/** The fields of every change event but the operation and the checksums. */
function changeEventFields() {
  return {
    sequence: z
      .int()
      .min(1)
      .max(MAX_SAFE_COUNT)
      .meta({
        description:
          "Position in the store's change feed: strictly increasing across the whole store (all tenants and types), but not gap-free; a rolled-back write can leave a number unused.",
        examples: [1042],
      }),
    key: ruledRef(MetadataRecordKeySchema, { description: 'Key of the item that changed.' }),
    recordId: OpaqueIdSchema.meta({ description: 'Storage id of the item that changed.' }),
    version: z
      .int()
      .min(1)
      .max(MAX_SAFE_COUNT)
      .meta({ description: 'Version of the item after the change; for delete, the last version it had.', examples: [4] }),
    actor: OpaqueIdSchema.meta({
      description: "Who made the change: the save's actor or the runtime's service identity.",
      examples: ['jane@acme'],
    }),
    occurredAt: DateTimeSchema.meta({ description: 'When the change was committed.' }),
    transactionId: OpaqueIdSchema.optional().meta({
      description: 'Transaction the change was committed in; changes committed together share it.',
      examples: ['tx_0192d3e4'],
    }),
  };
}

function checksumBefore() {
  return MetadataChecksumSchema.meta({ description: 'Checksum of the payload before the change.' });
}

function checksumAfter() {
  return MetadataChecksumSchema.meta({ description: 'Checksum of the payload after the change.' });
}

/** One entry of an item's history and of the store's change feed. */
export const MetadataChangeEventSchema = /* @__PURE__ */ define('MetadataChangeEvent', () =>
  z
    .discriminatedUnion('operation', [
      z
        .strictObject({
          operation: MetadataChangeOperationSchema.extract(['create']).meta({ description: 'create: the item did not exist before.' }),
          ...changeEventFields(),
          checksumAfter: checksumAfter(),
        })
        .meta({
          description: 'Creation of an item: a checksum after, none before.',
          examples: [
            {
              sequence: 1041,
              operation: 'create',
              key: { type: 'object', name: 'account' },
              recordId: 'rec_42',
              version: 1,
              checksumAfter: `sha256:${'0'.repeat(64)}`,
              actor: 'jane@acme',
              occurredAt: '2026-01-31T09:30:00Z',
            },
          ],
        }),
      z
        .strictObject({
          operation: MetadataChangeOperationSchema.extract(['update', 'archive', 'restore']).meta({
            description: 'update, archive or restore: the item existed before and after.',
          }),
          ...changeEventFields(),
          checksumBefore: checksumBefore(),
          checksumAfter: checksumAfter(),
        })
        .meta({
          description: 'A change to an existing item: checksums before and after (equal when only the state changed).',
          examples: [
            {
              sequence: 1042,
              operation: 'update',
              key: { type: 'object', name: 'account' },
              recordId: 'rec_42',
              version: 2,
              checksumBefore: `sha256:${'0'.repeat(64)}`,
              checksumAfter: `sha256:${'1'.repeat(64)}`,
              actor: 'jane@acme',
              occurredAt: '2026-01-31T09:31:00Z',
            },
          ],
        }),
      z
        .strictObject({
          operation: MetadataChangeOperationSchema.extract(['delete']).meta({ description: 'delete: the item does not exist after.' }),
          ...changeEventFields(),
          checksumBefore: checksumBefore(),
        })
        .meta({
          description: 'Deletion of an item: a checksum before, none after.',
          examples: [
            {
              sequence: 1043,
              operation: 'delete',
              key: { type: 'object', name: 'account' },
              recordId: 'rec_42',
              version: 2,
              checksumBefore: `sha256:${'1'.repeat(64)}`,
              actor: 'jane@acme',
              occurredAt: '2026-01-31T09:32:00Z',
            },
          ],
        }),
    ])
    .meta({
      description:
        "One entry of an item's history and of the store's change feed. A replica catches up by polling for events with sequence greater than the last one it has seen, in sequence order; a store makes an event visible only after every event with a lower sequence is committed or abandoned, so a poller never skips one. create has no checksumBefore and delete no checksumAfter.",
      examples: [
        {
          sequence: 1042,
          operation: 'archive',
          key: { tenantId: 'acme', type: 'object', namespace: 'crm', name: 'account' },
          recordId: 'rec_42',
          version: 5,
          checksumBefore: `sha256:${'1'.repeat(64)}`,
          checksumAfter: `sha256:${'1'.repeat(64)}`,
          actor: 'jane@acme',
          occurredAt: '2026-01-31T09:31:00Z',
          transactionId: 'tx_0192d3e4',
        },
      ],
    }),
);
export type MetadataChangeEvent = z.output<typeof MetadataChangeEventSchema>;
export type MetadataChangeEventInput = z.input<typeof MetadataChangeEventSchema>;

// ---------------------------------------------------------------------------
// Export and import
// ---------------------------------------------------------------------------

/** Options of a metadata export. */
export const MetadataExportOptionsSchema = /* @__PURE__ */ define('MetadataExportOptions', () =>
  z
    .strictObject({
      filters: MetadataQueryFiltersSchema.prefault({}).meta({
        description: 'Which records to export; none by default, which exports every record the caller may read.',
      }),
      format: z
        .enum(['json', 'ndjson'])
        .default('ndjson')
        .meta({
          description: 'json: one document holding an array of records; ndjson: one record per line, streamable. Default ndjson.',
          examples: ['ndjson'],
        }),
      includeHistory: z
        .boolean()
        .default(false)
        .meta({ description: 'Also export the change events of every exported item. Default false.' }),
      includeArchived: z.boolean().default(false).meta({
        description: 'Include archived records when the filters name no state (a state filter overrides it). Default false.',
      }),
      includeAudit: z.boolean().default(true).meta({
        description: 'Keep createdAt, createdBy, updatedAt and updatedBy in the exported records. Default true.',
      }),
    })
    .meta({
      description:
        'Options of a metadata export: which records, the file format, and whether to include history, archived items and audit fields. An export never holds secrets: records carry none, and datasource configurations are not exported.',
      examples: [{ filters: { namespace: 'crm' }, format: 'json', includeHistory: true }],
    }),
);
export type MetadataExportOptions = z.output<typeof MetadataExportOptionsSchema>;
export type MetadataExportOptionsInput = z.input<typeof MetadataExportOptionsSchema>;

/** Options of a metadata import. */
export const MetadataImportOptionsSchema = /* @__PURE__ */ define('MetadataImportOptions', () =>
  withRules(
    z.strictObject({
      onConflict: MetadataConflictStrategySchema.default('error').meta({
        description: 'What to do with an imported item whose key is already stored. Default error.',
      }),
      dryRun: z.boolean().default(false).meta({
        description: 'Validate every item and check conflicts, report what would happen, and write nothing. Default false.',
      }),
      batchSize: z
        .int()
        .min(1)
        .max(10_000)
        .default(100)
        .meta({ description: 'Items written per statement, 1 to 10,000; default 100.', examples: [500] }),
      atomic: z.boolean().default(true).meta({
        description:
          'Import every item in one transaction: all or none. A datasource that cannot do that refuses an atomic import rather than run it piecemeal. Default true.',
      }),
      continueOnError: z.boolean().default(false).meta({
        description: 'Keep going after an item fails and report each failure; needs atomic: false. Default false.',
      }),
      preserveVersions: z.boolean().default(false).meta({
        description:
          "Keep each imported item's version instead of starting at 1, for restoring a backup; needs onConflict error or skip, so a stored version never goes backwards. Default false.",
      }),
    }),
    [
      excludesContinueOnError('atomic', 'an atomic import'),
      {
        name: 'preserve_versions_requires_error_or_skip',
        message:
          'preserveVersions needs onConflict "error" or "skip"; overwriting a stored item with an imported version could move its version backwards',
        path: ['onConflict'],
        holds: (o) => !o.preserveVersions || o.onConflict === 'error' || o.onConflict === 'skip',
        jsonSchema: {
          if: { properties: { preserveVersions: { const: true } }, required: ['preserveVersions'] },
          then: { properties: { onConflict: { enum: ['error', 'skip'] } } },
        },
      },
    ],
    {
      description:
        'Options of a metadata import: conflict handling, dry run, batch size, all-or-nothing or keep-going, and whether imported versions are kept.',
      examples: [{ onConflict: 'update' }, { atomic: false, continueOnError: true }, { preserveVersions: true, onConflict: 'skip' }],
    },
  ),
);
export type MetadataImportOptions = z.output<typeof MetadataImportOptionsSchema>;
export type MetadataImportOptionsInput = z.input<typeof MetadataImportOptionsSchema>;
