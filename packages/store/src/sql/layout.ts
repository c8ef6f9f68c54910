/**
 * The shape of a SQL store's data, shared by the schema, query and write
 * code of every dialect: which tables exist, which column holds each record
 * field, and how a record's values are written into a row.
 *
 * Row encoding (the same on every dialect):
 * - every string column compares by Unicode code point (PostgreSQL
 *   `COLLATE "C"`, MariaDB `utf8mb4_nopad_bin`, MySQL `utf8mb4_0900_bin`,
 *   SQLite `BINARY`);
 * - `owner` and `extends` hold the empty string when absent: neither can be
 *   empty in a record (OpaqueId and MachineName need one character), so the
 *   empty string is unambiguous, the identity key stays unique without NULL
 *   semantics (NULLs never collide in a unique index), and absent sorts first
 *   ascending and last descending, as the protocol orders it;
 * - `payload` and `tags` hold the exact text of `JSON.stringify` of the value
 *   (PostgreSQL `json`, which keeps that text, key order included; TEXT
 *   elsewhere, MariaDB/MySQL with a JSON_VALID check), so a record reads back
 *   exactly as it was written;
 * - `version` is a 64-bit integer; `createdAt` and `updatedAt` are the
 *   runtime's own `Date.prototype.toISOString()` text (UTC, milliseconds,
 *   `YYYY-MM-DDTHH:mm:ss.sssZ`), so their text order is their instant order.
 */
import {
  DEFAULT_METADATA_TABLE_NAME,
  METADATA_RECORD_FIELDS,
  MetadataTableSchemaSchema,
  type MetadataColumnMapping,
  type MetadataIndex,
  type MetadataRecordField,
  type MetadataTableSchemaInput,
} from '@metasource/spec';

/** The SQL dialects of the reference stores (DatasourceDriver minus mongodb). */
export type SqlDriver = 'sqlite' | 'postgres' | 'mysql';

/** The server behind a dialect, as read at connect time (MySQL and MariaDB share the mysql driver but not every feature). */
export interface SqlServer {
  driver: SqlDriver;
  /** `sqlite`, `postgres`, `mariadb` or `mysql`. */
  flavor: 'sqlite' | 'postgres' | 'mariadb' | 'mysql';
  /** The server's version text, e.g. `15.20`, `10.11.19-MariaDB`, `3.53.2`. */
  version: string;
}

/** The tables a SQL store uses: the records table of the config and the runtime's own, named after it. */
export interface SqlTableNames {
  /** PostgreSQL schema or MySQL database; absent: the connection's default. Never set on SQLite. */
  schema?: string;
  /** The records (MetadataTableSchema.tableName). */
  records: string;
  /** Change events: one row per event, primary key (tenant_id, sequence). */
  changes: string;
  /** One row per tenant: its latest sequence (locked by each write, so sequences become visible in order). */
  feeds: string;
  /** Applied migrations, each with the checksum of its statements. */
  migrations: string;
  /** The migration lock row (SQLite; PostgreSQL and MySQL use advisory locks). */
  lock: string;
  /** Settings of the store: the cursor signing secret and the layout version. */
  settings: string;
}

/** Suffixes of the runtime's tables. The longest decides the longest records table name. */
export const RUNTIME_TABLE_SUFFIXES = {
  changes: '_changes',
  feeds: '_feeds',
  migrations: '_migrations',
  lock: '_lock',
  settings: '_settings',
} as const;

/** The longest identifier on every SQL driver (PostgreSQL's 63; MySQL allows 64). */
export const MAX_SQL_IDENTIFIER_LENGTH = 63;

/** Everything a SQL store needs to know about its tables, from a validated MetadataTableSchema. */
export interface SqlLayout {
  tables: SqlTableNames;
  /** Column of each record field. */
  columns: MetadataColumnMapping;
  /** The extra indexes of the config. */
  indexes: MetadataIndex[];
  /** The unique index on the identity key (tenant, type, namespace, scope, owner, name): `<records>_identity`. */
  identityIndex: string;
}

/** The identity key, in the order of its unique index and of export (R19). */
export const IDENTITY_FIELDS = [
  'tenantId',
  'type',
  'namespace',
  'scope',
  'owner',
  'name',
] as const satisfies readonly MetadataRecordField[];

/** Record fields stored as JSON text. */
export const JSON_FIELDS: ReadonlySet<MetadataRecordField> = new Set(['payload', 'tags']);

/** Record fields stored as the empty string when absent. */
export const EMPTY_WHEN_ABSENT_FIELDS: ReadonlySet<MetadataRecordField> = new Set(['owner', 'extends']);

/** Numeric record fields. */
export const NUMBER_FIELDS: ReadonlySet<MetadataRecordField> = new Set(['version']);

/**
 * The layout of a table schema (its input form is parsed here). Throws an
 * Error naming the rule when a runtime table name would exceed the
 * identifier limit; the store entry point turns that into invalid_config.
 */
export function sqlLayout(table: MetadataTableSchemaInput = {}): SqlLayout {
  const parsed = MetadataTableSchemaSchema.parse(table);
  const records = parsed.tableName ?? DEFAULT_METADATA_TABLE_NAME;
  const longest = Math.max(...Object.values(RUNTIME_TABLE_SUFFIXES).map((suffix) => suffix.length), '_identity'.length);
  if (records.length + longest > MAX_SQL_IDENTIFIER_LENGTH) {
    throw new Error(
      `tableName ${records} is too long for the runtime's own tables (${records}_migrations and others): at most ${MAX_SQL_IDENTIFIER_LENGTH - longest} characters (rule runtime_table_names_fit)`,
    );
  }
  const tables: SqlTableNames = {
    ...(parsed.schema !== undefined ? { schema: parsed.schema } : {}),
    records,
    changes: records + RUNTIME_TABLE_SUFFIXES.changes,
    feeds: records + RUNTIME_TABLE_SUFFIXES.feeds,
    migrations: records + RUNTIME_TABLE_SUFFIXES.migrations,
    lock: records + RUNTIME_TABLE_SUFFIXES.lock,
    settings: records + RUNTIME_TABLE_SUFFIXES.settings,
  };
  return { tables, columns: parsed.columnMapping, indexes: parsed.indexes, identityIndex: `${records}_identity` };
}

/** The record fields in column order (the schema's field order). */
export const RECORD_FIELDS: readonly MetadataRecordField[] = METADATA_RECORD_FIELDS;
