import {
  MetadataBulkOperationSchema,
  MetadataRecordSchema,
  MetadataRecordWriteSchema,
  type MetadataRecordInput,
  type MetadataRecordWriteInput,
} from '@metasource/spec';
import { describe, expect, it } from 'vitest';
import { payloadChecksum } from './checksum';
import type { StoredRecord } from './record';
import { planChange, planDelete, planImport, planStateChange, planWrite, toStoreError, type RecordChange, type WritePlan } from './write';

const stamp = { at: '2026-02-01T10:00:00.000Z', actor: 'jane@acme' };
const newId = () => 'rec_new';

const stored: StoredRecord = {
  id: 'rec_1',
  type: 'object',
  name: 'account',
  namespace: 'crm',
  scope: 'platform',
  state: 'active',
  payload: { label: 'Account', fields: { a: 1, b: 2 } },
  extends: 'account',
  mergeStrategy: 'merge',
  tenantId: 'acme',
  version: 4,
  checksum: payloadChecksum({ label: 'Account', fields: { a: 1, b: 2 } }),
  tags: ['crm'],
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'admin@acme',
  updatedAt: '2026-01-15T00:00:00.000Z',
  updatedBy: 'admin@acme',
};

const write = (input: Partial<MetadataRecordWriteInput> = {}) => ({
  ...MetadataRecordWriteSchema.parse({ type: 'object', name: 'account', namespace: 'crm', payload: { label: 'Account' }, ...input }),
  tenantId: 'acme',
});

const after = (plan: WritePlan) => {
  if (!('after' in plan)) throw new Error(`expected a written record, got ${plan.status}`);
  return plan.after;
};

describe('planWrite', () => {
  it('creates with version 1, the record defaults, the checksum and the audit fields', () => {
    const plan = planWrite(undefined, write(), { onConflict: 'update' }, stamp, newId);
    expect(plan.status).toBe('created');
    expect(after(plan)).toEqual({
      id: 'rec_new',
      type: 'object',
      name: 'account',
      namespace: 'crm',
      scope: 'platform',
      state: 'active',
      payload: { label: 'Account' },
      mergeStrategy: 'merge',
      tenantId: 'acme',
      version: 1,
      checksum: payloadChecksum({ label: 'Account' }),
      tags: [],
      createdAt: stamp.at,
      createdBy: stamp.actor,
      updatedAt: stamp.at,
      updatedBy: stamp.actor,
    });
    expect(MetadataRecordSchema.parse(after(plan))).toEqual(after(plan));
    expect(after(planWrite(undefined, write({ extends: null }), { onConflict: 'error' }, stamp, newId))).not.toHaveProperty('extends');
  });

  it('is not_found, not a create, when an expectedVersion names nothing stored', () => {
    const plan = planWrite(undefined, write(), { onConflict: 'update', expectedVersion: 3 }, stamp, newId);
    expect(plan).toMatchObject({ status: 'failed', error: { code: 'not_found', expectedVersion: 3 } });
  });

  it('is a version_conflict when the stored version differs, whatever onConflict', () => {
    for (const onConflict of ['update', 'replace'] as const) {
      expect(planWrite(stored, write(), { onConflict, expectedVersion: 3 }, stamp, newId)).toEqual({
        status: 'failed',
        before: stored,
        error: {
          code: 'version_conflict',
          message: 'stored version is 4, the write was based on version 3',
          expectedVersion: 3,
          actualVersion: 4,
        },
      });
    }
  });

  it('is already_exists with onConflict error, skipped with skip', () => {
    expect(planWrite(stored, write(), { onConflict: 'error' }, stamp, newId)).toMatchObject({
      status: 'failed',
      error: { code: 'already_exists', existingId: 'rec_1', actualVersion: 4 },
    });
    expect(planWrite(stored, write(), { onConflict: 'skip' }, stamp, newId)).toEqual({ status: 'skipped', before: stored });
  });

  it('update merges the payload (RFC 7396) and keeps envelope fields the write leaves out', () => {
    const plan = planWrite(
      stored,
      write({ payload: { fields: { b: null, c: 3 } } }),
      { onConflict: 'update', expectedVersion: 4 },
      stamp,
      newId,
    );
    expect(plan).toMatchObject({ status: 'updated', operation: 'update', before: stored });
    expect(after(plan)).toEqual({
      ...stored,
      payload: { label: 'Account', fields: { a: 1, c: 3 } },
      version: 5,
      checksum: payloadChecksum({ label: 'Account', fields: { a: 1, c: 3 } }),
      updatedAt: stamp.at,
      updatedBy: stamp.actor,
    });
  });

  it('replace takes the payload whole and the envelope fields given; extends null removes the parent', () => {
    const plan = planWrite(
      stored,
      write({ payload: { label: 'New', x: null }, state: 'draft', tags: [], extends: null, mergeStrategy: 'replace' }),
      { onConflict: 'replace' },
      stamp,
      newId,
    );
    expect(plan.status).toBe('replaced');
    const { extends: _parent, ...withoutParent } = stored;
    expect(after(plan)).toEqual({
      ...withoutParent,
      payload: { label: 'New', x: null },
      state: 'draft',
      tags: [],
      mergeStrategy: 'replace',
      version: 5,
      checksum: payloadChecksum({ label: 'New', x: null }),
      updatedAt: stamp.at,
      updatedBy: stamp.actor,
    });
  });

  it('is unchanged when the result has the stored content', () => {
    expect(planWrite(stored, write({ payload: { fields: { a: 1.0 } } }), { onConflict: 'update' }, stamp, newId).status).toBe('unchanged');
    expect(
      planWrite(stored, write({ payload: stored.payload, tags: ['crm'], extends: 'account' }), { onConflict: 'replace' }, stamp, newId)
        .status,
    ).toBe('unchanged');
    expect(
      planWrite(stored, write({ payload: stored.payload, tags: ['crm', 'crm'] }), { onConflict: 'replace' }, stamp, newId).status,
    ).toBe('replaced');
  });
});

