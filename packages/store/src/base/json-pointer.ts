/**
 * Payload paths: `payload` followed by an RFC 6901 JSON Pointer
 * (`payload/columns/0/name`), decoded into keys and evaluated exactly as RFC
 * 6901 says, with no implicit traversal of arrays (R7).
 */
import type { JsonValue } from '@metasource/spec';
import { isJsonObject } from './compare';

const PAYLOAD_PREFIX = 'payload/';

/** An array index segment: decimal digits without a leading zero, or "0". "01", "-1" and "-" are not indexes. */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

/** Whether a condition field names a path into the payload rather than a record field. */
export function isPayloadPath(field: string): boolean {
  return field.startsWith(PAYLOAD_PREFIX);
}

/**
 * Decodes one pointer segment: `~1` stands for "/" and `~0` for "~", replaced
 * in that order (so `~01` is the key "~1"). Undefined when a `~` is followed
 * by anything but 0 or 1, which RFC 6901 does not allow.
 */
export function decodePointerSegment(segment: string): string | undefined {
  if (/~(?![01])/.test(segment)) return undefined;
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}

/**
 * The keys of a payload path (`payload/a~1b/0` -> ["a/b", "0"]), or undefined
 * when the field is not a payload path or a segment is empty or badly
 * escaped. The schema has already rejected those; this is the one decoder.
 */
export function decodePayloadPath(field: string): string[] | undefined {
  if (!isPayloadPath(field)) return undefined;
  const segments = field.slice(PAYLOAD_PREFIX.length).split('/');
  const keys: string[] = [];
  for (const segment of segments) {
    if (segment.length === 0) return undefined;
    const key = decodePointerSegment(segment);
    if (key === undefined) return undefined;
    keys.push(key);
  }
  return keys;
}

/**
 * Evaluates decoded keys against a JSON value (RFC 6901): on an object a key
 * names one of its own properties; on an array a canonical index selects
 * that element; anything else, including a key applied to a string or
 * number, resolves to nothing. Undefined means the field is absent.
 */
export function evaluatePointer(value: JsonValue, keys: readonly string[]): JsonValue | undefined {
  let current: JsonValue | undefined = value;
  for (const key of keys) {
    if (Array.isArray(current)) {
      if (!ARRAY_INDEX.test(key)) return undefined;
      const index = Number(key);
      current = index < current.length ? current[index] : undefined;
    } else if (isJsonObject(current)) {
      current = Object.hasOwn(current, key) ? current[key] : undefined;
    } else {
      return undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}
