/**
 * The SQL schema of a store: the DDL that creates and changes its tables on
 * each dialect, what a database holds now, and how that compares with the
 * layout (sql/layout.ts).
 *
 * Column types (every column NOT NULL, every string column binary-collated):
 * - strings: VARCHAR(n), or TEXT where no bound is given; PostgreSQL
 *   `COLLATE "C"`, MariaDB `utf8mb4_nopad_bin`, MySQL 8 `utf8mb4_0900_bin`
 *   (both NO PAD: 'a' and 'a ' differ), SQLite its default BINARY;
 * - integers: BIGINT;
 * - JSON (payload, tags): PostgreSQL `json` (it keeps the text as written),
 *   MySQL/MariaDB LONGTEXT with a `JSON_VALID` check, SQLite TEXT.
 *
 * Indexes: btree as is; hash is PostgreSQL's `USING hash` and a btree
 * elsewhere (InnoDB and SQLite have no hash index); gin is PostgreSQL's GIN on
 * the jsonb cast of each column, and is skipped on MySQL and SQLite. A btree
 * or hash index on a JSON column is refused on PostgreSQL (json has no such
 * operator class) and MySQL (LONGTEXT cannot be indexed whole), as is a MySQL
 * index whose key exceeds InnoDB's 3072 bytes.
 *
 * Every identifier goes through Kysely's quoting (`sql.id`); DDL takes no
 * bound parameters, so the few constants it holds (column defaults) are
 * literals of this module, never values from a caller.
 */
import {
  DEFAULT_NAMESPACE,
  DEFAULT_TENANT_ID,
  type MetadataColumnMapping,
  type MetadataIndex,
  type MetadataRecordField,
} from '@metasource/spec';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { fail } from '../base/failure';
import { IDENTITY_FIELDS, JSON_FIELDS, RECORD_FIELDS, type SqlLayout, type SqlServer } from './layout';

// ---------------------------------------------------------------------------
// Column and table definitions
// ---------------------------------------------------------------------------

/** What a column holds, which decides its type on each dialect. */
export type ColumnKind = 'string' | 'integer' | 'json';

/** A column of a table the store creates. */
export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
  /** VARCHAR(length) for a string; absent: TEXT (LONGTEXT on MySQL). */
  length?: number;
}

/** A table the store creates: its columns in order and its primary key. */
export interface TableSpec {
  name: string;
  columns: ColumnSpec[];
  primaryKey: string[];
}

/** The column of each record field: kind and, for strings, the longest value (OpaqueId 128, MachineName 63, ...). */
export const RECORD_FIELD_COLUMNS: Readonly<Record<MetadataRecordField, { kind: ColumnKind; length?: number }>> = Object.freeze({
  id: { kind: 'string', length: 128 },
  type: { kind: 'string', length: 63 },
  name: { kind: 'string', length: 63 },
  namespace: { kind: 'string', length: 63 },
  scope: { kind: 'string', length: 16 },
  state: { kind: 'string', length: 16 },
  payload: { kind: 'json' },
  extends: { kind: 'string', length: 63 },
  mergeStrategy: { kind: 'string', length: 16 },
  owner: { kind: 'string', length: 128 },
  tenantId: { kind: 'string', length: 128 },
  version: { kind: 'integer' },
  checksum: { kind: 'string', length: 71 },
  tags: { kind: 'json' },
  createdAt: { kind: 'string', length: 40 },
  createdBy: { kind: 'string', length: 128 },
  updatedAt: { kind: 'string', length: 40 },
  updatedBy: { kind: 'string', length: 128 },
});

/**
 * The value a column added to a table that holds rows gets in every row: one
 * that is valid for any record (absent owner and extends, no tags, the
 * schema's defaults). A field not listed has no such value (an id, a name, a
 * checksum that depends on the payload), so its column cannot be added to a
 * table with rows.
 */
export const ADDED_COLUMN_DEFAULTS: Readonly<Partial<Record<MetadataRecordField, string | number>>> = Object.freeze({
  tags: '[]',
  owner: '',
  extends: '',
  namespace: DEFAULT_NAMESPACE,
  tenantId: DEFAULT_TENANT_ID,
  state: 'active',
  mergeStrategy: 'merge',
  version: 1,
});

/** The column of a record field named `column`. */
export function recordColumn(field: MetadataRecordField, column: string): ColumnSpec {
  return { name: column, ...RECORD_FIELD_COLUMNS[field] };
}

/** A records table: one column per record field, in the schema's field order, keyed by the id column. */
export function recordsTableSpec(name: string, columns: MetadataColumnMapping): TableSpec {
  return { name, columns: RECORD_FIELDS.map((field) => recordColumn(field, columns[field])), primaryKey: [columns.id] };
}

/** The store's own tables besides the records, in the order they are created. */
export const RUNTIME_TABLES = ['changes', 'feeds', 'settings', 'migrations', 'lock'] as const;
export type RuntimeTable = (typeof RUNTIME_TABLES)[number];

