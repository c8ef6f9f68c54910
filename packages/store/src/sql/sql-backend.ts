/**
 * The SQL backend: records, change feeds and transactions on SQLite,
 * PostgreSQL or MySQL/MariaDB through Kysely. Queries are compiled by
 * query.ts, the schema kept by migrate.ts, connections opened by connect.ts;
 * this file holds the statements of a write and of a feed read:
 *
 * - a transaction reads the rows it will change with a lock (FOR UPDATE on
 *   PostgreSQL and MySQL; SQLite takes the database's write lock up front
 *   with BEGIN IMMEDIATE), so a plan is made on the row it writes;
 * - a change is one statement that checks the version it replaces
 *   (`UPDATE ... WHERE id = ? AND version = ?`, R28); zero rows means another
 *   client won a race and the call runs again (TransactionRace);
 * - each event takes the next sequence of its tenant by updating that
 *   tenant's row in the feeds table, which stays locked until commit, so a
 *   tenant's sequences commit, and become visible, in order (R33, R34);
 * - a batch (an import's or a bulk's chunk, ProtocolStore's
 *   BatchTransaction) reads its keys in one locked statement, inserts its
 *   new records in multi-row statements, takes the sequences of a tenant's
 *   events with one update of the feed row and inserts the events in
 *   multi-row statements: the same rows, locks and checks, in fewer
 *   statements;
 * - a unique violation, deadlock or serialization failure is a lost race
 *   (retried); any other driver error becomes a typed error whose message
 *   holds no value, SQL or secret (R43, R44).
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import {
  DATASOURCE_CAPABILITIES,
  type JsonObject,
  type DatasourceCapabilities,
  type TransactionIsolationLevel,
  type MetadataCallContext,
  type MetadataChangeEvent,
  type MetadataMigrateOptions,
  type MetadataMigrationPlan,
  type MetadataStoreProfile,
  type MysqlDatasource,
  type PostgresDatasource,
  type SqliteDatasource,
} from '@metasource/spec';
import { sql, type Kysely, type Transaction } from 'kysely';
import {
  TransactionRace,
  type BackendTransaction,
  type FeedRead,
  type PageRequest,
  type ReadScope,
  type RecordPage,
  type RecordSelection,
  type StoreBackend,
  type UnsequencedEvent,
} from '../base/backend';
import { CursorCodec } from '../base/cursor';
import { fail } from '../base/failure';
import type { BatchTransaction } from '../base/protocol-store';
import type { KeyFields, StoredRecord } from '../base/record';
import { connect, type ConnectOptions, type SqlConnection } from './connect';
import { classifyDriverError, driverFailure } from './errors';
import { IDENTITY_FIELDS, type SqlLayout, type SqlServer } from './layout';
import { migrateSchema, prepareSchema, readCursorSecret, type MigrationSettings } from './migrate';
import { countRecords, selectRecords } from './query';
import { fromRow, toRow, type Row } from './row';

/** A datasource a SQL store can open. */
export type SqlDatasource = SqliteDatasource | PostgresDatasource | MysqlDatasource;

/** What a SQL backend is given: the datasource, its table layout and the settings the driver config decides. */
export interface SqlBackendSettings {
  datasource: SqlDatasource;
  layout: SqlLayout;
  migration: MigrationSettings;
  /** The isolation level of write transactions (PostgreSQL and MySQL; SQLite transactions are serializable). */
  isolationLevel: TransactionIsolationLevel;
  now: () => Date;
  /** Where new record ids come from; default `rec_` and a random UUID's 32 hex digits. */
  recordIds?: () => string;
  connectOptions?: ConnectOptions;
}

/** Rolls a Kysely transaction back while still returning the work's value. */
class Rollback<T> {
  constructor(readonly value: T) {}
}

/** Driver error kinds that mean the transaction lost a race it can win on a second try. */
const RACES: ReadonlySet<string> = new Set(['unique_violation', 'serialization_failure', 'deadlock']);