describe('planChange (bulk update)', () => {
  const change = (input: object): RecordChange => {
    const op = MetadataBulkOperationSchema.parse({ operation: 'update', changes: [input] });
    if (op.operation !== 'update') throw new Error('expected an update');
    return op.changes[0]!;
  };

  it('sets the given fields as a new version', () => {
    const plan = planChange(stored, change({ id: 'rec_1', expectedVersion: 4, set: { state: 'deprecated', extends: null } }), stamp);
    expect(plan.status).toBe('updated');
    expect(after(plan)).toMatchObject({ state: 'deprecated', version: 5, payload: stored.payload });
    expect(after(plan)).not.toHaveProperty('extends');
  });

  it('is not_found for a missing id and a version_conflict for another version', () => {
    expect(planChange(undefined, change({ id: 'rec_9', expectedVersion: 2, set: { state: 'draft' } }), stamp)).toMatchObject({
      error: { code: 'not_found', message: 'no item rec_9', expectedVersion: 2 },
    });
    expect(planChange(stored, change({ id: 'rec_1', expectedVersion: 2, set: { state: 'draft' } }), stamp)).toMatchObject({
      error: { code: 'version_conflict', expectedVersion: 2, actualVersion: 4 },
    });
  });

  it('refuses a parent on a system item, and reports an unchanged result', () => {
    const systemItem: StoredRecord = { ...stored, scope: 'system', extends: undefined };
    expect(planChange(systemItem, change({ id: 'rec_1', expectedVersion: 4, set: { extends: 'x' } }), stamp)).toMatchObject({
      status: 'failed',
      error: { code: 'invalid', path: ['set', 'extends'] },
    });
    expect(planChange(stored, change({ id: 'rec_1', expectedVersion: 4, set: { state: 'active' } }), stamp).status).toBe('unchanged');
  });
});

