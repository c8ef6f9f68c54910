/**
 * connect(): secret references resolved at each new connection (R4), the
 * tls group mapped to each driver and winning over a URL (R5), the pool
 * limits, the statement timeout and driver options of every session, and
 * the typed errors of a missing client package or an unreachable server.
 * The TLS modes are checked against small fake servers that speak the first
 * messages of each protocol and then TLS with certificates made by openssl,
 * since the test servers of this machine run without TLS.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { TLSSocket, createSecureContext } from 'node:tls';
import {
  MetadataStoreErrorSchema,
  MysqlDatasourceSchema,
  PostgresDatasourceSchema,
  SqliteDatasourceSchema,
  type MetadataStoreError,
  type MysqlDatasource,
  type MysqlDatasourceInput,
  type PostgresDatasource,
  type PostgresDatasourceInput,
} from '@metasource/spec';
import { Kysely, MysqlDialect, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetadataStoreFailure } from '../base/failure';
import {
  ConnectionPool,
  connect,
  connectWithLoader,
  describeTarget,
  isPostgresTlsParameter,
  mysqlConnectionOptions,
  mysqlSsl,
  mysqlStatementTimeout,
  postgresClientConfig,
  postgresSsl,
  postgresVersion,
  resolveSecret,
  resolveTlsMaterial,
  withoutUrlParameters,
  type SqlConnection,
} from './connect';
import { POOL_CLOSED_CODE, POOL_TIMEOUT_CODE, PoolError, classifyDriverError, driverFailure } from './errors';
import { createTestDatabase, type TestDatabase } from './testing';

/** The typed error a promise rejects with; fails the test when it rejects with anything else or resolves. */
async function failureOf(promise: Promise<unknown>): Promise<MetadataStoreError> {
  try {
    await promise;
  } catch (thrown) {
    expect(thrown).toBeInstanceOf(MetadataStoreFailure);
    const failure = thrown as MetadataStoreFailure;
    expect(MetadataStoreErrorSchema.safeParse(failure.error).success).toBe(true);
    expect(failure.message).toBe(failure.error.message);
    return failure.error;
  }
  throw new Error('expected a MetadataStoreFailure');
}

