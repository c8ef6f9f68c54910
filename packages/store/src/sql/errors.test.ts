/**
 * Driver errors: the kind read from real errors of each server (a taken
 * key, a syntax error, a serialization failure, a deadlock, a lock not
 * granted, a statement timeout, a lost or refused connection), and the
 * typed error that names the driver's code but never its message, which
 * quotes values (R43, R44).
 */
import { MetadataStoreErrorSchema, MysqlDatasourceSchema, PostgresDatasourceSchema, SqliteDatasourceSchema } from '@metasource/spec';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetadataStoreFailure } from '../base/failure';
import { connect, type SqlConnection } from './connect';
import {
  POOL_CLOSED_CODE,
  POOL_TIMEOUT_CODE,
  PoolError,
  classifyDriverError,
  driverErrorCode,
  driverFailure,
  type DriverErrorKind,
} from './errors';
import { createTestDatabase, type TestDatabase } from './testing';

/** What a statement rejected with; fails the test when it succeeds. */
async function errorOf(run: Promise<unknown>): Promise<unknown> {
  try {
    await run;
  } catch (error) {
    return error;
  }
  throw new Error('expected the statement to fail');
}

/** The texts a driver error carries besides its code: where a value would leak from. */
function driverTexts(error: unknown): string {
  const { message, detail, sqlMessage, sql: statement } = error as Record<string, unknown>;
  return [message, detail, sqlMessage, statement].filter((text) => typeof text === 'string').join('\n');
}

const DESCRIPTIONS: Record<DriverErrorKind, string> = {
  unique_violation: 'a unique key is already taken',
  serialization_failure: 'the transaction conflicted with a concurrent one (serialization failure)',
  deadlock: 'the transaction was ended to break a deadlock',
  lock_timeout: 'a lock was not granted in time',
  statement_timeout: 'the statement ran longer than the statement timeout',
  connection: 'the database could not be reached or the connection was lost',
  other: 'the database reported an error',
};

/**
 * The error is of `kind` with driver code `code`, and its typed error says
 * so without the secret. When the driver's own texts quote the secret, that
 * is checked too, so the test shows what the redaction removes.
 */
function expectDriverError(error: unknown, kind: DriverErrorKind, code: string, secret?: { value: string; quoted: boolean }) {
  expect(classifyDriverError(error)).toBe(kind);
  const failure = driverFailure(error, 'saving record rec_1');
  expect(failure).toBeInstanceOf(MetadataStoreFailure);
  expect(MetadataStoreErrorSchema.safeParse(failure.error).success).toBe(true);
  expect(failure.error).toEqual({
    code: 'unavailable',
    message: `saving record rec_1 failed: ${DESCRIPTIONS[kind]} (driver error code ${code})`,
  });
  if (secret !== undefined) {
    expect(failure.message).not.toContain(secret.value);
    if (secret.quoted) expect(driverTexts(error)).toContain(secret.value);
  }
}

/** Runs `body` with two connections of `db` held at once. */
function withTwoConnections<T>(db: Kysely<any>, body: (a: Kysely<any>, b: Kysely<any>) => Promise<T>): Promise<T> {
  return db.connection().execute((a) => db.connection().execute((b) => body(a, b)));
}

