/**
 * One database of the benchmark: its test database (a unique name, dropped
 * at the end), the stores opened on its tables, and the baseline, the same
 * client with no store.
 *
 * A baseline table is created by opening a store on it (so it has exactly
 * the store's columns and indexes) and closing that store. The baseline
 * then writes and reads it the client's fastest plain way:
 *
 * - SQLite (better-sqlite3): one prepared INSERT run per row, in one
 *   transaction; a prepared SELECT per read;
 * - PostgreSQL (pg): multi-row INSERTs of 1,000 rows as a named (prepared)
 *   statement, in one transaction; named SELECTs;
 * - MariaDB (mysql2): multi-row INSERTs of 1,000 rows (the text protocol,
 *   mysql2's bulk path), in one transaction; SELECTs through `execute`
 *   (server-side prepared statements, cached per connection).
 *
 * A read by key is also timed with its SELECT prepared anew each time
 * (better-sqlite3 `prepare`, an unnamed pg statement, mysql2's text
 * protocol), as Kysely's drivers send every statement.
 *
 * Every statement's text is compiled by Kysely (the test database's
 * instance) with identifiers quoted and values as parameters; the client
 * only runs it.
 */
import type { MetadataRecordInput } from '@metasource/spec';
import { openStore, type SqlStore } from '@metasource/store';
import type { SqlDriver } from '../../../packages/store/src/sql/layout';
import { createTestDatabase, mysqlSettings, postgresSettings, type TestDatabase } from '../../../packages/store/src/sql/testing';
import {
  mysqlCall,
  mysqlModule,
  pgModule,
  sqliteModule,
  type MysqlConnection,
  type PgClient,
  type SqliteDatabase,
  type SqliteStatement,
} from './clients';
import { baselineColumns, baselineValues, benchLayout, driverConfig } from './data';
import { sql } from './kysely';

/** Rows per multi-row INSERT of the PostgreSQL and MariaDB baselines. */
const BASELINE_ROWS_PER_INSERT = 1000;

/** The names the reports give the databases. */
export const DATABASE_NAMES: Readonly<Record<SqlDriver, string>> = { sqlite: 'SQLite', postgres: 'PostgreSQL', mysql: 'MariaDB' };

/** A record key as the baseline reads it: the identity index's columns in order. */
export type KeyValues = [tenantId: string, type: string, namespace: string, scope: string, owner: string, name: string];

export function keyValues(record: MetadataRecordInput): KeyValues {
  return [
    record.tenantId ?? 'default',
    record.type,
    record.namespace ?? 'default',
    record.scope ?? 'platform',
    record.owner ?? '',
    record.name,
  ];
}

/** A JSON column's value: text parsed (pg hands a json column over parsed already). */
const json = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

/** What the baseline reads of a row: the record's JSON parsed, as a reader of it would. */
function parseRow(row: unknown, payload: string, tags: string): unknown {
  if (row === undefined || row === null) return undefined;
  const values = row as Record<string, unknown>;
  return { ...values, [payload]: json(values[payload]), [tags]: json(values[tags]) };
}

/** The baseline's operations on one table. */
export interface BaselineTable {
  /** Writes the records in one transaction. */
  insert(records: readonly MetadataRecordInput[]): Promise<void>;
  /** One row by the identity key (the unique index the store's get uses), JSON parsed. */
  getByKey(key: KeyValues): Promise<unknown>;
  /** The same, its SELECT prepared anew each time, as Kysely's drivers send every statement. */
  getByKeyUnprepared(key: KeyValues): Promise<unknown>;
  /** One row by primary key (id), JSON parsed. */
  getById(id: string): Promise<unknown>;
  /** Every row, `pageSize` at a time in id order (keyset), JSON parsed; returns how many. */
  exportAll(pageSize: number): Promise<number>;
}

