/**
 * Order and keyset pages (R24): the requested sort keys, then the record id;
 * strings by code point, numbers numerically, createdAt and updatedAt as
 * instants; absent and null first ascending, last descending.
 */
import type { MetadataRecord, MetadataSort } from '@metasource/spec';
import { compareCodePoints, compareInstants } from './compare';

/** A sort value: what a sortable record field holds, null when absent. */
export type SortValue = string | number | null;

/** The last record of a page, as a cursor carries it: its sort values (one per sort key) and its id. */
export interface Position {
  values: SortValue[];
  id: string;
}

const INSTANT_FIELDS: ReadonlySet<string> = new Set(['createdAt', 'updatedAt']);

/** The value of a sortable field, null when absent. */
export function sortValue(record: MetadataRecord, field: MetadataSort['field']): SortValue {
  const value = record[field];
  return typeof value === 'string' || typeof value === 'number' ? value : null;
}

/**
 * Orders two sort values ascending: null (absent) first; then numbers
 * numerically and strings by code point (instants on createdAt and
 * updatedAt). A number sorts before a string, which only keeps the order
 * total: no sortable field holds both.
 */
export function compareSortValues(field: string, a: SortValue, b: SortValue): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') {
    if (INSTANT_FIELDS.has(field)) {
      const c = compareInstants(a, b);
      if (c !== undefined && c !== 0) return c;
    }
    return compareCodePoints(a, b);
  }
  return typeof a === 'number' ? -1 : 1;
}

/** Compares a record's sort values and id with a position's, by the sort keys then the id (always ascending). */
function compareTuples(sort: readonly MetadataSort[], a: Position, b: Position): number {
  for (let k = 0; k < sort.length; k++) {
    const { field, direction } = sort[k]!;
    const c = compareSortValues(field, a.values[k] ?? null, b.values[k] ?? null);
    if (c !== 0) return direction === 'desc' ? -c : c;
  }
  return compareCodePoints(a.id, b.id);
}

/** A record's position under a sort: its sort values and id. */
export function positionOf(record: MetadataRecord, sort: readonly MetadataSort[]): Position {
  return { values: sort.map(({ field }) => sortValue(record, field)), id: record.id ?? '' };
}

/** Orders two records by the sort keys, then by id. */
export function compareRecords(sort: readonly MetadataSort[], a: MetadataRecord, b: MetadataRecord): number {
  return compareTuples(sort, positionOf(a, sort), positionOf(b, sort));
}

/** The records in the order of the sort keys, then id; a new array. */
export function sortRecords<R extends MetadataRecord>(records: readonly R[], sort: readonly MetadataSort[]): R[] {
  return [...records].sort((a, b) => compareRecords(sort, a, b));
}

/**
 * One keyset page of sorted records: the first `pageSize` strictly after
 * `after` (from the start when absent), and whether more follow. Records
 * written between pages neither repeat nor skip a record that stayed in
 * place, because the page starts after a position, not at an offset.
 */
export function pageAfter<R extends MetadataRecord>(
  sorted: readonly R[],
  sort: readonly MetadataSort[],
  after: Position | undefined,
  pageSize: number,
): { records: R[]; hasMore: boolean } {
  const start = after === undefined ? 0 : sorted.findIndex((record) => compareTuples(sort, positionOf(record, sort), after) > 0);
  if (start < 0) return { records: [], hasMore: false };
  const records = sorted.slice(start, start + pageSize);
  return { records, hasMore: start + pageSize < sorted.length };
}

/** Export order: tenant, type, namespace, scope, owner (absent first), name, each by code point. */
export function compareExportOrder(a: MetadataRecord, b: MetadataRecord): number {
  return (
    compareCodePoints(a.tenantId, b.tenantId) ||
    compareCodePoints(a.type, b.type) ||
    compareCodePoints(a.namespace, b.namespace) ||
    compareCodePoints(a.scope, b.scope) ||
    compareSortValues('owner', a.owner ?? null, b.owner ?? null) ||
    compareCodePoints(a.name, b.name)
  );
}
