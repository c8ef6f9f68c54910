import { describe, it, expect, expectTypeOf } from 'vitest';
import type { z } from 'zod';
import { METADATA_RECORD_FIELDS, type MetadataRecord, type MetadataRecordField } from '../../system/metadata-record.zod';
import {
  DEFAULT_METADATA_TABLE_NAME,
  MetadataBulkOperationSchema,
  MetadataCacheConfigSchema,
  MetadataColumnMappingSchema,
  MetadataDriverConfigSchema,
  MetadataIndexSchema,
  MetadataMigrationOperationSchema,
  MetadataQueryConditionSchema,
  MetadataQueryFiltersSchema,
  MetadataQueryOptionsSchema,
  MetadataSortSchema,
  MetadataStorageLayoutSchema,
  MetadataTableSchemaSchema,
  type MetadataBulkOperation,
  type MetadataBulkOperationInput,
  type MetadataCacheConfig,
  type MetadataCacheConfigInput,
  type MetadataColumnMapping,
  type MetadataColumnMappingInput,
  type MetadataDriverConfig,
  type MetadataDriverConfigInput,
  type MetadataIndex,
  type MetadataIndexInput,
  type MetadataMigrationOperation,
  type MetadataMigrationOperationInput,
  type MetadataQueryCondition,
  type MetadataQueryConditionInput,
  type MetadataQueryFilters,
  type MetadataQueryFiltersInput,
  type MetadataQueryOptions,
  type MetadataQueryOptionsInput,
  type MetadataSort,
  type MetadataSortInput,
  type MetadataStorageLayout,
  type MetadataTableSchema,
  type MetadataTableSchemaInput,
} from './metadata-driver.zod';
import { issuesOf, type Path } from '../../testing';

/** Parses, checks the result equals `input` exactly, and that parsing the result again changes nothing. */
function expectRoundTrip(schema: z.ZodType, input: unknown): void {
  const parsed = schema.parse(input);
  expect(parsed).toEqual(input);
  expect(schema.parse(parsed)).toEqual(parsed);
}

/** Identifiers that must never reach SQL, each rejected by the safe-identifier pattern. */
const BAD_IDENTIFIERS: [string, string][] = [
  ['SQL text', 'meta; DROP TABLE x'],
  ['a hyphen', 'a-b'],
  ['a leading digit', '1abc'],
  ['64 characters', 'a'.repeat(64)],
  ['10_000 characters', 'a'.repeat(10_000)],
  ['an empty string', ''],
  ['a quote', 'meta"'],
  ['a dot', 'public.meta'],
  ['a space', 'meta data'],
  ['non-ASCII', 'métadonnées'],
];

const DEFAULT_COLUMNS: MetadataColumnMapping = {
  id: 'id',
  type: 'type',
  name: 'name',
  namespace: 'namespace',
  scope: 'scope',
  state: 'state',
  payload: 'payload',
  extends: 'extends',
  mergeStrategy: 'merge_strategy',
  owner: 'owner',
  tenantId: 'tenant_id',
  version: 'version',
  checksum: 'checksum',
  tags: 'tags',
  createdAt: 'created_at',
  createdBy: 'created_by',
  updatedAt: 'updated_at',
  updatedBy: 'updated_by',
};

const DEFAULT_TABLE: MetadataTableSchema = {
  tableName: '_framework_metadata',
  primaryKey: 'id',
  columnMapping: DEFAULT_COLUMNS,
  indexes: [],
  layout: 'relational',
};

const DEFAULT_CACHE: MetadataCacheConfig = { enabled: true, ttlSeconds: 300, invalidateOnWrite: true, maxEntries: 10_000 };

// ---------------------------------------------------------------------------

describe('MetadataStorageLayoutSchema', () => {
  it('accepts relational and document', () => {
    expect(MetadataStorageLayoutSchema.options).toEqual(['relational', 'document']);
    for (const layout of MetadataStorageLayoutSchema.options) expect(MetadataStorageLayoutSchema.parse(layout)).toBe(layout);
  });

  it.each(['graph', 'Relational', '', null, 1])('rejects %j', (input) => {
    expect(issuesOf(MetadataStorageLayoutSchema, input)).toEqual([{ path: [], code: 'invalid_value' }]);
  });

  it('types', () => {
    expectTypeOf<MetadataStorageLayout>().toEqualTypeOf<'relational' | 'document'>();
  });
});

describe('MetadataColumnMappingSchema', () => {
  it('parses {} to one snake_case column per record field', () => {
    expect(MetadataColumnMappingSchema.parse({})).toEqual(DEFAULT_COLUMNS);
  });

  it('has exactly one key per record field, derived from the record', () => {
    expect(Object.keys(MetadataColumnMappingSchema.shape)).toEqual(METADATA_RECORD_FIELDS);
    expect(Object.keys(MetadataColumnMappingSchema.parse({}))).toEqual(METADATA_RECORD_FIELDS);
  });

  it('parses a full custom mapping and round-trips it', () => {
    const full = Object.fromEntries(METADATA_RECORD_FIELDS.map((field, i) => [field, `col_${i}`]));
    expectRoundTrip(MetadataColumnMappingSchema, full);
  });

  it('keeps the defaults of fields it does not name', () => {
    expect(MetadataColumnMappingSchema.parse({ payload: 'definition', id: '_id' })).toEqual({
      ...DEFAULT_COLUMNS,
      payload: 'definition',
      id: '_id',
    });
  });

  it('rejects two fields on one column (column_names_unique)', () => {
    expect(issuesOf(MetadataColumnMappingSchema, { payload: 'type' })).toEqual([{ path: [], code: 'custom', rule: 'column_names_unique' }]);
  });

  it('rejects two fields whose columns differ only in case (column_names_unique; MySQL ignores case)', () => {
    expect(issuesOf(MetadataColumnMappingSchema, { createdBy: 'Owner' })).toEqual([
      { path: [], code: 'custom', rule: 'column_names_unique' },
    ]);
  });

  it("rejects a field mapped onto another field's default column (column_names_unique)", () => {
    expect(issuesOf(MetadataColumnMappingSchema, { tenantId: 'tenant_id', owner: 'tenant_id' })).toEqual([
      { path: [], code: 'custom', rule: 'column_names_unique' },
    ]);
  });

  it.each(BAD_IDENTIFIERS)('rejects a column name with %s', (_label, column) => {
    expect(issuesOf(MetadataColumnMappingSchema, { payload: column })).toEqual([{ path: ['payload'], code: 'invalid_format' }]);
  });

  it.each<[string, unknown, Path, string]>([
    ['a column name that is a number', { version: 1 }, ['version'], 'invalid_type'],
    ['a null column name', { version: null }, ['version'], 'invalid_type'],
    ['a column keyed by its column name (tenant_id)', { tenant_id: 'tenant' }, [], 'unrecognized_keys'],
    ['a payload path key', { 'payload.label': 'label' }, [], 'unrecognized_keys'],
    ['a __proto__ key', JSON.parse('{"__proto__": "x"}'), [], 'unrecognized_keys'],
    ['a constructor key', { constructor: 'x' }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataColumnMappingSchema, input)).toEqual([{ path, code }]);
  });

  it('types: every field is optional in input and a string in output', () => {
    expectTypeOf<keyof MetadataColumnMapping>().toEqualTypeOf<MetadataRecordField>();
    expectTypeOf<MetadataColumnMappingInput['tenantId']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<MetadataColumnMapping['tenantId']>().toEqualTypeOf<string>();
  });
});

describe('MetadataIndexSchema', () => {
  const minimal = { name: 'metadata_type_idx', fields: ['type'] };

  it('parses the minimal index to the complete value', () => {
    expect(MetadataIndexSchema.parse(minimal)).toEqual({ name: 'metadata_type_idx', fields: ['type'], unique: false, type: 'btree' });
  });

  it('parses an index with every field set and round-trips it', () => {
    expectRoundTrip(MetadataIndexSchema, {
      name: 'metadata_identity_uq',
      fields: ['tenantId', 'type', 'name'],
      unique: true,
      type: 'btree',
    });
  });

  it.each<[string, MetadataIndexInput]>([
    ['a single-field hash index', { name: 'metadata_checksum_hash', fields: ['checksum'], type: 'hash' }],
    ['a gin index on payload and tags', { name: 'metadata_payload_gin', fields: ['payload', 'tags'], type: 'gin' }],
    [
      'a unique btree index on 8 fields',
      {
        name: 'metadata_wide_uq',
        fields: ['tenantId', 'type', 'namespace', 'scope', 'owner', 'name', 'state', 'version'],
        unique: true,
      },
    ],
  ])('accepts %s', (_label, input) => {
    expect(MetadataIndexSchema.safeParse(input).success).toBe(true);
  });

  it.each<[string, unknown, Path, string]>([
    ['name', { fields: ['type'] }, ['name'], 'invalid_type'],
    ['fields', { name: 'metadata_type_idx' }, ['fields'], 'invalid_type'],
  ])('reports the missing required field %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataIndexSchema, input)).toEqual([{ path, code }]);
  });

  it('rejects a unique hash index (hash_index_not_unique)', () => {
    expect(issuesOf(MetadataIndexSchema, { ...minimal, type: 'hash', unique: true })).toEqual([
      { path: ['unique'], code: 'custom', rule: 'hash_index_not_unique' },
    ]);
  });

  it('rejects a hash index on two fields (hash_index_single_field)', () => {
    expect(issuesOf(MetadataIndexSchema, { ...minimal, fields: ['type', 'name'], type: 'hash' })).toEqual([
      { path: ['fields'], code: 'custom', rule: 'hash_index_single_field' },
    ]);
  });

  it('rejects a field named twice (index_fields_unique)', () => {
    expect(issuesOf(MetadataIndexSchema, { ...minimal, fields: ['type', 'name', 'type'] })).toEqual([
      { path: ['fields'], code: 'custom', rule: 'index_fields_unique' },
    ]);
  });

  it('rejects a unique gin index (gin_index_not_unique)', () => {
    expect(issuesOf(MetadataIndexSchema, { ...minimal, fields: ['payload'], type: 'gin', unique: true })).toEqual([
      { path: ['unique'], code: 'custom', rule: 'gin_index_not_unique' },
    ]);
  });

  it('rejects a gin index on a scalar field (gin_index_on_json_fields)', () => {
    expect(issuesOf(MetadataIndexSchema, { ...minimal, fields: ['payload', 'name'], type: 'gin' })).toEqual([
      { path: ['fields'], code: 'custom', rule: 'gin_index_on_json_fields' },
    ]);
  });

  it.each(BAD_IDENTIFIERS)('rejects an index name with %s', (_label, name) => {
    expect(issuesOf(MetadataIndexSchema, { ...minimal, name })).toEqual([{ path: ['name'], code: 'invalid_format' }]);
  });

  it.each<[string, unknown, Path, string]>([
    ['no fields', { fields: [] }, ['fields'], 'too_small'],
    ['9 fields', { fields: ['id', 'type', 'name', 'namespace', 'scope', 'state', 'owner', 'tenantId', 'version'] }, ['fields'], 'too_big'],
    ['a column name as a field', { fields: ['tenant_id'] }, ['fields', 0], 'invalid_value'],
    ['SQL as a field', { fields: ['type); DROP TABLE x; --'] }, ['fields', 0], 'invalid_value'],
    ['a payload path as a field', { fields: ['payload.label'] }, ['fields', 0], 'invalid_value'],
    ['a string instead of a list', { fields: 'type' }, ['fields'], 'invalid_type'],
    ['gist, which has no operator class for these columns', { type: 'gist' }, ['type'], 'invalid_value'],
    ['an unknown method', { type: 'brin' }, ['type'], 'invalid_value'],
    ['unique as a string', { unique: 'true' }, ['unique'], 'invalid_type'],
    ['an unknown key', { where: 'state = 1' }, [], 'unrecognized_keys'],
    ['a __proto__ key', JSON.parse('{"__proto__": 1}'), [], 'unrecognized_keys'],
  ])('rejects %s', (_label, patch, path, code) => {
    expect(issuesOf(MetadataIndexSchema, { ...minimal, ...(patch as object) })).toEqual([{ path, code }]);
  });

  it('types', () => {
    expectTypeOf<MetadataIndexInput['unique']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<MetadataIndex['unique']>().toEqualTypeOf<boolean>();
    expectTypeOf<MetadataIndex['type']>().toEqualTypeOf<'btree' | 'hash' | 'gin'>();
    expectTypeOf<MetadataIndex['fields']>().toEqualTypeOf<MetadataRecordField[]>();
  });
});

