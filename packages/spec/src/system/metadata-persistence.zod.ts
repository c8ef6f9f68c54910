import { z } from 'zod';
import {
  MetadataCursorSchema,
  MetadataPaginationSchema,
  MetadataQueryFiltersSchema,
  MetadataSortSchema,
} from '../data/driver/metadata-query.zod';
import { MetadataChecksumSchema, MetadataRecordSchema, type MetadataScope } from '../data/metadata-record.zod';
import { ownerByScopeRules } from '../data/metadata-record-rules';
import { DateTimeSchema } from '../shared/date-time.zod';
import { MachineNameSchema } from '../shared/identifier.zod';
import { batchSize, transactionOverrides, versionNumber } from '../shared/fields';
import { MAX_SAFE_COUNT } from '../shared/limits';
import { OpaqueIdSchema } from '../shared/opaque-id.zod';
import { define, withRules } from '../shared/registry';
import { excludesContinueOnError, totalNotBelowRecordCount } from '../shared/rules';
import { boundedText } from '../shared/text';

// ---------------------------------------------------------------------------
// Datasource configuration of a loader
// ---------------------------------------------------------------------------

/** The datasource a datasource loader reads and writes: the metadata store, named once. */
export const MetadataDatasourceConfigSchema = /* @__PURE__ */ define('MetadataDatasourceConfig', () =>
  // Only the name: the table, column mapping, migration, cache, batching,
  // transactions and limits are set once, in MetadataDriverConfig, and a
  // datasource loader uses them as configured there. A second copy here could
  // disagree with the first (another table, a cache with another lifetime),
  // and no runtime could honour both.
  z
    .strictObject({
      datasource: MachineNameSchema.meta({
        description:
          "Name of the datasource the loader reads and writes. It must be the metadata store's own, metadata.datasource (MetasourceConfig rule datasource_loader_uses_metadata_store).",
        examples: ['metadata_db'],
      }),
    })
    .meta({
      description:
        "Which datasource a datasource loader uses: only its name, which must be metadata.datasource. The loader reads and writes through the metadata driver configured for that datasource (MetadataDriverConfig), with its table, column mapping (so MongoDB's id -> _id is honoured), migration, cache, batching and limits; none of them is repeated here. Holds no secrets: the connection and its credentials belong to the datasource.",
      examples: [{ datasource: 'metadata_db' }],
    }),
);
export type MetadataDatasourceConfig = z.output<typeof MetadataDatasourceConfigSchema>;
export type MetadataDatasourceConfigInput = z.input<typeof MetadataDatasourceConfigSchema>;

// ---------------------------------------------------------------------------
// Loader contract
// ---------------------------------------------------------------------------

