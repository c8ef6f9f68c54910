import { describe, it, expect, expectTypeOf } from 'vitest';
import type { MetadataTableSchema } from './metadata-table.zod';
import {
  MetadataCacheConfigSchema,
  MetadataDriverConfigSchema,
  type MetadataCacheConfig,
  type MetadataCacheConfigInput,
  type MetadataDriverConfig,
  type MetadataDriverConfigInput,
} from './metadata-driver.zod';
import { DEFAULT_COLUMNS, DEFAULT_TABLE, expectRoundTrip } from './testing';
import { issuesOf, type Path } from '../../testing';

const DEFAULT_CACHE: MetadataCacheConfig = { enabled: true, ttlSeconds: 300, invalidateOnWrite: true, maxEntries: 10_000 };

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
    expect(
      issuesOf(MetadataDriverConfigSchema, { ...minimal, table: { indexes: [{ name: '_framework_metadata', fields: ['type'] }] } }),
    ).toEqual([{ path: ['table', 'indexes'], code: 'custom', rule: 'index_names_unique' }]);
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
