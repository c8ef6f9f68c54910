/**
 * Opening a Kysely instance on a SQLite, PostgreSQL or MySQL/MariaDB
 * datasource, as its parsed DatasourceConfig says.
 *
 * - The client package is loaded only for the driver in use; a missing one
 *   fails with `unavailable` naming the package to install.
 * - Secret references (password, connection URL, TLS material) are resolved
 *   for each new physical connection and never kept (R4): PostgreSQL and
 *   MySQL connections come from a pool of our own whose connection factory
 *   resolves the references first and then opens the connection with the
 *   values, so a rotated password, URL or certificate takes effect on the
 *   next connection without a restart. (pg could take the password as a
 *   callback, but not the URL or the certificates, which it reads when a
 *   client is constructed; mysql2's pool reads all of them once, when the
 *   pool is created.) A variable that is not set or a file that cannot be
 *   read fails the connection with `unavailable` naming the reference, never
 *   its value.
 * - The `tls` group decides TLS, over any TLS parameter in a connection URL
 *   (R5): the URL's TLS parameters are removed before the driver reads it.
 *   verify_full checks the host name on both drivers; on MySQL that check is
 *   made here (checkHostAfterHandshake), as mysql2's own is wrong for an IP
 *   address.
 * - Every connection gets the datasource's statement timeout as a session
 *   setting, and mysql2 the options the store's row decoding expects.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TLSSocket, checkServerIdentity, type ConnectionOptions as TlsOptions } from 'node:tls';
import type { DatasourcePool, DatasourceTls, MysqlDatasource, PostgresDatasource, SecretRef, SqliteDatasource } from '@metasource/spec';
import {
  Kysely,
  MysqlDialect,
  PostgresDialect,
  SqliteDialect,
  sql,
  type CompiledQuery,
  type MysqlPool,
  type MysqlPoolConnection,
  type PostgresPool,
  type PostgresPoolClient,
  type RawBuilder,
} from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import type * as Pg from 'pg';
import type * as Mysql2 from 'mysql2';
import { fail } from '../base/failure';
import { POOL_CLOSED_CODE, POOL_TIMEOUT_CODE, PoolError, driverFailure } from './errors';
import type { SqlServer } from './layout';

/** A datasource the SQL stores connect to (parsed, so every default is filled in). */
export type SqlDatasource = SqliteDatasource | PostgresDatasource | MysqlDatasource;

/** An open datasource: the Kysely instance, the server behind it, and how to close both. */
export interface SqlConnection {
  db: Kysely<any>;
  server: SqlServer;
  /** Closes every connection; waits for borrowed ones to be given back. Idempotent. */
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Where `env` secret references are read, at each new connection. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** The client package of each driver. */
export const DRIVER_PACKAGES = { sqlite: 'better-sqlite3', postgres: 'pg', mysql: 'mysql2' } as const;
export type DriverPackage = (typeof DRIVER_PACKAGES)[keyof typeof DRIVER_PACKAGES];

/** The versions to install, as the package's peerDependencies allow them. */
const INSTALL_HINTS: Record<DriverPackage, string> = {
  'better-sqlite3': 'better-sqlite3 12.x (npm install better-sqlite3@12; 13.x does not run on Node 20)',
  pg: 'pg 8.x (npm install pg@8)',
  mysql2: 'mysql2 3.x (npm install mysql2@3)',
};

/** Loads a client package by name. connect() imports it; tests replace the loader. */
export type ModuleLoader = (name: DriverPackage) => Promise<unknown>;

/** The dynamic imports, written out so that a bundler keeps each one external and lazy. */
const importDriver: ModuleLoader = (name) => {
  switch (name) {
    case 'better-sqlite3':
      return import('better-sqlite3');
    case 'pg':
      return import('pg');
    case 'mysql2':
      return import('mysql2');
  }
};

interface DriverModules {
  'better-sqlite3': typeof BetterSqlite3;
  pg: typeof Pg;
  mysql2: typeof Mysql2;
}

/** The client package, its CommonJS exports taken from the ES module namespace. */
async function loadDriver<P extends DriverPackage>(name: P, loader: ModuleLoader, datasource: SqlDatasource): Promise<DriverModules[P]> {
  let loaded: unknown;
  try {
    loaded = await loader(name);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      fail({
        code: 'unavailable',
        message: `datasource ${datasource.name} uses the ${datasource.driver} driver, whose client package ${name} is not installed: install ${INSTALL_HINTS[name]}`,
      });
    }
    fail({
      code: 'unavailable',
      message: `datasource ${datasource.name}: the client package ${name} could not be loaded (${typeof code === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(code) ? code : 'no error code'}): reinstall ${INSTALL_HINTS[name]}`,
    });
  }
  const module = loaded as { default?: unknown };
  return (module.default ?? module) as DriverModules[P];
}

