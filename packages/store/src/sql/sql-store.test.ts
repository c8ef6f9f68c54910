/**
 * The SQL stores as a whole, on each dialect: opening from a config (and
 * refusing a bad one before connecting), the writes' atomic version check
 * under concurrent clients, gap-free per-tenant sequences under concurrent
 * writers, and the refusals a dialect needs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetadataCallContextInput, MetadataStoreError } from '@metasource/spec';
import { MetadataStoreFailure } from '../base/failure';
import { createStore, openStore, type SqlStore } from '../open-store';
import { SQL_DRIVERS, createTestDatabase, type TestDatabase } from './testing';

const writer: MetadataCallContextInput = { actor: 'alice', readTenants: ['acme'], writeTenants: ['acme'], role: 'runtime' };
const operator: MetadataCallContextInput = { ...writer, role: 'operator' };

async function failure(promise: Promise<unknown>): Promise<MetadataStoreError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MetadataStoreFailure);
    return (error as MetadataStoreFailure).error;
  }
  throw new Error('expected the call to fail');
}

describe('createStore refuses a bad config before connecting', () => {
  it('reports every problem of an invalid MetasourceConfig with its path', () => {
    let error: MetadataStoreError | undefined;
    try {
      createStore({
        datasources: [{ driver: 'sqlite', name: 'Bad Name', connection: { filename: '' } }],
        metadata: { datasource: 'metadata_db', query: { maxPageSize: 0 } },
      } as never);
    } catch (caught) {
      error = (caught as MetadataStoreFailure).error;
    }
    expect(error?.code).toBe('invalid_input');
    const paths = error?.code === 'invalid_input' ? error.issues.map((issue) => issue.path.join('.')) : [];
    expect(paths).toEqual(
      expect.arrayContaining(['datasources.0.name', 'datasources.0.connection.filename', 'metadata.query.maxPageSize']),
    );
  });

  it('refuses a table schema on SQLite, which has none (table_schema_needs_schema_support)', () => {
    expect(() =>
      createStore({
        datasource: { driver: 'sqlite', name: 'metadata_db', connection: { filename: ':memory:' } },
        driver: { datasource: 'metadata_db', table: { schema: 'metadata' } },
      }),
    ).toThrow(/table_schema_needs_schema_support|has no schemas/);
  });

  it('says a MongoDB store is not implemented yet, naming the driver, and builds no store', () => {
    let error: MetadataStoreError | undefined;
    try {
      createStore({
        datasource: { driver: 'mongodb', name: 'metadata_db', connection: { url: { env: 'MONGODB_URL' }, database: 'metasource' } },
        driver: { datasource: 'metadata_db' },
      });
    } catch (caught) {
      error = (caught as MetadataStoreFailure).error;
    }
    expect(error).toMatchObject({ code: 'unsupported_capability', capability: 'mongodb_store' });
    expect(error?.message).toMatch(/mongodb.*not implemented/);
  });

  it('refuses a table name too long for the runtime tables named after it', () => {
    expect(() =>
      createStore({
        datasource: { driver: 'sqlite', name: 'metadata_db', connection: { filename: ':memory:' } },
        driver: { datasource: 'metadata_db', table: { tableName: 'a'.repeat(60) } },
      }),
    ).toThrow(/runtime_table_names_fit|too long/);
  });
});

describe.each(SQL_DRIVERS)('%s store', (driver) => {
  let database: TestDatabase;
  let tables = 0;
  const stores: SqlStore[] = [];
  const open = async (tableName: string) => {
    const store = await openStore({ datasource: database.datasource, driver: { datasource: 'metadata_db', table: { tableName } } });
    stores.push(store);
    return store;
  };
  const fresh = async () => {
    const tableName = `s${++tables}`;
    return { first: await open(tableName), second: () => open(tableName) };
  };

  beforeAll(async () => {
    database = await createTestDatabase(driver, 'store');
  }, 60_000);
  afterAll(async () => {
    for (const store of stores) await store.close();
    await database?.drop();
  });

  it('reports its datasource and capability profile', async () => {
    const { first } = await fresh();
    expect(first.profile).toMatchObject({ kind: 'datasource', datasource: 'metadata_db', capabilities: { driver } });
  });

  it('writes version 1 on create and +1 per write, with checksum and audit fields set by the store', async () => {
    const { first } = await fresh();
    const created = await first.save(writer, { type: 'object', name: 'account', payload: { label: 'Account' } });
    expect(created).toMatchObject({ status: 'created', version: 1 });
    const updated = await first.save(writer, { type: 'object', name: 'account', payload: { label: 'Accounts' } }, { expectedVersion: 1 });
    expect(updated).toMatchObject({ status: 'updated', version: 2, previousVersion: 1 });
    const stored = await first.get(writer, { tenantId: 'acme', type: 'object', name: 'account' });
    expect(stored).toMatchObject({ version: 2, payload: { label: 'Accounts' }, createdBy: 'alice', updatedBy: 'alice' });
    expect(stored?.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('lets exactly one of two clients win a write based on the same version (R28)', async () => {
    const { first, second } = await fresh();
    const other = await second();
    await first.save(writer, { type: 'object', name: 'race', payload: { n: 0 } });
    const outcomes = await Promise.allSettled(
      [first, other, first, other].map((store, n) =>
        store.save(writer, { type: 'object', name: 'race', payload: { n: n + 1 } }, { expectedVersion: 1 }),
      ),
    );
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [(outcome.reason as MetadataStoreFailure).error] : []));
    expect(won).toHaveLength(1);
    expect(lost.map((error) => error.code)).toEqual(['version_conflict', 'version_conflict', 'version_conflict']);
    expect((await other.get(writer, { tenantId: 'acme', type: 'object', name: 'race' }))?.version).toBe(2);
  });

  it('gives concurrent writers of one tenant consecutive sequences, each event once (R33, R34)', async () => {
    const { first, second } = await fresh();
    const other = await second();
    const writes = Array.from({ length: 24 }, (_, n) =>
      (n % 2 === 0 ? first : other).save(writer, { type: 'object', name: `item_${n}`, payload: { n } }),
    );
    await Promise.all(writes);
    const page = await first.changes(writer, { tenantId: 'acme', afterSequence: 0, limit: 100 });
    expect(page.events.map((event) => event.sequence)).toEqual(Array.from({ length: 24 }, (_, n) => n + 1));
    expect(new Set(page.events.map((event) => event.key.name)).size).toBe(24);
  });

  it('rolls a failed transactional bulk back completely, events included', async () => {
    const { first } = await fresh();
    await first.save(writer, { type: 'object', name: 'taken', payload: {} });
    const result = await first.bulk(writer, {
      operation: 'create',
      transactional: true,
      records: [
        { type: 'object', name: 'fresh', payload: {} },
        { type: 'object', name: 'taken', payload: {} },
      ],
    });
    expect(result.committed).toBe(false);
    expect(await first.get(writer, { tenantId: 'acme', type: 'object', name: 'fresh' })).toBeNull();
    expect((await first.changes(writer, { afterSequence: 0 })).events).toHaveLength(1);
  });

  it('accepts a cursor from another client of the same table, and refuses one from another table (R25)', async () => {
    const { first, second } = await fresh();
    for (let n = 0; n < 3; n++) await first.save(writer, { type: 'object', name: `page_${n}`, payload: {} });
    const page = await first.query(writer, { sort: [{ field: 'name' }], pagination: { pageSize: 2 } });
    expect(page.nextCursor).toBeDefined();
    const other = await second();
    const next = await other.query(writer, { sort: [{ field: 'name' }], pagination: { pageSize: 2, cursor: page.nextCursor } });
    expect(next.records.map((record) => record.name)).toEqual(['page_2']);
    const { first: elsewhere } = await fresh();
    expect(
      (await failure(elsewhere.query(writer, { sort: [{ field: 'name' }], pagination: { pageSize: 2, cursor: page.nextCursor } }))).code,
    ).toBe('invalid_cursor');
  });

  it('runs an atomic import all or nothing', async () => {
    const { first } = await fresh();
    await first.save(writer, { type: 'object', name: 'kept', payload: {} });
    const result = await first.import(
      operator,
      [
        { type: 'object', name: 'new_one', tenantId: 'acme', payload: {} },
        { type: 'object', name: 'kept', tenantId: 'acme', payload: { changed: true } },
      ],
      { atomic: true, onConflict: 'error' },
    );
    expect(result.committed).toBe(false);
    expect(await first.get(writer, { tenantId: 'acme', type: 'object', name: 'new_one' })).toBeNull();
  });

  if (driver === 'postgres') {
    it('refuses a payload holding U+0000, which PostgreSQL text cannot store, with a typed error', async () => {
      const { first } = await fresh();
      const error = await failure(first.save(writer, { type: 'object', name: 'nul', payload: { text: 'a\u0000b' } }));
      expect(error).toMatchObject({ code: 'unsupported_capability', capability: 'nul_character' });
      expect(await first.get(writer, { tenantId: 'acme', type: 'object', name: 'nul' })).toBeNull();
    });
  } else {
    it('stores and matches a payload holding U+0000', async () => {
      const { first } = await fresh();
      await first.save(writer, { type: 'object', name: 'nul', payload: { text: 'a\u0000b' } });
      const page = await first.query(writer, { filters: { conditions: [{ field: 'payload/text', operator: 'eq', value: 'a\u0000b' }] } });
      expect(page.records.map((record) => record.payload)).toEqual([{ text: 'a\u0000b' }]);
    });
  }
});