const here = { datasource: 'metadata_db', path: 'connection.password' };
const scratch = mkdtempSync(join(tmpdir(), 'metasource-connect-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function scratchFile(name: string, content: string | Buffer): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

const pgInput = (connection: PostgresDatasourceInput['connection'], rest: Partial<PostgresDatasourceInput> = {}): PostgresDatasource =>
  PostgresDatasourceSchema.parse({ driver: 'postgres', name: 'metadata_db', connection, tls: { mode: 'disable' }, ...rest });
const mysqlInput = (connection: MysqlDatasourceInput['connection'], rest: Partial<MysqlDatasourceInput> = {}): MysqlDatasource =>
  MysqlDatasourceSchema.parse({ driver: 'mysql', name: 'metadata_db', connection, tls: { mode: 'disable' }, ...rest });

describe('resolveSecret (R4)', () => {
  it('reads an environment variable at each call, so a rotated value is used next time', async () => {
    const env: Record<string, string | undefined> = { PG_PASSWORD: 'first' };
    expect(await resolveSecret({ env: 'PG_PASSWORD' }, here, env)).toBe('first');
    env.PG_PASSWORD = 'second';
    expect(await resolveSecret({ env: 'PG_PASSWORD' }, here, env)).toBe('second');
  });

  it('names an unset or empty variable, never a value', async () => {
    const unset = await failureOf(resolveSecret({ env: 'PG_PASSWORD' }, here, { OTHER: 'hunter2' }));
    expect(unset).toEqual({
      code: 'unavailable',
      message:
        'cannot connect to datasource metadata_db: connection.password names environment variable PG_PASSWORD, which is not set (rule secret_reference_resolves)',
    });
    const empty = await failureOf(resolveSecret({ env: 'PG_PASSWORD' }, here, { PG_PASSWORD: '' }));
    expect(empty.message).toContain('environment variable PG_PASSWORD, which is empty (rule secret_not_empty)');
  });

  it('reads a file at each call and removes exactly one trailing newline', async () => {
    const path = scratchFile('secret', 'first\n');
    expect(await resolveSecret({ file: path }, here, {})).toBe('first');
    writeFileSync(path, 'second\r\n');
    expect(await resolveSecret({ file: path }, here, {})).toBe('second');
    writeFileSync(path, ' two lines\n\n');
    expect(await resolveSecret({ file: path }, here, {})).toBe(' two lines\n');
    writeFileSync(path, 'no newline ');
    expect(await resolveSecret({ file: path }, here, {})).toBe('no newline ');
  });

  it('names a file that is missing, a directory, not UTF-8 or empty, never its content', async () => {
    const missing = await failureOf(resolveSecret({ file: join(scratch, 'missing') }, here, {}));
    expect(missing.message).toBe(
      `cannot connect to datasource metadata_db: connection.password names file ${join(scratch, 'missing')}, which cannot be read (ENOENT) (rule secret_reference_resolves)`,
    );
    expect((await failureOf(resolveSecret({ file: scratch }, here, {}))).message).toContain('which cannot be read (EISDIR)');
    const latin1 = scratchFile('latin1', Buffer.from([0x68, 0xfc, 0x6e, 0x74, 0x65, 0x72, 0x32]));
    expect((await failureOf(resolveSecret({ file: latin1 }, here, {}))).message).toContain('which is not UTF-8 text');
    const blank = scratchFile('blank', '\n');
    expect((await failureOf(resolveSecret({ file: blank }, here, {}))).message).toContain('which is empty (rule secret_not_empty)');
  });

  it('resolves the TLS material of a tls group, naming the field of one that fails', async () => {
    const ca = scratchFile('ca.pem', 'CA PEM\n');
    const env = { CLIENT_CERT: 'CERT PEM', CLIENT_KEY: 'KEY PEM' };
    const tls = { mode: 'verify_full', ca: { file: ca }, clientCert: { env: 'CLIENT_CERT' }, clientKey: { env: 'CLIENT_KEY' } } as const;
    expect(await resolveTlsMaterial(tls, 'metadata_db', env)).toEqual({ ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' });
    expect(await resolveTlsMaterial({ mode: 'require' }, 'metadata_db', env)).toEqual({});
    const failure = await failureOf(resolveTlsMaterial(tls, 'metadata_db', { CLIENT_CERT: 'CERT PEM' }));
    expect(failure.message).toContain('tls.clientKey names environment variable CLIENT_KEY, which is not set');
  });
});

describe('TLS options of each mode (R5)', () => {
  const material = { ca: 'CA', cert: 'CERT', key: 'KEY' };

  it('pg: disable is false; require skips checks; verify_ca checks the chain only; verify_full the chain and host', () => {
    expect(postgresSsl('disable')).toBe(false);
    expect(postgresSsl('require')).toEqual({ rejectUnauthorized: false });
    expect(postgresSsl('require', material)).toEqual({ ...material, rejectUnauthorized: false });
    const verifyCa = postgresSsl('verify_ca', material);
    expect(verifyCa).toMatchObject({ ...material, rejectUnauthorized: true });
    expect(verifyCa && verifyCa.checkServerIdentity?.('db.example.com', {} as never)).toBeUndefined();
    expect(postgresSsl('verify_full', material)).toEqual({ ...material, rejectUnauthorized: true });
    expect(postgresSsl('verify_full', {})).toEqual({ rejectUnauthorized: true });
  });

  it('mysql2: disable is no ssl; verify_ca and verify_full check the chain (the host is checked after the handshake)', () => {
    expect(mysqlSsl('disable', material)).toBeUndefined();
    expect(mysqlSsl('require')).toEqual({ rejectUnauthorized: false, verifyIdentity: false });
    expect(mysqlSsl('verify_ca', material)).toEqual({ ...material, rejectUnauthorized: true, verifyIdentity: false });
    expect(mysqlSsl('verify_full', material)).toEqual({ ...material, rejectUnauthorized: true, verifyIdentity: false });
  });

  it('takes the TLS parameters out of a URL and keeps the rest byte for byte', () => {
    const url = 'postgres://app:p%40ss@db.internal:5432/meta?sslmode=require&application_name=x%20y&sslrootcert=/ca.pem&SSL=1';
    expect(withoutUrlParameters(url, isPostgresTlsParameter)).toBe('postgres://app:p%40ss@db.internal:5432/meta?application_name=x%20y');
    expect(withoutUrlParameters('postgres://h/db?ssl%6Dode=verify-full&uselibpqcompat=true', isPostgresTlsParameter)).toBe(
      'postgres://h/db',
    );
    expect(withoutUrlParameters('postgres://h/db', isPostgresTlsParameter)).toBe('postgres://h/db');
    expect(withoutUrlParameters('postgres://h/db?sslmode=disable#part', isPostgresTlsParameter)).toBe('postgres://h/db#part');
    expect(withoutUrlParameters('postgres://h/db?&a=1&&sslcert=x', isPostgresTlsParameter)).toBe('postgres://h/db?a=1');
  });
});

describe('driver options of a new connection', () => {
  it('pg host form: resolved password, the TLS options, the acquire timeout as connect timeout', async () => {
    const ca = scratchFile('pg-ca.pem', 'CA PEM\n');
    const datasource = pgInput(
      { host: 'db.internal', database: 'meta', user: 'app', password: { env: 'PG_PASSWORD' } },
      { tls: { mode: 'verify_ca', ca: { file: ca } }, pool: { acquireTimeoutMs: 1234 } },
    );
    const config = await postgresClientConfig(datasource, { PG_PASSWORD: 'first' });
    expect(config).toMatchObject({
      host: 'db.internal',
      port: 5432,
      database: 'meta',
      user: 'app',
      password: 'first',
      ssl: { ca: 'CA PEM', rejectUnauthorized: true },
      connectionTimeoutMillis: 1234,
    });
    expect((await postgresClientConfig(datasource, { PG_PASSWORD: 'second' })).password).toBe('second');
  });

  it('pg without a password reference answers a password request with a typed error, not PGPASSWORD', async () => {
    const config = await postgresClientConfig(pgInput({ host: 'db.internal', database: 'meta', user: 'app' }), { PGPASSWORD: 'hunter2' });
    expect(typeof config.password).toBe('function');
    const failure = await failureOf(Promise.resolve().then(() => (config.password as () => string)()));
    expect(failure.message).toContain('the server asks for a password, and connection.password is not set (rule password_when_asked)');
  });

  it('pg url form: the URL without its TLS parameters, read at each connection', async () => {
    const datasource = pgInput({ url: { env: 'DATABASE_URL' } });
    const env = { DATABASE_URL: 'postgresql://app:first@db.internal/meta?sslmode=verify-full' };
    const config = await postgresClientConfig(datasource, env);
    expect(config).toMatchObject({ connectionString: 'postgresql://app:first@db.internal/meta', ssl: false });
    expect(config.host).toBeUndefined();
    env.DATABASE_URL = 'postgres://app:second@db.internal/meta';
    expect((await postgresClientConfig(datasource, env)).connectionString).toBe('postgres://app:second@db.internal/meta');
    // A Unix-domain socket: a form pg's parser takes and URL does not.
    env.DATABASE_URL = 'postgres://app@/meta?host=/run/postgresql&sslmode=require';
    expect((await postgresClientConfig(datasource, env)).connectionString).toBe('postgres://app@/meta?host=/run/postgresql');
  });

  it('refuses a URL of another driver or none, naming the reference only', async () => {
    const secretUrl = 'mysql://app:hunter2@db.internal/meta';
    const failure = await failureOf(postgresClientConfig(pgInput({ url: { env: 'DATABASE_URL' } }), { DATABASE_URL: secretUrl }));
    expect(failure.message).toBe(
      'cannot connect to datasource metadata_db: connection.url names environment variable DATABASE_URL, which does not hold a postgres:// (or postgresql://, socket:) URL (rule connection_url_scheme)',
    );
    const notUrl = await failureOf(mysqlConnectionOptions(mysqlInput({ url: { env: 'DATABASE_URL' } }), { DATABASE_URL: 'hunter2' }));
    expect(notUrl.message).toContain('which does not hold a mysql:// (or mariadb://) URL');
    expect(notUrl.message).not.toContain('hunter2');
    const broken = await failureOf(
      mysqlConnectionOptions(mysqlInput({ url: { env: 'DATABASE_URL' } }), { DATABASE_URL: 'mysql://app:hunter2@[db/meta' }),
    );
    expect(broken.message).toContain('which does not hold a mysql:// (or mariadb://) URL');
  });

  it('mysql2: utf8mb4, big numbers and dates as strings, TLS from the tls group over the URL', async () => {
    const datasource = mysqlInput(
      { host: 'db.internal', database: 'meta', user: 'app', password: { env: 'MYSQL_PASSWORD' } },
      { tls: { mode: 'verify_full' } },
    );
    expect(await mysqlConnectionOptions(datasource, { MYSQL_PASSWORD: 'first' })).toEqual({
      host: 'db.internal',
      port: 3306,
      database: 'meta',
      user: 'app',
      password: 'first',
      ssl: { rejectUnauthorized: true, verifyIdentity: false },
      charset: 'utf8mb4',
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      connectTimeout: 10_000,
    });
    const byUrl = await mysqlConnectionOptions(mysqlInput({ url: { env: 'DATABASE_URL' } }), {
      DATABASE_URL: 'mysql://app:pw@db.internal/meta?ssl={"rejectUnauthorized":false}&timezone=Z',
    });
    expect(byUrl.uri).toBe('mysql://app:pw@db.internal/meta?timezone=Z');
    expect(byUrl.ssl).toBeUndefined();
  });

  it('bounds statements with the session variable of the flavor', () => {
    const compile = (flavor: 'mariadb' | 'mysql', ms: number) => {
      const { sql: text, parameters } = mysqlStatementTimeout(flavor, ms).compile(compiler);
      return { text, parameters };
    };
    expect(compile('mariadb', 1500)).toEqual({ text: 'set session max_statement_time = ?', parameters: [1.5] });
    expect(compile('mysql', 1500)).toEqual({ text: 'set session max_execution_time = ?', parameters: [1500] });
    expect(compile('mariadb', 0)).toEqual({ text: 'set session max_statement_time = ?', parameters: [0] });
  });

  it('names where a datasource points, never a URL', () => {
    expect(describeTarget(pgInput({ host: '::1', database: 'meta', user: 'app' }))).toBe(
      'datasource metadata_db (PostgreSQL at [::1]:5432, database meta)',
    );
    expect(describeTarget(mysqlInput({ url: { file: '/run/secrets/url' } }))).toBe(
      'datasource metadata_db (MySQL at the URL in file /run/secrets/url)',
    );
    expect(postgresVersion('PostgreSQL 15.20 (Debian 15.20-0+deb12u1) on x86_64-pc-linux-gnu')).toBe('15.20');
    expect(postgresVersion('16beta1')).toBe('16beta1');
  });
});

/** A Kysely instance that only compiles (MySQL dialect); it never connects. */
const compiler = new Kysely<any>({
  dialect: new MysqlDialect({ pool: async () => Promise.reject(new Error('this instance only compiles')) }),
});

describe('the client package', () => {
  const sqlite = SqliteDatasourceSchema.parse({ driver: 'sqlite', name: 'metadata_db', connection: { filename: ':memory:' } });
  const missing = (code: string) => async () => {
    throw Object.assign(new Error('Cannot find package'), { code });
  };

  it('missing: unavailable, naming the package and the version to install', async () => {
    const cases = [
      [sqlite, 'better-sqlite3', 'better-sqlite3 12.x (npm install better-sqlite3@12; 13.x does not run on Node 20)'],
      [pgInput({ host: 'h', database: 'd', user: 'u' }), 'pg', 'pg 8.x (npm install pg@8)'],
      [mysqlInput({ host: 'h', database: 'd', user: 'u' }), 'mysql2', 'mysql2 3.x (npm install mysql2@3)'],
    ] as const;
    for (const [datasource, name, hint] of cases) {
      for (const code of ['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']) {
        expect(await failureOf(connectWithLoader(datasource, {}, missing(code)))).toEqual({
          code: 'unavailable',
          message: `datasource metadata_db uses the ${datasource.driver} driver, whose client package ${name} is not installed: install ${hint}`,
        });
      }
    }
  });

  it('failing to load for another reason: unavailable with the error code', async () => {
    const failure = await failureOf(connectWithLoader(sqlite, {}, missing('ERR_DLOPEN_FAILED')));
    expect(failure.message).toBe(
      'datasource metadata_db: the client package better-sqlite3 could not be loaded (ERR_DLOPEN_FAILED): reinstall better-sqlite3 12.x (npm install better-sqlite3@12; 13.x does not run on Node 20)',
    );
  });

  it('loads only the package of the driver in use', async () => {
    const loaded: string[] = [];
    const connection = await connectWithLoader(sqlite, {}, async (name) => {
      loaded.push(name);
      return import('better-sqlite3');
    });
    await connection.close();
    expect(loaded).toEqual(['better-sqlite3']);
  });
});

// ---------------------------------------------------------------------------
// The pool, with fake connections
// ---------------------------------------------------------------------------

interface Fake {
  id: number;
}

function fakePool(limits: Partial<{ min: number; max: number; idleTimeoutMs: number; acquireTimeoutMs: number }> = {}) {
  let next = 0;
  const closed: number[] = [];
  const failures: unknown[] = [];
  const pool = new ConnectionPool<Fake>(
    { min: 0, max: 2, idleTimeoutMs: 0, acquireTimeoutMs: 1000, ...limits },
    {
      async create() {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (failures.length > 0) throw failures.shift();
        return { id: ++next };
      },
      async close(connection) {
        closed.push(connection.id);
      },
    },
  );
  return { pool, closed, failures, created: () => next };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads until `read` gives `expected` or `timeoutMs` pass; returns the last reading (the server sees a close a moment later). */
async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value === expected || Date.now() > deadline) return value;
    await sleep(25);
  }
}

describe('ConnectionPool', () => {
  it('reuses an idle connection rather than opening another', async () => {
    const { pool, created } = fakePool();
    const first = await pool.acquire();
    pool.release(first);
    expect(await pool.acquire()).toBe(first);
    expect(created()).toBe(1);
  });

  it('opens at most max connections and serves waiting callers in order', async () => {
    const { pool, created } = fakePool({ max: 2 });
    const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
    const order: number[] = [];
    const third = pool.acquire().then((c) => (order.push(3), c));
    const fourth = pool.acquire().then((c) => (order.push(4), c));
    await sleep(20);
    expect(pool.stats).toEqual({ open: 2, idle: 0, opening: 0, waiting: 2 });
    pool.release(b!);
    pool.release(a!);
    expect([await third, await fourth]).toEqual([b, a]);
    expect(order).toEqual([3, 4]);
    expect(created()).toBe(2);
  });

  it('fails a caller that waited acquireTimeoutMs with METASOURCE_POOL_TIMEOUT', async () => {
    const { pool } = fakePool({ max: 1, acquireTimeoutMs: 50 });
    const held = await pool.acquire();
    const started = Date.now();
    const error = await pool.acquire().catch((thrown: unknown) => thrown);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(error).toBeInstanceOf(PoolError);
    expect((error as PoolError).code).toBe(POOL_TIMEOUT_CODE);
    expect(classifyDriverError(error)).toBe('connection');
    expect(pool.stats.waiting).toBe(0);
    pool.release(held);
    expect(await pool.acquire()).toBe(held);
  });

  it('fails the longest-waiting caller with the error of a failed opening, and recovers', async () => {
    const { pool, failures } = fakePool();
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    failures.push(refused);
    await expect(pool.acquire()).rejects.toBe(refused);
    expect(pool.stats).toEqual({ open: 0, idle: 0, opening: 0, waiting: 0 });
    expect(await pool.acquire()).toEqual({ id: 1 });
  });

  it('closes idle connections after idleTimeoutMs down to min, and never when it is 0', async () => {
    const { pool, closed } = fakePool({ max: 3, min: 1, idleTimeoutMs: 30 });
    const all = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    for (const connection of all) pool.release(connection);
    await sleep(100);
    expect(pool.stats.open).toBe(1);
    expect(closed).toHaveLength(2);

    const never = fakePool({ max: 2, idleTimeoutMs: 0 });
    const pair = await Promise.all([never.pool.acquire(), never.pool.acquire()]);
    for (const connection of pair) never.pool.release(connection);
    await sleep(60);
    expect(never.pool.stats).toMatchObject({ open: 2, idle: 2 });
  });

  it('closes a discarded or broken connection instead of reusing it', async () => {
    const { pool, closed } = fakePool();
    const first = await pool.acquire();
    pool.release(first, true);
    await sleep(0);
    expect(closed).toEqual([1]);
    const second = await pool.acquire();
    pool.markBroken(second);
    pool.release(second);
    const third = await pool.acquire();
    pool.release(third);
    pool.markBroken(third);
    await sleep(0);
    expect(closed).toEqual([1, 2, 3]);
    expect(await pool.acquire()).toEqual({ id: 4 });
  });

  it('end(): closes idle connections at once and borrowed ones when they come back', async () => {
    const { pool, closed } = fakePool({ max: 2 });
    const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
    pool.release(b!);
    let ended = false;
    const ending = pool.end().then(() => (ended = true));
    await sleep(10);
    expect(closed).toEqual([b!.id]);
    expect(ended).toBe(false);
    pool.release(a!);
    await ending;
    expect(closed.sort()).toEqual([1, 2]);
    const after = await pool.acquire().catch((thrown: unknown) => thrown);
    expect((after as PoolError).code).toBe(POOL_CLOSED_CODE);
  });

  it('end() fails every caller still waiting with METASOURCE_POOL_CLOSED', async () => {
    const { pool } = fakePool({ max: 1 });
    const held = await pool.acquire();
    const waiting = pool.acquire().catch((thrown: unknown) => thrown);
    const ending = pool.end();
    expect(((await waiting) as PoolError).code).toBe(POOL_CLOSED_CODE);
    pool.release(held);
    await ending;
    expect(pool.stats).toEqual({ open: 0, idle: 0, opening: 0, waiting: 0 });
  });
});

// ---------------------------------------------------------------------------
// SQLite
// ---------------------------------------------------------------------------

describe('SQLite', () => {
  it('opens a file with the journal mode and busy timeout of the config', async () => {
    for (const journalMode of ['wal', 'delete'] as const) {
      const filename = join(scratch, `${journalMode}.db`);
      const connection = await connect(
        SqliteDatasourceSchema.parse({ driver: 'sqlite', name: 'metadata_db', connection: { filename }, journalMode, busyTimeoutMs: 1234 }),
      );
      try {
        expect(connection.server).toMatchObject({ driver: 'sqlite', flavor: 'sqlite' });
        expect(connection.server.version).toMatch(/^3\.\d+\.\d+$/);
        const { rows } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(connection.db);
        expect(rows).toEqual([{ journal_mode: journalMode }]);
        const busy = await sql<{ timeout: number }>`pragma busy_timeout`.execute(connection.db);
        expect(busy.rows).toEqual([{ timeout: 1234 }]);
      } finally {
        await connection.close();
      }
    }
  });

  it('opens :memory:, whose journal stays in memory', async () => {
    const connection = await connect(
      SqliteDatasourceSchema.parse({ driver: 'sqlite', name: 'metadata_db', connection: { filename: ':memory:' } }),
    );
    await sql`create table t (a integer)`.execute(connection.db);
    await sql`insert into t values (${1})`.execute(connection.db);
    expect((await sql<{ a: number }>`select a from t`.execute(connection.db)).rows).toEqual([{ a: 1 }]);
    expect((await sql`pragma journal_mode`.execute(connection.db)).rows).toEqual([{ journal_mode: 'memory' }]);
    await connection.close();
    await connection.close();
  });

  it('fails with unavailable when the file cannot be opened', async () => {
    const filename = join(scratch, 'no-such-directory', 'metadata.db');
    const failure = await failureOf(
      connect(SqliteDatasourceSchema.parse({ driver: 'sqlite', name: 'metadata_db', connection: { filename } })),
    );
    expect(failure.message).toBe(
      `opening datasource metadata_db (SQLite file ${filename}) failed: its directory ${join(scratch, 'no-such-directory')} does not exist (rule sqlite_directory_exists)`,
    );
    const directory = await failureOf(
      connect(SqliteDatasourceSchema.parse({ driver: 'sqlite', name: 'metadata_db', connection: { filename: scratch } })),
    );
    expect(directory.message).toBe(
      `opening datasource metadata_db (SQLite file ${scratch}) failed: the database could not be reached or the connection was lost (driver error code SQLITE_CANTOPEN)`,
    );
  });
});

// ---------------------------------------------------------------------------
// PostgreSQL and MariaDB
// ---------------------------------------------------------------------------

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * An env whose reads of `name` are counted, to see when secrets are resolved:
 * connect() must read the variable once per new physical connection.
 */
function countingEnv(name: string, value: string) {
  const values: Record<string, string | undefined> = { [name]: value };
  let reads = 0;
  const env = new Proxy(values, {
    get(target, key) {
      if (key === name) reads++;
      return typeof key === 'string' ? target[key] : undefined;
    },
  });
  return { env, values, reads: () => reads };
}

/** Holds `count` connections of `db` at once and returns what `query` read on each. */
async function onConnections<T>(db: Kysely<any>, count: number, query: (db: Kysely<any>) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  const hold = async (remaining: number): Promise<void> => {
    if (remaining === 0) return;
    await db.connection().execute(async (connection) => {
      results.push(await query(connection));
      await hold(remaining - 1);
    });
  };
  await hold(count);
  return results;
}

describe('PostgreSQL', () => {
  let database: TestDatabase;
  let connection: SqlConnection | undefined;
  const backendPid = async (db: Kysely<any>) => (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0]!.pid;
  const isOpen = async (pid: number) =>
    (await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where pid = ${pid}`.execute(database.db)).rows[0]!.n === 1;
  const datasource = (rest: Record<string, unknown> = {}) => PostgresDatasourceSchema.parse({ ...database.datasource, ...rest });
  const server = () => database.datasource.connection as { host: string; port: number; user: string; database: string };

  beforeAll(async () => {
    database = await createTestDatabase('postgres', 'connect');
  });
  afterAll(async () => {
    await connection?.close();
    await database?.drop();
  });

  it('reads the server and sets the statement timeout, application name and driver conversions of each session', async () => {
    connection = await connect(datasource({ statementTimeoutMs: 1500 }));
    expect(connection.server).toMatchObject({ driver: 'postgres', flavor: 'postgres' });
    expect(connection.server.version).toMatch(/^\d+\.\d+/);
    const [first, second] = await onConnections(connection.db, 2, async (db) => {
      const { rows } = await sql<{
        timeout: string;
        app: string;
        big: unknown;
      }>`select current_setting('statement_timeout') as timeout, current_setting('application_name') as app, 9007199254740993::bigint as big`.execute(
        db,
      );
      return rows[0];
    });
    expect(first).toEqual({ timeout: '1500ms', app: 'metasource', big: '9007199254740993' });
    expect(second).toEqual(first);
    const timedOut = await sql`select pg_sleep(3)`.execute(connection.db).catch((thrown: unknown) => thrown);
    expect((timedOut as { code?: string }).code).toBe('57014');
    expect(classifyDriverError(timedOut)).toBe('statement_timeout');
    await connection.close();
    await connection.close();
  });

  it('resolves the password at each new connection, not for a reused one (R4)', async () => {
    const secret = countingEnv('MS_TEST_PG_SECRET', 'first');
    connection = await connect(datasource({ connection: { ...server(), password: { env: 'MS_TEST_PG_SECRET' } } }), { env: secret.env });
    expect(secret.reads()).toBe(1);
    await sql`select 1`.execute(connection.db);
    expect(secret.reads()).toBe(1);
    const pids = await onConnections(connection.db, 2, backendPid);
    expect(new Set(pids).size).toBe(2);
    expect(secret.reads()).toBe(2);
    delete secret.values.MS_TEST_PG_SECRET;
    await sql`select 1`.execute(connection.db);
    const failure = await failureOf(onConnections(connection.db, 3, backendPid));
    expect(failure.message).toContain('connection.password names environment variable MS_TEST_PG_SECRET, which is not set');
    secret.values.MS_TEST_PG_SECRET = 'rotated';
    expect(new Set(await onConnections(connection.db, 3, backendPid)).size).toBe(3);
    await connection.close();
  });

  it('keeps at most pool.max connections, closes idle ones after idleTimeoutMs down to pool.min', async () => {
    connection = await connect(datasource({ pool: { max: 2, min: 1, idleTimeoutMs: 100 } }));
    const pids = await Promise.all(
      Array.from({ length: 6 }, () => sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.05)`.execute(connection!.db)),
    );
    const distinct = [...new Set(pids.map(({ rows }) => rows[0]!.pid))];
    expect(distinct).toHaveLength(2);
    const openCount = async () => (await Promise.all(distinct.map(isOpen))).filter(Boolean).length;
    expect(await eventually(openCount, 1)).toBe(1);
    await sleep(300);
    expect(await openCount()).toBe(1);
    await connection.close();
    expect(await eventually(openCount, 0)).toBe(0);
  });

  it('fails a caller that waits longer than acquireTimeoutMs for a connection', async () => {
    connection = await connect(datasource({ pool: { max: 1, acquireTimeoutMs: 150 } }));
    const error = await connection.db
      .connection()
      .execute(() => sql`select 1`.execute(connection!.db))
      .catch((thrown: unknown) => thrown);
    expect((error as PoolError).code).toBe(POOL_TIMEOUT_CODE);
    await connection.close();
  });

  it('replaces a connection the server ended', async () => {
    connection = await connect(datasource({ pool: { max: 1 } }));
    const pid = await backendPid(connection.db);
    await sql`select pg_terminate_backend(${pid})`.execute(database.db);
    await sleep(100);
    const after = await backendPid(connection.db);
    expect(after).not.toBe(pid);
    await connection.close();
  });

  it('url form: the tls group wins over sslmode in the URL (R5)', async () => {
    const { host, port, user, database: name } = server();
    const env = { MS_TEST_PG_URL: `postgres://${user}@${host}:${port}/${name}?sslmode=require&application_name=from_url` };
    connection = await connect(datasource({ connection: { url: { env: 'MS_TEST_PG_URL' } } }), { env });
    const { rows } = await sql<{
      ssl: boolean;
      app: string;
    }>`select ssl, current_setting('application_name') as app from pg_stat_ssl where pid = pg_backend_pid()`.execute(connection.db);
    expect(rows).toEqual([{ ssl: false, app: 'from_url' }]);
    await connection.close();
  });

  it('tls require against a server without TLS fails with unavailable: never a plain connection', async () => {
    const failure = await failureOf(connect(datasource({ tls: { mode: 'require' } })));
    expect(failure.message).toMatch(
      /^connecting to datasource metadata_db \(PostgreSQL at 127\.0\.0\.1:\d+, database ms_connect_\w+\) failed: the database could not be reached/,
    );
  });

  it('a closed port fails with unavailable naming the host and code, never the password', async () => {
    const port = await closedPort();
    const failure = await failureOf(
      connect(datasource({ connection: { ...server(), port, password: { env: 'MS_TEST_PG_SECRET' } } }), {
        env: { MS_TEST_PG_SECRET: 'sk_live_hunter2' },
      }),
    );
    expect(failure.message).toBe(
      `connecting to datasource metadata_db (PostgreSQL at 127.0.0.1:${port}, database ${database.name}) failed: the database could not be reached or the connection was lost (driver error code ECONNREFUSED)`,
    );
  });
});

