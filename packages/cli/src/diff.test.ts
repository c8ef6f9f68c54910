import { MetadataRecordSchema, type MetadataRecordInput } from '@metasource/spec';
import { describe, expect, it } from 'vitest';
import { differs, jsonDifferences, pointerSegment, recordDifferences, summarize } from './diff';
import { checksumOf } from './records/checksum';
import type { FieldDifference } from './results';

const record = (input: Partial<MetadataRecordInput> = {}) =>
  MetadataRecordSchema.parse({
    tenantId: 'acme',
    type: 'object',
    namespace: 'crm',
    name: 'account',
    payload: { label: 'Account' },
    ...input,
  });

function differences(before: unknown, after: unknown): FieldDifference[] {
  const out: FieldDifference[] = [];
  jsonDifferences(before, after, '/payload', out);
  return out;
}

describe('field-level diff', () => {
  it('finds nothing between equal values, whatever their key order', () => {
    expect(differences({ a: 1, b: { c: [1, { d: null }] } }, { b: { c: [1, { d: null }] }, a: 1 })).toEqual([]);
  });

  it('names changed, added and removed keys by JSON Pointer, with both values', () => {
    expect(differences({ label: 'A', keep: 1, gone: true }, { label: 'B', keep: 1, added: { x: 1 } })).toEqual([
      { path: '/payload/added', after: { x: 1 } },
      { path: '/payload/gone', before: true },
      { path: '/payload/label', before: 'A', after: 'B' },
    ]);
  });

  it('compares arrays element by element, and reports the elements one side has beyond the other', () => {
    expect(differences({ cols: ['a', 'b', 'c'] }, { cols: ['a', 'x'] })).toEqual([
      { path: '/payload/cols/1', before: 'b', after: 'x' },
      { path: '/payload/cols/2', before: 'c' },
    ]);
    expect(differences([1], [1, [2]])).toEqual([{ path: '/payload/1', after: [2] }]);
  });

  it('reports a value whose type changed at its own path', () => {
    expect(differences({ a: { b: 1 } }, { a: [1] })).toEqual([{ path: '/payload/a', before: { b: 1 }, after: [1] }]);
    expect(differences({ a: null }, { a: 0 })).toEqual([{ path: '/payload/a', before: null, after: 0 }]);
  });

  it('escapes "~" and "/" in keys as RFC 6901 says', () => {
    expect(pointerSegment('a/b~c')).toBe('a~1b~0c');
    expect(differences({ 'a/b': 1 }, { 'a/b': 2 })).toEqual([{ path: '/payload/a~1b', before: 1, after: 2 }]);
  });

  it('compares the content envelope (state, tags, extends, mergeStrategy), not ids, versions or audit fields', () => {
    const a = record({ id: 'rec_1', version: 3, createdBy: 'x', tags: ['crm'] });
    const b = record({ id: 'rec_2', version: 1, createdBy: 'y', tags: ['crm'] });
    expect(recordDifferences(a, b)).toEqual([]);
    expect(differs(summarize(a, checksumOf), summarize(b, checksumOf))).toBe(false);
    const c = record({ state: 'archived', tags: ['crm', 'core'], extends: 'base', payload: { label: 'Account', x: 1 } });
    expect(recordDifferences(a, c)).toEqual([
      { path: '/state', before: 'active', after: 'archived' },
      { path: '/tags', before: ['crm'], after: ['crm', 'core'] },
      { path: '/extends', after: 'base' },
      { path: '/payload/x', after: 1 },
    ]);
    expect(differs(summarize(a, checksumOf), summarize(record({ state: 'draft' }), checksumOf))).toBe(true);
  });
});
