import { describe, it, expect, expectTypeOf } from 'vitest';
import type { z } from 'zod';
import type { MetadataPagination, MetadataPaginationInput, MetadataQueryFilters, MetadataSort } from '../data/driver/metadata-query.zod';
import { MetadataRecordSchema, MetadataScopeSchema, type MetadataRecord } from '../data/metadata-record.zod';
import { MetadataDriverConfigSchema, type MetadataDriverConfig } from '../data/driver/metadata-driver.zod';
import {
  METADATA_FILE_LAYOUT,
  MetadataChangeEventSchema,
  MetadataChangeOperationSchema,
  MetadataConflictStrategySchema,
  MetadataDatasourceConfigSchema,
  MetadataExportOptionsSchema,
  MetadataImportOptionsSchema,
  MetadataLoadOptionsSchema,
  MetadataLoadResultSchema,
  MetadataLoaderCapabilitiesSchema,
  MetadataLoaderContractSchema,
  MetadataLoaderProtocolSchema,
  MetadataRecordKeySchema,
  MetadataSaveOptionsSchema,
  MetadataSaveResultSchema,
  MetadataSaveStatusSchema,
  type MetadataChangeEvent,
  type MetadataChangeEventInput,
  type MetadataConflictStrategy,
  type MetadataDatasourceConfig,
  type MetadataDatasourceConfigInput,
  type MetadataExportOptions,
  type MetadataExportOptionsInput,
  type MetadataImportOptions,
  type MetadataImportOptionsInput,
  type MetadataLoadOptions,
  type MetadataLoadOptionsInput,
  type MetadataLoadResult,
  type MetadataLoadResultInput,
  type MetadataLoaderCapabilities,
  type MetadataLoaderCapabilitiesInput,
  type MetadataLoaderContract,
  type MetadataLoaderContractInput,
  type MetadataLoaderProtocol,
  type MetadataRecordKey,
  type MetadataRecordKeyInput,
  type MetadataSaveOptions,
  type MetadataSaveOptionsInput,
  type MetadataSaveResult,
  type MetadataSaveStatus,
} from './metadata-persistence.zod';
import { issuesOf, type Path } from '../testing';

/** A bad-input table row: label, input, expected path, expected code. */
type BadRow = [string, unknown, Path, string];

const C0 = `sha256:${'0'.repeat(64)}`;
const C1 = `sha256:${'1'.repeat(64)}`;
const NOW = '2026-01-31T09:30:00Z';
/** An own `__proto__` key, as JSON.parse makes it; spreading it copies the key as data. */
const PROTO_KEY = JSON.parse('{"__proto__": 1}') as Record<string, unknown>;

const NUMBER_ABUSE = (min: number, max: number): [string, unknown, string][] => [
  ['below the minimum', min - 1, 'too_small'],
  ['negative', -1, 'too_small'],
  ['fractional', min + 0.5, 'invalid_type'],
  ['above the maximum', max + 1, 'too_big'],
  ['1e21', 1e21, 'too_big'],
  ['2**53', 2 ** 53, 'too_big'],
  ['a numeric string', '10', 'invalid_type'],
  ['NaN', Number.NaN, 'invalid_type'],
];

const DATE_TIME_ABUSE: [string, unknown][] = [
  ['an impossible date', '2026-02-30T00:00:00Z'],
  ['a date only', '2026-01-01'],
  ['no time zone', '2026-01-01T10:00:00'],
  ['a space instead of T', '2026-01-01 10:00:00Z'],
];

// ---------------------------------------------------------------------------

describe('MetadataDatasourceConfigSchema', () => {
  const minimal = { datasource: 'metadata_db' };

  it('parses the datasource name and nothing else: no default is filled', () => {
    expect(MetadataDatasourceConfigSchema.parse(minimal)).toEqual({ datasource: 'metadata_db' });
  });

  it('reports a missing datasource as invalid_type', () => {
    expect(issuesOf(MetadataDatasourceConfigSchema, {})).toEqual([{ path: ['datasource'], code: 'invalid_type' }]);
  });

  // The table, migration, cache and batching are MetadataDriverConfig's: one place for each setting.
  it.each<[string, Record<string, unknown>]>([
    ['table', { table: 'y' }],
    ['schema', { schema: 'metadata' }],
    ['autoMigrate', { autoMigrate: false }],
    ['cache', { cache: { ttlSeconds: 600 } }],
    ['query', { query: { batchSize: 500 } }],
    ['a "use indexes" option (the query planner picks indexes)', { useIndexes: true }],
  ])('rejects %s as an unknown key', (_label, patch) => {
    const result = MetadataDatasourceConfigSchema.safeParse({ ...minimal, ...patch });
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: [], code: 'unrecognized_keys', keys: Object.keys(patch) })]);
  });

  it.each<BadRow>([
    ['an own __proto__ key', PROTO_KEY, [], 'unrecognized_keys'],
    ['a constructor key', { constructor: 1 }, [], 'unrecognized_keys'],
    ['SQL as a datasource name', { datasource: 'meta; DROP TABLE x' }, ['datasource'], 'invalid_format'],
    ['a hyphen in the datasource name', { datasource: 'a-b' }, ['datasource'], 'invalid_format'],
    ['a datasource name starting with a digit', { datasource: '1abc' }, ['datasource'], 'invalid_format'],
    ['a 64-char datasource name', { datasource: 'a'.repeat(64) }, ['datasource'], 'too_big'],
    ['a 10_000-char datasource name', { datasource: 'a'.repeat(10_000) }, ['datasource'], 'too_big'],
    ['an empty datasource name', { datasource: '' }, ['datasource'], 'invalid_format'],
    ['an inline connection URL with a password', { datasource: 'postgres://app:hunter2@db/meta' }, ['datasource'], 'invalid_format'],
    ['a datasource object instead of its name', { datasource: { driver: 'sqlite' } }, ['datasource'], 'invalid_type'],
  ])('rejects %s', (_label, patch, path, code) => {
    expect(issuesOf(MetadataDatasourceConfigSchema, { ...minimal, ...(patch as object) })).toEqual([{ path, code }]);
  });

  it('types: the datasource name is the whole config', () => {
    expectTypeOf<MetadataDatasourceConfigInput>().toEqualTypeOf<{ datasource: string }>();
    expectTypeOf<MetadataDatasourceConfig>().toEqualTypeOf<{ datasource: string }>();
  });
});

// ---------------------------------------------------------------------------

describe('MetadataLoaderProtocolSchema', () => {
  it('has the three protocols', () => {
    expect(MetadataLoaderProtocolSchema.options).toEqual(['file', 'memory', 'datasource']);
  });

  it.each(['http', 'https', 'ftp', 'File', 'database', ''])('rejects %j', (input) => {
    expect(issuesOf(MetadataLoaderProtocolSchema, input)).toEqual([{ path: [], code: 'invalid_value' }]);
  });

  it('types', () => {
    expectTypeOf<MetadataLoaderProtocol>().toEqualTypeOf<'file' | 'memory' | 'datasource'>();
  });
});

