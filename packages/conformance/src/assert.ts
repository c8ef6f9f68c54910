import { MetadataStoreErrorSchema, type MetadataStoreError, type MetadataStoreErrorCode } from '@metasource/spec';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { AuditFailure } from './audit';

/** Fails the audit with `message` unless `condition` holds. */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AuditFailure(message);
}

/** Canonical JSON (RFC 8785) of a value, for comparisons and messages. */
export function canonical(value: unknown): string {
  return canonicalize(value) ?? 'undefined';
}

/**
 * The protocol's checksum of a JSON value: "sha256:" and the hex SHA-256 of
 * its RFC 8785 form (R13 for a payload, R16 for a load page's projection).
 */
export function checksumOf(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonical(value), 'utf8').digest('hex')}`;
}

/** Fails unless `actual` and `expected` are equal JSON values (key order ignored). */
export function checkEqual(actual: unknown, expected: unknown, what: string): void {
  const a = canonical(actual);
  const e = canonical(expected);
  check(a === e, `${what}: expected ${shorten(e)}, got ${shorten(a)}`);
}

/** The store error a rejected call carries, or undefined when the rejection is not a typed store failure. */
export function storeErrorOf(reason: unknown): MetadataStoreError | undefined {
  if (!reason || typeof reason !== 'object') return undefined;
  const candidate = reason as { name?: unknown; error?: unknown };
  if (candidate.name !== 'MetadataStoreFailure') return undefined;
  const parsed = MetadataStoreErrorSchema.safeParse(candidate.error);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Awaits `call`, which must reject with a typed store failure of `code`
 * (a MetadataStoreFailure whose `error` is a valid MetadataStoreError), and
 * returns that error. Resolving, or rejecting with anything else, fails the audit.
 */
export async function expectStoreError<C extends MetadataStoreErrorCode>(
  call: Promise<unknown>,
  code: C,
  what: string,
): Promise<Extract<MetadataStoreError, { code: C }>> {
  let outcome: { resolved: unknown } | { rejected: unknown };
  try {
    outcome = { resolved: await call };
  } catch (reason) {
    outcome = { rejected: reason };
  }
  if ('resolved' in outcome) {
    throw new AuditFailure(`${what}: expected a ${code} error, but the call succeeded with ${shorten(canonical(outcome.resolved))}`);
  }
  const error = storeErrorOf(outcome.rejected);
  if (!error) {
    const text = outcome.rejected instanceof Error ? `${outcome.rejected.name}: ${outcome.rejected.message}` : String(outcome.rejected);
    throw new AuditFailure(`${what}: expected a typed ${code} error (MetadataStoreFailure), got an untyped rejection: ${shorten(text)}`);
  }
  check(error.code === code, `${what}: expected a ${code} error, got ${error.code}: ${shorten(error.message)}`);
  return error as Extract<MetadataStoreError, { code: C }>;
}

function shorten(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}
