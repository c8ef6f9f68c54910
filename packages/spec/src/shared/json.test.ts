import { describe, expect, it } from 'vitest';
import { issuesOf } from '../testing';
import { JsonObjectSchema, JsonValueSchema } from './json.zod';

describe('JsonValueSchema and JsonObjectSchema', () => {
  it('keep every JSON value as it is, constructor keys and non-ASCII included', () => {
    const value = JSON.parse('{"a": [1, 2.5, "é😀", null, true, {"constructor": {"b": []}}]}');
    expect(JsonObjectSchema.parse(value)).toEqual(value);
    expect(JsonValueSchema.parse(value)).toEqual(value);
    expect(JsonValueSchema.parse('text')).toBe('text');
  });

  it('reject a __proto__ key at any depth instead of dropping it', () => {
    const value = JSON.parse('{"a": [{"__proto__": {"polluted": true}}]}');
    expect(issuesOf(JsonObjectSchema, value)).toEqual([{ path: ['a', 0, '__proto__'], code: 'custom' }]);
    expect(issuesOf(JsonValueSchema, value)).toEqual([{ path: ['a', 0, '__proto__'], code: 'custom' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['an array as an object', [], 'invalid_type'],
    ['a string as an object', 'x', 'invalid_type'],
  ])('JsonObjectSchema rejects %s', (_name, input, code) => {
    expect(issuesOf(JsonObjectSchema, input)).toEqual([{ path: [], code }]);
  });

  it.each([undefined, Number.NaN, Number.POSITIVE_INFINITY, () => 1, new Date(0)])(
    'JsonValueSchema rejects %s, which JSON cannot hold',
    (input) => {
      expect(JsonValueSchema.safeParse(input).success).toBe(false);
    },
  );
});
