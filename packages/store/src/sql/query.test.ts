/**
 * The SQL query compiler against the in-memory reference, on real SQLite,
 * PostgreSQL and MySQL/MariaDB databases: focused examples of each rule a
 * reader can follow, then a differential property test that pages through
 * random records with random filters, sorts and page sizes and compares every
 * page and every count with isVisible, matchesFilters, sortRecords and
 * pageAfter.
 */
import {
  DateTimeSchema,
  MetadataQueryConditionSchema,
  MetadataQueryFiltersSchema,
  MetadataSortSchema,
  type JsonValue,
  type MetadataCallContext,
  type MetadataQueryConditionInput,
  type MetadataQueryFilters,
  type MetadataQueryFiltersInput,
  type MetadataRecordField,
  type MetadataSort,
  type MetadataSortInput,
  type MetadataTableSchemaInput,
} from '@metasource/spec';
import fc from 'fast-check';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isVisible } from '../base/context';
import { matchesCondition, matchesFilters } from '../base/filter';
import type { StoredRecord } from '../base/record';
import { pageAfter, positionOf, sortRecords, type Position } from '../base/sort';
import { RECORD_FIELDS, sqlLayout, type SqlDriver, type SqlLayout, type SqlServer } from './layout';
import { countRecords, selectRecords, type ReadScope } from './query';
import { toRow } from './row';
import { createTestDatabase, postgresSettings, SQL_DRIVERS, uniqueDatabaseName, type TestDatabase } from './testing';

const require = createRequire(import.meta.url);

// Test tables ------------------------------------------------------------------

/** The server behind a test database, as a store reads it at connect time. */
async function serverOf(db: Kysely<any>, driver: SqlDriver): Promise<SqlServer> {
  if (driver === 'sqlite') {
    const { rows } = await sql<{ version: string }>`SELECT sqlite_version() AS version`.execute(db);
    return { driver, flavor: 'sqlite', version: rows[0]!.version };
  }
  if (driver === 'postgres') {
    const { rows } = await sql<{ server_version: string }>`SHOW server_version`.execute(db);
    return { driver, flavor: 'postgres', version: rows[0]!.server_version };
  }
  const { rows } = await sql<{ version: string }>`SELECT VERSION() AS version`.execute(db);
  const version = rows[0]!.version;
  return { driver, flavor: /mariadb/i.test(version) ? 'mariadb' : 'mysql', version };
}

/** The records table of a layout (test-only DDL: every column as layout.ts describes, binary-collated text). */
async function createRecordsTable(db: Kysely<any>, server: SqlServer, layout: SqlLayout): Promise<void> {
  const collation = server.flavor === 'mariadb' ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin';
  const text =
    server.driver === 'postgres'
      ? sql`VARCHAR(128) COLLATE "C"`
      : server.driver === 'mysql'
        ? sql.raw(`VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${collation}`)
        : sql`TEXT`;
  const json =
    server.driver === 'postgres'
      ? sql`json`
      : server.driver === 'mysql'
        ? sql.raw(`LONGTEXT CHARACTER SET utf8mb4 COLLATE ${collation}`)
        : sql`TEXT`;
  const typeOf = (field: MetadataRecordField) =>
    field === 'payload' || field === 'tags' ? json : field === 'version' ? (server.driver === 'sqlite' ? sql`INTEGER` : sql`BIGINT`) : text;
  const columns = RECORD_FIELDS.map((field) => sql`${sql.id(layout.columns[field])} ${typeOf(field)} NOT NULL`);
  await sql`CREATE TABLE ${tableOf(layout)} (${sql.join(columns)}, PRIMARY KEY (${sql.id(layout.columns.id)}))`.execute(db);
}

function tableOf(layout: SqlLayout) {
  const { schema, records } = layout.tables;
  return schema === undefined ? sql.id(records) : sql.id(schema, records);
}

/** Replaces the table's rows with the records, written as toRow writes them. */
async function store(db: Kysely<any>, layout: SqlLayout, records: readonly StoredRecord[]): Promise<void> {
  await sql`DELETE FROM ${tableOf(layout)}`.execute(db);
  if (records.length === 0) return;
  const fields = RECORD_FIELDS.map((field) => layout.columns[field]);
  const rows = records.map((record) => {
    const row = toRow(layout, record);
    return sql`(${sql.join(fields.map((column) => row[column]))})`;
  });
  await sql`INSERT INTO ${tableOf(layout)} (${sql.join(fields.map((column) => sql.id(column)))}) VALUES ${sql.join(rows)}`.execute(db);
}

/** A store on one dialect: its database, server and layout. */
interface Target {
  driver: SqlDriver;
  database: TestDatabase;
  server: SqlServer;
  layout: SqlLayout;
}

async function openTarget(driver: SqlDriver, label: string, table: (database: TestDatabase) => MetadataTableSchemaInput): Promise<Target> {
  const database = await createTestDatabase(driver, label);
  const server = await serverOf(database.db, driver);
  const input = table(database);
  if (driver === 'postgres' && input.schema !== undefined) await sql`CREATE SCHEMA ${sql.id(input.schema)}`.execute(database.db);
  const layout = sqlLayout(input);
  await createRecordsTable(database.db, server, layout);
  return { driver, database, server, layout };
}

// Reference ---------------------------------------------------------------------

/** What a table holds of a record: its JSON text read back (so -0 is 0, as in the database). */
const asStored = (record: StoredRecord): StoredRecord => JSON.parse(JSON.stringify(record)) as StoredRecord;

function referenceMatches(records: readonly StoredRecord[], scope: ReadScope, filters: MetadataQueryFilters, includeArchived: boolean) {
  const context = scope as unknown as MetadataCallContext;
  return records.filter((record) => isVisible(context, record) && matchesFilters(record, filters, { includeArchived }));
}

// Fixtures ----------------------------------------------------------------------

const acme: ReadScope = { readTenants: ['acme'], actor: 'jane@acme', administersUsers: false };

let serial = 0;
/** A stored record of acme's crm objects, with `overrides` on top. */
function record(overrides: Partial<StoredRecord> = {}): StoredRecord {
  serial += 1;
  return {
    id: `r${String(serial).padStart(4, '0')}`,
    type: 'object',
    name: `item_${serial}`,
    namespace: 'crm',
    scope: 'platform',
    state: 'active',
    payload: {},
    mergeStrategy: 'merge',
    tenantId: 'acme',
    version: 1,
    checksum: `sha256:${'0'.repeat(64)}`,
    tags: [],
    createdAt: '2026-01-31T09:30:00.000Z',
    createdBy: 'jane@acme',
    updatedAt: '2026-01-31T09:30:00.000Z',
    updatedBy: 'jane@acme',
    ...overrides,
  };
}

// Focused examples --------------------------------------------------------------

