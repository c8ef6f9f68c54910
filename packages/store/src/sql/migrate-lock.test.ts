/**
 * The migration lock (R10) on real databases, each dialect: two migrators
 * at once never both run; a lock held elsewhere makes a migration wait, then
 * fail with migration_locked; a crashed holder's lock does not block for
 * ever; a failed migration releases the lock.
 */
import { createRequire } from 'node:module';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlLayout, type SqlLayout, type SqlServer } from './layout';
import { LOCK_ROW_EXPIRY_MS, LOCK_ROW_NAME, mysqlLockName, postgresLockKey } from './migrate-lock';
import { DEFAULT_SETTINGS, freshLayout, migrate, secondClient, serverOf, storeError } from './migrate-testing';
import { inspectSchema, listTables, tableRef } from './schema';
import { createTestDatabase, mysqlSettings, postgresSettings, SQL_DRIVERS, type TestDatabase } from './testing';

const require = createRequire(import.meta.url);

/** A lock held by another client until release() (PostgreSQL and MySQL: on a session of its own; SQLite: a committed lock row). */
async function holdLock(database: TestDatabase, client: Kysely<any>, layout: SqlLayout, acquiredAt = new Date()) {
  if (database.driver === 'sqlite') {
    const lock = tableRef(undefined, layout.tables.lock);
    await sql`INSERT INTO ${lock} (name, holder, acquired_at) VALUES (${LOCK_ROW_NAME}, ${'someone else'}, ${acquiredAt.toISOString()})`.execute(
      client,
    );
    return { release: async () => void (await sql`DELETE FROM ${lock} WHERE holder = ${'someone else'}`.execute(client)) };
  }
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const held = new Promise<void>((resolve) => (locked = resolve));
  const session = client.connection().execute(async (conn) => {
    if (database.driver === 'postgres') {
      await sql`SELECT pg_advisory_lock(${postgresLockKey('public', layout.tables.records)}::bigint)`.execute(conn);
      locked();
      await released;
      await sql`SELECT pg_advisory_unlock(${postgresLockKey('public', layout.tables.records)}::bigint)`.execute(conn);
    } else {
      const { rows } = await sql<{
        got: unknown;
      }>`SELECT GET_LOCK(${mysqlLockName(database.name, layout.tables.records)}, 10) AS got`.execute(conn);
      expect(Number(rows[0]!.got)).toBe(1);
      locked();
      await released;
      await sql`SELECT RELEASE_LOCK(${mysqlLockName(database.name, layout.tables.records)})`.execute(conn);
    }
  });
  await held;
  return {
    release: async () => {
      release();
      await session;
    },
  };
}

/** A layout whose tables exist (so SQLite has its lock table), and the same table with one more index: a migration with work to do. */
async function prepared(database: TestDatabase, server: SqlServer, label: string) {
  const base = freshLayout(label);
  await migrate(database.db, server, base);
  const next = sqlLayout({ tableName: base.tables.records, indexes: [{ name: `${base.tables.records}_name_idx`, fields: ['name'] }] });
  return { base, next };
}

