/**
 * Comparing two versions of an item, field by field. Items are matched by
 * their identity key; two versions differ when their payload checksums
 * differ or their content envelope does (state, tags, extends,
 * mergeStrategy). id, version, checksum and the audit fields are not
 * compared: an import assigns them anew. Each difference is a JSON Pointer
 * (RFC 6901) into the record, `/payload/fields/name/type` or `/state`, with
 * the value on each side (absent where that side has none).
 */
import type { JsonValue, MetadataRecord } from '@metasource/spec';
import type { FieldDifference } from './results';

/** The envelope fields that are content, compared besides the payload. */
export const COMPARED_ENVELOPE_FIELDS = ['state', 'tags', 'extends', 'mergeStrategy'] as const;

/** One JSON Pointer segment, escaped (`~` as `~0`, `/` as `~1`). */
export function pointerSegment(segment: string | number): string {
  return String(segment).replaceAll('~', '~0').replaceAll('/', '~1');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The differences between two JSON values, appended to `out`: objects key
 * by key (keys in code point order), arrays index by index (the elements
 * one side has beyond the other's length as removed or added), and any
 * other pair of unequal values at their path.
 */
export function jsonDifferences(before: unknown, after: unknown, path: string, out: FieldDifference[]): void {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(byCodePoint);
    for (const key of keys) {
      const inBefore = Object.hasOwn(before, key);
      const inAfter = Object.hasOwn(after, key);
      const at = `${path}/${pointerSegment(key)}`;
      if (inBefore && inAfter) jsonDifferences(before[key], after[key], at, out);
      else if (inBefore) out.push({ path: at, before: before[key] as JsonValue });
      else out.push({ path: at, after: after[key] as JsonValue });
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const shared = Math.min(before.length, after.length);
    for (let index = 0; index < shared; index++) jsonDifferences(before[index], after[index], `${path}/${index}`, out);
    for (let index = shared; index < before.length; index++) out.push({ path: `${path}/${index}`, before: before[index] as JsonValue });
    for (let index = shared; index < after.length; index++) out.push({ path: `${path}/${index}`, after: after[index] as JsonValue });
    return;
  }
  if (before !== after) out.push({ path, before: before as JsonValue, after: after as JsonValue });
}

/** Every difference between two versions of one item: the content envelope first, then the payload. */
export function recordDifferences(before: MetadataRecord, after: MetadataRecord): FieldDifference[] {
  const out: FieldDifference[] = [];
  for (const field of COMPARED_ENVELOPE_FIELDS) {
    const a = before[field];
    const b = after[field];
    if (a === undefined && b === undefined) continue;
    if (a === undefined) out.push({ path: `/${field}`, after: b as JsonValue });
    else if (b === undefined) out.push({ path: `/${field}`, before: a as JsonValue });
    else if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path: `/${field}`, before: a as JsonValue, after: b as JsonValue });
  }
  jsonDifferences(before.payload, after.payload, '/payload', out);
  return out;
}

/** What a side holds of an item, enough to tell whether another version differs. */
export interface ItemSummary {
  checksum: string;
  /** The content envelope, serialised. */
  envelope: string;
}

/** The summary of a record: the checksum of its payload (computed, not read from the record) and its content envelope. */
export function summarize(record: MetadataRecord, checksumOf: (value: unknown) => string): ItemSummary {
  return {
    checksum: checksumOf(record.payload),
    envelope: JSON.stringify(COMPARED_ENVELOPE_FIELDS.map((field) => record[field] ?? null)),
  };
}

/** Whether two summaries are of different versions. */
export function differs(a: ItemSummary, b: ItemSummary): boolean {
  return a.checksum !== b.checksum || a.envelope !== b.envelope;
}

/** A value as the text report shows it: JSON, shortened past `max` characters (the --json result has it whole). */
export function showValue(value: unknown, max = 120): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