describe.each(SQL_DRIVERS)('queries on %s', (driver) => {
  let target: Target;
  let current: StoredRecord[] = [];

  beforeAll(async () => {
    target = await openTarget(driver, 'query_examples', () => ({}));
  }, 60_000);

  afterAll(async () => {
    await target?.database.drop();
  });

  async function given(records: StoredRecord[]): Promise<void> {
    current = records;
    await store(target.database.db, target.layout, records);
  }

  /**
   * The ids of every record the query selects, in order; checked against the
   * reference and against the count before they are returned.
   */
  async function ids(
    filters: MetadataQueryFiltersInput,
    options: { scope?: ReadScope; sort?: MetadataSortInput[]; includeArchived?: boolean } = {},
  ): Promise<string[]> {
    const parsed = MetadataQueryFiltersSchema.parse(filters);
    const sort = (options.sort ?? []).map((key) => MetadataSortSchema.parse(key));
    const scope = options.scope ?? acme;
    const includeArchived = options.includeArchived ?? false;
    const { db } = target.database;
    const page = await selectRecords(db, target.server, target.layout, scope, { filters: parsed, includeArchived }, { sort, limit: 1000 });
    const expected = sortRecords(referenceMatches(current.map(asStored), scope, parsed, includeArchived), sort);
    expect(page.records).toEqual(expected);
    expect(page.hasMore).toBe(false);
    expect(await countRecords(db, target.server, target.layout, scope, { filters: parsed, includeArchived })).toBe(expected.length);
    return page.records.map((found) => found.id);
  }

  const label = (text: string, id: string, extra: Partial<StoredRecord> = {}) => record({ id, payload: { label: text }, ...extra });

  it('orders and compares strings by code point, not UTF-16 unit or locale', async () => {
    // JavaScript's < puts U+1F600 (a surrogate pair) before U+FFFF; by code point it comes after.
    await given([label('\u{1F600}', 'emoji'), label('\uFFFF', 'ffff'), label('z', 'z'), label('é', 'e_acute'), label('Z', 'upper_z')]);
    expect(await ids({ conditions: [{ field: 'payload/label', operator: 'gt', value: '\uFFFF' }] })).toEqual(['emoji']);
    expect(await ids({ conditions: [{ field: 'payload/label', operator: 'lt', value: '\u{1F600}' }] })).toEqual([
      'e_acute',
      'ffff',
      'upper_z',
      'z',
    ]);
    expect(await ids({ conditions: [{ field: 'payload/label', operator: 'lte', value: 'Z' }] })).toEqual(['upper_z']);
    // Sorting by id: upper case before "_" before lower case (ASCII), whatever the server's locale.
    await given([record({ id: 'b' }), record({ id: 'B' }), record({ id: 'Zz' }), record({ id: 'a9' }), record({ id: 'A_' })]);
    expect(await ids({}, { sort: [{ field: 'id' }] })).toEqual(['A_', 'B', 'Zz', 'a9', 'b']);
    expect(await ids({}, { sort: [{ field: 'id', direction: 'desc' }] })).toEqual(['b', 'a9', 'Zz', 'B', 'A_']);
  });

  it('matches contains and starts_with literally: % _ and \\ are not wildcards, case counts', async () => {
    await given([
      label('a%b', 'percent'),
      label('axb', 'plain'),
      label('a_b', 'underscore'),
      label('a\\b', 'backslash'),
      label('A%B', 'upper'),
    ]);
    expect(await ids({ conditions: [{ field: 'payload/label', operator: 'contains', value: 'a%' }] })).toEqual(['percent']);
    expect(await ids({ conditions: [{ field: 'payload/label', operator: 'starts_with', value: 'a_' }] })).toEqual(['underscore']);
    expect(await ids({ conditions: [{ field: 'payload/label', operator: 'contains', value: '\\' }] })).toEqual(['backslash']);
    expect(await ids({ conditions: [{ field: 'payload/label', operator: 'contains', value: '%B' }] })).toEqual(['upper']);
    expect(await ids({ conditions: [{ field: 'payload/label', operator: 'starts_with', value: 'a' }] })).toEqual([
      'backslash',
      'percent',
      'plain',
      'underscore',
    ]);
    // The same on an envelope column: "_" in a name is a character, not any character.
    await given([record({ id: 'one', name: 'a_b' }), record({ id: 'two', name: 'axb' })]);
    expect(await ids({ conditions: [{ field: 'name', operator: 'contains', value: '_' }] })).toEqual(['one']);
    expect(await ids({ conditions: [{ field: 'name', operator: 'starts_with', value: 'a_' }] })).toEqual(['one']);
  });

  it('never mixes JSON types: "1" is not 1, 1.0 is 1, and ordering compares like with like', async () => {
    await given([
      record({ id: 'number', payload: { n: 1 } }),
      record({ id: 'text', payload: { n: '1' } }),
      record({ id: 'float', payload: { n: 1.5 } }),
      record({ id: 'bool', payload: { n: true } }),
      record({ id: 'absent', payload: {} }),
    ]);
    expect(await ids({ conditions: [{ field: 'payload/n', operator: 'eq', value: 1.0 }] })).toEqual(['number']);
    expect(await ids({ conditions: [{ field: 'payload/n', operator: 'eq', value: '1' }] })).toEqual(['text']);
    expect(await ids({ conditions: [{ field: 'payload/n', operator: 'ne', value: 1 }] })).toEqual(['absent', 'bool', 'float', 'text']);
    expect(await ids({ conditions: [{ field: 'payload/n', operator: 'in', value: [1, 'x', true] }] })).toEqual(['bool', 'number']);
    expect(await ids({ conditions: [{ field: 'payload/n', operator: 'not_in', value: [1, null] }] })).toEqual(['bool', 'float', 'text']);
    expect(await ids({ conditions: [{ field: 'payload/n', operator: 'gt', value: 0 }] })).toEqual(['float', 'number']);
    expect(await ids({ conditions: [{ field: 'payload/n', operator: 'gte', value: '1' }] })).toEqual(['text']);
    expect(await ids({ conditions: [{ field: 'payload/n', operator: 'contains', value: '1' }] })).toEqual(['text']);
  });

  it('finds an array element only when it is that very string: not a number, not another case, no wildcard', async () => {
    await given([
      record({ id: 'numbers', payload: { list: [1, 12] } }),
      record({ id: 'upper', payload: { list: ['A', 'x%y'] } }),
      record({ id: 'nested', payload: { list: [['a']] } }),
      record({ id: 'lower', payload: { list: ['a', 'x_y'] } }),
    ]);
    const contains = (value: string) => ids({ conditions: [{ field: 'payload/list', operator: 'contains', value }] });
    expect(await contains('1')).toEqual([]);
    expect(await contains('a')).toEqual(['lower']);
    expect(await contains('A')).toEqual(['upper']);
    expect(await contains('x_y')).toEqual(['lower']);
    expect(await contains('x%y')).toEqual(['upper']);
    expect(await contains('x')).toEqual([]);
  });

  it('compares numbers as doubles at the edges: 2^53, 1e300, 0.1 + 0.2', async () => {
    await given([
      record({ id: 'max', payload: { n: 2 ** 53 } }),
      record({ id: 'huge', payload: { n: 1e300 } }),
      record({ id: 'sum', payload: { n: 0.1 + 0.2 } }),
      record({ id: 'tenth', payload: { n: 0.3 } }),
      record({ id: 'long', payload: { n: 1234567890123456800 } }),
      record({ id: 'zero', payload: { n: -0 } }),
    ]);
    expect(await ids({ conditions: [{ field: 'payload/n', operator: 'gt', value: 0.3 }] })).toEqual(['huge', 'long', 'max', 'sum']);
    expect(await ids({ conditions: [{ field: 'payload/n', operator: 'eq', value: 0.3 }] })).toEqual(['tenth']);
    // 1234567890123456800 is the JSON text of the double 1234567890123456768.
    expect(await ids({ conditions: [{ field: 'payload/n', operator: 'eq', value: 1234567890123456768 }] })).toEqual(['long']);
    expect(await ids({ conditions: [{ field: 'payload/n', operator: 'gte', value: 9007199254740992 }] })).toEqual(['huge', 'long', 'max']);
    expect(await ids({ conditions: [{ field: 'payload/n', operator: 'eq', value: 0 }] })).toEqual(['zero']);
    expect(await ids({ conditions: [{ field: 'payload/n', operator: 'lt', value: 1e-300 }] })).toEqual(['zero']);
  });

  it('keeps strings that look like JSON as strings, and matches null against absent', async () => {
    await given([
      record({ id: 'array', payload: { v: [1, 2] } }),
      record({ id: 'array_text', payload: { v: '[1,2]' } }),
      record({ id: 'null', payload: { v: null } }),
      record({ id: 'null_text', payload: { v: 'null' } }),
      record({ id: 'true', payload: { v: true } }),
      record({ id: 'true_text', payload: { v: 'true' } }),
      record({ id: 'object', payload: { v: { b: [1, { c: 'x' }], a: 1 } } }),
      record({ id: 'object_text', payload: { v: '{}' } }),
      record({ id: 'absent', payload: { other: 1 } }),
    ]);
    expect(await ids({ conditions: [{ field: 'payload/v', operator: 'eq', value: '[1,2]' }] })).toEqual(['array_text']);
    expect(await ids({ conditions: [{ field: 'payload/v', operator: 'eq', value: [1, 2] }] })).toEqual(['array']);
    expect(await ids({ conditions: [{ field: 'payload/v', operator: 'eq', value: [2, 1] }] })).toEqual([]);
    expect(await ids({ conditions: [{ field: 'payload/v', operator: 'eq', value: null }] })).toEqual(['absent', 'null']);
    expect(await ids({ conditions: [{ field: 'payload/v', operator: 'eq', value: 'null' }] })).toEqual(['null_text']);
    expect(await ids({ conditions: [{ field: 'payload/v', operator: 'exists', value: false }] })).toEqual(['absent', 'null']);
    expect(await ids({ conditions: [{ field: 'payload/v', operator: 'eq', value: true }] })).toEqual(['true']);
    // Objects compare key by key in any order; "{}" is a string.
    expect(await ids({ conditions: [{ field: 'payload/v', operator: 'eq', value: { a: 1.0, b: [1, { c: 'x' }] } }] })).toEqual(['object']);
    expect(await ids({ conditions: [{ field: 'payload/v', operator: 'eq', value: { a: 1, b: [1, { c: 'x', d: null }] } }] })).toEqual([]);
    expect(await ids({ conditions: [{ field: 'payload/v', operator: 'eq', value: {} }] })).toEqual([]);
    expect(await ids({ conditions: [{ field: 'payload/v', operator: 'contains', value: '[' }] })).toEqual(['array_text']);
  });

  it('reads payload paths as JSON Pointers: canonical indexes only on arrays, escapes, no implicit traversal', async () => {
    await given([
      record({
        id: 'doc',
        payload: {
          list: ['x', 'y', ['deep']],
          obj: { '0': 'zero', '01': 'oh-one', '-1': 'minus', '+1': 'plus', ' 1': 'space' },
          text: 'abc',
          single: { a: 1 },
          'a/b': 'slash',
          'a~b': 'tilde',
          cols: [{ name: 'id' }],
        },
      }),
    ]);
    const matches = async (field: string, value: JsonValue) => (await ids({ conditions: [{ field, operator: 'eq', value }] })).length;
    const exists = async (field: string) => (await ids({ conditions: [{ field, operator: 'exists', value: true }] })).length;
    expect(await matches('payload/list/0', 'x')).toBe(1);
    expect(await matches('payload/list/1', 'y')).toBe(1);
    expect(await matches('payload/list/2/0', 'deep')).toBe(1);
    // Not canonical indexes: never an element ("01", "-1", "+1", " 1"), though PostgreSQL's #> would read them as one.
    for (const segment of ['01', '-1', '+1', ' 1', '1 ', '3']) expect(await exists(`payload/list/${segment}`)).toBe(0);
    // On an object the same segments are keys.
    expect(await matches('payload/obj/0', 'zero')).toBe(1);
    expect(await matches('payload/obj/01', 'oh-one')).toBe(1);
    expect(await matches('payload/obj/-1', 'minus')).toBe(1);
    expect(await matches('payload/obj/+1', 'plus')).toBe(1);
    expect(await matches('payload/obj/ 1', 'space')).toBe(1);
    // MySQL and MariaDB read $[0] of a non-array as the value itself; the protocol reads nothing.
    expect(await exists('payload/text/0')).toBe(0);
    expect(await exists('payload/single/0')).toBe(0);
    expect(await matches('payload/a~1b', 'slash')).toBe(1);
    expect(await matches('payload/a~0b', 'tilde')).toBe(1);
    // No implicit traversal: cols/name does not look inside the elements.
    expect(await exists('payload/cols/name')).toBe(0);
    expect(await matches('payload/cols/0/name', 'id')).toBe(1);
  });

  it('answers a value with U+0000 exactly, where PostgreSQL holds no such text', async () => {
    await given([label('o', 'o'), label('p', 'p'), label('pa', 'pa'), label('p\u0001', 'p1'), label('q', 'q')]);
    const where = (operator: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte', value: string) =>
      ids({ conditions: [{ field: 'payload/label', operator, value }] });
    expect(await where('eq', 'p\u0000')).toEqual([]);
    expect(await where('ne', 'p\u0000')).toEqual(['o', 'p', 'p1', 'pa', 'q']);
    // "p" < "p\0z" < "p\u0001": the comparison turns on the prefix before U+0000.
    expect(await where('gt', 'p\u0000z')).toEqual(['p1', 'pa', 'q']);
    expect(await where('gte', 'p\u0000z')).toEqual(['p1', 'pa', 'q']);
    expect(await where('lt', 'p\u0000z')).toEqual(['o', 'p']);
    expect(await where('lte', '\u0000')).toEqual([]);
    expect(await ids({ conditions: [{ field: 'payload/label', operator: 'in', value: ['p\u0000', 'q'] }] })).toEqual(['q']);
    expect(await ids({ conditions: [{ field: 'payload/label', operator: 'contains', value: '\u0000' }] })).toEqual([]);
    expect(await ids({ conditions: [{ field: 'payload/a\u0000b', operator: 'exists', value: false }] })).toHaveLength(5);
    expect(await ids({ conditions: [{ field: 'name', operator: 'lt', value: 'item\u0000' }] })).toEqual([]);
    if (driver !== 'postgres') {
      // Elsewhere a payload may hold U+0000, in values and keys alike.
      await given([
        record({ id: 'nul', payload: { label: 'a\u0000b', 'k\u0000': 1 } }),
        record({ id: 'plain', payload: { label: 'a', k: 1 } }),
      ]);
      expect(await ids({ conditions: [{ field: 'payload/label', operator: 'contains', value: '\u0000' }] })).toEqual(['nul']);
      expect(await ids({ conditions: [{ field: 'payload/label', operator: 'gt', value: 'a' }] })).toEqual(['nul']);
      expect(await ids({ conditions: [{ field: 'payload/k\u0000', operator: 'exists', value: true }] })).toEqual(['nul']);
      expect(await ids({ conditions: [{ field: 'payload/k', operator: 'exists', value: true }] })).toEqual(['plain']);
    }
  });

  it('compares createdAt and updatedAt as instants, whatever the offset and precision', async () => {
    await given([
      record({ id: 't0', updatedAt: '2026-01-31T09:30:00.000Z' }),
      record({ id: 't1', updatedAt: '2026-01-31T09:30:00.001Z' }),
      record({ id: 't2', updatedAt: '2026-01-31T09:30:00.002Z' }),
    ]);
    const where = (operator: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte', value: string) =>
      ids({ conditions: [{ field: 'updatedAt', operator, value }] });
    expect(await where('eq', '2026-01-31T10:30:00.001+01:00')).toEqual(['t1']);
    expect(await where('eq', '2026-01-31T09:30:00.0010Z')).toEqual(['t1']);
    expect(await where('eq', '2026-01-31T09:30:00.0015Z')).toEqual([]);
    expect(await where('ne', '2026-01-31T09:30:00.0015Z')).toEqual(['t0', 't1', 't2']);
    expect(await where('gt', '2026-01-31T09:30:00.0015Z')).toEqual(['t2']);
    expect(await where('gte', '2026-01-31T04:30:00.0015-05:00')).toEqual(['t2']);
    expect(await where('lt', '2026-01-31T09:30:00.0015Z')).toEqual(['t0', 't1']);
    expect(await where('lte', '2026-01-31T09:30:00.001Z')).toEqual(['t0', 't1']);
    expect(await where('lt', '2026-01-31T09:30:00.0005Z')).toEqual(['t0']);
    expect(await where('lt', '9999-12-31T23:59:59.999-01:00')).toEqual(['t0', 't1', 't2']);
    expect(await where('gt', '0000-01-01T00:00:00+01:00')).toEqual(['t0', 't1', 't2']);
    expect(
      await ids({
        conditions: [{ field: 'updatedAt', operator: 'in', value: ['2026-01-31T11:30:00.002+02:00', '2026-01-31T09:30:00.0001Z'] }],
      }),
    ).toEqual(['t2']);
    expect(await ids({ updatedAfter: '2026-01-31T04:30:00.001-05:00' })).toEqual(['t2']);
    expect(await ids({ updatedBefore: '2026-01-31T09:30:00.0009Z', updatedAfter: '2026-01-31T09:29:59.9999Z' })).toEqual(['t0']);
  });

  it('pages by keyset through ties, absent owners first ascending and last descending, id breaking ties', async () => {
    await given([
      record({ id: 'a', scope: 'user', owner: 'jane@acme', version: 2 }),
      record({ id: 'b', version: 2 }),
      record({ id: 'c', scope: 'user', owner: 'jane@acme', version: 1 }),
      record({ id: 'd', version: 2 }),
      record({ id: 'e', scope: 'user', owner: 'jane@acme', version: 2 }),
      record({ id: 'f', version: 10 }),
    ]);
    const sort = [MetadataSortSchema.parse({ field: 'owner', direction: 'desc' }), MetadataSortSchema.parse({ field: 'version' })];
    expect(await ids({}, { sort })).toEqual(['c', 'a', 'e', 'b', 'd', 'f']);
    const pages: string[][] = [];
    let after: Position | undefined;
    for (;;) {
      const { db } = target.database;
      const page = await selectRecords(
        db,
        target.server,
        target.layout,
        acme,
        { filters: {}, includeArchived: false },
        { sort, limit: 2, ...(after ? { after } : {}) },
      );
      pages.push(page.records.map((found) => found.id));
      if (!page.hasMore) break;
      after = positionOf(page.records[page.records.length - 1]!, sort);
    }
    expect(pages).toEqual([
      ['c', 'a'],
      ['e', 'b'],
      ['d', 'f'],
    ]);
    // After a position no record holds: strictly after it in the order, even between stored values.
    const { db } = target.database;
    const between = await selectRecords(
      db,
      target.server,
      target.layout,
      acme,
      { filters: {}, includeArchived: false },
      { sort, limit: 10, after: { values: ['jane@acme', 1], id: 'zzz' } },
    );
    expect(between.records.map((found) => found.id)).toEqual(['a', 'e', 'b', 'd', 'f']);
  });

  it('shows a caller only its tenants, and user-scope items only to their owner or an administrator', async () => {
    await given([
      record({ id: 'shared', tenantId: 'acme' }),
      record({ id: 'janes', tenantId: 'acme', scope: 'user', owner: 'jane@acme' }),
      record({ id: 'bobs', tenantId: 'acme', scope: 'user', owner: 'bob@acme' }),
      record({ id: 'other_tenant', tenantId: 'globex' }),
      record({ id: 'archived', tenantId: 'acme', state: 'archived' }),
    ]);
    expect(await ids({})).toEqual(['janes', 'shared']);
    expect(await ids({}, { scope: { ...acme, administersUsers: true } })).toEqual(['bobs', 'janes', 'shared']);
    expect(await ids({}, { scope: { readTenants: [], actor: 'jane@acme', administersUsers: true } })).toEqual([]);
    expect(await ids({}, { scope: { readTenants: ['acme', 'globex'], actor: 'bob@acme', administersUsers: false } })).toEqual([
      'bobs',
      'other_tenant',
      'shared',
    ]);
    // A tenantId filter narrows; it never widens.
    expect(await ids({ tenantId: 'globex' })).toEqual([]);
    expect(await ids({}, { includeArchived: true })).toEqual(['archived', 'janes', 'shared']);
    expect(await ids({ state: ['archived', 'active'] })).toEqual(['archived', 'janes', 'shared']);
  });

  it('tests envelope fields by their types: version a number, tags an array, owner absent when empty', async () => {
    await given([
      record({ id: 'v1', version: 1, tags: ['crm', 'core'], extends: 'account' }),
      record({ id: 'v2', version: 2, tags: ['core'], scope: 'user', owner: 'jane@acme' }),
      record({ id: 'v3', version: 2 ** 53 - 1, tags: [] }),
    ]);
    const where = (condition: MetadataQueryConditionInput) => ids({ conditions: [condition] });
    expect(await where({ field: 'version', operator: 'gt', value: 1.5 })).toEqual(['v2', 'v3']);
    expect(await where({ field: 'version', operator: 'eq', value: 2.0 })).toEqual(['v2']);
    expect(await where({ field: 'version', operator: 'eq', value: '2' })).toEqual([]);
    expect(await where({ field: 'version', operator: 'in', value: [1, '2', 9007199254740991] })).toEqual(['v1', 'v3']);
    expect(await where({ field: 'version', operator: 'lt', value: 1e300 })).toEqual(['v1', 'v2', 'v3']);
    expect(await where({ field: 'tags', operator: 'contains', value: 'core' })).toEqual(['v1', 'v2']);
    expect(await where({ field: 'tags', operator: 'eq', value: ['crm', 'core'] })).toEqual(['v1']);
    expect(await where({ field: 'tags', operator: 'eq', value: ['core', 'crm'] })).toEqual([]);
    expect(await where({ field: 'tags', operator: 'eq', value: [] })).toEqual(['v3']);
    expect(await ids({ tags: ['core', 'crm'] })).toEqual(['v1']);
    expect(await where({ field: 'owner', operator: 'eq', value: null })).toEqual(['v1', 'v3']);
    // '' is how a column holds an absent owner, never an owner: no record has owner "".
    expect(await where({ field: 'owner', operator: 'eq', value: '' })).toEqual([]);
    expect(await where({ field: 'owner', operator: 'ne', value: '' })).toEqual(['v1', 'v2', 'v3']);
    expect(await where({ field: 'extends', operator: 'in', value: [''] })).toEqual([]);
    expect(await where({ field: 'owner', operator: 'in', value: [null, 'bob@acme'] })).toEqual(['v1', 'v3']);
    expect(await where({ field: 'owner', operator: 'not_in', value: [null] })).toEqual(['v2']);
    expect(await where({ field: 'owner', operator: 'exists', value: true })).toEqual(['v2']);
    expect(await where({ field: 'owner', operator: 'lt', value: 'z' })).toEqual(['v2']);
    expect(await where({ field: 'extends', operator: 'ne', value: 'account' })).toEqual(['v2', 'v3']);
    expect(await where({ field: 'extends', operator: 'not_in', value: ['account', 'x'] })).toEqual(['v2', 'v3']);
    expect(await where({ field: 'checksum', operator: 'starts_with', value: 'sha256:000' })).toEqual(['v1', 'v2', 'v3']);
    expect(await where({ field: 'name', operator: 'gte', value: 1 })).toEqual([]);
  });

  it('reads inside a transaction, which sees its own uncommitted rows', async () => {
    await given([record({ id: 'committed' })]);
    const pending = record({ id: 'pending' });
    const row = toRow(target.layout, pending);
    const columns = RECORD_FIELDS.map((field) => target.layout.columns[field]);
    const all = { filters: {}, includeArchived: false };
    const { db } = target.database;
    const inside = await db.transaction().execute(async (tx) => {
      await sql`INSERT INTO ${tableOf(target.layout)} (${sql.join(columns.map((column) => sql.id(column)))}) VALUES (${sql.join(columns.map((column) => row[column]))})`.execute(
        tx,
      );
      const page = await selectRecords(tx, target.server, target.layout, acme, all, { sort: [], limit: 10 });
      return { ids: page.records.map((found) => found.id), count: await countRecords(tx, target.server, target.layout, acme, all) };
    });
    expect(inside).toEqual({ ids: ['committed', 'pending'], count: 2 });
    current = [...current, pending];
    expect(await ids({})).toEqual(['committed', 'pending']);
  });

  it('rejects a limit below 1 and a position that does not fit the sort, naming the rule', async () => {
    const { db } = target.database;
    const all = { filters: {}, includeArchived: false };
    await expect(selectRecords(db, target.server, target.layout, acme, all, { sort: [], limit: 0 })).rejects.toThrow(/page_limit_positive/);
    await expect(
      selectRecords(db, target.server, target.layout, acme, all, { sort: [], limit: 5, after: { values: ['x'], id: 'a' } }),
    ).rejects.toThrow(/page\.after\.values.*position_fits_sort/);
    const byVersion = [MetadataSortSchema.parse({ field: 'version' })];
    await expect(
      selectRecords(db, target.server, target.layout, acme, all, { sort: byVersion, limit: 5, after: { values: ['2'], id: 'a' } }),
    ).rejects.toThrow(/page\.after\.values\[0\] must be a number.*position_fits_sort/);
  });
});

describe('PostgreSQL text from JSON under a locale-aware database collation', () => {
  // PostgreSQL gives text taken out of JSON the database's default collation, here ICU en-US ("a" < "B"), so the
  // compiler must ask for COLLATE "C" itself. (The servers' usual C.UTF-8 default would hide a missing one.)
  const pg = require('pg') as typeof import('pg');
  const name = uniqueDatabaseName('query_icu');
  let db: Kysely<any>;
  let server: SqlServer;
  const layout = sqlLayout({});

  beforeAll(async () => {
    const admin = new pg.Client(postgresSettings());
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`);
    } finally {
      await admin.end();
    }
    db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ ...postgresSettings(), database: name, max: 2 }) }) });
    server = await serverOf(db, 'postgres');
    await createRecordsTable(db, server, layout);
  }, 60_000);

  afterAll(async () => {
    await db?.destroy();
    const admin = new pg.Client(postgresSettings());
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  });

  it('still compares payload strings by code point', async () => {
    const { rows } = await sql<{ below: boolean }>`SELECT 'a' < 'B' AS below`.execute(db);
    expect(rows[0]!.below).toBe(true);
    const records = ['a', 'B', 'f', 'é', '\uFFFF', '\u{1F600}'].map((text, index) => record({ id: `t${index}`, payload: { label: text } }));
    await store(db, layout, records);
    const ids = async (operator: 'gt' | 'lt', value: string) => {
      const filters = MetadataQueryFiltersSchema.parse({ conditions: [{ field: 'payload/label', operator, value }] });
      const page = await selectRecords(db, server, layout, acme, { filters, includeArchived: false }, { sort: [], limit: 10 });
      const expected = sortRecords(referenceMatches(records.map(asStored), acme, filters, false), []);
      expect(page.records).toEqual(expected);
      return page.records.map((found) => found.payload.label);
    };
    // By code point: B (U+0042) < a < f < é (U+00E9) < U+FFFF < U+1F600.
    expect(await ids('lt', 'a')).toEqual(['B']);
    expect(await ids('gt', 'f')).toEqual(['é', '\uFFFF', '\u{1F600}']);
    expect(await ids('gt', '\uFFFF')).toEqual(['\u{1F600}']);
  });
});

// Differential property test ------------------------------------------------------

const TENANTS = ['acme', 'globex', 'initech'];
const OWNERS = ['jane@acme', 'bob@acme', 'Zed'];
const TYPES = ['object', 'field', 'view'];
const NAMES = ['account', 'contact', 'a', 'b_1'];
const NAMESPACES = ['crm', 'default'];
const TAGS = ['crm', 'core', 'legacy', 'x_1'];
const SCOPES = ['system', 'platform', 'user'] as const;
const STATES = ['draft', 'active', 'archived', 'deprecated'] as const;
/** Stored instants: ties, millisecond neighbours, the ends of the four-digit years. */
const INSTANTS = [
  '0001-01-01T00:00:00.000Z',
  '1969-12-31T23:59:59.999Z',
  '2026-01-31T09:30:00.000Z',
  '2026-01-31T09:30:00.001Z',
  '2026-01-31T09:30:00.002Z',
  '2026-02-01T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
];
const VERSIONS = [1, 2, 3, 10, 2 ** 53 - 1];

const LONG = 'x'.repeat(5000);
const HARD_STRINGS = [
  '',
  'a',
  'A',
  'a ',
  ' a',
  'ab',
  'abc',
  'Ab',
  '%',
  '_',
  'a%b',
  'a_b',
  '\\',
  '\\%',
  '"',
  "'",
  '~',
  '/',
  '~0',
  '~1',
  'a/b',
  '\u0000',
  'a\u0000b',
  '\u{1F600}',
  '\uFFFF',
  '\uE000',
  'é',
  'e\u0301',
  'null',
  'true',
  '1',
  '1.0',
  '[1,2]',
  '{}',
  '[]',
  '"x"',
  '2026-01-31T09:30:00Z',
  LONG,
  `${LONG}%`,
  '\u{1F600}'.repeat(2500),
  'acme',
  'crm',
];
const HARD_KEYS = [
  'a',
  'b',
  'A',
  '0',
  '1',
  '2',
  '01',
  '-1',
  '+1',
  ' 1',
  '12',
  'a/b',
  'a~b',
  '~',
  '/',
  '%',
  '_',
  '"',
  '\\',
  '😀',
  '\uFFFF',
  'null',
  'x.y',
  '$',
  '*',
  '[0]',
  'a\u0000b',
];
const HARD_NUMBERS = [
  0,
  -0,
  1,
  -1,
  1.5,
  -1.5,
  2,
  3,
  2 ** 53,
  -(2 ** 53),
  2 ** 53 - 1,
  1e300,
  -1e300,
  5e-324,
  0.1,
  0.3,
  0.1 + 0.2,
  1234567890123456800,
  123456789012345680000,
  1e21,
];

const LONE_SURROGATE = /\p{Cs}/u;
const withoutNul = (nul: boolean) => (text: string) => nul || !text.includes('\u0000');

function stringArb(nul: boolean): fc.Arbitrary<string> {
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.constantFrom(...HARD_STRINGS) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }).filter((text) => !LONE_SURROGATE.test(text)) },
    )
    .filter(withoutNul(nul));
}

const numberArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HARD_NUMBERS) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }) },
  // Integers whose shortest text is not their exact value (1234567890123456800 is the double 1234567890123456768).
  { weight: 2, arbitrary: fc.double({ min: 2 ** 53, max: 2 ** 63, noNaN: true }) },
);

function keyArb(nul: boolean): fc.Arbitrary<string> {
  return fc.constantFrom(...HARD_KEYS).filter(withoutNul(nul));
}

function jsonArb(nul: boolean): fc.Arbitrary<JsonValue> {
  const { value } = fc.letrec<{ value: JsonValue }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      numberArb,
      stringArb(nul),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(keyArb(nul), tie('value'), { maxKeys: 3, noNullPrototype: true }),
    ),
  }));
  return value;
}

function payloadArb(nul: boolean): fc.Arbitrary<{ [key: string]: JsonValue }> {
  return fc.dictionary(keyArb(nul), jsonArb(nul), { maxKeys: 5, noNullPrototype: true });
}

const encodeSegment = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');
function pathArb(nul: boolean): fc.Arbitrary<string> {
  return fc.array(keyArb(nul), { minLength: 1, maxLength: 3 }).map((keys) => `payload/${keys.map(encodeSegment).join('/')}`);
}

function recordsArb(nul: boolean): fc.Arbitrary<StoredRecord[]> {
  const idArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,3}$/);
  const bodyArb = fc.record({
    type: fc.constantFrom(...TYPES),
    name: fc.constantFrom(...NAMES),
    namespace: fc.constantFrom(...NAMESPACES),
    scope: fc.constantFrom(...SCOPES),
    owner: fc.constantFrom(...OWNERS),
    state: fc.constantFrom(...STATES),
    payload: payloadArb(nul),
    extends: fc.option(fc.constantFrom('account', 'base'), { nil: undefined }),
    mergeStrategy: fc.constantFrom('merge', 'replace' as const),
    tenantId: fc.constantFrom(...TENANTS),
    version: fc.constantFrom(...VERSIONS),
    checksum: fc.constantFrom(`sha256:${'0'.repeat(64)}`, `sha256:${'f'.repeat(64)}`),
    tags: fc.array(fc.constantFrom(...TAGS), { maxLength: 3 }),
    createdAt: fc.constantFrom(...INSTANTS),
    createdBy: fc.constantFrom(...OWNERS),
    updatedAt: fc.constantFrom(...INSTANTS),
    updatedBy: fc.constantFrom(...OWNERS),
  });
  return fc
    .tuple(fc.uniqueArray(idArb, { minLength: 25, maxLength: 25 }), fc.array(bodyArb, { minLength: 1, maxLength: 25 }))
    .map(([ids, bodies]) =>
      bodies.map((body, index) => {
        const { owner, extends: parent, ...rest } = body;
        return {
          id: ids[index]!,
          ...rest,
          ...(body.scope === 'user' ? { owner } : {}),
          ...(parent !== undefined && body.scope !== 'system' ? { extends: parent } : {}),
        } as StoredRecord;
      }),
    );
}

/** A date-time near a stored instant, with any offset and more or fewer fraction digits. */
const dateTimeNear = (instants: readonly string[]): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.constantFrom(...instants),
      fc.constantFrom(-1, 0, 0, 1),
      fc.constantFrom(0, 60, -300, 330, -719, 1439),
      fc.constantFrom('none', 'ms', 'ms0', 'ms5', 'ms0001', 'tenths'),
    )
    .map(([instant, delta, offsetMinutes, fraction]) => {
      const local = new Date(Date.parse(instant) + delta + offsetMinutes * 60_000).toISOString();
      const ms = local.slice(20, 23);
      const digits = { none: '', ms: `.${ms}`, ms0: `.${ms}0`, ms5: `.${ms}5`, ms0001: `.${ms}0001`, tenths: `.${ms.slice(0, 1)}` }[
        fraction
      ];
      const sign = offsetMinutes < 0 ? '-' : '+';
      const abs = Math.abs(offsetMinutes);
      const zone =
        offsetMinutes === 0 ? 'Z' : `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
      return `${local.slice(0, 19)}${digits}${zone}`;
    })
    .filter((value) => DateTimeSchema.safeParse(value).success);
const dateTimeArb = dateTimeNear(INSTANTS);

const ENVELOPE_FIELDS = RECORD_FIELDS.filter((field) => field !== 'payload' && field !== 'createdAt' && field !== 'updatedAt');
const SORTABLE_FIELDS = RECORD_FIELDS.filter((field) => field !== 'payload' && field !== 'tags');

/** Random conditions, U+0000 included on every dialect (a condition may hold one even where no record can). */
function conditionArb(): fc.Arbitrary<MetadataQueryConditionInput> {
  const nul = true;
  const scalar = fc.oneof(
    stringArb(nul),
    numberArb,
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom(...TYPES, ...NAMES, ...TENANTS, ...OWNERS, ...TAGS, ...STATES, 'account', 'base', 'merge'),
    fc.constantFrom(...VERSIONS),
  );
  const text = fc.oneof(
    fc.constantFrom(
      'a',
      '%',
      '_',
      '\\',
      'x'.repeat(10),
      '\u{1F600}',
      '\uFFFF',
      'crm',
      'acme',
      'c',
      'A',
      '\u0000',
      'null',
      '[',
      '1',
      ':',
      '0',
      'sha256:0',
      '@acme',
    ),
    stringArb(nul).filter((value) => value.length > 0 && [...value].length <= 1000),
  );
  const ordered = fc.oneof(stringArb(nul), numberArb, fc.constantFrom(...NAMES, ...OWNERS, 'b', 'account', 'm'));
  const value = fc.oneof(scalar, jsonArb(nul), fc.constantFrom<JsonValue>(['crm'], ['core'], ['crm', 'core'], [], [1, 2], { a: 1 }));
  const list = fc.array(scalar, { minLength: 1, maxLength: 5 });
  const field = fc.oneof(fc.constantFrom(...ENVELOPE_FIELDS), pathArb(nul), pathArb(nul));
  const general = fc.oneof(
    fc.record({ field, operator: fc.constantFrom('eq', 'ne' as const), value }),
    fc.record({ field, operator: fc.constantFrom('gt', 'gte', 'lt', 'lte' as const), value: ordered }),
    fc.record({ field, operator: fc.constantFrom('in', 'not_in' as const), value: list }),
    fc.record({ field, operator: fc.constantFrom('contains', 'starts_with' as const), value: text }),
    fc.record({ field, operator: fc.constant('exists' as const), value: fc.boolean() }),
  );
  const instantField = fc.constantFrom('createdAt', 'updatedAt');
  const instant = fc.oneof(
    fc.record({ field: instantField, operator: fc.constantFrom('eq', 'ne', 'gt', 'gte', 'lt', 'lte' as const), value: dateTimeArb }),
    fc.record({
      field: instantField,
      operator: fc.constantFrom('in', 'not_in' as const),
      value: fc.array(fc.oneof(dateTimeArb, fc.constant(null)), { minLength: 1, maxLength: 3 }),
    }),
    fc.record({ field: instantField, operator: fc.constant('exists' as const), value: fc.boolean() }),
  );
  return fc
    .oneof({ weight: 4, arbitrary: general }, { weight: 1, arbitrary: instant })
    .filter((condition) => MetadataQueryConditionSchema.safeParse(condition).success) as fc.Arbitrary<MetadataQueryConditionInput>;
}

/** A field a condition can test and a value some record holds there. */
interface Site {
  field: string;
  value: JsonValue;
}

/** Every payload path (up to four keys) and envelope field of the records, with the value each record holds there (some more than once). */
function sitesOf(records: readonly StoredRecord[]): Site[] {
  const sites: Site[] = [];
  const walk = (value: JsonValue, keys: string[]) => {
    if (keys.length > 0) {
      // Numbers beyond 2^53 (whose JSON text is not their exact value) and strings that differ only in trailing
      // spaces or U+0000 are where dialects go wrong: those leaves are chosen more often.
      const site = { field: `payload/${keys.map(encodeSegment).join('/')}`, value };
      const weight =
        typeof value === 'number' && Math.abs(value) >= 2 ** 53 ? 6 : typeof value === 'string' && /[ \u0000]/.test(value) ? 4 : 1;
      for (let copy = 0; copy < weight; copy++) sites.push(site);
    }
    if (keys.length === 4 || value === null || typeof value !== 'object') return;
    const entries = Array.isArray(value) ? value.map((element, index) => [String(index), element] as const) : Object.entries(value);
    for (const [key, element] of entries) if (key !== '') walk(element, [...keys, key]);
  };
  for (const record of records) {
    walk(record.payload, []);
    for (const field of RECORD_FIELDS) {
      const value = record[field];
      if (field !== 'payload' && value !== undefined) sites.push({ field, value: value as JsonValue });
    }
  }
  return sites;
}

/** A part of a string by code points: a prefix when `from` is 0. */
function slice(text: string, from: number, length: number): string {
  const points = [...text];
  const start = points.length === 0 ? 0 : from % points.length;
  return points.slice(start, start + 1 + (length % Math.max(1, points.length - start))).join('');
}

/** The value with every object's keys in reverse order (JSON equality ignores key order). */
function reorder(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(reorder);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, element]) => [key, reorder(element)]),
  );
}