describe('MetadataTableSchemaSchema', () => {
  it('parses {} to the complete default table', () => {
    expect(MetadataTableSchemaSchema.parse({})).toEqual(DEFAULT_TABLE);
    expect(DEFAULT_METADATA_TABLE_NAME).toBe('_framework_metadata');
  });

  it('parses a table with every field set and round-trips it', () => {
    const full: MetadataTableSchema = {
      tableName: 'metadata_items',
      schema: 'platform',
      primaryKey: 'id',
      columnMapping: { ...DEFAULT_COLUMNS, payload: 'definition', tenantId: 'org_id' },
      indexes: [
        { name: 'metadata_updated_at_idx', fields: ['updatedAt'], unique: false, type: 'btree' },
        { name: 'metadata_payload_gin', fields: ['payload'], unique: false, type: 'gin' },
      ],
      layout: 'relational',
    };
    expectRoundTrip(MetadataTableSchemaSchema, full);
  });

  it('accepts a MongoDB document layout with id mapped to _id', () => {
    expect(MetadataTableSchemaSchema.parse({ layout: 'document', columnMapping: { id: '_id' } })).toEqual({
      ...DEFAULT_TABLE,
      layout: 'document',
      columnMapping: { ...DEFAULT_COLUMNS, id: '_id' },
    });
  });

  it('fills the defaults of each index', () => {
    expect(MetadataTableSchemaSchema.parse({ indexes: [{ name: 'metadata_type_idx', fields: ['type'] }] }).indexes).toEqual([
      { name: 'metadata_type_idx', fields: ['type'], unique: false, type: 'btree' },
    ]);
  });

  it('rejects a schema in the document layout (document_layout_has_no_schema)', () => {
    expect(issuesOf(MetadataTableSchemaSchema, { layout: 'document', schema: 'platform' })).toEqual([
      { path: ['schema'], code: 'custom', rule: 'document_layout_has_no_schema' },
    ]);
  });

  it('rejects two indexes with one name (index_names_unique)', () => {
    const indexes = [
      { name: 'metadata_idx', fields: ['type'] },
      { name: 'METADATA_IDX', fields: ['name'] },
    ];
    expect(issuesOf(MetadataTableSchemaSchema, { indexes })).toEqual([{ path: ['indexes'], code: 'custom', rule: 'index_names_unique' }]);
  });

  it('rejects an index named like the table (index_names_unique; PostgreSQL shares the namespace)', () => {
    expect(issuesOf(MetadataTableSchemaSchema, { indexes: [{ name: '_framework_metadata', fields: ['type'] }] })).toEqual([
      { path: ['indexes'], code: 'custom', rule: 'index_names_unique' },
    ]);
  });

  it('reports a duplicate column at columnMapping (column_names_unique)', () => {
    expect(issuesOf(MetadataTableSchemaSchema, { columnMapping: { payload: 'state' } })).toEqual([
      { path: ['columnMapping'], code: 'custom', rule: 'column_names_unique' },
    ]);
  });

  it('reports a broken index rule at the index path', () => {
    expect(issuesOf(MetadataTableSchemaSchema, { indexes: [{ name: 'metadata_idx', fields: ['type', 'name'], type: 'hash' }] })).toEqual([
      { path: ['indexes', 0, 'fields'], code: 'custom', rule: 'hash_index_single_field' },
    ]);
  });

  describe.each<[string, (bad: string) => unknown, Path]>([
    ['tableName', (bad) => ({ tableName: bad }), ['tableName']],
    ['schema', (bad) => ({ schema: bad }), ['schema']],
    ['index name', (bad) => ({ indexes: [{ name: bad, fields: ['type'] }] }), ['indexes', 0, 'name']],
    ['column', (bad) => ({ columnMapping: { tenantId: bad } }), ['columnMapping', 'tenantId']],
  ])('identifier %s', (_where, build, path) => {
    it.each(BAD_IDENTIFIERS)('rejects %s', (_label, bad) => {
      expect(issuesOf(MetadataTableSchemaSchema, build(bad))).toEqual([{ path, code: 'invalid_format' }]);
    });
  });

  it.each<[string, unknown, Path, string]>([
    ['a primary key other than id', { primaryKey: 'name' }, ['primaryKey'], 'invalid_value'],
    ['a column name as primary key', { primaryKey: 'record_id' }, ['primaryKey'], 'invalid_value'],
    ['33 indexes', { indexes: Array.from({ length: 33 }, (_, i) => ({ name: `idx_${i}`, fields: ['type'] })) }, ['indexes'], 'too_big'],
    ['an unknown layout', { layout: 'wide_column' }, ['layout'], 'invalid_value'],
    ['a column mapping that is a list', { columnMapping: ['id'] }, ['columnMapping'], 'invalid_type'],
    ['a typo of a key', { tablename: 'meta' }, [], 'unrecognized_keys'],
    ['an inline password', { password: 'hunter2' }, [], 'unrecognized_keys'],
    ['a __proto__ key', JSON.parse('{"__proto__": {"tableName": "x"}}'), [], 'unrecognized_keys'],
    ['a constructor key', { constructor: 1 }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataTableSchemaSchema, input)).toEqual([{ path, code }]);
  });

  it('types', () => {
    expectTypeOf<MetadataTableSchemaInput['tableName']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<MetadataTableSchema['tableName']>().toEqualTypeOf<string>();
    expectTypeOf<MetadataTableSchema['primaryKey']>().toEqualTypeOf<'id'>();
    expectTypeOf<MetadataTableSchema['schema']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<MetadataTableSchema['columnMapping']>().toEqualTypeOf<MetadataColumnMapping>();
  });
});

describe('MetadataCacheConfigSchema', () => {
  it('parses {} to the complete default cache', () => {
    expect(MetadataCacheConfigSchema.parse({})).toEqual(DEFAULT_CACHE);
  });

  it('parses a cache with every field set and round-trips it', () => {
    expectRoundTrip(MetadataCacheConfigSchema, { enabled: false, ttlSeconds: 86_400, invalidateOnWrite: false, maxEntries: 1_000_000 });
    expectRoundTrip(MetadataCacheConfigSchema, { enabled: true, ttlSeconds: 1, invalidateOnWrite: true, maxEntries: 1 });
  });

  it.each<[string, unknown, Path, string]>([
    ['ttlSeconds 0 (no "never expire")', { ttlSeconds: 0 }, ['ttlSeconds'], 'too_small'],
    ['ttlSeconds -1', { ttlSeconds: -1 }, ['ttlSeconds'], 'too_small'],
    ['ttlSeconds 1.5', { ttlSeconds: 1.5 }, ['ttlSeconds'], 'invalid_type'],
    ['ttlSeconds 86401', { ttlSeconds: 86_401 }, ['ttlSeconds'], 'too_big'],
    ['ttlSeconds 1e21', { ttlSeconds: 1e21 }, ['ttlSeconds'], 'too_big'],
    ['ttlSeconds 2**53', { ttlSeconds: 2 ** 53 }, ['ttlSeconds'], 'too_big'],
    ['ttlSeconds "10"', { ttlSeconds: '10' }, ['ttlSeconds'], 'invalid_type'],
    ['ttlSeconds Infinity', { ttlSeconds: Number.POSITIVE_INFINITY }, ['ttlSeconds'], 'invalid_type'],
    ['maxEntries 0', { maxEntries: 0 }, ['maxEntries'], 'too_small'],
    ['maxEntries 1_000_001', { maxEntries: 1_000_001 }, ['maxEntries'], 'too_big'],
    ['enabled "true"', { enabled: 'true' }, ['enabled'], 'invalid_type'],
    ['invalidateOnWrite 1', { invalidateOnWrite: 1 }, ['invalidateOnWrite'], 'invalid_type'],
    ['a typo of a key', { ttl: 60 }, [], 'unrecognized_keys'],
    ['a __proto__ key', JSON.parse('{"__proto__": {"enabled": false}}'), [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataCacheConfigSchema, input)).toEqual([{ path, code }]);
  });

  it('types', () => {
    expectTypeOf<MetadataCacheConfigInput['ttlSeconds']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<MetadataCacheConfig['ttlSeconds']>().toEqualTypeOf<number>();
    expectTypeOf<MetadataCacheConfig['enabled']>().toEqualTypeOf<boolean>();
  });
});