// ---------------------------------------------------------------------------
// Secrets (R4)
// ---------------------------------------------------------------------------

/** Where a reference sits, for messages: the datasource and the config path, such as `connection.password`. */
export interface SecretLocation {
  datasource: string;
  path: string;
}

function describeRef(ref: SecretRef): string {
  return 'env' in ref ? `environment variable ${ref.env}` : `file ${ref.file}`;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Resolves a secret reference now: the variable's value, or the file's text
 * without one trailing newline (`\n` or `\r\n`; any other whitespace is part
 * of the secret). Fails with `unavailable` naming the reference, never the
 * value, when the variable is not set, the file cannot be read or is not
 * UTF-8 text, or the secret is empty (an empty secret is a deployment that
 * forgot to fill it in; leave the reference out instead).
 */
export async function resolveSecret(ref: SecretRef, where: SecretLocation, env: Record<string, string | undefined>): Promise<string> {
  const prefix = `cannot connect to datasource ${where.datasource}: ${where.path} names ${describeRef(ref)}`;
  let value: string;
  if ('env' in ref) {
    const text = env[ref.env];
    if (text === undefined) fail({ code: 'unavailable', message: `${prefix}, which is not set (rule secret_reference_resolves)` });
    value = text;
  } else {
    let bytes: Buffer;
    try {
      bytes = await readFile(ref.file);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      fail({
        code: 'unavailable',
        message: `${prefix}, which cannot be read (${typeof code === 'string' && /^[A-Z0-9_]{1,32}$/.test(code) ? code : 'read error'}) (rule secret_reference_resolves)`,
      });
    }
    try {
      value = UTF8.decode(bytes);
    } catch {
      fail({ code: 'unavailable', message: `${prefix}, which is not UTF-8 text (rule secret_reference_resolves)` });
    }
    value = value.replace(/\r?\n$/, '');
  }
  if (value === '') fail({ code: 'unavailable', message: `${prefix}, which is empty (rule secret_not_empty)` });
  return value;
}

// ---------------------------------------------------------------------------
// TLS (R5)
// ---------------------------------------------------------------------------

/** The resolved PEM texts of a tls group. */
export interface TlsMaterial {
  ca?: string;
  cert?: string;
  key?: string;
}

/** Resolves the ca, clientCert and clientKey references of a tls group (for each new connection). */
export async function resolveTlsMaterial(
  tls: DatasourceTls,
  datasource: string,
  env: Record<string, string | undefined>,
): Promise<TlsMaterial> {
  const material: TlsMaterial = {};
  if (tls.ca) material.ca = await resolveSecret(tls.ca, { datasource, path: 'tls.ca' }, env);
  if (tls.clientCert) material.cert = await resolveSecret(tls.clientCert, { datasource, path: 'tls.clientCert' }, env);
  if (tls.clientKey) material.key = await resolveSecret(tls.clientKey, { datasource, path: 'tls.clientKey' }, env);
  return material;
}

/** Accepts any host name: verify_ca checks the chain only. */
const ANY_HOST_NAME = (): undefined => undefined;

/**
 * pg's `ssl` option for a tls mode. disable: no TLS (false, so that neither
 * PGSSLMODE nor a URL turns it on); require: TLS, no certificate check;
 * verify_ca: the chain must lead to `ca` (or the system store), any host name;
 * verify_full: the chain and the host name (pg passes the host as servername
 * and Node checks it). The client certificate goes with every TLS mode.
 */
export function postgresSsl(mode: DatasourceTls['mode'], material: TlsMaterial = {}): false | TlsOptions {
  switch (mode) {
    case 'disable':
      return false;
    case 'require':
      return { ...material, rejectUnauthorized: false };
    case 'verify_ca':
      return { ...material, rejectUnauthorized: true, checkServerIdentity: ANY_HOST_NAME };
    case 'verify_full':
      return { ...material, rejectUnauthorized: true };
  }
}

/** mysql2's `ssl` option (its SslOptions). */
export interface MysqlSsl extends TlsMaterial {
  rejectUnauthorized: boolean;
  /** Whether mysql2 checks the host name itself; never, see mysqlSsl. */
  verifyIdentity: false;
}

/**
 * mysql2's `ssl` option for a tls mode: undefined for disable; require:
 * TLS without checks; verify_ca and verify_full: the chain (MySQL's
 * VERIFY_CA). verify_full also needs the host name checked (MySQL's
 * VERIFY_IDENTITY), which connect() does with checkHostAfterHandshake:
 * mysql2's own verifyIdentity checks the name "localhost" when the host is
 * an IP address, so a certificate for localhost would pass.
 */
export function mysqlSsl(mode: DatasourceTls['mode'], material: TlsMaterial = {}): MysqlSsl | undefined {
  switch (mode) {
    case 'disable':
      return undefined;
    case 'require':
      return { ...material, rejectUnauthorized: false, verifyIdentity: false };
    case 'verify_ca':
    case 'verify_full':
      return { ...material, rejectUnauthorized: true, verifyIdentity: false };
  }
}

/** The name of one `name=value` pair of a query string, decoded as URLSearchParams decodes it. */
function parameterName(pair: string): string {
  return new URLSearchParams(pair).keys().next().value ?? '';
}

/**
 * The URL without the query parameters `drop` selects; everything else is
 * kept byte for byte, so the driver parses the rest as it would have. The
 * query is what follows the first `?`, up to a `#`.
 */
export function withoutUrlParameters(url: string, drop: (name: string) => boolean): string {
  const start = url.indexOf('?');
  if (start < 0) return url;
  const hash = url.indexOf('#', start);
  const end = hash < 0 ? url.length : hash;
  const kept = url
    .slice(start + 1, end)
    .split('&')
    .filter((pair) => pair !== '' && !drop(parameterName(pair)));
  return url.slice(0, start) + (kept.length > 0 ? `?${kept.join('&')}` : '') + url.slice(end);
}

/** The TLS parameters pg reads from a URL (sslmode, sslrootcert, ... and uselibpqcompat, which changes their meaning). */
export function isPostgresTlsParameter(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('ssl') || lower === 'uselibpqcompat';
}

/** The TLS parameter mysql2 reads from a URL (`ssl`, a profile name or JSON). */
export function isMysqlTlsParameter(name: string): boolean {
  return name.toLowerCase().startsWith('ssl');
}

const URL_SCHEMES = {
  postgres: { schemes: ['postgres:', 'postgresql:', 'socket:'], text: 'a postgres:// (or postgresql://, socket:) URL' },
  mysql: { schemes: ['mysql:', 'mariadb:'], text: 'a mysql:// (or mariadb://) URL' },
} as const;

/** Resolves the url reference and checks its scheme, so a URL meant for another driver fails clearly. */
async function resolveUrl(datasource: PostgresDatasource | MysqlDatasource, ref: SecretRef, env: Record<string, string | undefined>) {
  const url = await resolveSecret(ref, { datasource: datasource.name, path: 'connection.url' }, env);
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(url)?.[0].toLowerCase();
  const expected = URL_SCHEMES[datasource.driver];
  // mysql2 parses the URL with URL; pg's parser also takes forms URL does not
  // (postgres://user@/db?host=/run/postgresql), so only the scheme is checked.
  const parses = datasource.driver === 'postgres' || URL.canParse(url);
  if (!parses || scheme === undefined || !(expected.schemes as readonly string[]).includes(scheme)) {
    fail({
      code: 'unavailable',
      message: `cannot connect to datasource ${datasource.name}: connection.url names ${describeRef(ref)}, which does not hold ${expected.text} (rule connection_url_scheme)`,
    });
  }
  return url;
}

// ---------------------------------------------------------------------------
// The pool
// ---------------------------------------------------------------------------

/** How a pool opens and closes its connections. */
export interface PoolFactory<C> {
  /** Opens one physical connection, ready for use (secrets resolved, session set up). */
  create(): Promise<C>;
  /** Closes a connection. Its errors are ignored. */
  close(connection: C): Promise<void>;
}

interface Waiter<C> {
  resolve(connection: C): void;
  reject(error: unknown): void;
  timer: ReturnType<typeof setTimeout>;
}

interface IdleEntry<C> {
  connection: C;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * A connection pool with the limits of a DatasourcePool: at most `max`
 * connections; a caller waits at most `acquireTimeoutMs` for one (then
 * METASOURCE_POOL_TIMEOUT); an idle connection is closed after
 * `idleTimeoutMs` (0: never) unless only `min` are open. Connections are
 * opened on demand, one per waiting caller, by the factory; a failed opening
 * rejects the longest-waiting caller with its error. A connection marked
 * broken (its driver reported an error or the end of the socket) is closed
 * instead of being reused, and so is one given back with `discard`.
 */
export class ConnectionPool<C extends object> {
  readonly #limits: DatasourcePool;
  readonly #factory: PoolFactory<C>;
  readonly #open = new Set<C>();
  readonly #idle: IdleEntry<C>[] = [];
  readonly #broken = new WeakSet<C>();
  readonly #waiters: Waiter<C>[] = [];
  readonly #closing = new Set<Promise<void>>();
  #opening = 0;
  #ended = false;
  #endWaiters: (() => void)[] = [];

  constructor(limits: DatasourcePool, factory: PoolFactory<C>) {
    this.#limits = limits;
    this.#factory = factory;
  }

  /** Open connections (borrowed and idle), idle ones, connections being opened, and waiting callers. */
  get stats() {
    return { open: this.#open.size, idle: this.#idle.length, opening: this.#opening, waiting: this.#waiters.length };
  }

  /** A connection for the caller's exclusive use until it is released. */
  acquire(): Promise<C> {
    if (this.#ended) return Promise.reject(new PoolError(POOL_CLOSED_CODE, 'the connection pool is closed'));
    const idle = this.#takeIdle();
    if (idle !== undefined) return Promise.resolve(idle);
    return new Promise<C>((resolve, reject) => {
      const waiter: Waiter<C> = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#removeWaiter(waiter);
          reject(
            new PoolError(POOL_TIMEOUT_CODE, `no connection became free within acquireTimeoutMs (${this.#limits.acquireTimeoutMs} ms)`),
          );
        }, this.#limits.acquireTimeoutMs),
      };
      this.#waiters.push(waiter);
      this.#grow();
    });
  }

  /** Gives a connection back; `discard` closes it instead of keeping it (the caller saw it fail). */
  release(connection: C, discard = false): void {
    if (!this.#open.has(connection) || this.#idle.some((entry) => entry.connection === connection)) return;
    if (discard || this.#ended || this.#broken.has(connection)) {
      this.#close(connection);
      this.#grow();
      return;
    }
    this.#handOver(connection);
  }

  /** Marks a connection unusable: closed now when idle, when given back otherwise. */
  markBroken(connection: C): void {
    this.#broken.add(connection);
    const index = this.#idle.findIndex((entry) => entry.connection === connection);
    if (index >= 0) this.#close(connection);
  }

  /** Rejects waiting callers, closes idle connections and each borrowed one when it comes back; resolves when all are closed. */
  end(): Promise<void> {
    if (!this.#ended) {
      this.#ended = true;
      for (const waiter of this.#waiters.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.reject(new PoolError(POOL_CLOSED_CODE, 'the connection pool was closed while waiting for a connection'));
      }
      for (const entry of [...this.#idle]) this.#close(entry.connection);
    }
    return new Promise((resolve) => {
      this.#endWaiters.push(resolve);
      this.#checkEnded();
    });
  }

  #takeIdle(): C | undefined {
    for (let entry = this.#idle.pop(); entry !== undefined; entry = this.#idle.pop()) {
      clearTimeout(entry.timer);
      if (!this.#broken.has(entry.connection)) return entry.connection;
      this.#close(entry.connection);
    }
    return undefined;
  }

  /** Opens connections for the callers that no opening is under way for, within max. */
  #grow(): void {
    while (!this.#ended && this.#waiters.length > this.#opening && this.#open.size + this.#opening < this.#limits.max) {
      this.#opening++;
      this.#factory.create().then(
        (connection) => {
          this.#opening--;
          this.#open.add(connection);
          if (this.#ended) this.#close(connection);
          else this.#handOver(connection);
        },
        (error: unknown) => {
          this.#opening--;
          const waiter = this.#waiters.shift();
          if (waiter !== undefined) {
            clearTimeout(waiter.timer);
            waiter.reject(error);
          }
          this.#grow();
          this.#checkEnded();
        },
      );
    }
  }

  /** Gives a usable connection to the longest-waiting caller, or keeps it idle. */
  #handOver(connection: C): void {
    if (this.#broken.has(connection)) {
      this.#close(connection);
      this.#grow();
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      clearTimeout(waiter.timer);
      waiter.resolve(connection);
      return;
    }
    const entry: IdleEntry<C> = { connection, timer: undefined };
    if (this.#limits.idleTimeoutMs > 0) {
      entry.timer = setTimeout(() => {
        entry.timer = undefined;
        if (this.#open.size > this.#limits.min) this.#close(connection);
      }, this.#limits.idleTimeoutMs);
      entry.timer.unref();
    }
    this.#idle.push(entry);
  }

  #removeWaiter(waiter: Waiter<C>): void {
    const index = this.#waiters.indexOf(waiter);
    if (index >= 0) this.#waiters.splice(index, 1);
  }

  #close(connection: C): void {
    if (!this.#open.delete(connection)) return;
    const index = this.#idle.findIndex((entry) => entry.connection === connection);
    if (index >= 0) {
      clearTimeout(this.#idle[index]!.timer);
      this.#idle.splice(index, 1);
    }
    const closing = this.#factory
      .close(connection)
      .catch(() => undefined)
      .finally(() => {
        this.#closing.delete(closing);
        this.#checkEnded();
      });
    this.#closing.add(closing);
  }

  #checkEnded(): void {
    if (this.#ended && this.#open.size === 0 && this.#opening === 0 && this.#closing.size === 0) {
      for (const resolve of this.#endWaiters.splice(0)) resolve();
    }
  }
}

// ---------------------------------------------------------------------------
// connect
// ---------------------------------------------------------------------------

/**
 * Opens a Kysely instance on a parsed (output-form) sqlite, postgres or
 * mysql DatasourceConfig, and reads the server's version with one query, so
 * that an unreachable server fails here with `unavailable`.
 */
export function connect(datasource: SqlDatasource, options: ConnectOptions = {}): Promise<SqlConnection> {
  return connectWithLoader(datasource, options, importDriver);
}

/** connect() with another module loader: the tests' way to see a client package missing. */
export async function connectWithLoader(datasource: SqlDatasource, options: ConnectOptions, loader: ModuleLoader): Promise<SqlConnection> {
  const env = options.env ?? process.env;
  switch (datasource.driver) {
    case 'sqlite':
      return connectSqlite(datasource, await loadDriver('better-sqlite3', loader, datasource));
    case 'postgres':
      return connectPostgres(datasource, env, await loadDriver('pg', loader, datasource));
    case 'mysql':
      return connectMysql(datasource, env, await loadDriver('mysql2', loader, datasource));
  }
}

/** What a connection failure message names: the datasource and where it points, never a URL. */
export function describeTarget(datasource: SqlDatasource): string {
  if (datasource.driver === 'sqlite') return `datasource ${datasource.name} (SQLite file ${datasource.connection.filename})`;
  const server = datasource.driver === 'postgres' ? 'PostgreSQL' : 'MySQL';
  const { connection } = datasource;
  if ('url' in connection) return `datasource ${datasource.name} (${server} at the URL in ${describeRef(connection.url)})`;
  const host = connection.host.includes(':') ? `[${connection.host}]` : connection.host;
  return `datasource ${datasource.name} (${server} at ${host}:${connection.port}, database ${connection.database})`;
}

/** Closes a Kysely instance once, however often it is called. */
function closer(db: Kysely<any>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= db.destroy());
}

/** Opens the connection, reads the server, and closes everything again when that fails. */
async function finish(datasource: SqlDatasource, db: Kysely<any>, readServer: () => Promise<SqlServer>): Promise<SqlConnection> {
  const close = closer(db);
  try {
    const server = await readServer();
    return { db, server, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw driverFailure(error, `connecting to ${describeTarget(datasource)}`);
  }
}

async function readVersion(db: Kysely<any>, query: RawBuilder<{ version: string }>): Promise<string> {
  const { rows } = await query.execute(db);
  const version = rows[0]?.version;
  if (typeof version !== 'string') throw new Error('the server did not return its version');
  return version;
}

/** The journal_mode statements, one fixed text per mode of the config. */
const JOURNAL_MODE_STATEMENTS = {
  wal: sql<{ journal_mode: string }>`pragma journal_mode = wal`,
  delete: sql<{ journal_mode: string }>`pragma journal_mode = delete`,
} as const;

async function connectSqlite(datasource: SqliteDatasource, Database: DriverModules['better-sqlite3']): Promise<SqlConnection> {
  const { filename } = datasource.connection;
  // better-sqlite3 refuses a missing directory with a TypeError that has no code.
  if (filename !== ':memory:' && !existsSync(dirname(filename))) {
    fail({
      code: 'unavailable',
      message: `opening ${describeTarget(datasource)} failed: its directory ${dirname(filename)} does not exist (rule sqlite_directory_exists)`,
    });
  }
  let database: BetterSqlite3.Database;
  try {
    // `timeout` is SQLite's busy timeout (sqlite3_busy_timeout, what PRAGMA busy_timeout sets).
    database = new Database(filename, { timeout: datasource.busyTimeoutMs });
  } catch (error) {
    throw driverFailure(error, `opening ${describeTarget(datasource)}`);
  }
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database }) });
  return finish(datasource, db, async () => {
    const { rows } = await JOURNAL_MODE_STATEMENTS[datasource.journalMode].execute(db);
    const mode = rows[0]?.journal_mode;
    // An in-memory database keeps its journal in memory whatever the config says.
    if (mode !== datasource.journalMode && !(filename === ':memory:' && mode === 'memory')) {
      fail({
        code: 'unavailable',
        message: `${describeTarget(datasource)}: journalMode ${datasource.journalMode} could not be set, the database stays in journal mode ${String(mode)} (rule journal_mode_applies)`,
      });
    }
    return { driver: 'sqlite', flavor: 'sqlite', version: await readVersion(db, sql`select sqlite_version() as version`) };
  });
}

/** The PostgreSQL version number from version()'s text ("PostgreSQL 15.20 (Debian ...) on x86_64..." gives 15.20). */
export function postgresVersion(text: string): string {
  return /^PostgreSQL (\S+)/.exec(text)?.[1] ?? text;
}

/** pg's client options for one new connection: every reference resolved now. */
export async function postgresClientConfig(
  datasource: PostgresDatasource,
  env: Record<string, string | undefined>,
): Promise<Pg.ClientConfig> {
  const { connection, tls } = datasource;
  const common: Pg.ClientConfig = {
    ssl: postgresSsl(tls.mode, await resolveTlsMaterial(tls, datasource.name, env)),
    connectionTimeoutMillis: datasource.pool.acquireTimeoutMs,
    application_name: 'metasource',
  };
  if ('url' in connection) {
    // pg lets the URL's parameters override the options, so the TLS ones are
    // taken out (R5). The password is the URL's; without one, pg falls back
    // on PGPASSWORD and ~/.pgpass as libpq does (the URL's empty password
    // would override a callback given here).
    const url = await resolveUrl(datasource, connection.url, env);
    return { ...common, connectionString: withoutUrlParameters(url, isPostgresTlsParameter) };
  }
  const password =
    connection.password !== undefined
      ? await resolveSecret(connection.password, { datasource: datasource.name, path: 'connection.password' }, env)
      : // Without a reference pg would fall back on PGPASSWORD or ~/.pgpass; a
        // secret comes only from the config, so a server that asks gets this error.
        () => {
          fail({
            code: 'unavailable',
            message: `cannot connect to ${describeTarget(datasource)}: the server asks for a password, and connection.password is not set (rule password_when_asked)`,
          });
        };
  return { ...common, host: connection.host, port: connection.port, database: connection.database, user: connection.user, password };
}

/** Runs a Kysely-compiled statement on a pg client that Kysely does not hold yet. */
async function pgRun(client: Pg.Client, query: CompiledQuery): Promise<void> {
  await client.query(query.sql, query.parameters as unknown[]);
}

type PooledPgClient = Pg.Client & PostgresPoolClient;

async function connectPostgres(
  datasource: PostgresDatasource,
  env: Record<string, string | undefined>,
  pg: typeof Pg,
): Promise<SqlConnection> {
  let db: Kysely<any> | undefined;
  const pool: ConnectionPool<PooledPgClient> = new ConnectionPool<PooledPgClient>(datasource.pool, {
    async create() {
      const client = new pg.Client(await postgresClientConfig(datasource, env)) as PooledPgClient;
      // pg emits 'error' on a client whose socket fails, idle or not; unheard, it would end the process.
      client.on('error', () => pool.markBroken(client));
      client.on('end', () => pool.markBroken(client));
      client.release = (destroy?: boolean) => pool.release(client, destroy === true);
      await client.connect();
      // A FATAL error ends the session, but pg reports it only to the running
      // query, and the socket closes a moment later: mark it now, so that the
      // connection is not handed out again in between.
      client.connection.on('errorMessage', (message: { severity?: unknown }) => {
        if (message.severity === 'FATAL' || message.severity === 'PANIC') pool.markBroken(client);
      });
      try {
        const timeout = String(datasource.statementTimeoutMs);
        await pgRun(client, sql`select set_config(${'statement_timeout'}, ${timeout}, false)`.compile(db!));
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      return client;
    },
    close: (client) => client.end(),
  });
  // No `Client` member: Kysely then cancels a query through a pool connection, never with options of its own.
  const postgresPool: PostgresPool = { options: {}, connect: () => pool.acquire(), end: () => pool.end() };
  db = new Kysely<any>({ dialect: new PostgresDialect({ pool: postgresPool }) });
  return finish(datasource, db, async () => ({
    driver: 'postgres',
    flavor: 'postgres',
    version: postgresVersion(await readVersion(db!, sql`select version() as version`)),
  }));
}

/** mysql2's options for one new connection: every reference resolved now. */
export async function mysqlConnectionOptions(
  datasource: MysqlDatasource,
  env: Record<string, string | undefined>,
): Promise<Mysql2.ConnectionOptions> {
  const { connection, tls } = datasource;
  const ssl = mysqlSsl(tls.mode, await resolveTlsMaterial(tls, datasource.name, env));
  const common: Mysql2.ConnectionOptions = {
    ...(ssl !== undefined ? { ssl } : {}),
    // The store decodes rows expecting these: utf8mb4 text, 64-bit integers as
    // strings (never rounded to a double), date and time values as text.
    charset: 'utf8mb4',
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    connectTimeout: datasource.pool.acquireTimeoutMs,
  };
  if ('url' in connection) {
    // mysql2 takes a URL parameter when the option is unset (as ssl is for
    // disable), so the TLS parameter is taken out (R5); the options above
    // are set, so they win over the URL's.
    const url = await resolveUrl(datasource, connection.url, env);
    return { ...common, uri: withoutUrlParameters(url, isMysqlTlsParameter) };
  }
  const password =
    connection.password !== undefined
      ? await resolveSecret(connection.password, { datasource: datasource.name, path: 'connection.password' }, env)
      : undefined;
  return {
    ...common,
    host: connection.host,
    port: connection.port,
    database: connection.database,
    user: connection.user,
    ...(password !== undefined ? { password } : {}),
  };
}

/**
 * The statement that bounds each statement of a session: MariaDB's
 * max_statement_time (seconds, fractions allowed), MySQL's
 * max_execution_time (milliseconds; MySQL applies it to SELECT only). 0 is
 * no limit on both.
 */
export function mysqlStatementTimeout(flavor: 'mariadb' | 'mysql', statementTimeoutMs: number): RawBuilder<unknown> {
  return flavor === 'mariadb'
    ? sql`set session max_statement_time = ${statementTimeoutMs / 1000}`
    : sql`set session max_execution_time = ${statementTimeoutMs}`;
}

function mysqlFlavor(version: string): 'mariadb' | 'mysql' {
  return /mariadb/i.test(version) ? 'mariadb' : 'mysql';
}

/** Runs a Kysely-compiled statement on a mysql2 connection that Kysely does not hold yet. */
function mysqlRun<R>(connection: Mysql2.Connection, query: CompiledQuery): Promise<R> {
  return new Promise((resolve, reject) => {
    connection.query(query.sql, [...query.parameters], (error, result) => (error ? reject(error) : resolve(result as R)));
  });
}

type PooledMysqlConnection = Mysql2.Connection & MysqlPoolConnection;

/** The parts of a mysql2 connection that checkHostAfterHandshake uses (startTLS is not in its typings). */
interface Mysql2Internals {
  startTLS?: (onSecure: (error?: Error) => void) => void;
  stream: unknown;
  config: { host: string };
}

/**
 * Checks the server certificate against the host for verify_full (R5), with
 * Node's checkServerIdentity, the check pg and Node's own TLS clients make.
 * mysql2's verifyIdentity is not used: for an IP address it sets no
 * servername and Node then checks the name "localhost", so a certificate
 * for localhost would pass and one for the address would not. The check runs
 * in the callback mysql2 calls once the TLS handshake (and its chain check)
 * is done and before it sends the credentials; a failure there ends the
 * connection. A mysql2 without startTLS fails closed.
 */
function checkHostAfterHandshake(connection: Mysql2.Connection): void {
  const internals = connection as unknown as Mysql2Internals;
  const startTLS = internals.startTLS;
  if (typeof startTLS !== 'function') throw new Error('this mysql2 has no startTLS, so verify_full cannot check the host name');
  internals.startTLS = (onSecure) => {
    startTLS.call(connection, (error) => {
      if (error !== undefined && error !== null) return onSecure(error);
      const { stream } = internals;
      const certificate = stream instanceof TLSSocket ? stream.getPeerCertificate() : undefined;
      onSecure(
        certificate === undefined
          ? Object.assign(new Error('no server certificate to check'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' })
          : checkServerIdentity(internals.config.host, certificate),
      );
    });
  };
}

async function connectMysql(
  datasource: MysqlDatasource,
  env: Record<string, string | undefined>,
  mysql: typeof Mysql2,
): Promise<SqlConnection> {
  let db: Kysely<any> | undefined;
  const pool: ConnectionPool<PooledMysqlConnection> = new ConnectionPool<PooledMysqlConnection>(datasource.pool, {
    async create() {
      const connection = mysql.createConnection(await mysqlConnectionOptions(datasource, env)) as unknown as PooledMysqlConnection;
      connection.on('error', () => pool.markBroken(connection));
      connection.on('end', () => pool.markBroken(connection));
      connection.release = () => pool.release(connection);
      try {
        if (datasource.tls.mode === 'verify_full') checkHostAfterHandshake(connection);
        await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())));
        const [row] = await mysqlRun<{ version: string }[]>(connection, sql`select version() as version`.compile(db!));
        await mysqlRun(connection, mysqlStatementTimeout(mysqlFlavor(String(row?.version)), datasource.statementTimeoutMs).compile(db!));
      } catch (error) {
        connection.destroy();
        throw error;
      }
      return connection;
    },
    close: (connection) =>
      new Promise<void>((resolve) => {
        connection.end(() => resolve());
        // A connection whose socket already failed never answers QUIT.
        setTimeout(() => {
          connection.destroy();
          resolve();
        }, 1000).unref();
      }),
  });
  const mysqlPool: MysqlPool = {
    getConnection: (callback) => {
      pool.acquire().then(
        (connection) => callback(null, connection),
        (error: unknown) => callback(error, undefined as unknown as MysqlPoolConnection),
      );
    },
    end: (callback) => {
      pool.end().then(() => callback(null), callback);
    },
  };
  db = new Kysely<any>({ dialect: new MysqlDialect({ pool: mysqlPool }) });
  return finish(datasource, db, async () => {
    const version = await readVersion(db!, sql`select version() as version`);
    return { driver: 'mysql', flavor: mysqlFlavor(version), version };
  });
}
