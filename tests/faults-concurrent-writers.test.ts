/**
 * Concurrent writers on each database (issue #12; R28 to R30, R33, R34): two
 * processes with four workers each update the same 20 records (10 in each
 * of two tenants) for a fixed number of attempts, every write reading the
 * record first and naming the version it read (expectedVersion). The
 * outcome of every attempt is checked against the database afterwards:
 *
 * - every attempt was a success or a version_conflict, nothing else;
 * - each record's version is 1 plus the successes reported on it, and those
 *   successes wrote the versions 2, 3, ... each once, each on the version
 *   before it; the record holds the payload of the last one;
 * - each tenant's change feed holds exactly its seed creates and those
 *   successes, in sequence order from 1 with no gap, each success's event
 *   with its version and checksum, a record's versions rising with the
 *   sequence; the feed read through the store, the changes table and the
 *   feeds table agree;
 * - lost updates (a success that no event and no version shows) are 0.
 *
 * Which attempts win depends on timing; what is checked holds for every
 * interleaving. One summary line per database goes to the log.
 */
import type { MetadataCallContextInput, MetadataChangeEvent, MetadataRecordKeyInput } from '@metasource/spec';
import { openStore, type SqlStore } from '@metasource/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQL_DRIVERS, createTestDatabase, type TestDatabase } from '../packages/store/src/sql/testing';
import { Agent, killAgents, stopAgents } from './faults/agents';
import { closeStores, readChanges, readFeeds, readRecords, storeConfig } from './faults/database';
import type { AgentEvent } from './faults/protocol';

const TENANTS = ['acme', 'globex'] as const;
const RECORDS_PER_TENANT = 10;
const PROCESSES = 2;
const WORKERS = 4;
const ATTEMPTS_PER_WORKER = 100;
/** Longest pause between a worker's read and its write, in milliseconds. */
const THINK_MS = 3;

const context: MetadataCallContextInput = { actor: 'writer', readTenants: [...TENANTS], writeTenants: [...TENANTS] };

const targets = TENANTS.flatMap((tenantId, t) =>
  Array.from({ length: RECORDS_PER_TENANT }, (_, i) => ({
    tenantId,
    type: 'object',
    namespace: 'crm',
    name: `item_${String(t * RECORDS_PER_TENANT + i).padStart(2, '0')}`,
  })),
) satisfies (MetadataRecordKeyInput & { tenantId: string })[];

/** Every event of a tenant's feed, read through the store page by page. */
async function feedOf(store: SqlStore, tenantId: string): Promise<MetadataChangeEvent[]> {
  const events: MetadataChangeEvent[] = [];
  for (let after = 0; ;) {
    const page = await store.changes(context, { tenantId, afterSequence: after, limit: 100 });
    events.push(...page.events);
    after = page.lastSequence;
    if (!page.hasMore) return events;
  }
}

afterAll(() => stopAgents());