describe('MetadataDriverConfigSchema', () => {
  const minimal = { datasource: 'metadata_db' };

  it('parses the minimal config to the complete value with every nested default', () => {
    const expected: MetadataDriverConfig = {
      datasource: 'metadata_db',
      table: DEFAULT_TABLE,
      migration: { autoMigrate: true, dropOnMigrate: false, backupBeforeMigrate: true },
      performance: {
        batchSize: 100,
        cache: DEFAULT_CACHE,
        prefetchOnInit: false,
        loadConcurrency: 4,
      },
      transactions: {
        isolationLevel: 'read_committed',
        timeoutMs: 30_000,
        retryOnConflict: true,
        maxRetries: 3,
        backoff: { initialDelayMs: 50, multiplier: 2, maxDelayMs: 2_000 },
      },
      query: { maxResultSize: 10_000, maxPageSize: 1000 },
    };
    expect(MetadataDriverConfigSchema.parse(minimal)).toEqual(expected);
  });

  it('fills the defaults of a group given in part', () => {
    const parsed = MetadataDriverConfigSchema.parse({
      ...minimal,
      performance: { cache: { ttlSeconds: 60 } },
      transactions: { backoff: { maxDelayMs: 500 } },
    });
    expect(parsed.performance).toEqual({
      batchSize: 100,
      cache: { ...DEFAULT_CACHE, ttlSeconds: 60 },
      prefetchOnInit: false,
      loadConcurrency: 4,
    });
    expect(parsed.transactions.backoff).toEqual({ initialDelayMs: 50, multiplier: 2, maxDelayMs: 500 });
  });

  it('parses a config with every field set and round-trips it', () => {
    const full: MetadataDriverConfig = {
      datasource: 'metadata_pg',
      table: {
        tableName: 'metadata_items',
        schema: 'platform',
        primaryKey: 'id',
        columnMapping: { ...DEFAULT_COLUMNS, payload: 'definition' },
        indexes: [{ name: 'metadata_updated_at_idx', fields: ['updatedAt'], unique: false, type: 'btree' }],
        layout: 'relational',
      },
      migration: { autoMigrate: false, dropOnMigrate: true, backupBeforeMigrate: false, acknowledgeDataLoss: true },
      performance: {
        batchSize: 10_000,
        cache: { enabled: false, ttlSeconds: 60, invalidateOnWrite: false, maxEntries: 1 },
        prefetchOnInit: true,
        loadConcurrency: 64,
      },
      transactions: {
        isolationLevel: 'serializable',
        timeoutMs: 3_600_000,
        retryOnConflict: false,
        maxRetries: 0,
        backoff: { initialDelayMs: 100, multiplier: 1.5, maxDelayMs: 600_000 },
      },
      query: { maxResultSize: 100_000, maxPageSize: 100 },
    };
    expectRoundTrip(MetadataDriverConfigSchema, full);
  });

  it('reports a missing datasource', () => {
    expect(issuesOf(MetadataDriverConfigSchema, {})).toEqual([{ path: ['datasource'], code: 'invalid_type' }]);
  });

  it('rejects dropOnMigrate with backupBeforeMigrate false and no acknowledgement (drop_without_backup_needs_acknowledgement)', () => {
    expect(issuesOf(MetadataDriverConfigSchema, { ...minimal, migration: { dropOnMigrate: true, backupBeforeMigrate: false } })).toEqual([
      { path: ['migration', 'acknowledgeDataLoss'], code: 'custom', rule: 'drop_without_backup_needs_acknowledgement' },
    ]);
  });

  it.each<[string, object]>([
    ['dropOnMigrate with the default backup', { dropOnMigrate: true }],
    ['dropOnMigrate with an explicit backup', { dropOnMigrate: true, backupBeforeMigrate: true }],
    ['no backup without dropping', { backupBeforeMigrate: false }],
    ['drop without backup, acknowledged', { dropOnMigrate: true, backupBeforeMigrate: false, acknowledgeDataLoss: true }],
  ])('accepts %s', (_label, migration) => {
    expect(MetadataDriverConfigSchema.safeParse({ ...minimal, migration }).success).toBe(true);
  });

  it('rejects acknowledgeDataLoss: false', () => {
    expect(
      issuesOf(MetadataDriverConfigSchema, {
        ...minimal,
        migration: { dropOnMigrate: true, backupBeforeMigrate: false, acknowledgeDataLoss: false },
      }),
    ).toEqual([{ path: ['migration', 'acknowledgeDataLoss'], code: 'invalid_value' }]);
  });

  it('rejects an initial delay above the maximum (initial_delay_not_above_max)', () => {
    expect(issuesOf(MetadataDriverConfigSchema, { ...minimal, transactions: { backoff: { initialDelayMs: 5_000 } } })).toEqual([
      { path: ['transactions', 'backoff', 'maxDelayMs'], code: 'custom', rule: 'initial_delay_not_above_max' },
    ]);
    expect(MetadataDriverConfigSchema.safeParse({ ...minimal, transactions: { backoff: { initialDelayMs: 2_000 } } }).success).toBe(true);
  });

  it('rejects a largest page above the largest result (max_page_size_not_above_max_result_size)', () => {
    expect(issuesOf(MetadataDriverConfigSchema, { ...minimal, query: { maxResultSize: 500 } })).toEqual([
      { path: ['query', 'maxPageSize'], code: 'custom', rule: 'max_page_size_not_above_max_result_size' },
    ]);
    expect(MetadataDriverConfigSchema.safeParse({ ...minimal, query: { maxResultSize: 500, maxPageSize: 500 } }).success).toBe(true);
  });

  it('rejects maxResultSize 99 (below the smallest maxPageSize), and the default maxPageSize with it', () => {
    expect(issuesOf(MetadataDriverConfigSchema, { ...minimal, query: { maxResultSize: 99 } })).toEqual([
      { path: ['query', 'maxResultSize'], code: 'too_small' },
      { path: ['query', 'maxPageSize'], code: 'custom', rule: 'max_page_size_not_above_max_result_size' },
    ]);
  });

  it('reports a table rule at its nested path', () => {
    expect(issuesOf(MetadataDriverConfigSchema, { ...minimal, table: { layout: 'document', schema: 'platform' } })).toEqual([
      { path: ['table', 'schema'], code: 'custom', rule: 'document_layout_has_no_schema' },
    ]);
  });

  it.each<[string, unknown, Path, string]>([
    ['SQL as datasource', { datasource: 'meta; DROP TABLE x' }, ['datasource'], 'invalid_format'],
    ['a connection URL as datasource', { datasource: 'postgres://user:secret@db/meta' }, ['datasource'], 'invalid_format'],
    ['an empty datasource', { datasource: '' }, ['datasource'], 'invalid_format'],
    ['a 64-char datasource', { datasource: 'a'.repeat(64) }, ['datasource'], 'too_big'],
    ['a datasource object', { datasource: { driver: 'postgres' } }, ['datasource'], 'invalid_type'],
    ['an inline password', { password: 'hunter2' }, [], 'unrecognized_keys'],
    ['a __proto__ key', JSON.parse('{"__proto__": {"polluted": true}}'), [], 'unrecognized_keys'],
    ['a constructor key', { constructor: { prototype: 1 } }, [], 'unrecognized_keys'],
    ['a typo in migration', { migration: { autoMigrte: false } }, ['migration'], 'unrecognized_keys'],
    [
      'a __proto__ key in performance',
      { performance: JSON.parse('{"__proto__": {"batchSize": 1}}') },
      ['performance'],
      'unrecognized_keys',
    ],
    ['a constructor key in transactions', { transactions: { constructor: 1 } }, ['transactions'], 'unrecognized_keys'],
    ['useIndexes, which no runtime can honour', { query: { useIndexes: true } }, ['query'], 'unrecognized_keys'],
    ['the old pagination group', { query: { pagination: { enabled: false } } }, ['query'], 'unrecognized_keys'],
    ['a typo in the cache', { performance: { cache: { ttl: 60 } } }, ['performance', 'cache'], 'unrecognized_keys'],
    ['a group that is a string', { migration: 'auto' }, ['migration'], 'invalid_type'],
    ['a group that is null', { performance: null }, ['performance'], 'invalid_type'],
    ['batchSize 0', { performance: { batchSize: 0 } }, ['performance', 'batchSize'], 'too_small'],
    ['batchSize -1', { performance: { batchSize: -1 } }, ['performance', 'batchSize'], 'too_small'],
    ['batchSize 1.5', { performance: { batchSize: 1.5 } }, ['performance', 'batchSize'], 'invalid_type'],
    ['batchSize 10_001', { performance: { batchSize: 10_001 } }, ['performance', 'batchSize'], 'too_big'],
    ['batchSize 1e21', { performance: { batchSize: 1e21 } }, ['performance', 'batchSize'], 'too_big'],
    ['batchSize 2**53', { performance: { batchSize: 2 ** 53 } }, ['performance', 'batchSize'], 'too_big'],
    ['batchSize "10"', { performance: { batchSize: '10' } }, ['performance', 'batchSize'], 'invalid_type'],
    ['batchSize NaN', { performance: { batchSize: Number.NaN } }, ['performance', 'batchSize'], 'invalid_type'],
    ['loadConcurrency 0', { performance: { loadConcurrency: 0 } }, ['performance', 'loadConcurrency'], 'too_small'],
    ['loadConcurrency 65', { performance: { loadConcurrency: 65 } }, ['performance', 'loadConcurrency'], 'too_big'],
    ['prefetchOnInit "yes"', { performance: { prefetchOnInit: 'yes' } }, ['performance', 'prefetchOnInit'], 'invalid_type'],
    ['cache ttlSeconds 0', { performance: { cache: { ttlSeconds: 0 } } }, ['performance', 'cache', 'ttlSeconds'], 'too_small'],
    ['isolation level snapshot', { transactions: { isolationLevel: 'snapshot' } }, ['transactions', 'isolationLevel'], 'invalid_value'],
    ['timeoutMs 0', { transactions: { timeoutMs: 0 } }, ['transactions', 'timeoutMs'], 'too_small'],
    ['timeoutMs 3_600_001', { transactions: { timeoutMs: 3_600_001 } }, ['transactions', 'timeoutMs'], 'too_big'],
    ['timeoutMs 1.5', { transactions: { timeoutMs: 1.5 } }, ['transactions', 'timeoutMs'], 'invalid_type'],
    ['maxRetries -1', { transactions: { maxRetries: -1 } }, ['transactions', 'maxRetries'], 'too_small'],
    ['maxRetries 11', { transactions: { maxRetries: 11 } }, ['transactions', 'maxRetries'], 'too_big'],
    ['initialDelayMs 0', { transactions: { backoff: { initialDelayMs: 0 } } }, ['transactions', 'backoff', 'initialDelayMs'], 'too_small'],
    ['multiplier 0.5', { transactions: { backoff: { multiplier: 0.5 } } }, ['transactions', 'backoff', 'multiplier'], 'too_small'],
    ['multiplier 11', { transactions: { backoff: { multiplier: 11 } } }, ['transactions', 'backoff', 'multiplier'], 'too_big'],
    [
      'multiplier Infinity',
      { transactions: { backoff: { multiplier: Number.POSITIVE_INFINITY } } },
      ['transactions', 'backoff', 'multiplier'],
      'invalid_type',
    ],
    ['maxDelayMs 600_001', { transactions: { backoff: { maxDelayMs: 600_001 } } }, ['transactions', 'backoff', 'maxDelayMs'], 'too_big'],
    ['maxResultSize 100_001', { query: { maxResultSize: 100_001 } }, ['query', 'maxResultSize'], 'too_big'],
    ['maxPageSize 99 (below the default pageSize)', { query: { maxPageSize: 99 } }, ['query', 'maxPageSize'], 'too_small'],
    ['maxPageSize 1001', { query: { maxPageSize: 1001 } }, ['query', 'maxPageSize'], 'too_big'],
    ['tableName with SQL', { table: { tableName: 'meta; DROP TABLE x' } }, ['table', 'tableName'], 'invalid_format'],
  ])('rejects %s', (_label, patch, path, code) => {
    expect(issuesOf(MetadataDriverConfigSchema, { ...minimal, ...(patch as object) })).toEqual([{ path, code }]);
  });

  it('types: only datasource is required in input; every group is complete in output', () => {
    expectTypeOf<MetadataDriverConfigInput['datasource']>().toEqualTypeOf<string>();
    expectTypeOf<MetadataDriverConfigInput>().toHaveProperty('table');
    expectTypeOf<undefined>().toExtend<MetadataDriverConfigInput['table']>();
    expectTypeOf<undefined>().toExtend<MetadataDriverConfigInput['performance']>();
    expectTypeOf<MetadataDriverConfig['performance']['cache']>().toEqualTypeOf<MetadataCacheConfig>();
    expectTypeOf<MetadataDriverConfig['transactions']['backoff']['maxDelayMs']>().toEqualTypeOf<number>();
    expectTypeOf<MetadataDriverConfig['migration']['acknowledgeDataLoss']>().toEqualTypeOf<true | undefined>();
    expectTypeOf<MetadataDriverConfig['table']>().toEqualTypeOf<MetadataTableSchema>();
  });
});