/**
 * Bounds of one multi-row statement, within every dialect's limits (SQLite
 * binds at most 32,766 parameters, PostgreSQL 65,535; MySQL and MariaDB
 * refuse a statement longer than max_allowed_packet, 4 MB at the least):
 * at most this many keys read, ids looked up or rows inserted, and rows
 * inserted only while their JSON text stays under the byte budget (a row
 * larger than it goes alone).
 */
const KEYS_PER_STATEMENT = 500;
const IDS_PER_STATEMENT = 1000;
const ROWS_PER_STATEMENT = 1000;
const JSON_BYTES_PER_STATEMENT = 1 << 20;

export class SqlBackend implements StoreBackend {
  readonly profile: Omit<MetadataStoreProfile, 'protocolVersion' | 'changeFeedRetention'>;
  readonly #settings: SqlBackendSettings;
  #connection: SqlConnection | undefined;
  #cursors: CursorCodec | undefined;

  constructor(settings: SqlBackendSettings) {
    this.#settings = settings;
    const capabilities: DatasourceCapabilities = { ...DATASOURCE_CAPABILITIES[settings.datasource.driver] };
    this.profile = {
      kind: 'datasource',
      datasource: settings.datasource.name,
      capabilities,
      // Records and events are rows: every driver here writes them in one transaction.
      atomicImport: true,
      transactionalBulk: true,
    };
  }

