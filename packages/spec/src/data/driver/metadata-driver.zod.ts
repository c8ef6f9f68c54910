import { z } from 'zod';
import { MachineNameSchema, SqlIdentifierSchema } from '../../shared/identifier.zod';
import { TransactionIsolationLevelSchema } from '../../shared/isolation-level.zod';
import { JsonObjectSchema, JsonValueSchema } from '../../shared/json.zod';
import { define, withRules, type CrossFieldRule } from '../../shared/registry';
import { excludesContinueOnError } from '../../shared/rules';
import { boundedText } from '../../shared/text';
import {
  DateTimeSchema,
  MAX_SAFE_COUNT,
  METADATA_RECORD_FIELDS,
  MetadataMergeStrategySchema,
  MetadataRecordFieldSchema,
  MetadataRecordSchema,
  MetadataScopeSchema,
  MetadataStateSchema,
  OpaqueIdSchema,
  type MetadataRecordField,
} from '../../system/metadata-record.zod';

// ---------------------------------------------------------------------------
// Query filters, sort and cache: imported by system/metadata-persistence.zod.ts,
// so they come first and their names stay stable.
// ---------------------------------------------------------------------------

/** A payload path segment: a safe identifier, so a path maps to a JSON path or key array without escaping. */
const PAYLOAD_SEGMENT = '[A-Za-z_][A-Za-z0-9_]{0,62}';

/** One value of `item`, or 1 to `max` of them; a list matches any of its values. */
function oneOrMany<T extends z.ZodType>(item: T, max: number) {
  return z.union([
    item,
    z
      .array(item)
      .min(1)
      .max(max)
      .meta({ description: `1 to ${max} values; a record matches when it has any of them.` }),
  ]);
}

/**
 * What a condition tests: a record field other than the open payload, or a
 * path into the payload. One pattern rather than a union of an enum and a
 * pattern, so a bad field gets one clear message (and the same in JSON Schema).
 */
function conditionField() {
  const fields = METADATA_RECORD_FIELDS.filter((field) => field !== 'payload');
  return z
    .string()
    .regex(new RegExp(`^(?:${fields.join('|')}|payload(?:\\.${PAYLOAD_SEGMENT}){1,8})$`), {
      error:
        'must be a record field other than payload (such as type or updatedAt) or a payload path: "payload." and 1 to 8 dot-separated segments of letters, digits and underscores, not starting with a digit',
    })
    .meta({
      description: `What the condition tests: a record field other than payload (${fields.join(', ')}), named as in the record and never as a column, or a path into the payload: "payload." and 1 to 8 dot-separated segments, each letters, digits and underscores not starting with a digit, at most 63 characters. Never SQL; the runtime maps it to a column or a bound JSON path itself.`,
      examples: ['type', 'updatedAt', 'payload.label', 'payload.fields.name'],
    });
}

/** A JSON scalar, for `in` / `not_in` lists. */
function jsonScalar() {
  return z.union([z.string(), z.number(), z.boolean(), z.null()]);
}

/** One condition variant: the field, the operator literal(s) and the value schema. */
function conditionVariant<const O extends readonly [string, ...string[]], V extends z.ZodType>(
  operators: O,
  value: V,
  description: string,
) {
  return z
    .strictObject({
      field: conditionField(),
      operator: z.enum(operators).meta({ description: `Comparison: ${operators.join(' or ')}.` }),
      value,
    })
    .meta({ description });
}

/** One structured filter condition: a field, an operator and a value that fits the operator. */
export const MetadataQueryConditionSchema = /* @__PURE__ */ define('MetadataQueryCondition', () =>
  z
    .discriminatedUnion('operator', [
      conditionVariant(
        ['eq', 'ne'],
        JsonValueSchema.meta({
          description:
            'Value compared by JSON equality (objects key by key, arrays element by element). null matches an absent or null field, as exists: false does.',
          examples: ['object', 3, { required: true }],
        }),
        'Equality: eq matches when the field equals the value, ne when it does not; an absent field is not equal to any value but null.',
      ),
      conditionVariant(
        ['gt', 'gte', 'lt', 'lte'],
        z.union([z.string(), z.number()]).meta({
          description:
            "A string or finite number to compare with. Strings compare in the database's collation; give date-times as ISO 8601 strings in UTC (Z) so they compare as instants.",
          examples: [2, '2026-01-01T00:00:00Z'],
        }),
        'Ordering: greater than, greater or equal, less than, less or equal. A record whose field is absent or of another JSON type does not match.',
      ),
      conditionVariant(
        ['in', 'not_in'],
        z
          .array(jsonScalar())
          .min(1)
          .max(1000)
          .meta({ description: '1 to 1000 JSON scalars (string, number, boolean, null).', examples: [['object', 'field']] }),
        'Membership: in matches when the field equals one of the values, not_in when it equals none of them; a null in the list stands for an absent or null field.',
      ),
      conditionVariant(
        ['contains', 'starts_with'],
        boundedText(1, 1000).meta({
          description: 'The text to look for, 1 to 1000 characters, compared case-sensitively; % and _ match themselves, not as wildcards.',
          examples: ['acc'],
        }),
        'Text match: contains matches a string field that contains the value, or an array field with an element equal to it; starts_with matches a string field that begins with the value. LIKE wildcards in the value are escaped, never interpreted.',
      ),
      conditionVariant(
        ['exists'],
        z.boolean().meta({ description: 'true: the field is present and not null; false: it is absent or null.', examples: [true] }),
        'Presence: whether the field (typically a payload path) is present and not null.',
      ),
    ])
    .meta({
      description:
        "One structured filter condition. The operator decides the value's type, so a mismatch is rejected before it reaches a database. Values are always bound as query parameters; no SQL text is accepted anywhere.",
      examples: [
        { field: 'payload.label', operator: 'starts_with', value: 'Acc' },
        { field: 'version', operator: 'gte', value: 2 },
        { field: 'type', operator: 'in', value: ['object', 'field'] },
      ],
    }),
);
export type MetadataQueryCondition = z.output<typeof MetadataQueryConditionSchema>;
export type MetadataQueryConditionInput = z.input<typeof MetadataQueryConditionSchema>;

