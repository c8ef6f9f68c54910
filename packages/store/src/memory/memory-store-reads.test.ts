/**
 * The memory store's reads: get, query and load (filters, order, keyset
 * pages and cursors, inheritance, conditional loads) and the read cache.
 */
import { MetadataLoadResultSchema, MetadataQueryResultSchema } from '@metasource/spec';
import { describe, expect, it } from 'vitest';
import { pageChecksum, payloadChecksum } from '../base/checksum';
import { MemoryDatabase } from './memory-database';
import { createMemoryStore, type MemoryStoreOptions } from './memory-store';
import { bob, clock, errorOf, item, jane, key, open as openStore, operator } from './testing';

/** Reads run on a clock that stands still until advance(). */
const stillClock = () => clock({ step: 0 });
const open = (options: MemoryStoreOptions = {}) => openStore(options, stillClock());

const names = (records: readonly { name: string }[]) => records.map((record) => record.name);

describe('query (R6, R7, R24 to R26)', () => {
  it('returns the matching records in id order by default, excluding archived ones', async () => {
    const store = await open();
    await store.save(jane, item('b', { tags: ['core', 'crm'] }));
    await store.save(jane, item('a', { tags: ['crm'] }));
    await store.save(jane, item('c', { type: 'view', tags: ['core'] }));
    await store.save(jane, item('d'));
    await store.archive(jane, key('d'));
    const all = await store.query(jane);
    expect(MetadataQueryResultSchema.parse(all)).toEqual(all);
    expect(names(all.records)).toEqual(['b', 'a', 'c']);
    expect(names((await store.query(jane, { includeArchived: true })).records)).toEqual(['b', 'a', 'c', 'd']);
    expect(names((await store.query(jane, { filters: { state: 'archived' } })).records)).toEqual(['d']);
    expect(names((await store.query(jane, { filters: { tags: ['crm', 'core'] } })).records)).toEqual(['b']);
    expect(names((await store.query(jane, { filters: { type: ['view', 'field'] } })).records)).toEqual(['c']);
    expect(names((await store.query(jane, { filters: { tenantId: 'globex' } })).records)).toEqual([]);
  });

  it('applies conditions type-strictly, by code point', async () => {
    const store = await open();
    await store.save(jane, item('a', { payload: { n: 1, s: '\u{1F600}' } }));
    await store.save(jane, item('b', { payload: { n: '1', s: '\uFFFF' } }));
    const q = (conditions: object[]) => store.query(jane, { filters: { conditions } as never }).then((r) => names(r.records));
    expect(await q([{ field: 'payload/n', operator: 'eq', value: 1 }])).toEqual(['a']);
    expect(await q([{ field: 'payload/n', operator: 'eq', value: '1' }])).toEqual(['b']);
    expect(await q([{ field: 'payload/s', operator: 'gt', value: '\uFFFF' }])).toEqual(['a']);
    expect(await q([{ field: 'payload/missing', operator: 'eq', value: null }])).toEqual(['a', 'b']);
  });

  it('sorts by the keys, then id; pages by cursor with nextCursor exactly when more follow, and a total when asked', async () => {
    const store = await open();
    for (const name of ['c', 'e', 'a', 'd', 'b']) await store.save(jane, item(name));
    const sort = [{ field: 'name' as const, direction: 'desc' as const }];
    const first = await store.query(jane, { sort, pagination: { pageSize: 2 }, includeTotal: true });
    expect(first).toMatchObject({ total: 5 });
    expect(names(first.records)).toEqual(['e', 'd']);
    // pageSize may change between pages.
    const second = await store.query(jane, { sort, pagination: { pageSize: 3, cursor: first.nextCursor }, includeTotal: true });
    expect(names(second.records)).toEqual(['c', 'b', 'a']);
    expect(second.nextCursor).toBeUndefined();
    expect(second.total).toBe(5);
    expect(await store.query(jane, { sort, pagination: { pageSize: 5 } })).not.toHaveProperty('nextCursor');
    expect(await store.query(jane, { sort })).not.toHaveProperty('total');
  });

  it('neither repeats nor skips records that stayed in place when others are written between pages', async () => {
    const store = await open();
    for (const name of ['b', 'd', 'f', 'h']) await store.save(jane, item(name));
    const sort = [{ field: 'name' as const }];
    const first = await store.query(jane, { sort, pagination: { pageSize: 2 } });
    expect(names(first.records)).toEqual(['b', 'd']);
    await store.save(jane, item('a'));
    await store.save(jane, item('e'));
    await store.delete(jane, key('d'));
    const rest = await store.query(jane, { sort, pagination: { pageSize: 10, cursor: first.nextCursor } });
    expect(names(rest.records)).toEqual(['e', 'f', 'h']);
  });

  it('rejects a pageSize above maxPageSize', async () => {
    const store = await open({ maxPageSize: 50 });
    expect(await errorOf(store.query(jane, { pagination: { pageSize: 51 } }))).toEqual({
      code: 'page_too_large',
      message: 'pageSize 51 is above maxPageSize 50',
      maxPageSize: 50,
    });
    expect(await errorOf(store.query(jane))).toMatchObject({ code: 'page_too_large' });
    expect((await store.query(jane, { pagination: { pageSize: 50 } })).records).toEqual([]);
  });

  it('rejects a cursor used with another query, another tenant set, another store, or altered', async () => {
    const store = await open();
    for (const name of ['a', 'b', 'c']) await store.save(jane, item(name));
    const { nextCursor } = await store.query(jane, { pagination: { pageSize: 1 } });
    const cursor = nextCursor!;
    const reuse = (options: object, context = jane, target = store) =>
      errorOf(target.query(context, { pagination: { pageSize: 1, cursor }, ...options })).then((error) => error.code);
    expect(await reuse({ filters: { type: 'object' } })).toBe('invalid_cursor');
    expect(await reuse({ sort: [{ field: 'name' }] })).toBe('invalid_cursor');
    expect(await reuse({ includeArchived: true })).toBe('invalid_cursor');
    expect(await reuse({}, { ...jane, readTenants: ['acme', 'globex'] })).toBe('invalid_cursor');
    expect(await reuse({}, jane, await open())).toBe('invalid_cursor');
    expect(await errorOf(store.load(jane, { pagination: { pageSize: 1, cursor } }))).toMatchObject({ code: 'invalid_cursor' });
    const altered = cursor.slice(0, 40) + (cursor[40] === 'x' ? 'y' : 'x') + cursor.slice(41);
    expect(await errorOf(store.query(jane, { pagination: { pageSize: 1, cursor: altered } }))).toEqual({
      code: 'invalid_cursor',
      message: 'the cursor was not issued by this store for this query',
    });
    // The same query goes on, and so does another client of the same database.
    expect(names((await store.query(jane, { pagination: { pageSize: 1, cursor } })).records)).toEqual(['b']);
    const second = await open({ database: store.database });
    expect(names((await second.query(jane, { pagination: { pageSize: 5, cursor } })).records)).toEqual(['b', 'c']);
  });

  it('grants nothing through a cursor: the page is confined to the caller', async () => {
    const store = await open();
    await store.save(jane, item('a'));
    await store.save(jane, item('m', { scope: 'user', owner: 'jane@acme' }));
    await store.save(jane, item('z'));
    const { nextCursor } = await store.query(jane, { pagination: { pageSize: 1 } });
    const page = await store.query(bob, { pagination: { pageSize: 10, cursor: nextCursor } });
    expect(names(page.records)).toEqual(['z']);
  });

  it('no longer takes fields', async () => {
    const store = await open();
    expect(await errorOf(store.query(jane, { fields: ['id'] } as never))).toMatchObject({ code: 'invalid_input', issues: [{ path: [] }] });
  });
});