describe('MetadataQueryConditionSchema', () => {
  it.each<[string, MetadataQueryConditionInput]>([
    ['eq on a record field', { field: 'type', operator: 'eq', value: 'object' }],
    ['ne with an object value', { field: 'payload.options', operator: 'ne', value: { a: [1, null] } }],
    ['eq null', { field: 'owner', operator: 'eq', value: null }],
    ['gt with a number', { field: 'version', operator: 'gt', value: 2 }],
    ['gte with a negative fraction', { field: 'payload.weight', operator: 'gte', value: -1.5 }],
    ['lt with a date-time string', { field: 'updatedAt', operator: 'lt', value: '2026-01-01T00:00:00Z' }],
    ['lte with a string', { field: 'name', operator: 'lte', value: 'm' }],
    ['in with scalars', { field: 'state', operator: 'in', value: ['active', 'deprecated', null, 1, true] }],
    ['not_in with one value', { field: 'namespace', operator: 'not_in', value: ['system'] }],
    ['contains with non-ASCII', { field: 'payload.label', operator: 'contains', value: 'Kontó 🚀' }],
    ['contains on tags', { field: 'tags', operator: 'contains', value: 'core' }],
    ['starts_with with a LIKE wildcard, taken literally', { field: 'name', operator: 'starts_with', value: 'acc%' }],
    ['exists false on a deep payload path', { field: 'payload.a.b.c.d.e.f.g.h', operator: 'exists', value: false }],
    ['a payload path with underscores and digits', { field: 'payload._meta.field_2', operator: 'exists', value: true }],
  ])('accepts %s and round-trips it', (_label, input) => {
    expectRoundTrip(MetadataQueryConditionSchema, input);
  });

  it.each<[string, string]>([
    ['SQL text', "type = 'object' OR 1=1"],
    ['a statement', 'type; DROP TABLE x'],
    ['a PostgreSQL JSON operator', "payload->>'label'"],
    ['a column name', 'tenant_id'],
    ['the whole payload', 'payload'],
    ['an empty payload path', 'payload.'],
    ['a payload path with an empty segment', 'payload.a..b'],
    ['a payload path with 9 segments', 'payload.a.b.c.d.e.f.g.h.i'],
    ['a payload segment starting with a digit', 'payload.1a'],
    ['a payload segment with a hyphen', 'payload.a-b'],
    ['a payload array index', 'payload.items[0]'],
    ['a payload segment of 64 characters', `payload.${'a'.repeat(64)}`],
    ['a path into another field', 'tags.a'],
    ['an empty field', ''],
    ['an uppercase field', 'Type'],
  ])('rejects %s as the field', (_label, field) => {
    expect(issuesOf(MetadataQueryConditionSchema, { field, operator: 'eq', value: 1 })).toEqual([
      { path: ['field'], code: 'invalid_format' },
    ]);
  });

  it.each<[string, unknown, Path, string]>([
    ['gt with an object', { operator: 'gt', value: { a: 1 } }, ['value'], 'invalid_union'],
    ['gte with a boolean', { operator: 'gte', value: true }, ['value'], 'invalid_union'],
    ['lt with null', { operator: 'lt', value: null }, ['value'], 'invalid_union'],
    ['lte with a list', { operator: 'lte', value: [1] }, ['value'], 'invalid_union'],
    ['gt with Infinity', { operator: 'gt', value: Number.POSITIVE_INFINITY }, ['value'], 'invalid_union'],
    ['in with a scalar', { operator: 'in', value: 'object' }, ['value'], 'invalid_type'],
    ['in with an empty list', { operator: 'in', value: [] }, ['value'], 'too_small'],
    ['in with 1001 values', { operator: 'in', value: Array.from({ length: 1001 }, (_, i) => i) }, ['value'], 'too_big'],
    ['not_in with an object inside', { operator: 'not_in', value: ['a', { b: 1 }] }, ['value', 1], 'invalid_union'],
    ['not_in with a list inside', { operator: 'not_in', value: [['a']] }, ['value', 0], 'invalid_union'],
    ['contains with a number', { operator: 'contains', value: 1 }, ['value'], 'invalid_type'],
    ['contains with an empty string', { operator: 'contains', value: '' }, ['value'], 'invalid_format'],
    ['starts_with with 1001 characters', { operator: 'starts_with', value: 'a'.repeat(1001) }, ['value'], 'invalid_format'],
    ['starts_with with a list', { operator: 'starts_with', value: ['a'] }, ['value'], 'invalid_type'],
    ['exists with a string', { operator: 'exists', value: 'yes' }, ['value'], 'invalid_type'],
    ['exists with null', { operator: 'exists', value: null }, ['value'], 'invalid_type'],
    [
      'eq with a nested __proto__ key',
      { operator: 'eq', value: JSON.parse('{"a": {"__proto__": 1}}') },
      ['value', 'a', '__proto__'],
      'custom',
    ],
    ['an unknown operator', { operator: 'like', value: 'a%' }, ['operator'], 'invalid_union'],
    ['a SQL operator', { operator: '= ANY', value: 'a' }, ['operator'], 'invalid_union'],
    ['an uppercase operator', { operator: 'EQ', value: 'a' }, ['operator'], 'invalid_union'],
    ['a missing operator', { value: 'a' }, ['operator'], 'invalid_union'],
    ['a missing value', { operator: 'contains' }, ['value'], 'invalid_type'],
    ['an extra sql key', { operator: 'eq', value: 1, sql: '1=1' }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, patch, path, code) => {
    expect(issuesOf(MetadataQueryConditionSchema, { field: 'version', ...(patch as object) })).toEqual([{ path, code }]);
  });

  it('reports a missing field', () => {
    expect(issuesOf(MetadataQueryConditionSchema, { operator: 'exists', value: true })).toEqual([
      { path: ['field'], code: 'invalid_type' },
    ]);
  });

  it('types: the operator decides the value type', () => {
    expectTypeOf<Extract<MetadataQueryCondition, { operator: 'exists' }>['value']>().toEqualTypeOf<boolean>();
    expectTypeOf<Extract<MetadataQueryCondition, { operator: 'gt' | 'gte' | 'lt' | 'lte' }>['value']>().toEqualTypeOf<string | number>();
    expectTypeOf<Extract<MetadataQueryCondition, { operator: 'in' | 'not_in' }>['value']>().toEqualTypeOf<
      (string | number | boolean | null)[]
    >();
    expectTypeOf<Extract<MetadataQueryCondition, { operator: 'contains' | 'starts_with' }>['value']>().toEqualTypeOf<string>();
    expectTypeOf<MetadataQueryCondition['field']>().toEqualTypeOf<string>();
    expectTypeOf<MetadataQueryCondition['operator']>().toEqualTypeOf<
      'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'not_in' | 'contains' | 'starts_with' | 'exists'
    >();
  });
});

describe('MetadataQueryFiltersSchema', () => {
  it('parses {} to {} (no filter: every record the caller may read)', () => {
    expect(MetadataQueryFiltersSchema.parse({})).toEqual({});
  });

  it('parses filters with every field set and round-trips them', () => {
    const full: MetadataQueryFilters = {
      type: ['object', 'field'],
      name: 'account',
      namespace: ['crm', 'sales'],
      scope: ['platform', 'user'],
      state: 'active',
      owner: 'jane@acme',
      tenantId: 'acme',
      tags: ['crm', 'core'],
      updatedAfter: '2026-01-01T00:00:00Z',
      updatedBefore: '2026-02-01T00:00:00.500+01:00',
      conditions: [
        { field: 'payload.label', operator: 'contains', value: 'Account' },
        { field: 'version', operator: 'gte', value: 2 },
      ],
    };
    expectRoundTrip(MetadataQueryFiltersSchema, full);
  });

  it.each<[string, MetadataQueryFiltersInput]>([
    ['one type', { type: 'object' }],
    ['100 types', { type: Array.from({ length: 100 }, (_, i) => `t${i}`) }],
    ['every scope', { scope: ['system', 'platform', 'user'] }],
    ['every state', { state: ['draft', 'active', 'archived', 'deprecated'] }],
    ['64 tags', { tags: Array.from({ length: 64 }, (_, i) => `t${i}`) }],
    ['50 conditions', { conditions: Array.from({ length: 50 }, () => ({ field: 'type', operator: 'eq', value: 'object' }) as const) }],
    ['only updatedAfter', { updatedAfter: '2026-01-01T00:00:00Z' }],
  ])('accepts %s', (_label, input) => {
    expect(MetadataQueryFiltersSchema.safeParse(input).success).toBe(true);
  });

  it('rejects updatedAfter not before updatedBefore (updated_after_before_updated_before)', () => {
    expect(issuesOf(MetadataQueryFiltersSchema, { updatedAfter: '2026-02-01T00:00:00Z', updatedBefore: '2026-01-01T00:00:00Z' })).toEqual([
      { path: ['updatedBefore'], code: 'custom', rule: 'updated_after_before_updated_before' },
    ]);
  });

  it('compares updatedAfter and updatedBefore as instants, whatever their offsets (updated_after_before_updated_before)', () => {
    // The same instant written with two offsets: an empty range.
    expect(
      issuesOf(MetadataQueryFiltersSchema, { updatedAfter: '2026-01-01T01:00:00+01:00', updatedBefore: '2026-01-01T00:00:00Z' }),
    ).toEqual([{ path: ['updatedBefore'], code: 'custom', rule: 'updated_after_before_updated_before' }]);
    // Later as text, earlier as an instant.
    expect(
      MetadataQueryFiltersSchema.safeParse({ updatedAfter: '2026-01-01T05:00:00+09:00', updatedBefore: '2026-01-01T00:00:00Z' }).success,
    ).toBe(true);
  });

  it('reports a malformed date-time on its own field only', () => {
    expect(issuesOf(MetadataQueryFiltersSchema, { updatedAfter: 'yesterday', updatedBefore: '2026-01-01T00:00:00Z' })).toEqual([
      { path: ['updatedAfter'], code: 'invalid_format' },
    ]);
  });

  it.each<[string, unknown, Path, string]>([
    ['an empty type list', { type: [] }, ['type'], 'too_small'],
    ['101 types', { type: Array.from({ length: 101 }, (_, i) => `t${i}`) }, ['type'], 'invalid_union'],
    ['SQL as a type', { type: "object' OR '1'='1" }, ['type'], 'invalid_format'],
    ['SQL in a type list', { type: ['object', 'x; DROP TABLE y'] }, ['type', 1], 'invalid_format'],
    ['a 10_000-char name', { name: 'a'.repeat(10_000) }, ['name'], 'too_big'],
    ['a hyphenated namespace', { namespace: 'a-b' }, ['namespace'], 'invalid_format'],
    ['an unknown scope', { scope: 'global' }, ['scope'], 'invalid_union'],
    ['an unknown scope in a list', { scope: ['user', 'global'] }, ['scope'], 'invalid_union'],
    ['an unknown state', { state: 'deleted' }, ['state'], 'invalid_union'],
    ['an empty state list', { state: [] }, ['state'], 'too_small'],
    ['an owner with a space', { owner: 'jane doe' }, ['owner'], 'invalid_format'],
    ['an empty tenant', { tenantId: '' }, ['tenantId'], 'invalid_format'],
    ['an empty tag list', { tags: [] }, ['tags'], 'too_small'],
    ['65 tags', { tags: Array.from({ length: 65 }, (_, i) => `t${i}`) }, ['tags'], 'too_big'],
    ['a tag that is a single string', { tags: 'core' }, ['tags'], 'invalid_type'],
    ['an uppercase tag', { tags: ['Core'] }, ['tags', 0], 'invalid_format'],
    ['a date-only updatedAfter', { updatedAfter: '2026-01-01' }, ['updatedAfter'], 'invalid_format'],
    ['updatedBefore without a zone', { updatedBefore: '2026-01-01T10:00:00' }, ['updatedBefore'], 'invalid_format'],
    ['an impossible updatedBefore', { updatedBefore: '2026-02-30T00:00:00Z' }, ['updatedBefore'], 'invalid_format'],
    ['a timestamp number', { updatedAfter: 1767225600000 }, ['updatedAfter'], 'invalid_type'],
    [
      '51 conditions',
      { conditions: Array.from({ length: 51 }, () => ({ field: 'type', operator: 'eq', value: 'object' })) },
      ['conditions'],
      'too_big',
    ],
    [
      'SQL as a condition field',
      { conditions: [{ field: '1=1; --', operator: 'eq', value: 1 }] },
      ['conditions', 0, 'field'],
      'invalid_format',
    ],
    [
      'a condition value that does not fit the operator',
      { conditions: [{ field: 'version', operator: 'gt', value: {} }] },
      ['conditions', 0, 'value'],
      'invalid_union',
    ],
    ['a raw SQL where clause', { where: "type = 'object'" }, [], 'unrecognized_keys'],
    ['a __proto__ key', JSON.parse('{"__proto__": {"type": "object"}}'), [], 'unrecognized_keys'],
    ['a constructor key', { constructor: 'object' }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataQueryFiltersSchema, input)).toEqual([{ path, code }]);
  });

  it('types', () => {
    expectTypeOf<MetadataQueryFilters['type']>().toEqualTypeOf<string | string[] | undefined>();
    expectTypeOf<MetadataQueryFilters['scope']>().toEqualTypeOf<
      'system' | 'platform' | 'user' | ('system' | 'platform' | 'user')[] | undefined
    >();
    expectTypeOf<MetadataQueryFilters['conditions']>().toEqualTypeOf<MetadataQueryCondition[] | undefined>();
  });
});