/** The value with its last element or key left out (a part of what the record holds, never equal to it). */
function shrink(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.slice(0, -1);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).slice(0, -1));
}

/** The value as another JSON type: a number as its text, a string as a number, a boolean as its text. */
function retype(value: JsonValue): JsonValue {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return Number.isFinite(Number(value)) && value.trim() !== '' ? Number(value) : 1;
  return value;
}

/** The path with one canonical index segment written another way, which selects no array element. */
function mangle(field: string, pick: number): string {
  const segments = field.split('/');
  const indexes = segments.flatMap((segment, index) => (index > 1 && /^(?:0|[1-9][0-9]*)$/.test(segment) ? [index] : []));
  if (indexes.length === 0) return field;
  const at = indexes[pick % indexes.length]!;
  segments[at] = [`0${segments[at]}`, `-${segments[at]}`, `+${segments[at]}`, ` ${segments[at]}`][pick % 4]!;
  return segments.join('/');
}

/** Conditions built from what the records hold, so most of them split the records rather than match all or none. */
function siteConditionArb(sites: readonly Site[]): fc.Arbitrary<MetadataQueryConditionInput> {
  const operators = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in', 'contains', 'starts_with', 'exists'] as const;
  const variants = ['keep', 'keep', 'keep', 'reorder', 'mangle', 'extend', 'shrink', 'retype', 'nul', 'pad'] as const;
  const payload = sites.filter((site) => site.field.startsWith('payload/'));
  const envelope = sites.filter((site) => !site.field.startsWith('payload/'));
  const siteArb = fc.oneof(
    { weight: payload.length > 0 ? 3 : 0, arbitrary: payload.length > 0 ? fc.constantFrom(...payload) : fc.constantFrom(...envelope) },
    { weight: 1, arbitrary: fc.constantFrom(...envelope) },
  );
  return fc
    .tuple(
      siteArb,
      fc.constantFrom(...operators),
      fc.nat(),
      fc.nat(),
      fc.constantFrom(...sites),
      dateTimeArb,
      fc.boolean(),
      fc.constantFrom(...variants),
    )
    .chain(([site, operator, from, length, other, dateTime, flag, variant]): fc.Arbitrary<unknown> => {
      // Variants of what a record holds: object keys in reverse order; an index written "01", "-0", "+1" or " 1";
      // one key more (into a string, number or object as much as an array); one element or key fewer; the other
      // JSON type ("1" for 1); a U+0000 inside (PostgreSQL holds none); a trailing space more or fewer (PAD SPACE
      // collations ignore it).
      const value =
        variant === 'reorder'
          ? reorder(site.value)
          : variant === 'shrink'
            ? shrink(site.value)
            : variant === 'retype'
              ? retype(site.value)
              : site.value;
      const text = (candidate: string) =>
        variant === 'nul'
          ? `${flag ? candidate : slice(candidate, 0, from)}\u0000${candidate}`
          : variant === 'pad'
            ? from % 2 === 0
              ? `${candidate} `
              : candidate.trimEnd()
            : candidate;
      const field =
        variant === 'mangle'
          ? mangle(site.field, from)
          : variant === 'extend' && site.field.startsWith('payload/')
            ? `${site.field}/${['0', '1', 'a', '-1'][from % 4]!}`
            : site.field;
      const instant = field === 'createdAt' || field === 'updatedAt';
      const near = instant && typeof value === 'string' ? dateTimeNear([value]) : fc.constant(dateTime);
      const scalar = (candidate: JsonValue) =>
        typeof candidate === 'string' ? text(candidate) : candidate === null || typeof candidate !== 'object' ? candidate : null;
      switch (operator) {
        case 'eq':
        case 'ne':
          if (instant) return near.map((when) => ({ field, operator, value: when }));
          return fc.constant({ field, operator, value: flag ? (typeof value === 'string' ? text(value) : value) : other.value });
        case 'gt':
        case 'gte':
        case 'lt':
        case 'lte': {
          if (instant) return near.map((when) => ({ field, operator, value: when }));
          const bound = flag ? value : other.value;
          return fc.constant({
            field,
            operator,
            value: typeof bound === 'string' ? text(bound) : typeof bound === 'number' ? bound : from % 2 ? 0 : 'm',
          });
        }
        case 'in':
        case 'not_in':
          if (instant)
            return fc
              .array(near, { minLength: 1, maxLength: 2 })
              .map((list) => ({ field, operator, value: flag ? [...list, null] : list }));
          return fc.constant({
            field,
            operator,
            value: [scalar(value), scalar(other.value), ...(flag ? [null] : []), ...(from % 3 === 0 ? ['x', 2] : [])],
          });
        case 'contains':
        case 'starts_with': {
          const first = Array.isArray(value) ? value[from % Math.max(1, value.length)] : undefined;
          const whole =
            typeof value === 'string' ? value : typeof first === 'string' || typeof first === 'number' ? String(first) : undefined;
          const part =
            whole === undefined || whole === ''
              ? 'a'
              : Array.isArray(value) && flag
                ? whole
                : slice(whole, operator === 'starts_with' ? 0 : from, length);
          return fc.constant({ field, operator, value: text([...part].length <= 1000 ? part : 'a') });
        }
        case 'exists':
          return fc.constant({ field, operator, value: flag });
      }
    })
    .filter((condition) => MetadataQueryConditionSchema.safeParse(condition).success) as fc.Arbitrary<MetadataQueryConditionInput>;
}

