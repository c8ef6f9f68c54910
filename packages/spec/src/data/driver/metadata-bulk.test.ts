import { describe, it, expect, expectTypeOf } from 'vitest';
import type { MetadataRecordWrite } from '../metadata-record.zod';
import { MetadataBulkOperationSchema, type MetadataBulkOperation, type MetadataBulkOperationInput } from './metadata-bulk.zod';
import { expectRoundTrip } from './testing';
import { issuesOf, type Path } from '../../testing';

describe('MetadataBulkOperationSchema', () => {
  const record = { type: 'object', name: 'account', payload: { label: 'Account' } };
  const defaults = { batchSize: 100, concurrency: 1, continueOnError: false, transactional: true, dryRun: false };
  // A write fills its key defaults and nothing else: absent content fields are the runtime's to decide.
  const parsedRecord: MetadataRecordWrite = {
    type: 'object',
    name: 'account',
    namespace: 'default',
    scope: 'platform',
    payload: { label: 'Account' },
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
        records: [
          {
            ...parsedRecord,
            tenantId: 'acme',
            scope: 'user',
            owner: 'jane@acme',
            state: 'draft',
            tags: ['crm'],
            extends: 'base_account',
            mergeStrategy: 'replace',
          },
        ],
        batchSize: 10_000,
        concurrency: 32,
        continueOnError: true,
        transactional: false,
        dryRun: true,
      },
    ],
    [
      'upsert',
      {
        operation: 'upsert',
        records: [
          { ...parsedRecord, expectedVersion: 3, state: 'deprecated', extends: null },
          { ...parsedRecord, name: 'contact' },
        ],
        batchSize: 250,
        concurrency: 1,
        continueOnError: false,
        transactional: true,
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

  it('rejects expectedVersion on any record of a create (create_has_no_expected_version)', () => {
    const input = { operation: 'create', records: [record, { ...record, name: 'contact', expectedVersion: 2 }] };
    expect(issuesOf(MetadataBulkOperationSchema, input)).toEqual([
      { path: ['records'], code: 'custom', rule: 'create_has_no_expected_version' },
    ]);
  });

  it('accepts expectedVersion on an upsert record', () => {
    const input = { operation: 'upsert', records: [{ ...record, expectedVersion: 2 }] };
    expect(MetadataBulkOperationSchema.parse(input)).toEqual({
      operation: 'upsert',
      records: [{ ...parsedRecord, expectedVersion: 2 }],
      ...defaults,
    });
  });

  it.each(['version', 'checksum', 'createdAt', 'id'])('rejects %s on a create or upsert record: the runtime owns it', (key) => {
    const value = { version: 3, checksum: `sha256:${'0'.repeat(64)}`, createdAt: '2026-01-31T09:30:00Z', id: 'rec_1' }[key];
    for (const operation of ['create', 'upsert']) {
      expect(issuesOf(MetadataBulkOperationSchema, { operation, records: [{ ...record, [key]: value }] })).toEqual([
        { path: ['records', 0], code: 'unrecognized_keys' },
      ]);
    }
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
    type Create = Extract<MetadataBulkOperation, { operation: 'create' }>;
    expectTypeOf<Create['records'][number]>().toEqualTypeOf<MetadataRecordWrite>();
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