  get #driver() {
    return this.#settings.datasource.driver;
  }

  get #db(): Kysely<any> {
    if (!this.#connection) fail({ code: 'unavailable', message: `the datasource ${this.#settings.datasource.name} is not connected` });
    return this.#connection.db;
  }

  get #server(): SqlServer {
    if (!this.#connection) fail({ code: 'unavailable', message: `the datasource ${this.#settings.datasource.name} is not connected` });
    return this.#connection.server;
  }

  get cursors(): CursorCodec {
    if (!this.#cursors) fail({ code: 'unavailable', message: `the datasource ${this.#settings.datasource.name} is not connected` });
    return this.#cursors;
  }

  /** The server read at connect time (after open()). */
  get server(): SqlServer {
    return this.#server;
  }

  /** The Kysely instance (after open()): for tools that inspect the database, never for writing records. */
  get db(): Kysely<any> {
    return this.#db;
  }

  async open(): Promise<void> {
    const connection = await openConnection(this.#settings.datasource, this.#settings.connectOptions);
    try {
      await prepareSchema(connection.db, connection.server, this.#settings.layout, this.#settings.migration, this.#settings.now());
      this.#cursors = new CursorCodec(await readCursorSecret(connection.db, this.#settings.layout));
    } catch (error) {
      await connection.close();
      throw error;
    }
    this.#connection = connection;
  }

  async close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    this.#cursors = undefined;
    if (connection) await connection.close();
  }

  migrate(context: MetadataCallContext, options: MetadataMigrateOptions): Promise<MetadataMigrationPlan> {
    return this.#guard('the migration', () =>
      migrateSchema(this.#db, this.#server, this.#settings.layout, this.#settings.migration, options, context.role, this.#settings.now()),
    );
  }

  /** Runs a read or a migration, turning a driver's error into a typed one that holds no value (R43). */
  async #guard<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toStoreFailure(error, what);
    }
  }

  /** Every tenant id that has a record, by code point: for operators' tools, outside the protocol's tenant checks. */
  tenantIds(): Promise<string[]> {
    const { layout } = this.#settings;
    return this.#guard('listing tenants', async () => {
      const rows = await withSchema(this.#db, layout)
        .selectFrom(layout.tables.records)
        .select(layout.columns.tenantId)
        .distinct()
        .orderBy(layout.columns.tenantId)
        .execute();
      return rows.map((row) => String(row[layout.columns.tenantId]));
    });
  }

  recordByKey(key: KeyFields): Promise<StoredRecord | undefined> {
    return this.#guard('reading a record', () => findByKey(this.#db, this.#settings.layout, key, false));
  }

  recordById(id: string): Promise<StoredRecord | undefined> {
    return this.#guard('reading a record', () => findById(this.#db, this.#settings.layout, id, false));
  }

  query(scope: ReadScope, selection: RecordSelection, page: PageRequest): Promise<RecordPage> {
    return this.#guard('the query', () => selectRecords(this.#db, this.#server, this.#settings.layout, scope, selection, page));
  }

  count(scope: ReadScope, selection: RecordSelection): Promise<number> {
    return this.#guard('the count', () => countRecords(this.#db, this.#server, this.#settings.layout, scope, selection));
  }

  /** The feed's bounds and events, read in one transaction so that they agree. */
  feed(tenantId: string, afterSequence: number, limit: number): Promise<FeedRead> {
    const { tables } = this.#settings.layout;
    return this.#guard('reading the change feed', () =>
      this.#db.transaction().execute(async (trx) => {
        const db = withSchema(trx, this.#settings.layout);
        const feed = await db.selectFrom(tables.feeds).select('latest_sequence').where('tenant_id', '=', tenantId).executeTakeFirst();
        const latestSequence = feed ? Number(feed.latest_sequence) : 0;
        const oldest = await db
          .selectFrom(tables.changes)
          .select((eb) => eb.fn.min('sequence').as('oldest'))
          .where('tenant_id', '=', tenantId)
          .executeTakeFirst();
        const oldestKept = oldest?.oldest === null || oldest?.oldest === undefined ? latestSequence + 1 : Number(oldest.oldest);
        const rows = await db
          .selectFrom(tables.changes)
          .select(['sequence', 'event'])
          .where('tenant_id', '=', tenantId)
          .where('sequence', '>', afterSequence)
          .orderBy('sequence')
          .limit(limit + 1)
          .execute();
        const events = rows.slice(0, limit).map((row) => JSON.parse(String(row.event)) as MetadataChangeEvent);
        return { latestSequence, oldestKept, events, hasMore: rows.length > limit };
      }),
    );
  }

  async transaction<T>(work: (tx: BackendTransaction) => Promise<{ value: T; commit: boolean }>): Promise<T> {
    // The first error of the work is the one to report: when a session is killed mid-transaction, the failed
    // ROLLBACK that follows would otherwise replace it (and with it the fact that the connection was lost).
    let first: { error: unknown } | undefined;
    const run = async (trx: Transaction<any>): Promise<T> => {
      try {
        const { value, commit } = await work(new SqlTransaction(trx, this.#settings.layout, this.#driver, this.#settings.recordIds));
        if (!commit) throw new Rollback(value);
        return value;
      } catch (error) {
        first ??= { error };
        throw error;
      }
    };
    try {
      if (this.#driver === 'sqlite') return await this.#sqliteTransaction(run);
      return await this.#db.transaction().setIsolationLevel(isolation(this.#settings.isolationLevel)).execute(run);
    } catch (caught) {
      const error = first !== undefined ? first.error : caught;
      if (error instanceof Rollback) return error.value as T;
      throw toStoreFailure(error, 'the write');
    }
  }

  refuseUnstorable(payload: JsonObject, what: string): void {
    if (!DATASOURCE_CAPABILITIES[this.#driver].nulCharacters && holdsNul(payload)) {
      fail({
        code: 'unsupported_capability',
        message: `${what} holds the character U+0000, which a ${this.#driver} datasource cannot store (capability nulCharacters false); nothing was written`,
        capability: 'nul_character',
      });
    }
  }

  /**
   * A SQLite transaction that takes the write lock at BEGIN (IMMEDIATE), so
   * two connections never both read and then both try to write; a busy
   * database waits busyTimeoutMs, then is a lost race.
   */
  async #sqliteTransaction<T>(run: (trx: Transaction<any>) => Promise<T>): Promise<T> {
    return this.#db.connection().execute(async (connection) => {
      await sql`begin immediate`.execute(connection);
      try {
        // A Transaction view of this connection: Kysely runs a transaction's statements on one connection.
        const value = await run(connection as unknown as Transaction<any>);
        await sql`commit`.execute(connection);
        return value;
      } catch (error) {
        await sql`rollback`.execute(connection);
        throw error;
      }
    });
  }
}

