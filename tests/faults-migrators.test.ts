/**
 * Two migrators at once, in two processes, on each database (issue #12;
 * R9, R10). Each migrator is an agent (tests/faults/agent.ts) opening a
 * store with autoMigrate, which migrates under the store's lock before it
 * serves (PostgreSQL: an advisory lock; MariaDB: GET_LOCK; SQLite: the
 * database's write lock for a new table, then a lock row with an expiry).
 *
 * - Racing: both agents, already running, are sent the open in the same
 *   instant, on new tables and then on a table whose layout gains an index.
 *   Each either opens (having applied the plan, or waited and found nothing
 *   left to do) or fails with the typed migration_locked; at least one
 *   opens, and the applied-migration log holds each step once.
 * - Held: while the lock is held (by the test, through the store's own lock
 *   code, as a third migrator would), an agent that waits 300 ms fails with
 *   migration_locked and nothing applied, and an agent that waits longer is
 *   still waiting; released, the second applies the step, once.
 *
 * The log is compared with the log of the same layout migrated by one
 * migrator alone, the table name aside, and each row's checksum must be
 * the checksum of its statements.
 */
import type { MetadataTableSchemaInput } from '@metasource/spec';
import { openStore } from '@metasource/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepChecksum } from '../packages/store/src/sql/migrate';
import {
  checkSqliteLockRow,
  deleteSqliteLockRow,
  newHolder,
  takeSqliteLockRow,
  withMysqlLock,
  withPostgresLock,
} from '../packages/store/src/sql/migrate-lock';
import { SQL_DRIVERS, createTestDatabase, type TestDatabase } from '../packages/store/src/sql/testing';
import { Agent, stopAgents, type Answer } from './faults/agents';
import { layoutOf, readMigrationLog, storeConfig } from './faults/database';
import { sql } from './faults/kysely';

type Indexes = NonNullable<MetadataTableSchemaInput['indexes']>;

/** Extra indexes for a table; named after it, as index names are per schema on PostgreSQL and SQLite. */
const oneIndex = (tableName: string): Indexes => [{ name: `${tableName}_by_updated`, fields: ['updatedAt'] }];
const twoIndexes = (tableName: string): Indexes => [...oneIndex(tableName), { name: `${tableName}_by_state`, fields: ['state', 'type'] }];

/** A log row with the table's name replaced, so that logs of two tables compare. */
function normalise(rows: Awaited<ReturnType<typeof readMigrationLog>>, tableName: string) {
  const name = new RegExp(`(?<![A-Za-z0-9])${tableName}(?![A-Za-z0-9])`, 'g');
  return rows.map((row) => ({
    id: row.id.replace(name, 'T'),
    description: row.description.replace(name, 'T'),
    statements: (JSON.parse(row.statements) as string[]).map((statement) => statement.replace(name, 'T')),
  }));
}

afterAll(() => stopAgents());

