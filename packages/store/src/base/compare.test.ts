import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareCodePoints,
  compareInstants,
  compareOrdered,
  containsCodePoints,
  jsonEqual,
  jsonTypeOf,
  parseInstant,
  startsWithCodePoints,
} from './compare';

const sign = (n: number) => Math.sign(n);

describe('compareCodePoints', () => {
  it('orders by code point where UTF-16 code units disagree', () => {
    // U+FFFF is one unit, U+1F600 the surrogate pair D83D DE00: JavaScript's < puts the emoji first.
    expect('\u{1F600}' < '\uFFFF').toBe(true);
    expect(compareCodePoints('\uFFFF', '\u{1F600}')).toBe(-1);
    expect(compareCodePoints('\u{1F600}', '\uFFFF')).toBe(1);
    expect(compareCodePoints('\uE000', '\u{10000}')).toBe(-1);
  });

  it('is binary: case-sensitive, no normalisation, a prefix first', () => {
    expect(compareCodePoints('B', 'a')).toBe(-1);
    expect(compareCodePoints('a', 'A')).toBe(1);
    expect(compareCodePoints('\u00e9', 'e\u0301')).toBe(1);
    expect(compareCodePoints('ab', 'abc')).toBe(-1);
    expect(compareCodePoints('abc', 'ab')).toBe(1);
    expect(compareCodePoints('', '')).toBe(0);
    expect(compareCodePoints('x\u{1F600}', 'x\u{1F600}')).toBe(0);
  });

  it('agrees with the order of UTF-8 bytes for every well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        const bytes = Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
        expect(sign(compareCodePoints(a, b))).toBe(sign(bytes));
      }),
      { seed: 9, numRuns: 500 },
    );
  });

  it('keeps a total order with lone surrogates (each its own code point)', () => {
    expect(compareCodePoints('\uD800', '\uDC00')).toBe(-1);
    expect(compareCodePoints('\uD800', '\uD800')).toBe(0);
    expect(compareCodePoints('\uDBFF', '\u{10000}')).toBe(-1);
  });
});

describe('containsCodePoints and startsWithCodePoints', () => {
  it('match whole code points, never half a surrogate pair', () => {
    expect('\u{1F600}'.includes('\uD83D')).toBe(true);
    expect(containsCodePoints('a\u{1F600}b', '\uD83D')).toBe(false);
    expect(containsCodePoints('a\u{1F600}b', '\u{1F600}b')).toBe(true);
    expect(startsWithCodePoints('\u{1F600}x', '\uD83D')).toBe(false);
    expect(startsWithCodePoints('\u{1F600}x', '\u{1F600}')).toBe(true);
  });

  it('are case-sensitive and literal', () => {
    expect(containsCodePoints('Account', 'acc')).toBe(false);
    expect(containsCodePoints('100%_done', '%_')).toBe(true);
    expect(containsCodePoints('abc', 'a.c')).toBe(false);
    expect(startsWithCodePoints('ab', 'abc')).toBe(false);
  });
});

describe('jsonEqual', () => {
  it('compares numbers numerically: 1 and 1.0 are one number', () => {
    expect(jsonEqual(JSON.parse('1.0') as number, 1)).toBe(true);
    expect(jsonEqual(1e2, 100)).toBe(true);
    expect(jsonEqual(0, -0)).toBe(true);
  });

  it('never mixes JSON types', () => {
    expect(jsonEqual('1', 1)).toBe(false);
    expect(jsonEqual(true, 1)).toBe(false);
    expect(jsonEqual(null, false)).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
    expect(jsonEqual(null, undefined)).toBe(false);
    expect(jsonEqual(undefined, undefined)).toBe(true);
  });

  it('compares objects key by key in any order, arrays in order', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2.0 }], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ toString: 1 }, { valueOf: 1 })).toBe(false);
  });

  it('names JSON types', () => {
    expect([null, true, 1, 'a', [], {}].map(jsonTypeOf)).toEqual(['null', 'boolean', 'number', 'string', 'array', 'object']);
  });
});

describe('compareOrdered', () => {
  it('orders only string with string and number with number', () => {
    expect(compareOrdered(2, 10)).toBe(-1);
    expect(compareOrdered('2', '10')).toBe(1);
    expect(compareOrdered('\uFFFF', '\u{1F600}')).toBe(-1);
    expect(compareOrdered('1', 1)).toBeUndefined();
    expect(compareOrdered(null, 1)).toBeUndefined();
    expect(compareOrdered(undefined, 'a')).toBeUndefined();
    expect(compareOrdered(true, false)).toBeUndefined();
  });
});

describe('instants', () => {
  it('compare across offsets', () => {
    expect(compareInstants('2026-01-01T01:00:00+01:00', '2026-01-01T00:00:00Z')).toBe(0);
    expect(compareInstants('2026-01-01T00:30:00-01:00', '2026-01-01T01:00:00Z')).toBe(1);
  });

  it('keep fractions beyond milliseconds and ignore trailing zeros', () => {
    expect(compareInstants('2026-01-01T00:00:00.0001Z', '2026-01-01T00:00:00Z')).toBe(1);
    expect(compareInstants('2026-01-01T00:00:00.10Z', '2026-01-01T00:00:00.1Z')).toBe(0);
    expect(compareInstants('2026-01-01T00:00:00.123Z', '2026-01-01T00:00:00.1229999Z')).toBe(1);
  });

  it('read years below 100 as themselves, not as 19xx', () => {
    expect(compareInstants('0050-01-01T00:00:00Z', '1950-01-01T00:00:00Z')).toBe(-1);
    expect(parseInstant('1970-01-01T00:00:01.5Z')).toEqual({ seconds: 1, fraction: '5' });
  });

  it('are undefined for text that is no date-time', () => {
    expect(parseInstant('2026-01-01')).toBeUndefined();
    expect(compareInstants('yesterday', '2026-01-01T00:00:00Z')).toBeUndefined();
  });
});