/** The runtime's own tables of a layout. */
export function runtimeTableSpec(layout: SqlLayout, table: RuntimeTable): TableSpec {
  const name = layout.tables[table];
  switch (table) {
    case 'changes':
      return {
        name,
        columns: [
          { name: 'tenant_id', kind: 'string', length: 128 },
          { name: 'sequence', kind: 'integer' },
          { name: 'event', kind: 'string' },
        ],
        primaryKey: ['tenant_id', 'sequence'],
      };
    case 'feeds':
      return {
        name,
        columns: [
          { name: 'tenant_id', kind: 'string', length: 128 },
          { name: 'latest_sequence', kind: 'integer' },
        ],
        primaryKey: ['tenant_id'],
      };
    case 'settings':
      return {
        name,
        columns: [
          { name: 'name', kind: 'string', length: 63 },
          { name: 'value', kind: 'string' },
        ],
        primaryKey: ['name'],
      };
    case 'migrations':
      return {
        name,
        columns: [
          { name: 'id', kind: 'string', length: 128 },
          { name: 'checksum', kind: 'string', length: 71 },
          { name: 'description', kind: 'string' },
          { name: 'applied_at', kind: 'string', length: 40 },
          { name: 'statements', kind: 'string' },
        ],
        primaryKey: ['id'],
      };
    case 'lock':
      return {
        name,
        columns: [
          { name: 'name', kind: 'string', length: 63 },
          { name: 'holder', kind: 'string', length: 128 },
          { name: 'acquired_at', kind: 'string', length: 40 },
        ],
        primaryKey: ['name'],
      };
  }
}

// ---------------------------------------------------------------------------
// Indexes
// ---------------------------------------------------------------------------

/** An index as a dialect builds it: method after the fallbacks, and the columns it keys. */
export interface BuiltIndex {
  name: string;
  unique: boolean;
  method: 'btree' | 'hash' | 'gin';
  columns: string[];
}

/** An index of the layout as this dialect builds it. */
export interface IndexSpec extends BuiltIndex {
  /** The index of the config (or the identity key) it builds. */
  source: MetadataIndex;
}

/** InnoDB's longest index key (DYNAMIC row format), in bytes. */
export const MYSQL_MAX_KEY_BYTES = 3072;

/** The identity key as an index of a records table named `table`. */
export function identityIndex(table: string): MetadataIndex {
  return { name: `${table}_identity`, fields: [...IDENTITY_FIELDS], unique: true, type: 'btree' };
}

/** The binary collation of MySQL string columns: MariaDB's NO PAD binary one, or MySQL 8's. */
export function mysqlCollation(server: SqlServer): string {
  return server.flavor === 'mariadb' ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin';
}

/**
 * How this dialect builds `index` on a table with `columns`: the index, or
 * the reason it is skipped (gin on MySQL and SQLite). Fails with
 * unsupported_capability when the dialect cannot build it at all.
 */
export function planIndex(
  server: SqlServer,
  table: string,
  columns: MetadataColumnMapping,
  index: MetadataIndex,
): { index: IndexSpec; note?: string } | { skipped: string } {
  const keyed = index.fields.map((field) => columns[field]);
  if (index.type === 'gin') {
    if (server.driver !== 'postgres') {
      return { skipped: `index ${index.name} (gin) on ${table} is skipped: ${server.flavor} has no GIN index` };
    }
    return { index: { name: index.name, unique: false, method: 'gin', columns: keyed, source: index } };
  }
  const json = index.fields.filter((field) => JSON_FIELDS.has(field));
  if (json.length > 0 && server.driver !== 'sqlite') {
    fail({
      code: 'unsupported_capability',
      message: `index ${index.name} on ${table} is a ${index.type} index on the JSON field ${json[0]}, which ${server.flavor} cannot build (${
        server.driver === 'postgres'
          ? 'json has no btree or hash operator class; use a gin index'
          : 'a LONGTEXT column cannot be indexed whole'
      })`,
      capability: 'json_btree_index',
    });
  }
  if (server.driver === 'mysql') {
    const bytes = index.fields.reduce((sum, field) => {
      const column = RECORD_FIELD_COLUMNS[field];
      return sum + (column.kind === 'integer' ? 8 : (column.length ?? 0) * 4);
    }, 0);
    if (bytes > MYSQL_MAX_KEY_BYTES) {
      fail({
        code: 'unsupported_capability',
        message: `index ${index.name} on ${table} has a key of up to ${bytes} bytes (4 per character in utf8mb4), above InnoDB's ${MYSQL_MAX_KEY_BYTES}: index fewer or shorter fields`,
        capability: 'index_key_length',
      });
    }
  }
  if (index.type === 'hash' && server.driver !== 'postgres') {
    return {
      index: { name: index.name, unique: index.unique, method: 'btree', columns: keyed, source: index },
      note: `index ${index.name} (hash) on ${table} is built as a btree: ${server.flavor} has no hash index`,
    };
  }
  return { index: { name: index.name, unique: index.unique, method: index.type, columns: keyed, source: index } };
}