describe('classifyDriverError and driverFailure, by the shape of each driver error', () => {
  const pg = (code: string) => Object.assign(new Error('pg'), { severity: 'ERROR', code });
  const mysql = (code: string, errno: number, sqlState: string) => Object.assign(new Error('mysql'), { code, errno, sqlState });
  const node = (code: string, syscall = 'connect') => Object.assign(new Error('node'), { code, errno: -1, syscall });

  it('reads the kind from PostgreSQL SQLSTATEs', () => {
    const cases: [string, DriverErrorKind][] = [
      ['23505', 'unique_violation'],
      ['40001', 'serialization_failure'],
      ['40P01', 'deadlock'],
      ['55P03', 'lock_timeout'],
      ['57014', 'statement_timeout'],
      ['08006', 'connection'],
      ['08001', 'connection'],
      ['57P01', 'connection'],
      ['28P01', 'connection'],
      ['3D000', 'connection'],
      ['53300', 'connection'],
      ['23503', 'other'],
      ['42601', 'other'],
    ];
    for (const [code, kind] of cases) expect([code, classifyDriverError(pg(code))]).toEqual([code, kind]);
  });

  it('reads the kind from MySQL and MariaDB error numbers and client codes', () => {
    const cases: [Error, DriverErrorKind][] = [
      [mysql('ER_DUP_ENTRY', 1062, '23000'), 'unique_violation'],
      [mysql('ER_DUP_ENTRY_WITH_KEY_NAME', 1586, '23000'), 'unique_violation'],
      [mysql('ER_LOCK_DEADLOCK', 1213, '40001'), 'deadlock'],
      [mysql('ER_LOCK_WAIT_TIMEOUT', 1205, 'HY000'), 'lock_timeout'],
      [mysql('ER_STATEMENT_TIMEOUT', 1969, '70100'), 'statement_timeout'],
      [mysql('ER_QUERY_TIMEOUT', 3024, 'HY000'), 'statement_timeout'],
      [mysql('ER_CHECKREAD', 1020, 'HY000'), 'serialization_failure'],
      [mysql('ER_ACCESS_DENIED_ERROR', 1045, '28000'), 'connection'],
      [mysql('ER_CON_COUNT_ERROR', 1040, '08004'), 'connection'],
      [mysql('ER_CONNECTION_KILLED', 1927, '70100'), 'connection'],
      [mysql('ER_PARSE_ERROR', 1064, '42000'), 'other'],
      [Object.assign(new Error('lost'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }), 'connection'],
      [Object.assign(new Error('no tls'), { code: 'HANDSHAKE_NO_SSL_SUPPORT' }), 'connection'],
    ];
    for (const [error, kind] of cases) expect([driverErrorCode(error), classifyDriverError(error)]).toEqual([driverErrorCode(error), kind]);
  });

  it('reads the kind from SQLite result codes, network, TLS and pool errors', () => {
    const sqlite = (code: string) => Object.assign(new Error('sqlite'), { code });
    const cases: [Error, DriverErrorKind][] = [
      [sqlite('SQLITE_CONSTRAINT_UNIQUE'), 'unique_violation'],
      [sqlite('SQLITE_CONSTRAINT_PRIMARYKEY'), 'unique_violation'],
      [sqlite('SQLITE_CONSTRAINT_CHECK'), 'other'],
      [sqlite('SQLITE_BUSY'), 'lock_timeout'],
      [sqlite('SQLITE_BUSY_SNAPSHOT'), 'serialization_failure'],
      [sqlite('SQLITE_LOCKED'), 'lock_timeout'],
      [sqlite('SQLITE_CANTOPEN'), 'connection'],
      [node('ECONNREFUSED'), 'connection'],
      [node('ENOTFOUND', 'getaddrinfo'), 'connection'],
      [node('ENOENT'), 'connection'],
      [node('ENOENT', 'open'), 'other'],
      [Object.assign(new Error('tls'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'connection'],
      [Object.assign(new Error('tls'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), 'connection'],
      [new PoolError(POOL_TIMEOUT_CODE, 'timeout'), 'connection'],
      [new PoolError(POOL_CLOSED_CODE, 'closed'), 'connection'],
      [new Error('Connection terminated unexpectedly'), 'connection'],
      [new Error('Client has encountered a connection error and is not queryable'), 'connection'],
      [new Error('something else'), 'other'],
    ];
    for (const [error, kind] of cases) expect([error.message, classifyDriverError(error)]).toEqual([error.message, kind]);
    expect(classifyDriverError('a string')).toBe('other');
    expect(classifyDriverError(null)).toBe('other');
  });

  it('follows causes and the errors of an AggregateError, and stops at a cycle', () => {
    const wrapped = new Error('Connection terminated due to connection timeout', { cause: node('ETIMEDOUT') });
    expect(classifyDriverError(wrapped)).toBe('connection');
    expect(driverErrorCode(wrapped)).toBe('ETIMEDOUT');
    const aggregate = Object.assign(new AggregateError([node('ECONNREFUSED'), node('ECONNREFUSED')], 'all failed'));
    expect(classifyDriverError(aggregate)).toBe('connection');
    expect(driverErrorCode(aggregate)).toBe('ECONNREFUSED');
    const cyclic = new Error('outer') as Error & { cause?: unknown };
    cyclic.cause = cyclic;
    expect(classifyDriverError(cyclic)).toBe('other');
    expect(driverErrorCode(cyclic)).toBeUndefined();
  });

  it('quotes a code only when it looks like one, with the MySQL error number', () => {
    expect(driverErrorCode(mysql('ER_DUP_ENTRY', 1062, '23000'))).toBe('ER_DUP_ENTRY/1062');
    expect(driverErrorCode(pg('40P01'))).toBe('40P01');
    expect(driverErrorCode(Object.assign(new Error('x'), { code: "Duplicate entry 'sk_live_1'" }))).toBeUndefined();
    const failure = driverFailure(Object.assign(new Error("value 'sk_live_1'"), { code: "value 'sk_live_1'" }), 'reading');
    expect(failure.message).toBe('reading failed: the database reported an error (the driver gave no error code)');
  });

  it('returns a MetadataStoreFailure as it is', () => {
    const original = new MetadataStoreFailure({ code: 'unavailable', message: 'cannot connect to datasource metadata_db: ...' });
    expect(driverFailure(original, 'reading')).toBe(original);
    expect(classifyDriverError(original)).toBe('connection');
  });
});

describe('SQLite errors', () => {
  let database: TestDatabase;
  let second: SqlConnection;
  const secret = { value: 'sk_live_sqlite_4242', quoted: true };

  beforeAll(async () => {
    database = await createTestDatabase('sqlite', 'errors');
    await sql`create table t (id text primary key, v text unique)`.execute(database.db);
    await sql`insert into t (id, v) values (${'r1'}, ${secret.value})`.execute(database.db);
    second = await connect(SqliteDatasourceSchema.parse({ ...database.datasource, busyTimeoutMs: 0 }));
  });
  afterAll(async () => {
    await second?.close();
    await database?.drop();
  });

  it('a taken primary key or unique value is unique_violation', async () => {
    const primary = await errorOf(sql`insert into t (id, v) values (${'r1'}, ${'other'})`.execute(database.db));
    expectDriverError(primary, 'unique_violation', 'SQLITE_CONSTRAINT_PRIMARYKEY');
    const unique = await errorOf(sql`insert into t (id, v) values (${'r2'}, ${secret.value})`.execute(database.db));
    expectDriverError(unique, 'unique_violation', 'SQLITE_CONSTRAINT_UNIQUE', { ...secret, quoted: false });
  });

  it('a syntax error quoting a secret is other, and the secret stays out', async () => {
    const error = await errorOf(sql.raw(`select 1 '${secret.value}' '${secret.value}'`).execute(database.db));
    expectDriverError(error, 'other', 'SQLITE_ERROR', secret);
  });

  it('a write lock held by another connection is lock_timeout (SQLITE_BUSY)', async () => {
    const error = await database.db.connection().execute(async (holder) => {
      await sql`begin immediate`.execute(holder);
      try {
        return await errorOf(sql`insert into t (id, v) values (${'r3'}, ${'x'})`.execute(second.db));
      } finally {
        await sql`rollback`.execute(holder);
      }
    });
    expectDriverError(error, 'lock_timeout', 'SQLITE_BUSY');
  });

  it('writing from a read snapshot another connection has since changed is serialization_failure', async () => {
    const error = await second.db.connection().execute(async (reader) => {
      await sql`begin`.execute(reader);
      try {
        await sql`select count(*) from t`.execute(reader);
        await sql`insert into t (id, v) values (${'r4'}, ${'y'})`.execute(database.db);
        return await errorOf(sql`insert into t (id, v) values (${'r5'}, ${'z'})`.execute(reader));
      } finally {
        await sql`rollback`.execute(reader);
      }
    });
    expectDriverError(error, 'serialization_failure', 'SQLITE_BUSY_SNAPSHOT');
  });
});

describe('PostgreSQL errors', () => {
  let database: TestDatabase;
  const secret = { value: 'sk_live_pg_4242', quoted: true };
  const datasource = (rest: Record<string, unknown> = {}) => PostgresDatasourceSchema.parse({ ...database.datasource, ...rest });

  beforeAll(async () => {
    database = await createTestDatabase('postgres', 'errors');
    await sql`create table t (id text primary key, v text unique, n integer not null default 0)`.execute(database.db);
    await sql`insert into t (id, v) values (${'r1'}, ${secret.value}), (${'r2'}, ${'b'})`.execute(database.db);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('a taken unique value is unique_violation; the value in the detail stays out', async () => {
    const error = await errorOf(sql`insert into t (id, v) values (${'r3'}, ${secret.value})`.execute(database.db));
    expectDriverError(error, 'unique_violation', '23505', secret);
  });

  it('a syntax error quoting a secret is other, and the secret stays out', async () => {
    const error = await errorOf(sql.raw(`select 1 '${secret.value}'`).execute(database.db));
    expectDriverError(error, 'other', '42601', secret);
  });

  it('concurrent serializable transactions that read each other’s writes: serialization_failure', async () => {
    const error = await withTwoConnections(database.db, async (a, b) => {
      for (const connection of [a, b]) {
        await sql`begin isolation level serializable`.execute(connection);
        await sql`select sum(n) from t`.execute(connection);
      }
      try {
        await sql`insert into t (id, v) values (${'s1'}, ${'s1'})`.execute(a);
        await sql`insert into t (id, v) values (${'s2'}, ${'s2'})`.execute(b);
        await sql`commit`.execute(a);
        return await errorOf(sql`commit`.execute(b));
      } finally {
        await sql`rollback`.execute(b);
      }
    });
    expectDriverError(error, 'serialization_failure', '40001');
  });

  it('two transactions locking rows in opposite order: deadlock', async () => {
    const error = await withTwoConnections(database.db, async (a, b) => {
      await sql`begin`.execute(a);
      await sql`begin`.execute(b);
      try {
        await sql`update t set n = n + 1 where id = ${'r1'}`.execute(a);
        await sql`update t set n = n + 1 where id = ${'r2'}`.execute(b);
        const outcomes = await Promise.allSettled([
          sql`update t set n = n + 1 where id = ${'r2'}`.execute(a),
          sql`update t set n = n + 1 where id = ${'r1'}`.execute(b),
        ]);
        const failed = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
        expect(failed).toHaveLength(1);
        return failed[0]!.reason;
      } finally {
        await sql`rollback`.execute(a);
        await sql`rollback`.execute(b);
      }
    });
    expectDriverError(error, 'deadlock', '40P01');
  });

  it('a row lock not granted (NOWAIT) is lock_timeout', async () => {
    const error = await withTwoConnections(database.db, async (a, b) => {
      await sql`begin`.execute(a);
      try {
        await sql`select id from t where id = ${'r1'} for update`.execute(a);
        return await errorOf(sql`select id from t where id = ${'r1'} for update nowait`.execute(b));
      } finally {
        await sql`rollback`.execute(a);
      }
    });
    expectDriverError(error, 'lock_timeout', '55P03');
  });

  it('a statement past statementTimeoutMs is statement_timeout', async () => {
    const connection = await connect(datasource({ statementTimeoutMs: 100 }));
    try {
      expectDriverError(await errorOf(sql`select pg_sleep(2)`.execute(connection.db)), 'statement_timeout', '57014');
    } finally {
      await connection.close();
    }
  });

  it('a session the server terminates mid-statement is connection', async () => {
    const connection = await connect(datasource({ pool: { max: 1 } }));
    try {
      const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(connection.db)).rows[0]!.pid;
      const running = errorOf(sql`select pg_sleep(5)`.execute(connection.db));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await sql`select pg_terminate_backend(${pid})`.execute(database.db);
      expectDriverError(await running, 'connection', '57P01');
      expect((await sql<{ one: number }>`select 1 as one`.execute(connection.db)).rows).toEqual([{ one: 1 }]);
    } finally {
      await connection.close();
    }
  });
});

describe('MariaDB errors', () => {
  let database: TestDatabase;
  const secret = { value: 'sk_live_mysql_4242', quoted: true };
  const datasource = (rest: Record<string, unknown> = {}) => MysqlDatasourceSchema.parse({ ...database.datasource, ...rest });

  beforeAll(async () => {
    database = await createTestDatabase('mysql', 'errors');
    await sql`create table t (id varchar(64) primary key, v varchar(64) unique, n integer not null default 0) engine = InnoDB`.execute(
      database.db,
    );
    await sql`insert into t (id, v) values (${'r1'}, ${secret.value}), (${'r2'}, ${'b'})`.execute(database.db);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('a taken unique value is unique_violation; the duplicate entry in the message stays out', async () => {
    const error = await errorOf(sql`insert into t (id, v) values (${'r3'}, ${secret.value})`.execute(database.db));
    expectDriverError(error, 'unique_violation', 'ER_DUP_ENTRY/1062', secret);
  });

  it('a syntax error quoting a secret is other, and the secret stays out', async () => {
    const error = await errorOf(sql.raw(`selec '${secret.value}'`).execute(database.db));
    expectDriverError(error, 'other', 'ER_PARSE_ERROR/1064', secret);
  });

  it('two transactions locking rows in opposite order: deadlock', async () => {
    const error = await withTwoConnections(database.db, async (a, b) => {
      await sql`begin`.execute(a);
      await sql`begin`.execute(b);
      try {
        await sql`update t set n = n + 1 where id = ${'r1'}`.execute(a);
        await sql`update t set n = n + 1 where id = ${'r2'}`.execute(b);
        const first = sql`update t set n = n + 1 where id = ${'r2'}`.execute(a);
        await new Promise((resolve) => setTimeout(resolve, 100));
        const outcomes = await Promise.allSettled([first, sql`update t set n = n + 1 where id = ${'r1'}`.execute(b)]);
        const failed = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
        expect(failed).toHaveLength(1);
        return failed[0]!.reason;
      } finally {
        await sql`rollback`.execute(a);
        await sql`rollback`.execute(b);
      }
    });
    expectDriverError(error, 'deadlock', 'ER_LOCK_DEADLOCK/1213');
  });

  it('a row lock not granted in time is lock_timeout', async () => {
    const error = await withTwoConnections(database.db, async (a, b) => {
      await sql`begin`.execute(a);
      try {
        await sql`select id from t where id = ${'r1'} for update`.execute(a);
        return await errorOf(sql`select id from t where id = ${'r1'} for update nowait`.execute(b));
      } finally {
        await sql`rollback`.execute(a);
      }
    });
    expectDriverError(error, 'lock_timeout', 'ER_LOCK_WAIT_TIMEOUT/1205');
  });

  it('a statement past statementTimeoutMs is statement_timeout', async () => {
    const connection = await connect(datasource({ statementTimeoutMs: 100 }));
    try {
      expectDriverError(await errorOf(sql`select sleep(2)`.execute(connection.db)), 'statement_timeout', '1969');
    } finally {
      await connection.close();
    }
  });

  it('a session the server kills mid-statement is connection', async () => {
    const connection = await connect(datasource({ pool: { max: 1 } }));
    try {
      const id = (await sql<{ id: unknown }>`select connection_id() as id`.execute(connection.db)).rows[0]!.id;
      const running = errorOf(sql`select sleep(5)`.execute(connection.db));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await sql`kill connection ${Number(id)}`.execute(database.db);
      const error = await running;
      expect(classifyDriverError(error)).toBe('connection');
      expect(['ER_CONNECTION_KILLED/1927', 'PROTOCOL_CONNECTION_LOST']).toContain(driverErrorCode(error));
      expect((await sql<{ one: unknown }>`select 1 as one`.execute(connection.db)).rows).toEqual([{ one: 1 }]);
    } finally {
      await connection.close();
    }
  });
});
