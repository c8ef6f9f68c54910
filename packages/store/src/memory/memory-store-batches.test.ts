/**
 * The memory store's many-item calls: bulk operations (R8), import (R17),
 * export, and migrate.
 */
import { MetadataOperationResultSchema, type MetadataRecord } from '@metasource/spec';
import { describe, expect, it } from 'vitest';
import type { MemoryStore } from './memory-store';
import { errorOf, item, jane, key, open, operator } from './testing';

const feed = async (store: MemoryStore) => (await store.changes(jane, { limit: 1000 })).events;
const stored = async (store: MemoryStore) => (await store.query(jane, { includeArchived: true, sort: [{ field: 'name' }] })).records;
const statuses = (result: { items: { status: string }[] }) => result.items.map((entry) => entry.status);

async function collect(iterable: AsyncIterable<MetadataRecord>): Promise<MetadataRecord[]> {
  const records: MetadataRecord[] = [];
  for await (const record of iterable) records.push(record);
  return records;
}

describe('bulk (R8)', () => {
  it('writes all or nothing when transactional: a failure rolls back every item and its events', async () => {
    const store = await open();
    await store.save(jane, item('c'));
    const result = await store.bulk(jane, { operation: 'create', records: [item('a'), item('b'), item('c'), item('d')] });
    expect(MetadataOperationResultSchema.parse(result)).toEqual(result);
    expect(result).toMatchObject({ dryRun: false, committed: false });
    expect(statuses(result)).toEqual(['created', 'created', 'failed', 'not_attempted']);
    expect(result.items[2]).toMatchObject({ id: expect.any(String), error: { code: 'already_exists', actualVersion: 1 } });
    expect((await stored(store)).map((r) => r.name)).toEqual(['c']);
    expect(await feed(store)).toHaveLength(1);
    // The sequence the rolled-back events would have used is the next one given: no gap.
    await store.save(jane, item('e'));
    expect((await feed(store)).map((event) => event.sequence)).toEqual([1, 2]);
  });

  it('commits a transactional bulk in one transaction: its events share one transactionId', async () => {
    const store = await open();
    const result = await store.bulk(jane, { operation: 'create', records: [item('a'), item('b')], batchSize: 1 });
    expect(result).toMatchObject({
      committed: true,
      items: [
        { status: 'created', version: 1 },
        { status: 'created', version: 1 },
      ],
    });
    const events = await feed(store);
    expect(new Set(events.map((event) => event.transactionId)).size).toBe(1);
  });

  it('commits batch by batch otherwise; without continueOnError it stops at the first failure', async () => {
    const store = await open();
    await store.save(jane, item('c'));
    const result = await store.bulk(jane, {
      operation: 'create',
      records: [item('a'), item('b'), item('c'), item('d')],
      transactional: false,
      batchSize: 2,
    });
    expect(result).toMatchObject({ committed: true });
    expect(statuses(result)).toEqual(['created', 'created', 'failed', 'not_attempted']);
    expect((await stored(store)).map((r) => r.name)).toEqual(['a', 'b', 'c']);
    const events = await feed(store);
    expect(events[1]!.transactionId).toBe(events[2]!.transactionId);
  });

  it('keeps going past failures with continueOnError, one transaction per batch', async () => {
    const store = await open();
    await store.save(jane, item('b'));
    const result = await store.bulk(jane, {
      operation: 'create',
      records: [item('a'), item('b'), item('c'), item('d')],
      transactional: false,
      continueOnError: true,
      batchSize: 2,
    });
    expect(statuses(result)).toEqual(['created', 'failed', 'created', 'created']);
    const events = (await feed(store)).slice(1);
    expect(events.map((event) => event.key.name)).toEqual(['a', 'c', 'd']);
    expect(events[0]!.transactionId).not.toBe(events[1]!.transactionId);
    expect(events[1]!.transactionId).toBe(events[2]!.transactionId);
  });

  it('checks every item in a dry run, each seeing the ones before it, and writes nothing', async () => {
    const store = await open();
    const result = await store.bulk(jane, {
      operation: 'create',
      records: [item('a'), item('a')],
      transactional: false,
      continueOnError: true,
      dryRun: true,
    });
    expect(result).toMatchObject({ dryRun: true, committed: false });
    expect(statuses(result)).toEqual(['created', 'failed']);
    expect(await stored(store)).toEqual([]);
    expect(await feed(store)).toEqual([]);
  });

  it('upserts: creates or replaces, each guarded by its expectedVersion', async () => {
    const store = await open();
    await store.save(jane, item('a', { payload: { x: 1, y: 2 }, tags: ['t'] }));
    const result = await store.bulk(jane, {
      operation: 'upsert',
      records: [item('a', { payload: { x: 3 }, expectedVersion: 1 }), item('b'), item('a', { payload: { x: 4 }, expectedVersion: 1 })],
      transactional: false,
      continueOnError: true,
    });
    expect(result.items).toMatchObject([
      { status: 'replaced', version: 2 },
      { status: 'created', version: 1 },
      { status: 'failed', error: { code: 'version_conflict', expectedVersion: 1, actualVersion: 2 } },
    ]);
    expect(await store.get(jane, key('a'))).toMatchObject({ payload: { x: 3 }, tags: ['t'] });
    expect((await store.bulk(jane, { operation: 'upsert', records: [item('z', { expectedVersion: 1 })] })).items[0]).toMatchObject({
      status: 'failed',
      error: { code: 'not_found', expectedVersion: 1 },
    });
  });

  it('updates and deletes by id, with not_found for ids the caller cannot see', async () => {
    const store = await open();
    const a = await store.save(jane, item('a'));
    const b = await store.save(jane, item('b'));
    const other = await store.save({ ...jane, readTenants: ['globex'], writeTenants: ['globex'] }, item('a', { tenantId: 'globex' }));
    const update = await store.bulk(jane, {
      operation: 'update',
      changes: [
        { id: a.id, expectedVersion: 1, set: { state: 'deprecated', tags: ['old'] } },
        { id: other.id, expectedVersion: 1, set: { state: 'draft' } },
        { id: b.id, expectedVersion: 3, set: { state: 'draft' } },
      ],
      transactional: false,
      continueOnError: true,
    });
    expect(update.items).toMatchObject([
      { index: 0, id: a.id, status: 'updated', version: 2 },
      { index: 1, status: 'failed', error: { code: 'not_found', message: `no item ${other.id}`, expectedVersion: 1 } },
      { index: 2, id: b.id, status: 'failed', error: { code: 'version_conflict', expectedVersion: 3, actualVersion: 1 } },
    ]);
    expect(update.items[1]).not.toHaveProperty('id');
    const removed = await store.bulk(jane, {
      operation: 'delete',
      ids: [{ id: a.id, expectedVersion: 2 }, { id: b.id }, { id: b.id }],
      transactional: false,
      continueOnError: true,
    });
    expect(removed.items).toMatchObject([
      { status: 'deleted', version: 2 },
      { status: 'deleted', version: 1 },
      { status: 'failed', error: { code: 'not_found' } },
    ]);
    expect(await stored(store)).toEqual([]);
    expect((await feed(store)).map((event) => event.operation)).toEqual(['create', 'create', 'update', 'delete', 'delete']);
  });

  it('refuses the whole operation, before writing anything, when one item is forbidden', async () => {
    const store = await open();
    const sys = await store.save(operator, item('s', { scope: 'system' }));
    expect(await errorOf(store.bulk(jane, { operation: 'create', records: [item('a'), item('b', { scope: 'system' })] }))).toMatchObject({
      code: 'forbidden',
      reason: 'system_scope_read_only',
    });
    expect(
      await errorOf(store.bulk(jane, { operation: 'delete', ids: [{ id: sys.id }], transactional: false, continueOnError: true })),
    ).toMatchObject({ reason: 'system_scope_read_only' });
    expect(
      await errorOf(
        store.bulk(jane, { operation: 'upsert', records: [item('a'), item('b', { tenantId: 'globex' })], transactional: false }),
      ),
    ).toMatchObject({ reason: 'tenant_not_writable' });
    expect((await stored(store)).map((r) => r.name)).toEqual(['s']);
  });

  it('needs a tenant on every item when several are writable', async () => {
    const store = await open();
    const both = { actor: 'jane@acme', readTenants: ['acme', 'globex'], writeTenants: ['acme', 'globex'] };
    expect(
      await errorOf(
        store.bulk(both, {
          operation: 'create',
          records: [item('a'), item('b', { tenantId: undefined }), item('c', { tenantId: undefined })],
        }),
      ),
    ).toMatchObject({
      code: 'invalid_input',
      issues: [{ path: ['records', 1, 'tenantId'] }, { path: ['records', 2, 'tenantId'] }],
    });
    expect(await errorOf(store.bulk(jane, { operation: 'create', records: [item('a', { expectedVersion: 1 })] }))).toMatchObject({
      issues: [{ path: ['records'], rule: 'create_has_no_expected_version' }],
    });
  });
});

