import { MetadataSortSchema, type MetadataRecord, type MetadataSortInput } from '@metasource/spec';
import { describe, expect, it } from 'vitest';
import { compareExportOrder, pageAfter, positionOf, sortRecords } from './sort';

const record = (id: string, overrides: Partial<MetadataRecord> = {}): MetadataRecord => ({
  id,
  type: 'object',
  name: id,
  namespace: 'crm',
  scope: 'platform',
  state: 'active',
  payload: {},
  mergeStrategy: 'merge',
  tenantId: 'acme',
  version: 1,
  tags: [],
  ...overrides,
});

const sortOf = (...keys: MetadataSortInput[]) => keys.map((key) => MetadataSortSchema.parse(key));
const ids = (records: readonly MetadataRecord[]) => records.map((r) => r.id);

describe('sortRecords (R24)', () => {
  it('orders by id alone when no key is given, by code point', () => {
    const records = [record('\u{1F600}'), record('\uFFFF'), record('b'), record('B'), record('a')];
    expect(ids(sortRecords(records, []))).toEqual(['B', 'a', 'b', '\uFFFF', '\u{1F600}']);
  });

  it('uses the id as the final key, ascending whatever the direction', () => {
    const records = [record('r3', { name: 'x' }), record('r1', { name: 'x' }), record('r2', { name: 'y' })];
    expect(ids(sortRecords(records, sortOf({ field: 'name', direction: 'desc' })))).toEqual(['r2', 'r1', 'r3']);
    expect(ids(sortRecords(records, sortOf({ field: 'name' })))).toEqual(['r1', 'r3', 'r2']);
  });

  it('puts absent values first ascending and last descending', () => {
    const records = [record('r1', { extends: 'b' }), record('r2'), record('r3', { extends: 'a' })];
    expect(ids(sortRecords(records, sortOf({ field: 'extends' })))).toEqual(['r2', 'r3', 'r1']);
    expect(ids(sortRecords(records, sortOf({ field: 'extends', direction: 'desc' })))).toEqual(['r1', 'r3', 'r2']);
  });

  it('orders numbers numerically and date-times as instants', () => {
    const records = [record('r1', { version: 10 }), record('r2', { version: 9 }), record('r3', { version: 100 })];
    expect(ids(sortRecords(records, sortOf({ field: 'version' })))).toEqual(['r2', 'r1', 'r3']);
    const dated = [
      record('r1', { updatedAt: '2026-01-01T00:30:00+01:00' }),
      record('r2', { updatedAt: '2026-01-01T00:00:00Z' }),
      record('r3', { updatedAt: '2025-12-31T23:45:00Z' }),
    ];
    expect(ids(sortRecords(dated, sortOf({ field: 'updatedAt' })))).toEqual(['r1', 'r3', 'r2']);
  });

  it('applies keys in order', () => {
    const records = [
      record('r1', { type: 'b', name: 'a' }),
      record('r2', { type: 'a', name: 'z' }),
      record('r3', { type: 'b', name: 'A' }),
    ];
    expect(ids(sortRecords(records, sortOf({ field: 'type' }, { field: 'name', direction: 'desc' })))).toEqual(['r2', 'r1', 'r3']);
  });
});

describe('pageAfter (keyset pages)', () => {
  const sort = sortOf({ field: 'name' });
  const all = sortRecords(
    ['e', 'a', 'c', 'b', 'd'].map((name, i) => record(`r${i}`, { name })),
    sort,
  );

  it('pages through every record once, with hasMore exactly when more follow', () => {
    const first = pageAfter(all, sort, undefined, 2);
    expect(first.records.map((r) => r.name)).toEqual(['a', 'b']);
    expect(first.hasMore).toBe(true);
    const second = pageAfter(all, sort, positionOf(first.records[1]!, sort), 2);
    expect(second.records.map((r) => r.name)).toEqual(['c', 'd']);
    expect(second.hasMore).toBe(true);
    const third = pageAfter(all, sort, positionOf(second.records[1]!, sort), 2);
    expect(third.records.map((r) => r.name)).toEqual(['e']);
    expect(third.hasMore).toBe(false);
    expect(pageAfter(all, sort, undefined, 5).hasMore).toBe(false);
    expect(pageAfter(all, sort, positionOf(third.records[0]!, sort), 2)).toEqual({ records: [], hasMore: false });
  });

  it('neither repeats nor skips a record that stayed in place when others are written between pages', () => {
    const first = pageAfter(all, sort, undefined, 2);
    const after = positionOf(first.records[1]!, sort);
    // A record before the position is added and one after it is removed: the rest continue where they were.
    const changed = sortRecords([...all.filter((r) => r.name !== 'd'), record('r9', { name: 'aa' })], sort);
    expect(pageAfter(changed, sort, after, 10).records.map((r) => r.name)).toEqual(['c', 'e']);
  });

  it('continues after a position whose record was deleted', () => {
    const position = positionOf(all[2]!, sort);
    const remaining = all.filter((_, i) => i !== 2);
    expect(pageAfter(remaining, sort, position, 10).records.map((r) => r.name)).toEqual(['d', 'e']);
  });
});

describe('compareExportOrder', () => {
  it('orders by tenant, type, namespace, scope, owner (absent first), name, by code point', () => {
    const records = [
      record('r1', { tenantId: 'b' }),
      record('r2', { scope: 'user', owner: 'zed' }),
      record('r3', { scope: 'user', owner: 'amy' }),
      record('r4', { scope: 'system' }),
      record('r5', { name: 'aaa' }),
      record('r6', { type: 'field' }),
    ];
    expect(ids([...records].sort(compareExportOrder))).toEqual(['r6', 'r5', 'r4', 'r3', 'r2', 'r1']);
  });
});
