import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TextSyntaxError, parseJson } from './json-parser';

describe('parseJson', () => {
  it('gives the values JSON.parse gives, for any JSON text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        expect(parseJson(text).value).toEqual(JSON.parse(text));
        expect(parseJson(text, { positions: true }).value).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps escapes, numbers and a __proto__ key exactly as JSON.parse does', () => {
    const text = '{"s": "a\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00", "n": [-0, 1e2, 1.5E-3, 12345678901234567890], "__proto__": {"x": 1}}';
    const value = parseJson(text).value as Record<string, unknown>;
    expect(value).toEqual(JSON.parse(text));
    expect(Object.keys(value)).toEqual(['s', 'n', '__proto__']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it('refuses what JSON refuses: comments, single quotes, leading zeros, control characters, NaN', () => {
    for (const text of ['{"a": 1 // c\n}', "{'a': 1}", '[01]', '["a\tb"]', '[NaN]', '[+1]', '[1.]', '{"a" 1}', '[1 2]', 'tru', '"\\x41"']) {
      expect(() => parseJson(text), text).toThrow(TextSyntaxError);
    }
  });

  it('records where each value and key starts', () => {
    const { root } = parseJson('{"a": [10, {"b": true}]}', { positions: true });
    const a = root!.entries!.get('a')!;
    expect(a.keyOffset).toBe(1);
    expect(a.node.offset).toBe(6);
    expect(a.node.items![1]!.entries!.get('b')!.node.offset).toBe(17);
  });

  it('refuses nesting deeper than its limit with an error, not a stack overflow', () => {
    expect(() => parseJson('['.repeat(5000) + ']'.repeat(5000))).toThrow(/nested more than/);
  });
});
