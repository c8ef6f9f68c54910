import { checksumOf as kitChecksumOf } from '@metasource/conformance';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, checksumOf } from './checksum';

describe('checksumOf', () => {
  it('is the protocol checksum (the conformance kit computes it with the canonicalize package)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(checksumOf(value)).toBe(kitChecksumOf(value));
      }),
      { numRuns: 300 },
    );
  });

  it('serialises as RFC 8785 does: keys by UTF-16 code units, shortest numbers, no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [1.5, 1e21, 1e-7, -0], é: 'x', '\u{1F600}': true, '\uFB33': null })).toBe(
      '{"a":[1.5,1e+21,1e-7,0],"b":1,"é":"x","\u{1F600}":true,"\uFB33":null}',
    );
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/not finite/);
  });
});
