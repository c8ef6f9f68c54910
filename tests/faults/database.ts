/**
 * What the fault tests read and do on a test database directly, beside the
 * stores: store configs for a table of the database, the rows of a store's
 * tables read through the test's own Kysely connection (decoded with the
 * row encoding every dialect shares), the server sessions of a store, and
 * locks held by a transaction of the test's own, to stop a store's
 * transaction at a chosen statement.
 */
import type { MetadataChangeEvent, MetadataRecord, MetadataTableSchemaInput } from '@metasource/spec';
import type { DatasourceStoreConfig } from '@metasource/store';
import { sql, type Kysely, type RawBuilder } from './kysely';
import { sqlLayout, type SqlDriver, type SqlLayout } from '../../packages/store/src/sql/layout';
import { fromRow } from '../../packages/store/src/sql/row';
import type { TestDatabase } from '../../packages/store/src/sql/testing';

/** Settings of a store config beside its table. */
export interface StoreSettings {
  /** Most connections of the store's pool (PostgreSQL, MySQL); default 4, to stay well under the servers' limits. */
  poolMax?: number;
  /** transactions.timeoutMs, which is also how long a migration waits for the lock. */
  timeoutMs?: number;
  maxRetries?: number;
  isolationLevel?: 'read_committed' | 'repeatable_read' | 'serializable';
  autoMigrate?: boolean;
  /** Extra indexes of the table (table.indexes). */
  indexes?: MetadataTableSchemaInput['indexes'];
}

/** The config of a store on `tableName` in a test database (plain JSON, so an agent can open the same store). */
export function storeConfig(database: TestDatabase, tableName: string, settings: StoreSettings = {}): DatasourceStoreConfig {
  const datasource =
    database.datasource.driver === 'sqlite' ? database.datasource : { ...database.datasource, pool: { max: settings.poolMax ?? 4 } };
  return {
    datasource,
    driver: {
      datasource: 'metadata_db',
      table: { tableName, ...(settings.indexes !== undefined ? { indexes: settings.indexes } : {}) },
      transactions: {
        ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
        ...(settings.maxRetries !== undefined ? { maxRetries: settings.maxRetries } : {}),
        ...(settings.isolationLevel !== undefined ? { isolationLevel: settings.isolationLevel } : {}),
      },
      migration: { autoMigrate: settings.autoMigrate ?? true },
      // Reads in these tests must see the database, never an earlier answer.
      performance: { cache: { enabled: false } },
    },
  };
}

/** The layout (table and column names) of a store on `tableName` with the default columns. */
export function layoutOf(tableName: string): SqlLayout {
  return sqlLayout({ tableName });
}

/** Every record row of a store's table, decoded, by tenant and id. */
export async function readRecords(db: Kysely<any>, tableName: string): Promise<MetadataRecord[]> {
  const layout = layoutOf(tableName);
  const rows = await db.selectFrom(layout.tables.records).selectAll().execute();
  return rows.map((row) => fromRow(layout, row)).sort((a, b) => compareText(a.tenantId, b.tenantId) || compareText(a.id ?? '', b.id ?? ''));
}

/** Every change event row of a store's table, by tenant and sequence, with the sequence column beside the event. */
export async function readChanges(
  db: Kysely<any>,
  tableName: string,
): Promise<{ tenantId: string; sequence: number; event: MetadataChangeEvent }[]> {
  const { tables } = layoutOf(tableName);
  const rows = await db.selectFrom(tables.changes).select(['tenant_id', 'sequence', 'event']).execute();
  return rows
    .map((row) => ({
      tenantId: String(row.tenant_id),
      sequence: Number(row.sequence),
      event: JSON.parse(String(row.event)) as MetadataChangeEvent,
    }))
    .sort((a, b) => compareText(a.tenantId, b.tenantId) || a.sequence - b.sequence);
}

/** The latest sequence of each tenant, from the feeds table. */
export async function readFeeds(db: Kysely<any>, tableName: string): Promise<Map<string, number>> {
  const { tables } = layoutOf(tableName);
  const rows = await db.selectFrom(tables.feeds).select(['tenant_id', 'latest_sequence']).execute();
  return new Map(rows.map((row) => [String(row.tenant_id), Number(row.latest_sequence)]));
}