/** Mostly absent: each filter given narrows a small record set a lot. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, weight = 1) =>
  fc.oneof({ weight: 10, arbitrary: fc.constant(undefined) }, { weight, arbitrary });
const oneOrMany = <T extends string>(values: readonly T[]) =>
  fc.oneof(fc.constantFrom(...values), fc.uniqueArray(fc.constantFrom(...values), { minLength: 1, maxLength: values.length }));

function filtersArb(nul: boolean, sites: readonly Site[]): fc.Arbitrary<MetadataQueryFilters> {
  const condition =
    sites.length === 0
      ? conditionArb()
      : fc.oneof({ weight: 1, arbitrary: conditionArb() }, { weight: 3, arbitrary: siteConditionArb(sites) });
  return fc
    .record({
      type: sometimes(oneOrMany(TYPES)),
      name: sometimes(oneOrMany(NAMES)),
      namespace: sometimes(oneOrMany(NAMESPACES)),
      scope: sometimes(oneOrMany(SCOPES)),
      state: sometimes(oneOrMany(STATES), 2),
      owner: sometimes(fc.constantFrom(...OWNERS)),
      tenantId: sometimes(fc.constantFrom(...TENANTS)),
      tags: sometimes(fc.uniqueArray(fc.constantFrom(...TAGS), { minLength: 1, maxLength: 2 })),
      updatedAfter: sometimes(dateTimeArb),
      updatedBefore: sometimes(dateTimeArb),
      conditions: fc.oneof(
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 3, arbitrary: fc.array(condition, { minLength: 1, maxLength: 2 }) },
      ),
    })
    .map((raw) => {
      const filters = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined));
      const parsed = MetadataQueryFiltersSchema.safeParse(filters);
      if (parsed.success) return parsed.data;
      // updatedAfter not before updatedBefore: keep the first.
      return MetadataQueryFiltersSchema.parse({ ...filters, updatedBefore: undefined });
    });
}

const sortArb: fc.Arbitrary<MetadataSort[]> = fc.array(
  fc.record({ field: fc.constantFrom(...SORTABLE_FIELDS), direction: fc.constantFrom('asc', 'desc' as const) }),
  { maxLength: 3 },
);

const scopeArb: fc.Arbitrary<ReadScope> = fc.record({
  readTenants: fc.oneof(
    { weight: 1, arbitrary: fc.constant([]) },
    { weight: 4, arbitrary: fc.subarray(TENANTS, { minLength: 1 }) },
    { weight: 5, arbitrary: fc.constant(TENANTS) },
  ),
  actor: fc.constantFrom(...OWNERS, 'nobody'),
  administersUsers: fc.boolean(),
});

const queryArb = (nul: boolean, sites: readonly Site[]) =>
  fc.record({
    scope: scopeArb,
    filters: filtersArb(nul, sites),
    includeArchived: fc.boolean(),
    sort: sortArb,
    pageSize: fc.integer({ min: 1, max: 7 }),
  });

/** A caller who sees every record of the property test. */
const EVERYONE: ReadScope = { readTenants: TENANTS, actor: 'nobody', administersUsers: true };

