/**
 * The memory store's single-item writes, lifecycle, access rules and change
 * feed. Reads (get, query, load, cache) are in memory-store-reads.test.ts,
 * bulk, import, export and migrate in memory-store-batches.test.ts.
 */
import {
  MetadataChangeFeedPageSchema,
  MetadataRecordSchema,
  MetadataSaveResultSchema,
  type MetadataCallContextInput,
  type MetadataRecordWriteInput,
} from '@metasource/spec';
import { describe, expect, it } from 'vitest';
import { payloadChecksum } from '../base/checksum';
import { MetadataStoreFailure } from '../base/failure';
import { MemoryDatabase } from './memory-database';
import { MemoryStore, type MemoryStoreOptions } from './memory-store';
import { bob, errorOf, item, jane, key, open, operator } from './testing';

/** Every event of acme's feed. */
const events = async (store: MemoryStore, context: MetadataCallContextInput = jane) =>
  (await store.changes(context, { limit: 1000 })).events;

describe('lifecycle', () => {
  it('refuses every call before open() and after close() with unavailable', async () => {
    const store = new MemoryStore();
    expect(store.profile).toEqual({ protocolVersion: '1.0.0', kind: 'memory', atomicImport: true, transactionalBulk: true });
    expect(await errorOf(store.get(jane, key('a')))).toMatchObject({ code: 'unavailable' });
    await store.open();
    await store.open();
    expect(await store.get(jane, key('a'))).toBeNull();
    await store.close();
    await store.close();
    expect(await errorOf(store.save(jane, item('a')))).toMatchObject({ code: 'unavailable' });
    expect(await errorOf(store.open())).toMatchObject({ code: 'unavailable' });
    const exported = store.export(jane)[Symbol.asyncIterator]().next();
    expect(await errorOf(exported)).toMatchObject({ code: 'unavailable' });
  });

  it('parses its own options: invalid ones throw invalid_input', () => {
    const invalid = (options: unknown) => {
      try {
        new MemoryStore(options as MemoryStoreOptions);
      } catch (thrown) {
        return (thrown as MetadataStoreFailure).error;
      }
      throw new Error('expected invalid options to throw');
    };
    expect(invalid({ maxPageSize: 0 })).toMatchObject({ code: 'invalid_input', issues: [{ path: ['maxPageSize'], code: 'too_small' }] });
    expect(invalid({ maxPageSize: 500, maxResultSize: 100 })).toMatchObject({
      issues: [{ path: ['maxPageSize'], rule: 'max_page_size_not_above_max_result_size' }],
    });
    expect(invalid({ cache: { ttlSeconds: 0 } })).toMatchObject({ issues: [{ path: ['cache', 'ttlSeconds'] }] });
    expect(invalid({ database: {} })).toMatchObject({ issues: [{ path: ['database'] }] });
    expect(invalid({ now: 'today' })).toMatchObject({ issues: [{ path: ['now'] }] });
    expect(invalid({ pageSize: 5 })).toMatchObject({ issues: [{ code: 'unrecognized_keys' }] });
    expect(new MemoryStore({ changeFeedRetention: 10 }).profile.changeFeedRetention).toBe(10);
  });
});