describe('MetadataSortSchema', () => {
  it('parses the minimal sort key to the complete value', () => {
    expect(MetadataSortSchema.parse({ field: 'name' })).toEqual({ field: 'name', direction: 'asc' });
  });

  it('round-trips a full sort key', () => {
    expectRoundTrip(MetadataSortSchema, { field: 'updatedAt', direction: 'desc' });
  });

  it('accepts every record field but payload and tags', () => {
    for (const field of METADATA_RECORD_FIELDS.filter((f) => f !== 'payload' && f !== 'tags')) {
      expect(MetadataSortSchema.parse({ field }).field).toBe(field);
    }
  });

  it.each<[string, unknown, Path, string]>([
    ['a missing field (an enum reports invalid_value)', {}, ['field'], 'invalid_value'],
    ['payload', { field: 'payload' }, ['field'], 'invalid_value'],
    ['tags', { field: 'tags' }, ['field'], 'invalid_value'],
    ['a payload path', { field: 'payload.label' }, ['field'], 'invalid_value'],
    ['a column name', { field: 'updated_at' }, ['field'], 'invalid_value'],
    ['SQL', { field: 'name; DROP TABLE x' }, ['field'], 'invalid_value'],
    ['an uppercase direction', { field: 'name', direction: 'DESC' }, ['direction'], 'invalid_value'],
    ['a SQL direction', { field: 'name', direction: 'asc NULLS LAST' }, ['direction'], 'invalid_value'],
    ['an unknown key', { field: 'name', nulls: 'last' }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataSortSchema, input)).toEqual([{ path, code }]);
  });

  it('types', () => {
    expectTypeOf<MetadataSortInput['direction']>().toEqualTypeOf<'asc' | 'desc' | undefined>();
    expectTypeOf<MetadataSort['direction']>().toEqualTypeOf<'asc' | 'desc'>();
    expectTypeOf<'payload'>().not.toExtend<MetadataSort['field']>();
    expectTypeOf<'updatedAt'>().toExtend<MetadataSort['field']>();
  });
});

