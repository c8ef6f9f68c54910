import { describe, expect, expectTypeOf, it } from 'vitest';
import { issuesOf, type Path } from '../../testing';
import {
  MetadataItemResultSchema,
  MetadataOperationErrorCodeSchema,
  MetadataOperationErrorSchema,
  MetadataOperationResultSchema,
  type MetadataOperationError,
  type MetadataOperationErrorCode,
  type MetadataOperationResult,
  type MetadataOperationResultInput,
} from './metadata-operation-result.zod';

const conflict = {
  code: 'version_conflict',
  message: 'stored version is 4, the change was based on version 3',
  expectedVersion: 3,
  actualVersion: 4,
} as const;

describe('MetadataOperationErrorSchema', () => {
  const notFound = { code: 'not_found', message: 'no item rec_42' } as const;
  const exists = { code: 'already_exists', message: 'object crm.account exists', existingId: 'rec_42', actualVersion: 4 } as const;
  const invalid = { code: 'invalid', message: 'payload.fields must be an object', path: ['payload', 'fields', 0] } as const;

  it.each<[string, Record<string, unknown>]>([
    ['version_conflict with both versions', conflict],
    ['not_found without a version', notFound],
    ['not_found with the expectedVersion the write gave', { ...notFound, expectedVersion: 3 }],
    ['already_exists with the stored id and version', exists],
    ['invalid with a path', invalid],
    ['invalid without a path', { code: 'invalid', message: 'payload too deep' }],
    ['constraint_violation', { code: 'constraint_violation', message: 'unique index refused the key' }],
    ['timeout', { code: 'timeout', message: 'transaction exceeded 30000 ms' }],
    ['unavailable', { code: 'unavailable', message: 'datasource metadata_db unreachable' }],
  ])('parses %s to itself', (_label, error) => {
    expect(MetadataOperationErrorSchema.parse(error)).toEqual(error);
  });

  it('covers every code with a variant', () => {
    const codes = MetadataOperationErrorSchema.options.flatMap((variant) => variant.shape.code.options);
    expect([...codes].sort()).toEqual([...MetadataOperationErrorCodeSchema.options].sort());
  });

  it.each<[string, Record<string, unknown>, Path, string]>([
    // Required fields of each variant.
    [
      'version_conflict without actualVersion',
      { code: 'version_conflict', message: 'stale', expectedVersion: 3 },
      ['actualVersion'],
      'invalid_type',
    ],
    [
      'version_conflict without expectedVersion',
      { code: 'version_conflict', message: 'stale', actualVersion: 4 },
      ['expectedVersion'],
      'invalid_type',
    ],
    ['already_exists without existingId', { code: 'already_exists', message: 'exists', actualVersion: 4 }, ['existingId'], 'invalid_type'],
    [
      'already_exists without actualVersion',
      { code: 'already_exists', message: 'exists', existingId: 'rec_42' },
      ['actualVersion'],
      'invalid_type',
    ],
    ['a missing message', { code: 'timeout' }, ['message'], 'invalid_type'],
    // Fields of other variants are unknown keys.
    ['actualVersion on not_found', { ...notFound, actualVersion: 4 }, [], 'unrecognized_keys'],
    ['existingId on version_conflict', { ...conflict, existingId: 'rec_42' }, [], 'unrecognized_keys'],
    ['expectedVersion on already_exists', { ...exists, expectedVersion: 3 }, [], 'unrecognized_keys'],
    ['path on version_conflict', { ...conflict, path: ['payload'] }, [], 'unrecognized_keys'],
    ['expectedVersion on invalid', { ...invalid, expectedVersion: 1 }, [], 'unrecognized_keys'],
    ['a version on timeout', { code: 'timeout', message: 'x', actualVersion: 2 }, [], 'unrecognized_keys'],
    ['a path on unavailable', { code: 'unavailable', message: 'x', path: [] }, [], 'unrecognized_keys'],
    ['a stack trace', { code: 'invalid', message: 'x', stack: 'at ...' }, [], 'unrecognized_keys'],
    // Field values.
    ['an unknown code', { code: 'oops', message: 'x' }, ['code'], 'invalid_union'],
    ['a missing code', { message: 'x' }, ['code'], 'invalid_union'],
    ['an empty message', { code: 'invalid', message: '' }, ['message'], 'invalid_format'],
    ['a 2001-character message', { code: 'invalid', message: 'é'.repeat(2001) }, ['message'], 'invalid_format'],
    ['actualVersion 0', { ...conflict, actualVersion: 0 }, ['actualVersion'], 'too_small'],
    ['a fractional expectedVersion', { ...conflict, expectedVersion: 2.5 }, ['expectedVersion'], 'invalid_type'],
    ['expectedVersion 2**53 on not_found', { ...notFound, expectedVersion: 2 ** 53 }, ['expectedVersion'], 'too_big'],
    ['a malformed existingId', { ...exists, existingId: 'rec 42' }, ['existingId'], 'invalid_format'],
    ['a negative path index', { code: 'invalid', message: 'x', path: [-1] }, ['path', 0], 'too_small'],
  ])('rejects %s', (_name, input, path, code) => {
    expect(issuesOf(MetadataOperationErrorSchema, input)).toEqual([{ path, code }]);
  });

  it('types: each code has its own fields', () => {
    type Conflict = Extract<MetadataOperationError, { code: 'version_conflict' }>;
    type NotFound = Extract<MetadataOperationError, { code: 'not_found' }>;
    type Exists = Extract<MetadataOperationError, { code: 'already_exists' }>;
    type Other = Extract<MetadataOperationError, { code: 'constraint_violation' | 'timeout' | 'unavailable' }>;
    expectTypeOf<Conflict['actualVersion']>().toEqualTypeOf<number>();
    expectTypeOf<Conflict['expectedVersion']>().toEqualTypeOf<number>();
    expectTypeOf<NotFound['expectedVersion']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<NotFound>().not.toHaveProperty('actualVersion');
    expectTypeOf<Exists['existingId']>().toEqualTypeOf<string>();
    expectTypeOf<Exists['actualVersion']>().toEqualTypeOf<number>();
    expectTypeOf<keyof Other>().toEqualTypeOf<'code' | 'message'>();
    expectTypeOf<MetadataOperationError['code']>().toEqualTypeOf<MetadataOperationErrorCode>();
  });
});