describe('save (R12, R13, R28 to R30)', () => {
  it('creates version 1 with the id, checksum and audit fields the store sets', async () => {
    const store = await open();
    const result = await store.save(jane, item('account', { payload: { label: 'Account', size: 50.0 } }), { actor: 'svc@acme' });
    expect(MetadataSaveResultSchema.parse(result)).toEqual(result);
    expect(result).toEqual({
      id: 'rec_0000000001',
      status: 'created',
      version: 1,
      checksum: payloadChecksum({ label: 'Account', size: 50 }),
      savedAt: '2026-01-31T09:30:00.000Z',
      dryRun: false,
    });
    const stored = await store.get(jane, key('account'));
    expect(MetadataRecordSchema.parse(stored)).toEqual(stored);
    expect(stored).toEqual({
      id: 'rec_0000000001',
      type: 'object',
      name: 'account',
      namespace: 'crm',
      scope: 'platform',
      state: 'active',
      payload: { label: 'Account', size: 50 },
      mergeStrategy: 'merge',
      tenantId: 'acme',
      version: 1,
      checksum: result.checksum,
      tags: [],
      createdAt: '2026-01-31T09:30:00.000Z',
      createdBy: 'svc@acme',
      updatedAt: '2026-01-31T09:30:00.000Z',
      updatedBy: 'svc@acme',
    });
  });

  it('merges with onConflict update, replaces with replace, and adds one to the version each time', async () => {
    const store = await open();
    await store.save(jane, item('a', { payload: { label: 'A', fields: { x: 1, y: 2 } }, tags: ['crm'] }));
    const updated = await store.save(jane, item('a', { payload: { fields: { y: null, z: 3 } }, state: 'draft' }));
    expect(updated).toMatchObject({ status: 'updated', version: 2, previousVersion: 1 });
    expect(await store.get(jane, key('a'))).toMatchObject({
      payload: { label: 'A', fields: { x: 1, z: 3 } },
      state: 'draft',
      tags: ['crm'],
      version: 2,
      updatedBy: 'jane@acme',
    });
    const replaced = await store.save(jane, item('a', { payload: { only: null } }), { onConflict: 'replace', expectedVersion: 2 });
    expect(replaced).toMatchObject({ status: 'replaced', version: 3, previousVersion: 2, checksum: payloadChecksum({ only: null }) });
    expect((await store.get(jane, key('a')))?.payload).toEqual({ only: null });
  });

  it('reports unchanged and skipped without writing a version or an event', async () => {
    const store = await open();
    await store.save(jane, item('a', { payload: { n: 1 } }));
    expect(await store.save(jane, item('a', { payload: { n: 1.0 } }))).toMatchObject({ status: 'unchanged', version: 1 });
    expect(await store.save(jane, item('a', { payload: { n: 2 } }), { onConflict: 'skip' })).toMatchObject({
      status: 'skipped',
      version: 1,
    });
    expect((await store.get(jane, key('a')))?.payload).toEqual({ n: 1 });
    expect(await events(store)).toHaveLength(1);
  });

  it('fails without writing: already_exists, version_conflict, not_found', async () => {
    const store = await open();
    const { id } = await store.save(jane, item('a'));
    expect(await errorOf(store.save(jane, item('a'), { onConflict: 'error' }))).toEqual({
      code: 'already_exists',
      message: 'object crm/a (platform, tenant acme) already exists (version 1)',
      key: { tenantId: 'acme', type: 'object', namespace: 'crm', scope: 'platform', name: 'a' },
      existingId: id,
      actualVersion: 1,
    });
    expect(await errorOf(store.save(jane, item('a', { payload: { changed: true } }), { expectedVersion: 7 }))).toMatchObject({
      code: 'version_conflict',
      expectedVersion: 7,
      actualVersion: 1,
      key: { name: 'a' },
    });
    expect(await errorOf(store.save(jane, item('b'), { onConflict: 'replace', expectedVersion: 1 }))).toEqual({
      code: 'not_found',
      message: 'no item object crm/b (platform, tenant acme)',
      expectedVersion: 1,
    });
    expect(await store.get(jane, key('b'))).toBeNull();
    expect((await store.get(jane, key('a')))?.payload).toEqual({ label: 'a' });
    expect(await events(store)).toHaveLength(1);
  });

  it('is not_found for an expectedVersion of an item deleted since', async () => {
    const store = await open();
    await store.save(jane, item('a'));
    await store.delete(jane, key('a'));
    expect(await errorOf(store.save(jane, item('a'), { expectedVersion: 1 }))).toMatchObject({ code: 'not_found', expectedVersion: 1 });
  });

  it('computes the result of a dry run and writes nothing', async () => {
    const store = await open();
    const created = await store.save(jane, item('a'), { dryRun: true });
    expect(created).toMatchObject({ status: 'created', version: 1, dryRun: true });
    expect(await store.get(jane, key('a'))).toBeNull();
    await store.save(jane, item('a'));
    expect(await store.save(jane, item('a', { payload: { x: 1 } }), { dryRun: true })).toMatchObject({
      status: 'updated',
      version: 2,
      dryRun: true,
    });
    expect(await store.get(jane, key('a'))).toMatchObject({ version: 1, payload: { label: 'a' } });
    expect(await events(store)).toHaveLength(1);
  });

  it('refuses the runtime fields and a second version precondition on the item', async () => {
    const store = await open();
    expect(await errorOf(store.save(jane, { ...item('a'), version: 4 } as MetadataRecordWriteInput))).toMatchObject({
      code: 'invalid_input',
      issues: [{ path: [], code: 'unrecognized_keys' }],
    });
    expect(await errorOf(store.save(jane, item('a', { expectedVersion: 1 })))).toMatchObject({
      code: 'invalid_input',
      issues: [{ path: ['expectedVersion'], code: 'custom' }],
    });
    expect(await errorOf(store.save(jane, item('a'), { onConflict: 'skip', expectedVersion: 1 }))).toMatchObject({
      issues: [{ path: ['onConflict'], rule: 'expected_version_requires_update_or_replace' }],
    });
    expect(await errorOf(store.save({ actor: 'x', readTenants: [] }, item('a')))).toMatchObject({ issues: [{ path: ['readTenants'] }] });
    expect(await events(store)).toHaveLength(0);
  });
});

