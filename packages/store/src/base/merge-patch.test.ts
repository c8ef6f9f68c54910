import type { JsonValue } from '@metasource/spec';
import { describe, expect, it } from 'vitest';
import { mergePatch } from './merge-patch';

describe('mergePatch (RFC 7396)', () => {
  // RFC 7396, Appendix A: every example, target / patch / result.
  const examples: [JsonValue, JsonValue, JsonValue][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];

  it.each(examples)('applies %j with %j', (target, patch, result) => {
    expect(mergePatch(target, patch)).toEqual(result);
  });

  it('merges the guide example: null removes a key, objects merge, arrays replace', () => {
    const stored = {
      label: 'Account',
      fields: { name: { type: 'text', maxLength: 120 }, fax: { type: 'text' } },
      columns: ['name', 'fax'],
    };
    const patch = { label: 'Customer account', fields: { fax: null, name: { maxLength: 200 } }, columns: ['name'] };
    expect(mergePatch(stored, patch)).toEqual({
      label: 'Customer account',
      fields: { name: { type: 'text', maxLength: 200 } },
      columns: ['name'],
    });
  });

  it('changes neither argument', () => {
    const target = { a: { b: 1 }, c: [1] };
    const patch = { a: { b: null, d: 2 } };
    const before = structuredClone({ target, patch });
    mergePatch(target, patch);
    expect({ target, patch }).toEqual(before);
  });

  it('sets a "__proto__" key as data, never as the prototype', () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}}') as JsonValue;
    const result = mergePatch({}, patch) as Record<string, unknown>;
    expect(Object.hasOwn(result, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
