/**
 * Get by key on the largest table: a store opened for the section (an empty
 * cache) reads each of a seeded sample of keys twice, the first read a cache
 * miss (a SELECT on the identity index), the second a hit (no statement).
 * The baseline reads the same keys by the same unique index, with the
 * SELECT prepared once and sent unprepared each time (the faster of the two
 * is the baseline the store is held to), and by primary key (id), parsing
 * the JSON columns as a reader of the record would. Calls are sequential:
 * latency, not throughput.
 */
import type { MetadataRecordKeyInput } from '@metasource/spec';
import type { BenchDatabase, BaselineTable } from './harness';
import { keyValues } from './harness';
import { READER, benchRecord, isUserScoped } from './data';
import { latency, median, seededRandom, step, type Latency } from './stats';
import { traced } from './trace';

/** Misses traced for the statement count and the time split. */
const TRACED_GETS = 50;

export interface GetResult {
  keys: number;
  storeMiss: Latency;
  storeHit: Latency;
  baselineByKey: Latency;
  baselineUnprepared: Latency;
  baselineById: Latency;
  /** The faster way the baseline read by key in this run (its median): prepared or unprepared. */
  baselineFastest: 'prepared' | 'unprepared';
  /** Store miss / the faster baseline by key, of the medians and of the 99th percentiles. */
  missRatio: { median: number; p99: number };
  /**
   * Misses traced one by one: statements sent per get (mean), and the
   * median microseconds of a get in the database client and in the whole
   * call; and the statements per get when the same keys are read again
   * (hits).
   */
  trace: { gets: number; statements: number; clientUs: number; callUs: number; hitStatements: number };
}

/** `count` distinct record numbers below `records` that READER can see, in a seeded random order. */
function sampleVisible(records: number, count: number, seed: number): number[] {
  const random = seededRandom(seed);
  const chosen = new Set<number>();
  while (chosen.size < Math.min(count, Math.floor(records * 0.9))) {
    const i = Math.floor(random() * records);
    if (!isUserScoped(i)) chosen.add(i);
  }
  return [...chosen];
}

function keyOf(i: number): MetadataRecordKeyInput {
  const { tenantId, type, namespace, scope, owner, name } = benchRecord(i);
  return { tenantId: tenantId!, type, namespace: namespace!, scope: scope!, ...(owner !== undefined ? { owner } : {}), name };
}

async function timeEach(indexes: readonly number[], read: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (const i of indexes) {
    const start = performance.now();
    const found = await read(i);
    times.push(performance.now() - start);
    if (found === undefined || found === null) throw new Error(`record ${i} was not found`);
  }
  return times;
}

export async function benchGet(
  db: BenchDatabase,
  tables: { store: string; baseline: string; records: number },
  keys: number,
): Promise<GetResult> {
  const store = await db.openStore(tables.store);
  try {
    const baseline: BaselineTable = await db.baselineTable(tables.baseline);
    const warmUp = sampleVisible(tables.records, Math.min(500, keys), 1);
    const sample = sampleVisible(tables.records, keys, 2).filter((i) => !warmUp.includes(i));

    await step(`warm-up gets (${warmUp.length} keys, store and baseline)`, async () => {
      await timeEach(warmUp, (i) => store.get(READER, keyOf(i)));
      await timeEach(warmUp, (i) => baseline.getByKey(keyValues(benchRecord(i))));
    });
    const miss = await step(`${sample.length} gets, store, cache miss`, () => timeEach(sample, (i) => store.get(READER, keyOf(i))));
    const byKey = await step(`${sample.length} gets, baseline by key`, () =>
      timeEach(sample, (i) => baseline.getByKey(keyValues(benchRecord(i)))),
    );
    const unprepared = await step(`${sample.length} gets, baseline by key, unprepared`, () =>
      timeEach(sample, (i) => baseline.getByKeyUnprepared(keyValues(benchRecord(i)))),
    );
    const byId = await step(`${sample.length} gets, baseline by id`, () => timeEach(sample, (i) => baseline.getById(benchRecord(i).id!)));
    const hit = await step(`${sample.length} gets, store, cache hit`, () => timeEach(sample, (i) => store.get(READER, keyOf(i))));

    // More misses, traced: keys read by neither pass.
    const used = new Set([...sample, ...warmUp]);
    const fresh = sampleVisible(tables.records, used.size + TRACED_GETS * 2, 3)
      .filter((i) => !used.has(i))
      .slice(0, TRACED_GETS);
    const misses: { statements: number; clientMs: number; ms: number }[] = [];
    for (const i of fresh) {
      const run = await traced(db.driver, () => store.get(READER, keyOf(i)));
      misses.push({ statements: run.statements.length, clientMs: run.clientMs, ms: run.ms });
    }
    const hits = await traced(db.driver, () => timeEach(fresh, (i) => store.get(READER, keyOf(i))));

    const storeMiss = latency(miss);
    const baselineByKey = latency(byKey);
    const baselineUnprepared = latency(unprepared);
    // The client's fastest plain way is the baseline: mysql2's text protocol can beat its prepared statements.
    const fastest = baselineUnprepared.medianUs < baselineByKey.medianUs ? baselineUnprepared : baselineByKey;
    return {
      keys: sample.length,
      storeMiss,
      storeHit: latency(hit),
      baselineByKey,
      baselineUnprepared,
      baselineById: latency(byId),
      baselineFastest: fastest === baselineByKey ? 'prepared' : 'unprepared',
      missRatio: { median: storeMiss.medianUs / fastest.medianUs, p99: storeMiss.p99Us / fastest.p99Us },
      trace: {
        gets: fresh.length,
        statements: misses.reduce((sum, miss) => sum + miss.statements, 0) / fresh.length,
        clientUs: median(misses.map((miss) => miss.clientMs)) * 1000,
        callUs: median(misses.map((miss) => miss.ms)) * 1000,
        hitStatements: hits.statements.length / fresh.length,
      },
    };
  } finally {
    await db.closeStore(store);
  }
}