describe('export', () => {
  it('streams the visible records in tenant, type, namespace, scope, owner, name order', async () => {
    const store = await open();
    await store.save(jane, item('b'));
    await store.save(jane, item('a', { type: 'view' }));
    await store.save(jane, item('a'));
    await store.save(jane, item('a', { scope: 'user', owner: 'jane@acme' }));
    await store.save({ ...jane, actor: 'bob@acme' }, item('a', { scope: 'user', owner: 'bob@acme' }));
    await store.save(operator, item('a', { scope: 'system' }));
    await store.save(jane, item('old'));
    await store.archive(jane, key('old'));
    const records = await collect(store.export(jane));
    expect(records.map((r) => `${r.type}/${r.scope}/${r.owner ?? '-'}/${r.name}`)).toEqual([
      'object/platform/-/a',
      'object/platform/-/b',
      'object/system/-/a',
      'object/user/jane@acme/a',
      'view/platform/-/a',
    ]);
    expect(records[0]).toHaveProperty('createdAt');
    const admin = await collect(store.export({ ...operator, administersUsers: true }, { includeArchived: true, includeAudit: false }));
    expect(admin.map((r) => `${r.scope}/${r.owner ?? '-'}/${r.name}`)).toEqual([
      'platform/-/a',
      'platform/-/b',
      'platform/-/old',
      'system/-/a',
      'user/bob@acme/a',
      'user/jane@acme/a',
      'platform/-/a',
    ]);
    for (const record of admin) {
      for (const field of ['createdAt', 'createdBy', 'updatedAt', 'updatedBy']) expect(record).not.toHaveProperty(field);
    }
  });

  it('checks its inputs when iterated, and refuses history it cannot return', async () => {
    const store = await open();
    const iterator = store.export(jane, { format: 'xml' } as never)[Symbol.asyncIterator]();
    expect(await errorOf(iterator.next())).toMatchObject({ code: 'invalid_input', issues: [{ path: ['format'] }] });
    expect(await errorOf(collect(store.export(jane, { includeHistory: true })))).toMatchObject({
      code: 'unsupported_capability',
      capability: 'export_history',
    });
  });
});

