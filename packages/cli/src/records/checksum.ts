/**
 * The protocol's checksum (R13): "sha256:" and the hex SHA-256 of a JSON
 * value's RFC 8785 (JCS) form. JCS is ECMAScript's own serialisation with
 * object keys sorted by UTF-16 code units: numbers and strings exactly as
 * JSON.stringify writes them, no whitespace.
 */
import { createHash } from 'node:crypto';

/** The RFC 8785 serialisation of a JSON value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonicalJson: a number that is not finite has no JSON form');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
  }
  throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
}

/** "sha256:" and the hex SHA-256 of a value's RFC 8785 form. */
export function checksumOf(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex')}`;
}
