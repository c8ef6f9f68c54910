import { z } from 'zod';
import { define } from './registry';

/** A JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * Zod's record parser skips a `__proto__` key without a word, so a payload
 * could lose data silently; JSON Schema validators keep it. We reject the key
 * at any depth instead: before parsing (in Zod) and through `propertyNames`
 * (in JSON Schema), so both judge it the same way.
 */
const FORBIDDEN_KEY = '__proto__';
const forbiddenKeyMessage = `the key "${FORBIDDEN_KEY}" is not allowed in JSON data (prototype pollution guard)`;

function findForbiddenKey(value: unknown, path: (string | number)[]): (string | number)[] | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findForbiddenKey(value[i], [...path, i]);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      if (key === FORBIDDEN_KEY) return [...path, key];
      const found = findForbiddenKey((value as Record<string, unknown>)[key], [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

function rejectForbiddenKeys(value: unknown, ctx: z.RefinementCtx): unknown {
  const path = findForbiddenKey(value, []);
  if (path) ctx.addIssue({ code: 'custom', path, message: forbiddenKeyMessage, input: value });
  return value;
}

const jsonKey = () => z.string().regex(/^(?!__proto__$)/, { error: forbiddenKeyMessage });

const JsonValueInner: z.ZodType<JsonValue> = /* @__PURE__ */ (() =>
  z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(JsonValueInner), z.record(jsonKey(), JsonValueInner)])))();

/** Any JSON value; objects may not use the key `__proto__`. */
export const JsonValueSchema = /* @__PURE__ */ define('JsonValue', () =>
  (z.preprocess(rejectForbiddenKeys, JsonValueInner) as unknown as z.ZodType<JsonValue>).meta({
    description:
      'Any JSON value: string, finite number, boolean, null, array or object. Objects may not use the key "__proto__" at any depth.',
    examples: ['draft', 42, { label: 'Account' }],
  }),
);

/** A JSON object whose values are any JSON; open to any key but `__proto__`. */
export const JsonObjectSchema = /* @__PURE__ */ define('JsonObject', () =>
  (z.preprocess(rejectForbiddenKeys, z.record(jsonKey(), JsonValueInner)) as unknown as z.ZodType<JsonObject>).meta({
    description: 'A JSON object with any keys (except "__proto__", at any depth) and any JSON values.',
    examples: [{ label: 'Account', fields: { name: { type: 'text', required: true } } }],
  }),
);
