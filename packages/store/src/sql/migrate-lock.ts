/**
 * The migration lock (R10): one migration at a time per records table, on
 * every client of the database, released when the migration ends or fails.
 *
 * - PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) whose key
 *   is derived from the table's qualified name, held by the connection that
 *   runs the migration; the server drops it with the session, so a crashed
 *   migrator never leaves it behind.
 * - MySQL/MariaDB: a named lock (`GET_LOCK`), named after the database and
 *   table (named locks are server-wide), likewise tied to the session.
 * - SQLite, which has neither: a row of the lock table, taken in a
 *   `BEGIN IMMEDIATE` transaction (SQLite's single writer lock, so two
 *   migrators never take it at once) and committed, with its holder and the
 *   time it was taken. A row older than LOCK_ROW_EXPIRY_MS is a crashed
 *   holder's and is taken over; the migration itself runs in a later
 *   `BEGIN IMMEDIATE` transaction that first checks the row is still its
 *   own, and deletes the row before it commits.
 *
 * Waiting polls: a lock that stays taken for `lockTimeoutMs` fails the call
 * with migration_locked. No call blocks the event loop (SQLite's busy
 * timeout is set to 0 while the migration holds the connection, and busy
 * answers are retried after a short sleep).
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { fail } from '../base/failure';
import type { SqlLayout } from './layout';
import { tableRef } from './schema';

/** How long a waiting migrator sleeps between two tries. */
export const LOCK_POLL_MS = 25;

/** Age after which a SQLite lock row is taken to be a crashed holder's. */
export const LOCK_ROW_EXPIRY_MS = 60_000;

/** The name of the lock table's row. */
export const LOCK_ROW_NAME = 'migration';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Who holds a lock: this process and a random tag, unique per migration. */
export function newHolder(): string {
  return `pid ${process.pid} ${randomBytes(8).toString('hex')}`;
}

/** The records table as a message names it. */
export function qualifiedName(layout: SqlLayout): string {
  return layout.tables.schema === undefined ? layout.tables.records : `${layout.tables.schema}.${layout.tables.records}`;
}

function locked(layout: SqlLayout, timeoutMs: number, why = 'another migration holds the lock'): never {
  fail({
    code: 'migration_locked',
    message: `${why} on ${qualifiedName(layout)}; gave up after waiting ${timeoutMs} ms`,
  });
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The advisory lock key of a table: the first 8 bytes of the SHA-256 of its qualified name, as a signed 64-bit integer. */
export function postgresLockKey(schema: string, table: string): string {
  return digest(`metasource:migration:${schema}.${table}`).readBigInt64BE(0).toString();
}

/** The named lock of a table: within MySQL's 64 characters whatever the names' lengths. */
export function mysqlLockName(database: string, table: string): string {
  return `metasource:${digest(`${database}.${table}`).toString('hex').slice(0, 48)}`;
}

/**
 * Runs `work`, then `release`. When both fail, the error of `work` is the
 * one thrown: a release fails when the session is gone, and a session lock
 * goes with its session.
 */
async function releasing<T>(work: () => Promise<T>, release: () => Promise<unknown>): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await release().catch(() => undefined);
    throw error;
  }
  await release();
  return result;
}

/** Runs `work` holding the table's advisory lock on `conn` (one connection), and releases it. */
export async function withPostgresLock<T>(conn: Kysely<any>, layout: SqlLayout, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  const schema =
    layout.tables.schema ?? String(((await sql`SELECT current_schema() AS name`.execute(conn)).rows[0] as { name: unknown }).name);
  const key = postgresLockKey(schema, layout.tables.records);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await sql<{ got: boolean }>`SELECT pg_try_advisory_lock(${key}::bigint) AS got`.execute(conn);
    if (rows[0]?.got === true) break;
    if (Date.now() >= deadline) locked(layout, timeoutMs);
    await sleep(LOCK_POLL_MS);
  }
  return releasing(work, () => sql`SELECT pg_advisory_unlock(${key}::bigint)`.execute(conn));
}

/** Runs `work` holding the table's named lock on `conn` (one connection), and releases it. */
export async function withMysqlLock<T>(conn: Kysely<any>, layout: SqlLayout, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  const database = layout.tables.schema ?? String(((await sql`SELECT DATABASE() AS name`.execute(conn)).rows[0] as { name: unknown }).name);
  const name = mysqlLockName(database, layout.tables.records);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await sql<{ got: unknown }>`SELECT GET_LOCK(${name}, 0) AS got`.execute(conn);
    if (Number(rows[0]?.got) === 1) break;
    if (Date.now() >= deadline) locked(layout, timeoutMs);
    await sleep(LOCK_POLL_MS);
  }
  return releasing(work, () => sql`SELECT RELEASE_LOCK(${name})`.execute(conn));
}