/**
 * The SQLite connections of this process, one per database file, shared by
 * every store on that file. better-sqlite3 is synchronous: a second
 * connection of the same process waiting on the first one's write lock
 * would block the thread that has to release it, until busy_timeout. With
 * one connection per file, the stores of a process queue on Kysely's
 * connection mutex instead; other processes still wait on the file lock.
 * The first store to open a file sets its pragmas. `:memory:` is private to
 * its connection, so it is never shared.
 */
const sqliteConnections = new Map<string, { connection: Promise<SqlConnection>; users: number }>();

async function openConnection(datasource: SqlDatasource, options: ConnectOptions | undefined): Promise<SqlConnection> {
  if (datasource.driver !== 'sqlite' || datasource.connection.filename === ':memory:') return connect(datasource, options);
  const file = resolve(datasource.connection.filename);
  let entry = sqliteConnections.get(file);
  if (!entry) {
    const created = { connection: connect(datasource, options), users: 0 };
    created.connection.catch(() => sqliteConnections.delete(file));
    sqliteConnections.set(file, created);
    entry = created;
  }
  const shared = entry;
  // Counted before the wait, so a store closing meanwhile cannot close the connection under this one.
  shared.users += 1;
  let connection: SqlConnection;
  try {
    connection = await shared.connection;
  } catch (error) {
    shared.users -= 1;
    throw error;
  }
  let closed = false;
  return {
    db: connection.db,
    server: connection.server,
    async close() {
      if (closed) return;
      closed = true;
      shared.users -= 1;
      if (shared.users === 0) {
        sqliteConnections.delete(file);
        await connection.close();
      }
    },
  };
}

/** Kysely's name of an isolation level. */
function isolation(level: TransactionIsolationLevel) {
  return level.replace('_', ' ') as 'read uncommitted' | 'read committed' | 'repeatable read' | 'serializable';
}

/** A lost race becomes a TransactionRace (retried); anything else a typed error without driver text. */
function toStoreFailure(error: unknown, what: string): unknown {
  if (error instanceof TransactionRace || (error as { name?: unknown })?.name === 'MetadataStoreFailure') return error;
  if (error instanceof Rollback) return error;
  if (RACES.has(classifyDriverError(error))) return new TransactionRace(`${what} lost a race with another client`);
  return driverFailure(error, what);
}

/** The Kysely instance with the layout's schema (PostgreSQL schema or MySQL database) when there is one. */
function withSchema(db: Kysely<any>, layout: SqlLayout): Kysely<any> {
  return layout.tables.schema !== undefined ? db.withSchema(layout.tables.schema) : db;
}

async function findByKey(db: Kysely<any>, layout: SqlLayout, key: KeyFields, lock: boolean): Promise<StoredRecord | undefined> {
  const { columns } = layout;
  let query = withSchema(db, layout)
    .selectFrom(layout.tables.records)
    .selectAll()
    .where(columns.tenantId, '=', key.tenantId)
    .where(columns.type, '=', key.type)
    .where(columns.namespace, '=', key.namespace)
    .where(columns.scope, '=', key.scope)
    .where(columns.owner, '=', key.owner ?? '')
    .where(columns.name, '=', key.name);
  if (lock) query = query.forUpdate();
  const row = (await query.executeTakeFirst()) as Row | undefined;
  return row && fromRow(layout, row);
}

/**
 * The records of many keys, KEYS_PER_STATEMENT keys per statement: the
 * identity index's columns as one row value, in a list of the keys' row
 * values (a VALUES list on SQLite, whose IN takes rows only from a subquery,
 * and on PostgreSQL, which plans it as a join on the index rather than one
 * index scan per key), every value bound.
 */
async function findByKeys(
  db: Kysely<any>,
  layout: SqlLayout,
  driver: SqlServer['driver'],
  keys: readonly KeyFields[],
  lock: boolean,
): Promise<StoredRecord[]> {
  const { columns } = layout;
  const identity = sql.join(IDENTITY_FIELDS.map((field) => sql.ref(columns[field])));
  const found: StoredRecord[] = [];
  for (const part of pieces(keys, KEYS_PER_STATEMENT)) {
    const rows = sql.join(part.map((key) => sql`(${sql.join(IDENTITY_FIELDS.map((field) => key[field] ?? ''))})`));
    const list = driver === 'mysql' ? rows : sql`VALUES ${rows}`;
    let query = withSchema(db, layout)
      .selectFrom(layout.tables.records)
      .selectAll()
      .where(sql<boolean>`(${identity}) IN (${list})`);
    if (lock) query = query.forUpdate();
    for (const row of (await query.execute()) as Row[]) found.push(fromRow(layout, row));
  }
  return found;
}

