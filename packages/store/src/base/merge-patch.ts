/**
 * JSON Merge Patch (RFC 7396), used twice with one meaning: a save with
 * onConflict "update" patches the stored payload with the written one, and an
 * item with mergeStrategy "merge" patches its resolved parent's payload (R38).
 */
import type { JsonObject, JsonValue } from '@metasource/spec';
import { isJsonObject } from './compare';

/** Sets an own property, even one called `__proto__`, without touching the prototype. */
function setOwn(target: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The result of applying `patch` to `target` (RFC 7396): when the patch is
 * an object, objects merge key by key, recursively, and a `null` in the patch
 * removes that key; any other patch (array, scalar, null) replaces the target
 * whole. Neither argument is changed; the result shares unchanged subtrees
 * with them, so treat it as read-only or clone it.
 */
export function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return patch;
  const result: JsonObject = {};
  if (isJsonObject(target)) {
    for (const key of Object.keys(target)) setOwn(result, key, target[key]!);
  }
  for (const key of Object.keys(patch)) {
    const value = patch[key]!;
    if (value === null) delete result[key];
    else setOwn(result, key, mergePatch(Object.hasOwn(result, key) ? result[key] : undefined, value));
  }
  return result;
}

/** mergePatch of two objects, which is always an object. */
export function mergePatchObject(target: JsonObject, patch: JsonObject): JsonObject {
  return mergePatch(target, patch) as JsonObject;
}