/** The indexes of a records table: its identity key first, then the config's, with the notes on skipped and replaced ones. */
export function recordsIndexes(
  server: SqlServer,
  table: string,
  columns: MetadataColumnMapping,
  indexes: readonly MetadataIndex[],
): { indexes: IndexSpec[]; notes: string[] } {
  const built: IndexSpec[] = [];
  const notes: string[] = [];
  for (const index of [identityIndex(table), ...indexes]) {
    const planned = planIndex(server, table, columns, index);
    if ('skipped' in planned) notes.push(planned.skipped);
    else {
      built.push(planned.index);
      if (planned.note) notes.push(planned.note);
    }
  }
  return { indexes: built, notes };
}

/**
 * Index names the config may not use: the identity index, the names of the
 * store's tables and PostgreSQL's primary key index (PostgreSQL keeps tables
 * and indexes in one namespace). Fails with invalid_input naming the index.
 */
export function checkIndexNames(layout: SqlLayout): void {
  const reserved = new Map<string, string>([[layout.identityIndex.toLowerCase(), "the identity key's index"]]);
  for (const table of ['records', ...RUNTIME_TABLES] as const) {
    reserved.set(layout.tables[table].toLowerCase(), 'a table of the store');
    reserved.set(`${layout.tables[table]}_pkey`.toLowerCase(), "a table's primary key index on PostgreSQL");
  }
  reserved.set('primary', "the primary key's index on MySQL");
  layout.indexes.forEach((index, position) => {
    const taken = reserved.get(index.name.toLowerCase());
    if (taken !== undefined) {
      fail({
        code: 'invalid_input',
        message: `index ${index.name} is named like ${taken}; choose another name`,
        issues: [{ path: ['table', 'indexes', position, 'name'], code: 'custom', message: `the name is reserved for ${taken}` }],
      });
    }
  });
}

// ---------------------------------------------------------------------------
// DDL
// ---------------------------------------------------------------------------

/** A table, qualified by its schema when one is given (never on SQLite). */
export function tableRef(schema: string | undefined, name: string): RawBuilder<unknown> {
  return schema === undefined ? sql.id(name) : sql.id(schema, name);
}

function stringType(server: SqlServer, length: number | undefined): RawBuilder<unknown> {
  const base = length === undefined ? (server.driver === 'mysql' ? 'LONGTEXT' : 'TEXT') : `VARCHAR(${length})`;
  switch (server.driver) {
    case 'postgres':
      return sql`${sql.raw(base)} COLLATE ${sql.id('C')}`;
    case 'mysql':
      return sql.raw(`${base} CHARACTER SET utf8mb4 COLLATE ${mysqlCollation(server)}`);
    case 'sqlite':
      return sql.raw(base);
  }
}

/** The column's type on this dialect, with its collation. */
export function columnType(server: SqlServer, column: ColumnSpec): RawBuilder<unknown> {
  switch (column.kind) {
    case 'string':
      return stringType(server, column.length);
    case 'integer':
      return sql.raw('BIGINT');
    case 'json':
      return server.driver === 'postgres' ? sql.raw('json') : stringType(server, undefined);
  }
}

/** A column definition: name, type, NOT NULL, an optional default, and MySQL's JSON check. */
function columnDefinition(server: SqlServer, column: ColumnSpec, fill?: string | number): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`${sql.id(column.name)} ${columnType(server, column)} NOT NULL`];
  if (fill !== undefined) {
    // MySQL takes a default for a TEXT column only as an expression; MariaDB accepts that form too.
    const textual = server.driver === 'mysql' && (column.kind === 'json' || (column.kind === 'string' && column.length === undefined));
    parts.push(textual ? sql`DEFAULT (${sql.lit(fill)})` : sql`DEFAULT ${sql.lit(fill)}`);
  }
  if (server.driver === 'mysql' && column.kind === 'json') parts.push(sql`CHECK (JSON_VALID(${sql.id(column.name)}))`);
  return sql.join(parts, sql` `);
}

/** CREATE TABLE; on MySQL an InnoDB table whose default character set and collation are the binary ones. */
export function createTable(server: SqlServer, schema: string | undefined, table: TableSpec): RawBuilder<unknown> {
  const items = [
    ...table.columns.map((column) => columnDefinition(server, column)),
    sql`PRIMARY KEY (${sql.join(table.primaryKey.map((column) => sql.id(column)))})`,
  ];
  const options =
    server.driver === 'mysql' ? sql.raw(` ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${mysqlCollation(server)}`) : sql.raw('');
  return sql`CREATE TABLE ${tableRef(schema, table.name)} (${sql.join(items)})${options}`;
}

/** CREATE INDEX as the dialect builds it (gin only on PostgreSQL, on the jsonb cast of each column). */
export function createIndex(server: SqlServer, schema: string | undefined, table: string, index: BuiltIndex): RawBuilder<unknown> {
  const keys =
    index.method === 'gin' ? index.columns.map((column) => sql`(${sql.id(column)}::jsonb)`) : index.columns.map((column) => sql.id(column));
  const unique = sql.raw(index.unique ? 'UNIQUE ' : '');
  const using = server.driver === 'postgres' && index.method !== 'btree' ? sql.raw(` USING ${index.method}`) : sql.raw('');
  return sql`CREATE ${unique}INDEX ${sql.id(index.name)} ON ${tableRef(schema, table)}${using} (${sql.join(keys)})`;
}