/** Whether a SQLite error says another connection holds the database. */
export function isSqliteBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** Runs `work` with SQLite's busy timeout at 0 on `conn`, so that a busy database answers at once, and restores it. */
export async function withoutBusyWait<T>(conn: Kysely<any>, work: () => Promise<T>): Promise<T> {
  const { rows } = await sql<{ timeout: unknown }>`PRAGMA busy_timeout`.execute(conn);
  const previous = Number(rows[0]?.timeout ?? 0);
  await sql`PRAGMA busy_timeout = ${sql.lit(0)}`.execute(conn);
  try {
    return await work();
  } finally {
    await sql`PRAGMA busy_timeout = ${sql.lit(Number.isSafeInteger(previous) && previous >= 0 ? previous : 0)}`.execute(conn);
  }
}

/** Starts a `BEGIN IMMEDIATE` transaction on `conn`, retrying while the database is busy, until `deadline`. */
export async function beginImmediate(conn: Kysely<any>, layout: SqlLayout, deadline: number, timeoutMs: number): Promise<void> {
  for (;;) {
    try {
      await sql`BEGIN IMMEDIATE`.execute(conn);
      return;
    } catch (error) {
      if (!isSqliteBusy(error)) throw error;
      if (Date.now() >= deadline) locked(layout, timeoutMs, 'another connection is writing to the database');
      await sleep(LOCK_POLL_MS);
    }
  }
}

/** Rolls back the open transaction on `conn`, if any (SQLite rolls some errors back by itself). */
export async function rollbackQuietly(conn: Kysely<any>): Promise<void> {
  try {
    await sql`ROLLBACK`.execute(conn);
  } catch {
    // No transaction was open: nothing to undo.
  }
}

async function lockTableExists(conn: Kysely<any>, layout: SqlLayout): Promise<boolean> {
  const { rows } =
    await sql`SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ${layout.tables.lock} COLLATE NOCASE`.execute(conn);
  return rows.length > 0;
}

/**
 * Takes the lock row for `holder`, waiting while another live holder has
 * it. Returns false when the lock table does not exist yet (a database the
 * store has not created): the caller's own `BEGIN IMMEDIATE` transaction is
 * then the only lock, and its migration creates the table.
 */
export async function takeSqliteLockRow(
  conn: Kysely<any>,
  layout: SqlLayout,
  holder: string,
  deadline: number,
  timeoutMs: number,
): Promise<boolean> {
  const lock = tableRef(undefined, layout.tables.lock);
  for (;;) {
    await beginImmediate(conn, layout, deadline, timeoutMs);
    let held = false;
    try {
      if (!(await lockTableExists(conn, layout))) {
        await sql`ROLLBACK`.execute(conn);
        return false;
      }
      const { rows } = await sql<{ acquired_at: unknown }>`SELECT acquired_at FROM ${lock} WHERE name = ${LOCK_ROW_NAME}`.execute(conn);
      const since = rows[0] ? Date.parse(String(rows[0].acquired_at)) : Number.NaN;
      held = rows.length > 0 && Number.isFinite(since) && Date.now() - since < LOCK_ROW_EXPIRY_MS;
      if (!held) {
        await sql`INSERT INTO ${lock} (name, holder, acquired_at) VALUES (${LOCK_ROW_NAME}, ${holder}, ${new Date().toISOString()})
                  ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at`.execute(conn);
        await sql`COMMIT`.execute(conn);
        return true;
      }
      await sql`ROLLBACK`.execute(conn);
    } catch (error) {
      await rollbackQuietly(conn);
      throw error;
    }
    if (Date.now() >= deadline) locked(layout, timeoutMs);
    await sleep(LOCK_POLL_MS);
  }
}

/** Fails with migration_locked unless the lock row is still `holder`'s (inside the migration's transaction). */
export async function checkSqliteLockRow(conn: Kysely<any>, layout: SqlLayout, holder: string, timeoutMs: number): Promise<void> {
  const { rows } = await sql<{
    holder: unknown;
  }>`SELECT holder FROM ${tableRef(undefined, layout.tables.lock)} WHERE name = ${LOCK_ROW_NAME}`.execute(conn);
  if (rows[0]?.holder !== holder) locked(layout, timeoutMs, 'the lock row was taken over by another migration');
}

/** Deletes `holder`'s lock row (in the migration's transaction, or on its own). */
export async function deleteSqliteLockRow(conn: Kysely<any>, layout: SqlLayout, holder: string): Promise<void> {
  await sql`DELETE FROM ${tableRef(undefined, layout.tables.lock)} WHERE name = ${LOCK_ROW_NAME} AND holder = ${holder}`.execute(conn);
}

/** Deletes `holder`'s lock row after a failed migration, retrying while the database is busy; a row left behind expires. */
export async function releaseSqliteLockRow(conn: Kysely<any>, layout: SqlLayout, holder: string, patienceMs = 5_000): Promise<void> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    try {
      await deleteSqliteLockRow(conn, layout, holder);
      return;
    } catch (error) {
      if (!isSqliteBusy(error) || Date.now() >= deadline) return;
      await sleep(LOCK_POLL_MS);
    }
  }
}