describe('MetadataLoaderCapabilitiesSchema', () => {
  const defaults = { read: true, write: false, watch: false, list: true, history: false, transactions: false };

  it('parses {} to a read-only loader that can list', () => {
    expect(MetadataLoaderCapabilitiesSchema.parse({})).toEqual(defaults);
  });

  it('parses every capability set and round-trips it', () => {
    const full = { read: false, write: true, watch: true, list: false, history: true, transactions: true };
    expect(MetadataLoaderCapabilitiesSchema.parse(full)).toEqual(full);
    expect(MetadataLoaderCapabilitiesSchema.parse(MetadataLoaderCapabilitiesSchema.parse(full))).toEqual(full);
  });

  it('rejects transactions without write (transactions_require_write)', () => {
    expect(issuesOf(MetadataLoaderCapabilitiesSchema, { transactions: true })).toEqual([
      { path: ['transactions'], code: 'custom', rule: 'transactions_require_write' },
    ]);
    expect(issuesOf(MetadataLoaderCapabilitiesSchema, { transactions: true, write: false })).toEqual([
      { path: ['transactions'], code: 'custom', rule: 'transactions_require_write' },
    ]);
    expect(MetadataLoaderCapabilitiesSchema.safeParse({ transactions: true, write: true }).success).toBe(true);
  });

  it.each<BadRow>([
    ['a typo', { writes: true }, [], 'unrecognized_keys'],
    ['an own __proto__ key', PROTO_KEY, [], 'unrecognized_keys'],
    ['a constructor key', { constructor: true }, [], 'unrecognized_keys'],
    ['a string boolean', { write: 'true' }, ['write'], 'invalid_type'],
    ['a numeric boolean', { watch: 1 }, ['watch'], 'invalid_type'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataLoaderCapabilitiesSchema, { ...(input as object) })).toEqual([{ path, code }]);
  });

  it('types', () => {
    expectTypeOf<MetadataLoaderCapabilitiesInput['write']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<MetadataLoaderCapabilities['write']>().toEqualTypeOf<boolean>();
  });
});

// ---------------------------------------------------------------------------

describe('METADATA_FILE_LAYOUT', () => {
  it('gives one path pattern per scope, the owner only under user', () => {
    expect(Object.keys(METADATA_FILE_LAYOUT)).toEqual(MetadataScopeSchema.options);
    expect(METADATA_FILE_LAYOUT).toEqual({
      system: '<tenantId>/system/<type>/<namespace>/<name>.json',
      platform: '<tenantId>/platform/<type>/<namespace>/<name>.json',
      user: '<tenantId>/user/<owner>/<type>/<namespace>/<name>.json',
    });
    expect(Object.isFrozen(METADATA_FILE_LAYOUT)).toBe(true);
  });
});

describe('MetadataLoaderContractSchema', () => {
  const capabilities = { read: true, write: false, watch: false, list: true, history: false, transactions: false };
  const file = { protocol: 'file', name: 'builtin', rootDir: '/srv/app/metadata' };
  const memory = { protocol: 'memory', name: 'fixtures' };
  const datasource = { protocol: 'datasource', name: 'metadata_db', datasourceConfig: { datasource: 'metadata_db' } };

  it('parses each minimal variant to the complete value; a file loader reads records by default', () => {
    expect(MetadataLoaderContractSchema.parse(file)).toEqual({ ...file, format: 'record', capabilities });
    expect(MetadataLoaderContractSchema.parse(memory)).toEqual({ ...memory, capabilities });
    expect(MetadataLoaderContractSchema.parse(datasource)).toEqual({
      protocol: 'datasource',
      name: 'metadata_db',
      capabilities,
      datasourceConfig: { datasource: 'metadata_db' },
    });
  });

  it.each<[string, MetadataLoaderContractInput]>([
    ['file', { ...file, protocol: 'file', format: 'payload', description: 'Shipped definitions', capabilities: { watch: true } }],
    ['memory', { ...memory, protocol: 'memory', description: 'Fixtures', capabilities: { write: true, history: true } }],
    [
      'datasource',
      {
        protocol: 'datasource',
        name: 'metadata_db',
        description: 'Customisations in PostgreSQL',
        capabilities: { read: true, write: true, watch: true, list: true, history: true, transactions: true },
        datasourceConfig: { datasource: 'metadata_db' },
      },
    ],
  ])('parses a full %s loader and round-trips it', (_protocol, full) => {
    const parsed = MetadataLoaderContractSchema.parse(full);
    expect(parsed).toEqual({ ...full, capabilities: { ...capabilities, ...full.capabilities } });
    expect(MetadataLoaderContractSchema.parse(parsed)).toEqual(parsed);
  });

  it('rejects the http protocol, which stays out until its endpoint is specified', () => {
    const http = { protocol: 'http', name: 'central', baseUrl: 'https://metadata.example.com/v1' };
    expect(issuesOf(MetadataLoaderContractSchema, http)).toEqual([{ path: ['protocol'], code: 'invalid_union' }]);
  });

  it('rejects a datasource loader without datasourceConfig', () => {
    expect(issuesOf(MetadataLoaderContractSchema, { protocol: 'datasource', name: 'metadata_db' })).toEqual([
      { path: ['datasourceConfig'], code: 'invalid_type' },
    ]);
  });

  it.each([
    ['file', file],
    ['memory', memory],
  ])('rejects datasourceConfig on a %s loader as an unrecognized key', (_protocol, base) => {
    const result = MetadataLoaderContractSchema.safeParse({ ...base, datasourceConfig: { datasource: 'metadata_db' } });
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: [], code: 'unrecognized_keys', keys: ['datasourceConfig'] })]);
  });

  it('rejects the settings of another protocol', () => {
    expect(issuesOf(MetadataLoaderContractSchema, { ...memory, rootDir: '/x' })).toEqual([{ path: [], code: 'unrecognized_keys' }]);
    expect(issuesOf(MetadataLoaderContractSchema, { ...memory, format: 'record' })).toEqual([{ path: [], code: 'unrecognized_keys' }]);
    expect(issuesOf(MetadataLoaderContractSchema, { ...datasource, rootDir: '/x' })).toEqual([{ path: [], code: 'unrecognized_keys' }]);
  });

  it('rejects table settings in a datasource loader: they belong to metadata', () => {
    const result = MetadataLoaderContractSchema.safeParse({ ...datasource, datasourceConfig: { datasource: 'x', table: 'y' } });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ['datasourceConfig'], code: 'unrecognized_keys', keys: ['table'] }),
    ]);
  });

  it('reports a capability rule at its nested path', () => {
    expect(issuesOf(MetadataLoaderContractSchema, { ...memory, capabilities: { transactions: true } })).toEqual([
      { path: ['capabilities', 'transactions'], code: 'custom', rule: 'transactions_require_write' },
    ]);
  });

  it('counts description length in code points, so 1000 emoji fit', () => {
    expect(MetadataLoaderContractSchema.safeParse({ ...memory, description: '🚀'.repeat(1000) }).success).toBe(true);
  });

  it.each<BadRow>([
    ['no protocol', { name: 'x' }, ['protocol'], 'invalid_union'],
    ['an unknown protocol', { ...memory, protocol: 'ftp' }, ['protocol'], 'invalid_union'],
    ['an uppercase protocol', { ...memory, protocol: 'FILE' }, ['protocol'], 'invalid_union'],
    ['a missing name', { protocol: 'memory' }, ['name'], 'invalid_type'],
    ['a missing rootDir', { protocol: 'file', name: 'x' }, ['rootDir'], 'invalid_type'],
    ['a typo', { ...memory, capabilites: {} }, [], 'unrecognized_keys'],
    ['an own __proto__ key', { ...memory, ...PROTO_KEY }, [], 'unrecognized_keys'],
    ['a constructor key', { ...memory, constructor: 1 }, [], 'unrecognized_keys'],
    ['SQL as a name', { ...memory, name: 'meta; DROP TABLE x' }, ['name'], 'invalid_format'],
    ['a 64-char name', { ...memory, name: 'a'.repeat(64) }, ['name'], 'too_big'],
    ['an empty description', { ...memory, description: '' }, ['description'], 'invalid_format'],
    ['a 10_000-char description', { ...memory, description: 'd'.repeat(10_000) }, ['description'], 'invalid_format'],
    ['a relative rootDir', { ...file, rootDir: 'metadata' }, ['rootDir'], 'invalid_format'],
    ['a 10_000-char rootDir', { ...file, rootDir: `/${'a'.repeat(10_000)}` }, ['rootDir'], 'invalid_format'],
    ['a rootDir with NUL', { ...file, rootDir: '/srv/\0x' }, ['rootDir'], 'invalid_format'],
    ['an unknown file format', { ...file, format: 'yaml' }, ['format'], 'invalid_value'],
    ['an uppercase file format', { ...file, format: 'Record' }, ['format'], 'invalid_value'],
    ['a null file format', { ...file, format: null }, ['format'], 'invalid_value'],
    [
      'a datasourceConfig typo',
      { ...datasource, datasourceConfig: { datasource: 'metadata_db', tabel: 'x' } },
      ['datasourceConfig'],
      'unrecognized_keys',
    ],
    [
      'a datasourceConfig without its datasource',
      { ...datasource, datasourceConfig: {} },
      ['datasourceConfig', 'datasource'],
      'invalid_type',
    ],
    ['a non-object', 'datasource', [], 'invalid_type'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataLoaderContractSchema, input)).toEqual([{ path, code }]);
  });

  it('types: the protocol narrows the variant', () => {
    type DatasourceLoader = Extract<MetadataLoaderContract, { protocol: 'datasource' }>;
    type FileLoader = Extract<MetadataLoaderContract, { protocol: 'file' }>;
    expectTypeOf<DatasourceLoader['datasourceConfig']>().toEqualTypeOf<MetadataDatasourceConfig>();
    expectTypeOf<FileLoader>().not.toHaveProperty('datasourceConfig');
    expectTypeOf<FileLoader['rootDir']>().toEqualTypeOf<string>();
    expectTypeOf<FileLoader['format']>().toEqualTypeOf<'record' | 'payload'>();
    expectTypeOf<Extract<MetadataLoaderContractInput, { protocol: 'file' }>['format']>().toEqualTypeOf<'record' | 'payload' | undefined>();
    expectTypeOf<MetadataLoaderContract['capabilities']>().toEqualTypeOf<MetadataLoaderCapabilities>();
    expectTypeOf<undefined>().toExtend<Extract<MetadataLoaderContractInput, { protocol: 'memory' }>['capabilities']>();
    expectTypeOf<MetadataLoaderContract['protocol']>().toEqualTypeOf<MetadataLoaderProtocol>();
  });
});