describe('MetadataItemResultSchema', () => {
  it('parses a success and a failure', () => {
    expect(MetadataItemResultSchema.parse({ index: 0, status: 'created', id: 'r1', version: 1 })).toEqual({
      index: 0,
      status: 'created',
      id: 'r1',
      version: 1,
    });
    expect(MetadataItemResultSchema.parse({ index: 1, status: 'failed', error: conflict })).toEqual({
      index: 1,
      status: 'failed',
      error: conflict,
    });
  });

  it('has an error exactly when the item failed (failed_item_has_error)', () => {
    expect(issuesOf(MetadataItemResultSchema, { index: 0, status: 'failed' })).toEqual([
      { path: ['error'], code: 'custom', rule: 'failed_item_has_error' },
    ]);
    expect(issuesOf(MetadataItemResultSchema, { index: 0, status: 'updated', error: conflict })).toEqual([
      { path: ['error'], code: 'custom', rule: 'failed_item_has_error' },
    ]);
  });

  it.each([
    ['a negative index', { index: -1, status: 'created' }, ['index'], 'too_small'],
    ['an index given as a string', { index: '0', status: 'created' }, ['index'], 'invalid_type'],
    ['an unknown status', { index: 0, status: 'done' }, ['status'], 'invalid_value'],
    ['a malformed id', { index: 0, status: 'created', id: 'a b' }, ['id'], 'invalid_format'],
  ])('rejects %s', (_name, input, path, code) => {
    expect(issuesOf(MetadataItemResultSchema, input)).toContainEqual(expect.objectContaining({ path, code }));
  });
});

describe('MetadataOperationResultSchema', () => {
  const report = {
    dryRun: false,
    committed: true,
    items: [
      { index: 0, id: 'r1', status: 'updated', version: 4 },
      { index: 1, id: 'r2', status: 'failed', error: conflict },
    ],
  } as const;

  it('parses a report to itself', () => {
    expect(MetadataOperationResultSchema.parse(report)).toEqual(report);
    expect(MetadataOperationResultSchema.parse({ dryRun: true, committed: false, items: [] })).toEqual({
      dryRun: true,
      committed: false,
      items: [],
    });
  });

  it('parses the report of a keep-going upsert with one item per outcome and error shape', () => {
    const upsert = {
      dryRun: false,
      committed: true,
      items: [
        { index: 0, id: 'r1', status: 'created', version: 1 },
        { index: 1, id: 'r2', status: 'replaced', version: 5 },
        { index: 2, status: 'failed', error: { code: 'not_found', message: 'no stored item crm.contact', expectedVersion: 2 } },
        { index: 3, id: 'r4', status: 'failed', error: conflict },
        { index: 4, status: 'failed', error: { code: 'invalid', message: 'tags must be machine names', path: ['tags', 0] } },
        { index: 5, id: 'r6', status: 'unchanged', version: 3 },
      ],
    };
    expect(MetadataOperationResultSchema.parse(upsert)).toEqual(upsert);
  });

  it('reports an error of the wrong shape at its nested path', () => {
    const item = { index: 0, status: 'failed', error: { code: 'not_found', message: 'gone', actualVersion: 4 } };
    expect(issuesOf(MetadataOperationResultSchema, { dryRun: false, committed: false, items: [item] })).toEqual([
      { path: ['items', 0, 'error'], code: 'unrecognized_keys' },
    ]);
  });

  it('never reports a committed dry run (dry_run_commits_nothing)', () => {
    expect(issuesOf(MetadataOperationResultSchema, { ...report, dryRun: true })).toEqual([
      { path: ['committed'], code: 'custom', rule: 'dry_run_commits_nothing' },
    ]);
  });

  it('lists items in request order (items_in_request_order)', () => {
    expect(issuesOf(MetadataOperationResultSchema, { ...report, items: [report.items[1], report.items[0]] })).toEqual([
      { path: ['items'], code: 'custom', rule: 'items_in_request_order' },
    ]);
  });

  it.each([
    ['committed missing', { dryRun: false, items: [] }, ['committed'], 'invalid_type'],
    ['dryRun missing', { committed: true, items: [] }, ['dryRun'], 'invalid_type'],
    ['items missing', { dryRun: false, committed: true }, ['items'], 'invalid_type'],
    ['an unknown key', { ...report, total: 2 }, [], 'unrecognized_keys'],
    ['a failed item without its error', { ...report, items: [{ index: 0, status: 'failed' }] }, ['items', 0, 'error'], 'custom'],
  ])('rejects %s', (_name, input, path, code) => {
    expect(issuesOf(MetadataOperationResultSchema, input)).toContainEqual(expect.objectContaining({ path, code }));
  });

  it('types input and output alike (nothing is defaulted)', () => {
    expectTypeOf<MetadataOperationResultInput>().toEqualTypeOf<MetadataOperationResult>();
    expectTypeOf<MetadataOperationResult['items'][number]['status']>().toEqualTypeOf<
      'created' | 'updated' | 'replaced' | 'deleted' | 'skipped' | 'unchanged' | 'failed' | 'not_attempted'
    >();
  });
});
