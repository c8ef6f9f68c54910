/**
 * Tenant isolation on each database (issue #12; R35 to R37, R40): a fixed
 * seed draws 400 calls (queries, loads, resolved loads, gets, exports, feed
 * reads, saves, bulk updates and deletes, archives, deletes, imports), each
 * under a call context of its own: some tenants readable, some of those
 * writable, an actor, sometimes administersUsers, sometimes the operator
 * role. The tenants include ones that differ only by case or by a trailing
 * character (acme, Acme, acme1), which a case-insensitive or prefix
 * comparison would mix up.
 *
 * Each call runs on the SQL store and on the memory store (the same records,
 * clock and ids) and must give the same answer; besides, the SQL store's
 * answer is checked on its own: every record and event it returns belongs to
 * a readable tenant (and a user-scope record to the actor, unless the
 * context administers users), and a write leaves every row and change event
 * of the tenants it may not write exactly as they were, read through the
 * test's own connection before and after.
 */
import type {
  MetadataCallContextInput,
  MetadataChangeFeedPage,
  MetadataRecord,
  MetadataRecordInput,
  MetadataStore,
} from '@metasource/spec';
import { createMemoryStore, openStore, type MemoryStore, type SqlStore } from '@metasource/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQL_DRIVERS, createTestDatabase, type TestDatabase } from '../packages/store/src/sql/testing';
import { closeStores, readChanges, readRecords, storeConfig } from './faults/database';
import { Comparison, exportAll, idSource, show } from './faults/reference';

const TENANTS = ['acme', 'Acme', 'acme1', 'globex'] as const;
const ACTORS = ['alice', 'bob', 'carol'] as const;
const OPERATIONS = 400;
const SEED = 12;
const NOW = new Date('2026-02-01T08:00:00.000Z');

/** Sees and writes everything: for the test's own reads of the reference store. */
const everything: MetadataCallContextInput = {
  actor: 'auditor',
  role: 'operator',
  readTenants: [...TENANTS],
  writeTenants: [...TENANTS],
  administersUsers: true,
};

/** A small deterministic generator (mulberry32). */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const subset = <T>(items: readonly T[]): T[] => items.filter(() => next() < 0.5);
  return { next, pick, subset, chance: (p: number) => next() < p };
}

/** Twelve records per tenant: every scope, two owners, two types, some archived, one inheritance chain. */
function seedRecords(): MetadataRecordInput[] {
  return TENANTS.flatMap((tenantId, t) => [
    ...Array.from({ length: 10 }, (_, i): MetadataRecordInput => {
      const scope = i % 4 === 0 ? 'system' : i % 4 === 3 ? 'user' : 'platform';
      return {
        id: `t${t}_r${i}`,
        tenantId,
        type: i % 2 === 0 ? 'object' : 'field',
        namespace: 'crm',
        scope,
        ...(scope === 'user' ? { owner: i % 8 === 3 ? 'alice' : 'bob' } : {}),
        name: `n_${i}`,
        state: i === 5 ? 'archived' : 'active',
        payload: { tenant: tenantId, i },
        tags: ['crm'],
      };
    }),
    {
      id: `t${t}_base`,
      tenantId,
      type: 'object',
      namespace: 'crm',
      scope: 'platform',
      name: 'screen',
      payload: { tenant: tenantId, layer: 'platform' },
    },
    {
      id: `t${t}_mine`,
      tenantId,
      type: 'object',
      namespace: 'crm',
      scope: 'user',
      owner: 'alice',
      name: 'screen',
      extends: 'screen',
      payload: { layer: 'alice' },
    },
  ]);
}