describe('MetadataQueryOptionsSchema', () => {
  it('parses {} to the complete value: no filter, no sort, page 1 of 100', () => {
    const expected: MetadataQueryOptions = {
      filters: {},
      sort: [],
      pagination: { page: 1, pageSize: 100 },
      includeArchived: false,
      includeTotal: false,
    };
    expect(MetadataQueryOptionsSchema.parse({})).toEqual(expected);
  });

  it('parses options with every field set (page form) and round-trips them', () => {
    const full: MetadataQueryOptions = {
      filters: { type: 'object', namespace: 'crm' },
      sort: [
        { field: 'type', direction: 'asc' },
        { field: 'name', direction: 'desc' },
      ],
      pagination: { page: 3, pageSize: 50 },
      fields: ['id', 'type', 'name', 'version'],
      includeArchived: true,
      includeTotal: true,
    };
    expectRoundTrip(MetadataQueryOptionsSchema, full);
  });

  it('parses the cursor form and fills its pageSize', () => {
    expect(MetadataQueryOptionsSchema.parse({ pagination: { cursor: 'eyJpIjoiNDIifQ' } }).pagination).toEqual({
      cursor: 'eyJpIjoiNDIifQ',
      pageSize: 100,
    });
    expect(MetadataQueryOptionsSchema.parse({ pagination: { cursor: 'a'.repeat(2048), pageSize: 1000 } }).pagination).toEqual({
      cursor: 'a'.repeat(2048),
      pageSize: 1000,
    });
  });

  it("fills the page form's defaults when only one of them is given", () => {
    expect(MetadataQueryOptionsSchema.parse({ pagination: { pageSize: 10 } }).pagination).toEqual({ page: 1, pageSize: 10 });
    expect(MetadataQueryOptionsSchema.parse({ pagination: { page: 4 } }).pagination).toEqual({ page: 4, pageSize: 100 });
  });

  it('rejects a cursor and a page together (the two forms are disjoint)', () => {
    const result = MetadataQueryOptionsSchema.safeParse({ pagination: { cursor: 'eyJpIjoiNDIifQ', page: 2 } });
    expect(result.error?.issues).toMatchObject([
      {
        path: ['pagination'],
        code: 'invalid_union',
        message: 'must be either { page, pageSize } or { cursor, pageSize }, never both',
        errors: [[{ code: 'unrecognized_keys', keys: ['cursor'] }], [{ code: 'unrecognized_keys', keys: ['page'] }]],
      },
    ]);
  });

  // A value that fits neither form exactly is reported as invalid_union at pagination, with each form's issues
  // inside; a value that fits one form's shape but breaks a bound is reported at the bound.
  it.each<[string, unknown, Path, string, Path, string]>([
    ['pageSize 0', { pageSize: 0 }, ['pagination', 'pageSize'], 'too_small', [], ''],
    ['pageSize 1001', { pageSize: 1001 }, ['pagination', 'pageSize'], 'too_big', [], ''],
    ['pageSize 1.5', { pageSize: 1.5 }, ['pagination'], 'invalid_union', ['pageSize'], 'invalid_type'],
    ['pageSize "10"', { pageSize: '10' }, ['pagination'], 'invalid_union', ['pageSize'], 'invalid_type'],
    ['pageSize 0 with a cursor', { cursor: 'abc', pageSize: 0 }, ['pagination'], 'invalid_union', ['pageSize'], 'too_small'],
    ['pageSize 1001 with a cursor', { cursor: 'abc', pageSize: 1001 }, ['pagination'], 'invalid_union', ['pageSize'], 'too_big'],
    ['pageSize 1.5 with a cursor', { cursor: 'abc', pageSize: 1.5 }, ['pagination'], 'invalid_union', ['pageSize'], 'invalid_type'],
    ['page 0', { page: 0 }, ['pagination', 'page'], 'too_small', [], ''],
    ['page -1', { page: -1 }, ['pagination', 'page'], 'too_small', [], ''],
    ['page 2**53', { page: 2 ** 53 }, ['pagination', 'page'], 'too_big', [], ''],
    ['page 1e21', { page: 1e21 }, ['pagination', 'page'], 'too_big', [], ''],
    ['an empty cursor', { cursor: '' }, ['pagination'], 'invalid_union', ['cursor'], 'invalid_format'],
    ['a 2049-char cursor', { cursor: 'a'.repeat(2049) }, ['pagination'], 'invalid_union', ['cursor'], 'invalid_format'],
    ['a cursor with SQL', { cursor: "x' OR 1=1 --" }, ['pagination'], 'invalid_union', ['cursor'], 'invalid_format'],
    ['a cursor with non-ASCII', { cursor: 'é' }, ['pagination'], 'invalid_union', ['cursor'], 'invalid_format'],
    ['a cursor with standard base64 characters', { cursor: 'ab+/' }, ['pagination'], 'invalid_union', ['cursor'], 'invalid_format'],
    ['a cursor that is a number (no form has a numeric cursor)', { cursor: 42 }, ['pagination'], 'unrecognized_keys', [], ''],
    ['an offset key', { offset: 100 }, ['pagination'], 'unrecognized_keys', [], ''],
  ])('rejects pagination with %s', (_label, pagination, path, code, innerPath, innerCode) => {
    expect(issuesOf(MetadataQueryOptionsSchema, { pagination })).toEqual([{ path, code }]);
    if (innerCode !== '') {
      const issue = MetadataQueryOptionsSchema.safeParse({ pagination }).error?.issues[0];
      const inner = issue?.code === 'invalid_union' ? issue.errors.flat() : [];
      expect(inner).toContainEqual(expect.objectContaining({ path: innerPath, code: innerCode }));
    }
  });

  it.each<[string, unknown, Path, string]>([
    ['6 sort keys', { sort: Array.from({ length: 6 }, () => ({ field: 'name' })) }, ['sort'], 'too_big'],
    ['a sort on payload', { sort: [{ field: 'payload' }] }, ['sort', 0, 'field'], 'invalid_value'],
    ['an empty field list', { fields: [] }, ['fields'], 'too_small'],
    ['19 fields', { fields: [...METADATA_RECORD_FIELDS, 'id'] }, ['fields'], 'too_big'],
    ['a column name in fields', { fields: ['id', 'updated_at'] }, ['fields', 1], 'invalid_value'],
    ['SQL in fields', { fields: ['*'] }, ['fields', 0], 'invalid_value'],
    ['a typo in filters', { filters: { tpye: 'object' } }, ['filters'], 'unrecognized_keys'],
    [
      'a filter rule broken',
      { filters: { updatedAfter: '2026-02-01T00:00:00Z', updatedBefore: '2026-01-01T00:00:00Z' } },
      ['filters', 'updatedBefore'],
      'custom',
    ],
    ['includeTotal "yes"', { includeTotal: 'yes' }, ['includeTotal'], 'invalid_type'],
    ['includeArchived 1', { includeArchived: 1 }, ['includeArchived'], 'invalid_type'],
    ['an unknown key', { limit: 10 }, [], 'unrecognized_keys'],
    ['a __proto__ key', JSON.parse('{"__proto__": {"includeArchived": true}}'), [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    const issues = issuesOf(MetadataQueryOptionsSchema, input);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path, code });
  });

  it('rejects a sort given as SQL text', () => {
    // Zod also runs the array's max-length check on the string; the first issue is the one that matters.
    expect(issuesOf(MetadataQueryOptionsSchema, { sort: 'name DESC' })[0]).toEqual({ path: ['sort'], code: 'invalid_type' });
  });

  it('types', () => {
    expectTypeOf<MetadataQueryOptionsInput['pagination']>().toEqualTypeOf<
      { page?: number | undefined; pageSize?: number | undefined } | { cursor: string; pageSize?: number | undefined } | undefined
    >();
    expectTypeOf<MetadataQueryOptions['pagination']>().toEqualTypeOf<
      { page: number; pageSize: number } | { cursor: string; pageSize: number }
    >();
    expectTypeOf<MetadataQueryOptions['fields']>().toEqualTypeOf<MetadataRecordField[] | undefined>();
    expectTypeOf<MetadataQueryOptions['filters']>().toEqualTypeOf<MetadataQueryFilters>();
    expectTypeOf<MetadataQueryOptions['includeTotal']>().toEqualTypeOf<boolean>();
  });
});

