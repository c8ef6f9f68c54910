import { MetadataCursorSchema } from '@metasource/spec';
import { describe, expect, it } from 'vitest';
import { CursorCodec, queryFingerprint } from './cursor';
import { MetadataStoreFailure } from './failure';

const position = { values: ['account', 3, null], id: 'rec_0000000042' };
const fingerprint = queryFingerprint({
  read: 'query',
  filters: { type: 'object' },
  sort: [],
  includeArchived: false,
  readTenants: ['acme'],
});

function invalidCursor(run: () => unknown): void {
  try {
    run();
  } catch (thrown) {
    expect(thrown).toBeInstanceOf(MetadataStoreFailure);
    expect((thrown as MetadataStoreFailure).error).toEqual({
      code: 'invalid_cursor',
      message: 'the cursor was not issued by this store for this query',
    });
    return;
  }
  throw new Error('expected invalid_cursor');
}

describe('CursorCodec (R25)', () => {
  const codec = new CursorCodec();

  it('issues an opaque cursor that the schema accepts and verify gives back the position', () => {
    const cursor = codec.issue(position, fingerprint);
    expect(MetadataCursorSchema.safeParse(cursor).success).toBe(true);
    expect(codec.verify(cursor, fingerprint, 3)).toEqual(position);
  });

  it('rejects a cursor presented with another query', () => {
    const cursor = codec.issue(position, fingerprint);
    const other = queryFingerprint({ read: 'query', filters: { type: 'field' }, sort: [], includeArchived: false, readTenants: ['acme'] });
    invalidCursor(() => codec.verify(cursor, other, 3));
    invalidCursor(() => codec.verify(cursor, fingerprint, 2));
  });

  it('rejects a cursor of another store (another secret)', () => {
    invalidCursor(() => new CursorCodec().verify(codec.issue(position, fingerprint), fingerprint, 3));
  });

  it('rejects every altered cursor', () => {
    const cursor = codec.issue(position, fingerprint);
    for (const index of [0, 10, 43, cursor.length - 2]) {
      const flipped = cursor.slice(0, index) + (cursor[index] === 'A' ? 'B' : 'A') + cursor.slice(index + 1);
      invalidCursor(() => codec.verify(flipped, fingerprint, 3));
    }
    invalidCursor(() => codec.verify(cursor.slice(0, -1), fingerprint, 3));
    invalidCursor(() => codec.verify(`${cursor}A`, fingerprint, 3));
  });

  it('rejects a forged cursor with a readable body', () => {
    const body = Buffer.from(JSON.stringify({ v: 1, q: fingerprint, k: ['account', 3, null], i: 'rec_1' }));
    invalidCursor(() => codec.verify(Buffer.concat([Buffer.alloc(32), body]).toString('base64url'), fingerprint, 3));
    invalidCursor(() => codec.verify('eyJpIjoiNDIifQ', fingerprint, 3));
    invalidCursor(() => codec.verify('A', fingerprint, 3));
  });

  it('accepts a cursor of the same secret in another codec (another client of the same data)', () => {
    const secret = Buffer.alloc(32, 7);
    const cursor = new CursorCodec(secret).issue(position, fingerprint);
    expect(new CursorCodec(secret).verify(cursor, fingerprint, 3)).toEqual(position);
  });
});

describe('queryFingerprint', () => {
  it('depends on the content, not on key order', () => {
    expect(queryFingerprint({ a: 1, b: [1, 2] })).toBe(queryFingerprint({ b: [1, 2], a: 1 }));
    expect(queryFingerprint({ a: 1 })).not.toBe(queryFingerprint({ a: 2 }));
    expect(queryFingerprint({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });
});
