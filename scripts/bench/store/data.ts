/**
 * What the store benchmark writes and reads: records shaped like an
 * export's lines (an id, every envelope field, no audit fields) with a
 * payload of about 1 KB, the table config of each run (with the index the
 * cursor query needs, declared as a user would in `metadata.table.indexes`),
 * the call contexts, and each record's row as the baseline writes it (the
 * store's row encoding, sql/row.ts, without the store: no checksum work, no
 * events).
 */
import type { MetadataCallContextInput, MetadataDriverConfigInput, MetadataQueryOptionsInput, MetadataRecordInput } from '@metasource/spec';
import { RECORD_FIELDS, sqlLayout, type SqlLayout } from '../../../packages/store/src/sql/layout';

export const TENANT = 'acme';

/** The importer and exporter: imports need the operator role, and other users' items need administersUsers. */
export const OPERATOR: MetadataCallContextInput = {
  actor: 'bench_operator',
  role: 'operator',
  readTenants: [TENANT],
  writeTenants: [TENANT],
  administersUsers: true,
};

/** A runtime reader of the tenant: sees platform items and its own user-scope items, not other users'. */
export const READER: MetadataCallContextInput = { actor: 'bench_reader', readTenants: [TENANT] };

const TYPES = ['object', 'field'] as const;
const NAMESPACES = ['crm', 'sales', 'support', 'billing'] as const;
const FIELD_TYPES = ['text', 'number', 'date', 'lookup', 'select', 'currency', 'boolean', 'email'] as const;

/** A 32-bit mix of i (so names do not follow insertion order), as 8 hex digits. */
function mix(i: number): string {
  let x = (i + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  x ^= x >>> 16;
  return (x >>> 0).toString(16).padStart(8, '0');
}

/** Whether record i is another user's user-scope item (one in 20, an object): READER cannot see it. */
export const isUserScoped = (i: number) => i % 20 === 4;
/** Whether record i is archived (one in 20, an object): a query leaves it out unless asked. */
export const isArchived = (i: number) => i % 20 === 8;
/** Whether the cursor query of READER returns record i: an object, visible, not archived. */
export const matchesCursorQuery = (i: number) => i % 2 === 0 && !isUserScoped(i) && !isArchived(i);

/**
 * Record i of a run: type object or field (every other record), one of four
 * namespaces, some archived and some another user's (both objects, so the
 * cursor query's filters have work to do), a name in no particular order,
 * two tags and a payload of about 1 KB of JSON.
 */
export function benchRecord(i: number): MetadataRecordInput {
  const userScoped = isUserScoped(i);
  return {
    id: `rec_bench_${String(i).padStart(9, '0')}`,
    type: TYPES[i % 2]!,
    name: `item_${mix(i)}_${i}`,
    namespace: NAMESPACES[Math.floor(i / 2) % 4]!,
    scope: userScoped ? 'user' : 'platform',
    ...(userScoped ? { owner: `user_${i % 7}` } : {}),
    state: isArchived(i) ? 'archived' : 'active',
    tenantId: TENANT,
    version: 1,
    tags: ['bench', `group_${i % 10}`],
    payload: {
      label: `Item ${i}`,
      description: `Benchmark item ${i}: a metadata definition of typical size, with a description, a list of fields and a layout.`,
      fields: FIELD_TYPES.map((type, n) => ({ name: `field_${n}`, type, label: `Field ${n}`, required: n % 3 === 0, maxLength: 255 })),
      layout: { columns: 2, sections: ['general', 'details'] },
      order: i,
    },
  };
}

/** Records [start, start + count) of a run. */
export function benchRecords(count: number, start = 0): MetadataRecordInput[] {
  return Array.from({ length: count }, (_, n) => benchRecord(start + n));
}

/** The cursor query: every visible object of the tenant, by name, 100 per page (R24: id breaks ties). */
export const CURSOR_QUERY: MetadataQueryOptionsInput = {
  filters: { type: 'object' },
  sort: [{ field: 'name', direction: 'asc' }],
  pagination: { pageSize: 100 },
};

/** Records per page of an export's reads (performance.batchSize; its default is 100). */
export const EXPORT_PAGE_SIZE = 1000;

/**
 * The metadata driver config of a run's table, as a user would write it:
 * the index that serves the cursor query (the tenant and type it filters
 * by, then the name and id it sorts by), and export pages of
 * EXPORT_PAGE_SIZE records (each page is one statement, so fewer, larger
 * pages move the same records in fewer round trips).
 */
export function driverConfig(tableName: string): MetadataDriverConfigInput {
  return {
    datasource: 'metadata_db',
    table: { tableName, indexes: [{ name: `${tableName}_type_name`, fields: ['tenantId', 'type', 'name', 'id'] }] },
    performance: { batchSize: EXPORT_PAGE_SIZE },
  };
}

/** The layout of a run's table, for the baseline's column names. */
export function benchLayout(tableName: string): SqlLayout {
  return sqlLayout(driverConfig(tableName).table);
}

/** Audit values of the baseline's rows (the store writes its own clock and actor). */
const BASELINE_AT = '2026-01-01T00:00:00.000Z';
/** A checksum-shaped constant: the baseline computes no checksum. */
const BASELINE_CHECKSUM = `sha256:${'0'.repeat(64)}`;

/** The columns a baseline row fills, in RECORD_FIELDS order. */
export function baselineColumns(layout: SqlLayout): string[] {
  return RECORD_FIELDS.map((field) => layout.columns[field]);
}

/** A record as the baseline writes it: the store's encoding (JSON text, '' for absent owner and extends), in baselineColumns order. */
export function baselineValues(record: MetadataRecordInput): unknown[] {
  const values: Record<string, unknown> = {
    ...record,
    namespace: record.namespace ?? 'default',
    scope: record.scope ?? 'platform',
    state: record.state ?? 'active',
    payload: JSON.stringify(record.payload),
    extends: record.extends ?? '',
    mergeStrategy: record.mergeStrategy ?? 'merge',
    owner: record.owner ?? '',
    tenantId: record.tenantId ?? 'default',
    version: record.version ?? 1,
    checksum: BASELINE_CHECKSUM,
    tags: JSON.stringify(record.tags ?? []),
    createdAt: BASELINE_AT,
    createdBy: 'bench_baseline',
    updatedAt: BASELINE_AT,
    updatedBy: 'bench_baseline',
  };
  return RECORD_FIELDS.map((field) => values[field]);
}

/** Mean length of the payloads' JSON text, in bytes (all ASCII). */
export function meanPayloadBytes(records: readonly MetadataRecordInput[]): number {
  return records.reduce((sum, record) => sum + JSON.stringify(record.payload).length, 0) / Math.max(1, records.length);
}
