import { describe, expect, expectTypeOf, it } from 'vitest';
import { issuesOf } from '../testing';
import { OpaqueIdSchema, type OpaqueId } from './opaque-id.zod';

describe('OpaqueIdSchema', () => {
  it.each(['0192d3e4-5b6a-7c8d-9e0f-1a2b3c4d5e6f', 'acme', 'jane@acme', 'svc:loader.1', 'A', 'a'.repeat(128)])('accepts %s', (input) => {
    expect(OpaqueIdSchema.parse(input)).toBe(input);
  });

  it.each<[string, unknown, string]>([
    ['empty', '', 'invalid_format'],
    ['129 characters', 'a'.repeat(129), 'invalid_format'],
    ['10_000 characters', 'a'.repeat(10_000), 'invalid_format'],
    ['a space', 'jane doe', 'invalid_format'],
    ['a slash', 'a/b', 'invalid_format'],
    ['leading underscore', '_a', 'invalid_format'],
    ['non-ASCII', 'jürgen', 'invalid_format'],
    ['SQL', "1' OR '1'='1", 'invalid_format'],
    ['a number', 42, 'invalid_type'],
  ])('rejects %s', (_label, input, code) => {
    expect(issuesOf(OpaqueIdSchema, input)).toEqual([{ path: [], code }]);
  });

  it('types', () => {
    expectTypeOf<OpaqueId>().toEqualTypeOf<string>();
  });
});
