/**
 * The PostgreSQL store gives exactly the in-memory reference store's
 * results: 2,000 generated sequences of store calls
 * (support/differential.ts), each run on a fresh memory store and on one
 * PostgreSQL store (a table of its own in this file's test database, each
 * sequence in tenants of its own), compared call by call, and 300 more on a
 * store that keeps only 4 change events per tenant. A failure prints the
 * seed and path that replay it.
 *
 * PostgreSQL text cannot hold U+0000, which the memory store stores: the
 * store refuses such a write with a typed error (checked below), so the
 * sequences leave U+0000 out of what they write. Condition values keep it.
 */
import type { MetadataCallContextInput, MetadataStore } from '@metasource/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIFFERENTIAL_SEEDS, formatFailure, runDifferential, sqlTarget } from '../support/differential';
import { SQL_STORE_NAMES, sqlStoreFactory, type SqlStoreFactory } from '../support/sql-stores';

const SEQUENCES = 2000;
const SEED = DIFFERENTIAL_SEEDS.postgres;
/** A shorter run on a store that keeps few change events (R35): trimmed feeds and resync_needed. */
const RETENTION_SEQUENCES = 300;
const RETENTION = 4;

let factory: SqlStoreFactory | undefined;

beforeAll(async () => {
  factory = await sqlStoreFactory('postgres', 'differential');
}, 60_000);

afterAll(async () => {
  await factory?.drop();
});

const operator: MetadataCallContextInput = { actor: 'jane', role: 'operator', readTenants: ['nul'], writeTenants: ['nul'] };

/** The typed error a call fails with (the test fails when it succeeds or throws something untyped). */
async function errorOf(call: Promise<unknown>): Promise<Record<string, unknown>> {
  const thrown = await call.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(thrown, 'the call succeeded').toBeDefined();
  expect((thrown as { name?: unknown }).name).toBe('MetadataStoreFailure');
  return (thrown as { error: Record<string, unknown> }).error;
}

/** The names of the items stored in the tenant `nul`. */
async function storedNames(store: MetadataStore): Promise<string[]> {
  const names: string[] = [];
  for await (const record of store.export(operator, { includeArchived: true })) names.push(record.name);
  return names.sort();
}

describe('the PostgreSQL store against the memory store', () => {
  it('refuses U+0000 in written text with unsupported_capability (nul_character), writing nothing', async () => {
    const store = await factory!.newStore();
    try {
      const refusals = [
        () => store.save(operator, { type: 'object', name: 'in_value', payload: { label: 'a\u0000b' } }),
        () => store.save(operator, { type: 'object', name: 'in_key', payload: { nested: { 'k\u0000': 1 } } }),
        () =>
          store.bulk(operator, {
            operation: 'create',
            records: [
              { type: 'object', name: 'first', payload: {} },
              { type: 'object', name: 'in_array', payload: { list: ['\u0000'] } },
            ],
          }),
        () => store.import(operator, [{ tenantId: 'nul', type: 'object', name: 'imported', payload: { label: '\u0000' } }]),
      ];
      for (const refusal of refusals) {
        expect(await errorOf(refusal())).toMatchObject({ code: 'unsupported_capability', capability: 'nul_character' });
      }
      await store.save(operator, { type: 'object', name: 'stored', payload: { label: 'x' } });
      const [stored] = (await store.query(operator, { filters: { name: 'stored' } })).records;
      expect(
        await errorOf(
          store.bulk(operator, {
            operation: 'update',
            changes: [{ id: stored!.id!, expectedVersion: 1, set: { payload: { label: '\u0000' } } }],
          }),
        ),
      ).toMatchObject({ code: 'unsupported_capability', capability: 'nul_character' });
      expect(await storedNames(store)).toEqual(['stored']);
      // A condition value may hold U+0000: it matches no stored text, and is no error.
      const query = await store.query(operator, {
        filters: { conditions: [{ field: 'payload/label', operator: 'contains', value: '\u0000' }] },
      });
      expect(query.records).toEqual([]);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('refuses a per-batch bulk with U+0000 up front, before any batch is written', async () => {
    const store = await factory!.newStore();
    try {
      const bulk = store.bulk(operator, {
        operation: 'create',
        transactional: false,
        continueOnError: true,
        batchSize: 1,
        records: [
          { type: 'object', name: 'before', payload: {} },
          { type: 'object', name: 'refused', payload: { label: '\u0000' } },
          { type: 'object', name: 'after', payload: {} },
        ],
      });
      expect(await errorOf(bulk)).toMatchObject({ code: 'unsupported_capability', capability: 'nul_character' });
      // unsupported_capability means the store refused the request up front; the caller is told nothing was written.
      expect(await storedNames(store)).toEqual([]);
    } finally {
      await store.close();
    }
  }, 60_000);

  it(`answers ${SEQUENCES} generated sequences exactly as the memory store does (seed ${SEED})`, async () => {
    const target = sqlTarget(SQL_STORE_NAMES.postgres, 'postgres', (hooks) => factory!.newStore(hooks));
    expect(target.storesNul).toBe(false);
    const report = await runDifferential(target, { seed: SEED, sequences: SEQUENCES });
    expect(report.failure, report.failure && formatFailure(report)).toBeUndefined();
    expect(report.counts.sequences).toBe(SEQUENCES);
    expect(report.counts.comparedRecords).toBeGreaterThan(SEQUENCES);
  }, 300_000);

  it(`answers ${RETENTION_SEQUENCES} more with a change feed that keeps ${RETENTION} events per tenant (seed ${SEED + 1})`, async () => {
    const target = sqlTarget(SQL_STORE_NAMES.postgres, 'postgres', (hooks) => factory!.newStore(hooks));
    const report = await runDifferential(target, { seed: SEED + 1, sequences: RETENTION_SEQUENCES, changeFeedRetention: RETENTION });
    expect(report.failure, report.failure && formatFailure(report)).toBeUndefined();
    expect(report.counts.outcomes.resync_needed).toBeGreaterThan(0);
  }, 120_000);
});
