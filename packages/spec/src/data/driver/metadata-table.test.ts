import { describe, it, expect, expectTypeOf } from 'vitest';
import { DatasourceDriverSchema } from '../datasource.zod';
import { METADATA_RECORD_FIELDS, type MetadataRecordField } from '../metadata-record.zod';
import {
  DEFAULT_METADATA_TABLE_NAME,
  MetadataColumnMappingSchema,
  MetadataIndexSchema,
  MetadataStorageLayoutSchema,
  MetadataTableSchemaSchema,
  STORAGE_LAYOUT_BY_DRIVER,
  type MetadataColumnMapping,
  type MetadataColumnMappingInput,
  type MetadataIndex,
  type MetadataIndexInput,
  type MetadataStorageLayout,
  type MetadataTableSchema,
  type MetadataTableSchemaInput,
} from './metadata-table.zod';
import { BAD_IDENTIFIERS, DEFAULT_COLUMNS, DEFAULT_TABLE, expectRoundTrip } from './testing';
import { issuesOf, type Path } from '../../testing';

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

describe('STORAGE_LAYOUT_BY_DRIVER', () => {
  it('gives the layout of every driver, and only of drivers: relational for SQL, document for MongoDB', () => {
    expect(Object.keys(STORAGE_LAYOUT_BY_DRIVER)).toEqual(DatasourceDriverSchema.options);
    expect(STORAGE_LAYOUT_BY_DRIVER).toEqual({ postgres: 'relational', mysql: 'relational', sqlite: 'relational', mongodb: 'document' });
    for (const layout of Object.values(STORAGE_LAYOUT_BY_DRIVER)) expect(MetadataStorageLayoutSchema.parse(layout)).toBe(layout);
    expect(Object.isFrozen(STORAGE_LAYOUT_BY_DRIVER)).toBe(true);
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

  it.each<[string, MetadataIndexInput, string]>([
    [
      'hash',
      { name: 'metadata_checksum_hash', fields: ['checksum'], type: 'hash', unique: true },
      'a hash index cannot be unique (PostgreSQL and MongoDB have no unique hash index); use btree',
    ],
    ['gin', { name: 'metadata_payload_gin', fields: ['payload'], type: 'gin', unique: true }, 'a gin index cannot be unique; use btree'],
  ])('says why a unique %s index is refused, and what to use instead', (type, input, message) => {
    expect(MetadataIndexSchema.safeParse(input).error?.issues).toEqual([
      expect.objectContaining({ path: ['unique'], message, params: { rule: `${type}_index_not_unique` } }),
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
    };
    expectRoundTrip(MetadataTableSchemaSchema, full);
  });

  it("accepts id mapped to _id (MongoDB's own key), with no layout to set", () => {
    expect(MetadataTableSchemaSchema.parse({ columnMapping: { id: '_id' } })).toEqual({
      ...DEFAULT_TABLE,
      columnMapping: { ...DEFAULT_COLUMNS, id: '_id' },
    });
  });

  it('rejects layout as an unknown key: the layout follows from the driver', () => {
    expect(issuesOf(MetadataTableSchemaSchema, { layout: 'document' })).toEqual([{ path: [], code: 'unrecognized_keys' }]);
    expect(MetadataTableSchemaSchema.safeParse({ layout: 'relational' }).error?.issues).toEqual([
      expect.objectContaining({ code: 'unrecognized_keys', keys: ['layout'] }),
    ]);
  });

  it('accepts a schema on its own: whether the driver has schemas is checked by MetasourceConfig', () => {
    expect(MetadataTableSchemaSchema.parse({ schema: 'platform' })).toEqual({ ...DEFAULT_TABLE, schema: 'platform' });
  });

  it('fills the defaults of each index', () => {
    expect(MetadataTableSchemaSchema.parse({ indexes: [{ name: 'metadata_type_idx', fields: ['type'] }] }).indexes).toEqual([
      { name: 'metadata_type_idx', fields: ['type'], unique: false, type: 'btree' },
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
    ['a layout, even an unknown one', { layout: 'wide_column' }, [], 'unrecognized_keys'],
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
