/**
 * Export: every record of a table (archived and every user's included)
 * through the store's export, a page at a time (EXPORT_PAGE_SIZE, the
 * driver config's performance.batchSize), records counted and dropped as
 * they arrive, as a writer of an NDJSON file would. Exports of two table
 * sizes show whether memory stays flat. Each table is exported twice:
 *
 * - timed: the rate, and the heap and resident set sampled every
 *   SAMPLE_EVERY records, growth over a collected heap before the first
 *   record (the heap's peak includes garbage V8 has not collected yet, so it
 *   depends on when V8 chooses to collect);
 * - live: a full collection at each tenth of the records, then the heap:
 *   what the export really holds (its time is not a figure).
 *
 * The baseline reads the same rows a page of 1,000 at a time by primary key.
 */
import type { BenchDatabase } from './harness';
import { EXPORT_PAGE_SIZE, OPERATOR } from './data';
import { MB, collectGarbage, rate, step } from './stats';
import { StatementTrace, type TracedStatement } from './trace';

/** Records before the end at which the trace of the export's last statements starts (more than a page). */
const TRACE_BEFORE_END = EXPORT_PAGE_SIZE + 200;

const SAMPLE_EVERY = 100;
const BASELINE_PAGE = 1000;

export interface ExportPoint {
  records: number;
  ms: number;
  rate: number;
  /** Peak growth over the heap (and the resident set) before the export, in MB. */
  heapPeakMb: number;
  rssPeakMb: number;
  /** Heap growth after the export and a collection, in MB: what it left behind. */
  heapAfterMb: number;
  /** Peak growth of the heap right after a full collection, sampled at each tenth of the records, in MB. */
  liveHeapPeakMb: number;
  /** The statement of the export's last page, as the store sent it, and its plan. */
  statement: string;
  plan: string[];
}

export interface ExportResult {
  points: ExportPoint[];
  baseline: { records: number; ms: number; rate: number };
}

/** The last paged SELECT among traced statements. */
function lastPage(statements: readonly TracedStatement[]): TracedStatement {
  const pages = statements.filter((statement) => /\border by\b/i.test(statement.sql));
  if (pages.length === 0) throw new Error('no paged SELECT was traced near the end of the export');
  return pages[pages.length - 1]!;
}

/** Exports every record through a new store, calling `onRecord` with the count after each; returns the time. */
async function exportAll(db: BenchDatabase, table: string, records: number, onRecord: (count: number) => void): Promise<number> {
  const store = await db.openStore(table);
  try {
    let count = 0;
    const start = performance.now();
    for await (const record of store.export(OPERATOR, { includeArchived: true })) {
      if (record.id === undefined) throw new Error('an exported record has no id');
      count += 1;
      onRecord(count);
    }
    const ms = performance.now() - start;
    if (count !== records) throw new Error(`${db.name}: the export returned ${count} records of ${records}`);
    return ms;
  } finally {
    await db.closeStore(store);
  }
}

async function storeExport(db: BenchDatabase, table: string, records: number): Promise<ExportPoint> {
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage.rss();
  let heapPeak = heapBefore;
  let rssPeak = rssBefore;
  // The last pages' statements are traced (the patch costs a function call per statement, nothing per record).
  const traceFrom = records - TRACE_BEFORE_END;
  let trace = traceFrom <= 0 ? new StatementTrace(db.driver) : undefined;
  let ms: number;
  try {
    ms = await exportAll(db, table, records, (count) => {
      if (count % SAMPLE_EVERY === 0) {
        heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
        rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
      }
      if (count === traceFrom) trace = new StatementTrace(db.driver);
    });
  } finally {
    trace?.stop();
  }
  const last = lastPage(trace?.statements ?? []);
  collectGarbage();
  const heapAfter = process.memoryUsage().heapUsed;

  collectGarbage();
  const liveBefore = process.memoryUsage().heapUsed;
  let livePeak = liveBefore;
  const tenth = Math.max(1, Math.floor(records / 10));
  await exportAll(db, table, records, (count) => {
    if (count % tenth === 0) {
      collectGarbage();
      livePeak = Math.max(livePeak, process.memoryUsage().heapUsed);
    }
  });
  return {
    records,
    ms,
    rate: rate(records, ms),
    heapPeakMb: (heapPeak - heapBefore) / MB,
    rssPeakMb: (rssPeak - rssBefore) / MB,
    heapAfterMb: (heapAfter - heapBefore) / MB,
    liveHeapPeakMb: (livePeak - liveBefore) / MB,
    statement: last.sql,
    plan: await db.explain(last.sql, last.parameters),
  };
}

export async function benchExport(
  db: BenchDatabase,
  tables: readonly { store: string; baseline: string; records: number }[],
): Promise<ExportResult> {
  const points: ExportPoint[] = [];
  for (const table of tables) {
    points.push(
      await step(`export ${table.records.toLocaleString('en-US')} records, store (timed, then with collections)`, () =>
        storeExport(db, table.store, table.records),
      ),
    );
  }
  const largest = tables[tables.length - 1]!;
  const baseline = await db.baselineTable(largest.baseline);
  const start = performance.now();
  const count = await step(`export ${largest.records.toLocaleString('en-US')} records, baseline`, () => baseline.exportAll(BASELINE_PAGE));
  const ms = performance.now() - start;
  if (count !== largest.records) throw new Error(`${db.name}: the baseline export read ${count} rows of ${largest.records}`);
  return { points, baseline: { records: count, ms, rate: rate(count, ms) } };
}
