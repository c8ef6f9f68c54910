import { describe, expect, it } from 'vitest';
import { issuesOf } from '../testing';
import { MAX_IDENTIFIER_LENGTH, MachineNameSchema, SqlIdentifierSchema } from './identifier.zod';

describe('SqlIdentifierSchema', () => {
  it.each(['_framework_metadata', 'Metadata2', 'a', 'a'.repeat(MAX_IDENTIFIER_LENGTH)])('accepts %s', (name) => {
    expect(SqlIdentifierSchema.parse(name)).toBe(name);
  });

  it.each(['meta; DROP TABLE x', 'a-b', '1abc', 'a'.repeat(64), '', 'a b', 'métadonnées', 'users\n', '"quoted"', 'schema.table'])(
    'rejects %j',
    (name) => {
      expect(issuesOf(SqlIdentifierSchema, name)).toEqual([{ path: [], code: 'invalid_format' }]);
    },
  );

  it('says what a safe identifier is', () => {
    expect(SqlIdentifierSchema.safeParse('a-b').error?.issues[0]?.message).toMatch(/letters, digits and underscores.*63/);
  });
});

describe('MachineNameSchema', () => {
  it.each(['metadata_db', 'account', '_framework_metadata', 'view2'])('accepts %s', (name) => {
    expect(MachineNameSchema.parse(name)).toBe(name);
  });

  it.each(['Metadata', 'a__b', 'a_', '1abc', '__x', 'a-b', ''])('rejects %j', (name) => {
    expect(issuesOf(MachineNameSchema, name)).toEqual([{ path: [], code: 'invalid_format' }]);
  });

  it('rejects a name over 63 characters', () => {
    expect(issuesOf(MachineNameSchema, 'a'.repeat(64))).toEqual([{ path: [], code: 'too_big' }]);
  });
});