/** A client of the baseline: its own connection to the test database. */
interface BaselineClient {
  table(name: string): Promise<BaselineTable>;
  /** The plan of a statement the store sent (its text and parameters, as traced), one line per step. */
  explain(sql: string, parameters: readonly unknown[]): Promise<string[]>;
  /** Refreshes the planner's statistics of a table, as an operator does after a bulk load. */
  analyze(table: string): Promise<void>;
  close(): Promise<void>;
}

export class BenchDatabase {
  readonly driver: SqlDriver;
  readonly name: string;
  readonly #database: TestDatabase;
  readonly #stores: SqlStore[] = [];
  #client: BaselineClient | undefined;
  #version = '';

  private constructor(driver: SqlDriver, database: TestDatabase) {
    this.driver = driver;
    this.name = DATABASE_NAMES[driver];
    this.#database = database;
  }

  /** A new test database (`ms_bench_store_...`, or a file in a new temporary directory) for `driver`. */
  static async create(driver: SqlDriver): Promise<BenchDatabase> {
    return new BenchDatabase(driver, await createTestDatabase(driver, 'bench_store'));
  }

  /** The server's version as the store read it at connect time (after the first openStore). */
  get version(): string {
    return this.#version;
  }

  /** Opens a store on a table of this database (creating the table and its index on first open). */
  async openStore(tableName: string): Promise<SqlStore> {
    const store = await openStore({ datasource: this.#database.datasource, driver: driverConfig(tableName) });
    this.#stores.push(store);
    this.#version = store.connection.server.version;
    return store;
  }

  async closeStore(store: SqlStore): Promise<void> {
    this.#stores.splice(this.#stores.indexOf(store), 1);
    await store.close();
  }

  /** A baseline table: created by a store, which is closed again, then written and read by the client alone. */
  async baselineTable(tableName: string): Promise<BaselineTable> {
    await this.closeStore(await this.openStore(tableName));
    return (await this.#baselineClient()).table(tableName);
  }

  async explain(sql: string, parameters: readonly unknown[]): Promise<string[]> {
    return (await this.#baselineClient()).explain(sql, parameters);
  }

  async analyze(tableName: string): Promise<void> {
    return (await this.#baselineClient()).analyze(tableName);
  }

  async #baselineClient(): Promise<BaselineClient> {
    this.#client ??= await openBaselineClient(this.#database);
    return this.#client;
  }

  /** Closes every store and the baseline client, and drops the test database. */
  async drop(): Promise<void> {
    try {
      for (const store of this.#stores.splice(0)) await store.close();
      await this.#client?.close();
    } finally {
      await this.#database.drop();
    }
  }
}

async function openBaselineClient(database: TestDatabase): Promise<BaselineClient> {
  switch (database.driver) {
    case 'sqlite':
      return sqliteBaseline(database);
    case 'postgres':
      return postgresBaseline(database);
    case 'mysql':
      return mysqlBaseline(database);
  }
}

/** The Kysely-compiled statements of the baseline on one table. */
function compileStatements(database: TestDatabase, tableName: string) {
  const layout = benchLayout(tableName);
  const { columns } = layout;
  const names = baselineColumns(layout);
  const db = database.db;
  const row = Object.fromEntries(names.map((column) => [column, column]));
  const insert = (rows: number) =>
    db
      .insertInto(tableName)
      .values(Array.from({ length: rows }, () => row))
      .compile();
  const byKey = db
    .selectFrom(tableName)
    .selectAll()
    .where(columns.tenantId, '=', 'tenant')
    .where(columns.type, '=', 'type')
    .where(columns.namespace, '=', 'namespace')
    .where(columns.scope, '=', 'scope')
    .where(columns.owner, '=', 'owner')
    .where(columns.name, '=', 'name')
    .compile();
  const byId = db.selectFrom(tableName).selectAll().where(columns.id, '=', 'id').compile();
  // Pages in id order: the first, and the next after an id; the page size is bound when run.
  const page = (first: boolean) => {
    const query = db.selectFrom(tableName).selectAll().orderBy(columns.id).limit(1000);
    return (first ? query : query.where(columns.id, '>', 'after')).compile();
  };
  // The parameters must come out in the order the values are bound below.
  const expected = [...names];
  if (JSON.stringify(insert(1).parameters) !== JSON.stringify(expected))
    throw new Error('baseline: unexpected parameter order of the INSERT');
  return {
    id: columns.id,
    payload: columns.payload,
    tags: columns.tags,
    insert,
    byKey: byKey.sql,
    byId: byId.sql,
    firstPage: page(true).sql,
    nextPage: page(false).sql,
  };
}

/** Rows of values in pieces of at most `size`. */
function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}

function sqliteBaseline(database: TestDatabase): BaselineClient {
  const Database = sqliteModule();
  const db: SqliteDatabase = new Database(database.name);
  db.pragma('journal_mode = wal');
  return {
    async table(tableName) {
      const statements = compileStatements(database, tableName);
      const insert = db.prepare(statements.insert(1).sql);
      const byKey = db.prepare(statements.byKey);
      const byId = db.prepare(statements.byId);
      const firstPage = db.prepare(statements.firstPage);
      const nextPage = db.prepare(statements.nextPage);
      const write = db.transaction((records: readonly MetadataRecordInput[]) => {
        for (const record of records) insert.run(baselineValues(record));
      });
      const read = (statement: SqliteStatement, parameters: unknown[]) =>
        parseRow(statement.get(parameters), statements.payload, statements.tags);
      return {
        async insert(records) {
          write(records);
        },
        async getByKey(key) {
          return read(byKey, key);
        },
        async getByKeyUnprepared(key) {
          return read(db.prepare(statements.byKey), key);
        },
        async getById(id) {
          return read(byId, [id]);
        },
        async exportAll(pageSize) {
          return keysetExport(statements.id, pageSize, async (after) => {
            const rows = after === undefined ? firstPage.all([pageSize]) : nextPage.all([after, pageSize]);
            return rows.map((row) => parseRow(row, statements.payload, statements.tags) as Record<string, unknown>);
          });
        },
      };
    },
    async explain(sql, parameters) {
      const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all([...parameters]) as { detail: string }[];
      return rows.map((row) => row.detail);
    },
    async analyze(tableName) {
      db.prepare(sql`ANALYZE ${sql.table(tableName)}`.compile(database.db).sql).run();
    },
    async close() {
      db.close();
    },
  };
}

async function postgresBaseline(database: TestDatabase): Promise<BaselineClient> {
  const { Client } = pgModule();
  const settings = postgresSettings();
  const client: PgClient = new Client({ ...settings, database: database.name });
  await client.connect();
  let tables = 0;
  return {
    async table(tableName) {
      const statements = compileStatements(database, tableName);
      const prefix = `bench_${++tables}`;
      const fullInsert = statements.insert(BASELINE_ROWS_PER_INSERT).sql;
      const read = async (name: string | undefined, text: string, values: unknown[]) => {
        const { rows } = await client.query({ ...(name !== undefined ? { name: `${prefix}_${name}` } : {}), text, values });
        return rows.map((row) => parseRow(row, statements.payload, statements.tags) as Record<string, unknown>);
      };
      return {
        async insert(records) {
          await client.query('BEGIN');
          try {
            for (const part of chunks(records, BASELINE_ROWS_PER_INSERT)) {
              const values = part.flatMap(baselineValues);
              if (part.length === BASELINE_ROWS_PER_INSERT) await client.query({ name: `${prefix}_insert`, text: fullInsert, values });
              else await client.query({ text: statements.insert(part.length).sql, values });
            }
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK');
            throw error;
          }
        },
        async getByKey(key) {
          return (await read('by_key', statements.byKey, key))[0];
        },
        async getByKeyUnprepared(key) {
          return (await read(undefined, statements.byKey, key))[0];
        },
        async getById(id) {
          return (await read('by_id', statements.byId, [id]))[0];
        },
        async exportAll(pageSize) {
          return keysetExport(statements.id, pageSize, (after) =>
            after === undefined
              ? read('first_page', statements.firstPage, [pageSize])
              : read('next_page', statements.nextPage, [after, pageSize]),
          );
        },
      };
    },
    async explain(sql, parameters) {
      const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, [...parameters]);
      return rows.map((row) => String(row['QUERY PLAN']));
    },
    async analyze(tableName) {
      await client.query(sql`ANALYZE ${sql.table(tableName)}`.compile(database.db).sql);
    },
    close: () => client.end(),
  };
}

async function mysqlBaseline(database: TestDatabase): Promise<BaselineClient> {
  const mysql = mysqlModule();
  const settings = mysqlSettings();
  const connection: MysqlConnection = mysql.createConnection({ ...settings, database: database.name, charset: 'utf8mb4' });
  const run = (sql: string, values: unknown[] = []) => mysqlCall(connection, 'query', sql, values);
  const prepared = async (sql: string, values: unknown[]) => (await mysqlCall(connection, 'execute', sql, values)) as unknown[];
  return {
    async table(tableName) {
      const statements = compileStatements(database, tableName);
      const inserts = new Map<number, string>();
      const insertSql = (rows: number) => {
        let text = inserts.get(rows);
        if (text === undefined) inserts.set(rows, (text = statements.insert(rows).sql));
        return text;
      };
      const parse = (rows: unknown) =>
        (rows as unknown[]).map((row) => parseRow(row, statements.payload, statements.tags) as Record<string, unknown>);
      const read = async (sql: string, values: unknown[]) => parse(await prepared(sql, values));
      return {
        async insert(records) {
          await run('START TRANSACTION');
          try {
            for (const part of chunks(records, BASELINE_ROWS_PER_INSERT)) await run(insertSql(part.length), part.flatMap(baselineValues));
            await run('COMMIT');
          } catch (error) {
            await run('ROLLBACK');
            throw error;
          }
        },
        async getByKey(key) {
          return (await read(statements.byKey, key))[0];
        },
        async getByKeyUnprepared(key) {
          return parse(await run(statements.byKey, key))[0];
        },
        async getById(id) {
          return (await read(statements.byId, [id]))[0];
        },
        async exportAll(pageSize) {
          // mysql2's execute binds LIMIT as a string, which MariaDB refuses: the page size goes in as text of a number.
          return keysetExport(statements.id, pageSize, (after) =>
            after === undefined ? read(statements.firstPage, [String(pageSize)]) : read(statements.nextPage, [after, String(pageSize)]),
          );
        },
      };
    },
    async explain(sql, parameters) {
      // MariaDB's ANALYZE runs the statement and reports each table's plan with the rows it really read (r_rows).
      const rows = (await run(`ANALYZE ${sql}`, [...parameters])) as Record<string, unknown>[];
      return rows.map((row) =>
        ['table', 'type', 'key', 'rows', 'r_rows', 'Extra']
          .filter((column) => row[column] !== null && row[column] !== undefined)
          .map((column) => `${column}=${String(row[column])}`)
          .join(' '),
      );
    },
    async analyze(tableName) {
      await run(sql`ANALYZE TABLE ${sql.table(tableName)}`.compile(database.db).sql);
    },
    close: () => new Promise<void>((resolve) => connection.end(() => resolve())),
  };
}

/** Reads pages after the last id of the page before until one comes back short; returns the rows read. */
async function keysetExport(
  idColumn: string,
  pageSize: number,
  page: (after: string | undefined) => Promise<Record<string, unknown>[]>,
): Promise<number> {
  let count = 0;
  let after: string | undefined;
  for (;;) {
    const rows = await page(after);
    count += rows.length;
    if (rows.length < pageSize) return count;
    after = String(rows[rows.length - 1]![idColumn]);
  }
}