/** Consecutive pieces of at most `size` items. */
function pieces<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** Consecutive pieces of rows, each within ROWS_PER_STATEMENT rows and, unless one row alone exceeds it, the JSON byte budget. */
function statementPieces<T>(rows: readonly T[], jsonLength: (row: T) => number): T[][] {
  const result: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const length = jsonLength(row);
    if (current.length > 0 && (current.length >= ROWS_PER_STATEMENT || bytes + length > JSON_BYTES_PER_STATEMENT)) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += length;
  }
  if (current.length > 0) result.push(current);
  return result;
}

async function findById(db: Kysely<any>, layout: SqlLayout, id: string, lock: boolean): Promise<StoredRecord | undefined> {
  let query = withSchema(db, layout).selectFrom(layout.tables.records).selectAll().where(layout.columns.id, '=', id);
  if (lock) query = query.forUpdate();
  const row = (await query.executeTakeFirst()) as Row | undefined;
  return row && fromRow(layout, row);
}

/** Whether a JSON value holds U+0000 in a string or an object key. */
function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).some(([key, inner]) => key.includes('\u0000') || holdsNul(inner));
  return false;
}

/** The statements of one write transaction. */
class SqlTransaction implements BatchTransaction {
  readonly transactionId = `tx_${randomUUID().replaceAll('-', '')}`;
  readonly #db: Kysely<any>;
  readonly #layout: SqlLayout;
  /** SQLite has no FOR UPDATE: its transaction already holds the write lock. */
  readonly #lockRows: boolean;
  readonly #driver: SqlServer['driver'];
  readonly #recordIds: (() => string) | undefined;
  readonly #nulCharacters: boolean;

  constructor(trx: Kysely<any>, layout: SqlLayout, driver: SqlServer['driver'], recordIds: (() => string) | undefined) {
    this.#db = withSchema(trx, layout);
    this.#nulCharacters = DATASOURCE_CAPABILITIES[driver].nulCharacters;
    this.#recordIds = recordIds;
    this.#layout = layout;
    this.#driver = driver;
    this.#lockRows = driver !== 'sqlite';
  }

