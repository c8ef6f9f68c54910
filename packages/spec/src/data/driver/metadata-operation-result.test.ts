import { describe, expect, expectTypeOf, it } from 'vitest';
import { issuesOf } from '../../testing';
import {
  MetadataItemResultSchema,
  MetadataOperationErrorSchema,
  MetadataOperationResultSchema,
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
  it('parses a minimal error to itself', () => {
    expect(MetadataOperationErrorSchema.parse({ code: 'not_found', message: 'no item r9' })).toEqual({
      code: 'not_found',
      message: 'no item r9',
    });
  });

  it('parses a full error', () => {
    const full = {
      code: 'invalid',
      message: 'payload.fields must be an object',
      path: ['payload', 'fields', 0],
      expectedVersion: 1,
      actualVersion: 2,
    };
    expect(MetadataOperationErrorSchema.parse(full)).toEqual(full);
  });

  it('requires both versions on a version conflict (version_conflict_names_both_versions)', () => {
    expect(MetadataOperationErrorSchema.parse(conflict)).toEqual(conflict);
    expect(issuesOf(MetadataOperationErrorSchema, { code: 'version_conflict', message: 'stale', expectedVersion: 3 })).toEqual([
      { path: ['actualVersion'], code: 'custom', rule: 'version_conflict_names_both_versions' },
    ]);
  });

  it.each([
    ['an unknown code', { code: 'oops', message: 'x' }, ['code'], 'invalid_value'],
    ['an empty message', { code: 'invalid', message: '' }, ['message'], 'invalid_format'],
    ['a 2001-character message', { code: 'invalid', message: 'é'.repeat(2001) }, ['message'], 'invalid_format'],
    ['version 0', { ...conflict, actualVersion: 0 }, ['actualVersion'], 'too_small'],
    ['a fractional version', { ...conflict, expectedVersion: 2.5 }, ['expectedVersion'], 'invalid_type'],
    ['a negative path index', { code: 'invalid', message: 'x', path: [-1] }, ['path', 0], 'too_small'],
    ['an unknown key', { code: 'invalid', message: 'x', stack: 'at ...' }, [], 'unrecognized_keys'],
    ['a missing code', { message: 'x' }, ['code'], 'invalid_value'],
  ])('rejects %s', (_name, input, path, code) => {
    expect(issuesOf(MetadataOperationErrorSchema, input)).toContainEqual(expect.objectContaining({ path, code }));
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
