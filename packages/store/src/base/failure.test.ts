import {
  MetadataQueryOptionsSchema,
  MetadataRecordWriteSchema,
  MetadataSaveOptionsSchema,
  MetadataStoreErrorSchema,
  type MetadataStoreError,
} from '@metasource/spec';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { MetadataStoreFailure, describePath, fail, parseInput } from './failure';

/** The store error `run` throws; fails the test when it throws anything else or nothing. */
function errorOf(run: () => unknown): MetadataStoreError {
  try {
    run();
  } catch (thrown) {
    expect(thrown).toBeInstanceOf(MetadataStoreFailure);
    const failure = thrown as MetadataStoreFailure;
    expect(failure.name).toBe('MetadataStoreFailure');
    expect(failure.message).toBe(failure.error.message);
    expect(MetadataStoreErrorSchema.safeParse(failure.error).success).toBe(true);
    return failure.error;
  }
  throw new Error('expected a MetadataStoreFailure');
}

describe('MetadataStoreFailure and fail', () => {
  it('carries the error and is an Error', () => {
    const error = errorOf(() => fail({ code: 'not_found', message: 'no item rec_1' }));
    expect(error).toEqual({ code: 'not_found', message: 'no item rec_1' });
    expect(new MetadataStoreFailure(error)).toBeInstanceOf(Error);
  });
});

describe('parseInput', () => {
  it('returns the parsed value with its defaults', () => {
    expect(parseInput(MetadataSaveOptionsSchema, {}, 'the save options')).toEqual({
      onConflict: 'update',
      dryRun: false,
      recordHistory: true,
    });
  });

  it('fails with invalid_input naming each path, code and cross-field rule', () => {
    const error = errorOf(() =>
      parseInput(MetadataRecordWriteSchema, { type: 'view', name: 'mine', scope: 'user', payload: {} }, 'the item'),
    );
    expect(error).toMatchObject({
      code: 'invalid_input',
      issues: [{ path: ['owner'], code: 'custom', rule: 'user_scope_requires_owner' }],
    });
    expect(error.message).toMatch(/^the item is invalid: owner: /);
  });

  it('reports a plain schema issue without a rule', () => {
    const error = errorOf(() => parseInput(MetadataQueryOptionsSchema, { pagination: { pageSize: 5000 } }, 'the query options'));
    expect(error).toMatchObject({ code: 'invalid_input', issues: [{ path: ['pagination', 'pageSize'], code: 'too_big' }] });
    if (error.code === 'invalid_input') expect(error.issues[0]).not.toHaveProperty('rule');
    expect(error.message).toMatch(/^the query options are invalid: pagination\.pageSize: /);
  });

  it('never repeats an input value in a message', () => {
    const secret = 'TOP-SECRET-VALUE';
    const error = errorOf(() =>
      parseInput(
        MetadataQueryOptionsSchema,
        { filters: { conditions: [{ field: `payload.${secret}`, operator: 'eq', value: secret }], [`${secret} key`]: 1 } },
        'the query options',
      ),
    );
    expect(JSON.stringify(error)).not.toContain(`${secret}"`);
    expect(error.message).not.toContain(secret);
    if (error.code !== 'invalid_input') throw new Error('expected invalid_input');
    for (const issue of error.issues) expect(issue.message).not.toContain(secret);
    // The dot form gets the schema's own hint; an unknown key that is no field name is counted, not quoted.
    expect(error.issues.map((issue) => issue.message).join(' ')).toContain('write payload/label');
    expect(error.issues.map((issue) => issue.message).join(' ')).toContain('1 other key');
  });

  it('names an unknown key that looks like a field name', () => {
    const error = errorOf(() => parseInput(MetadataRecordWriteSchema, { type: 'a', name: 'b', payload: {}, version: 4 }, 'the item'));
    expect(error).toMatchObject({ issues: [{ path: [], code: 'unrecognized_keys', message: expect.stringContaining('"version"') }] });
  });

  it('refuses text that is not well-formed Unicode, at its path', () => {
    const error = errorOf(() =>
      parseInput(MetadataRecordWriteSchema, { type: 'a', name: 'b', payload: { x: ['ok', 'bad\uD800'] } }, 'the item'),
    );
    expect(error).toMatchObject({ code: 'invalid_input', issues: [{ path: ['payload', 'x', 1], code: 'invalid_format' }] });
    const key = errorOf(() => parseInput(MetadataRecordWriteSchema, { type: 'a', name: 'b', payload: { 'k\uDC00': 1 } }, 'the item'));
    expect(key).toMatchObject({ issues: [{ path: ['payload', 'k\uDC00'] }] });
    expect(parseInput(MetadataRecordWriteSchema, { type: 'a', name: 'b', payload: { x: '\u{1F600}' } }, 'the item').payload).toEqual({
      x: '\u{1F600}',
    });
  });

  it('keeps at most 100 issues and fits long paths into the error schema', () => {
    const error = errorOf(() =>
      parseInput(
        z.array(z.string()),
        Array.from({ length: 150 }, () => 1),
        'the list',
      ),
    );
    if (error.code !== 'invalid_input') throw new Error('expected invalid_input');
    expect(error.issues).toHaveLength(100);
    expect(error.message).toContain('and 149 more issues');
    const long = 'k'.repeat(300);
    const deep = errorOf(() => parseInput(z.record(z.string(), z.number()), { [long]: 'x' }, 'the map'));
    if (deep.code !== 'invalid_input') throw new Error('expected invalid_input');
    expect((deep.issues[0]!.path[0] as string).length).toBe(256);
  });
});

describe('describePath', () => {
  it('writes paths for people', () => {
    expect(describePath([])).toBe('(root)');
    expect(describePath(['records', 3, 'name'])).toBe('records[3].name');
    expect(describePath([0, 'payload'])).toBe('[0].payload');
  });
});