describe('load (R16, R38)', () => {
  async function layered() {
    const store = await open();
    await store.save(
      operator,
      item('account', { scope: 'system', payload: { label: 'Account', fields: { name: { type: 'text' }, old: { type: 'text' } } } }),
    );
    await store.save(
      jane,
      item('account', { extends: 'account', payload: { label: 'Customer', fields: { old: null, region: { type: 'text' } } } }),
    );
    await store.save(
      jane,
      item('account', { scope: 'user', owner: 'jane@acme', extends: 'account', payload: { fields: { name: { required: true } } } }),
    );
    return store;
  }

  const janeView = {
    label: 'Customer',
    fields: { name: { type: 'text', required: true }, region: { type: 'text' } },
  };

  it('serves each item as it takes effect: user over platform over system, merged, with the effective checksum', async () => {
    const store = await layered();
    const result = await store.load(jane);
    expect(MetadataLoadResultSchema.parse(result)).toEqual(result);
    expect(result.records).toHaveLength(1);
    const [record] = result.records;
    expect(record).toMatchObject({ scope: 'user', owner: 'jane@acme', version: 1, payload: janeView, checksum: payloadChecksum(janeView) });
    expect(result).toMatchObject({ checksum: pageChecksum(result.records), fromCache: false, notModified: false });
    expect((await store.load(bob)).records).toMatchObject([
      { scope: 'platform', payload: { label: 'Customer', fields: { name: { type: 'text' }, region: { type: 'text' } } } },
    ]);
  });

  it('returns stored records with resolveInheritance false', async () => {
    const store = await layered();
    const result = await store.load(jane, { resolveInheritance: false, sort: [{ field: 'scope' }] });
    expect(result.records.map((r) => r.scope)).toEqual(['platform', 'system', 'user']);
    expect(result.records[2]?.payload).toEqual({ fields: { name: { required: true } } });
  });

  it('fails with inconsistent_inheritance on a dangling extends', async () => {
    const store = await open();
    await store.save(jane, item('account', { extends: 'missing' }));
    expect(await errorOf(store.load(jane))).toEqual({
      code: 'inconsistent_inheritance',
      message: 'object crm/account (platform, tenant acme) extends missing, which no earlier scope holds',
      key: { tenantId: 'acme', type: 'object', namespace: 'crm', scope: 'platform', name: 'account' },
      extends: 'missing',
    });
    expect((await store.load(jane, { resolveInheritance: false })).records).toHaveLength(1);
  });

  it('answers notModified with no records when the page checksum equals ifNoneMatch', async () => {
    const store = await layered();
    const first = await store.load(jane, { useCache: false });
    const again = await store.load(jane, { ifNoneMatch: first.checksum, useCache: false });
    expect(again).toEqual({ records: [], checksum: first.checksum, fromCache: false, notModified: true, loadedAt: again.loadedAt });
    await store.save(jane, item('account', { payload: { label: 'Renamed' } }));
    const changed = await store.load(jane, { ifNoneMatch: first.checksum });
    expect(changed.notModified).toBe(false);
    expect(changed.records[0]?.payload).toMatchObject({ label: 'Renamed' });
  });

  it('pages resolved items with a cursor bound to resolveInheritance', async () => {
    const store = await open();
    for (const name of ['a', 'b', 'c']) await store.save(jane, item(name));
    const first = await store.load(jane, { pagination: { pageSize: 2 }, includeTotal: true });
    expect(names(first.records)).toEqual(['a', 'b']);
    expect(first.total).toBe(3);
    expect(names((await store.load(jane, { pagination: { pageSize: 2, cursor: first.nextCursor } })).records)).toEqual(['c']);
    expect(
      await errorOf(store.load(jane, { resolveInheritance: false, pagination: { pageSize: 2, cursor: first.nextCursor } })),
    ).toMatchObject({
      code: 'invalid_cursor',
    });
  });

  it('refuses a resolved load whose read would exceed maxResultSize', async () => {
    const store = await open({ maxResultSize: 2, maxPageSize: 2 });
    for (const name of ['a', 'b', 'c']) await store.save(jane, item(name));
    expect(await errorOf(store.load(jane, { pagination: { pageSize: 2 } }))).toMatchObject({ code: 'result_too_large', maxResultSize: 2 });
    expect((await store.load(jane, { pagination: { pageSize: 2 }, resolveInheritance: false })).records).toHaveLength(2);
  });
});