  recordByKey(key: KeyFields): Promise<StoredRecord | undefined> {
    return findByKey(this.#db, this.#layout, key, this.#lockRows);
  }

  recordById(id: string): Promise<StoredRecord | undefined> {
    return findById(this.#db, this.#layout, id, this.#lockRows);
  }

  recordsByKeys(keys: readonly KeyFields[]): Promise<StoredRecord[]> {
    return findByKeys(this.#db, this.#layout, this.#driver, keys, this.#lockRows);
  }

  async idInUse(id: string): Promise<boolean> {
    return (await findById(this.#db, this.#layout, id, false)) !== undefined;
  }

  async idsInUse(ids: readonly string[]): Promise<Set<string>> {
    const column = this.#layout.columns.id;
    const used = new Set<string>();
    for (const part of pieces(ids, IDS_PER_STATEMENT)) {
      const rows = await this.#db.selectFrom(this.#layout.tables.records).select(column).where(column, 'in', part).execute();
      for (const row of rows) used.add(String(row[column]));
    }
    return used;
  }

  /** A new id; one already in use fails the insert with a unique violation, a lost race that runs again with another id. */
  newRecordId(): string {
    return this.#recordIds ? this.#recordIds() : `rec_${randomUUID().replaceAll('-', '')}`;
  }

  /**
   * Where the driver's text cannot hold U+0000 (capability nulCharacters
   * false: PostgreSQL), a record with it anywhere (a payload key or string)
   * is refused whole, with a typed error, before any statement could fail on
   * it or store something else (R18).
   */
  #checkStorable(record: StoredRecord): void {
    if (!this.#nulCharacters && holdsNul(record.payload)) {
      fail({
        code: 'unsupported_capability',
        message: `PostgreSQL cannot store the character U+0000 in text: the payload of ${record.type} ${record.namespace}/${record.name} holds one`,
        capability: 'nul_character',
      });
    }
  }

  insert(record: StoredRecord): Promise<void> {
    return this.insertMany([record]);
  }

  /** Every record is checked before the first statement, so a refused one leaves nothing half written in the transaction. */
  async insertMany(records: readonly StoredRecord[]): Promise<void> {
    for (const record of records) this.#checkStorable(record);
    const { columns, tables } = this.#layout;
    const rows = records.map((record) => toRow(this.#layout, record));
    const jsonLength = (row: Row) => String(row[columns.payload]).length + String(row[columns.tags]).length;
    for (const part of statementPieces(rows, jsonLength)) await this.#db.insertInto(tables.records).values(part).execute();
  }

  async replace(record: StoredRecord, previousVersion: number): Promise<void> {
    this.#checkStorable(record);
    const { columns } = this.#layout;
    const { [columns.id]: _id, ...values } = toRow(this.#layout, record);
    const result = await this.#db
      .updateTable(this.#layout.tables.records)
      .set(values)
      .where(columns.id, '=', record.id)
      .where(columns.version, '=', previousVersion)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new TransactionRace(`the record ${record.id} changed under the write`);
  }

  async remove(record: StoredRecord): Promise<void> {
    const { columns } = this.#layout;
    const result = await this.#db
      .deleteFrom(this.#layout.tables.records)
      .where(columns.id, '=', record.id)
      .where(columns.version, '=', record.version)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) !== 1) throw new TransactionRace(`the record ${record.id} changed under the delete`);
  }

  async append(tenantId: string, event: UnsequencedEvent, retention: number | undefined): Promise<MetadataChangeEvent> {
    const [sequenced] = await this.#appendEvents(tenantId, [event], retention);
    return sequenced!;
  }

  async appendMany(tenantId: string, events: readonly UnsequencedEvent[], retention: number | undefined): Promise<void> {
    await this.#appendEvents(tenantId, events, retention);
  }

  /**
   * Takes the next `events.length` sequences of a tenant with one update of
   * its feed row (locked until commit), inserts the events in order with
   * them, and drops the events beyond the retention.
   */
  async #appendEvents(
    tenantId: string,
    events: readonly UnsequencedEvent[],
    retention: number | undefined,
  ): Promise<MetadataChangeEvent[]> {
    if (events.length === 0) return [];
    const { feeds, changes } = this.#layout.tables;
    const count = events.length;
    const next = sql<number>`${sql.ref(`${feeds}.latest_sequence`)} + ${count}`;
    if (this.#driver === 'mysql') {
      await this.#db
        .insertInto(feeds)
        .values({ tenant_id: tenantId, latest_sequence: count })
        .onDuplicateKeyUpdate({ latest_sequence: next })
        .execute();
    } else {
      await this.#db
        .insertInto(feeds)
        .values({ tenant_id: tenantId, latest_sequence: count })
        .onConflict((conflict) => conflict.column('tenant_id').doUpdateSet({ latest_sequence: next }))
        .execute();
    }
    const row = await this.#db.selectFrom(feeds).select('latest_sequence').where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
    const latest = Number(row.latest_sequence);
    const sequenced = events.map((event, index) => ({ sequence: latest - count + 1 + index, ...event }) as MetadataChangeEvent);
    const rows = sequenced.map((event) => ({ tenant_id: tenantId, sequence: event.sequence, event: JSON.stringify(event) }));
    for (const part of statementPieces(rows, (row) => row.event.length)) await this.#db.insertInto(changes).values(part).execute();
    if (retention !== undefined && latest > retention) {
      await this.#db
        .deleteFrom(changes)
        .where('tenant_id', '=', tenantId)
        .where('sequence', '<=', latest - retention)
        .execute();
    }
    return sequenced;
  }
}