describe('tenants, scopes and owners (R36 to R40)', () => {
  const twoTenants: MetadataCallContextInput = { actor: 'jane@acme', readTenants: ['acme', 'globex'], writeTenants: ['acme', 'globex'] };

  it('writes to the named writable tenant, or to the only writable one', async () => {
    const store = await open();
    await store.save(jane, item('a', { tenantId: undefined }));
    expect(await store.get(jane, key('a'))).toMatchObject({ tenantId: 'acme' });
    expect(await errorOf(store.save(jane, item('a', { tenantId: 'globex' })))).toMatchObject({
      code: 'forbidden',
      reason: 'tenant_not_writable',
    });
    const readOnly = { ...jane, writeTenants: [] };
    expect(await errorOf(store.save(readOnly, item('b', { tenantId: undefined })))).toMatchObject({
      code: 'forbidden',
      reason: 'tenant_not_writable',
    });
    expect(await errorOf(store.save(twoTenants, item('b', { tenantId: undefined })))).toMatchObject({
      code: 'invalid_input',
      issues: [{ path: ['tenantId'] }],
    });
  });

  it('hides other tenants: get finds nothing, a write is forbidden', async () => {
    const store = await open();
    await store.save(twoTenants, item('a', { tenantId: 'globex' }));
    expect(await store.get(jane, { ...key('a'), tenantId: 'globex' })).toBeNull();
    expect(await errorOf(store.delete(jane, { ...key('a'), tenantId: 'globex' }))).toMatchObject({ reason: 'tenant_not_writable' });
  });

  it('lets a runtime caller read but not write system-scope items; an operator may', async () => {
    const store = await open();
    expect(await errorOf(store.save(jane, item('a', { scope: 'system' })))).toMatchObject({
      code: 'forbidden',
      reason: 'system_scope_read_only',
    });
    await store.save(operator, item('a', { scope: 'system' }));
    const systemKey = { ...key('a'), scope: 'system' as const };
    expect(await store.get(jane, systemKey)).toMatchObject({ scope: 'system', createdBy: 'deploy-bot' });
    for (const call of [store.archive(jane, systemKey), store.restore(jane, systemKey), store.delete(jane, systemKey)]) {
      expect(await errorOf(call)).toMatchObject({ reason: 'system_scope_read_only' });
    }
    expect(await store.archive(operator, systemKey)).toMatchObject({ status: 'updated' });
  });

  it('serves a user-scope item to its owner alone, unless the caller administers users', async () => {
    const store = await open();
    const mine = item('view', { scope: 'user', owner: 'jane@acme' });
    await store.save(jane, mine);
    const userKey = { ...key('view'), scope: 'user' as const, owner: 'jane@acme' };
    expect(await store.get(jane, userKey)).toMatchObject({ owner: 'jane@acme' });
    expect(await store.get(bob, userKey)).toBeNull();
    expect((await store.query(bob, {})).records).toEqual([]);
    expect(await store.get({ ...bob, administersUsers: true }, userKey)).toMatchObject({ owner: 'jane@acme' });
    expect(await errorOf(store.save(bob, mine))).toMatchObject({ code: 'forbidden', reason: 'not_owner' });
    expect(await errorOf(store.delete(bob, userKey))).toMatchObject({ reason: 'not_owner' });
    expect(await store.save({ ...bob, administersUsers: true }, { ...mine, payload: { x: 1 } })).toMatchObject({ status: 'updated' });
  });
});

describe('archive, restore and delete', () => {
  it('archive and restore write a version and their event; a no-op is unchanged', async () => {
    const store = await open();
    await store.save(jane, item('a'));
    expect(await store.archive(jane, key('a'))).toMatchObject({ status: 'updated', version: 2, previousVersion: 1 });
    expect(await store.archive(jane, key('a'))).toMatchObject({ status: 'unchanged', version: 2 });
    expect(await store.restore(jane, key('a'), { expectedVersion: 2 })).toMatchObject({ status: 'updated', version: 3 });
    expect(await store.restore(jane, key('a'))).toMatchObject({ status: 'unchanged', version: 3 });
    const feed = await events(store);
    expect(feed.map((event) => event.operation)).toEqual(['create', 'archive', 'restore']);
    const archived = feed[1]!;
    if (archived.operation !== 'archive') throw new Error('expected an archive event');
    expect(archived.checksumBefore).toBe(archived.checksumAfter);
  });

  it('delete removes the item with its event; a missing item is not_found, another version a conflict', async () => {
    const store = await open();
    const { id } = await store.save(jane, item('a'));
    expect(await errorOf(store.delete(jane, key('a'), { expectedVersion: 2 }))).toMatchObject({
      code: 'version_conflict',
      actualVersion: 1,
    });
    expect(await store.delete(jane, key('a'), { dryRun: true })).toEqual({ id, version: 1, dryRun: true });
    expect(await store.get(jane, key('a'))).not.toBeNull();
    expect(await store.delete(jane, key('a'), { actor: 'svc@acme' })).toEqual({ id, version: 1, dryRun: false });
    expect(await store.get(jane, key('a'))).toBeNull();
    expect(await errorOf(store.delete(jane, key('a')))).toMatchObject({ code: 'not_found' });
    expect(await errorOf(store.archive(jane, key('a'), { expectedVersion: 1 }))).toMatchObject({ code: 'not_found', expectedVersion: 1 });
    expect((await events(store)).at(-1)).toMatchObject({ operation: 'delete', recordId: id, version: 1, actor: 'svc@acme' });
  });
});