describe('MariaDB', () => {
  let database: TestDatabase;
  let connection: SqlConnection | undefined;
  const user = `ms_rotate_${process.pid}`;
  const connectionId = async (db: Kysely<any>) =>
    Number((await sql<{ id: unknown }>`select connection_id() as id`.execute(db)).rows[0]!.id);
  const isOpen = async (id: number) =>
    Number(
      (await sql<{ n: unknown }>`select count(*) as n from information_schema.processlist where id = ${id}`.execute(database.db)).rows[0]!
        .n,
    ) === 1;
  const datasource = (rest: Record<string, unknown> = {}) => MysqlDatasourceSchema.parse({ ...database.datasource, ...rest });
  const server = () => database.datasource.connection as { host: string; port: number; user: string; database: string };

  beforeAll(async () => {
    database = await createTestDatabase('mysql', 'connect');
  });
  afterAll(async () => {
    await connection?.close();
    await sql`drop user if exists ${user}@'%'`.execute(database.db);
    await database?.drop();
  });

  it('reads the server and sets the statement timeout, charset and number and date strings of each session', async () => {
    connection = await connect(datasource({ statementTimeoutMs: 1500 }));
    expect(connection.server).toMatchObject({ driver: 'mysql', flavor: 'mariadb' });
    expect(connection.server.version).toContain('MariaDB');
    const sessions = await onConnections(connection.db, 2, async (db) => {
      const { rows } = await sql<Record<string, unknown>>`select @@session.max_statement_time as timeout,
        @@character_set_client as client, @@character_set_connection as connection, @@character_set_results as results,
        cast(9007199254740993 as signed) as big, cast('2024-01-02 03:04:05' as datetime) as at`.execute(db);
      return rows[0];
    });
    for (const session of sessions) {
      expect(session).toEqual({
        timeout: 1.5,
        client: 'utf8mb4',
        connection: 'utf8mb4',
        results: 'utf8mb4',
        big: '9007199254740993',
        at: '2024-01-02 03:04:05',
      });
    }
    const timedOut = await sql`select sleep(3)`.execute(connection.db).catch((thrown: unknown) => thrown);
    expect((timedOut as { errno?: number }).errno).toBe(1969);
    expect(classifyDriverError(timedOut)).toBe('statement_timeout');
    await connection.close();
  });

  it('uses a rotated password file on the next connection (R4)', async () => {
    const password = scratchFile('mysql-password', 'first-password\n');
    await sql`create user ${user}@'%' identified by ${'first-password'}`.execute(database.db);
    await sql`grant all on ${sql.id(database.name)}.* to ${user}@'%'`.execute(database.db);
    connection = await connect(datasource({ connection: { ...server(), user, password: { file: password } } }));
    const first = await connectionId(connection.db);
    await sql`alter user ${user}@'%' identified by ${'second-password'}`.execute(database.db);
    writeFileSync(password, 'second-password\n');
    const ids = await onConnections(connection.db, 2, connectionId);
    expect(ids).toContain(first);
    expect(new Set(ids).size).toBe(2);
    writeFileSync(password, 'wrong-password\n');
    const denied = await onConnections(connection.db, 3, connectionId).catch((thrown: unknown) => thrown);
    const failure = driverFailure(denied, 'opening a connection').error;
    expect(failure.message).toBe(
      'opening a connection failed: the database could not be reached or the connection was lost (driver error code ER_ACCESS_DENIED_ERROR/1045)',
    );
    expect(failure.message).not.toContain('wrong-password');
    await connection.close();
  });

  it('keeps at most pool.max connections, closes idle ones after idleTimeoutMs down to pool.min', async () => {
    connection = await connect(datasource({ pool: { max: 2, min: 1, idleTimeoutMs: 100 } }));
    const ids = await Promise.all(
      Array.from({ length: 6 }, () => sql<{ id: unknown }>`select connection_id() as id, sleep(0.05)`.execute(connection!.db)),
    );
    const distinct = [...new Set(ids.map(({ rows }) => Number(rows[0]!.id)))];
    expect(distinct).toHaveLength(2);
    const openCount = async () => (await Promise.all(distinct.map(isOpen))).filter(Boolean).length;
    expect(await eventually(openCount, 1)).toBe(1);
    await sleep(300);
    expect(await openCount()).toBe(1);
    await connection.close();
    expect(await eventually(openCount, 0)).toBe(0);
  });

  it('replaces a connection the server killed', async () => {
    connection = await connect(datasource({ pool: { max: 1 } }));
    const id = await connectionId(connection.db);
    await sql`kill ${id}`.execute(database.db);
    await sleep(100);
    const after = await connectionId(connection.db);
    expect(after).not.toBe(id);
    await connection.close();
  });

  it('url form: the tls group wins over ssl in the URL (R5)', async () => {
    const { host, port, user: root, database: name } = server();
    const env = { MS_TEST_MYSQL_URL: `mysql://${root}@${host}:${port}/${name}?ssl={"rejectUnauthorized":false}` };
    connection = await connect(datasource({ connection: { url: { env: 'MS_TEST_MYSQL_URL' } } }), { env });
    expect((await sql<{ db: string }>`select database() as db`.execute(connection.db)).rows).toEqual([{ db: name }]);
    await connection.close();
  });

  it('tls require against a server without TLS fails with unavailable: never a plain connection', async () => {
    const failure = await failureOf(connect(datasource({ tls: { mode: 'require' } })));
    expect(failure.message).toContain('(driver error code HANDSHAKE_NO_SSL_SUPPORT)');
  });

  it('a closed port fails with unavailable naming the host and code, never the password', async () => {
    const port = await closedPort();
    const failure = await failureOf(
      connect(datasource({ connection: { ...server(), port, password: { env: 'MS_TEST_MYSQL_SECRET' } } }), {
        env: { MS_TEST_MYSQL_SECRET: 'sk_live_hunter2' },
      }),
    );
    expect(failure.message).toBe(
      `connecting to datasource metadata_db (MySQL at 127.0.0.1:${port}, database ${database.name}) failed: the database could not be reached or the connection was lost (driver error code ECONNREFUSED)`,
    );
  });
});