// ---------------------------------------------------------------------------

describe('MetadataLoadOptionsSchema', () => {
  it('parses {} to the complete value: the first page of 100, no total', () => {
    const expected: MetadataLoadOptions = {
      filters: {},
      sort: [],
      pagination: { pageSize: 100 },
      includeTotal: false,
      useCache: true,
      includeArchived: false,
      resolveInheritance: true,
    };
    expect(MetadataLoadOptionsSchema.parse({})).toStrictEqual(expected);
  });

  it('parses options with every field set and round-trips them', () => {
    const full: MetadataLoadOptionsInput = {
      filters: {
        type: ['object', 'field'],
        namespace: 'crm',
        state: 'active',
        conditions: [{ field: 'payload/fields/first-name/required', operator: 'eq', value: true }],
      },
      sort: [{ field: 'type' }, { field: 'updatedAt', direction: 'desc' }],
      pagination: { pageSize: 1000, cursor: 'eyJpIjoiNDIifQ' },
      includeTotal: true,
      useCache: false,
      includeArchived: true,
      ifNoneMatch: C0,
      resolveInheritance: false,
    };
    const parsed = MetadataLoadOptionsSchema.parse(full);
    expect(parsed).toStrictEqual({
      ...full,
      sort: [
        { field: 'type', direction: 'asc' },
        { field: 'updatedAt', direction: 'desc' },
      ],
    });
    expect(MetadataLoadOptionsSchema.parse(parsed)).toStrictEqual(parsed);
  });

  it('fills a pagination of {} to { pageSize: 100 } exactly, and keeps a cursor given with a pageSize', () => {
    expect(MetadataLoadOptionsSchema.parse({ pagination: {} }).pagination).toStrictEqual({ pageSize: 100 });
    expect(MetadataLoadOptionsSchema.parse({ pagination: { cursor: 'eyJpIjoiNDIifQ', pageSize: 20 } }).pagination).toStrictEqual({
      pageSize: 20,
      cursor: 'eyJpIjoiNDIifQ',
    });
  });

  it.each<BadRow>([
    ['a typo', { useCahce: false }, [], 'unrecognized_keys'],
    ['an own __proto__ key', PROTO_KEY, [], 'unrecognized_keys'],
    ['a constructor key', { constructor: 1 }, [], 'unrecognized_keys'],
    ['the dropped "use indexes" option', { useIndexes: true }, [], 'unrecognized_keys'],
    // Removed: a loader reads through its own datasource's metadata driver.
    ['the removed datasource override', { datasource: 'metadata_archive' }, [], 'unrecognized_keys'],
    // Removed: a load pages with pagination.pageSize and pagination.cursor.
    ['the removed limit', { limit: 500 }, [], 'unrecognized_keys'],
    ['a cursor outside pagination', { cursor: 'eyJpIjoiNDIifQ' }, [], 'unrecognized_keys'],
    ['a page number', { pagination: { page: 2 } }, ['pagination'], 'unrecognized_keys'],
    ['a typo in filters', { filters: { typ: 'object' } }, ['filters'], 'unrecognized_keys'],
    ['a filter value that is not a machine name', { filters: { type: 'Bad-Type' } }, ['filters', 'type'], 'invalid_format'],
    ['SQL text as filters', { filters: "type = 'object' OR 1=1" }, ['filters'], 'invalid_type'],
    [
      'a dotted payload path',
      { filters: { conditions: [{ field: 'payload.label', operator: 'exists', value: true }] } },
      ['filters', 'conditions', 0, 'field'],
      'invalid_format',
    ],
    ['6 sort keys', { sort: Array.from({ length: 6 }, () => ({ field: 'name' })) }, ['sort'], 'too_big'],
    ['sorting by payload', { sort: [{ field: 'payload' }] }, ['sort', 0, 'field'], 'invalid_value'],
    ['sorting by a column name', { sort: [{ field: 'updated_at' }] }, ['sort', 0, 'field'], 'invalid_value'],
    ['a sort typo', { sort: [{ field: 'name', dir: 'desc' }] }, ['sort', 0], 'unrecognized_keys'],
    ['a sort direction in SQL', { sort: [{ field: 'name', direction: 'DESC; --' }] }, ['sort', 0, 'direction'], 'invalid_value'],
    ...NUMBER_ABUSE(1, 1000).map(([label, value, code]): BadRow => [
      `pageSize ${label}`,
      { pagination: { pageSize: value } },
      ['pagination', 'pageSize'],
      code,
    ]),
    ['a cursor with SQL', { pagination: { cursor: "' OR 1=1 --" } }, ['pagination', 'cursor'], 'invalid_format'],
    ['an empty cursor', { pagination: { cursor: '' } }, ['pagination', 'cursor'], 'invalid_format'],
    ['a 10_000-char cursor', { pagination: { cursor: 'a'.repeat(10_000) } }, ['pagination', 'cursor'], 'invalid_format'],
    ['includeTotal as a string', { includeTotal: 'true' }, ['includeTotal'], 'invalid_type'],
    ['useCache as a string', { useCache: 'false' }, ['useCache'], 'invalid_type'],
    ['a malformed ifNoneMatch', { ifNoneMatch: 'W/"abc"' }, ['ifNoneMatch'], 'invalid_format'],
    ['an md5 ifNoneMatch', { ifNoneMatch: `md5:${'a'.repeat(32)}` }, ['ifNoneMatch'], 'invalid_format'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataLoadOptionsSchema, { ...(input as object) })).toEqual([{ path, code }]);
  });

  it('names the removed keys in the error', () => {
    expect(MetadataLoadOptionsSchema.safeParse({ datasource: 'metadata_archive', limit: 500 }).error?.issues).toMatchObject([
      { path: [], code: 'unrecognized_keys', keys: ['datasource', 'limit'] },
    ]);
  });

  it('reports a date-time rule inside a condition at its nested path (date_time_field_needs_date_time_value)', () => {
    expect(
      issuesOf(MetadataLoadOptionsSchema, { filters: { conditions: [{ field: 'createdAt', operator: 'lt', value: '2026-01-01' }] } }),
    ).toEqual([{ path: ['filters', 'conditions', 0, 'value'], code: 'custom', rule: 'date_time_field_needs_date_time_value' }]);
  });

  it('types', () => {
    expectTypeOf<undefined>().toExtend<MetadataLoadOptionsInput['filters']>();
    expectTypeOf<MetadataLoadOptions['filters']>().toEqualTypeOf<MetadataQueryFilters>();
    expectTypeOf<MetadataLoadOptions['sort']>().toEqualTypeOf<MetadataSort[]>();
    expectTypeOf<MetadataLoadOptions['useCache']>().toEqualTypeOf<boolean>();
    expectTypeOf<MetadataLoadOptionsInput['useCache']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<MetadataLoadOptions['pagination']>().toEqualTypeOf<MetadataPagination>();
    expectTypeOf<MetadataLoadOptionsInput['pagination']>().toEqualTypeOf<MetadataPaginationInput | undefined>();
    expectTypeOf<MetadataLoadOptions['includeTotal']>().toEqualTypeOf<boolean>();
    expectTypeOf<MetadataLoadOptions>().not.toHaveProperty('limit');
    expectTypeOf<MetadataLoadOptions>().not.toHaveProperty('cursor');
    expectTypeOf<MetadataLoadOptions>().not.toHaveProperty('datasource');
  });
});

