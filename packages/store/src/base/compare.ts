/**
 * Comparisons as the protocol defines them (R7), the same on every driver:
 * strings by Unicode code point, JSON values type-strictly, numbers
 * numerically, date-times as instants.
 */
import type { JsonValue } from '@metasource/spec';

/** The JSON type of a value: what a condition's value and a field must share to compare (R7). */
export type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

export function jsonTypeOf(value: JsonValue): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    default:
      return 'object';
  }
}

/** Whether a value is a JSON object (not null, not an array). */
export function isJsonObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Orders two strings by Unicode code point: binary order, which is also the
 * order of their UTF-8 bytes (PostgreSQL `COLLATE "C"`, MySQL `utf8mb4_bin`,
 * SQLite `BINARY`). JavaScript's `<` compares UTF-16 code units instead, which
 * puts U+1F600 before U+FFFF; this never does. A lone surrogate counts as the
 * code point of its value, so the order stays total. Negative, 0 or positive.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(j)!;
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  if (i < a.length) return 1;
  if (j < b.length) return -1;
  return 0;
}

/** The code points of a string, one array element each (a lone surrogate is one element). */
export function codePoints(text: string): string[] {
  return Array.from(text);
}

/** Whether `text` contains `part` as a run of whole code points (case-sensitive, no normalisation). */
export function containsCodePoints(text: string, part: string): boolean {
  const haystack = codePoints(text);
  const needle = codePoints(part);
  if (needle.length === 0) return true;
  for (let start = 0; start + needle.length <= haystack.length; start++) {
    if (needle.every((point, k) => haystack[start + k] === point)) return true;
  }
  return false;
}

/** Whether `text` begins with the code points of `prefix`. */
export function startsWithCodePoints(text: string, prefix: string): boolean {
  const haystack = codePoints(text);
  const needle = codePoints(prefix);
  return needle.length <= haystack.length && needle.every((point, k) => haystack[k] === point);
}

/**
 * JSON equality: the same JSON type and the same value. Numbers compare
 * numerically (1.0 and 1 are one number in JSON), strings by code point,
 * arrays element by element in order, objects key by key whatever the key
 * order. "1" never equals 1. `undefined` (an absent field) equals only
 * `undefined`.
 */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const type = jsonTypeOf(a);
  if (type !== jsonTypeOf(b)) return false;
  switch (type) {
    case 'array': {
      const x = a as JsonValue[];
      const y = b as JsonValue[];
      return x.length === y.length && x.every((element, index) => jsonEqual(element, y[index]));
    }
    case 'object': {
      const x = a as { [key: string]: JsonValue };
      const y = b as { [key: string]: JsonValue };
      const keys = Object.keys(x);
      if (keys.length !== Object.keys(y).length) return false;
      return keys.every((key) => Object.hasOwn(y, key) && jsonEqual(x[key], y[key]));
    }
    default:
      // null, boolean, number, string: primitive equality (1 === 1.0; -0 === 0).
      return a === b;
  }
}

/**
 * The order of an ordering operator (gt, gte, lt, lte): defined only for a
 * string against a string (code point order) or a number against a number
 * (numeric order); undefined for every other pair, which then never matches.
 */
export function compareOrdered(a: JsonValue | undefined, b: JsonValue | undefined): number | undefined {
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

/** An RFC 3339 instant: whole seconds since the epoch (UTC) and the fraction's digits, trailing zeros removed. */
export interface Instant {
  seconds: number;
  fraction: string;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads an RFC 3339 date-time with a time zone (the DateTime schema's form)
 * as an instant, keeping every fraction digit, so that two date-times compare
 * exactly even beyond milliseconds. Undefined for any other text.
 */
export function parseInstant(text: string): Instant | undefined {
  const match = DATE_TIME.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', zone] = match;
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0 to 99 as 1900 to 1999.
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(Number(hour), Number(minute), Number(second), 0);
  let offsetSeconds = 0;
  if (zone !== 'Z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    offsetSeconds = sign * (Number(zone!.slice(1, 3)) * 3600 + Number(zone!.slice(4, 6)) * 60);
  }
  const seconds = date.getTime() / 1000 - offsetSeconds;
  if (!Number.isFinite(seconds)) return undefined;
  return { seconds, fraction: fraction.replace(/0+$/, '') };
}

/** Orders two instants. */
export function compareInstantValues(a: Instant, b: Instant): number {
  if (a.seconds !== b.seconds) return a.seconds < b.seconds ? -1 : 1;
  const width = Math.max(a.fraction.length, b.fraction.length);
  const x = a.fraction.padEnd(width, '0');
  const y = b.fraction.padEnd(width, '0');
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Orders two date-time strings as instants (any offset); undefined when
 * either is not a date-time.
 */
export function compareInstants(a: string, b: string): number | undefined {
  const x = parseInstant(a);
  const y = parseInstant(b);
  return x && y ? compareInstantValues(x, y) : undefined;
}