describe('change feed (R33 to R35)', () => {
  const both: MetadataCallContextInput = { actor: 'jane@acme', readTenants: ['acme', 'globex'], writeTenants: ['acme', 'globex'] };

  it('numbers each tenant from 1 without gaps, one event per committed change', async () => {
    const store = await open();
    const tenants = ['acme', 'globex', 'acme', 'acme', 'globex'];
    for (const [i, tenantId] of tenants.entries()) await store.save(both, item(`n${i}`, { tenantId }));
    const acme = await store.changes(both, { tenantId: 'acme' });
    const globex = await store.changes(both, { tenantId: 'globex' });
    expect(MetadataChangeFeedPageSchema.parse(acme)).toEqual(acme);
    expect(acme.events.map((event) => event.sequence)).toEqual([1, 2, 3]);
    expect(globex.events.map((event) => event.sequence)).toEqual([1, 2]);
    expect(acme.events.every((event) => event.key.tenantId === 'acme')).toBe(true);
  });

  it('pages by afterSequence and limit, with lastSequence and hasMore', async () => {
    const store = await open();
    for (const name of ['a', 'b', 'c', 'd', 'e']) await store.save(jane, item(name));
    expect(await store.changes(jane, { afterSequence: 1, limit: 2 })).toMatchObject({
      tenantId: 'acme',
      lastSequence: 3,
      hasMore: true,
      events: [{ sequence: 2 }, { sequence: 3 }],
    });
    expect(await store.changes(jane, { afterSequence: 3, limit: 2 })).toMatchObject({ lastSequence: 5, hasMore: false });
    expect(await store.changes(jane, { afterSequence: 5 })).toEqual({ tenantId: 'acme', events: [], lastSequence: 5, hasMore: false });
  });

  it('confines a reader to readable tenants and needs a tenant among several', async () => {
    const store = await open();
    expect(await errorOf(store.changes(jane, { tenantId: 'globex' }))).toMatchObject({ code: 'forbidden', reason: 'tenant_not_readable' });
    expect(await errorOf(store.changes(both, {}))).toMatchObject({ code: 'invalid_input', issues: [{ path: ['tenantId'] }] });
  });

  it('tells a follower behind the retention, or ahead of the feed, to resync', async () => {
    const store = await open({ changeFeedRetention: 2 });
    for (const name of ['a', 'b', 'c', 'd']) await store.save(jane, item(name));
    expect(await errorOf(store.changes(jane, { afterSequence: 1 }))).toMatchObject({ code: 'resync_needed', latestSequence: 4 });
    expect(await store.changes(jane, { afterSequence: 2 })).toMatchObject({ events: [{ sequence: 3 }, { sequence: 4 }] });
    expect(await errorOf(store.changes(jane, { afterSequence: 9 }))).toMatchObject({ code: 'resync_needed', latestSequence: 4 });
  });

  it('gives events the key, id, version, checksums, actor, time and transaction of the change', async () => {
    const store = await open();
    const created = await store.save(jane, item('a', { payload: { v: 1 } }), { actor: 'svc@acme' });
    await store.save(jane, item('a', { payload: { v: 2 } }));
    const [create, update] = await events(store);
    expect(create).toEqual({
      sequence: 1,
      operation: 'create',
      key: { tenantId: 'acme', type: 'object', namespace: 'crm', scope: 'platform', name: 'a' },
      recordId: created.id,
      version: 1,
      actor: 'svc@acme',
      occurredAt: '2026-01-31T09:30:00.000Z',
      transactionId: 'tx_0000000001',
      checksumAfter: payloadChecksum({ v: 1 }),
    });
    expect(update).toMatchObject({
      operation: 'update',
      version: 2,
      checksumBefore: payloadChecksum({ v: 1 }),
      checksumAfter: payloadChecksum({ v: 2 }),
      actor: 'jane@acme',
      transactionId: 'tx_0000000002',
    });
  });

  it('is shared by two clients of one database', async () => {
    const database = new MemoryDatabase();
    const first = await open({ database });
    const second = await open({ database });
    await first.save(jane, item('a'));
    await second.save(jane, item('b'));
    expect((await events(first)).map((event) => event.sequence)).toEqual([1, 2]);
  });
});
