import type { JsonObject } from '@metasource/spec';
import { describe, expect, it } from 'vitest';
import { decodePayloadPath, decodePointerSegment, evaluatePointer, isPayloadPath } from './json-pointer';

// The guide's example payload (Queries, "Payload paths").
const payload: JsonObject = {
  label: 'Account',
  fields: { 'first-name': { type: 'text', required: true } },
  columns: [{ name: 'id' }, { name: 'label' }],
  routes: { '/api/v1': 'accounts' },
  'a~b': 2,
  nothing: null,
};

const at = (path: string) => evaluatePointer(payload, decodePayloadPath(path)!);

describe('decodePayloadPath', () => {
  it('decodes ~1 to "/" and ~0 to "~", in that order', () => {
    expect(decodePayloadPath('payload/routes/~1api~1v1')).toEqual(['routes', '/api/v1']);
    expect(decodePayloadPath('payload/a~0b')).toEqual(['a~b']);
    expect(decodePointerSegment('~01')).toBe('~1');
    expect(decodePointerSegment('~10')).toBe('/0');
    expect(decodePointerSegment('a.b')).toBe('a.b');
  });

  it('refuses what RFC 6901 does not allow', () => {
    expect(decodePointerSegment('~2')).toBeUndefined();
    expect(decodePointerSegment('a~')).toBeUndefined();
    expect(decodePayloadPath('payload//a')).toBeUndefined();
    expect(decodePayloadPath('payload/a/')).toBeUndefined();
  });

  it('knows a payload path from a record field', () => {
    expect(isPayloadPath('payload/label')).toBe(true);
    expect(isPayloadPath('payload')).toBe(false);
    expect(isPayloadPath('payload.label')).toBe(false);
    expect(decodePayloadPath('name')).toBeUndefined();
  });
});

describe('evaluatePointer', () => {
  it('selects what the guide table says', () => {
    expect(at('payload/label')).toBe('Account');
    expect(at('payload/fields/first-name/required')).toBe(true);
    expect(at('payload/columns/0/name')).toBe('id');
    expect(at('payload/routes/~1api~1v1')).toBe('accounts');
    expect(at('payload/a~0b')).toBe(2);
  });

  it('never searches arrays implicitly', () => {
    expect(at('payload/columns/name')).toBeUndefined();
  });

  it('takes only canonical indexes on arrays: "0" and "1" but not "01", "-1", "-" or an index past the end', () => {
    expect(at('payload/columns/1/name')).toBe('label');
    expect(at('payload/columns/01/name')).toBeUndefined();
    expect(at('payload/columns/-1/name')).toBeUndefined();
    expect(at('payload/columns/-')).toBeUndefined();
    expect(at('payload/columns/2/name')).toBeUndefined();
    expect(at('payload/columns/99999999999999999999')).toBeUndefined();
  });

  it('reads a digit segment as a key on an object', () => {
    expect(evaluatePointer({ '01': 'a', '0': 'b' }, ['01'])).toBe('a');
    expect(evaluatePointer({ '01': 'a', '0': 'b' }, ['0'])).toBe('b');
  });

  it('finds a null as null and a missing key or inherited property as absent', () => {
    expect(at('payload/nothing')).toBeNull();
    expect(at('payload/missing')).toBeUndefined();
    expect(at('payload/toString')).toBeUndefined();
    expect(at('payload/label/length')).toBeUndefined();
    expect(at('payload/nothing/x')).toBeUndefined();
  });
});