// ---------------------------------------------------------------------------
// TLS modes against fake servers (R5)
// ---------------------------------------------------------------------------

interface Certificates {
  ca: string;
  /** Server certificate for IP 127.0.0.1, signed by ca. */
  ip: { cert: string; key: string };
  /** Server certificate for db.test.invalid only, signed by ca. */
  dns: { cert: string; key: string };
  /** Server certificate for localhost only, signed by ca. */
  localhost: { cert: string; key: string };
  /** Client certificate (CN metasource-client) and key files, signed by ca. */
  clientCertFile: string;
  clientKeyFile: string;
  caFile: string;
}

/** A CA, two server certificates and a client certificate, made with openssl. */
function makeCertificates(directory: string): Certificates {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: directory, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=metasource-test-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  const issue = (name: string, subject: string, extensions: string) => {
    writeFileSync(join(directory, `${name}.ext`), extensions);
    run('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  };
  issue('ip', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  issue('dns', '/CN=db.test.invalid', 'subjectAltName=DNS:db.test.invalid\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  issue('localhost', '/CN=localhost', 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  issue('client', '/CN=metasource-client', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  const read = (name: string) => execFileSync('cat', [join(directory, name)]).toString();
  return {
    ca: read('ca.pem'),
    ip: { cert: read('ip.pem'), key: read('ip.key') },
    dns: { cert: read('dns.pem'), key: read('dns.key') },
    localhost: { cert: read('localhost.pem'), key: read('localhost.key') },
    clientCertFile: join(directory, 'client.pem'),
    clientKeyFile: join(directory, 'client.key'),
    caFile: join(directory, 'ca.pem'),
  };
}

/** What a fake server saw of one connection that got past TLS. */
interface Seen {
  tls: boolean;
  /** CN of the client certificate, when one was presented. */
  clientCertificate?: string;
  /** The password the client sent (PostgreSQL cleartext authentication). */
  password?: string;
}

interface FakeServer {
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

/** TLS over `socket` as a server, starting with bytes already read from it. */
function serveTls(socket: Socket, already: Buffer, identity: { cert: string; key: string }): TLSSocket {
  const raw = new Duplex({
    read() {},
    write(chunk, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end();
      callback();
    },
  });
  socket.on('data', (chunk) => raw.push(chunk));
  socket.on('end', () => raw.push(null));
  socket.on('error', () => raw.destroy());
  if (already.length > 0) raw.push(already);
  const secure = new TLSSocket(raw, {
    isServer: true,
    secureContext: createSecureContext(identity),
    requestCert: true,
    rejectUnauthorized: false,
  });
  secure.on('error', () => socket.destroy());
  return secure;
}

function clientCn(stream: Socket | TLSSocket): string | undefined {
  if (!(stream instanceof TLSSocket)) return undefined;
  const subject = stream.getPeerCertificate()?.subject as { CN?: string } | undefined;
  return subject?.CN;
}

async function listen(server: Server, seen: Seen[]): Promise<FakeServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A PostgreSQL server that answers SSLRequest, asks for a cleartext password when told, and then refuses the login. */
async function fakePostgres(identity: { cert: string; key: string }, askPassword = false): Promise<FakeServer> {
  const seen: Seen[] = [];
  const field = (type: string, value: string) => Buffer.concat([Buffer.from(type), Buffer.from(`${value}\0`)]);
  const message = (type: string, body: Buffer) => {
    const head = Buffer.alloc(5);
    head.write(type);
    head.writeUInt32BE(body.length + 4, 1);
    return Buffer.concat([head, body]);
  };
  const refuse = (code: string) =>
    message('E', Buffer.concat([field('S', 'FATAL'), field('V', 'FATAL'), field('C', code), field('M', 'fake server'), Buffer.from([0])]));
  /** Answers the startup message, which has just arrived on `stream`. */
  const answer = (stream: Socket | TLSSocket, tls: boolean) => {
    const entry: Seen = { tls, clientCertificate: clientCn(stream) };
    seen.push(entry);
    if (!askPassword) {
      stream.end(refuse('28000'));
      return;
    }
    const request = Buffer.alloc(4);
    request.writeUInt32BE(3); // AuthenticationCleartextPassword
    stream.write(message('R', request));
    stream.once('data', (reply: Buffer) => {
      entry.password = reply.subarray(5, 1 + reply.readUInt32BE(1) - 1).toString();
      stream.end(refuse('28P01'));
    });
  };
  const server = createServer((socket) => {
    socket.once('data', (first: Buffer) => {
      if (first.length >= 8 && first.readUInt32BE(4) === 80877103) {
        socket.write('S');
        const secure = serveTls(socket, first.subarray(8), identity);
        secure.once('data', () => answer(secure, true));
      } else {
        answer(socket, false);
      }
    });
  });
  return listen(server, seen);
}

/** A MySQL server that offers TLS in its handshake and refuses the login that follows. */
async function fakeMysql(identity: { cert: string; key: string }): Promise<FakeServer> {
  const seen: Seen[] = [];
  const packet = (sequence: number, payload: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUIntLE(payload.length, 0, 3);
    head[3] = sequence;
    return Buffer.concat([head, payload]);
  };
  const u16 = (value: number) => {
    const buffer = Buffer.alloc(2);
    buffer.writeUInt16LE(value);
    return buffer;
  };
  // LONG_PASSWORD, LONG_FLAG, CONNECT_WITH_DB, PROTOCOL_41, SSL, TRANSACTIONS, SECURE_CONNECTION, MULTI_RESULTS, PLUGIN_AUTH
  const capabilities = 0x1 | 0x4 | 0x8 | 0x200 | 0x800 | 0x2000 | 0x8000 | 0x20000 | 0x80000;
  const greeting = Buffer.concat([
    Buffer.from([10]),
    Buffer.from('5.7.99-fake\0'),
    Buffer.from([1, 0, 0, 0]),
    Buffer.alloc(8, 0x61),
    Buffer.from([0]),
    u16(capabilities & 0xffff),
    Buffer.from([45]),
    u16(2),
    u16(capabilities >>> 16),
    Buffer.from([21]),
    Buffer.alloc(10),
    Buffer.alloc(12, 0x62),
    Buffer.from([0]),
    Buffer.from('mysql_native_password\0'),
  ]);
  const refusal = (sequence: number) => packet(sequence, Buffer.concat([Buffer.from([0xff]), u16(1045), Buffer.from('#28000fake server')]));
  const server = createServer((socket) => {
    socket.write(packet(0, greeting));
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 4 || buffered.length < 4 + buffered.readUIntLE(0, 3)) return;
      socket.off('data', onData);
      const length = buffered.readUIntLE(0, 3);
      const payload = buffered.subarray(4, 4 + length);
      if (length === 32 && (payload.readUInt32LE(0) & 0x800) !== 0) {
        const secure = serveTls(socket, buffered.subarray(4 + length), identity);
        secure.once('data', () => {
          seen.push({ tls: true, clientCertificate: clientCn(secure) });
          secure.end(refusal(3));
        });
      } else {
        seen.push({ tls: false });
        socket.end(refusal(2));
      }
    };
    socket.on('data', onData);
  });
  return listen(server, seen);
}

describe('TLS modes against fake servers (R5)', () => {
  let certificates: Certificates;
  const servers: FakeServer[] = [];
  const directory = mkdtempSync(join(tmpdir(), 'metasource-tls-'));

  beforeAll(() => {
    certificates = makeCertificates(directory);
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    rmSync(directory, { recursive: true, force: true });
  });

  type Tls = PostgresDatasourceInput['tls'];
  type Identity = 'ip' | 'dns' | 'localhost';
  const serversFor = async (make: (identity: { cert: string; key: string }) => Promise<FakeServer>) => {
    const made = {} as Record<Identity, FakeServer>;
    for (const identity of ['ip', 'dns', 'localhost'] as const) made[identity] = await make(certificates[identity]);
    servers.push(...Object.values(made));
    return made;
  };
  const caRef = () => ({ file: certificates.caFile });
  const unknownChain = /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN/;
  const otherHost = /ERR_TLS_CERT_ALTNAME_INVALID/;

  /**
   * The cases: tls group, the server's certificate, the host connected to,
   * and whether the login gets past TLS (true) or the client refuses the
   * server (the TLS error code pg reports; mysql2 reports its own).
   */
  const cases = (): [string, Tls, Identity, string, true | RegExp][] => [
    ['disable', { mode: 'disable' }, 'dns', '127.0.0.1', true],
    ['require accepts any certificate', { mode: 'require' }, 'dns', '127.0.0.1', true],
    ['verify_ca without the CA rejects an unknown chain', { mode: 'verify_ca' }, 'ip', '127.0.0.1', unknownChain],
    ['verify_ca accepts the CA with another host name', { mode: 'verify_ca', ca: caRef() }, 'dns', '127.0.0.1', true],
    ['verify_full rejects another host name', { mode: 'verify_full', ca: caRef() }, 'dns', '127.0.0.1', otherHost],
    [
      'verify_full rejects a certificate for localhost at 127.0.0.1',
      { mode: 'verify_full', ca: caRef() },
      'localhost',
      '127.0.0.1',
      otherHost,
    ],
    ['verify_full accepts the CA and the IP address', { mode: 'verify_full', ca: caRef() }, 'ip', '127.0.0.1', true],
    ['verify_full accepts the CA and the host name', { mode: 'verify_full', ca: caRef() }, 'localhost', 'localhost', true],
    ['verify_full without the CA rejects an unknown chain', { mode: 'verify_full' }, 'ip', '127.0.0.1', unknownChain],
  ];

  it('PostgreSQL: each mode, and the client certificate from references', async () => {
    const made = await serversFor((identity) => fakePostgres(identity));
    const { ip } = made;
    for (const [label, tls, identity, host, outcome] of cases()) {
      const server = made[identity];
      const before = server.seen.length;
      const datasource = pgInput({ host, port: server.port, database: 'meta', user: 'app' }, { tls, pool: { acquireTimeoutMs: 3000 } });
      const failure = await failureOf(connect(datasource));
      if (outcome === true) {
        expect(failure.message, label).toContain('(driver error code 28000)');
        expect(server.seen.slice(before), label).toEqual([{ tls: tls?.mode !== 'disable' }]);
      } else {
        expect(failure.message, label).toMatch(outcome);
        expect(server.seen.length, label).toBe(before);
      }
    }
    const withCertificate = pgInput(
      { host: '127.0.0.1', port: ip.port, database: 'meta', user: 'app' },
      { tls: { mode: 'verify_full', ca: caRef(), clientCert: { file: certificates.clientCertFile }, clientKey: { env: 'CLIENT_KEY' } } },
    );
    const key = execFileSync('cat', [certificates.clientKeyFile]).toString();
    await failureOf(connect(withCertificate, { env: { CLIENT_KEY: key } }));
    expect(ip.seen.at(-1)).toEqual({ tls: true, clientCertificate: 'metasource-client' });
  });

  it('PostgreSQL: the password a server asks for is read from the file at each connection', async () => {
    const server = await fakePostgres(certificates.ip, true);
    servers.push(server);
    const password = scratchFile('pg-password', 'first\n');
    const datasource = pgInput({ host: '127.0.0.1', port: server.port, database: 'meta', user: 'app', password: { file: password } });
    expect((await failureOf(connect(datasource))).message).toContain('(driver error code 28P01)');
    writeFileSync(password, 'second\n');
    await failureOf(connect(datasource));
    expect(server.seen.map((entry) => entry.password)).toEqual(['first', 'second']);
    const without = pgInput({ host: '127.0.0.1', port: server.port, database: 'meta', user: 'app' });
    const failure = await failureOf(connect(without, { env: { PGPASSWORD: 'hunter2' } }));
    expect(failure.message).toContain('the server asks for a password, and connection.password is not set (rule password_when_asked)');
    expect(server.seen).toHaveLength(3);
    expect(server.seen[2]!.password).toBeUndefined();
  });

  it('MySQL: each mode, and the client certificate from references', async () => {
    const made = await serversFor((identity) => fakeMysql(identity));
    const { ip } = made;
    for (const [label, tls, identity, host, outcome] of cases()) {
      const server = made[identity];
      const before = server.seen.length;
      const datasource = mysqlInput({ host, port: server.port, database: 'meta', user: 'app' }, { tls, pool: { acquireTimeoutMs: 3000 } });
      const failure = await failureOf(connect(datasource));
      if (outcome === true) {
        expect(failure.message, label).toContain('(driver error code ER_ACCESS_DENIED_ERROR/1045)');
        expect(
          server.seen.slice(before).map((entry) => entry.tls),
          label,
        ).toEqual([tls?.mode !== 'disable']);
      } else {
        // mysql2 replaces the TLS error's code with its own.
        expect(failure.message, label).toContain('(driver error code HANDSHAKE_SSL_ERROR)');
        expect(server.seen.length, label).toBe(before);
      }
    }
    const withCertificate = mysqlInput(
      { host: '127.0.0.1', port: ip.port, database: 'meta', user: 'app' },
      {
        tls: {
          mode: 'verify_full',
          ca: caRef(),
          clientCert: { file: certificates.clientCertFile },
          clientKey: { file: certificates.clientKeyFile },
        },
      },
    );
    await failureOf(connect(withCertificate));
    expect(ip.seen.at(-1)).toEqual({ tls: true, clientCertificate: 'metasource-client' });
  });
});