/** Where a loader reads metadata from. */
export const MetadataLoaderProtocolSchema = /* @__PURE__ */ define('MetadataLoaderProtocol', () =>
  // No http: a remote loader needs its endpoint specified (requests, responses,
  // authentication, paging, errors) before a runtime can honour it. It may
  // return once that is written; until then it is refused, not half-defined.
  z.enum(['file', 'memory', 'datasource']).meta({
    description:
      'Where a loader reads metadata from. file: JSON files under a directory, one item per file, in the layout of METADATA_FILE_LAYOUT; memory: items registered in the process (tests, built-ins); datasource: the metadata store, through the metadata driver. There is no http protocol until a remote endpoint is specified.',
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
 * Where the file loader finds each item under its rootDir, by scope. Every
 * segment is validated as the key field it becomes (tenantId and owner as
 * OpaqueId, type, namespace and name as MachineName), so a path never holds
 * `..`, a hidden name or a separator.
 */
export const METADATA_FILE_LAYOUT: Readonly<Record<MetadataScope, string>> = /* @__PURE__ */ Object.freeze({
  system: '<tenantId>/system/<type>/<namespace>/<name>.json',
  platform: '<tenantId>/platform/<type>/<namespace>/<name>.json',
  user: '<tenantId>/user/<owner>/<type>/<namespace>/<name>.json',
});

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
            .meta({
              description:
                'Absolute path of the directory the loader reads. Below it, each item is one file at <tenantId>/<scope>/<type>/<namespace>/<name>.json, or <tenantId>/user/<owner>/<type>/<namespace>/<name>.json for user scope (METADATA_FILE_LAYOUT).',
              examples: ['/srv/app/metadata'],
            }),
          format: z
            .enum(['record', 'payload'])
            .default('record')
            .meta({
              description:
                "What each file holds; default record. record: a MetadataRecord, whose key fields (tenantId, scope, owner, type, namespace, name) may be left out and are then taken from the file's path; a key field that is given must equal the path's, or the file is an error. payload: the file's JSON object is the item's payload, and the rest of the envelope comes from the path and the record defaults (state active, no extends, no tags).",
              examples: ['record'],
            }),
        })
        .meta({
          description:
            'A loader that reads metadata from UTF-8 JSON files under rootDir, one item per file, each at the path its key gives (METADATA_FILE_LAYOUT). Anything else under rootDir (a file at the wrong depth, another extension, a segment that is not a valid key field, a hidden file or directory, a file that is not JSON or not a JSON object) is an error that names its path; nothing is skipped silently. A file loader that can write writes the same layout and format.',
          examples: [
            { protocol: 'file', name: 'builtin', rootDir: '/srv/app/metadata' },
            { protocol: 'file', name: 'shipped_payloads', rootDir: '/srv/app/metadata', format: 'payload' },
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
              'The datasource this loader uses, which must be the metadata store (metadata.datasource). Required for the datasource protocol, and only there.',
          }),
        })
        .meta({
          description:
            'A loader over the metadata store: it reads and writes the table (the collection on MongoDB) of metadata.datasource through the metadata driver, with the table, cache and limits configured there.',
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
        'A named metadata loader. The protocol decides its settings: file has rootDir and format, datasource has datasourceConfig (required there and rejected elsewhere), memory has none.',
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

/** Options of one load: filters, order, page, caching and inheritance. */
export const MetadataLoadOptionsSchema = /* @__PURE__ */ define('MetadataLoadOptions', () =>
  z
    .strictObject({
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
      pagination: MetadataPaginationSchema.prefault({}).meta({
        description:
          'Page size and cursor; default: the first page of 100 records. A load always returns one page: the result carries nextCursor while more records follow, so reading every match means following nextCursor.',
      }),
      includeTotal: z.boolean().default(false).meta({
        description:
          'Also return the total number of matching records across every page; it costs a second query. The result has a total only when this is true. Default false.',
      }),
      useCache: z.boolean().default(true).meta({
        description: 'Serve from the cache when it holds the result; false reads the datasource and refreshes the cache. Default true.',
      }),
      includeArchived: z.boolean().default(false).meta({
        description: 'Include archived records when the filters name no state (a state filter overrides it). Default false.',
      }),
      ifNoneMatch: MetadataChecksumSchema.optional().meta({
        description:
          'Checksum of the same page loaded before (same options and cursor). When this page would have the same checksum, the loader returns notModified: true and no records.',
      }),
      resolveInheritance: z.boolean().default(true).meta({
        description:
          'Return each item as it takes effect: loaders layered first, then extends resolved against the nearest earlier scope that has the parent (user -> platform -> system), merge applied as JSON Merge Patch (RFC 7396) or replace. false returns records exactly as stored. Default true.',
      }),
    })
    .meta({
      description:
        "Options of one load: structured filters, sort, a page size and cursor, whether to count, cache use, archived items, a conditional-load checksum and inheritance resolution. The loader reads through its own datasource's metadata driver; there is no per-load datasource override.",
      examples: [{ filters: { type: 'object', namespace: 'crm' }, sort: [{ field: 'name' }], pagination: { pageSize: 500 } }],
    }),
);
export type MetadataLoadOptions = z.output<typeof MetadataLoadOptionsSchema>;
export type MetadataLoadOptionsInput = z.input<typeof MetadataLoadOptionsSchema>;

/** What one load returns. */
export const MetadataLoadResultSchema = /* @__PURE__ */ define('MetadataLoadResult', () =>
  withRules(
    z.strictObject({
      records: z.array(MetadataRecordSchema).meta({
        description:
          'The records of this page, at most pagination.pageSize of them, in the requested order; empty when notModified is true.',
      }),
      total: z
        .int()
        .min(0)
        .max(MAX_SAFE_COUNT)
        .optional()
        .meta({
          description:
            'Number of records matching the load across every page; present exactly when the load asked for it with includeTotal.',
          examples: [1234],
        }),
      nextCursor: MetadataCursorSchema.optional().meta({
        description:
          'Cursor of the next page, present exactly when more records follow this one; pass it as pagination.cursor, with the same filters, sort and options, to continue. Absent on the last page.',
        examples: ['eyJpIjoiNDIifQ'],
      }),
      checksum: MetadataChecksumSchema.meta({
        description:
          'Checksum of this page: "sha256:" and the hex SHA-256 of the RFC 8785 (JCS) serialisation of an array with one entry per record, in result order: { key: { tenantId, type, namespace, scope, owner (user scope only), name }, state, tags, extends (when set), mergeStrategy, checksum }, where checksum is the payload checksum of the record (of its effective payload when inheritance is resolved). The projection leaves out id, version and the audit fields, so two loaders serving the same items give the same checksum. Send it back as ifNoneMatch. Every page carries it (R16).',
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
      totalNotBelowRecordCount(),
    ],
    {
      description:
        "What one load returns: one page of records, the next page's cursor while more follow, the total when asked for (includeTotal), the page's checksum, whether it came from the cache, and whether it was unchanged since ifNoneMatch.",
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
      "What a write does when an item with the same key (tenantId, type, namespace, scope, owner, name) is already stored. error: fail with already_exists (naming the stored item's id and version) and write nothing; skip: leave the stored item and report it skipped; update: merge the given payload into the stored one as a JSON Merge Patch (RFC 7396: objects merge key by key, recursively; a null removes that key; arrays and scalars replace), so a key cannot be set to null this way (use replace); replace: the given payload replaces the stored one whole. update and replace both take each envelope field the write gives (state, tags, extends, mergeStrategy), keep the stored value of each it leaves out, and write the result as a new version. When no item is stored, update and replace create it, absent fields taking the record defaults. A write whose result equals the stored item writes nothing and reports unchanged. An import's items are complete MetadataRecords, so there every envelope field counts as given.",
    examples: ['update'],
  }),
);
export type MetadataConflictStrategy = z.output<typeof MetadataConflictStrategySchema>;
export type MetadataConflictStrategyInput = z.input<typeof MetadataConflictStrategySchema>;

/** Options of one save: transaction overrides, conflict handling, optimistic concurrency, dry run, history, actor. */
export const MetadataSaveOptionsSchema = /* @__PURE__ */ define('MetadataSaveOptions', () =>
  withRules(
    z.strictObject({
      transaction: withRules(
        // The driver's fields and bounds, without its defaults: a default here would override the operator's setting.
        z.strictObject(transactionOverrides()),
        [
          {
            name: 'transaction_override_not_empty',
            message: "transaction must override at least one setting; leave it out to use the driver's transactions settings",
            path: [],
            holds: (t) => Object.values(t).some((value) => value !== undefined),
            jsonSchema: { minProperties: 1 },
          },
        ],
        {
          description:
            "Overrides of the driver's transactions settings for this save, at least one. Each absent field, and the whole group when absent, takes the driver's setting (MetadataDriverConfig.transactions).",
          examples: [{ isolationLevel: 'serializable' }, { isolationLevel: 'serializable', timeoutMs: 10_000 }],
        },
      ).optional(),
      onConflict: MetadataConflictStrategySchema.default('update').meta({
        description: 'What to do when an item with the same key exists. Default update.',
      }),
      expectedVersion: versionNumber(
        "Version the save is based on (optimistic concurrency); the save's one version precondition, so the saved item carries none. The save applies only if the item is stored with this version: another stored version fails with version_conflict, and no stored item (never created, or deleted since it was read) fails with not_found, whatever onConflict says; it never overwrites and never creates. Needs onConflict update or replace. Absent: no version check.",
      ).optional(),
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
        "Options of one save, which writes one MetadataRecordWrite: overrides of the driver's transaction settings, what to do when the item's key is stored, the version the save is based on, dry run, history and the acting user. Parsing fills onConflict, dryRun and recordHistory, and nothing else: an absent transaction takes the driver's settings.",
      examples: [
        { onConflict: 'replace', expectedVersion: 3, actor: 'jane@acme' },
        { dryRun: true },
        { transaction: { timeoutMs: 5_000 } },
      ],
    },
  ),
);
export type MetadataSaveOptions = z.output<typeof MetadataSaveOptionsSchema>;
export type MetadataSaveOptionsInput = z.input<typeof MetadataSaveOptionsSchema>;

/** What a save did to one item. */
export const MetadataSaveStatusSchema = /* @__PURE__ */ define('MetadataSaveStatus', () =>
  z.enum(['created', 'updated', 'replaced', 'skipped', 'unchanged']).meta({
    description:
      'What a save did. created: a new item; updated: the given payload merged into the stored one as a JSON Merge Patch (RFC 7396) and the given envelope fields taken (onConflict update); replaced: the stored payload replaced whole and the given envelope fields taken (onConflict replace); skipped: an item was stored and onConflict was skip; unchanged: the result equalled the stored item, so nothing was written. A save that fails writes nothing and returns a MetadataOperationError instead (version_conflict, not_found, already_exists, ...).',
    examples: ['updated'],
  }),
);
export type MetadataSaveStatus = z.output<typeof MetadataSaveStatusSchema>;
export type MetadataSaveStatusInput = z.input<typeof MetadataSaveStatusSchema>;

/** The fields of every save result; a written new version adds previousVersion. */
function saveResultFields() {
  return {
    id: OpaqueIdSchema.meta({ description: 'Storage id of the item.' }),
    version: versionNumber('Version of the item after the save (the stored one when nothing was written).', 4),
    checksum: MetadataChecksumSchema.meta({
      description: "Checksum of the item's payload after the save, as stored (its own payload, not one resolved through extends).",
    }),
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
          previousVersion: versionNumber('Version the save replaced; version is previousVersion + 1.'),
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
    // The same rules as MetadataRecord's and MetadataRecordWrite's, under the same names.
    ownerByScopeRules(),
    {
      description:
        "The unique key of a metadata item: tenant, type, namespace, scope, owner (present exactly when the scope is user) and name. Defaults are the record's: tenant default, namespace default, scope platform.",
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
          "Position in its tenant's change feed: 1 for the tenant's first change, then +1 for each committed change, with no gaps (a rolled-back write takes no number). Each tenant counts on its own, so the pair (tenantId, sequence) names one event. An event is visible to readers only once every event of its tenant with a lower sequence is, so a reader that follows the sequence never skips one.",
        examples: [1042],
      }),
    key: ruledRef(MetadataRecordKeySchema, { description: 'Key of the item that changed.' }),
    recordId: OpaqueIdSchema.meta({ description: 'Storage id of the item that changed.' }),
    version: versionNumber('Version of the item after the change; for delete, the last version it had.', 4),
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
  return MetadataChecksumSchema.meta({
    description: 'Checksum of the payload before the change, as stored (the payload alone, not resolved through extends).',
  });
}

function checksumAfter() {
  return MetadataChecksumSchema.meta({
    description:
      'Checksum of the payload after the change, as stored (the payload alone, not resolved through extends); equal to checksumBefore when only the envelope (state, tags, ...) changed.',
  });
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
        "One entry of an item's history and of its tenant's change feed. A replica catches up by polling, per tenant, for the events with a sequence above the last one it has applied, in sequence order; a tenant's sequence has no gaps and its events become visible only in order, so a poller never skips one. create has no checksumBefore and delete no checksumAfter.",
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
      batchSize: batchSize('Items written per statement'),
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
