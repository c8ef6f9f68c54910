/**
 * Whether the migration lock of a records table is free, read without
 * taking it (sql/migrate-lock.ts in the store takes it):
 *
 * - PostgreSQL: the advisory lock is a row of pg_locks (locktype advisory;
 *   a bigint key is classid = its high 32 bits, objid = its low 32 bits,
 *   objsubid = 1);
 * - MySQL/MariaDB: IS_FREE_LOCK on the named lock;
 * - SQLite: the lock table's row, taken while younger than
 *   LOCK_ROW_EXPIRY_MS (an older one is a crashed holder's, taken over by
 *   the next migration).
 */
import {
  LOCK_ROW_EXPIRY_MS,
  LOCK_ROW_NAME,
  mysqlLockName,
  postgresLockKey,
  qualifiedName,
  type SqlConnection,
  type SqlLayout,
} from './store-internals';

export interface LockState {
  free: boolean;
  message: string;
}

type Db = SqlConnection['db'];

async function postgresLock(db: Db, layout: SqlLayout): Promise<LockState> {
  const schema =
    layout.tables.schema ??
    String((await db.selectNoFrom((eb) => eb.fn<string>('current_schema', []).as('name')).executeTakeFirstOrThrow()).name);
  const key = BigInt.asUintN(64, BigInt(postgresLockKey(schema, layout.tables.records)));
  const row = await db
    .selectFrom('pg_catalog.pg_locks')
    .select((eb) => eb.fn.countAll().as('held'))
    .where('locktype', '=', 'advisory')
    .where('objsubid', '=', 1)
    .where('classid', '=', Number(key >> 32n))
    .where('objid', '=', Number(key & 0xffffffffn))
    .where('granted', '=', true)
    .executeTakeFirstOrThrow();
  const held = Number(row.held) > 0;
  return {
    free: !held,
    message: held
      ? `a session holds the migration lock of ${qualifiedName(layout)} (advisory lock ${postgresLockKey(schema, layout.tables.records)}): a migration is running`
      : `the migration lock of ${qualifiedName(layout)} is free`,
  };
}

async function mysqlLock(db: Db, layout: SqlLayout): Promise<LockState> {
  const database =
    layout.tables.schema ??
    String((await db.selectNoFrom((eb) => eb.fn<string>('DATABASE', []).as('name')).executeTakeFirstOrThrow()).name);
  const name = mysqlLockName(database, layout.tables.records);
  const row = await db.selectNoFrom((eb) => eb.fn<number>('IS_FREE_LOCK', [eb.val(name)]).as('free')).executeTakeFirstOrThrow();
  const free = Number(row.free) === 1;
  return {
    free,
    message: free
      ? `the migration lock of ${qualifiedName(layout)} is free`
      : `a session holds the migration lock of ${qualifiedName(layout)} (named lock ${name}): a migration is running`,
  };
}

async function sqliteLock(db: Db, layout: SqlLayout, now: number): Promise<LockState> {
  const table = await db
    .selectFrom('sqlite_master')
    .select('name')
    .where('type', '=', 'table')
    .where('name', '=', layout.tables.lock)
    .executeTakeFirst();
  if (!table) return { free: true, message: `the migration lock of ${qualifiedName(layout)} is free (its lock table does not exist yet)` };
  const row = await db
    .selectFrom(layout.tables.lock)
    .select(['holder', 'acquired_at'])
    .where('name', '=', LOCK_ROW_NAME)
    .executeTakeFirst();
  if (!row) return { free: true, message: `the migration lock of ${qualifiedName(layout)} is free` };
  const since = Date.parse(String(row.acquired_at));
  if (Number.isFinite(since) && now - since < LOCK_ROW_EXPIRY_MS) {
    return {
      free: false,
      message: `${String(row.holder)} holds the migration lock of ${qualifiedName(layout)} since ${String(row.acquired_at)}: a migration is running`,
    };
  }
  return {
    free: true,
    message: `the migration lock of ${qualifiedName(layout)} is free: the lock row of ${String(row.holder)} is older than ${LOCK_ROW_EXPIRY_MS / 1000} s (a crashed migration) and the next migration takes it over`,
  };
}

/** Whether the migration lock of the layout's records table is free. */
export function migrationLockState(connection: SqlConnection, layout: SqlLayout, now = Date.now()): Promise<LockState> {
  switch (connection.server.driver) {
    case 'postgres':
      return postgresLock(connection.db, layout);
    case 'mysql':
      return mysqlLock(connection.db, layout);
    case 'sqlite':
      return sqliteLock(connection.db, layout, now);
  }
}