describe.each(SQL_DRIVERS)('%s: concurrent writers in two processes', (driver) => {
  let database: TestDatabase;
  let store: SqlStore;
  const tableName = 'writers';

  beforeAll(async () => {
    database = await createTestDatabase(driver, 'faults_writers');
    store = await openStore(storeConfig(database, tableName));
  }, 60_000);
  afterAll(async () => {
    await killAgents();
    await closeStores([store]);
    await database?.drop();
  }, 60_000);

  it('applies every write that reports success exactly once, reports every other attempt as a conflict, and loses none', async () => {
    for (const target of targets) {
      const created = await store.save(context, { ...target, payload: { seed: true } });
      expect(created).toMatchObject({ status: 'created', version: 1 });
    }

    const agents = await Promise.all(Array.from({ length: PROCESSES }, (_, p) => Agent.start(`${driver}-writer-${p + 1}`)));
    const config = storeConfig(database, tableName, { poolMax: WORKERS + 1 });
    await Promise.all(agents.map((agent) => agent.call({ op: 'open', store: 'main', config })));
    const commands = agents.map((agent, p) =>
      agent.send({
        op: 'writers',
        store: 'main',
        context,
        targets,
        workers: WORKERS,
        attempts: ATTEMPTS_PER_WORKER,
        seed: p + 1,
        tag: `p${p + 1}`,
        thinkMs: THINK_MS,
      }),
    );
    const answers = await Promise.all(agents.map((agent, p) => agent.answer(commands[p]!, 150_000)));
    for (const answer of answers) expect(answer, JSON.stringify(answer)).toMatchObject({ event: 'done' });
    const attempts = agents.flatMap((agent, p) =>
      agent.events(commands[p]!).flatMap((event: AgentEvent) => (event.event === 'attempt' ? [event.attempt] : [])),
    );
    await Promise.all(agents.map((agent) => agent.finish()));

    // Every attempt reported, each a success or a version conflict naming a newer stored version.
    expect(attempts).toHaveLength(PROCESSES * WORKERS * ATTEMPTS_PER_WORKER);
    const errors = attempts.filter((attempt) => attempt.outcome === 'error');
    expect(errors, JSON.stringify(errors.slice(0, 3))).toEqual([]);
    const successes = attempts.filter((attempt) => attempt.outcome === 'success');
    const conflicts = attempts.filter((attempt) => attempt.outcome === 'conflict');
    expect(successes.length + conflicts.length).toBe(attempts.length);
    for (const conflict of conflicts) expect(conflict.actualVersion).toBeGreaterThan(conflict.expectedVersion);
    expect(successes.length).toBeGreaterThan(0);

    const stored = await readRecords(database.db, tableName);
    expect(stored).toHaveLength(targets.length);
    const changes = await readChanges(database.db, tableName);
    const feeds = await readFeeds(database.db, tableName);
    let lostUpdates = 0;

    for (const target of targets) {
      const record = stored.find((row) => row.tenantId === target.tenantId && row.name === target.name)!;
      const won = successes.filter((attempt) => attempt.tenantId === target.tenantId && attempt.name === target.name);
      // Successes wrote versions 2..n+1, each once, each on the version before it.
      expect(record.version).toBe(1 + won.length);
      expect(won.map((attempt) => attempt.version).sort((a, b) => a! - b!)).toEqual(won.map((_, index) => index + 2));
      for (const attempt of won) expect(attempt.version).toBe(attempt.expectedVersion + 1);
      const last = won.find((attempt) => attempt.version === record.version);
      if (last) {
        expect(record.payload).toEqual({ by: last.tag, worker: last.worker, attempt: last.attempt });
        expect(record.checksum).toBe(last.checksum);
      } else {
        expect(record.payload).toEqual({ seed: true });
      }
    }

    for (const tenantId of TENANTS) {
      const events = await feedOf(store, tenantId);
      const rows = changes.filter((change) => change.tenantId === tenantId);
      const won = successes.filter((attempt) => attempt.tenantId === tenantId);
      // The feed through the store, the changes table and the feeds table agree; sequences run 1..n without a gap.
      expect(rows.map((row) => row.event)).toEqual(events);
      expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index + 1));
      expect(feeds.get(tenantId)).toBe(events.length);
      expect(events).toHaveLength(RECORDS_PER_TENANT + won.length);
      expect(events.slice(0, RECORDS_PER_TENANT).every((event) => event.operation === 'create' && event.version === 1)).toBe(true);
      const writes = events.slice(RECORDS_PER_TENANT);
      expect(writes.every((event) => event.operation === 'update')).toBe(true);
      // Each success has its event (same record, version and checksum); nothing else was written.
      const unmatched = new Set(writes);
      for (const attempt of won) {
        const event = writes.find(
          (candidate) => unmatched.has(candidate) && candidate.key.name === attempt.name && candidate.version === attempt.version,
        );
        if (event === undefined || !('checksumAfter' in event) || event.checksumAfter !== attempt.checksum) {
          lostUpdates += 1;
          continue;
        }
        unmatched.delete(event);
      }
      expect([...unmatched]).toEqual([]);
      // A record's versions rise with the sequence.
      for (const target of targets.filter((candidate) => candidate.tenantId === tenantId)) {
        const versions = events.filter((event) => event.key.name === target.name).map((event) => event.version);
        expect(versions).toEqual(versions.map((_, index) => index + 1));
      }
    }

    expect(lostUpdates).toBe(0);
    console.log(
      `faults concurrent-writers ${driver}: attempts ${attempts.length}, successes ${successes.length}, conflicts ${conflicts.length}, lost updates ${lostUpdates}, rows checked ${stored.length}`,
    );
  }, 180_000);
});
