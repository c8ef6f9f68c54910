/**
 * Test databases: each test file gets a database of its own, with a unique
 * name, and drops it afterwards, so that runs never see each other's data.
 * Connection settings come from environment variables, defaulting to the
 * servers of this project's machines (scripts/ensure-databases.sh):
 *
 * - PostgreSQL: METASOURCE_TEST_PG_HOST (127.0.0.1), METASOURCE_TEST_PG_PORT
 *   (5432), METASOURCE_TEST_PG_USER (postgres), METASOURCE_TEST_PG_PASSWORD
 *   (none), METASOURCE_TEST_PG_DATABASE (test: where CREATE DATABASE runs);
 * - MySQL/MariaDB: METASOURCE_TEST_MYSQL_HOST (127.0.0.1),
 *   METASOURCE_TEST_MYSQL_PORT (3306), METASOURCE_TEST_MYSQL_USER (root),
 *   METASOURCE_TEST_MYSQL_PASSWORD (none);
 * - SQLite: a file in a new temporary directory.
 *
 * Not part of the package's entry point: tests import it by path.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatasourceInput } from '@metasource/spec';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, sql, type RawBuilder } from 'kysely';
import type { SqlDriver } from './layout';

const require = createRequire(import.meta.url);

/** Every SQL dialect, in the order tests run them. */
export const SQL_DRIVERS: readonly SqlDriver[] = ['sqlite', 'postgres', 'mysql'];

export interface TestDatabase {
  driver: SqlDriver;
  /** The unique database (PostgreSQL, MySQL) or file (SQLite). */
  name: string;
  /**
   * A datasource entry that opens this database, named `metadata_db`, TLS
   * off for the local servers, the password (when one is set) as an `env`
   * reference to the variable above.
   */
  datasource: DatasourceInput;
  /** A Kysely instance on the database, for a test's own statements; closed by drop(). */
  db: Kysely<any>;
  /** Closes db and drops the database (removes the SQLite file). Idempotent. */
  drop(): Promise<void>;
}

function env(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

/** Settings of the PostgreSQL server for tests. */
export function postgresSettings() {
  return {
    host: env('METASOURCE_TEST_PG_HOST', '127.0.0.1'),
    port: Number(env('METASOURCE_TEST_PG_PORT', '5432')),
    user: env('METASOURCE_TEST_PG_USER', 'postgres'),
    password: process.env.METASOURCE_TEST_PG_PASSWORD || undefined,
    database: env('METASOURCE_TEST_PG_DATABASE', 'test'),
  };
}

/** Settings of the MySQL/MariaDB server for tests. */
export function mysqlSettings() {
  return {
    host: env('METASOURCE_TEST_MYSQL_HOST', '127.0.0.1'),
    port: Number(env('METASOURCE_TEST_MYSQL_PORT', '3306')),
    user: env('METASOURCE_TEST_MYSQL_USER', 'root'),
    password: process.env.METASOURCE_TEST_MYSQL_PASSWORD || undefined,
  };
}

/** A unique database name: `ms_<label>_<random>`, lower case, within 63 characters. */
export function uniqueDatabaseName(label: string): string {
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 30);
  return `ms_${safe}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Creates a database of its own for a test file. */
export async function createTestDatabase(driver: SqlDriver, label = 'test'): Promise<TestDatabase> {
  const name = uniqueDatabaseName(label);
  switch (driver) {
    case 'sqlite':
      return sqliteDatabase(name);
    case 'postgres':
      return postgresDatabase(name);
    case 'mysql':
      return mysqlDatabase(name);
  }
}

function sqliteDatabase(name: string): TestDatabase {
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  const directory = mkdtempSync(join(tmpdir(), 'metasource-'));
  const filename = join(directory, `${name}.db`);
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(filename) }) });
  let dropped = false;
  return {
    driver: 'sqlite',
    name: filename,
    datasource: { driver: 'sqlite', name: 'metadata_db', connection: { filename }, journalMode: 'wal' },
    db,
    async drop() {
      if (dropped) return;
      dropped = true;
      await db.destroy();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

async function postgresDatabase(name: string): Promise<TestDatabase> {
  const pg = require('pg') as typeof import('pg');
  const settings = postgresSettings();
  await postgresAdmin(pg, settings, sql`create database ${sql.id(name)}`);
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ ...settings, database: name, max: 4 }) }) });
  let dropped = false;
  return {
    driver: 'postgres',
    name,
    datasource: {
      driver: 'postgres',
      name: 'metadata_db',
      connection: {
        host: settings.host,
        port: settings.port,
        database: name,
        user: settings.user,
        ...(settings.password !== undefined ? { password: { env: 'METASOURCE_TEST_PG_PASSWORD' } } : {}),
      },
      tls: { mode: 'disable' },
    },
    db,
    async drop() {
      if (dropped) return;
      dropped = true;
      await db.destroy();
      await postgresAdmin(pg, settings, sql`drop database if exists ${sql.id(name)} with (force)`);
    },
  };
}

async function mysqlDatabase(name: string): Promise<TestDatabase> {
  const mysql = require('mysql2') as typeof import('mysql2');
  const settings = mysqlSettings();
  await mysqlAdmin(mysql, settings, sql`create database ${sql.id(name)} character set utf8mb4`);
  const db = new Kysely<any>({
    dialect: new MysqlDialect({ pool: mysql.createPool({ ...settings, database: name, connectionLimit: 4 }) }),
  });
  let dropped = false;
  return {
    driver: 'mysql',
    name,
    datasource: {
      driver: 'mysql',
      name: 'metadata_db',
      connection: {
        host: settings.host,
        port: settings.port,
        database: name,
        user: settings.user,
        ...(settings.password !== undefined ? { password: { env: 'METASOURCE_TEST_MYSQL_PASSWORD' } } : {}),
      },
      tls: { mode: 'disable' },
    },
    db,
    async drop() {
      if (dropped) return;
      dropped = true;
      await db.destroy();
      await mysqlAdmin(mysql, settings, sql`drop database if exists ${sql.id(name)}`);
    },
  };
}

/**
 * Runs one statement on the server outside any test database, through a
 * Kysely instance of one connection (so the database name is quoted by
 * Kysely). A server that does not answer fails with a message saying how to
 * start the test servers.
 */
async function postgresAdmin(pg: typeof import('pg'), settings: ReturnType<typeof postgresSettings>, statement: RawBuilder<unknown>) {
  const admin = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ ...settings, max: 1 }) }) });
  try {
    await statement.execute(admin);
  } catch (error) {
    throw unreachable(error, `PostgreSQL test server at ${settings.host}:${settings.port}`);
  } finally {
    await admin.destroy();
  }
}

async function mysqlAdmin(mysql: typeof import('mysql2'), settings: ReturnType<typeof mysqlSettings>, statement: RawBuilder<unknown>) {
  const admin = new Kysely<any>({ dialect: new MysqlDialect({ pool: mysql.createPool({ ...settings, connectionLimit: 1 }) }) });
  try {
    await statement.execute(admin);
  } catch (error) {
    throw unreachable(error, `MySQL/MariaDB test server at ${settings.host}:${settings.port}`);
  } finally {
    await admin.destroy();
  }
}

/** The error to throw when an admin statement failed: a hint when the server did not answer, else the error itself. */
function unreachable(error: unknown, server: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') {
    return new Error(`the ${server} does not answer (${code}): start it with bash scripts/ensure-databases.sh`, { cause: error });
  }
  return error;
}
