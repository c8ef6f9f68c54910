/**
 * The SQLite store gives exactly the in-memory reference store's results:
 * 2,000 generated sequences of store calls (support/differential.ts), each
 * run on a fresh memory store and on one SQLite store (a table of its own in
 * this file's test database, each sequence in tenants of its own), compared
 * call by call, and 300 more on a store that keeps only 4 change events
 * per tenant. A failure prints the seed and path that replay it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIFFERENTIAL_SEEDS, formatFailure, runDifferential, sqlTarget } from '../support/differential';
import { SQL_STORE_NAMES, sqlStoreFactory, type SqlStoreFactory } from '../support/sql-stores';

const SEQUENCES = 2000;
const SEED = DIFFERENTIAL_SEEDS.sqlite;
/** A shorter run on a store that keeps few change events (R35): trimmed feeds and resync_needed. */
const RETENTION_SEQUENCES = 300;
const RETENTION = 4;

let factory: SqlStoreFactory | undefined;

beforeAll(async () => {
  factory = await sqlStoreFactory('sqlite', 'differential');
}, 60_000);

afterAll(async () => {
  await factory?.drop();
});

describe('the SQLite store against the memory store', () => {
  it(`answers ${SEQUENCES} generated sequences exactly as the memory store does (seed ${SEED})`, async () => {
    const target = sqlTarget(SQL_STORE_NAMES.sqlite, 'sqlite', (hooks) => factory!.newStore(hooks));
    const report = await runDifferential(target, { seed: SEED, sequences: SEQUENCES });
    expect(report.failure, report.failure && formatFailure(report)).toBeUndefined();
    expect(report.counts.sequences).toBe(SEQUENCES);
    expect(report.counts.comparedRecords).toBeGreaterThan(SEQUENCES);
  }, 300_000);

  it(`answers ${RETENTION_SEQUENCES} more with a change feed that keeps ${RETENTION} events per tenant (seed ${SEED + 1})`, async () => {
    const target = sqlTarget(SQL_STORE_NAMES.sqlite, 'sqlite', (hooks) => factory!.newStore(hooks));
    const report = await runDifferential(target, { seed: SEED + 1, sequences: RETENTION_SEQUENCES, changeFeedRetention: RETENTION });
    expect(report.failure, report.failure && formatFailure(report)).toBeUndefined();
    expect(report.counts.outcomes.resync_needed).toBeGreaterThan(0);
  }, 120_000);
});
