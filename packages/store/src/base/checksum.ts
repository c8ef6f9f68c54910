/**
 * Checksums (R13, R16): "sha256:" and the hex SHA-256 of the RFC 8785 (JCS)
 * form of a JSON value, from the `canonicalize` package and node:crypto.
 */
import { createHash } from 'node:crypto';
import type { JsonObject, MetadataRecord } from '@metasource/spec';
import canonicalize from 'canonicalize';
import { keyOf } from './record';

/** The RFC 8785 serialisation of a JSON value. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('canonicalJson: the value has no JSON form');
  return text;
}

/** Hex SHA-256 of a text's UTF-8 bytes. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** "sha256:" and the hex SHA-256 of a value's RFC 8785 form. */
export function checksumOf(value: unknown): string {
  return `sha256:${sha256Hex(canonicalJson(value))}`;
}

/** A record's checksum: of its payload alone, as stored (R13). No envelope field is covered. */
export function payloadChecksum(payload: JsonObject): string {
  return checksumOf(payload);
}

/**
 * One record's entry in a load page's checksum: its key, state, tags,
 * extends (when set), mergeStrategy and payload checksum; no id, version or
 * audit field, so two loaders serving the same items agree (R16). The
 * payload checksum is computed from the record's payload (the effective one
 * when inheritance was resolved), not copied from its checksum field.
 */
export function contentProjection(record: MetadataRecord) {
  return {
    key: keyOf(record),
    state: record.state,
    tags: record.tags,
    ...(record.extends !== undefined ? { extends: record.extends } : {}),
    mergeStrategy: record.mergeStrategy,
    checksum: payloadChecksum(record.payload),
  };
}

/** The checksum of a load page: of the array of its records' content projections, in result order (R16). */
export function pageChecksum(records: readonly MetadataRecord[]): string {
  return checksumOf(records.map(contentProjection));
}