// ---------------------------------------------------------------------------

describe('MetadataLoadResultSchema', () => {
  const minimal = { records: [], checksum: C0, fromCache: false, loadedAt: NOW };
  const record = { type: 'object', name: 'account', payload: { label: 'Account' } };

  it('parses the minimal result (a last page, no total asked for) to the complete value, with no total or nextCursor filled in', () => {
    expect(MetadataLoadResultSchema.parse(minimal)).toStrictEqual({
      records: [],
      checksum: C0,
      fromCache: false,
      notModified: false,
      loadedAt: NOW,
    });
  });

  it('requires the page checksum (R16: every page carries one)', () => {
    const { checksum: _checksum, ...withoutChecksum } = minimal;
    expect(issuesOf(MetadataLoadResultSchema, withoutChecksum)).toEqual([{ path: ['checksum'], code: 'invalid_type' }]);
  });

  it("parses a result with every field set, filling each record's defaults, and round-trips it", () => {
    const full: MetadataLoadResultInput = {
      records: [record],
      total: 1234,
      nextCursor: 'eyJpIjoiNDIifQ',
      checksum: C0,
      fromCache: true,
      notModified: false,
      loadedAt: '2026-01-31T10:30:00.125+01:00',
    };
    const parsed = MetadataLoadResultSchema.parse(full);
    expect(parsed).toEqual({ ...full, records: [MetadataRecordSchema.parse(record)] });
    expect(parsed.records[0]?.version).toBe(1);
    expect(MetadataLoadResultSchema.parse(parsed)).toEqual(parsed);
  });

  it('accepts a notModified result with no records', () => {
    expect(MetadataLoadResultSchema.safeParse({ ...minimal, notModified: true, checksum: C0, fromCache: true }).success).toBe(true);
  });

  it('rejects a notModified result with records (not_modified_has_no_records)', () => {
    expect(issuesOf(MetadataLoadResultSchema, { ...minimal, records: [record], notModified: true })).toEqual([
      { path: ['records'], code: 'custom', rule: 'not_modified_has_no_records' },
    ]);
  });

  it('rejects a notModified result with a nextCursor (not_modified_has_no_next_cursor)', () => {
    expect(issuesOf(MetadataLoadResultSchema, { ...minimal, notModified: true, nextCursor: 'abc' })).toEqual([
      { path: ['nextCursor'], code: 'custom', rule: 'not_modified_has_no_next_cursor' },
    ]);
  });

  it('rejects a total below the number of records (total_not_below_record_count)', () => {
    expect(issuesOf(MetadataLoadResultSchema, { ...minimal, records: [record, { ...record, name: 'contact' }], total: 1 })).toEqual([
      { path: ['total'], code: 'custom', rule: 'total_not_below_record_count' },
    ]);
    expect(MetadataLoadResultSchema.safeParse({ ...minimal, records: [record], total: 1 }).success).toBe(true);
  });

  it('validates each record, rules included', () => {
    expect(issuesOf(MetadataLoadResultSchema, { ...minimal, records: [{ ...record, scope: 'user' }] })).toEqual([
      { path: ['records', 0, 'owner'], code: 'custom', rule: 'user_scope_requires_owner' },
    ]);
  });

  it('rejects a negative total (and, as the rule also runs, reports it below the record count)', () => {
    expect(issuesOf(MetadataLoadResultSchema, { ...minimal, total: -1 })).toEqual([
      { path: ['total'], code: 'too_small' },
      { path: ['total'], code: 'custom', rule: 'total_not_below_record_count' },
    ]);
  });

  it.each<[string]>([['records'], ['fromCache'], ['loadedAt']])('reports a missing %s as invalid_type', (field) => {
    const input: Record<string, unknown> = { ...minimal };
    delete input[field];
    expect(issuesOf(MetadataLoadResultSchema, input)).toEqual([{ path: [field], code: 'invalid_type' }]);
  });

  it.each<BadRow>([
    ['a typo', { notModifed: true }, [], 'unrecognized_keys'],
    ['an own __proto__ key', PROTO_KEY, [], 'unrecognized_keys'],
    ['a record with an unknown key', { records: [{ ...record, extra: 1 }] }, ['records', 0], 'unrecognized_keys'],
    [
      'a record with a __proto__ payload key',
      { records: [{ ...record, payload: JSON.parse('{"a": {"__proto__": 1}}') }] },
      ['records', 0, 'payload', 'a', '__proto__'],
      'custom',
    ],
    ['a fractional total', { total: 1.5 }, ['total'], 'invalid_type'],
    ['a total of 2**53', { total: 2 ** 53 }, ['total'], 'too_big'],
    ['a string total', { total: '10' }, ['total'], 'invalid_type'],
    ['a malformed nextCursor', { nextCursor: 'a b' }, ['nextCursor'], 'invalid_format'],
    ['an uppercase checksum', { checksum: C0.replace('sha256', 'SHA256') }, ['checksum'], 'invalid_format'],
    ['fromCache as a string', { fromCache: 'no' }, ['fromCache'], 'invalid_type'],
    ...DATE_TIME_ABUSE.map(([label, value]): BadRow => [`loadedAt as ${label}`, { loadedAt: value }, ['loadedAt'], 'invalid_format']),
  ])('rejects %s', (_label, patch, path, code) => {
    expect(issuesOf(MetadataLoadResultSchema, { ...minimal, ...(patch as object) })).toEqual([{ path, code }]);
  });

  it('types', () => {
    expectTypeOf<MetadataLoadResult['records']>().toEqualTypeOf<MetadataRecord[]>();
    expectTypeOf<MetadataLoadResultInput['notModified']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<MetadataLoadResult['notModified']>().toEqualTypeOf<boolean>();
    expectTypeOf<MetadataLoadResult['total']>().toEqualTypeOf<number | undefined>();
  });
});

