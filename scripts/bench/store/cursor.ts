/**
 * A filtered, sorted query paged with a cursor through the largest table:
 * READER's visible, non-archived objects by name (CURSOR_QUERY), page after
 * page to the end, each page timed. A keyset cursor reads from where the
 * last page ended, so a page at the end should cost what one at the start
 * does. The first and the last full page are traced: the statement the
 * query compiler built is explained (PostgreSQL EXPLAIN ANALYZE, MariaDB
 * ANALYZE, SQLite EXPLAIN QUERY PLAN) with its own parameters, to show
 * which index serves it.
 */
import type { MetadataQueryOptionsInput } from '@metasource/spec';
import type { BenchDatabase } from './harness';
import { CURSOR_QUERY, READER, driverConfig, matchesCursorQuery } from './data';
import { median, step } from './stats';
import { traced, type TracedStatement } from './trace';

/** Pages whose median is the start figure, and the end figure (the last full pages). */
const EDGE_PAGES = 10;

export interface QueryResult {
  pageSize: number;
  pages: number;
  records: number;
  /** Median milliseconds per page over the first and the last EDGE_PAGES full pages. */
  startMs: number;
  endMs: number;
  edgePages: number;
  /** endMs / startMs. */
  ratio: number;
  /** The slowest page: its time and its number (1 is the first). */
  slowestMs: number;
  slowestPage: number;
  /** The median page time of each tenth of the pages, first to last: how the time moves with depth. */
  tenthsMs: number[];
  /** The configured index the plan should use, and whether the last page's plan names it. */
  index: string;
  indexUsed: boolean;
  statement: string;
  firstPlan: string[];
  slowestPlan: string[];
  lastPlan: string[];
}

/** The median of each tenth of some values, in order (fewer parts when there are fewer than ten values). */
function tenths(values: readonly number[]): number[] {
  const parts = Math.min(10, values.length);
  return Array.from({ length: parts }, (_, part) =>
    median(values.slice(Math.floor((part * values.length) / parts), Math.floor(((part + 1) * values.length) / parts))),
  );
}

/** The SELECT of a traced query call (the one with an ORDER BY). */
function pageStatement(statements: readonly TracedStatement[]): TracedStatement {
  const found = statements.find((statement) => /\border by\b/i.test(statement.sql));
  if (!found) throw new Error(`no paged SELECT among the ${statements.length} statements of the query call`);
  return found;
}

export async function benchQuery(db: BenchDatabase, table: string, records: number): Promise<QueryResult> {
  const expected = Array.from({ length: records }, (_, i) => i).filter(matchesCursorQuery).length;
  const pageSize = (CURSOR_QUERY.pagination as { pageSize: number }).pageSize;
  const store = await db.openStore(table);
  try {
    const page = (cursor: string | undefined) => {
      const options: MetadataQueryOptionsInput = {
        ...CURSOR_QUERY,
        pagination: { pageSize, ...(cursor !== undefined ? { cursor } : {}) },
      };
      return store.query(READER, options);
    };
    // Warm-up: the first pages, twice.
    for (let round = 0; round < 2; round++) {
      let cursor: string | undefined;
      for (let n = 0; n < EDGE_PAGES; n++) cursor = (await page(cursor)).nextCursor;
    }

    const times: number[] = [];
    const cursors: (string | undefined)[] = [];
    const seen = new Set<string>();
    let previousName = '';
    await step(`query paged to the end (${expected.toLocaleString('en-US')} records, ${pageSize} per page)`, async () => {
      let cursor: string | undefined;
      do {
        cursors.push(cursor);
        const start = performance.now();
        const result = await page(cursor);
        times.push(performance.now() - start);
        for (const record of result.records) {
          if (seen.has(record.id!)) throw new Error(`record ${record.id} came back twice`);
          if (record.name < previousName) throw new Error(`record ${record.name} came after ${previousName}`);
          seen.add(record.id!);
          previousName = record.name;
        }
        cursor = result.nextCursor;
      } while (cursor !== undefined);
    });
    if (seen.size !== expected) throw new Error(`${db.name}: the query returned ${seen.size} records, ${expected} match`);

    // Full pages only: the last page may be short.
    const full = seen.size % pageSize === 0 ? times.length : times.length - 1;
    const edge = Math.max(1, Math.min(EDGE_PAGES, Math.floor(full / 2)));
    const startMs = median(times.slice(0, edge));
    const endMs = median(times.slice(full - edge, full));

    const slowest = times.indexOf(Math.max(...times));
    const first = pageStatement((await traced(db.driver, () => page(cursors[0]))).statements);
    const deep = pageStatement((await traced(db.driver, () => page(cursors[slowest]))).statements);
    const last = pageStatement((await traced(db.driver, () => page(cursors[full - 1]))).statements);
    const index = driverConfig(table).table!.indexes![0]!.name;
    const lastPlan = await db.explain(last.sql, last.parameters);
    return {
      pageSize,
      pages: times.length,
      records: seen.size,
      startMs,
      endMs,
      edgePages: edge,
      ratio: endMs / startMs,
      slowestMs: times[slowest]!,
      slowestPage: slowest + 1,
      tenthsMs: tenths(times),
      index,
      indexUsed: lastPlan.some((line) => line.includes(index)),
      statement: last.sql,
      firstPlan: await db.explain(first.sql, first.parameters),
      slowestPlan: await db.explain(deep.sql, deep.parameters),
      lastPlan,
    };
  } finally {
    await db.closeStore(store);
  }
}