/** Structured filters on metadata records; every given filter must match (AND). */
export const MetadataQueryFiltersSchema = /* @__PURE__ */ define('MetadataQueryFilters', () =>
  withRules(
    z.strictObject({
      type: oneOrMany(MachineNameSchema, 100)
        .optional()
        .meta({ description: 'Metadata type, or a list of 1 to 100 types (any of them).', examples: ['object', ['object', 'field']] }),
      name: oneOrMany(MachineNameSchema, 100)
        .optional()
        .meta({ description: 'Item name, or a list of 1 to 100 names (any of them).', examples: ['account'] }),
      namespace: oneOrMany(MachineNameSchema, 100)
        .optional()
        .meta({ description: 'Namespace, or a list of 1 to 100 namespaces (any of them).', examples: ['crm'] }),
      scope: oneOrMany(MetadataScopeSchema, MetadataScopeSchema.options.length)
        .optional()
        .meta({ description: 'Scope, or a list of scopes (any of them).', examples: [['platform', 'user']] }),
      state: oneOrMany(MetadataStateSchema, MetadataStateSchema.options.length)
        .optional()
        .meta({
          description: 'Lifecycle state, or a list of states (any of them). An explicit state filter overrides includeArchived.',
          examples: ['active'],
        }),
      owner: OpaqueIdSchema.optional().meta({ description: 'Owner of user-scope items.', examples: ['jane@acme'] }),
      tenantId: OpaqueIdSchema.optional().meta({
        description:
          'Tenant. A runtime always confines a query to the tenants its caller may read; this filter narrows within them and never widens them.',
        examples: ['acme'],
      }),
      tags: z
        .array(MachineNameSchema)
        .min(1)
        .max(64)
        .optional()
        .meta({ description: '1 to 64 tags; a record matches when it has all of them.', examples: [['crm', 'core']] }),
      updatedAfter: DateTimeSchema.optional().meta({
        description: 'Matches records whose updatedAt is strictly after this instant.',
        examples: ['2026-01-01T00:00:00Z'],
      }),
      updatedBefore: DateTimeSchema.optional().meta({
        description: 'Matches records whose updatedAt is strictly before this instant.',
        examples: ['2026-02-01T00:00:00Z'],
      }),
      conditions: z
        .array(MetadataQueryConditionSchema)
        .max(50)
        .optional()
        .meta({
          description: 'Up to 50 further conditions on record fields or payload paths; all must match.',
          examples: [[{ field: 'payload.label', operator: 'contains', value: 'Account' }]],
        }),
    }),
    [
      {
        name: 'updated_after_before_updated_before',
        message: 'updatedAfter must be earlier than updatedBefore',
        path: ['updatedBefore'],
        // Compared as instants, so offsets do not matter; an unparsable date-time is reported by its own field.
        holds: (f) =>
          f.updatedAfter === undefined || f.updatedBefore === undefined || !(Date.parse(f.updatedAfter) >= Date.parse(f.updatedBefore)),
      },
    ],
    {
      description:
        'Structured filters on metadata records: every filter given must match (AND); a list inside one filter matches any of its values (OR). No filter takes SQL text, and every value is bound as a query parameter.',
      examples: [{ type: 'object', namespace: 'crm', state: ['active', 'deprecated'], tags: ['core'] }],
    },
  ),
);
export type MetadataQueryFilters = z.output<typeof MetadataQueryFiltersSchema>;
export type MetadataQueryFiltersInput = z.input<typeof MetadataQueryFiltersSchema>;

/** One sort key of a metadata query. */
export const MetadataSortSchema = /* @__PURE__ */ define('MetadataSort', () =>
  z
    .strictObject({
      field: MetadataRecordFieldSchema.exclude(['payload', 'tags']).meta({
        description: 'Record field to sort by; any field but payload and tags, which have no order.',
        examples: ['updatedAt'],
      }),
      direction: z
        .enum(['asc', 'desc'])
        .default('asc')
        .meta({ description: 'asc: smallest first; desc: largest first. Default asc.', examples: ['desc'] }),
    })
    .meta({
      description:
        'One sort key. Absent (null) values sort first in ascending order and last in descending order on every driver; the runtime adds NULLS FIRST / NULLS LAST where the database orders them otherwise.',
      examples: [{ field: 'updatedAt', direction: 'desc' }],
    }),
);
export type MetadataSort = z.output<typeof MetadataSortSchema>;
export type MetadataSortInput = z.input<typeof MetadataSortSchema>;

/** Cache of loaded metadata records in the runtime. */
export const MetadataCacheConfigSchema = /* @__PURE__ */ define('MetadataCacheConfig', () =>
  z
    .strictObject({
      enabled: z.boolean().default(true).meta({ description: 'Keep loaded records in memory. Default true.' }),
      ttlSeconds: z
        .int()
        .min(1)
        .max(86_400)
        .default(300)
        .meta({
          description:
            'Seconds a cached entry is served before it is read again, 1 to 86400 (a day); default 300. There is no "never expire": a missed invalidation must heal by itself, and to stop caching set enabled to false.',
          examples: [300],
        }),
      invalidateOnWrite: z.boolean().default(true).meta({
        description: 'Drop a cached entry as soon as a write through this runtime changes the record. Default true.',
      }),
      maxEntries: z
        .int()
        .min(1)
        .max(1_000_000)
        .default(10_000)
        .meta({
          description: 'Most records kept, 1 to 1,000,000; default 10,000. Beyond it the least recently used entry is evicted.',
          examples: [10_000],
        }),
    })
    .meta({
      description:
        'In-memory cache of loaded metadata records: on by default, entries expire after ttlSeconds and on writes, LRU-bounded by maxEntries.',
      examples: [{ ttlSeconds: 600, maxEntries: 50_000 }],
    }),
);
export type MetadataCacheConfig = z.output<typeof MetadataCacheConfigSchema>;
export type MetadataCacheConfigInput = z.input<typeof MetadataCacheConfigSchema>;

// ---------------------------------------------------------------------------
// Table layout
// ---------------------------------------------------------------------------

/** Default name of the table (or MongoDB collection) that holds metadata records. */
export const DEFAULT_METADATA_TABLE_NAME = '_framework_metadata';