describe('cache (R20 to R22)', () => {
  it('serves a client its cached reads until its own write, the change feed, or the TTL; useCache false reads through', async () => {
    const time = stillClock();
    const database = new MemoryDatabase();
    const writer = await createMemoryStore({ database, now: time.now });
    const reader = await createMemoryStore({ database, now: time.now, cache: { ttlSeconds: 60 } });
    await writer.save(jane, item('a', { payload: { v: 1 } }));
    expect((await reader.get(jane, key('a')))?.payload).toEqual({ v: 1 });
    expect((await reader.load(jane)).fromCache).toBe(false);
    expect((await reader.load(jane)).fromCache).toBe(true);

    await writer.save(jane, item('a', { payload: { v: 2 } }));
    // Another client's write: the reader's cache still answers...
    expect((await reader.get(jane, key('a')))?.payload).toEqual({ v: 1 });
    expect((await reader.load(jane)).records[0]?.payload).toEqual({ v: 1 });
    // ...until it reads through, which refreshes the entry,
    expect((await reader.get(jane, key('a'), { useCache: false }))?.payload).toEqual({ v: 2 });
    expect((await reader.get(jane, key('a')))?.payload).toEqual({ v: 2 });

    await writer.save(jane, item('a', { payload: { v: 3 } }));
    // ...or reads the change feed,
    await reader.changes(jane, { afterSequence: 2 });
    expect((await reader.get(jane, key('a')))?.payload).toEqual({ v: 3 });
    expect((await reader.load(jane)).records[0]?.payload).toEqual({ v: 3 });

    await writer.save(jane, item('a', { payload: { v: 4 } }));
    // ...or the time-to-live passes.
    time.advance(59_999);
    expect((await reader.get(jane, key('a')))?.payload).toEqual({ v: 3 });
    time.advance(1);
    expect((await reader.get(jane, key('a')))?.payload).toEqual({ v: 4 });
  });

  it("drops this client's entries on its own writes", async () => {
    const store = await open();
    await store.save(jane, item('a', { payload: { v: 1 } }));
    expect((await store.get(jane, key('a')))?.version).toBe(1);
    await store.load(jane);
    await store.save(jane, item('a', { payload: { v: 2 } }));
    expect((await store.get(jane, key('a')))?.version).toBe(2);
    const load = await store.load(jane);
    expect(load).toMatchObject({ fromCache: false, records: [{ version: 2 }] });
    await store.delete(jane, key('a'));
    expect(await store.get(jane, key('a'))).toBeNull();
  });

  it('never serves an entry to a caller with other rights', async () => {
    const store = await open();
    await store.save(jane, item('mine', { scope: 'user', owner: 'jane@acme' }));
    expect((await store.load(jane)).records).toHaveLength(1);
    expect((await store.load(bob)).records).toHaveLength(0);
    expect((await store.load({ ...jane, readTenants: ['acme', 'globex'], writeTenants: [] })).fromCache).toBe(false);
  });

  it('hands out copies: changing a result changes neither the store nor the cache', async () => {
    const store = await open();
    await store.save(jane, item('a', { payload: { v: 1 } }));
    const first = await store.get(jane, key('a'));
    (first!.payload as { v: number }).v = 99;
    const loaded = await store.load(jane);
    (loaded.records[0]!.payload as { v: number }).v = 98;
    expect((await store.get(jane, key('a')))?.payload).toEqual({ v: 1 });
    expect((await store.load(jane)).records[0]?.payload).toEqual({ v: 1 });
    expect((await store.query(jane)).records[0]?.payload).toEqual({ v: 1 });
  });
});