/** The applied-migration log of a store's table, in id order. */
export async function readMigrationLog(
  db: Kysely<any>,
  tableName: string,
): Promise<{ id: string; checksum: string; description: string; statements: string }[]> {
  const { tables } = layoutOf(tableName);
  const rows = await db.selectFrom(tables.migrations).select(['id', 'checksum', 'description', 'statements']).execute();
  return rows
    .map((row) => ({
      id: String(row.id),
      checksum: String(row.checksum),
      description: String(row.description),
      statements: String(row.statements),
    }))
    .sort((a, b) => compareText(a.id, b.id));
}

/** Code point order, as the store sorts text. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Waits until `probe` returns a value other than undefined, polling; fails after `timeoutMs` (a bound, not an assertion on timing). */
export async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Waits until `check` holds, polling: for a state that, once reached, stays
 * (a transaction stopped by the test, a session gone), read from sources
 * that may lag a moment behind (InnoDB's information_schema cache).
 */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  await poll(what, async () => ((await check()) ? true : undefined), timeoutMs);
}

// ---------------------------------------------------------------------------
// Server sessions (PostgreSQL, MariaDB)
// ---------------------------------------------------------------------------

/** The server's id of the session a query runs in: PostgreSQL's backend pid, MariaDB's connection id. */
export async function sessionId(conn: Kysely<any>, driver: SqlDriver): Promise<number> {
  const query =
    driver === 'postgres' ? sql<{ id: unknown }>`SELECT pg_backend_pid() AS id` : sql<{ id: unknown }>`SELECT CONNECTION_ID() AS id`;
  const { rows } = await query.execute(conn);
  return Number(rows[0]?.id);
}

/**
 * InnoDB's information_schema tables (INNODB_TRX, INNODB_LOCK_WAITS) are a
 * cache that the server refreshes only when it has not been read for 0.1 s
 * (trx_i_s_cache_t), so a reader polling faster would see the same
 * snapshot forever. Each read of them waits this long first.
 */
function innodbCacheRefresh(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 150));
}

/**
 * The sessions of the test database that wait for a row lock, other than
 * `except`: PostgreSQL's backends whose wait event is a lock, MariaDB's
 * InnoDB transactions in LOCK WAIT.
 */
export async function lockWaiters(db: Kysely<any>, driver: SqlDriver, except: number): Promise<number[]> {
  if (driver === 'mysql') await innodbCacheRefresh();
  const query =
    driver === 'postgres'
      ? sql<{ id: unknown }>`SELECT pid AS id FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> ${except}`
      : sql<{ id: unknown }>`SELECT t.trx_mysql_thread_id AS id FROM information_schema.innodb_trx t
          JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id
          WHERE p.db = DATABASE() AND t.trx_state = 'LOCK WAIT' AND t.trx_mysql_thread_id <> ${except}`;
  const { rows } = await query.execute(db);
  return rows.map((row) => Number(row.id));
}

/** Whether a session of the server is still there. */
export async function sessionAlive(db: Kysely<any>, driver: SqlDriver, id: number): Promise<boolean> {
  const query =
    driver === 'postgres'
      ? sql<{ id: unknown }>`SELECT pid AS id FROM pg_stat_activity WHERE pid = ${id}`
      : sql<{ id: unknown }>`SELECT id FROM information_schema.processlist WHERE id = ${id}`;
  const { rows } = await query.execute(db);
  return rows.length > 0;
}

/**
 * Ends a session from the server side, as an administrator would:
 * `pg_terminate_backend` on PostgreSQL, `KILL CONNECTION` on MariaDB (its id
 * bound as a parameter, which mysql2 writes into the statement as a number).
 */
export async function terminateSession(db: Kysely<any>, driver: SqlDriver, id: number): Promise<void> {
  if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`not a session id: ${id}`);
  if (driver === 'postgres') await sql`SELECT pg_terminate_backend(${id})`.execute(db);
  else await sql`KILL CONNECTION ${id}`.execute(db);
}

/** A transaction of the test's own, holding the locks its statements took, until released. */
export interface HeldLock {
  /** The server session that holds the lock (PostgreSQL, MariaDB); 0 on SQLite. */
  session: number;
  /** Rolls the transaction back, releasing its locks, and gives the connection back. */
  release(): Promise<void>;
}

/**
 * Opens a transaction on one connection of `db`, runs `statements` in it
 * (say, a SELECT ... FOR UPDATE of a row a store will want) and keeps it
 * open until release(). On SQLite the transaction begins IMMEDIATE, which
 * takes the database's write lock.
 */
