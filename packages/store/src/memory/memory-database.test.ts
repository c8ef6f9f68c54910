import { describe, expect, it } from 'vitest';
import { payloadChecksum } from '../base/checksum';
import { keyOf, type StoredRecord } from '../base/record';
import { MemoryDatabase, type MemoryTransaction } from './memory-database';

const record = (id: string, name: string, tenantId = 'acme'): StoredRecord => ({
  id,
  type: 'object',
  name,
  namespace: 'crm',
  scope: 'platform',
  state: 'active',
  payload: {},
  mergeStrategy: 'merge',
  tenantId,
  version: 1,
  checksum: payloadChecksum({}),
  tags: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'a',
  updatedAt: '2026-01-01T00:00:00.000Z',
  updatedBy: 'a',
});

function create(tx: MemoryTransaction, stored: StoredRecord, retention?: number) {
  tx.put(stored);
  return tx.append(
    stored.tenantId,
    {
      operation: 'create',
      key: keyOf(stored),
      recordId: stored.id,
      version: 1,
      actor: 'a',
      occurredAt: stored.createdAt,
      transactionId: tx.transactionId,
      checksumAfter: stored.checksum,
    },
    retention,
  );
}

describe('MemoryDatabase', () => {
  it('numbers each tenant feed from 1, without gaps, whatever the other tenants do', () => {
    const db = new MemoryDatabase();
    const tx = db.begin();
    const sequences = [
      create(tx, record('r1', 'a', 'acme')),
      create(tx, record('r2', 'a', 'globex')),
      create(tx, record('r3', 'b', 'acme')),
      create(tx, record('r4', 'b', 'globex')),
      create(tx, record('r5', 'c', 'acme')),
    ].map((event) => [event.key.tenantId, event.sequence]);
    expect(sequences).toEqual([
      ['acme', 1],
      ['globex', 1],
      ['acme', 2],
      ['globex', 2],
      ['acme', 3],
    ]);
    db.commit(tx);
    expect(db.feed('acme').events.map((event) => event.sequence)).toEqual([1, 2, 3]);
    expect(db.feed('globex').latestSequence).toBe(2);
    expect(db.feed('initech')).toEqual({ latestSequence: 0, events: [] });
  });

  it('shows nothing of a transaction until commit, and nothing at all of one dropped', () => {
    const db = new MemoryDatabase();
    const dropped = db.begin();
    create(dropped, record('r1', 'a'));
    expect(dropped.recordById('r1')).toBeDefined();
    expect(db.recordById('r1')).toBeUndefined();
    // Never committed: the next transaction starts from the committed state, sequence 1 unused so far.
    const next = db.begin();
    expect(create(next, record('r2', 'b')).sequence).toBe(1);
    db.commit(next);
    expect(db.records().map((r) => r.id)).toEqual(['r2']);
  });

  it('refuses to commit a transaction begun on an older state', () => {
    const db = new MemoryDatabase();
    const first = db.begin();
    const second = db.begin();
    create(first, record('r1', 'a'));
    db.commit(first);
    create(second, record('r2', 'b'));
    expect(() => db.commit(second)).toThrow(/no longer current/);
  });

  it('keeps the key unique and the id of a record stable', () => {
    const db = new MemoryDatabase();
    const tx = db.begin();
    tx.put(record('r1', 'a'));
    expect(() => tx.put(record('r2', 'a'))).toThrow(/same key/);
    expect(() => tx.put({ ...record('r1', 'b') })).toThrow(/cannot change its key/);
    tx.remove('r1');
    tx.put(record('r2', 'a'));
    db.commit(tx);
    expect(db.recordByKey(record('x', 'a'))?.id).toBe('r2');
  });

  it('keeps at most `retention` events, still numbering on', () => {
    const db = new MemoryDatabase();
    const tx = db.begin();
    for (let i = 1; i <= 5; i++) create(tx, record(`r${i}`, `n${i}`), 2);
    db.commit(tx);
    expect(db.feed('acme').events.map((event) => event.sequence)).toEqual([4, 5]);
    expect(db.feed('acme').latestSequence).toBe(5);
  });

  it('issues record ids in creation order, never one in use, and transaction ids that are not given back', () => {
    const db = new MemoryDatabase();
    const tx = db.begin();
    tx.put(record('rec_0000000002', 'taken'));
    expect(tx.newRecordId()).toBe('rec_0000000001');
    expect(tx.newRecordId()).toBe('rec_0000000003');
    expect(db.begin().transactionId).toBe('tx_0000000001');
    expect(db.begin().transactionId).toBe('tx_0000000002');
  });
});