describe('MetadataBulkOperationSchema', () => {
  const record = { type: 'object', name: 'account', payload: { label: 'Account' } };
  const defaults = { batchSize: 100, concurrency: 1, continueOnError: false, transactional: true, dryRun: false };
  const parsedRecord: MetadataRecord = {
    type: 'object',
    name: 'account',
    namespace: 'default',
    scope: 'platform',
    state: 'active',
    payload: { label: 'Account' },
    mergeStrategy: 'merge',
    tenantId: 'default',
    version: 1,
    tags: [],
  };
  const variants = {
    create: { operation: 'create', records: [record] },
    upsert: { operation: 'upsert', records: [record] },
    update: { operation: 'update', changes: [{ id: 'rec_42', expectedVersion: 3, set: { state: 'archived' } }] },
    delete: { operation: 'delete', ids: [{ id: 'rec_42' }] },
  } as const;

  it('parses a minimal create to the complete value, records and options filled', () => {
    const expected: MetadataBulkOperation = { operation: 'create', records: [parsedRecord], ...defaults };
    expect(MetadataBulkOperationSchema.parse(variants.create)).toEqual(expected);
  });

  it('parses a minimal upsert to the complete value', () => {
    expect(MetadataBulkOperationSchema.parse(variants.upsert)).toEqual({ operation: 'upsert', records: [parsedRecord], ...defaults });
  });

  it('parses a minimal update to the complete value', () => {
    expect(MetadataBulkOperationSchema.parse(variants.update)).toEqual({ ...variants.update, ...defaults });
  });

  it('parses a minimal delete to the complete value', () => {
    expect(MetadataBulkOperationSchema.parse(variants.delete)).toEqual({ ...variants.delete, ...defaults });
  });

  it.each<[string, MetadataBulkOperation]>([
    [
      'create',
      {
        operation: 'create',
        records: [{ ...parsedRecord, id: 'rec_1', scope: 'user', owner: 'jane@acme', state: 'draft', tags: ['crm'] }],
        batchSize: 10_000,
        concurrency: 32,
        continueOnError: true,
        transactional: false,
        dryRun: true,
      },
    ],
    [
      'update',
      {
        operation: 'update',
        changes: [
          {
            id: 'rec_1',
            expectedVersion: 1,
            set: { payload: { label: 'X' }, state: 'deprecated', tags: [], extends: null, mergeStrategy: 'replace' },
          },
          { id: 'rec_2', expectedVersion: 9, set: { extends: 'base_account' } },
        ],
        batchSize: 1,
        concurrency: 1,
        continueOnError: false,
        transactional: true,
        dryRun: false,
      },
    ],
    [
      'delete',
      {
        operation: 'delete',
        ids: [{ id: 'rec_1', expectedVersion: 2 }, { id: 'rec_2' }],
        batchSize: 500,
        concurrency: 4,
        continueOnError: true,
        transactional: false,
        dryRun: false,
      },
    ],
  ])('parses a full %s and round-trips it', (_label, full) => {
    expectRoundTrip(MetadataBulkOperationSchema, full);
  });

  it('rejects a bulk create where one record is user-scoped without an owner, at that record', () => {
    const input = { operation: 'create', records: [record, { ...record, name: 'my_account', scope: 'user' }] };
    expect(issuesOf(MetadataBulkOperationSchema, input)).toEqual([
      { path: ['records', 1, 'owner'], code: 'custom', rule: 'user_scope_requires_owner' },
    ]);
  });

  describe.each(Object.entries(variants))('%s: common options and rules', (_operation, minimal) => {
    it('rejects transactional together with continueOnError (transactional_excludes_continue_on_error)', () => {
      expect(issuesOf(MetadataBulkOperationSchema, { ...minimal, continueOnError: true })).toEqual([
        { path: ['continueOnError'], code: 'custom', rule: 'transactional_excludes_continue_on_error' },
      ]);
      expect(issuesOf(MetadataBulkOperationSchema, { ...minimal, continueOnError: true, transactional: true })).toEqual([
        { path: ['continueOnError'], code: 'custom', rule: 'transactional_excludes_continue_on_error' },
      ]);
      expect(MetadataBulkOperationSchema.safeParse({ ...minimal, continueOnError: true, transactional: false }).success).toBe(true);
    });

    it('rejects concurrency above 1 in a transaction (transactional_is_sequential)', () => {
      expect(issuesOf(MetadataBulkOperationSchema, { ...minimal, concurrency: 2 })).toEqual([
        { path: ['concurrency'], code: 'custom', rule: 'transactional_is_sequential' },
      ]);
      expect(MetadataBulkOperationSchema.safeParse({ ...minimal, concurrency: 2, transactional: false }).success).toBe(true);
    });

    it.each<[string, unknown, Path, string]>([
      ['batchSize 0', { batchSize: 0 }, ['batchSize'], 'too_small'],
      ['batchSize 10_001', { batchSize: 10_001 }, ['batchSize'], 'too_big'],
      ['batchSize 1.5', { batchSize: 1.5 }, ['batchSize'], 'invalid_type'],
      ['batchSize "10"', { batchSize: '10' }, ['batchSize'], 'invalid_type'],
      ['batchSize 1e21', { batchSize: 1e21 }, ['batchSize'], 'too_big'],
      ['concurrency 0', { concurrency: 0 }, ['concurrency'], 'too_small'],
      ['concurrency 33', { concurrency: 33, transactional: false }, ['concurrency'], 'too_big'],
      ['dryRun "true"', { dryRun: 'true' }, ['dryRun'], 'invalid_type'],
      ['an unknown key', { atomic: true }, [], 'unrecognized_keys'],
      ['a __proto__ key', JSON.parse('{"__proto__": {"dryRun": true}}'), [], 'unrecognized_keys'],
      ['a constructor key', { constructor: 1 }, [], 'unrecognized_keys'],
    ])('rejects %s', (_label, patch, path, code) => {
      expect(issuesOf(MetadataBulkOperationSchema, { ...minimal, ...(patch as object) })).toEqual([{ path, code }]);
    });
  });

  it.each<[string, unknown, Path, string]>([
    ['an unknown operation', { operation: 'insert', records: [record] }, ['operation'], 'invalid_union'],
    ['an uppercase operation', { operation: 'CREATE', records: [record] }, ['operation'], 'invalid_union'],
    ['a missing operation', { records: [record] }, ['operation'], 'invalid_union'],
    ['create without records', { operation: 'create' }, ['records'], 'invalid_type'],
    ['create with no records', { operation: 'create', records: [] }, ['records'], 'too_small'],
    ['a record with an unknown key', { operation: 'upsert', records: [{ ...record, nmae: 'x' }] }, ['records', 0], 'unrecognized_keys'],
    [
      'a record with SQL as its name',
      { operation: 'create', records: [{ ...record, name: 'a; DROP TABLE x' }] },
      ['records', 0, 'name'],
      'invalid_format',
    ],
    ['update without changes', { operation: 'update' }, ['changes'], 'invalid_type'],
    [
      'a change without expectedVersion',
      { operation: 'update', changes: [{ id: 'a', set: { state: 'active' } }] },
      ['changes', 0, 'expectedVersion'],
      'invalid_type',
    ],
    [
      'a change with expectedVersion 0',
      { operation: 'update', changes: [{ id: 'a', expectedVersion: 0, set: { state: 'active' } }] },
      ['changes', 0, 'expectedVersion'],
      'too_small',
    ],
    [
      'a change with expectedVersion 1.5',
      { operation: 'update', changes: [{ id: 'a', expectedVersion: 1.5, set: { state: 'active' } }] },
      ['changes', 0, 'expectedVersion'],
      'invalid_type',
    ],
    [
      'a change without id',
      { operation: 'update', changes: [{ expectedVersion: 1, set: { state: 'active' } }] },
      ['changes', 0, 'id'],
      'invalid_type',
    ],
    ['a change without set', { operation: 'update', changes: [{ id: 'a', expectedVersion: 1 }] }, ['changes', 0, 'set'], 'invalid_type'],
    [
      'a change of an invalid state',
      { operation: 'update', changes: [{ id: 'a', expectedVersion: 1, set: { state: 'gone' } }] },
      ['changes', 0, 'set', 'state'],
      'invalid_value',
    ],
    [
      'a change of a payload with __proto__',
      { operation: 'update', changes: [{ id: 'a', expectedVersion: 1, set: { payload: JSON.parse('{"__proto__": 1}') } }] },
      ['changes', 0, 'set', 'payload', '__proto__'],
      'custom',
    ],
    ['delete with a bare id string', { operation: 'delete', ids: ['rec_42'] }, ['ids', 0], 'invalid_type'],
    ['delete with no ids', { operation: 'delete', ids: [] }, ['ids'], 'too_small'],
    [
      'delete with expectedVersion 0',
      { operation: 'delete', ids: [{ id: 'a', expectedVersion: 0 }] },
      ['ids', 0, 'expectedVersion'],
      'too_small',
    ],
    ['delete with an id containing SQL', { operation: 'delete', ids: [{ id: "1' OR '1'='1" }] }, ['ids', 0, 'id'], 'invalid_format'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataBulkOperationSchema, input)).toEqual([{ path, code }]);
  });

  it('rejects a create with changes instead of records', () => {
    expect(issuesOf(MetadataBulkOperationSchema, { operation: 'create', changes: [] })).toEqual([
      { path: ['records'], code: 'invalid_type' },
      { path: [], code: 'unrecognized_keys' },
    ]);
  });

  it('rejects an empty set (set_not_empty)', () => {
    expect(issuesOf(MetadataBulkOperationSchema, { operation: 'update', changes: [{ id: 'a', expectedVersion: 1, set: {} }] })).toEqual([
      { path: ['changes', 0, 'set'], code: 'custom', rule: 'set_not_empty' },
    ]);
  });

  it('rejects a change to an identity field', () => {
    for (const key of ['name', 'type', 'namespace', 'scope', 'owner', 'tenantId', 'version', 'id']) {
      const issues = issuesOf(MetadataBulkOperationSchema, {
        operation: 'update',
        changes: [{ id: 'a', expectedVersion: 1, set: { state: 'active', [key]: 'x' } }],
      });
      expect(issues).toEqual([{ path: ['changes', 0, 'set'], code: 'unrecognized_keys' }]);
    }
  });

  it('accepts exactly 100_000 items and rejects 100_001', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => ({ id: `rec_${i}` }));
    expect(MetadataBulkOperationSchema.safeParse({ operation: 'delete', ids, transactional: false }).success).toBe(true);
    expect(issuesOf(MetadataBulkOperationSchema, { operation: 'delete', ids: [...ids, { id: 'one_more' }] })).toEqual([
      { path: ['ids'], code: 'too_big' },
    ]);
  });

  it('types', () => {
    type Update = Extract<MetadataBulkOperation, { operation: 'update' }>;
    type Delete = Extract<MetadataBulkOperation, { operation: 'delete' }>;
    expectTypeOf<MetadataBulkOperation['operation']>().toEqualTypeOf<'create' | 'upsert' | 'update' | 'delete'>();
    expectTypeOf<Update['changes'][number]['set']['extends']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<Update['changes'][number]['expectedVersion']>().toEqualTypeOf<number>();
    expectTypeOf<Delete['ids'][number]['expectedVersion']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<MetadataBulkOperation['transactional']>().toEqualTypeOf<boolean>();
    expectTypeOf<Extract<MetadataBulkOperationInput, { operation: 'create' }>['transactional']>().toEqualTypeOf<boolean | undefined>();
  });
});