describe('planDelete and planStateChange', () => {
  it('delete checks presence and the version given', () => {
    expect(planDelete(stored, 'rec_1', undefined)).toEqual({ status: 'deleted', before: stored });
    expect(planDelete(stored, 'rec_1', 3)).toMatchObject({ error: { code: 'version_conflict' } });
    expect(planDelete(undefined, 'rec_1', 3)).toMatchObject({ error: { code: 'not_found', expectedVersion: 3 } });
  });

  it('archive and restore are new versions with their own event; a no-op is unchanged', () => {
    const archived = planStateChange(stored, 'x', 'archive', 4, stamp);
    expect(archived).toMatchObject({ status: 'updated', operation: 'archive' });
    expect(after(archived)).toMatchObject({ state: 'archived', version: 5, checksum: stored.checksum });
    expect(planStateChange(after(archived), 'x', 'archive', undefined, stamp).status).toBe('unchanged');
    expect(planStateChange(after(archived), 'x', 'restore', undefined, stamp)).toMatchObject({
      status: 'updated',
      operation: 'restore',
      after: { state: 'active', version: 6 },
    });
    expect(planStateChange(stored, 'x', 'restore', undefined, stamp).status).toBe('unchanged');
    expect(planStateChange({ ...stored, state: 'draft' }, 'x', 'restore', undefined, stamp).status).toBe('unchanged');
    expect(planStateChange(stored, 'x', 'archive', 1, stamp)).toMatchObject({ error: { code: 'version_conflict' } });
  });
});

describe('planImport', () => {
  const imported = (input: Partial<MetadataRecordInput> = {}) =>
    MetadataRecordSchema.parse({
      type: 'object',
      name: 'account',
      namespace: 'crm',
      tenantId: 'acme',
      payload: { fields: { b: null } },
      version: 9,
      checksum: `sha256:${'0'.repeat(64)}`,
      createdAt: '2020-01-01T00:00:00Z',
      createdBy: 'someone',
      ...input,
    });

  it('never stores a supplied checksum or audit field; keeps the version only with preserveVersions', () => {
    const created = after(planImport(undefined, imported(), { onConflict: 'error', preserveVersions: false }, stamp, newId));
    expect(created).toMatchObject({
      version: 1,
      checksum: payloadChecksum({ fields: { b: null } }),
      createdAt: stamp.at,
      createdBy: stamp.actor,
    });
    expect(after(planImport(undefined, imported(), { onConflict: 'skip', preserveVersions: true }, stamp, newId)).version).toBe(9);
  });

  it('treats every envelope field as given on update, and merges the payload', () => {
    const plan = planImport(stored, imported(), { onConflict: 'update', preserveVersions: false }, stamp, newId);
    expect(after(plan)).toMatchObject({ payload: { label: 'Account', fields: { a: 1 } }, tags: [], version: 5 });
    expect(after(plan)).not.toHaveProperty('extends');
    expect(planImport(stored, imported(), { onConflict: 'error', preserveVersions: false }, stamp, newId)).toMatchObject({
      error: { code: 'already_exists', existingId: 'rec_1' },
    });
  });
});

describe('toStoreError', () => {
  it('adds the key to version_conflict and already_exists, not to not_found', () => {
    const key = { tenantId: 'acme', type: 'object', namespace: 'crm', scope: 'platform' as const, name: 'account' };
    expect(toStoreError({ code: 'version_conflict', message: 'm', expectedVersion: 1, actualVersion: 2 }, key)).toEqual({
      code: 'version_conflict',
      message: 'm',
      expectedVersion: 1,
      actualVersion: 2,
      key,
    });
    expect(toStoreError({ code: 'not_found', message: 'm' }, key)).toEqual({ code: 'not_found', message: 'm' });
  });
});
