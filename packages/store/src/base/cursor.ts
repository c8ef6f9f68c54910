/**
 * Page cursors (R25): opaque unpadded base64url text holding the last
 * record's sort values and id and a fingerprint of the query it belongs to,
 * signed with HMAC-SHA256 under a random secret of the store. A cursor that
 * was altered, forged, issued by another store or presented with another
 * query fails with invalid_cursor. It carries no access rights: the caller's
 * context decides what a page may hold, whatever the cursor says.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { checksumOf } from './checksum';
import { fail } from './failure';
import type { Position, SortValue } from './sort';

const FORMAT_VERSION = 1;
const MAC_BYTES = 32;
const MAX_CURSOR_LENGTH = 2048;

/** A new random signing secret (32 bytes). */
export function createCursorSecret(): Buffer {
  return randomBytes(32);
}

/**
 * The fingerprint of what a cursor is bound to: a hash of the RFC 8785 form
 * of `parts` (the parsed filters, sort, includeArchived, resolveInheritance
 * for a load, and the caller's tenant set). pageSize is left out on purpose:
 * it may change from one page to the next.
 */
export function queryFingerprint(parts: Record<string, unknown>): string {
  return checksumOf(parts).slice('sha256:'.length);
}

interface CursorBody {
  /** Format version. */
  v: number;
  /** Query fingerprint. */
  q: string;
  /** Sort values of the last record. */
  k: SortValue[];
  /** Id of the last record. */
  i: string;
}

function invalidCursor(): never {
  // The message never repeats the cursor (R44).
  fail({ code: 'invalid_cursor', message: 'the cursor was not issued by this store for this query' });
}

const isSortValue = (value: unknown): value is SortValue =>
  value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));

/** Issues and verifies the cursors of one store. */
export class CursorCodec {
  readonly #secret: Buffer;

  constructor(secret: Buffer = createCursorSecret()) {
    this.#secret = Buffer.from(secret);
  }

  #mac(body: Buffer): Buffer {
    return createHmac('sha256', this.#secret).update(body).digest();
  }

  /** The cursor of the page after `position`, for the query with `fingerprint`. */
  issue(position: Position, fingerprint: string): string {
    const body: CursorBody = { v: FORMAT_VERSION, q: fingerprint, k: position.values, i: position.id };
    const json = Buffer.from(JSON.stringify(body), 'utf8');
    const cursor = Buffer.concat([this.#mac(json), json]).toString('base64url');
    if (cursor.length > MAX_CURSOR_LENGTH) throw new RangeError('cursor longer than 2048 characters');
    return cursor;
  }

  /**
   * The position a cursor continues after, once its signature and its
   * fingerprint are checked against this store's secret and the query it is
   * presented with (`fingerprint`) and its sort (`sortKeys` values).
   */
  verify(cursor: string, fingerprint: string, sortKeys: number): Position {
    const bytes = Buffer.from(cursor, 'base64url');
    // Base64url decoding skips characters it does not know; a cursor that does not round-trip was not ours.
    if (bytes.toString('base64url') !== cursor || bytes.length <= MAC_BYTES) invalidCursor();
    const mac = bytes.subarray(0, MAC_BYTES);
    const json = bytes.subarray(MAC_BYTES);
    if (!timingSafeEqual(mac, this.#mac(json))) invalidCursor();
    let body: unknown;
    try {
      body = JSON.parse(json.toString('utf8'));
    } catch {
      invalidCursor();
    }
    const { v, q, k, i } = (body ?? {}) as Partial<CursorBody>;
    if (v !== FORMAT_VERSION || q !== fingerprint || typeof i !== 'string') invalidCursor();
    if (!Array.isArray(k) || k.length !== sortKeys || !k.every(isSortValue)) invalidCursor();
    return { values: k, id: i };
  }
}