// ---------------------------------------------------------------------------

describe('MetadataConflictStrategySchema', () => {
  it('has the four strategies, shared by save and import', () => {
    expect(MetadataConflictStrategySchema.options).toEqual(['error', 'skip', 'update', 'replace']);
  });

  it.each(['overwrite', 'merge', 'upsert', 'ERROR', ''])('rejects %j', (input) => {
    expect(issuesOf(MetadataConflictStrategySchema, input)).toEqual([{ path: [], code: 'invalid_value' }]);
  });

  it('types: save and import use the same strategy type', () => {
    expectTypeOf<MetadataSaveOptions['onConflict']>().toEqualTypeOf<MetadataConflictStrategy>();
    expectTypeOf<MetadataImportOptions['onConflict']>().toEqualTypeOf<MetadataConflictStrategy>();
  });
});

describe('MetadataSaveOptionsSchema', () => {
  it("parses {} to the complete value, without a transaction key: the driver's settings apply", () => {
    const parsed = MetadataSaveOptionsSchema.parse({});
    expect(parsed).toEqual({ onConflict: 'update', dryRun: false, recordHistory: true });
    expect(parsed).not.toHaveProperty('transaction');
  });

  it.each([[{ isolationLevel: 'serializable' }], [{ timeoutMs: 5_000 }], [{ isolationLevel: 'read_uncommitted', timeoutMs: 1 }]] as const)(
    'keeps a transaction override %j exactly as given, filling nothing',
    (transaction) => {
      expect(MetadataSaveOptionsSchema.parse({ transaction })).toEqual({
        transaction,
        onConflict: 'update',
        dryRun: false,
        recordHistory: true,
      });
    },
  );

  it('rejects an empty transaction override (transaction_override_not_empty)', () => {
    expect(issuesOf(MetadataSaveOptionsSchema, { transaction: {} })).toEqual([
      { path: ['transaction'], code: 'custom', rule: 'transaction_override_not_empty' },
    ]);
    // A misspelt field alone overrides nothing either: both are reported.
    expect(issuesOf(MetadataSaveOptionsSchema, { transaction: { timeout: 5 } })).toEqual([
      { path: ['transaction'], code: 'unrecognized_keys' },
      { path: ['transaction'], code: 'custom', rule: 'transaction_override_not_empty' },
    ]);
  });

  it("shares the bounds of the driver's transaction settings", () => {
    for (const timeoutMs of [0, 3_600_001]) {
      const driver = MetadataDriverConfigSchema.safeParse({ datasource: 'metadata_db', transactions: { timeoutMs } });
      const save = MetadataSaveOptionsSchema.safeParse({ transaction: { timeoutMs } });
      expect([driver.success, save.success]).toEqual([false, false]);
      expect(driver.error?.issues[0]?.code).toBe(save.error?.issues[0]?.code);
    }
  });

  it('rejects a datasource override: a config has one metadata store', () => {
    const result = MetadataSaveOptionsSchema.safeParse({ datasource: 'metadata_db' });
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: [], code: 'unrecognized_keys', keys: ['datasource'] })]);
  });

  it('parses options with every field set and round-trips them', () => {
    const full: MetadataSaveOptionsInput = {
      transaction: { isolationLevel: 'serializable', timeoutMs: 3_600_000 },
      onConflict: 'replace',
      expectedVersion: 3,
      dryRun: true,
      recordHistory: false,
      actor: 'jane@acme',
    };
    const parsed = MetadataSaveOptionsSchema.parse(full);
    expect(parsed).toEqual(full);
    expect(MetadataSaveOptionsSchema.parse(parsed)).toEqual(parsed);
  });

  it.each(['update', 'replace', undefined])('accepts expectedVersion with onConflict %s', (onConflict) => {
    expect(MetadataSaveOptionsSchema.safeParse({ expectedVersion: 2, onConflict }).success).toBe(true);
  });

  it.each(['skip', 'error'])('rejects expectedVersion with onConflict %s (expected_version_requires_update_or_replace)', (onConflict) => {
    expect(issuesOf(MetadataSaveOptionsSchema, { expectedVersion: 2, onConflict })).toEqual([
      { path: ['onConflict'], code: 'custom', rule: 'expected_version_requires_update_or_replace' },
    ]);
  });

  it('accepts skip and error without expectedVersion', () => {
    expect(MetadataSaveOptionsSchema.parse({ onConflict: 'skip' }).onConflict).toBe('skip');
    expect(MetadataSaveOptionsSchema.parse({ onConflict: 'error' }).onConflict).toBe('error');
  });

  it.each<BadRow>([
    ['a typo', { dryrun: true }, [], 'unrecognized_keys'],
    ['an own __proto__ key', PROTO_KEY, [], 'unrecognized_keys'],
    ['a constructor key', { constructor: 1 }, [], 'unrecognized_keys'],
    ['an unknown strategy', { onConflict: 'overwrite' }, ['onConflict'], 'invalid_value'],
    ['expectedVersion 0', { expectedVersion: 0 }, ['expectedVersion'], 'too_small'],
    ['expectedVersion -1', { expectedVersion: -1 }, ['expectedVersion'], 'too_small'],
    ['expectedVersion 1.5', { expectedVersion: 1.5 }, ['expectedVersion'], 'invalid_type'],
    ['expectedVersion "2"', { expectedVersion: '2' }, ['expectedVersion'], 'invalid_type'],
    ['expectedVersion 2**53', { expectedVersion: 2 ** 53 }, ['expectedVersion'], 'too_big'],
    ['expectedVersion 1e21', { expectedVersion: 1e21 }, ['expectedVersion'], 'too_big'],
    ['a transaction typo', { transaction: { isolationLevel: 'serializable', timeout: 5 } }, ['transaction'], 'unrecognized_keys'],
    ['an unknown isolation level', { transaction: { isolationLevel: 'snapshot' } }, ['transaction', 'isolationLevel'], 'invalid_value'],
    ...NUMBER_ABUSE(1, 3_600_000).map(([label, value, code]): BadRow => [
      `timeoutMs ${label}`,
      { transaction: { timeoutMs: value } },
      ['transaction', 'timeoutMs'],
      code,
    ]),
    ['an actor with a space', { actor: 'jane doe' }, ['actor'], 'invalid_format'],
    ['an empty actor', { actor: '' }, ['actor'], 'invalid_format'],
    ['a 10_000-char actor', { actor: 'a'.repeat(10_000) }, ['actor'], 'invalid_format'],
    ['a transaction of null', { transaction: null }, ['transaction'], 'invalid_type'],
    ['an isolation level of null', { transaction: { isolationLevel: null } }, ['transaction', 'isolationLevel'], 'invalid_value'],
    ['recordHistory as a number', { recordHistory: 0 }, ['recordHistory'], 'invalid_type'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataSaveOptionsSchema, { ...(input as object) })).toEqual([{ path, code }]);
  });

  it('types', () => {
    expectTypeOf<MetadataSaveOptionsInput['onConflict']>().toEqualTypeOf<MetadataConflictStrategy | undefined>();
    expectTypeOf<MetadataSaveOptions['transaction']>().toEqualTypeOf<
      { isolationLevel?: MetadataDriverConfig['transactions']['isolationLevel'] | undefined; timeoutMs?: number | undefined } | undefined
    >();
    expectTypeOf<MetadataSaveOptions>().not.toHaveProperty('datasource');
    expectTypeOf<MetadataSaveOptions['expectedVersion']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<MetadataSaveOptions['recordHistory']>().toEqualTypeOf<boolean>();
  });
});

