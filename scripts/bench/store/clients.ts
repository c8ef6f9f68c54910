/**
 * The database clients the store runs on, for the baselines and the
 * statement trace: the copies @metasource/store loads (its dependencies, not
 * the workspace root's), so a patch of the trace reaches the store's own
 * connections. Typed by the few members used here.
 *
 * Baseline SQL is compiled by Kysely (the test database's instance: every
 * identifier quoted by it, every value a parameter) and then run by the
 * client directly, the client's fastest way: a statement prepared once and
 * run many times (better-sqlite3 statements, PostgreSQL named statements,
 * MariaDB server-side prepared statements), or a multi-row insert.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ROOT } from '../lib';

const storeRequire = createRequire(join(ROOT, 'packages/store/package.json'));

// ---------------------------------------------------------------------------
// better-sqlite3
// ---------------------------------------------------------------------------

export interface SqliteStatement {
  readonly source: string;
  readonly reader: boolean;
  run(...parameters: unknown[]): { changes: number };
  get(...parameters: unknown[]): unknown;
  all(...parameters: unknown[]): unknown[];
}

export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  pragma(text: string): unknown;
  transaction<A extends unknown[]>(work: (...args: A) => void): (...args: A) => void;
  close(): void;
}

export interface SqliteModule {
  new (filename: string): SqliteDatabase;
  prototype: SqliteDatabase;
}

// ---------------------------------------------------------------------------
// pg
// ---------------------------------------------------------------------------

export interface PgQueryConfig {
  text: string;
  values?: unknown[];
  /** A named statement is parsed once per connection and reused. */
  name?: string;
}

export interface PgClient {
  connect(): Promise<void>;
  query(config: PgQueryConfig | string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}

export interface PgModule {
  Client: {
    new (config: { host: string; port: number; user: string; password?: string; database: string }): PgClient;
    prototype: PgClient;
  };
}

// ---------------------------------------------------------------------------
// mysql2
// ---------------------------------------------------------------------------

type MysqlCallback = (error: Error | null, result: unknown) => void;

export interface MysqlConnection {
  query(sql: string, values: unknown[], callback: MysqlCallback): unknown;
  execute(sql: string, values: unknown[], callback: MysqlCallback): unknown;
  end(callback: () => void): void;
}

export interface MysqlModule {
  createConnection(options: Record<string, unknown>): MysqlConnection;
  Connection: { prototype: MysqlConnection };
}

export const sqliteModule = (): SqliteModule => storeRequire('better-sqlite3') as SqliteModule;
export const pgModule = (): PgModule => storeRequire('pg') as PgModule;
export const mysqlModule = (): MysqlModule => storeRequire('mysql2') as MysqlModule;

/** A mysql2 call as a promise. */
export function mysqlCall(connection: MysqlConnection, method: 'query' | 'execute', sql: string, values: unknown[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    connection[method](sql, values, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** The version of a package as @metasource/store resolves it (from the package.json above its entry point: kysely exports none). */
export function storePackageVersion(name: string): string {
  for (let dir = dirname(storeRequire.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string };
    if (manifest.name === name) return manifest.version;
  }
  throw new Error(`no package.json of ${name} above ${storeRequire.resolve(name)}`);
}