/** DROP INDEX: PostgreSQL names the index in its schema, MySQL names its table, SQLite only the index. */
export function dropIndex(server: SqlServer, schema: string | undefined, table: string, name: string): RawBuilder<unknown> {
  switch (server.driver) {
    case 'postgres':
      return sql`DROP INDEX ${tableRef(schema, name)}`;
    case 'mysql':
      return sql`DROP INDEX ${sql.id(name)} ON ${tableRef(schema, table)}`;
    case 'sqlite':
      return sql`DROP INDEX ${sql.id(name)}`;
  }
}

/** ALTER TABLE ... ADD COLUMN, NOT NULL, with `fill` as the default when given (SQLite needs one for a NOT NULL column). */
export function addColumn(
  server: SqlServer,
  schema: string | undefined,
  table: string,
  column: ColumnSpec,
  fill?: string | number,
): RawBuilder<unknown> {
  return sql`ALTER TABLE ${tableRef(schema, table)} ADD COLUMN ${columnDefinition(server, column, fill)}`;
}

export function dropColumn(schema: string | undefined, table: string, column: string): RawBuilder<unknown> {
  return sql`ALTER TABLE ${tableRef(schema, table)} DROP COLUMN ${sql.id(column)}`;
}

export function dropTable(schema: string | undefined, table: string): RawBuilder<unknown> {
  return sql`DROP TABLE ${tableRef(schema, table)}`;
}

/**
 * The statements that copy a table to a new backup table in the same
 * schema: CREATE TABLE ... AS SELECT on PostgreSQL and SQLite (a copy of
 * every column and row); on MySQL CREATE TABLE ... LIKE, which keeps the
 * column definitions and checks, then INSERT ... SELECT.
 */
export function backupTable(server: SqlServer, schema: string | undefined, table: string, backup: string): RawBuilder<unknown>[] {
  const from = tableRef(schema, table);
  const to = tableRef(schema, backup);
  if (server.driver === 'mysql') return [sql`CREATE TABLE ${to} LIKE ${from}`, sql`INSERT INTO ${to} SELECT * FROM ${from}`];
  return [sql`CREATE TABLE ${to} AS SELECT * FROM ${from}`];
}

/**
 * The statements that replace every row of a table with the rows of a
 * backup: delete them, then copy `columns` (every column, in the backup's
 * order, when none are given).
 */
export function restoreTable(schema: string | undefined, table: string, from: string, columns?: readonly string[]): RawBuilder<unknown>[] {
  const target = tableRef(schema, table);
  const source = tableRef(schema, from);
  if (columns === undefined || columns.length === 0) {
    return [sql`DELETE FROM ${target}`, sql`INSERT INTO ${target} SELECT * FROM ${source}`];
  }
  const list = sql.join(columns.map((column) => sql.id(column)));
  return [sql`DELETE FROM ${target}`, sql`INSERT INTO ${target} (${list}) SELECT ${list} FROM ${source}`];
}

// ---------------------------------------------------------------------------
// What the database holds
// ---------------------------------------------------------------------------

/** A column as the catalog describes it. */
export interface ColumnInfo {
  name: string;
  /** The type as the catalog names it: PostgreSQL `character varying`, `text`, `int8`, `json`; MySQL `varchar`, `bigint`, `longtext`; SQLite as declared, `VARCHAR(128)`. */
  dataType: string;
  /** The declared length of a VARCHAR; absent for unbounded text and other types. */
  length?: number;
  /** The column's collation (PostgreSQL, MySQL); absent where the catalog has none. */
  collation?: string;
  nullable: boolean;
  hasDefault: boolean;
}

/** An index as the catalog describes it. */
export interface IndexInfo {
  name: string;
  unique: boolean;
  /** Lower case: btree, hash, gin, ... (SQLite: btree). */
  method: string;
  /** Each key: a column name, `jsonb(<column>)` for PostgreSQL's jsonb cast of a column, `<column>(<n>)` for a MySQL prefix, or `expression`. */
  keys: string[];
  /** Whether the index covers only some rows (a WHERE clause). */
  partial: boolean;
}

/** A table as the catalog describes it. */
export interface TableInfo {
  name: string;
  columns: ColumnInfo[];
  /** The columns of its primary key, in order; empty without one. */
  primaryKey: string[];
  /** Every index except the primary key's. */
  indexes: IndexInfo[];
}

/** Whether two identifiers name the same object: exactly on PostgreSQL (quoted names), ignoring case on MySQL and SQLite. */
export function sameName(server: SqlServer, a: string, b: string): boolean {
  return server.driver === 'postgres' ? a === b : a.toLowerCase() === b.toLowerCase();
}

type Rows = Record<string, unknown>[];

