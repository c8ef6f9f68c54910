/**
 * A process killed with SIGKILL in the middle of an import, on each
 * database (issue #12; R17, R33, R34). The importing process is an agent
 * (tests/faults/agent.ts); after it is killed, the test reconnects with a
 * store of its own and reads the tables directly:
 *
 * - atomic import: the table holds all of it or none of it, and the change
 *   feed agrees (no event without its row, none missing, no gap). Killed
 *   while stopped inside its transaction, with rows written and not
 *   committed, it holds none; killed while running, whichever it is;
 * - per-batch import (atomic false): the table holds whole batches only,
 *   the first ones in order, and the feed holds exactly their events, each
 *   batch's events under one transactionId of its own.
 *
 * After each kill the same import runs again from the test's store, which
 * finds nothing locked and nothing half-written in its way: the rows and
 * the feed then hold every record once.
 */
import type { MetadataCallContextInput, MetadataChangeEvent, MetadataRecordInput } from '@metasource/spec';
import { openStore, type SqlStore } from '@metasource/store';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SQL_DRIVERS, createTestDatabase, type TestDatabase } from '../packages/store/src/sql/testing';
import { Agent, killAgents, stopAgents, type Exit } from './faults/agents';
import { closeStores, eventually, openWriteTransaction, readChanges, readFeeds, readRecords, storeConfig } from './faults/database';
import type { AgentEvent } from './faults/protocol';

const TENANT = 'bulk';
const context: MetadataCallContextInput = { actor: 'importer', role: 'operator', readTenants: [TENANT], writeTenants: [TENANT] };

/** `count` new records (no ids: the store issues them, through the agent's hooked generator). */
function importRecords(count: number): MetadataRecordInput[] {
  return Array.from({ length: count }, (_, i) => ({
    tenantId: TENANT,
    type: 'object',
    namespace: 'imported',
    name: `r_${String(i).padStart(5, '0')}`,
    payload: { i, note: `record ${i} `.repeat(20) },
  }));
}

afterAll(() => stopAgents());

