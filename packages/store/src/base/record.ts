/**
 * Records as a store holds them: the complete envelope, keys, and the
 * content that decides whether a write changes anything.
 */
import { METADATA_RECORD_FIELDS, type MetadataRecord, type MetadataRecordKey } from '@metasource/spec';
import canonicalize from 'canonicalize';
import { jsonEqual } from './compare';

/** A record as stored: every field the runtime owns is set. */
export type StoredRecord = MetadataRecord & {
  id: string;
  checksum: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
};

/** The fields of a record key, enough to build one. */
export type KeyFields = Pick<MetadataRecord, 'tenantId' | 'type' | 'namespace' | 'scope' | 'owner' | 'name'>;

/** The unique key of a record, in MetadataRecordKey's field order, with owner only for user scope. */
export function keyOf(record: KeyFields): MetadataRecordKey {
  return {
    tenantId: record.tenantId,
    type: record.type,
    namespace: record.namespace,
    scope: record.scope,
    ...(record.owner !== undefined ? { owner: record.owner } : {}),
    name: record.name,
  };
}

/** A string that identifies a key, for maps and cache entries; two keys are equal exactly when these are. */
export function keyId(key: KeyFields): string {
  return canonicalize([key.tenantId, key.type, key.namespace, key.scope, key.owner ?? null, key.name])!;
}

/**
 * A key for people: "object crm/account (platform, tenant acme)". Keys are
 * identifiers, which the guide allows in messages and logs (R44); payloads
 * and filter values never appear.
 */
export function describeKey(key: KeyFields): string {
  const scope = key.scope === 'user' ? `user ${key.owner ?? '?'}` : key.scope;
  return `${key.type} ${key.namespace}/${key.name} (${scope}, tenant ${key.tenantId})`;
}

/** The record's fields in the schema's order, leaving out the absent optional ones (so canonical forms compare). */
export function orderRecord<R extends MetadataRecord>(record: R): R {
  const ordered: Record<string, unknown> = {};
  for (const field of METADATA_RECORD_FIELDS) {
    const value = record[field];
    if (value !== undefined) ordered[field] = value;
  }
  return ordered as R;
}

/**
 * Whether two records hold the same content: payload (JSON equality), state,
 * tags (the same list in the same order), extends and mergeStrategy. A write
 * whose result has the content of the stored record changes nothing and
 * reports unchanged.
 */
export function sameContent(a: MetadataRecord, b: MetadataRecord): boolean {
  return (
    jsonEqual(a.payload, b.payload) &&
    a.state === b.state &&
    jsonEqual(a.tags, b.tags) &&
    a.extends === b.extends &&
    a.mergeStrategy === b.mergeStrategy
  );
}

/** The record without its audit fields (createdAt, createdBy, updatedAt, updatedBy), for an export without them. */
export function withoutAudit(record: MetadataRecord): MetadataRecord {
  const { createdAt: _createdAt, createdBy: _createdBy, updatedAt: _updatedAt, updatedBy: _updatedBy, ...rest } = record;
  return rest;
}

/** A deep copy, so that nothing a caller does to a returned record reaches the store or its cache. */
export function copy<T>(value: T): T {
  return structuredClone(value);
}