describe('import (R17)', () => {
  it('is for operators only', async () => {
    const store = await open();
    expect(await errorOf(store.import(jane, [{ type: 'object', name: 'a', payload: {}, tenantId: 'acme' }]))).toMatchObject({
      code: 'forbidden',
      reason: 'operator_only',
    });
  });

  it('round-trips an export into another store, which then loads the same page checksum', async () => {
    const source = await open();
    await source.save(operator, item('account', { scope: 'system', payload: { label: 'Account', n: 1 } }));
    await source.save(jane, item('account', { extends: 'account', tags: ['crm'], payload: { label: 'Customer' } }));
    await source.save(jane, item('contact', { state: 'draft' }));
    const target = await open();
    const result = await target.import(operator, source.export(operator));
    expect(MetadataOperationResultSchema.parse(result)).toEqual(result);
    expect(statuses(result)).toEqual(['created', 'created', 'created']);
    expect((await target.load(jane)).checksum).toBe((await source.load(jane)).checksum);
    // The exported ids were free in the target, so they were kept.
    expect((await stored(target)).map((r) => r.id).sort()).toEqual((await stored(source)).map((r) => r.id).sort());
  });

  it('sets its own version, checksum and audit fields unless preserveVersions keeps the version', async () => {
    const store = await open();
    const record = {
      tenantId: 'acme',
      type: 'object',
      namespace: 'crm',
      name: 'a',
      payload: { v: 1 },
      version: 7,
      checksum: `sha256:${'0'.repeat(64)}`,
      createdAt: '2020-01-01T00:00:00Z',
      createdBy: 'someone',
    };
    await store.import(operator, [record]);
    expect(await store.get(jane, key('a'))).toMatchObject({ version: 1, createdBy: 'deploy-bot', createdAt: '2026-01-31T09:30:00.000Z' });
    const restored = await open();
    await restored.import(operator, [record], { preserveVersions: true });
    expect((await restored.get(jane, key('a')))?.version).toBe(7);
    expect((await restored.get(jane, key('a')))?.checksum).not.toBe(record.checksum);
  });

  it('handles conflicts as asked: error, skip, update (merge), replace', async () => {
    const store = await open();
    await store.save(jane, item('a', { payload: { x: 1, y: 2 }, tags: ['t'] }));
    const incoming = [{ tenantId: 'acme', type: 'object', namespace: 'crm', name: 'a', payload: { y: null, z: 3 } }];
    expect((await store.import(operator, incoming)).items[0]).toMatchObject({
      status: 'failed',
      error: { code: 'already_exists', actualVersion: 1 },
    });
    expect((await store.import(operator, incoming, { onConflict: 'skip' })).items[0]).toMatchObject({ status: 'skipped', version: 1 });
    expect((await store.import(operator, incoming, { onConflict: 'update' })).items[0]).toMatchObject({ status: 'updated', version: 2 });
    // Every envelope field of an imported record counts as given: tags [] replaces ['t'].
    expect(await store.get(jane, key('a'))).toMatchObject({ payload: { x: 1, z: 3 }, tags: [] });
    expect((await store.import(operator, incoming, { onConflict: 'replace' })).items[0]).toMatchObject({ status: 'replaced', version: 3 });
    expect((await store.get(jane, key('a')))?.payload).toEqual({ y: null, z: 3 });
  });

  it('imports all or none when atomic, and per batch otherwise', async () => {
    const store = await open();
    await store.save(jane, item('b'));
    const records = ['a', 'b', 'c'].map((name) => ({ tenantId: 'acme', type: 'object', namespace: 'crm', name, payload: {} }));
    const atomic = await store.import(operator, records);
    expect(atomic).toMatchObject({ committed: false });
    expect(statuses(atomic)).toEqual(['created', 'failed', 'not_attempted']);
    expect((await stored(store)).map((r) => r.name)).toEqual(['b']);
    const loose = await store.import(operator, records, { atomic: false, continueOnError: true });
    expect(statuses(loose)).toEqual(['created', 'failed', 'created']);
    expect((await stored(store)).map((r) => r.name)).toEqual(['a', 'b', 'c']);
  });

  it('reads async iterables, checks every record first, and writes nothing in a dry run', async () => {
    const store = await open();
    async function* records() {
      yield { tenantId: 'acme', type: 'object', namespace: 'crm', name: 'a', payload: {} };
      yield { tenantId: 'acme', type: 'object', name: 'Bad Name', payload: {} };
    }
    expect(await errorOf(store.import(operator, records()))).toMatchObject({
      code: 'invalid_input',
      issues: [{ path: [1, 'name'] }],
    });
    expect(await stored(store)).toEqual([]);
    const dry = await store.import(operator, [{ tenantId: 'acme', type: 'object', name: 'a', payload: {} }], { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, committed: false, items: [{ status: 'created' }] });
    expect(await stored(store)).toEqual([]);
    expect(await errorOf(store.import(operator, 42 as never))).toMatchObject({ code: 'invalid_input' });
  });

  it('refuses an id that belongs to another item', async () => {
    const store = await open();
    const { id } = await store.save(jane, item('a'));
    const result = await store.import(operator, [{ id, tenantId: 'acme', type: 'object', name: 'other', payload: {} }], { atomic: false });
    expect(result.items[0]).toMatchObject({ status: 'failed', error: { code: 'constraint_violation' } });
  });

  it('confines imports to writable tenants and to owners unless administering users', async () => {
    const store = await open();
    expect(await errorOf(store.import(operator, [{ tenantId: 'globex', type: 'object', name: 'a', payload: {} }]))).toMatchObject({
      reason: 'tenant_not_writable',
    });
    const userItem = { tenantId: 'acme', type: 'view', name: 'a', scope: 'user' as const, owner: 'bob@acme', payload: {} };
    expect(await errorOf(store.import(operator, [userItem]))).toMatchObject({ reason: 'not_owner' });
    expect(statuses(await store.import({ ...operator, administersUsers: true }, [userItem]))).toEqual(['created']);
  });
});

describe('migrate', () => {
  it('has nothing to migrate and never pretends to run explicit steps', async () => {
    const store = await open();
    expect(await store.migrate(jane)).toEqual({ steps: [], atomic: true, applied: false });
    expect(await store.migrate(operator, { dryRun: false })).toEqual({ steps: [], atomic: true, applied: false });
    expect(await errorOf(store.migrate(jane, { dryRun: false }))).toMatchObject({ code: 'forbidden', reason: 'operator_only' });
    expect(
      await errorOf(
        store.migrate(operator, { steps: [{ type: 'backup', table: '_framework_metadata', backupTable: '_framework_metadata_bak' }] }),
      ),
    ).toMatchObject({ code: 'unsupported_capability', capability: 'schema_migration' });
  });
});