// ---------------------------------------------------------------------------

describe('MetadataSaveStatusSchema', () => {
  it('has the five statuses', () => {
    expect(MetadataSaveStatusSchema.options).toEqual(['created', 'updated', 'replaced', 'skipped', 'unchanged']);
  });

  it.each(['saved', 'deleted', ''])('rejects %j', (input) => {
    expect(issuesOf(MetadataSaveStatusSchema, input)).toEqual([{ path: [], code: 'invalid_value' }]);
  });
});

describe('MetadataSaveResultSchema', () => {
  const created = { id: 'rec_42', status: 'created', version: 1, checksum: C0, savedAt: NOW, dryRun: false };
  const updated = { ...created, status: 'updated', version: 4, previousVersion: 3 };

  it('parses a created result unchanged (it has no defaults)', () => {
    expect(MetadataSaveResultSchema.parse(created)).toEqual(created);
  });

  it.each(['updated', 'replaced'])('parses a %s result with previousVersion and round-trips it', (status) => {
    const full = { ...updated, status, dryRun: true };
    const parsed = MetadataSaveResultSchema.parse(full);
    expect(parsed).toEqual(full);
    expect(MetadataSaveResultSchema.parse(parsed)).toEqual(parsed);
  });

  it.each(['skipped', 'unchanged'])('parses a %s result without previousVersion', (status) => {
    expect(MetadataSaveResultSchema.parse({ ...created, status, version: 7 })).toEqual({ ...created, status, version: 7 });
  });

  it.each(['created', 'skipped', 'unchanged'])('rejects previousVersion on a %s result (no version was overwritten)', (status) => {
    const result = MetadataSaveResultSchema.safeParse({ ...created, status, previousVersion: 1 });
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: [], code: 'unrecognized_keys', keys: ['previousVersion'] })]);
  });

  it.each(['updated', 'replaced'])('requires previousVersion on a %s result', (status) => {
    expect(issuesOf(MetadataSaveResultSchema, { ...created, status, version: 2 })).toEqual([
      { path: ['previousVersion'], code: 'invalid_type' },
    ]);
  });

  it('rejects a version that is not previousVersion + 1 (version_follows_previous_version)', () => {
    for (const version of [3, 5]) {
      expect(issuesOf(MetadataSaveResultSchema, { ...updated, version })).toEqual([
        { path: ['version'], code: 'custom', rule: 'version_follows_previous_version' },
      ]);
    }
  });

  it.each<[string]>([['id'], ['version'], ['checksum'], ['savedAt'], ['dryRun']])('reports a missing %s as invalid_type', (field) => {
    const input: Record<string, unknown> = { ...created };
    delete input[field];
    expect(issuesOf(MetadataSaveResultSchema, input)).toEqual([{ path: [field], code: 'invalid_type' }]);
  });

  it.each<BadRow>([
    ['an unknown status', { status: 'saved' }, ['status'], 'invalid_union'],
    ['no status', { status: undefined }, ['status'], 'invalid_union'],
    ['a typo', { savedat: NOW }, [], 'unrecognized_keys'],
    ['an own __proto__ key', PROTO_KEY, [], 'unrecognized_keys'],
    ['version 0', { version: 0 }, ['version'], 'too_small'],
    ['version -1', { version: -1 }, ['version'], 'too_small'],
    ['version 1.5', { version: 1.5 }, ['version'], 'invalid_type'],
    ['version "2"', { version: '2' }, ['version'], 'invalid_type'],
    ['version 2**53', { version: 2 ** 53 }, ['version'], 'too_big'],
    ['a malformed checksum', { checksum: C0.slice(0, -1) }, ['checksum'], 'invalid_format'],
    ['an id with a space', { id: 'rec 42' }, ['id'], 'invalid_format'],
    ...DATE_TIME_ABUSE.map(([label, value]): BadRow => [`savedAt as ${label}`, { savedAt: value }, ['savedAt'], 'invalid_format']),
  ])('rejects %s', (_label, patch, path, code) => {
    expect(issuesOf(MetadataSaveResultSchema, { ...created, ...(patch as object) })).toEqual([{ path, code }]);
  });

  it('rejects a previousVersion of 0 on an update', () => {
    expect(issuesOf(MetadataSaveResultSchema, { ...updated, previousVersion: 0, version: 1 })).toEqual([
      { path: ['previousVersion'], code: 'too_small' },
    ]);
  });

  it('types: only updated and replaced results carry previousVersion', () => {
    expectTypeOf<MetadataSaveResult['status']>().toEqualTypeOf<MetadataSaveStatus>();
    type NothingOverwritten = Extract<MetadataSaveResult, { status: 'created' | 'skipped' | 'unchanged' }>;
    type NewVersion = Extract<MetadataSaveResult, { status: 'updated' | 'replaced' }>;
    expectTypeOf<NothingOverwritten['status']>().toEqualTypeOf<'created' | 'skipped' | 'unchanged'>();
    expectTypeOf<NothingOverwritten>().not.toHaveProperty('previousVersion');
    expectTypeOf<NewVersion['previousVersion']>().toEqualTypeOf<number>();
  });
});

// ---------------------------------------------------------------------------

describe('MetadataChangeOperationSchema', () => {
  it('has the five operations', () => {
    expect(MetadataChangeOperationSchema.options).toEqual(['create', 'update', 'delete', 'archive', 'restore']);
  });

  it.each(['insert', 'upsert', 'DELETE', ''])('rejects %j', (input) => {
    expect(issuesOf(MetadataChangeOperationSchema, input)).toEqual([{ path: [], code: 'invalid_value' }]);
  });
});