/** `tenantId` -> `tenant_id`: the default column of a record field. */
function snakeCase(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Lower-cased, because MySQL compares column, index and (on some systems) table names without case. */
function hasDuplicates(names: readonly string[]): boolean {
  return new Set(names.map((name) => name.toLowerCase())).size !== names.length;
}

/** How records are laid out in the store. */
export const MetadataStorageLayoutSchema = /* @__PURE__ */ define('MetadataStorageLayout', () =>
  z.enum(['relational', 'document']).meta({
    description:
      "How records are stored. relational: one row per record and one column per record field (postgres, mysql, sqlite); document: one document per record (mongodb). It must match the datasource's driver; a runtime rejects a mismatch at startup.",
    examples: ['relational'],
  }),
);
export type MetadataStorageLayout = z.output<typeof MetadataStorageLayoutSchema>;
export type MetadataStorageLayoutInput = z.input<typeof MetadataStorageLayoutSchema>;

type ColumnMappingShape = { [K in MetadataRecordField]: z.ZodDefault<typeof SqlIdentifierSchema> };

/** Column (or document field) that stores each record field. */
export const MetadataColumnMappingSchema = /* @__PURE__ */ define('MetadataColumnMapping', () =>
  withRules(
    z.strictObject(
      Object.fromEntries(
        METADATA_RECORD_FIELDS.map((field) => [
          field,
          SqlIdentifierSchema.default(snakeCase(field)).meta({
            description: `Column that stores the record's ${field}. Default ${snakeCase(field)}.`,
          }),
        ]),
      ) as ColumnMappingShape,
    ),
    [
      {
        name: 'column_names_unique',
        message: 'two record fields are mapped to the same column (names compare without case)',
        path: [],
        holds: (mapping) => !hasDuplicates(Object.values(mapping)),
      },
    ],
    {
      description:
        "Column that stores each record field, one key per field, each defaulting to the field's snake_case name (tenantId -> tenant_id). In the document layout these are document field names (map id to _id to use MongoDB's own key). No two fields may share a column, ignoring case.",
      examples: [{ payload: 'definition', tenantId: 'org_id' }],
    },
  ),
);
export type MetadataColumnMapping = z.output<typeof MetadataColumnMappingSchema>;
export type MetadataColumnMappingInput = z.input<typeof MetadataColumnMappingSchema>;

/** An extra index on the metadata table or collection. */
export const MetadataIndexSchema = /* @__PURE__ */ define('MetadataIndex', () =>
  withRules(
    z.strictObject({
      name: SqlIdentifierSchema.meta({ description: 'Index name.', examples: ['metadata_type_name_idx'] }),
      fields: z
        .array(MetadataRecordFieldSchema)
        .min(1)
        .max(8)
        .meta({
          description: 'Record fields indexed, in order, 1 to 8, each at most once; named as record fields, never as columns.',
          examples: [['tenantId', 'type', 'name']],
        }),
      unique: z.boolean().default(false).meta({ description: 'Reject two records with equal values in these fields. Default false.' }),
      type: z
        .enum(['btree', 'hash', 'gin'])
        .default('btree')
        .meta({
          description:
            'Index method; default btree. btree: every driver (MongoDB: an ordinary ascending index). hash: equality lookups on one field; PostgreSQL hash index, MongoDB hashed index; MySQL (InnoDB) and SQLite build btree instead. gin: containment and key lookups in payload (JSON) and tags (array) on PostgreSQL; MongoDB builds a wildcard index on payload and a multikey index on tags; MySQL and SQLite skip it with a warning.',
          examples: ['btree'],
        }),
    }),
    [
      {
        name: 'index_fields_unique',
        message: 'an index names each field at most once',
        path: ['fields'],
        holds: (index) => new Set(index.fields).size === index.fields.length,
        jsonSchema: { properties: { fields: { uniqueItems: true } } },
      },
      {
        name: 'hash_index_not_unique',
        message: 'a hash index cannot be unique (PostgreSQL and MongoDB have no unique hash index); use btree',
        path: ['unique'],
        holds: (index) => !(index.type === 'hash' && index.unique),
        jsonSchema: {
          if: { properties: { type: { const: 'hash' } }, required: ['type'] },
          then: { properties: { unique: { const: false } } },
        },
      },
      {
        name: 'hash_index_single_field',
        message: 'a hash index takes exactly one field',
        path: ['fields'],
        holds: (index) => index.type !== 'hash' || index.fields.length === 1,
        jsonSchema: {
          if: { properties: { type: { const: 'hash' } }, required: ['type'] },
          then: { properties: { fields: { maxItems: 1 } } },
        },
      },
      {
        name: 'gin_index_not_unique',
        message: 'a gin index cannot be unique; use btree',
        path: ['unique'],
        holds: (index) => !(index.type === 'gin' && index.unique),
        jsonSchema: {
          if: { properties: { type: { const: 'gin' } }, required: ['type'] },
          then: { properties: { unique: { const: false } } },
        },
      },
      {
        name: 'gin_index_on_json_fields',
        message: 'a gin index takes only the payload and tags fields',
        path: ['fields'],
        holds: (index) => index.type !== 'gin' || index.fields.every((field) => field === 'payload' || field === 'tags'),
        jsonSchema: {
          if: { properties: { type: { const: 'gin' } }, required: ['type'] },
          then: { properties: { fields: { items: { enum: ['payload', 'tags'] } } } },
        },
      },
    ],
    {
      description:
        "An extra index on the metadata table or collection. The runtime always creates the primary key and the unique key of the record's identity itself; list here only indexes for your own queries. Only btree indexes can be unique.",
      examples: [
        { name: 'metadata_updated_at_idx', fields: ['updatedAt'] },
        { name: 'metadata_payload_gin', fields: ['payload'], type: 'gin' },
      ],
    },
  ),
);
export type MetadataIndex = z.output<typeof MetadataIndexSchema>;
export type MetadataIndexInput = z.input<typeof MetadataIndexSchema>;

/** Table (or collection) that holds metadata records: name, key, columns, indexes, layout. */
export const MetadataTableSchemaSchema = /* @__PURE__ */ define('MetadataTableSchema', () =>
  withRules(
    z.strictObject({
      tableName: SqlIdentifierSchema.default(DEFAULT_METADATA_TABLE_NAME).meta({
        description: 'Table that holds the records; the collection name on MongoDB. Default _framework_metadata.',
        examples: ['_framework_metadata'],
      }),
      schema: SqlIdentifierSchema.optional().meta({
        description:
          "PostgreSQL schema or MySQL database of the table; absent: the connection's default. Runtimes reject it on SQLite and MongoDB, where the datasource names the database.",
        examples: ['metadata'],
      }),
      primaryKey: z
        .literal('id')
        .default('id')
        .meta({
          description:
            'Record field that is the primary key: always id, the only field that identifies one record by itself and never changes (type, name and the rest are shared between records or change on write). Its column is columnMapping.id.',
          examples: ['id'],
        }),
      columnMapping: MetadataColumnMappingSchema.prefault({}).meta({
        description: "Column (or document field) of each record field; every column defaults to the field's snake_case name.",
      }),
      indexes: z
        .array(MetadataIndexSchema)
        .max(32)
        .default([])
        .meta({ description: 'Up to 32 extra indexes, beyond the primary and identity keys the runtime always creates. Default none.' }),
      layout: MetadataStorageLayoutSchema.default('relational').meta({
        description: 'relational for SQL drivers, document for MongoDB. Default relational.',
      }),
    }),
    [
      {
        name: 'index_names_unique',
        message:
          'index names must be unique and differ from the table name, ignoring case (PostgreSQL keeps tables and indexes in one namespace)',
        path: ['indexes'],
        holds: (table) => !hasDuplicates([table.tableName, ...table.indexes.map((index) => index.name)]),
      },
      {
        name: 'document_layout_has_no_schema',
        message: 'schema is not used in the document layout; MongoDB takes the database from the datasource',
        path: ['schema'],
        holds: (table) => table.layout !== 'document' || table.schema === undefined,
        jsonSchema: {
          if: { properties: { layout: { const: 'document' } }, required: ['layout'] },
          then: { not: { required: ['schema'] } },
        },
      },
    ],
    {
      description:
        'The table (or MongoDB collection) that holds metadata records: its name and schema, primary key, the column of each record field, extra indexes and the storage layout. Every name is a safe SQL identifier.',
      examples: [
        { tableName: '_framework_metadata', schema: 'metadata', indexes: [{ name: 'metadata_updated_at_idx', fields: ['updatedAt'] }] },
      ],
    },
  ),
);
export type MetadataTableSchema = z.output<typeof MetadataTableSchemaSchema>;
export type MetadataTableSchemaInput = z.input<typeof MetadataTableSchemaSchema>;

// ---------------------------------------------------------------------------
// Driver configuration
// ---------------------------------------------------------------------------

function migrationConfig() {
  return withRules(
    z.strictObject({
      autoMigrate: z.boolean().default(true).meta({
        description:
          'On startup, create the table and add missing columns and indexes. Never destructive unless dropOnMigrate is set. Default true.',
      }),
      dropOnMigrate: z.boolean().default(false).meta({
        description:
          'Let migrations planned from this config (on startup or by an explicit migrate command) drop columns and indexes the config no longer names. Destructive. Default false.',
      }),
      backupBeforeMigrate: z.boolean().default(true).meta({
        description: 'Copy the table to a new backup table before any migration step that alters or drops it. Default true.',
      }),
      acknowledgeDataLoss: z.literal(true).optional().meta({
        description: 'Must be true to allow dropOnMigrate without backupBeforeMigrate, which can lose data beyond recovery.',
      }),
    }),
    [
      {
        name: 'drop_without_backup_needs_acknowledgement',
        message: 'dropOnMigrate without backupBeforeMigrate can lose data; set acknowledgeDataLoss: true to allow it',
        path: ['acknowledgeDataLoss'],
        holds: (m) => !(m.dropOnMigrate && !m.backupBeforeMigrate) || m.acknowledgeDataLoss === true,
        jsonSchema: {
          if: {
            properties: { dropOnMigrate: { const: true }, backupBeforeMigrate: { const: false } },
            required: ['dropOnMigrate', 'backupBeforeMigrate'],
          },
          then: { required: ['acknowledgeDataLoss'] },
        },
      },
    ],
    {
      description:
        'Schema migration of the metadata table: create and extend it on startup, back it up first, and drop only when told to. Dropping without a backup needs acknowledgeDataLoss.',
      examples: [{ autoMigrate: false }],
    },
  );
}

function performanceConfig() {
  return z
    .strictObject({
      batchSize: z
        .int()
        .min(1)
        .max(10_000)
        .default(100)
        .meta({
          description:
            'Records per statement or round trip when the runtime reads or writes many records on its own (prefetch, loads of many items, backups); 1 to 10,000, default 100. A bulk operation carries its own batchSize.',
          examples: [500],
        }),
      cache: MetadataCacheConfigSchema.prefault({}).meta({ description: 'In-memory cache of loaded records.' }),
      prefetchOnInit: z.boolean().default(false).meta({
        description: 'Load every served record (active and deprecated) into the cache at startup instead of on first use. Default false.',
      }),
      loadConcurrency: z
        .int()
        .min(1)
        .max(64)
        .default(4)
        .meta({
          description:
            'Most metadata types loaded at the same time (parallel loading), 1 to 64; 1 loads them one after another. Default 4.',
          examples: [4],
        }),
    })
    .meta({
      description: 'Batching, caching, prefetch and parallel loading.',
      examples: [{ batchSize: 500, cache: { ttlSeconds: 600 }, prefetchOnInit: true }],
    });
}

function transactionsConfig() {
  return z
    .strictObject({
      isolationLevel: TransactionIsolationLevelSchema.default('read_committed').meta({
        description: 'Isolation level of metadata transactions. Default read_committed.',
      }),
      timeoutMs: z
        .int()
        .min(1)
        .max(3_600_000)
        .default(30_000)
        .meta({
          description: 'Milliseconds a transaction may run before it is rolled back, 1 to 3,600,000; default 30,000.',
          examples: [30_000],
        }),
      retryOnConflict: z.boolean().default(true).meta({
        description:
          'Retry a transaction the database aborted with a serialization failure or a deadlock, with exponential backoff. An optimistic-concurrency version mismatch is never retried; it is returned to the caller as a conflict. Default true.',
      }),
      maxRetries: z
        .int()
        .min(0)
        .max(10)
        .default(3)
        .meta({
          description: 'Retries after the first attempt, 0 to 10; default 3. Used only when retryOnConflict is true.',
          examples: [3],
        }),
      backoff: withRules(
        z.strictObject({
          initialDelayMs: z
            .int()
            .min(1)
            .max(60_000)
            .default(50)
            .meta({ description: 'Milliseconds before the first retry, 1 to 60,000; default 50.', examples: [50] }),
          multiplier: z
            .number()
            .min(1)
            .max(10)
            .default(2)
            .meta({ description: 'Factor applied to the delay after each retry, 1 to 10; default 2.', examples: [2] }),
          maxDelayMs: z
            .int()
            .min(1)
            .max(600_000)
            .default(2_000)
            .meta({ description: 'Largest delay between retries in milliseconds, 1 to 600,000; default 2,000.', examples: [2_000] }),
        }),
        [
          {
            name: 'initial_delay_not_above_max',
            message: 'initialDelayMs must not be above maxDelayMs',
            path: ['maxDelayMs'],
            holds: (b) => b.initialDelayMs <= b.maxDelayMs,
          },
        ],
        {
          description:
            'Exponential backoff with full jitter: the n-th retry waits a random time between 0 and min(initialDelayMs * multiplier^(n-1), maxDelayMs) milliseconds.',
          examples: [{ initialDelayMs: 100, multiplier: 2, maxDelayMs: 5_000 }],
        },
      ).prefault({}),
    })
    .meta({
      description:
        'Transactions for metadata writes: isolation level, timeout, and retries of serialization failures and deadlocks. MongoDB transactions use snapshot isolation whatever the level.',
      examples: [{ isolationLevel: 'serializable', maxRetries: 5 }],
    });
}

function queryConfig() {
  return withRules(
    z.strictObject({
      maxResultSize: z
        .int()
        .min(100)
        .max(100_000)
        .default(10_000)
        .meta({
          description:
            'Most records one unpaged read may return (a load of many items, a prefetch of one type), 100 to 100,000; default 10,000. A read that would return more fails instead of being cut short.',
          examples: [10_000],
        }),
      maxPageSize: z
        .int()
        .min(100)
        .max(1000)
        .default(1000)
        .meta({
          description:
            'Largest pageSize a paged query may ask for, 100 to 1000; default 1000. A query asking for more is rejected, not shortened; the floor of 100 (the default pageSize) keeps a query that names no pageSize valid.',
          examples: [200],
        }),
    }),
    [
      {
        name: 'max_page_size_not_above_max_result_size',
        message: 'maxPageSize must not be above maxResultSize',
        path: ['maxPageSize'],
        holds: (q) => q.maxPageSize <= q.maxResultSize,
      },
    ],
    {
      description: 'Limits on query results: the largest unpaged result and the largest page.',
      examples: [{ maxResultSize: 5_000, maxPageSize: 200 }],
    },
  );
}

/** How metadata is stored in a datasource: table, migration, performance, transactions, query limits. */
export const MetadataDriverConfigSchema = /* @__PURE__ */ define('MetadataDriverConfig', () =>
  z
    .strictObject({
      datasource: MachineNameSchema.meta({ description: 'Name of the Datasource that holds the metadata.', examples: ['metadata_db'] }),
      table: MetadataTableSchemaSchema.prefault({}).meta({ description: 'Table (or collection) layout; every part has a default.' }),
      migration: migrationConfig().prefault({}),
      performance: performanceConfig().prefault({}),
      transactions: transactionsConfig().prefault({}),
      query: queryConfig().prefault({}),
    })
    .meta({
      description:
        'How metadata lives in one datasource: the table layout, schema migration, batching and caching, transactions and query limits. Only datasource is required; parsing fills every other setting.',
      examples: [
        { datasource: 'metadata_db' },
        { datasource: 'metadata_db', table: { schema: 'metadata' }, performance: { cache: { ttlSeconds: 600 } } },
      ],
    }),
);
export type MetadataDriverConfig = z.output<typeof MetadataDriverConfigSchema>;
export type MetadataDriverConfigInput = z.input<typeof MetadataDriverConfigSchema>;

// ---------------------------------------------------------------------------
// Query options
// ---------------------------------------------------------------------------

function pageSize() {
  return z
    .int()
    .min(1)
    .max(1000)
    .default(100)
    .meta({ description: 'Records per page, 1 to 1000; default 100.', examples: [50] });
}

/** An opaque page cursor issued by a runtime, passed back to continue a query or load. */
export const MetadataCursorSchema = /* @__PURE__ */ define('MetadataCursor', () =>
  z
    .string()
    // Unpadded base64url: ASCII, free of SQL metacharacters, safe in URLs.
    .regex(/^[A-Za-z0-9_-]{1,2048}$/, {
      error: 'must be an opaque cursor returned by a previous page (unpadded base64url, 1 to 2048 characters)',
    })
    .meta({
      description:
        'Opaque cursor returned with the previous page: 1 to 2048 characters of unpadded base64url. Valid only with the same filters and sort it was issued for; a runtime rejects it otherwise.',
      examples: ['eyJ1IjoiMjAyNi0wMS0zMVQwOTozMDowMFoiLCJpIjoiNDIifQ'],
    }),
);
export type MetadataCursor = z.output<typeof MetadataCursorSchema>;
export type MetadataCursorInput = z.input<typeof MetadataCursorSchema>;

function pagination() {
  return z
    .union(
      [
        z
          .strictObject({
            page: z
              .int()
              .min(1)
              .max(MAX_SAFE_COUNT)
              .default(1)
              .meta({ description: 'Page number, counting from 1; default 1.', examples: [2] }),
            pageSize: pageSize(),
          })
          .meta({ description: 'Offset pagination by page number.', examples: [{ page: 2, pageSize: 50 }] }),
        z
          .strictObject({
            cursor: MetadataCursorSchema.meta({ description: 'Cursor returned with the previous page of this query.' }),
            pageSize: pageSize(),
          })
          .meta({
            description: 'Keyset pagination from a cursor: stable while records are written, and as fast on the last page as on the first.',
            examples: [{ cursor: 'eyJpIjoiNDIifQ', pageSize: 100 }],
          }),
      ],
      { error: 'must be either { page, pageSize } or { cursor, pageSize }, never both' },
    )
    .meta({
      description: 'Either a page number or a cursor, never both. Default: page 1 of 100 records.',
      examples: [{ page: 1, pageSize: 100 }],
    });
}

/** Filters, sort, pagination and field selection of one metadata query. */
export const MetadataQueryOptionsSchema = /* @__PURE__ */ define('MetadataQueryOptions', () =>
  z
    .strictObject({
      filters: MetadataQueryFiltersSchema.prefault({}).meta({
        description: 'Filters; none by default, which matches every record the caller may read.',
      }),
      sort: z
        .array(MetadataSortSchema)
        .max(5)
        .default([])
        .meta({
          description:
            'Up to 5 sort keys, first one first. The runtime appends the primary key as a final tie-breaker so that pages are stable. Default: by primary key only.',
          examples: [[{ field: 'type' }, { field: 'name' }]],
        }),
      pagination: pagination().prefault({}),
      fields: z
        .array(MetadataRecordFieldSchema)
        .min(1)
        .max(METADATA_RECORD_FIELDS.length)
        .optional()
        .meta({
          description: 'Record fields to return; absent returns them all. id is always returned, so a result can be written back.',
          examples: [['id', 'type', 'name', 'version']],
        }),
      includeArchived: z.boolean().default(false).meta({
        description: 'Include archived records when the filters name no state. Default false.',
      }),
      includeTotal: z.boolean().default(false).meta({
        description: 'Also return the total number of matching records; it costs a second query. Default false.',
      }),
    })
    .meta({
      description: 'One metadata query: structured filters, sort, page or cursor, the fields to return, and whether to count.',
      examples: [
        {
          filters: { type: 'object', namespace: 'crm' },
          sort: [{ field: 'name' }],
          pagination: { page: 1, pageSize: 50 },
          includeTotal: true,
        },
      ],
    }),
);
export type MetadataQueryOptions = z.output<typeof MetadataQueryOptionsSchema>;
export type MetadataQueryOptionsInput = z.input<typeof MetadataQueryOptionsSchema>;

// ---------------------------------------------------------------------------
// Bulk operations
// ---------------------------------------------------------------------------

const MAX_BULK_ITEMS = 100_000;

function bulkOptions() {
  return {
    batchSize: z
      .int()
      .min(1)
      .max(10_000)
      .default(100)
      .meta({ description: 'Records written per statement, 1 to 10,000; default 100.', examples: [500] }),
    concurrency: z
      .int()
      .min(1)
      .max(32)
      .default(1)
      .meta({
        description: 'Batches written at the same time (parallel writes), 1 to 32; default 1. Above 1 needs transactional: false.',
        examples: [4],
      }),
    continueOnError: z.boolean().default(false).meta({
      description:
        'Keep going after a record fails and report each failure; false stops at the first failure. Needs transactional: false. Default false.',
    }),
    transactional: z.boolean().default(true).meta({
      description:
        'Write every batch in one transaction: all records or none. false commits each batch on its own, so a failure leaves earlier batches written. Default true.',
    }),
    dryRun: z.boolean().default(false).meta({
      description: 'Validate every record and check versions and conflicts, report what would happen, and write nothing. Default false.',
    }),
  };
}

interface BulkOptions {
  concurrency: number;
  continueOnError: boolean;
  transactional: boolean;
}

const BULK_RULES: readonly CrossFieldRule<BulkOptions>[] = [
  excludesContinueOnError('transactional', 'a transaction'),
  {
    name: 'transactional_is_sequential',
    message: 'concurrency above 1 needs transactional: false; one transaction runs on one connection',
    path: ['concurrency'],
    holds: (op) => op.concurrency <= 1 || !op.transactional,
    jsonSchema: {
      if: { properties: { concurrency: { minimum: 2 } }, required: ['concurrency'] },
      then: { properties: { transactional: { const: false } }, required: ['transactional'] },
    },
  },
];

function bulkOperation<O extends string>(operation: O) {
  return z.literal(operation).meta({ description: 'Kind of bulk operation.' });
}

function bulkRecords(description: string) {
  return z.array(MetadataRecordSchema).min(1).max(MAX_BULK_ITEMS).meta({ description });
}

function recordChange() {
  return z
    .strictObject({
      id: OpaqueIdSchema.meta({ description: 'Id of the record to change.' }),
      expectedVersion: z
        .int()
        .min(1)
        .max(MAX_SAFE_COUNT)
        .meta({ description: 'Version the change was based on; if the stored version differs, the change is a conflict.', examples: [3] }),
      set: withRules(
        z.strictObject({
          payload: JsonObjectSchema.optional().meta({ description: 'New payload; replaces the stored payload whole.' }),
          state: MetadataStateSchema.optional().meta({ description: 'New lifecycle state.' }),
          tags: z
            .array(MachineNameSchema)
            .max(64)
            .optional()
            .meta({ description: 'New tags, at most 64; replace the stored tags.', examples: [['crm']] }),
          extends: MachineNameSchema.nullable()
            .optional()
            .meta({ description: 'New parent item name; null removes the parent.', examples: ['account'] }),
          mergeStrategy: MetadataMergeStrategySchema.optional().meta({ description: 'New merge strategy.' }),
        }),
        [
          {
            name: 'set_not_empty',
            message: 'set must change at least one field',
            path: [],
            holds: (set) => Object.values(set).some((value) => value !== undefined),
            jsonSchema: { minProperties: 1 },
          },
        ],
        {
          description:
            'Fields to change, at least one. Only payload, state, tags, extends and mergeStrategy can change; identity fields (tenant, type, namespace, name, scope, owner) never do: delete and create instead.',
          examples: [{ state: 'deprecated' }],
        },
      ),
    })
    .meta({
      description: 'A change to one record, applied only if its stored version is expectedVersion; the write increments the version by 1.',
      examples: [{ id: 'rec_42', expectedVersion: 3, set: { state: 'archived' } }],
    });
}

function deleteTarget() {
  return z
    .strictObject({
      id: OpaqueIdSchema.meta({ description: 'Id of the record to delete.' }),
      expectedVersion: z
        .int()
        .min(1)
        .max(MAX_SAFE_COUNT)
        .optional()
        .meta({
          description: 'Delete only if the stored version is this one (a mismatch is a conflict); absent deletes whatever the version.',
          examples: [3],
        }),
    })
    .meta({ description: 'A record to delete, optionally guarded by its version.', examples: [{ id: 'rec_42', expectedVersion: 3 }] });
}

/** A batch of record writes: create, upsert, update or delete. */
export const MetadataBulkOperationSchema = /* @__PURE__ */ define('MetadataBulkOperation', () =>
  z
    .discriminatedUnion('operation', [
      withRules(
        z.strictObject({
          operation: bulkOperation('create'),
          records: bulkRecords(
            '1 to 100,000 records to create. A record whose identity (tenant, type, namespace, scope, owner, name) exists is a conflict.',
          ),
          ...bulkOptions(),
        }),
        BULK_RULES,
        {
          description: 'Create records.',
          examples: [{ operation: 'create', records: [{ type: 'object', name: 'account', payload: { label: 'Account' } }] }],
        },
      ),
      withRules(
        z.strictObject({
          operation: bulkOperation('upsert'),
          records: bulkRecords(
            "1 to 100,000 records. One whose identity does not exist is created; one that exists is replaced if its stored version equals the record's version, and is a conflict otherwise.",
          ),
          ...bulkOptions(),
        }),
        BULK_RULES,
        {
          description: 'Create or replace records by identity, guarded by version.',
          examples: [{ operation: 'upsert', records: [{ type: 'object', name: 'account', version: 3, payload: { label: 'Account' } }] }],
        },
      ),
      withRules(
        z.strictObject({
          operation: bulkOperation('update'),
          changes: z
            .array(recordChange())
            .min(1)
            .max(MAX_BULK_ITEMS)
            .meta({ description: '1 to 100,000 changes, each to one record by id and guarded by its version.' }),
          ...bulkOptions(),
        }),
        BULK_RULES,
        {
          description: 'Change mutable fields of existing records.',
          examples: [{ operation: 'update', changes: [{ id: 'rec_42', expectedVersion: 3, set: { state: 'archived' } }] }],
        },
      ),
      withRules(
        z.strictObject({
          operation: bulkOperation('delete'),
          ids: z.array(deleteTarget()).min(1).max(MAX_BULK_ITEMS).meta({
            description:
              '1 to 100,000 records to delete, each by id with an optional version guard: the caller wants the record gone whatever its version, but may name the version it read to avoid deleting a change it has not seen.',
          }),
          ...bulkOptions(),
        }),
        BULK_RULES,
        {
          description: 'Delete records by id.',
          examples: [{ operation: 'delete', ids: [{ id: 'rec_42', expectedVersion: 3 }, { id: 'rec_43' }] }],
        },
      ),
    ])
    .meta({
      description:
        'A batch of writes of one kind, written batchSize records per statement. transactional (the default) writes all or nothing, one batch after another; otherwise each batch commits on its own, batches may run concurrently, and continueOnError keeps going past failed records. Version mismatches are conflicts, never overwrites.',
      examples: [{ operation: 'delete', ids: [{ id: 'rec_42' }] }],
    }),
);
export type MetadataBulkOperation = z.output<typeof MetadataBulkOperationSchema>;
export type MetadataBulkOperationInput = z.input<typeof MetadataBulkOperationSchema>;

// ---------------------------------------------------------------------------
// Migration operations
// ---------------------------------------------------------------------------

const SQL_DIALECTS = ['postgres', 'mysql', 'sqlite'] as const;

function sqlScript(description: string) {
  return z
    .strictObject({
      dialect: z.enum(SQL_DIALECTS).meta({
        description: "SQL dialect of the script; it must match the datasource's driver. MongoDB takes no SQL script.",
        examples: ['postgres'],
      }),
      sql: boundedText(1, 1_000_000).meta({
        description: 'The SQL statements, 1 to 1,000,000 characters.',
        examples: ['ALTER TABLE _framework_metadata ADD COLUMN checksum text'],
      }),
    })
    .optional()
    .meta({ description });
}

function acknowledgeDataLoss(description: string) {
  return z.literal(true).meta({ description });
}

interface MigrationCommon {
  script?: { dialect: string } | undefined;
  rollbackScript?: { dialect: string } | undefined;
}

/** A function rather than a constant, so an unused import leaves nothing behind. */
function scriptDialectsMatch(): CrossFieldRule<MigrationCommon> {
  return {
    name: 'script_dialects_match',
    message: 'rollbackScript must be in the same dialect as script',
    path: ['rollbackScript', 'dialect'],
    holds: (op) => op.script === undefined || op.rollbackScript === undefined || op.script.dialect === op.rollbackScript.dialect,
    jsonSchema: {
      allOf: SQL_DIALECTS.map((dialect) => ({
        if: { properties: { script: { properties: { dialect: { const: dialect } }, required: ['dialect'] } }, required: ['script'] },
        then: { properties: { rollbackScript: { properties: { dialect: { const: dialect } } } } },
      })),
    },
  };
}

/** A strict migration step of `type`: the common fields and the variant's own. */
function migrationStep<T extends string, S extends z.ZodRawShape>(type: T, shape: S) {
  return z.strictObject({
    type: z.literal(type).meta({ description: 'Kind of migration step.' }),
    table: SqlIdentifierSchema.meta({ description: 'Table (or collection) the step acts on.', examples: ['_framework_metadata'] }),
    schema: SqlIdentifierSchema.optional().meta({
      description: "PostgreSQL schema or MySQL database of the table; absent: the connection's default.",
      examples: ['metadata'],
    }),
    dryRun: z
      .boolean()
      .default(false)
      .meta({ description: 'Plan the step and report its statements without running them. Default false.' }),
    script: sqlScript(
      'SQL to run for this step instead of the statements the runtime would generate. Trusted operator input: it runs as written, so it must never be built from user data.',
    ),
    rollbackScript: sqlScript(
      'SQL that undoes this step, run if the step fails part way (needed where DDL is not transactional, as on MySQL). Trusted operator input, never built from user data.',
    ),
    ...shape,
  });
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function alterChange() {
  return z
    .discriminatedUnion('action', [
      z
        .strictObject({
          action: z.literal('add_column').meta({ description: 'Add a column.' }),
          field: MetadataRecordFieldSchema.meta({
            description: 'Record field the new column stores; it decides the column type.',
            examples: ['checksum'],
          }),
          column: SqlIdentifierSchema.meta({ description: 'Name of the new column.', examples: ['checksum'] }),
        })
        .meta({ description: 'Add the column of a record field (on MongoDB nothing to do: documents gain the field on write).' }),
      z
        .strictObject({
          action: z.literal('drop_column').meta({ description: 'Drop a column.' }),
          column: SqlIdentifierSchema.meta({ description: 'Column to drop.', examples: ['legacy_notes'] }),
          acknowledgeDataLoss: acknowledgeDataLoss('Must be true: dropping a column deletes its data.'),
        })
        .meta({ description: 'Drop a column and its data (on MongoDB: unset the field in every document).' }),
      z
        .strictObject({
          action: z.literal('add_index').meta({ description: 'Create an index.' }),
          index: MetadataIndexSchema.meta({ description: 'The index to create.' }),
        })
        .meta({ description: 'Create an index.' }),
      z
        .strictObject({
          action: z.literal('drop_index').meta({ description: 'Drop an index.' }),
          name: SqlIdentifierSchema.meta({ description: 'Name of the index to drop.', examples: ['metadata_updated_at_idx'] }),
        })
        .meta({ description: 'Drop an index; no data is lost.' }),
    ])
    .meta({
      description: 'One change to the table: add or drop a column or an index.',
      examples: [{ action: 'drop_index', name: 'metadata_updated_at_idx' }],
    });
}

/** One step of a metadata table migration: create, alter, drop, backup or restore. */
export const MetadataMigrationOperationSchema = /* @__PURE__ */ define('MetadataMigrationOperation', () =>
  z
    .discriminatedUnion('type', [
      withRules(
        migrationStep('create', {
          tableSchema: MetadataTableSchemaSchema.prefault({}).meta({
            description:
              "Layout of the new table: columns, indexes and layout. Its tableName and schema must be the step's table and schema.",
          }),
        }),
        [
          scriptDialectsMatch(),
          {
            name: 'table_schema_matches_target',
            message: "tableSchema.tableName and tableSchema.schema must equal the step's table and schema",
            path: ['tableSchema', 'tableName'],
            holds: (op) => op.tableSchema.tableName === op.table && op.tableSchema.schema === op.schema,
          },
        ],
        {
          description: 'Create the metadata table (or collection) with its columns and indexes. Fails if it exists.',
          examples: [{ type: 'create', table: '_framework_metadata' }],
        },
      ),
      withRules(
        migrationStep('alter', {
          changes: z.array(alterChange()).min(1).max(64).meta({ description: '1 to 64 changes, applied in order.' }),
        }),
        [scriptDialectsMatch()],
        {
          description:
            'Change an existing table: add or drop columns and indexes. Dropping a column needs acknowledgeDataLoss on that change.',
          examples: [
            { type: 'alter', table: '_framework_metadata', changes: [{ action: 'add_column', field: 'checksum', column: 'checksum' }] },
          ],
        },
      ),
      withRules(
        migrationStep('drop', {
          acknowledgeDataLoss: acknowledgeDataLoss('Must be true: dropping the table deletes every record in it.'),
        }),
        [scriptDialectsMatch()],
        {
          description: 'Drop the table (or collection) and every record in it.',
          examples: [{ type: 'drop', table: '_framework_metadata_old', acknowledgeDataLoss: true }],
        },
      ),
      withRules(
        migrationStep('backup', {
          backupTable: SqlIdentifierSchema.meta({
            description: 'New table the records are copied to, in the same schema; it must not exist (a backup never overwrites).',
            examples: ['_framework_metadata_bak_20260131'],
          }),
        }),
        [
          scriptDialectsMatch(),
          {
            name: 'source_differs_from_target',
            message: 'backupTable must differ from table, ignoring case',
            path: ['backupTable'],
            holds: (op) => !sameName(op.table, op.backupTable),
          },
        ],
        {
          description: 'Copy every record of the table to a new backup table.',
          examples: [{ type: 'backup', table: '_framework_metadata', backupTable: '_framework_metadata_bak_20260131' }],
        },
      ),
      withRules(
        migrationStep('restore', {
          fromTable: SqlIdentifierSchema.meta({
            description: 'Backup table to restore from, in the same schema.',
            examples: ['_framework_metadata_bak_20260131'],
          }),
          acknowledgeDataLoss: acknowledgeDataLoss('Must be true: restoring replaces every record in the table.'),
        }),
        [
          scriptDialectsMatch(),
          {
            name: 'source_differs_from_target',
            message: 'fromTable must differ from table, ignoring case',
            path: ['fromTable'],
            holds: (op) => !sameName(op.table, op.fromTable),
          },
        ],
        {
          description: 'Replace every record of the table with the records of a backup table.',
          examples: [
            { type: 'restore', table: '_framework_metadata', fromTable: '_framework_metadata_bak_20260131', acknowledgeDataLoss: true },
          ],
        },
      ),
    ])
    .meta({
      description:
        'One step of a metadata table migration. Steps that lose data (drop, restore, and dropping a column) require acknowledgeDataLoss: true. Raw SQL appears only in script and rollbackScript, which are trusted operator input.',
      examples: [{ type: 'backup', table: '_framework_metadata', backupTable: '_framework_metadata_bak_20260131' }],
    }),
);
export type MetadataMigrationOperation = z.output<typeof MetadataMigrationOperationSchema>;
export type MetadataMigrationOperationInput = z.input<typeof MetadataMigrationOperationSchema>;
