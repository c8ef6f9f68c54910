/**
 * What a filter means (decisions items 3 and 8, R7): every filter given must
 * match; a list matches any of its values, tags all of theirs; conditions
 * compare type-strictly, strings by code point, createdAt and updatedAt as
 * instants, payload paths as RFC 6901 pointers; archived records only when
 * asked for.
 */
import type { JsonValue, MetadataQueryCondition, MetadataQueryFilters, MetadataRecord } from '@metasource/spec';
import { compareInstants, compareOrdered, containsCodePoints, jsonEqual, startsWithCodePoints } from './compare';
import { decodePayloadPath, evaluatePointer, isPayloadPath } from './json-pointer';

/** Record fields whose conditions compare instants, not text. */
const INSTANT_FIELDS: ReadonlySet<string> = new Set(['createdAt', 'updatedAt']);

/** The value a condition tests: a record field, or what a payload path resolves to; undefined when absent. */
export function fieldValue(record: MetadataRecord, field: string): JsonValue | undefined {
  if (isPayloadPath(field)) {
    const keys = decodePayloadPath(field);
    return keys ? evaluatePointer(record.payload, keys) : undefined;
  }
  if (!Object.hasOwn(record, field)) return undefined;
  return (record as unknown as Record<string, JsonValue | undefined>)[field];
}

/** Whether a condition on `field` depends on the payload, which inheritance changes (payload paths and checksum). */
export function dependsOnPayload(field: string): boolean {
  return isPayloadPath(field) || field === 'checksum';
}

const absentOrNull = (value: JsonValue | undefined) => value === undefined || value === null;

/** eq: a null value matches an absent or null field; any other value only a field of its JSON type that equals it. */
function equals(field: string, actual: JsonValue | undefined, value: JsonValue): boolean {
  if (value === null) return absentOrNull(actual);
  if (actual === undefined) return false;
  if (INSTANT_FIELDS.has(field)) {
    return typeof actual === 'string' && typeof value === 'string' && compareInstants(actual, value) === 0;
  }
  return jsonEqual(actual, value);
}

/** The order of a field against a value for gt, gte, lt and lte; undefined when they do not compare (never matches). */
function order(field: string, actual: JsonValue | undefined, value: string | number): number | undefined {
  if (INSTANT_FIELDS.has(field)) {
    return typeof actual === 'string' && typeof value === 'string' ? compareInstants(actual, value) : undefined;
  }
  return compareOrdered(actual, value);
}

/** Whether one condition matches a record, as the guide's table "operator x JSON type" says. */
export function matchesCondition(record: MetadataRecord, condition: MetadataQueryCondition): boolean {
  const { field } = condition;
  const actual = fieldValue(record, field);
  switch (condition.operator) {
    case 'eq':
      return equals(field, actual, condition.value);
    case 'ne':
      return !equals(field, actual, condition.value);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const c = order(field, actual, condition.value);
      if (c === undefined) return false;
      if (condition.operator === 'gt') return c > 0;
      if (condition.operator === 'gte') return c >= 0;
      if (condition.operator === 'lt') return c < 0;
      return c <= 0;
    }
    case 'in':
      return condition.value.some((value) => equals(field, actual, value));
    case 'not_in':
      return !condition.value.some((value) => equals(field, actual, value));
    case 'contains':
      if (typeof actual === 'string') return containsCodePoints(actual, condition.value);
      if (Array.isArray(actual)) return actual.some((element) => element === condition.value);
      return false;
    case 'starts_with':
      return typeof actual === 'string' && startsWithCodePoints(actual, condition.value);
    case 'exists':
      return condition.value ? !absentOrNull(actual) : absentOrNull(actual);
  }
}

/** A single value or a list: matches when the record's value is any of them. */
function anyOf(wanted: string | readonly string[] | undefined, actual: string | undefined): boolean {
  if (wanted === undefined) return true;
  if (actual === undefined) return false;
  return typeof wanted === 'string' ? wanted === actual : wanted.includes(actual);
}

/** Whether the filters' state rule admits a record: the state filter when given, else archived only with includeArchived. */
export function admitsState(record: MetadataRecord, filters: MetadataQueryFilters, includeArchived: boolean): boolean {
  if (filters.state !== undefined) return anyOf(filters.state, record.state);
  return includeArchived || record.state !== 'archived';
}

export interface FilterOptions {
  /** Include archived records when the filters name no state. */
  includeArchived: boolean;
  /**
   * Skip conditions that depend on the payload (payload paths, checksum):
   * used before inheritance is resolved, when every other filter already
   * sees the envelope the resolved item will have.
   */
  envelopeOnly?: boolean;
}

/** Whether a record matches every filter given (AND). */
export function matchesFilters(record: MetadataRecord, filters: MetadataQueryFilters, options: FilterOptions): boolean {
  if (!anyOf(filters.type, record.type)) return false;
  if (!anyOf(filters.name, record.name)) return false;
  if (!anyOf(filters.namespace, record.namespace)) return false;
  if (!anyOf(filters.scope, record.scope)) return false;
  if (!admitsState(record, filters, options.includeArchived)) return false;
  if (filters.owner !== undefined && record.owner !== filters.owner) return false;
  if (filters.tenantId !== undefined && record.tenantId !== filters.tenantId) return false;
  if (filters.tags !== undefined && !filters.tags.every((tag) => record.tags.includes(tag))) return false;
  if (filters.updatedAfter !== undefined) {
    const c = record.updatedAt === undefined ? undefined : compareInstants(record.updatedAt, filters.updatedAfter);
    if (c === undefined || c <= 0) return false;
  }
  if (filters.updatedBefore !== undefined) {
    const c = record.updatedAt === undefined ? undefined : compareInstants(record.updatedAt, filters.updatedBefore);
    if (c === undefined || c >= 0) return false;
  }
  for (const condition of filters.conditions ?? []) {
    if (options.envelopeOnly && dependsOnPayload(condition.field)) continue;
    if (!matchesCondition(record, condition)) return false;
  }
  return true;
}
