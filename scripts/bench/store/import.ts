/**
 * Bulk import: the store's import (atomic, one transaction) of N records
 * into an empty table, against the baseline writing the same records into
 * an empty table of the same shape in one transaction. Each figure is the
 * best of its runs (the run least disturbed by the rest of the machine);
 * store and baseline runs alternate, after a warm-up of both.
 *
 * A separate traced import (not timed against anything) counts the
 * statements the store sends per record and the time spent in the database
 * client, and the Zod validation of the same records is timed alone: that
 * is where an import's time goes.
 */
import { MetadataRecordSchema } from '@metasource/spec';
import type { BenchDatabase } from './harness';
import { OPERATOR, benchRecords, meanPayloadBytes } from './data';
import { collectGarbage, growthExponent, rate, step } from './stats';
import { statementKind, traced } from './trace';

/** The table of the traced import. */
const TRACED_TABLE = 'traced';

export interface ImportRun {
  ms: number;
  rate: number;
}

export interface ImportPoint {
  records: number;
  runs: number;
  store: ImportRun;
  baseline: ImportRun;
  /** Store rate / baseline rate. */
  ratio: number;
}

export interface ImportTrace {
  records: number;
  ms: number;
  statements: number;
  /** Statements by kind (`INSERT records`, `SELECT records by key`, `INSERT events`, `COMMIT`, ...), and the client's milliseconds on each kind. */
  byKind: Record<string, number>;
  msByKind: Record<string, number>;
  /** Milliseconds spent in the database client (statements sent and answered). */
  clientMs: number;
  /** Milliseconds MetadataRecordSchema.safeParse takes on the same records, alone. */
  validationMs: number;
}

export interface ImportResult {
  batchSize: number;
  payloadBytes: number;
  points: ImportPoint[];
  /** Growth exponents from the smallest to the largest size (1: linear). */
  growth: { store: number; baseline: number };
  trace: ImportTrace;
  /** The tables of the largest size, which the later sections read. */
  storeTable: string;
  baselineTable: string;
}

export interface ImportSettings {
  sizes: readonly number[];
  /** Runs per size; the largest size runs once. */
  runs: number;
  batchSize: number;
  traceRecords: number;
}

/** Imports `count` records into a new table through a store; returns the time. */
async function storeImport(db: BenchDatabase, table: string, count: number, batchSize: number): Promise<number> {
  const records = benchRecords(count);
  const store = await db.openStore(table);
  try {
    collectGarbage();
    const start = performance.now();
    const result = await store.import(OPERATOR, records, { batchSize });
    const ms = performance.now() - start;
    const created = result.items.filter((item) => item.status === 'created').length;
    if (!result.committed || created !== count) throw new Error(`${db.name}: the import of ${count} records created ${created}`);
    return ms;
  } finally {
    await db.closeStore(store);
  }
}

/** Writes `count` records into a new table through the baseline; returns the time. */
async function baselineImport(db: BenchDatabase, table: string, count: number): Promise<number> {
  const records = benchRecords(count);
  const baseline = await db.baselineTable(table);
  collectGarbage();
  const start = performance.now();
  await baseline.insert(records);
  return performance.now() - start;
}

export async function benchImport(db: BenchDatabase, settings: ImportSettings): Promise<ImportResult> {
  const { sizes, batchSize } = settings;
  const largest = Math.max(...sizes);
  const table = (who: 'store' | 'base', records: number, run: number) => `${who}_${records}_${run}`;

  await step('warm-up import (store and baseline, 1,000 records)', async () => {
    await storeImport(db, 'warm_store', 1000, batchSize);
    await baselineImport(db, 'warm_base', 1000);
  });

  const points: ImportPoint[] = [];
  for (const records of sizes) {
    const runs = records === largest ? 1 : settings.runs;
    let store = Infinity;
    let baseline = Infinity;
    for (let run = 1; run <= runs; run++) {
      const suffix = runs > 1 ? ` (run ${run} of ${runs})` : '';
      store = Math.min(
        store,
        await step(`import ${records.toLocaleString('en-US')} records, store${suffix}`, () =>
          storeImport(db, table('store', records, run), records, batchSize),
        ),
      );
      baseline = Math.min(
        baseline,
        await step(`import ${records.toLocaleString('en-US')} records, baseline${suffix}`, () =>
          baselineImport(db, table('base', records, run), records),
        ),
      );
    }
    points.push({
      records,
      runs,
      store: { ms: store, rate: rate(records, store) },
      baseline: { ms: baseline, rate: rate(records, baseline) },
      ratio: rate(records, store) / rate(records, baseline),
    });
  }
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const growth = {
    store: growthExponent({ records: first.records, ms: first.store.ms }, { records: last.records, ms: last.store.ms }),
    baseline: growthExponent({ records: first.records, ms: first.baseline.ms }, { records: last.records, ms: last.baseline.ms }),
  };

  const trace = await step(
    `traced import of ${settings.traceRecords.toLocaleString('en-US')} records (statements, client time)`,
    async () => {
      const records = benchRecords(settings.traceRecords);
      const store = await db.openStore(TRACED_TABLE);
      try {
        const run = await traced(db.driver, () => store.import(OPERATOR, records, { batchSize }));
        const byKind: Record<string, number> = {};
        const msByKind: Record<string, number> = {};
        for (const statement of run.statements) {
          const kind = statementKind(statement.sql, TRACED_TABLE);
          byKind[kind] = (byKind[kind] ?? 0) + 1;
          msByKind[kind] = (msByKind[kind] ?? 0) + statement.ms;
        }
        const start = performance.now();
        for (const record of records) if (!MetadataRecordSchema.safeParse(record).success) throw new Error('a benchmark record is invalid');
        const validationMs = performance.now() - start;
        return {
          records: records.length,
          ms: run.ms,
          statements: run.statements.length,
          byKind,
          msByKind,
          clientMs: run.clientMs,
          validationMs,
        };
      } finally {
        await db.closeStore(store);
      }
    },
  );

  return {
    batchSize,
    payloadBytes: meanPayloadBytes(benchRecords(1000)),
    points,
    growth,
    trace,
    storeTable: table('store', largest, 1),
    baselineTable: table('base', largest, 1),
  };
}