export async function holdLock(db: Kysely<any>, driver: SqlDriver, statements: readonly RawBuilder<unknown>[]): Promise<HeldLock> {
  let held!: (session: number) => void;
  let failed!: (error: unknown) => void;
  let release!: () => void;
  const ready = new Promise<number>((resolve, reject) => {
    held = resolve;
    failed = reject;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const done = db
    .connection()
    .execute(async (conn) => {
      const session = driver === 'sqlite' ? 0 : await sessionId(conn, driver);
      await (driver === 'sqlite' ? sql`BEGIN IMMEDIATE` : sql`BEGIN`).execute(conn);
      try {
        for (const statement of statements) await statement.execute(conn);
        held(session);
        await released;
      } finally {
        await sql`ROLLBACK`.execute(conn);
      }
    })
    .catch((error: unknown) => failed(error));
  const session = await ready;
  const lock: HeldLock = {
    session,
    async release() {
      heldLocks.delete(lock);
      release();
      await done;
    },
  };
  heldLocks.add(lock);
  return lock;
}

const heldLocks = new Set<HeldLock>();

/** Releases every lock still held, so a test that failed half-way does not keep a connection (and the database) busy. */
export async function releaseHeldLocks(): Promise<void> {
  await Promise.all([...heldLocks].map((lock) => lock.release()));
}

/**
 * Whether another client has a write transaction open on the test database
 * right now, and, with `wrote`, one that has written rows it has not
 * committed: on PostgreSQL another backend idle in a transaction (with
 * `wrote`, holding RowExclusiveLock on the records table); on MariaDB an
 * InnoDB transaction of another connection to the database (with `wrote`,
 * one that modified rows); on SQLite the database's write lock, which the
 * test's own connection then cannot take (it asks with busy_timeout 0, so it
 * never waits), and which a SQLite write transaction holds from its BEGIN.
 */
export async function openWriteTransaction(db: Kysely<any>, driver: SqlDriver, tableName: string, wrote: boolean): Promise<boolean> {
  switch (driver) {
    case 'postgres': {
      const { rows } = wrote
        ? await sql`SELECT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE c.relname = ${tableName} AND l.mode = 'RowExclusiveLock' AND l.granted AND l.pid <> pg_backend_pid()`.execute(db)
        : await sql`SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND state = 'idle in transaction' AND pid <> pg_backend_pid()`.execute(db);
      return rows.length > 0;
    }
    case 'mysql': {
      await innodbCacheRefresh();
      const { rows } = await sql`SELECT t.trx_id FROM information_schema.innodb_trx t
        JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id
        WHERE p.db = DATABASE() AND t.trx_mysql_thread_id <> CONNECTION_ID() AND t.trx_rows_modified >= ${wrote ? 1 : 0}`.execute(db);
      return rows.length > 0;
    }
    case 'sqlite':
      return db.connection().execute(async (conn) => {
        const previous = await sql<{ timeout: unknown }>`PRAGMA busy_timeout`.execute(conn);
        await sql`PRAGMA busy_timeout = 0`.execute(conn);
        try {
          await sql`BEGIN IMMEDIATE`.execute(conn);
          await sql`ROLLBACK`.execute(conn);
          return false;
        } catch (error) {
          if (String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY')) return true;
          throw error;
        } finally {
          await sql`PRAGMA busy_timeout = ${sql.lit(Number(previous.rows[0]?.timeout ?? 5000))}`.execute(conn);
        }
      });
  }
}

/** The settled outcome of a call: its value, or the error it failed with. */
export type Outcome<T> = { value: T; error?: undefined } | { value?: undefined; error: unknown };

/** A promise's outcome, never rejecting: a call under test is started now and judged later. */
export function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** Waits for a promise at most `timeoutMs`, then fails naming `what` (a bound for a stuck call, not a timing assertion). */
export function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Closes stores at the end of a test file, each within 10 s, whatever
 * happened: a store left waiting by a failed test must not keep the
 * database from being dropped (dropping it ends any session left).
 */
export async function closeStores(stores: readonly ({ close(): Promise<void> } | undefined)[]): Promise<void> {
  for (const store of stores) {
    if (store) await within(store.close(), 10_000, 'closing a store').catch(() => undefined);
  }
}
