/**
 * Fixtures of the schema and migration tests: the server behind a test
 * database, a second client on it (a concurrent migrator), records as rows,
 * and snapshots of tables and rows to compare before and after.
 *
 * Test support only: never exported from src/index.ts.
 */
import { createRequire } from 'node:module';
import { MetadataMigrateOptionsSchema, type MetadataMigrateOptionsInput, type MetadataStoreError } from '@metasource/spec';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { expect } from 'vitest';
import { checksumOf } from '../base/checksum';
import { MetadataStoreFailure } from '../base/failure';
import type { StoredRecord } from '../base/record';
import { RECORD_FIELDS, sqlLayout, type SqlLayout, type SqlServer } from './layout';
import { migrateSchema, type MigrationSettings } from './migrate';
import { toRow } from './row';
import { listTables, readTable, tableRef, type TableInfo } from './schema';
import { mysqlSettings, postgresSettings, type TestDatabase } from './testing';

const require = createRequire(import.meta.url);

/** The settings of a store opened with the driver config's defaults, waiting up to 5 s for the lock. */
export const DEFAULT_SETTINGS: MigrationSettings = {
  autoMigrate: true,
  dropOnMigrate: false,
  backupBeforeMigrate: true,
  lockTimeoutMs: 5_000,
};

/** A fixed instant for the migration log. */
export const NOW = new Date('2026-01-31T09:30:00.000Z');

/** The server behind a test database, as connect.ts reads it. */
export async function serverOf(database: TestDatabase): Promise<SqlServer> {
  switch (database.driver) {
    case 'sqlite': {
      const { rows } = await sql<{ version: string }>`SELECT sqlite_version() AS version`.execute(database.db);
      return { driver: 'sqlite', flavor: 'sqlite', version: rows[0]!.version };
    }
    case 'postgres': {
      const { rows } = await sql<{ version: string }>`SHOW server_version`.execute(database.db);
      return { driver: 'postgres', flavor: 'postgres', version: Object.values(rows[0]!)[0] as string };
    }
    case 'mysql': {
      const { rows } = await sql<{ version: string }>`SELECT VERSION() AS version`.execute(database.db);
      const version = rows[0]!.version;
      return { driver: 'mysql', flavor: version.includes('MariaDB') ? 'mariadb' : 'mysql', version };
    }
  }
}

/** Another client of the same database (its own connection or pool), as a second store process would have. Destroy it after use. */
export function secondClient(database: TestDatabase): Kysely<any> {
  switch (database.driver) {
    case 'sqlite': {
      const Database = require('better-sqlite3') as typeof import('better-sqlite3');
      return new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(database.name) }) });
    }
    case 'postgres': {
      const pg = require('pg') as typeof import('pg');
      return new Kysely<any>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ ...postgresSettings(), database: database.name, max: 2 }) }),
      });
    }
    case 'mysql': {
      const mysql = require('mysql2') as typeof import('mysql2');
      return new Kysely<any>({
        dialect: new MysqlDialect({ pool: mysql.createPool({ ...mysqlSettings(), database: database.name, connectionLimit: 2 }) }),
      });
    }
  }
}

let tables = 0;

/** A layout with a table name of its own, so that tests share a database without sharing tables. */
export function freshLayout(label: string, table: Parameters<typeof sqlLayout>[0] = {}): SqlLayout {
  tables += 1;
  return sqlLayout({ ...table, tableName: `${label}_${tables}` });
}

/** Options as MetadataStore.migrate parses them. */
export function options(input: MetadataMigrateOptionsInput = {}) {
  return MetadataMigrateOptionsSchema.parse(input);
}

/** Applies the plan of the layout as an operator. */
export function migrate(
  db: Kysely<any>,
  server: SqlServer,
  layout: SqlLayout,
  input: MetadataMigrateOptionsInput = {},
  settings: MigrationSettings = DEFAULT_SETTINGS,
) {
  return migrateSchema(db, server, layout, settings, options({ dryRun: false, ...input }), 'operator', NOW);
}

/** A stored record with every field set; `n` makes its id, name and payload. */
export function record(n: number, overrides: Partial<StoredRecord> = {}): StoredRecord {
  const payload = { label: `Record ${n}`, quote: `it's "${n}"`, nested: { list: [n, n + 0.5, null] } };
  return {
    id: `rec_${String(n).padStart(4, '0')}`,
    type: 'object',
    name: `item_${n}`,
    namespace: 'crm',
    scope: 'platform',
    state: 'active',
    payload,
    mergeStrategy: 'merge',
    tenantId: 'acme',
    version: n,
    checksum: checksumOf(payload),
    tags: [`t${n}`],
    createdAt: '2026-01-31T09:30:00.000Z',
    createdBy: 'seed',
    updatedAt: '2026-01-31T09:30:00.000Z',
    updatedBy: 'seed',
    ...overrides,
  } as StoredRecord;
}

/** Writes records into a records table, leaving out the columns `omit` names (an old table may lack them). */
export async function insertRecords(db: Kysely<any>, layout: SqlLayout, records: readonly StoredRecord[], omit: readonly string[] = []) {
  for (const item of records) {
    const row = toRow(layout, item);
    for (const column of omit) delete row[column];
    const columns = Object.keys(row);
    await sql`INSERT INTO ${tableRef(layout.tables.schema, layout.tables.records)} (${sql.join(columns.map((c) => sql.id(c)))})
              VALUES (${sql.join(columns.map((c) => row[c]))})`.execute(db);
  }
}

/** Every row of a table, ordered by `orderBy`, each value as text (drivers hand numbers and JSON back in their own types). */
export async function rowsOf(
  db: Kysely<any>,
  schema: string | undefined,
  table: string,
  orderBy = 'id',
): Promise<Record<string, string>[]> {
  const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${tableRef(schema, table)} ORDER BY ${sql.id(orderBy)}`.execute(db);
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([column, value]) => [
        column,
        typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value),
      ]),
    ),
  );
}

/** The records table and the runtime's tables as the catalog describes them, for before/after comparisons. */
export async function schemaSnapshot(
  db: Kysely<any>,
  server: SqlServer,
  layout: SqlLayout,
): Promise<Record<string, TableInfo | undefined>> {
  const snapshot: Record<string, TableInfo | undefined> = {};
  const names = (await listTables(db, server, layout.tables.schema)).sort();
  for (const name of names) snapshot[name] = await readTable(db, server, layout.tables.schema, name);
  return snapshot;
}

/** The error a call rejects with; fails the test when it resolves or rejects with something untyped. */
export async function storeError(call: Promise<unknown>): Promise<MetadataStoreError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(MetadataStoreFailure);
    return (error as MetadataStoreFailure).error;
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** The columns of the records table in field order. */
export function recordColumns(layout: SqlLayout): string[] {
  return RECORD_FIELDS.map((field) => layout.columns[field]);
}