async function rows(db: Kysely<any>, query: RawBuilder<unknown>): Promise<Rows> {
  return (await query.execute(db)).rows as Rows;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

function flag(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 1n || value === 'YES' || value === 't';
}

/** The schema a name lives in, as a bound value or the connection's default. */
function schemaOf(server: SqlServer, schema: string | undefined): RawBuilder<unknown> {
  if (schema !== undefined) return sql`${schema}`;
  return server.driver === 'postgres' ? sql`current_schema()` : sql`DATABASE()`;
}

/** The base tables of a schema (the connection's default when none is given). */
export async function listTables(db: Kysely<any>, server: SqlServer, schema: string | undefined): Promise<string[]> {
  switch (server.driver) {
    case 'postgres':
      return (
        await rows(
          db,
          sql`SELECT c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = ${schemaOf(server, schema)} AND c.relkind IN ('r', 'p')`,
        )
      ).map((row) => text(row.name));
    case 'mysql':
      return (
        await rows(
          db,
          sql`SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${schemaOf(server, schema)} AND TABLE_TYPE = 'BASE TABLE'`,
        )
      ).map((row) => text(row.name));
    case 'sqlite':
      return (await rows(db, sql`SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_'`)).map((row) =>
        text(row.name),
      );
  }
}

/** A table as the catalog describes it, or undefined when it does not exist. */
export async function readTable(
  db: Kysely<any>,
  server: SqlServer,
  schema: string | undefined,
  name: string,
): Promise<TableInfo | undefined> {
  switch (server.driver) {
    case 'postgres':
      return readPostgresTable(db, server, schema, name);
    case 'mysql':
      return readMysqlTable(db, server, schema, name);
    case 'sqlite':
      return readSqliteTable(db, name);
  }
}

async function readPostgresTable(
  db: Kysely<any>,
  server: SqlServer,
  schema: string | undefined,
  name: string,
): Promise<TableInfo | undefined> {
  const relation = sql`(SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                       WHERE n.nspname = ${schemaOf(server, schema)} AND c.relname = ${name} AND c.relkind IN ('r', 'p'))`;
  const columns = await rows(
    db,
    sql`SELECT a.attname AS name, t.typname AS type, format_type(a.atttypid, a.atttypmod) AS formatted, a.atttypmod AS typmod,
               co.collname AS collation, NOT a.attnotnull AS nullable, a.atthasdef AS has_default
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
        WHERE a.attrelid = ${relation} AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
  );
  if (columns.length === 0) {
    const exists = await rows(db, sql`SELECT 1 AS found WHERE ${relation} IS NOT NULL`);
    if (exists.length === 0) return undefined;
  }
  // The database's own collation stands behind a column declared without one.
  const [database] = await rows(db, sql`SELECT datcollate AS collate FROM pg_catalog.pg_database WHERE datname = current_database()`);
  const indexes = await rows(
    db,
    sql`SELECT i.relname AS name, am.amname AS method, ix.indisunique AS is_unique, ix.indisprimary AS is_primary,
               ix.indpred IS NOT NULL AS partial,
               ARRAY(SELECT pg_get_indexdef(ix.indexrelid, k, true) FROM generate_series(1, ix.indnkeyatts) AS k ORDER BY k) AS keys
        FROM pg_catalog.pg_index ix
        JOIN pg_catalog.pg_class i ON i.oid = ix.indexrelid
        JOIN pg_catalog.pg_am am ON am.oid = i.relam
        WHERE ix.indrelid = ${relation}
        ORDER BY i.relname`,
  );
  const info: TableInfo = {
    name,
    columns: columns.map((row) => {
      const type = text(row.type);
      const typmod = Number(row.typmod);
      let collation = row.collation === null ? undefined : text(row.collation);
      if (collation === 'default' && database) collation = `default:${text(database.collate)}`;
      return {
        name: text(row.name),
        dataType: type === 'varchar' ? 'character varying' : type,
        ...(type === 'varchar' && typmod >= 4 ? { length: typmod - 4 } : {}),
        ...(collation !== undefined ? { collation } : {}),
        nullable: flag(row.nullable),
        hasDefault: flag(row.has_default),
      };
    }),
    primaryKey: [],
    indexes: [],
  };
  for (const row of indexes) {
    const keys = (row.keys as unknown[]).map((key) => postgresKey(text(key)));
    if (flag(row.is_primary)) info.primaryKey = keys;
    else
      info.indexes.push({ name: text(row.name), unique: flag(row.is_unique), method: text(row.method), keys, partial: flag(row.partial) });
  }
  return info;
}

const POSTGRES_QUOTED = /^"((?:[^"]|"")*)"$/;
const POSTGRES_JSONB_CAST = /^\(("(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*)::jsonb\)$/;

/** An index key as pg_get_indexdef prints it: a column (quoted when it needs to be), or an expression. */
function postgresKey(key: string): string {
  const unquote = (name: string) => {
    const quoted = POSTGRES_QUOTED.exec(name);
    return quoted ? quoted[1]!.replace(/""/g, '"') : name;
  };
  const cast = POSTGRES_JSONB_CAST.exec(key);
  if (cast) return `jsonb(${unquote(cast[1]!)})`;
  if (POSTGRES_QUOTED.test(key) || /^[A-Za-z_][A-Za-z0-9_$]*$/.test(key)) return unquote(key);
  return 'expression';
}

async function readMysqlTable(
  db: Kysely<any>,
  server: SqlServer,
  schema: string | undefined,
  name: string,
): Promise<TableInfo | undefined> {
  const where = sql`TABLE_SCHEMA = ${schemaOf(server, schema)} AND TABLE_NAME = ${name}`;
  const columns = await rows(
    db,
    sql`SELECT COLUMN_NAME AS name, DATA_TYPE AS data_type, CHARACTER_MAXIMUM_LENGTH AS length, COLLATION_NAME AS collation,
               IS_NULLABLE AS nullable, COLUMN_DEFAULT AS dflt
        FROM information_schema.COLUMNS WHERE ${where} ORDER BY ORDINAL_POSITION`,
  );
  if (columns.length === 0) return undefined;
  const statistics = await rows(
    db,
    sql`SELECT INDEX_NAME AS name, NON_UNIQUE AS non_unique, COLUMN_NAME AS column_name, SUB_PART AS sub_part, INDEX_TYPE AS index_type
        FROM information_schema.STATISTICS WHERE ${where} ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
  );
  const info: TableInfo = {
    name,
    columns: columns.map((row) => {
      const dataType = text(row.data_type).toLowerCase();
      return {
        name: text(row.name),
        dataType,
        ...(dataType === 'varchar' && row.length !== null ? { length: Number(row.length) } : {}),
        ...(row.collation !== null ? { collation: text(row.collation) } : {}),
        nullable: text(row.nullable) === 'YES',
        // MariaDB reports an explicit DEFAULT NULL as the text NULL.
        hasDefault: row.dflt !== null && text(row.dflt) !== 'NULL',
      };
    }),
    primaryKey: [],
    indexes: [],
  };
  const byName = new Map<string, IndexInfo>();
  for (const row of statistics) {
    const indexName = text(row.name);
    const column = row.column_name === null ? 'expression' : text(row.column_name);
    const key = row.sub_part === null ? column : `${column}(${text(row.sub_part)})`;
    if (indexName === 'PRIMARY') {
      info.primaryKey.push(key);
      continue;
    }
    let index = byName.get(indexName);
    if (!index) {
      index = { name: indexName, unique: !flag(row.non_unique), method: text(row.index_type).toLowerCase(), keys: [], partial: false };
      byName.set(indexName, index);
      info.indexes.push(index);
    }
    index.keys.push(key);
  }
  return info;
}

async function readSqliteTable(db: Kysely<any>, name: string): Promise<TableInfo | undefined> {
  const columns = await rows(db, sql`SELECT name, type, "notnull" AS not_null, dflt_value, pk FROM pragma_table_info(${name})`);
  if (columns.length === 0) return undefined;
  const info: TableInfo = {
    name,
    columns: columns.map((row) => ({
      name: text(row.name),
      dataType: text(row.type),
      nullable: !flag(row.not_null),
      hasDefault: row.dflt_value !== null,
    })),
    primaryKey: columns
      .filter((row) => Number(row.pk) > 0)
      .sort((a, b) => Number(a.pk) - Number(b.pk))
      .map((row) => text(row.name)),
    indexes: [],
  };
  const list = await rows(db, sql`SELECT name, "unique" AS is_unique, origin, partial FROM pragma_index_list(${name}) ORDER BY name`);
  for (const row of list) {
    if (text(row.origin) === 'pk') continue;
    const keys = await rows(db, sql`SELECT name FROM pragma_index_info(${text(row.name)}) ORDER BY seqno`);
    info.indexes.push({
      name: text(row.name),
      unique: flag(row.is_unique),
      method: 'btree',
      keys: keys.map((key) => (key.name === null ? 'expression' : text(key.name))),
      partial: flag(row.partial),
    });
  }
  return info;
}

// ---------------------------------------------------------------------------
// The database against the layout
// ---------------------------------------------------------------------------

/** A column that exists but not as the layout needs it. */
export interface ColumnMismatch {
  table: string;
  column: string;
  /** What is wrong, for people. */
  problem: string;
}

/** An index of the layout that exists with another definition. */
export interface IndexChange {
  name: string;
  expected: string;
  actual: string;
}

/** What the database holds now versus the layout. */
export interface SchemaInspection {
  /** Whether every table, column and index of the layout exists as the layout defines it (extra columns and indexes aside). */
  upToDate: boolean;
  /** The store's tables that do not exist: the records first, then the runtime's own. */
  missingTables: string[];
  /** Columns the store's existing tables lack (record fields of the records table, and the runtime tables' columns). */
  missingColumns: { table: string; column: string; field?: MetadataRecordField }[];
  /** The records table's indexes (identity key first, then the config's) that do not exist; only those this dialect builds. */
  missingIndexes: string[];
  /** The records table's indexes that exist with another definition (another key, uniqueness or method). */
  changedIndexes: IndexChange[];
  /** Columns (and the primary key) that exist with another type, collation or nullability, which no migration step can change. */
  mismatchedColumns: ColumnMismatch[];
  /** Columns of the records table that store no record field. */
  extraColumns: string[];
  /** Indexes of the records table that are neither the identity key's nor the config's. */
  extraIndexes: string[];
  /** Indexes of the config this dialect skips or builds another way (gin on MySQL and SQLite, hash as btree). */
  notes: string[];
  /** The settings table's layout_version, when the table holds one. */
  layoutVersion?: string;
}

/** The layout version this code creates and understands. */
export const LAYOUT_VERSION = '1';

/** What the layout expects of every table, and the existing tables as read. */
export interface SchemaState {
  inspection: SchemaInspection;
  /** The store's tables that exist, by layout role. */
  tables: Partial<Record<'records' | RuntimeTable, TableInfo>>;
  /** Every base table of the schema (for backup names). */
  allTables: string[];
  /** The records table's indexes as this dialect builds them. */
  indexes: IndexSpec[];
}

function describeIndex(index: { unique: boolean; method: string; keys: readonly string[] }): string {
  return `${index.unique ? 'unique ' : ''}${index.method} (${index.keys.join(', ')})`;
}

/** The keys an index spec gives in the catalog, as readTable reports them. */
function expectedKeys(index: IndexSpec): string[] {
  return index.method === 'gin' ? index.columns.map((column) => `jsonb(${column})`) : index.columns;
}

function sameKeys(server: SqlServer, a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((key, position) => sameName(server, key, b[position]!));
}

/**
 * PostgreSQL collations that compare by code point: C, POSIX and ucs_basic, or
 * the database's default when that is C or POSIX. A libc C.UTF-8 is not
 * taken on trust: its order depends on the C library.
 */
const POSTGRES_BINARY_COLLATIONS = new Set(['C', 'POSIX', 'ucs_basic', 'default:C', 'default:POSIX']);

/** Why an existing column does not fit its spec, or undefined when it does. */
export function columnProblem(server: SqlServer, spec: ColumnSpec, column: ColumnInfo): string | undefined {
  const type = column.dataType.toLowerCase();
  const problems: string[] = [];
  if (column.nullable) problems.push('it allows NULL (expected NOT NULL)');
  switch (server.driver) {
    case 'postgres': {
      if (spec.kind === 'integer' && type !== 'int8') problems.push(`its type is ${type} (expected bigint)`);
      if (spec.kind === 'json' && type !== 'json') problems.push(`its type is ${type} (expected json, which keeps the text as written)`);
      if (spec.kind === 'string') {
        if (type !== 'character varying' && type !== 'text') problems.push(`its type is ${type} (expected varchar or text)`);
        else if (spec.length === undefined ? column.length !== undefined : column.length !== undefined && column.length < spec.length)
          problems.push(`it holds at most ${column.length} characters (expected ${spec.length ?? 'unbounded text'})`);
        if (!POSTGRES_BINARY_COLLATIONS.has(column.collation ?? ''))
          problems.push(`its collation is ${column.collation ?? 'none'} (expected "C", code-point order)`);
      }
      break;
    }
    case 'mysql': {
      const texts = spec.kind === 'json' || spec.length === undefined ? ['longtext'] : ['varchar', 'text', 'mediumtext', 'longtext'];
      if (spec.kind === 'integer' && type !== 'bigint') problems.push(`its type is ${type} (expected bigint)`);
      if (spec.kind !== 'integer') {
        if (!texts.includes(type)) problems.push(`its type is ${type} (expected ${texts.join(' or ')})`);
        else if (type === 'varchar' && spec.length !== undefined && (column.length ?? 0) < spec.length)
          problems.push(`it holds at most ${column.length} characters (expected ${spec.length})`);
        if (column.collation !== 'utf8mb4_nopad_bin' && column.collation !== 'utf8mb4_0900_bin')
          problems.push(`its collation is ${column.collation ?? 'none'} (expected ${mysqlCollation(server)}, binary and NO PAD)`);
      }
      break;
    }
    case 'sqlite': {
      // SQLite's type affinity (section 3.1 of its datatype manual): INT means integer, CHAR, CLOB or TEXT text.
      const upper = column.dataType.toUpperCase();
      if (spec.kind === 'integer' && !upper.includes('INT')) problems.push(`its type ${column.dataType} has no INTEGER affinity`);
      if (spec.kind !== 'integer' && !/CHAR|CLOB|TEXT/.test(upper)) problems.push(`its type ${column.dataType} has no TEXT affinity`);
      break;
    }
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}

function findColumn(server: SqlServer, table: TableInfo, name: string): ColumnInfo | undefined {
  return table.columns.find((column) => sameName(server, column.name, name));
}

/** Compares an existing table with its spec: the columns it lacks and those that exist as they should not. */
function compareTable(
  server: SqlServer,
  spec: TableSpec,
  table: TableInfo,
  fields?: readonly MetadataRecordField[],
): { missing: SchemaInspection['missingColumns']; mismatched: ColumnMismatch[] } {
  const missing: SchemaInspection['missingColumns'] = [];
  const mismatched: ColumnMismatch[] = [];
  spec.columns.forEach((column, position) => {
    const found = findColumn(server, table, column.name);
    const field = fields?.[position];
    if (!found) missing.push({ table: spec.name, column: column.name, ...(field !== undefined ? { field } : {}) });
    else {
      const problem = columnProblem(server, column, found);
      if (problem) mismatched.push({ table: spec.name, column: column.name, problem });
    }
  });
  if (!sameKeys(server, table.primaryKey, spec.primaryKey)) {
    mismatched.push({
      table: spec.name,
      column: spec.primaryKey.join(', '),
      problem: `the primary key is (${table.primaryKey.join(', ') || 'none'}), expected (${spec.primaryKey.join(', ')})`,
    });
  }
  return { missing, mismatched };
}

/** Reads the store's tables and compares them with the layout. */
export async function readSchemaState(db: Kysely<any>, server: SqlServer, layout: SqlLayout): Promise<SchemaState> {
  checkIndexNames(layout);
  const schema = layout.tables.schema;
  const allTables = await listTables(db, server, schema);
  const exists = (name: string) => allTables.find((table) => sameName(server, table, name));
  const tables: SchemaState['tables'] = {};
  for (const role of ['records', ...RUNTIME_TABLES] as const) {
    const name = exists(layout.tables[role]);
    if (name === undefined) continue;
    const info = await readTable(db, server, schema, name);
    if (info) tables[role] = info;
  }
  const { indexes, notes } = recordsIndexes(server, layout.tables.records, layout.columns, layout.indexes);
  const inspection: SchemaInspection = {
    upToDate: false,
    missingTables: [],
    missingColumns: [],
    missingIndexes: [],
    changedIndexes: [],
    mismatchedColumns: [],
    extraColumns: [],
    extraIndexes: [],
    notes,
  };

  const records = tables.records;
  if (!records) inspection.missingTables.push(layout.tables.records);
  else {
    const compared = compareTable(server, recordsTableSpec(layout.tables.records, layout.columns), records, RECORD_FIELDS);
    inspection.missingColumns.push(...compared.missing);
    inspection.mismatchedColumns.push(...compared.mismatched);
    const mapped = Object.values(layout.columns);
    for (const column of records.columns) {
      if (mapped.some((name) => sameName(server, name, column.name))) continue;
      inspection.extraColumns.push(column.name);
      // Every insert names the record columns only: a column without a default that takes no NULL fails each of them.
      if (!column.nullable && !column.hasDefault) {
        inspection.mismatchedColumns.push({
          table: records.name,
          column: column.name,
          problem: 'it stores no record field, is NOT NULL and has no default, so every insert would fail',
        });
      }
    }
    for (const index of indexes) {
      const found = records.indexes.find((existing) => sameName(server, existing.name, index.name));
      if (!found) {
        inspection.missingIndexes.push(index.name);
        continue;
      }
      const expected = { unique: index.unique, method: index.method, keys: expectedKeys(index) };
      if (
        found.partial ||
        found.unique !== expected.unique ||
        found.method !== expected.method ||
        !sameKeys(server, found.keys, expected.keys)
      ) {
        inspection.changedIndexes.push({
          name: index.name,
          expected: describeIndex(expected),
          actual: `${describeIndex(found)}${found.partial ? ' (partial)' : ''}`,
        });
      }
    }
    // A skipped index of the config (gin on MySQL) that exists anyway was made by hand under the config's name: not extra.
    const known = [layout.identityIndex, ...layout.indexes.map((index) => index.name)];
    for (const index of records.indexes) {
      if (!known.some((name) => sameName(server, name, index.name))) inspection.extraIndexes.push(index.name);
    }
  }
  for (const role of RUNTIME_TABLES) {
    const info = tables[role];
    if (!info) {
      inspection.missingTables.push(layout.tables[role]);
      continue;
    }
    const compared = compareTable(server, runtimeTableSpec(layout, role), info);
    inspection.missingColumns.push(...compared.missing);
    inspection.mismatchedColumns.push(...compared.mismatched);
  }
  if (tables.settings && !inspection.missingColumns.some((missing) => missing.table === tables.settings!.name)) {
    const [row] = await rows(
      db,
      sql`SELECT ${sql.id('value')} AS value FROM ${tableRef(schema, tables.settings.name)} WHERE ${sql.id('name')} = ${'layout_version'}`,
    );
    if (row) inspection.layoutVersion = text(row.value);
  }
  inspection.upToDate =
    inspection.missingTables.length === 0 &&
    inspection.missingColumns.length === 0 &&
    inspection.missingIndexes.length === 0 &&
    inspection.changedIndexes.length === 0 &&
    inspection.mismatchedColumns.length === 0;
  return { inspection, tables, allTables, indexes };
}

/** What the database holds now versus the layout: missing tables, columns, indexes; extra ones; whether up to date. */
export async function inspectSchema(db: Kysely<any>, server: SqlServer, layout: SqlLayout): Promise<SchemaInspection> {
  return (await readSchemaState(db, server, layout)).inspection;
}