describe.each(SQL_DRIVERS)('%s: two migrators at once', (driver) => {
  let database: TestDatabase;
  let agents: Agent[] = [];
  let stores = 0;

  beforeAll(async () => {
    database = await createTestDatabase(driver, 'faults_migrators');
    agents = await Promise.all([Agent.start(`${driver}-migrator-1`), Agent.start(`${driver}-migrator-2`)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.kill()));
    await database?.drop();
  }, 60_000);

  /** The log of `indexes` applied by one migrator alone, on a table of its own (a store opened once and closed). */
  async function referenceLog(indexesOf: ((tableName: string) => Indexes) | undefined): Promise<ReturnType<typeof normalise>> {
    const tableName = `ref_${++stores}`;
    const indexes = indexesOf?.(tableName);
    const first = await openStore(storeConfig(database, tableName));
    await first.close();
    if (indexes !== undefined) {
      for (const prefix of indexes.map((_, index) => indexes.slice(0, index + 1))) {
        const store = await openStore(storeConfig(database, tableName, { indexes: prefix }));
        await store.close();
      }
    }
    return normalise(await readMigrationLog(database.db, tableName), tableName);
  }

  /** Sends both agents the same open in one instant; returns both answers. */
  async function openBoth(tableName: string, settings: Parameters<typeof storeConfig>[2]): Promise<Answer[]> {
    const label = `s${++stores}`;
    const config = storeConfig(database, tableName, settings);
    const commands = agents.map((agent) => agent.send({ op: 'open', store: label, config }));
    const answers = await Promise.all(agents.map((agent, index) => agent.answer(commands[index]!, 90_000)));
    await Promise.all(
      agents.map((agent, index) => (answers[index]!.event === 'done' ? agent.call({ op: 'close', store: label }) : undefined)),
    );
    return answers;
  }

  /** Each agent opened or failed with migration_locked, and at least one opened. */
  function expectOneOpenedOthersLocked(answers: Answer[]): string {
    for (const answer of answers) {
      if (answer.event === 'failed') expect(answer.failure).toMatchObject({ typed: true, error: { code: 'migration_locked' } });
    }
    const opened = answers.filter((answer) => answer.event === 'done').length;
    expect(opened).toBeGreaterThanOrEqual(1);
    return `${opened} opened, ${answers.length - opened} migration_locked`;
  }

  /** Each row's checksum is its statements' checksum, ids are unique, and the log equals the reference. */
  async function expectLog(tableName: string, reference: ReturnType<typeof normalise>): Promise<number> {
    const log = await readMigrationLog(database.db, tableName);
    for (const row of log) expect(row.checksum).toBe(stepChecksum(JSON.parse(row.statements) as string[]));
    expect(new Set(log.map((row) => row.id)).size).toBe(log.length);
    expect(normalise(log, tableName)).toEqual(reference);
    // The schema is complete: a store that may not migrate opens on it.
    const check = await openStore(storeConfig(database, tableName, { autoMigrate: false, indexes: referenceIndexes.get(tableName) }));
    await check.close();
    return log.length;
  }
  const referenceIndexes = new Map<string, Indexes | undefined>();

  it('racing on new tables: one applies, the other waits or fails typed, and the log holds each step once', async () => {
    const reference = await referenceLog(undefined);
    expect(reference.length).toBeGreaterThan(0);
    for (let round = 1; round <= 3; round++) {
      const tableName = `race_${round}`;
      referenceIndexes.set(tableName, undefined);
      const outcome = expectOneOpenedOthersLocked(await openBoth(tableName, { timeoutMs: 30_000 }));
      const steps = await expectLog(tableName, reference);
      console.log(
        `faults migrators ${driver} race-new-table round ${round}: ${outcome}, log steps ${steps} (each once), rows checked ${steps}`,
      );
    }
  }, 120_000);

  it('racing on a layout that gains an index: the step is applied once', async () => {
    const tableName = 'race_index';
    const base = await openStore(storeConfig(database, tableName));
    await base.close();
    const reference = await referenceLog(oneIndex);
    referenceIndexes.set(tableName, oneIndex(tableName));
    const outcome = expectOneOpenedOthersLocked(await openBoth(tableName, { timeoutMs: 30_000, indexes: oneIndex(tableName) }));
    const steps = await expectLog(tableName, reference);
    console.log(`faults migrators ${driver} race-add-index: ${outcome}, log steps ${steps} (each once), rows checked ${steps}`);
  }, 120_000);

  /**
   * Holds the table's migration lock until release(), with the store's own
   * lock code, as a third migrator would: the advisory lock (PostgreSQL) or
   * the named lock (MariaDB), each held by one connection of the test's
   * database; on SQLite the lock row (the table exists here), a committed
   * row that needs no connection while it is held.
   */
  async function holdMigrationLock(tableName: string): Promise<{ release(): Promise<void> }> {
    const layout = layoutOf(tableName);
    if (driver === 'sqlite') {
      const holder = newHolder();
      const taken = await database.db.connection().execute((conn) => takeSqliteLockRow(conn, layout, holder, Date.now(), 0));
      expect(taken).toBe(true);
      return {
        release: () =>
          database.db.connection().execute(async (conn) => {
            await checkSqliteLockRow(conn, layout, holder, 0);
            await deleteSqliteLockRow(conn, layout, holder);
          }),
      };
    }
    let held!: () => void;
    let release!: () => void;
    const ready = new Promise<void>((resolve) => {
      held = resolve;
    });
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const work = async () => {
      held();
      await released;
    };
    const done = database.db
      .connection()
      .execute((conn) => (driver === 'postgres' ? withPostgresLock(conn, layout, 0, work) : withMysqlLock(conn, layout, 0, work)));
    await Promise.race([ready, done]);
    return {
      async release() {
        release();
        await done;
      },
    };
  }

  it('while another migrator holds the lock: a short wait fails with migration_locked, a long one waits and then applies once', async () => {
    const tableName = 'held';
    const base = await openStore(storeConfig(database, tableName));
    await base.close();
    const before = await readMigrationLog(database.db, tableName);
    const reference = await referenceLog(oneIndex);
    referenceIndexes.set(tableName, oneIndex(tableName));

    const lock = await holdMigrationLock(tableName);
    let released = false;
    try {
      const [short, long] = agents;
      const patient = long!.send({
        op: 'open',
        store: 'held_long',
        config: storeConfig(database, tableName, { timeoutMs: 60_000, indexes: oneIndex(tableName) }),
      });
      const impatient = await short!.request({
        op: 'open',
        store: 'held_short',
        config: storeConfig(database, tableName, { timeoutMs: 300, indexes: oneIndex(tableName) }),
      });
      expect(impatient).toMatchObject({ event: 'failed', failure: { typed: true, error: { code: 'migration_locked' } } });
      expect(await readMigrationLog(database.db, tableName)).toEqual(before);
      // The patient one is still waiting for the lock.
      expect(long!.events(patient)).toEqual([]);
      await lock.release();
      released = true;
      expect(await long!.answer(patient, 60_000)).toMatchObject({ event: 'done' });
      await long!.call({ op: 'close', store: 'held_long' });
    } finally {
      if (!released) await lock.release();
    }
    const steps = await expectLog(tableName, reference);
    console.log(
      `faults migrators ${driver} held-lock: 1 migration_locked after 300 ms, 1 waited and applied, log steps ${steps} (each once), rows checked ${steps}`,
    );

    // Both again, on a second new index: one applies it, the other finds it applied.
    const next = await referenceLog(twoIndexes);
    referenceIndexes.set(tableName, twoIndexes(tableName));
    const outcome = expectOneOpenedOthersLocked(await openBoth(tableName, { timeoutMs: 30_000, indexes: twoIndexes(tableName) }));
    const total = await expectLog(tableName, next);
    console.log(`faults migrators ${driver} race-second-index: ${outcome}, log steps ${total} (each once), rows checked ${total}`);
  }, 120_000);

  it('the lock is free afterwards: nothing is left holding it', async () => {
    // A migrator that may not wait at all takes it at once on every table of this file.
    for (const tableName of ['race_1', 'race_index', 'held']) {
      const lock = await holdMigrationLock(tableName);
      await lock.release();
    }
    if (driver === 'sqlite') {
      const { rows } = await sql`SELECT count(*) AS n FROM ${sql.table(layoutOf('held').tables.lock)}`.execute(database.db);
      expect(Number((rows[0] as { n: unknown }).n)).toBe(0);
    }
  });
});