describe.each(SQL_DRIVERS)('%s: tenant isolation under random calls', (driver) => {
  let database: TestDatabase;
  let sqlStore: SqlStore;
  let memory: MemoryStore;
  let runs: Comparison;
  const tableName = 'tenants';

  beforeAll(async () => {
    database = await createTestDatabase(driver, 'faults_tenants');
    const ids = { memory: idSource(), sql: idSource() };
    sqlStore = await openStore(storeConfig(database, tableName), { now: () => NOW, recordIds: ids.sql.next });
    memory = await createMemoryStore({ now: () => NOW, recordIds: ids.memory.next, cache: { enabled: false } });
    runs = new Comparison(driver, memory, sqlStore, ids);
    for (const store of [memory, sqlStore]) expect((await store.import(everything, seedRecords(), { atomic: true })).committed).toBe(true);
  }, 60_000);
  afterAll(async () => {
    await closeStores([sqlStore, memory]);
    await database?.drop();
  }, 60_000);

  it('never returns or touches another tenant’s rows, and answers as the memory store does', async () => {
    const draw = random(SEED);
    const foreignSeen: string[] = [];
    const foreignTouched: string[] = [];
    const counts = { reads: 0, writes: 0, readsRefused: 0, writesRefused: 0 };
    let rowsChecked = 0;

    /** What a context may see of a record. */
    const visible = (context: MetadataCallContextInput, record: MetadataRecord) =>
      context.readTenants.includes(record.tenantId) &&
      (record.scope !== 'user' || context.administersUsers === true || record.owner === context.actor);

    /** The rows and events of each tenant, read directly. */
    const snapshot = async () => {
      const [records, changes] = await Promise.all([readRecords(database.db, tableName), readChanges(database.db, tableName)]);
      rowsChecked += records.length + changes.length;
      return new Map(
        TENANTS.map((tenant) => [
          tenant,
          JSON.stringify([records.filter((record) => record.tenantId === tenant), changes.filter((change) => change.tenantId === tenant)]),
        ]),
      );
    };

    for (let n = 0; n < OPERATIONS; n++) {
      const readTenants = draw.subset(TENANTS);
      if (readTenants.length === 0) readTenants.push(draw.pick(TENANTS));
      const operator = draw.chance(0.15);
      const context: MetadataCallContextInput = {
        actor: draw.pick(ACTORS),
        role: operator ? 'operator' : 'runtime',
        readTenants,
        writeTenants: draw.subset(readTenants),
        administersUsers: draw.chance(0.2),
      };
      const all = (await exportAll(memory, everything, { includeArchived: true, includeAudit: true })) as MetadataRecord[];
      // Half the time within the context's own tenants, so that allowed calls are drawn as often as refused ones.
      const own = all.filter((record) => visible(context, record));
      const target = draw.pick(own.length > 0 && draw.chance(0.5) ? own : all);
      const key = {
        tenantId: target.tenantId,
        type: target.type,
        namespace: target.namespace,
        scope: target.scope,
        ...(target.owner !== undefined ? { owner: target.owner } : {}),
        name: target.name,
      };
      const writable = context.writeTenants ?? [];
      const tenant = draw.pick(writable.length > 0 && draw.chance(0.5) ? writable : TENANTS);
      const label = `call ${n} (${show(context)})`;
      const kind = draw.pick([
        'query',
        'load',
        'resolved',
        'get',
        'export',
        'changes',
        'save',
        'update',
        'delete',
        'archive',
        'remove',
        'import',
      ] as const);

      // Every choice is drawn here, once: each call below runs twice (memory, then SQL) with the same input.
      const filterOnTenant = draw.chance(0.5);
      const existingName = draw.chance(0.5);
      const newName = `s_${n}`;
      const reads: Record<string, (store: MetadataStore) => Promise<unknown>> = {
        query: (store) =>
          store.query(context, {
            filters: filterOnTenant ? { tenantId: tenant } : {},
            includeArchived: true,
            includeTotal: true,
            pagination: { pageSize: 100 },
          }),
        load: (store) => store.load(context, { filters: { type: target.type }, pagination: { pageSize: 100 } }),
        resolved: (store) => store.load(context, { resolveInheritance: true, filters: { tenantId: target.tenantId, name: 'screen' } }),
        get: (store) => store.get(context, key),
        export: (store) => exportAll(store, context, { includeArchived: true }),
        changes: (store) => store.changes(context, { tenantId: tenant, limit: 1000 }),
      };
      const writes: Record<string, (store: MetadataStore) => Promise<unknown>> = {
        save: (store) =>
          store.save(context, {
            tenantId: filterOnTenant ? target.tenantId : tenant,
            type: 'object',
            name: existingName ? target.name : newName,
            payload: { n },
          }),
        update: (store) =>
          store.bulk(context, {
            operation: 'update',
            changes: [{ id: target.id!, expectedVersion: target.version, set: { payload: { n } } }],
          }),
        delete: (store) => store.bulk(context, { operation: 'delete', ids: [{ id: target.id! }] }),
        archive: (store) => store.archive(context, key),
        remove: (store) => store.delete(context, key),
        import: (store) =>
          store.import(context, [{ tenantId: tenant, type: 'object', namespace: 'imported', name: newName, payload: { n } }], {
            atomic: true,
          }),
      };

      if (kind in reads) {
        counts.reads += 1;
        const { actual } = await runs.compare(`${label} ${kind}`, reads[kind]!);
        if (actual.error !== undefined) {
          counts.readsRefused += 1;
          continue;
        }
        const value = actual.value as unknown;
        if (kind === 'changes') {
          const page = value as MetadataChangeFeedPage;
          if (!context.readTenants.includes(page.tenantId)) foreignSeen.push(`${label}: the feed of ${page.tenantId}`);
          for (const event of page.events)
            if (event.key.tenantId !== page.tenantId) foreignSeen.push(`${label}: an event of ${event.key.tenantId}`);
          continue;
        }
        const records = (
          kind === 'get' ? (value === null ? [] : [value]) : kind === 'export' ? value : (value as { records: unknown[] }).records
        ) as MetadataRecord[];
        for (const record of records)
          if (!visible(context, record))
            foreignSeen.push(`${label} ${kind}: ${record.tenantId}/${record.scope}/${record.owner ?? ''}/${record.name}`);
      } else {
        counts.writes += 1;
        const before = await snapshot();
        const { actual } = await runs.compare(`${label} ${kind}`, writes[kind]!);
        if (actual.error !== undefined) counts.writesRefused += 1;
        const after = await snapshot();
        for (const other of TENANTS) {
          if (context.writeTenants?.includes(other)) continue;
          if (before.get(other) !== after.get(other)) foreignTouched.push(`${label} ${kind} changed rows of ${other}`);
        }
      }
    }

    expect(runs.mismatches.slice(0, 5), `${runs.mismatches.length} mismatches`).toEqual([]);
    // The tables hold exactly the memory store's records, tenant by tenant.
    const rows = await readRecords(database.db, tableName);
    const expected = (await exportAll(memory, everything, { includeArchived: true, includeAudit: true })) as MetadataRecord[];
    expect(JSON.parse(JSON.stringify(rows))).toEqual(
      JSON.parse(
        JSON.stringify([...expected].sort((a, b) => (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : a.id! < b.id! ? -1 : 1))),
      ),
    );
    rowsChecked += rows.length;

    console.log(
      `faults tenant-isolation ${driver}: operations ${OPERATIONS}, reads ${counts.reads} (${counts.readsRefused} refused), writes ${counts.writes} (${counts.writesRefused} refused), answers equal ${runs.stats.equal + runs.stats.rejected}, foreign rows seen ${foreignSeen.length}, foreign rows touched ${foreignTouched.length}, rows checked ${rowsChecked}`,
    );
    expect(foreignSeen.slice(0, 5)).toEqual([]);
    expect(foreignTouched.slice(0, 5)).toEqual([]);
    // Both allowed and refused calls were drawn, reads and writes.
    expect(
      Math.min(counts.readsRefused, counts.reads - counts.readsRefused, counts.writesRefused, counts.writes - counts.writesRefused),
    ).toBeGreaterThan(0);
  }, 180_000);
});
