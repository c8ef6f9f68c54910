import { describe, it, expect, expectTypeOf } from 'vitest';
import type { MetadataTableSchema } from './metadata-table.zod';
import {
  MetadataMigrationOperationSchema,
  type MetadataMigrationOperation,
  type MetadataMigrationOperationInput,
} from './metadata-migration.zod';
import { BAD_IDENTIFIERS, DEFAULT_TABLE, expectRoundTrip } from './testing';
import { issuesOf, type Path } from '../../testing';

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