describe('MetadataMigrationOperationSchema', () => {
  const table = '_framework_metadata';

  it('parses a minimal create to the complete value with the default table layout', () => {
    const expected: MetadataMigrationOperation = { type: 'create', table, dryRun: false, tableSchema: DEFAULT_TABLE };
    expect(MetadataMigrationOperationSchema.parse({ type: 'create', table })).toEqual(expected);
  });

  it.each<[string, MetadataMigrationOperationInput, MetadataMigrationOperation]>([
    [
      'alter',
      { type: 'alter', table, changes: [{ action: 'drop_index', name: 'old_idx' }] },
      {
        type: 'alter',
        table,
        dryRun: false,
        changes: [{ action: 'drop_index', name: 'old_idx' }],
      },
    ],
    [
      'drop',
      { type: 'drop', table: 'old_metadata', acknowledgeDataLoss: true },
      {
        type: 'drop',
        table: 'old_metadata',
        dryRun: false,
        acknowledgeDataLoss: true,
      },
    ],
    [
      'backup',
      { type: 'backup', table, backupTable: 'metadata_bak' },
      { type: 'backup', table, dryRun: false, backupTable: 'metadata_bak' },
    ],
    [
      'restore',
      { type: 'restore', table, fromTable: 'metadata_bak', acknowledgeDataLoss: true },
      {
        type: 'restore',
        table,
        dryRun: false,
        fromTable: 'metadata_bak',
        acknowledgeDataLoss: true,
      },
    ],
  ])('parses a minimal %s to the complete value', (_label, input, expected) => {
    expect(MetadataMigrationOperationSchema.parse(input)).toEqual(expected);
  });

  it.each<[string, MetadataMigrationOperation]>([
    [
      'create',
      {
        type: 'create',
        table: 'metadata_items',
        schema: 'platform',
        dryRun: true,
        script: { dialect: 'postgres', sql: 'CREATE TABLE platform.metadata_items (id text PRIMARY KEY)' },
        rollbackScript: { dialect: 'postgres', sql: 'DROP TABLE platform.metadata_items' },
        tableSchema: { ...DEFAULT_TABLE, tableName: 'metadata_items', schema: 'platform' },
      },
    ],
    [
      'alter',
      {
        type: 'alter',
        table,
        dryRun: false,
        script: { dialect: 'mysql', sql: 'ALTER TABLE _framework_metadata DROP COLUMN legacy' },
        changes: [
          { action: 'add_column', field: 'checksum', column: 'checksum' },
          { action: 'drop_column', column: 'legacy', acknowledgeDataLoss: true },
          { action: 'add_index', index: { name: 'metadata_tags_gin', fields: ['tags'], unique: false, type: 'gin' } },
          { action: 'drop_index', name: 'old_idx' },
        ],
      },
    ],
    [
      'restore',
      {
        type: 'restore',
        table,
        schema: 'platform',
        dryRun: true,
        rollbackScript: { dialect: 'sqlite', sql: 'SELECT 1' },
        fromTable: 'metadata_bak',
        acknowledgeDataLoss: true,
      },
    ],
  ])('parses a full %s and round-trips it', (_label, full) => {
    expectRoundTrip(MetadataMigrationOperationSchema, full);
  });

  it('rejects a create whose tableSchema names another table (table_schema_matches_target)', () => {
    expect(issuesOf(MetadataMigrationOperationSchema, { type: 'create', table: 'metadata_items' })).toEqual([
      { path: ['tableSchema', 'tableName'], code: 'custom', rule: 'table_schema_matches_target' },
    ]);
    expect(issuesOf(MetadataMigrationOperationSchema, { type: 'create', table, schema: 'platform' })).toEqual([
      { path: ['tableSchema', 'tableName'], code: 'custom', rule: 'table_schema_matches_target' },
    ]);
    expect(
      MetadataMigrationOperationSchema.safeParse({ type: 'create', table: 'metadata_items', tableSchema: { tableName: 'metadata_items' } })
        .success,
    ).toBe(true);
  });

  it('reports a broken table rule inside create at its nested path', () => {
    expect(
      issuesOf(MetadataMigrationOperationSchema, { type: 'create', table, tableSchema: { columnMapping: { owner: 'name' } } }),
    ).toEqual([{ path: ['tableSchema', 'columnMapping'], code: 'custom', rule: 'column_names_unique' }]);
  });

  it.each<[string, unknown]>([
    ['drop without acknowledgement', { type: 'drop', table }],
    ['drop with acknowledgeDataLoss false', { type: 'drop', table, acknowledgeDataLoss: false }],
    ['drop with acknowledgeDataLoss "true"', { type: 'drop', table, acknowledgeDataLoss: 'true' }],
    ['restore without acknowledgement', { type: 'restore', table, fromTable: 'metadata_bak' }],
    ['a dry-run drop without acknowledgement', { type: 'drop', table, dryRun: true }],
  ])('rejects %s', (_label, input) => {
    expect(issuesOf(MetadataMigrationOperationSchema, input)).toEqual([{ path: ['acknowledgeDataLoss'], code: 'invalid_value' }]);
  });

  it('rejects dropping a column without acknowledgement', () => {
    expect(
      issuesOf(MetadataMigrationOperationSchema, { type: 'alter', table, changes: [{ action: 'drop_column', column: 'legacy' }] }),
    ).toEqual([{ path: ['changes', 0, 'acknowledgeDataLoss'], code: 'invalid_value' }]);
  });

  it('rejects a backup onto its own table (source_differs_from_target)', () => {
    for (const backupTable of [table, '_FRAMEWORK_METADATA']) {
      expect(issuesOf(MetadataMigrationOperationSchema, { type: 'backup', table, backupTable })).toEqual([
        { path: ['backupTable'], code: 'custom', rule: 'source_differs_from_target' },
      ]);
    }
  });

  it('rejects a restore from its own table (source_differs_from_target)', () => {
    expect(issuesOf(MetadataMigrationOperationSchema, { type: 'restore', table, fromTable: table, acknowledgeDataLoss: true })).toEqual([
      { path: ['fromTable'], code: 'custom', rule: 'source_differs_from_target' },
    ]);
  });

  it('rejects a rollback script in another dialect (script_dialects_match)', () => {
    const input = {
      type: 'drop',
      table,
      acknowledgeDataLoss: true,
      script: { dialect: 'postgres', sql: 'DROP TABLE x' },
      rollbackScript: { dialect: 'mysql', sql: 'CREATE TABLE x (id text)' },
    };
    expect(issuesOf(MetadataMigrationOperationSchema, input)).toEqual([
      { path: ['rollbackScript', 'dialect'], code: 'custom', rule: 'script_dialects_match' },
    ]);
  });

  it('reports an invalid index inside an alter at its nested path', () => {
    const input = {
      type: 'alter',
      table,
      changes: [{ action: 'add_index', index: { name: 'x_idx', fields: ['name'], type: 'hash', unique: true } }],
    };
    expect(issuesOf(MetadataMigrationOperationSchema, input)).toEqual([
      { path: ['changes', 0, 'index', 'unique'], code: 'custom', rule: 'hash_index_not_unique' },
    ]);
  });

  describe.each<[string, (bad: string) => unknown, Path]>([
    ['table', (bad) => ({ type: 'drop', table: bad, acknowledgeDataLoss: true }), ['table']],
    ['schema', (bad) => ({ type: 'drop', table, schema: bad, acknowledgeDataLoss: true }), ['schema']],
    ['backupTable', (bad) => ({ type: 'backup', table, backupTable: bad }), ['backupTable']],
    ['fromTable', (bad) => ({ type: 'restore', table, fromTable: bad, acknowledgeDataLoss: true }), ['fromTable']],
    [
      'added column',
      (bad) => ({ type: 'alter', table, changes: [{ action: 'add_column', field: 'checksum', column: bad }] }),
      ['changes', 0, 'column'],
    ],
    ['dropped index', (bad) => ({ type: 'alter', table, changes: [{ action: 'drop_index', name: bad }] }), ['changes', 0, 'name']],
  ])('identifier %s', (_where, build, path) => {
    it.each(BAD_IDENTIFIERS)('rejects %s', (_label, bad) => {
      expect(issuesOf(MetadataMigrationOperationSchema, build(bad))).toEqual([{ path, code: 'invalid_format' }]);
    });
  });

  it.each<[string, unknown, Path, string]>([
    ['an unknown type', { type: 'truncate', table }, ['type'], 'invalid_union'],
    ['a missing type', { table }, ['type'], 'invalid_union'],
    ['a missing table', { type: 'backup', backupTable: 'metadata_bak' }, ['table'], 'invalid_type'],
    ['a backup without backupTable', { type: 'backup', table }, ['backupTable'], 'invalid_type'],
    ['a restore without fromTable', { type: 'restore', table, acknowledgeDataLoss: true }, ['fromTable'], 'invalid_type'],
    ['an alter without changes', { type: 'alter', table }, ['changes'], 'invalid_type'],
    ['an alter with no changes', { type: 'alter', table, changes: [] }, ['changes'], 'too_small'],
    [
      'an alter with 65 changes',
      { type: 'alter', table, changes: Array.from({ length: 65 }, () => ({ action: 'drop_index', name: 'x_idx' })) },
      ['changes'],
      'too_big',
    ],
    [
      'an unknown alter action',
      { type: 'alter', table, changes: [{ action: 'rename_table', name: 'x' }] },
      ['changes', 0, 'action'],
      'invalid_union',
    ],
    [
      'a column added for an unknown field',
      { type: 'alter', table, changes: [{ action: 'add_column', field: 'notes', column: 'notes' }] },
      ['changes', 0, 'field'],
      'invalid_value',
    ],
    [
      'a script for MongoDB',
      { type: 'backup', table, backupTable: 'bak', script: { dialect: 'mongodb', sql: 'db.x.drop()' } },
      ['script', 'dialect'],
      'invalid_value',
    ],
    [
      'an empty script',
      { type: 'backup', table, backupTable: 'bak', script: { dialect: 'postgres', sql: '' } },
      ['script', 'sql'],
      'invalid_format',
    ],
    ['a script given as a string', { type: 'backup', table, backupTable: 'bak', script: 'DROP TABLE x' }, ['script'], 'invalid_type'],
    [
      'a script without a dialect',
      { type: 'backup', table, backupTable: 'bak', script: { sql: 'SELECT 1' } },
      ['script', 'dialect'],
      'invalid_value',
    ],
    [
      'a script with an unknown key',
      { type: 'backup', table, backupTable: 'bak', script: { dialect: 'sqlite', sql: 'SELECT 1', params: [] } },
      ['script'],
      'unrecognized_keys',
    ],
    ['dryRun "yes"', { type: 'backup', table, backupTable: 'bak', dryRun: 'yes' }, ['dryRun'], 'invalid_type'],
    ['acknowledgeDataLoss on a backup', { type: 'backup', table, backupTable: 'bak', acknowledgeDataLoss: true }, [], 'unrecognized_keys'],
    ['a __proto__ key', { ...JSON.parse('{"__proto__": 1}'), type: 'backup', table, backupTable: 'bak' }, [], 'unrecognized_keys'],
    ['a constructor key', { type: 'backup', table, backupTable: 'bak', constructor: 1 }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataMigrationOperationSchema, input)).toEqual([{ path, code }]);
  });

  it('accepts a script of non-ASCII text up to its limit', () => {
    const input = {
      type: 'backup',
      table,
      backupTable: 'bak',
      script: { dialect: 'postgres', sql: "COMMENT ON TABLE x IS 'métadonnées 🚀'" },
    };
    expect(MetadataMigrationOperationSchema.safeParse(input).success).toBe(true);
  });

  it('types', () => {
    type Create = Extract<MetadataMigrationOperation, { type: 'create' }>;
    type Drop = Extract<MetadataMigrationOperationInput, { type: 'drop' }>;
    expectTypeOf<MetadataMigrationOperation['type']>().toEqualTypeOf<'create' | 'alter' | 'drop' | 'backup' | 'restore'>();
    expectTypeOf<Create['tableSchema']>().toEqualTypeOf<MetadataTableSchema>();
    expectTypeOf<Drop['acknowledgeDataLoss']>().toEqualTypeOf<true>();
    expectTypeOf<MetadataMigrationOperation['dryRun']>().toEqualTypeOf<boolean>();
    expectTypeOf<NonNullable<MetadataMigrationOperation['script']>['dialect']>().toEqualTypeOf<'postgres' | 'mysql' | 'sqlite'>();
  });
});