describe('MetadataRecordKeySchema', () => {
  const minimal = { type: 'object', name: 'account' };

  it("parses the minimal key to the complete value, with the record's defaults", () => {
    expect(MetadataRecordKeySchema.parse(minimal)).toEqual({
      tenantId: 'default',
      type: 'object',
      namespace: 'default',
      scope: 'platform',
      name: 'account',
    });
  });

  it('parses a key with every field set and round-trips it', () => {
    const full: MetadataRecordKeyInput = {
      tenantId: 'acme',
      type: 'view',
      namespace: 'crm',
      scope: 'user',
      owner: 'jane@acme',
      name: 'my_accounts',
    };
    expect(MetadataRecordKeySchema.parse(full)).toEqual(full);
    expect(MetadataRecordKeySchema.parse(MetadataRecordKeySchema.parse(full))).toEqual(full);
  });

  it("reuses the record's field schemas", () => {
    for (const field of ['tenantId', 'type', 'namespace', 'scope', 'owner', 'name'] as const) {
      expect(MetadataRecordKeySchema.shape[field]).toBe(MetadataRecordSchema.shape[field]);
    }
    expect(Object.keys(MetadataRecordKeySchema.shape)).toEqual(['tenantId', 'type', 'namespace', 'scope', 'owner', 'name']);
  });

  it('rejects a user-scope key without an owner (user_scope_requires_owner)', () => {
    expect(issuesOf(MetadataRecordKeySchema, { ...minimal, scope: 'user' })).toEqual([
      { path: ['owner'], code: 'custom', rule: 'user_scope_requires_owner' },
    ]);
  });

  it.each(['platform', 'system', undefined] as const)('rejects an owner on a %s-scope key (owner_only_for_user_scope)', (scope) => {
    expect(issuesOf(MetadataRecordKeySchema, { ...minimal, ...(scope ? { scope } : {}), owner: 'jane@acme' })).toEqual([
      { path: ['owner'], code: 'custom', rule: 'owner_only_for_user_scope' },
    ]);
  });

  it.each<[string]>([['type'], ['name']])('reports a missing %s as invalid_type', (field) => {
    const input: Record<string, unknown> = { ...minimal };
    delete input[field];
    expect(issuesOf(MetadataRecordKeySchema, input)).toEqual([{ path: [field], code: 'invalid_type' }]);
  });

  it.each<BadRow>([
    ['a non-key record field', { version: 1 }, [], 'unrecognized_keys'],
    ['the record id', { id: 'rec_42' }, [], 'unrecognized_keys'],
    ['an own __proto__ key', PROTO_KEY, [], 'unrecognized_keys'],
    ['SQL as a name', { name: 'meta; DROP TABLE x' }, ['name'], 'invalid_format'],
    ['a 64-char type', { type: 't'.repeat(64) }, ['type'], 'too_big'],
    ['an unknown scope', { scope: 'global' }, ['scope'], 'invalid_value'],
    ['an empty tenant', { tenantId: '' }, ['tenantId'], 'invalid_format'],
  ])('rejects %s', (_label, patch, path, code) => {
    expect(issuesOf(MetadataRecordKeySchema, { ...minimal, ...(patch as object) })).toEqual([{ path, code }]);
  });

  it('types', () => {
    expectTypeOf<MetadataRecordKeyInput['tenantId']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<MetadataRecordKey['tenantId']>().toEqualTypeOf<string>();
    expectTypeOf<MetadataRecordKey['scope']>().toEqualTypeOf<MetadataRecord['scope']>();
    expectTypeOf<MetadataRecordKey['owner']>().toEqualTypeOf<string | undefined>();
  });
});

// ---------------------------------------------------------------------------

describe('MetadataChangeEventSchema', () => {
  const common = {
    sequence: 1042,
    key: { type: 'object', name: 'account' },
    recordId: 'rec_42',
    version: 1,
    actor: 'jane@acme',
    occurredAt: NOW,
  };
  const create = { ...common, operation: 'create', checksumAfter: C0 };
  const update = { ...common, operation: 'update', version: 2, checksumBefore: C0, checksumAfter: C1 };
  const remove = { ...common, operation: 'delete', version: 2, checksumBefore: C1 };

  it('parses a minimal create event to the complete value, key defaults included', () => {
    expect(MetadataChangeEventSchema.parse(create)).toEqual({
      sequence: 1042,
      operation: 'create',
      key: { tenantId: 'default', type: 'object', namespace: 'default', scope: 'platform', name: 'account' },
      recordId: 'rec_42',
      version: 1,
      checksumAfter: C0,
      actor: 'jane@acme',
      occurredAt: NOW,
    });
  });

  it.each(['update', 'archive', 'restore'])('parses a full %s event and round-trips it', (operation) => {
    const full: MetadataChangeEventInput = {
      ...update,
      operation: operation as 'update',
      key: { tenantId: 'acme', type: 'view', namespace: 'crm', scope: 'user', owner: 'jane@acme', name: 'my_accounts' },
      transactionId: 'tx_0192d3e4',
    };
    const parsed = MetadataChangeEventSchema.parse(full);
    expect(parsed).toEqual(full);
    expect(MetadataChangeEventSchema.parse(parsed)).toEqual(parsed);
  });

  it('parses a delete event with checksumBefore only', () => {
    expect(MetadataChangeEventSchema.parse(remove)).toMatchObject({ operation: 'delete', checksumBefore: C1 });
  });

  it('rejects checksumBefore on a create event, even as null', () => {
    for (const checksumBefore of [C0, null]) {
      const result = MetadataChangeEventSchema.safeParse({ ...create, checksumBefore });
      expect(result.error?.issues).toEqual([expect.objectContaining({ path: [], code: 'unrecognized_keys', keys: ['checksumBefore'] })]);
    }
  });

  it('rejects checksumAfter on a delete event', () => {
    const result = MetadataChangeEventSchema.safeParse({ ...remove, checksumAfter: C0 });
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: [], code: 'unrecognized_keys', keys: ['checksumAfter'] })]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['create without checksumAfter', create, 'checksumAfter'],
    ['update without checksumBefore', update, 'checksumBefore'],
    ['update without checksumAfter', update, 'checksumAfter'],
    ['archive without checksumBefore', { ...update, operation: 'archive' }, 'checksumBefore'],
    ['restore without checksumAfter', { ...update, operation: 'restore' }, 'checksumAfter'],
    ['delete without checksumBefore', remove, 'checksumBefore'],
    ['an event without sequence', create, 'sequence'],
    ['an event without key', create, 'key'],
    ['an event without recordId', update, 'recordId'],
    ['an event without version', remove, 'version'],
    ['an event without actor', create, 'actor'],
    ['an event without occurredAt', update, 'occurredAt'],
  ])('rejects %s as invalid_type at its path', (_label, base, field) => {
    const input: Record<string, unknown> = { ...base };
    delete input[field];
    expect(issuesOf(MetadataChangeEventSchema, input)).toEqual([{ path: [field], code: 'invalid_type' }]);
  });

  it('reports the key rule at its nested path', () => {
    expect(issuesOf(MetadataChangeEventSchema, { ...create, key: { ...create.key, scope: 'user' } })).toEqual([
      { path: ['key', 'owner'], code: 'custom', rule: 'user_scope_requires_owner' },
    ]);
  });

  it.each<BadRow>([
    ['an unknown operation', { operation: 'insert' }, ['operation'], 'invalid_union'],
    ['no operation', { operation: undefined }, ['operation'], 'invalid_union'],
    ['a typo', { occuredAt: NOW }, [], 'unrecognized_keys'],
    ['an own __proto__ key', PROTO_KEY, [], 'unrecognized_keys'],
    ['a key typo', { key: { type: 'object', name: 'account', nmae: 'x' } }, ['key'], 'unrecognized_keys'],
    ['sequence 0', { sequence: 0 }, ['sequence'], 'too_small'],
    ['sequence -1', { sequence: -1 }, ['sequence'], 'too_small'],
    ['sequence 1.5', { sequence: 1.5 }, ['sequence'], 'invalid_type'],
    ['sequence "10"', { sequence: '10' }, ['sequence'], 'invalid_type'],
    ['sequence 2**53', { sequence: 2 ** 53 }, ['sequence'], 'too_big'],
    ['sequence 1e21', { sequence: 1e21 }, ['sequence'], 'too_big'],
    ['version 0', { version: 0 }, ['version'], 'too_small'],
    ['a malformed checksumAfter', { checksumAfter: 'sha256:xyz' }, ['checksumAfter'], 'invalid_format'],
    ['an actor with a space', { actor: 'jane doe' }, ['actor'], 'invalid_format'],
    ['an empty transactionId', { transactionId: '' }, ['transactionId'], 'invalid_format'],
    ...DATE_TIME_ABUSE.map(([label, value]): BadRow => [`occurredAt as ${label}`, { occurredAt: value }, ['occurredAt'], 'invalid_format']),
  ])('rejects %s', (_label, patch, path, code) => {
    expect(issuesOf(MetadataChangeEventSchema, { ...create, ...(patch as object) })).toEqual([{ path, code }]);
  });

  it('types: the operation decides which checksums are present', () => {
    type Create = Extract<MetadataChangeEvent, { operation: 'create' }>;
    type Delete = Extract<MetadataChangeEvent, { operation: 'delete' }>;
    type Update = Extract<MetadataChangeEvent, { operation: 'update' | 'archive' | 'restore' }>;
    expectTypeOf<Create>().not.toHaveProperty('checksumBefore');
    expectTypeOf<Create['checksumAfter']>().toEqualTypeOf<string>();
    expectTypeOf<Delete>().not.toHaveProperty('checksumAfter');
    expectTypeOf<Update['checksumBefore']>().toEqualTypeOf<string>();
    expectTypeOf<MetadataChangeEvent['key']>().toEqualTypeOf<MetadataRecordKey>();
    expectTypeOf<MetadataChangeEvent['sequence']>().toEqualTypeOf<number>();
  });
});