for (const driver of SQL_DRIVERS) {
  describe(`the migration lock on ${driver}`, () => {
    let database: TestDatabase;
    let server: SqlServer;
    let other: Kysely<any>;

    beforeAll(async () => {
      database = await createTestDatabase(driver, 'lock');
      server = await serverOf(database);
      other = secondClient(database);
    });
    afterAll(async () => {
      await other?.destroy();
      await database?.drop();
    });

    it('two migrators at once: exactly one runs the plan; the other then finds nothing to do, or gets migration_locked', async () => {
      for (const lockTimeoutMs of [5_000, 0, 5_000, 0]) {
        for (const fresh of [true, false]) {
          const settings = { ...DEFAULT_SETTINGS, lockTimeoutMs };
          const layout = fresh ? freshLayout('race') : (await prepared(database, server, 'race_more')).next;
          const results = await Promise.allSettled([
            migrate(database.db, server, layout, {}, settings),
            migrate(other, server, layout, {}, settings),
          ]);
          const applied = results.filter((result) => result.status === 'fulfilled' && result.value.applied);
          expect(applied, JSON.stringify(results)).toHaveLength(1);
          for (const result of results) {
            if (result.status === 'fulfilled' && result.value.applied) continue;
            if (result.status === 'fulfilled') {
              expect(result.value.steps).toEqual([]);
            } else {
              expect(result.reason.error).toMatchObject({ code: 'migration_locked' });
            }
          }
          const steps = (applied[0] as PromiseFulfilledResult<{ steps: unknown[] }>).value.steps.length;
          const log = await sql`SELECT id FROM ${tableRef(undefined, layout.tables.migrations)}`.execute(database.db);
          expect(log.rows).toHaveLength(fresh ? steps : steps + 1);
          expect((await inspectSchema(database.db, server, layout)).upToDate).toBe(true);
        }
      }
    });

    it('waits for a lock held elsewhere and fails with migration_locked after lockTimeoutMs, running nothing', async () => {
      const { next } = await prepared(database, server, 'held');
      const lock = await holdLock(database, other, next);
      try {
        const started = Date.now();
        const error = await storeError(migrate(database.db, server, next, {}, { ...DEFAULT_SETTINGS, lockTimeoutMs: 300 }));
        expect(error.code).toBe('migration_locked');
        expect(error.message).toBe(`another migration holds the lock on ${next.tables.records}; gave up after waiting 300 ms`);
        expect(Date.now() - started).toBeGreaterThanOrEqual(290);
        expect((await inspectSchema(database.db, server, next)).missingIndexes).toEqual([`${next.tables.records}_name_idx`]);
        // A dry run takes no lock.
        expect((await migrate(database.db, server, next, { dryRun: true }, { ...DEFAULT_SETTINGS, lockTimeoutMs: 0 })).steps).toHaveLength(
          2,
        );
      } finally {
        await lock.release();
      }
      expect((await migrate(database.db, server, next, {}, { ...DEFAULT_SETTINGS, lockTimeoutMs: 0 })).applied).toBe(true);
    });

    it('proceeds once the holder releases the lock within lockTimeoutMs', async () => {
      const { next } = await prepared(database, server, 'wait');
      const lock = await holdLock(database, other, next);
      const started = Date.now();
      const waiting = migrate(database.db, server, next, {}, { ...DEFAULT_SETTINGS, lockTimeoutMs: 5_000 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await lock.release();
      expect((await waiting).applied).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    });

    it("a crashed holder's lock does not block for ever (SQLite: an expired lock row; PostgreSQL, MySQL: the session's lock ends with it)", async () => {
      const { next } = await prepared(database, server, 'crash');
      const quick = { ...DEFAULT_SETTINGS, lockTimeoutMs: 0 };
      if (driver === 'sqlite') {
        await holdLock(database, other, next, new Date(Date.now() - LOCK_ROW_EXPIRY_MS - 1_000));
        expect((await migrate(database.db, server, next, {}, quick)).applied).toBe(true);
        const rows = await sql`SELECT holder FROM ${tableRef(undefined, next.tables.lock)}`.execute(database.db);
        expect(rows.rows).toEqual([]);
        return;
      }
      // A client of its own, outside any pool, whose socket is cut as when its process dies.
      if (driver === 'postgres') {
        const pg = require('pg') as typeof import('pg');
        const client = new pg.Client({ ...postgresSettings(), database: database.name });
        client.on('error', () => undefined);
        await client.connect();
        await client.query('SELECT pg_advisory_lock($1::bigint)', [postgresLockKey('public', next.tables.records)]);
        expect((await storeError(migrate(database.db, server, next, {}, quick))).code).toBe('migration_locked');
        (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      } else {
        const mysql = require('mysql2') as typeof import('mysql2');
        const client = mysql.createConnection({ ...mysqlSettings(), database: database.name });
        client.on('error', () => undefined);
        const [rows] = await client.promise().query('SELECT GET_LOCK(?, 10) AS got', [mysqlLockName(database.name, next.tables.records)]);
        expect(Number((rows as { got: unknown }[])[0]!.got)).toBe(1);
        expect((await storeError(migrate(database.db, server, next, {}, quick))).code).toBe('migration_locked');
        client.destroy();
      }
      // The server ends the session when it notices, which may take a moment: wait for it, boundedly.
      expect((await migrate(database.db, server, next, {}, { ...DEFAULT_SETTINGS, lockTimeoutMs: 5_000 })).applied).toBe(true);
    });

    it('a failed migration releases the lock', async () => {
      const { base } = await prepared(database, server, 'release');
      const failing = await storeError(
        migrate(database.db, server, base, {
          steps: [
            {
              type: 'alter',
              table: base.tables.records,
              changes: [{ action: 'drop_index', name: 'no_such_index' }],
              script: { dialect: driver, sql: 'DROP INDEX no_such_index_at_all' },
            },
          ],
          allowDataLoss: true,
        }),
      );
      expect(failing.code).toBe('invalid_input');
      const next = sqlLayout({ tableName: base.tables.records, indexes: [{ name: `${base.tables.records}_after_idx`, fields: ['name'] }] });
      expect((await migrate(other, server, next, {}, { ...DEFAULT_SETTINGS, lockTimeoutMs: 0 })).applied).toBe(true);
      if (driver === 'sqlite') {
        expect((await sql`SELECT holder FROM ${tableRef(undefined, base.tables.lock)}`.execute(database.db)).rows).toEqual([]);
      }
      expect(await listTables(database.db, server, undefined)).toContain(base.tables.lock);
    });
  });
}