describe.each(SQL_DRIVERS)('%s: a process killed during an import', (driver) => {
  let database: TestDatabase;
  const stores: SqlStore[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(driver, 'faults_killed');
  }, 60_000);
  afterEach(() => killAgents());
  afterAll(async () => {
    await killAgents();
    await closeStores(stores);
    await database?.drop();
  }, 60_000);

  /** An agent with a store open on `tableName` (created by its autoMigrate), issuing ids `imp_<n>`. */
  async function importer(tableName: string): Promise<Agent> {
    const agent = await Agent.start(`${driver}-importer-${tableName}`);
    await agent.call({ op: 'open', store: 'main', config: storeConfig(database, tableName), idPrefix: 'imp_' });
    return agent;
  }

  /** A store of the test's own on the table, opened after the kill: a client that reconnects. */
  async function reconnect(tableName: string): Promise<SqlStore> {
    const store = await openStore(storeConfig(database, tableName));
    stores.push(store);
    return store;
  }

  async function feedOf(store: SqlStore): Promise<MetadataChangeEvent[]> {
    const events: MetadataChangeEvent[] = [];
    for (let after = 0; ;) {
      const page = await store.changes(context, { tenantId: TENANT, afterSequence: after, limit: 1000 });
      events.push(...page.events);
      after = page.lastSequence;
      if (!page.hasMore) return events;
    }
  }

  /**
   * What the table and feed hold for the import: the rows, which must be the
   * first `rows.length` records of the import in order, each created once by
   * exactly one event, sequences 1..n without a gap, the feed read through
   * the store equal to the changes table and the feeds table's latest
   * sequence. Returns the rows and events.
   */
  async function checkConsistent(tableName: string, store: SqlStore, records: readonly MetadataRecordInput[]) {
    const rows = (await readRecords(database.db, tableName)).filter((row) => row.tenantId === TENANT);
    const changes = (await readChanges(database.db, tableName)).filter((change) => change.tenantId === TENANT);
    const events = await feedOf(store);
    expect(changes.map((change) => change.event)).toEqual(events);
    expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index + 1));
    expect((await readFeeds(database.db, tableName)).get(TENANT) ?? 0).toBe(events.length);
    expect(events.every((event) => event.operation === 'create' && event.version === 1)).toBe(true);
    const names = rows.map((row) => row.name).sort();
    expect(names).toEqual(records.slice(0, rows.length).map((record) => record.name));
    // One event per row, naming the row's id and key; no event for a row that is not there.
    expect(events.map((event) => event.recordId).sort()).toEqual(rows.map((row) => row.id).sort());
    for (const event of events) expect(rows.find((row) => row.id === event.recordId)?.name).toBe(event.key.name);
    const counted = await store.query(context, { filters: { tenantId: TENANT }, includeTotal: true, pagination: { pageSize: 1 } });
    expect(counted.total).toBe(rows.length);
    return { rows, events };
  }

  /** Runs the import again from the test's store: it must find its way clear and leave every record stored once. */
  async function importAgain(tableName: string, store: SqlStore, records: readonly MetadataRecordInput[], atomic: boolean) {
    const result = await store.import(context, records, { atomic, batchSize: 100, onConflict: 'skip' });
    expect(result.committed).toBe(true);
    expect(result.items.every((item) => item.status === 'created' || item.status === 'skipped')).toBe(true);
    const { rows, events } = await checkConsistent(tableName, store, records);
    expect(rows).toHaveLength(records.length);
    expect(events).toHaveLength(records.length);
  }

  function expectKilled(exit: Exit): void {
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
  }

  function pausedAt(agent: Agent, command: number) {
    return agent.waitFor(command, (event): event is Extract<AgentEvent, { event: 'paused' }> => event.event === 'paused');
  }

  function progressAt(agent: Agent, command: number, ids: number) {
    return agent.waitFor(
      command,
      (event): event is Extract<AgentEvent, { event: 'progress' }> => event.event === 'progress' && event.ids >= ids,
    );
  }

  it('atomic import stopped inside its transaction and killed: none of it is stored, and the feed has no event', async () => {
    const tableName = 'atomic_paused';
    const records = importRecords(400);
    const agent = await importer(tableName);
    // Planned and written 100 at a time: at the 250th id the first 200 are written in the open transaction, not committed.
    const command = agent.send({
      op: 'import',
      store: 'main',
      context,
      records,
      options: { atomic: true, batchSize: 100 },
      hooks: { pauseAtId: 250 },
    });
    await pausedAt(agent, command);
    await eventually('the stopped import to show its writes', () => openWriteTransaction(database.db, driver, tableName, true));
    expectKilled(await agent.kill());

    const store = await reconnect(tableName);
    const { rows, events } = await checkConsistent(tableName, store, records);
    expect(rows).toHaveLength(0);
    expect(events).toHaveLength(0);
    await importAgain(tableName, store, records, true);
    console.log(
      `faults killed-process ${driver} atomic-paused: killed with 200 of ${records.length} written, stored 0 (none), rows checked ${records.length}`,
    );
  }, 60_000);

  it('atomic import killed while running: all of it or none of it is stored, and the feed agrees', async () => {
    const tableName = 'atomic_running';
    const records = importRecords(1500);
    const agent = await importer(tableName);
    const command = agent.send({
      op: 'import',
      store: 'main',
      context,
      records,
      options: { atomic: true, batchSize: 100 },
      hooks: { progressEvery: 50 },
    });
    await progressAt(agent, command, 300);
    expectKilled(await agent.kill());
    const reported = agent.events(command).filter((event) => event.event === 'progress').length * 50;

    const store = await reconnect(tableName);
    const { rows, events } = await checkConsistent(tableName, store, records);
    expect([0, records.length]).toContain(rows.length);
    expect(events).toHaveLength(rows.length);
    if (rows.length > 0) expect(new Set(events.map((event) => event.transactionId)).size).toBe(1);
    await importAgain(tableName, store, records, true);
    console.log(
      `faults killed-process ${driver} atomic-running: killed after ${reported} of ${records.length} ids, stored ${rows.length} (${rows.length === 0 ? 'none' : 'all'}), rows checked ${records.length}`,
    );
  }, 90_000);

  it('per-batch import stopped inside its third batch and killed: exactly the two committed batches are stored', async () => {
    const tableName = 'batches_paused';
    const records = importRecords(500);
    const agent = await importer(tableName);
    const command = agent.send({
      op: 'import',
      store: 'main',
      context,
      records,
      options: { atomic: false, batchSize: 100 },
      hooks: { pauseAtId: 250 },
    });
    await pausedAt(agent, command);
    // The third batch's transaction is open (whether it has written yet depends on how the store groups its statements).
    await eventually('the third batch to be open', () => openWriteTransaction(database.db, driver, tableName, false));
    expectKilled(await agent.kill());

    const store = await reconnect(tableName);
    const { rows, events } = await checkConsistent(tableName, store, records);
    expect(rows).toHaveLength(200);
    const batches = [events.slice(0, 100), events.slice(100, 200)].map((batch) => new Set(batch.map((event) => event.transactionId)));
    expect(batches.map((batch) => batch.size)).toEqual([1, 1]);
    expect([...batches[0]!][0]).not.toBe([...batches[1]!][0]);
    await importAgain(tableName, store, records, false);
    console.log(
      `faults killed-process ${driver} batches-paused: killed in batch 3 of ${records.length / 100}, stored 200 (2 whole batches), rows checked ${records.length}`,
    );
  }, 60_000);

  it('per-batch import killed while running: whole batches only, in order, and the feed matches the rows', async () => {
    const tableName = 'batches_running';
    const records = importRecords(1500);
    const agent = await importer(tableName);
    const command = agent.send({
      op: 'import',
      store: 'main',
      context,
      records,
      options: { atomic: false, batchSize: 100 },
      hooks: { progressEvery: 50 },
    });
    await progressAt(agent, command, 450);
    expectKilled(await agent.kill());

    const store = await reconnect(tableName);
    const { rows, events } = await checkConsistent(tableName, store, records);
    expect(rows.length % 100).toBe(0);
    expect(rows.length).toBeGreaterThanOrEqual(400);
    for (let start = 0; start < events.length; start += 100) {
      const batch = new Set(events.slice(start, start + 100).map((event) => event.transactionId));
      expect(batch.size).toBe(1);
      expect(events.slice(0, start).some((event) => batch.has(event.transactionId))).toBe(false);
    }
    await importAgain(tableName, store, records, false);
    console.log(
      `faults killed-process ${driver} batches-running: stored ${rows.length} of ${records.length} (${rows.length / 100} whole batches), rows checked ${records.length}`,
    );
  }, 90_000);
});