// ---------------------------------------------------------------------------

describe('MetadataExportOptionsSchema', () => {
  it('parses {} to the complete value', () => {
    expect(MetadataExportOptionsSchema.parse({})).toEqual({
      filters: {},
      format: 'ndjson',
      includeHistory: false,
      includeArchived: false,
      includeAudit: true,
    });
  });

  it('parses options with every field set and round-trips them', () => {
    const full: MetadataExportOptionsInput = {
      filters: { namespace: 'crm', tags: ['core'] },
      format: 'json',
      includeHistory: true,
      includeArchived: true,
      includeAudit: false,
    };
    const parsed = MetadataExportOptionsSchema.parse(full);
    expect(parsed).toEqual(full);
    expect(MetadataExportOptionsSchema.parse(parsed)).toEqual(parsed);
  });

  it.each<BadRow>([
    ['a request to include secrets', { includeSecrets: true }, [], 'unrecognized_keys'],
    ['a typo', { fromat: 'json' }, [], 'unrecognized_keys'],
    ['an own __proto__ key', PROTO_KEY, [], 'unrecognized_keys'],
    ['a constructor key', { constructor: 1 }, [], 'unrecognized_keys'],
    ['an unknown format', { format: 'csv' }, ['format'], 'invalid_value'],
    ['an uppercase format', { format: 'JSON' }, ['format'], 'invalid_value'],
    ['a typo in filters', { filters: { namepsace: 'crm' } }, ['filters'], 'unrecognized_keys'],
    ['SQL in a filter', { filters: { namespace: "crm' OR 1=1" } }, ['filters', 'namespace'], 'invalid_format'],
    ['includeHistory as a string', { includeHistory: 'yes' }, ['includeHistory'], 'invalid_type'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataExportOptionsSchema, { ...(input as object) })).toEqual([{ path, code }]);
  });

  it('types', () => {
    expectTypeOf<MetadataExportOptionsInput['format']>().toEqualTypeOf<'json' | 'ndjson' | undefined>();
    expectTypeOf<MetadataExportOptions['format']>().toEqualTypeOf<'json' | 'ndjson'>();
    expectTypeOf<MetadataExportOptions['filters']>().toEqualTypeOf<MetadataQueryFilters>();
  });
});

describe('MetadataImportOptionsSchema', () => {
  it('parses {} to the complete value', () => {
    expect(MetadataImportOptionsSchema.parse({})).toEqual({
      onConflict: 'error',
      dryRun: false,
      batchSize: 100,
      atomic: true,
      continueOnError: false,
      preserveVersions: false,
    });
  });

  it('parses options with every field set and round-trips them', () => {
    const full: MetadataImportOptionsInput = {
      onConflict: 'skip',
      dryRun: true,
      batchSize: 10_000,
      atomic: false,
      continueOnError: true,
      preserveVersions: true,
    };
    const parsed = MetadataImportOptionsSchema.parse(full);
    expect(parsed).toEqual(full);
    expect(MetadataImportOptionsSchema.parse(parsed)).toEqual(parsed);
  });

  it('rejects continueOnError with atomic left at its default (atomic_excludes_continue_on_error)', () => {
    expect(issuesOf(MetadataImportOptionsSchema, { continueOnError: true })).toEqual([
      { path: ['continueOnError'], code: 'custom', rule: 'atomic_excludes_continue_on_error' },
    ]);
    expect(issuesOf(MetadataImportOptionsSchema, { continueOnError: true, atomic: true })).toEqual([
      { path: ['continueOnError'], code: 'custom', rule: 'atomic_excludes_continue_on_error' },
    ]);
    expect(MetadataImportOptionsSchema.safeParse({ continueOnError: true, atomic: false }).success).toBe(true);
  });

  it.each(['update', 'replace'])('rejects preserveVersions with onConflict %s (preserve_versions_requires_error_or_skip)', (onConflict) => {
    expect(issuesOf(MetadataImportOptionsSchema, { preserveVersions: true, onConflict })).toEqual([
      { path: ['onConflict'], code: 'custom', rule: 'preserve_versions_requires_error_or_skip' },
    ]);
  });

  it.each(['error', 'skip', undefined])('accepts preserveVersions with onConflict %s', (onConflict) => {
    expect(MetadataImportOptionsSchema.safeParse({ preserveVersions: true, onConflict }).success).toBe(true);
  });

  it('reports both rules when both are broken', () => {
    expect(issuesOf(MetadataImportOptionsSchema, { continueOnError: true, preserveVersions: true, onConflict: 'update' })).toEqual([
      { path: ['continueOnError'], code: 'custom', rule: 'atomic_excludes_continue_on_error' },
      { path: ['onConflict'], code: 'custom', rule: 'preserve_versions_requires_error_or_skip' },
    ]);
  });

  it.each<BadRow>([
    ['a typo', { atomik: false }, [], 'unrecognized_keys'],
    ['an own __proto__ key', PROTO_KEY, [], 'unrecognized_keys'],
    ['a constructor key', { constructor: 1 }, [], 'unrecognized_keys'],
    ['an unknown strategy', { onConflict: 'merge' }, ['onConflict'], 'invalid_value'],
    ...NUMBER_ABUSE(1, 10_000).map(([label, value, code]): BadRow => [`batchSize ${label}`, { batchSize: value }, ['batchSize'], code]),
    ['atomic as a string', { atomic: 'false' }, ['atomic'], 'invalid_type'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataImportOptionsSchema, { ...(input as object) })).toEqual([{ path, code }]);
  });

  it('types', () => {
    expectTypeOf<MetadataImportOptionsInput['atomic']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<MetadataImportOptions['atomic']>().toEqualTypeOf<boolean>();
    expectTypeOf<MetadataImportOptions['batchSize']>().toEqualTypeOf<number>();
  });
});