/** A fixed seed per dialect, so a failure replays. */
const SEEDS: Readonly<Record<SqlDriver, number>> = { sqlite: 20260131, postgres: 20260201, mysql: 20260202 };

describe.each(SQL_DRIVERS)('the same pages and counts as the reference on %s', (driver) => {
  let target: Target;

  beforeAll(async () => {
    // A table of its own in a named schema (PostgreSQL; on MySQL the database itself), with columns named like
    // json_each's (key, value, json), so every reference must be qualified.
    target = await openTarget(driver, 'query_property', (database) => ({
      tableName: 'query_records',
      ...(driver === 'postgres' ? { schema: 'meta_store' } : driver === 'mysql' ? { schema: database.name } : {}),
      columnMapping: { id: 'key', payload: 'value', tags: 'json', state: 'atom' },
    }));
  }, 60_000);

  afterAll(async () => {
    await target?.database.drop();
  });

  it('pages through random records, filters, sorts and page sizes exactly as isVisible, matchesFilters, sortRecords and pageAfter do', async () => {
    const nul = driver !== 'postgres';
    const seen = { queries: 0, nonEmpty: 0, partial: 0, pages: 0, conditions: 0, deciding: 0 };
    await fc.assert(
      fc.asyncProperty(
        recordsArb(nul).chain((records) =>
          fc.tuple(fc.constant(records), fc.array(queryArb(nul, sitesOf(records)), { minLength: 1, maxLength: 3 })),
        ),
        async ([records, queries]) => {
          const { db } = target.database;
          await store(db, target.layout, records);
          const stored = records.map(asStored);
          for (const { scope, filters, includeArchived, sort, pageSize } of queries) {
            const selection = { filters, includeArchived };
            const matching = sortRecords(referenceMatches(stored, scope, filters, includeArchived), sort);
            seen.queries += 1;
            for (const condition of filters.conditions ?? []) {
              // Each condition alone, against every record: no other filter hides a record it decides wrongly.
              const hits = sortRecords(
                stored.filter((one) => matchesCondition(one, condition)),
                [],
              );
              seen.conditions += 1;
              if (hits.length > 0 && hits.length < stored.length) seen.deciding += 1;
              const alone = { filters: MetadataQueryFiltersSchema.parse({ conditions: [condition] }), includeArchived: true };
              const page = await selectRecords(db, target.server, target.layout, EVERYONE, alone, { sort: [], limit: stored.length });
              expect(page.records.map((one) => one.id)).toEqual(hits.map((one) => one.id));
            }
            if (matching.length > 0) seen.nonEmpty += 1;
            if (matching.length > 0 && matching.length < stored.length) seen.partial += 1;
            expect(await countRecords(db, target.server, target.layout, scope, selection)).toBe(matching.length);
            let after: Position | undefined;
            for (let pageNumber = 0; ; pageNumber++) {
              const expected = pageAfter(matching, sort, after, pageSize);
              const actual = await selectRecords(db, target.server, target.layout, scope, selection, {
                sort,
                limit: pageSize,
                ...(after ? { after } : {}),
              });
              seen.pages += 1;
              expect(actual).toEqual(expected);
              if (!expected.hasMore || pageNumber > 30) break;
              after = positionOf(expected.records[expected.records.length - 1]!, sort);
            }
          }
        },
      ),
      { numRuns: 300, seed: SEEDS[driver], endOnFailure: true },
    );
    // The comparison is not vacuous: many queries select a proper part of the records, many conditions split them.
    expect(seen.nonEmpty).toBeGreaterThan(seen.queries * 0.2);
    expect(seen.partial).toBeGreaterThan(seen.queries * 0.15);
    expect(seen.deciding).toBeGreaterThan(seen.conditions * 0.2);
    expect(seen.pages).toBeGreaterThan(seen.queries);
  }, 120_000);
});
