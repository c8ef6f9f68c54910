import { describe, it, expect, expectTypeOf } from 'vitest';
import {
  DEFAULT_NAMESPACE,
  DEFAULT_TENANT_ID,
  METADATA_RECORD_FIELDS,
  MetadataChecksumSchema,
  MetadataMergeStrategySchema,
  MetadataRecordFieldSchema,
  MetadataRecordSchema,
  MetadataRecordWriteSchema,
  MetadataScopeSchema,
  MetadataStateSchema,
  type MetadataChecksum,
  type MetadataMergeStrategy,
  type MetadataRecord,
  type MetadataRecordField,
  type MetadataRecordInput,
  type MetadataRecordWrite,
  type MetadataRecordWriteInput,
  type MetadataScope,
  type MetadataScopeInput,
  type MetadataState,
} from './metadata-record.zod';
import { issuesOf, type Path } from '../testing';

const CHECKSUM = `sha256:${'9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'}`;
const minimal = { type: 'object', name: 'account', payload: {} };

describe('MetadataRecordSchema', () => {
  it('parses the minimal record to the complete value with every default', () => {
    expect(MetadataRecordSchema.parse(minimal)).toEqual({
      type: 'object',
      name: 'account',
      namespace: DEFAULT_NAMESPACE,
      scope: 'platform',
      state: 'active',
      payload: {},
      mergeStrategy: 'merge',
      tenantId: DEFAULT_TENANT_ID,
      version: 1,
      tags: [],
    });
    expect(DEFAULT_NAMESPACE).toBe('default');
    expect(DEFAULT_TENANT_ID).toBe('default');
  });

  it('parses a record with every field set and round-trips it', () => {
    const full: MetadataRecordInput = {
      id: '0192d3e4-5b6a-7c8d-9e0f-1a2b3c4d5e6f',
      type: 'view',
      name: 'my_accounts',
      namespace: 'crm',
      scope: 'user',
      state: 'deprecated',
      payload: { label: 'My accounts', columns: ['name', 'owner'], filter: { owner: '$me' }, pageSize: 50, shared: false, note: null },
      extends: 'all_accounts',
      mergeStrategy: 'replace',
      owner: 'jane@acme',
      tenantId: 'acme',
      version: 7,
      checksum: CHECKSUM,
      tags: ['crm', 'core'],
      createdAt: '2026-01-31T09:30:00Z',
      createdBy: 'admin',
      updatedAt: '2026-01-31T10:30:00.125+01:00',
      updatedBy: 'jane@acme',
    };
    const parsed = MetadataRecordSchema.parse(full);
    expect(parsed).toEqual(full);
    expect(MetadataRecordSchema.parse(parsed)).toEqual(parsed);
  });

  it('accepts a user-scoped record with an owner', () => {
    expect(MetadataRecordSchema.safeParse({ ...minimal, scope: 'user', owner: 'jane@acme' }).success).toBe(true);
  });

  it('rejects a user-scoped record without an owner (user_scope_requires_owner)', () => {
    const result = MetadataRecordSchema.safeParse({ ...minimal, scope: 'user' });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ['owner'], code: 'custom', params: { rule: 'user_scope_requires_owner' } }),
    ]);
  });

  it('does not require an owner outside the user scope', () => {
    for (const scope of ['system', 'platform'] as const) {
      expect(MetadataRecordSchema.safeParse({ ...minimal, scope }).success).toBe(true);
    }
  });

  it.each(['system', 'platform', undefined] as const)('rejects an owner on a %s-scope record (owner_only_for_user_scope)', (scope) => {
    const result = MetadataRecordSchema.safeParse({ ...minimal, ...(scope ? { scope } : {}), owner: 'jane@acme' });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ['owner'], code: 'custom', params: { rule: 'owner_only_for_user_scope' } }),
    ]);
  });

  it.each<[string, string]>([
    ['type', 'invalid_type'],
    ['name', 'invalid_type'],
    ['payload', 'invalid_type'],
  ])('reports a missing required field %s as %s at its path', (field, code) => {
    const input: Record<string, unknown> = { ...minimal };
    delete input[field];
    expect(issuesOf(MetadataRecordSchema, input)).toEqual([{ path: [field], code }]);
  });

  it('rejects a system-scope record that extends another (system_scope_cannot_extend)', () => {
    expect(issuesOf(MetadataRecordSchema, { ...minimal, scope: 'system', extends: 'account' })).toEqual([
      { path: ['extends'], code: 'custom', rule: 'system_scope_cannot_extend' },
    ]);
  });

  it.each(['platform', 'user', undefined] as const)('lets a %s-scope record extend an item of an earlier scope', (scope) => {
    const input = { ...minimal, ...(scope ? { scope } : {}), ...(scope === 'user' ? { owner: 'jane@acme' } : {}), extends: 'account' };
    expect(MetadataRecordSchema.parse(input).extends).toBe('account');
  });

  it('rejects an unknown envelope key (a typo of a field)', () => {
    expect(issuesOf(MetadataRecordSchema, { ...minimal, namspace: 'crm' })).toEqual([{ path: [], code: 'unrecognized_keys' }]);
  });

  it('accepts an open payload: any keys, non-ASCII and 10_000-character strings, deep nesting', () => {
    const payload = {
      label: 'Konto – 账户 – 🚀',
      'clé non-ASCII': { ключ: ['значение', 1.5, -2, true, null] },
      description: 'x'.repeat(10_000),
      constructor: { prototype: 'kept as data' },
      deep: { a: { b: { c: { d: [[{ e: 'f' }]] } } } },
    };
    expect(MetadataRecordSchema.parse({ ...minimal, payload }).payload).toEqual(payload);
  });

  it('rejects a nested __proto__ key in the payload at its deep path', () => {
    const payload = JSON.parse('{"fields": {"name": [1, {"__proto__": {"polluted": true}}]}}');
    expect(issuesOf(MetadataRecordSchema, { ...minimal, payload })).toEqual([
      { path: ['payload', 'fields', 'name', 1, '__proto__'], code: 'custom' },
    ]);
  });

  it('rejects a top-level __proto__ key in the payload', () => {
    const payload = JSON.parse('{"__proto__": {"polluted": true}, "label": "x"}');
    expect(issuesOf(MetadataRecordSchema, { ...minimal, payload })).toEqual([{ path: ['payload', '__proto__'], code: 'custom' }]);
  });

  it.each<[string, unknown, Path, string]>([
    ['version 0', { version: 0 }, ['version'], 'too_small'],
    ['version -1', { version: -1 }, ['version'], 'too_small'],
    ['version 1.5', { version: 1.5 }, ['version'], 'invalid_type'],
    ['version "2"', { version: '2' }, ['version'], 'invalid_type'],
    ['version 2**53', { version: 2 ** 53 }, ['version'], 'too_big'],
    ['version 1e21', { version: 1e21 }, ['version'], 'too_big'],
    ['version NaN', { version: Number.NaN }, ['version'], 'invalid_type'],
    ['version null', { version: null }, ['version'], 'invalid_type'],
    ['empty type', { type: '' }, ['type'], 'invalid_format'],
    ['10_000-char name', { name: 'a'.repeat(10_000) }, ['name'], 'too_big'],
    ['64-char name', { name: 'a'.repeat(64) }, ['name'], 'too_big'],
    ['SQL in a name', { name: 'meta; DROP TABLE x' }, ['name'], 'invalid_format'],
    ['hyphen in a name', { name: 'a-b' }, ['name'], 'invalid_format'],
    ['name starting with a digit', { name: '1abc' }, ['name'], 'invalid_format'],
    ['uppercase namespace', { namespace: 'CRM' }, ['namespace'], 'invalid_format'],
    ['unknown scope', { scope: 'global' }, ['scope'], 'invalid_value'],
    ['unknown state', { state: 'deleted' }, ['state'], 'invalid_value'],
    ['unknown merge strategy', { mergeStrategy: 'append' }, ['mergeStrategy'], 'invalid_value'],
    ['array payload', { payload: [] }, ['payload'], 'invalid_type'],
    ['string payload', { payload: '{}' }, ['payload'], 'invalid_type'],
    ['NaN inside the payload', { payload: { a: Number.NaN } }, ['payload', 'a'], 'invalid_union'],
    ['undefined inside the payload', { payload: { a: undefined } }, ['payload', 'a'], 'invalid_union'],
    ['extends with SQL', { extends: 'x; --' }, ['extends'], 'invalid_format'],
    ['empty tenant id', { tenantId: '' }, ['tenantId'], 'invalid_format'],
    ['tenant id with a space', { tenantId: 'acme corp' }, ['tenantId'], 'invalid_format'],
    ['129-char owner', { scope: 'user', owner: 'a'.repeat(129) }, ['owner'], 'invalid_format'],
    ['id starting with a dash', { id: '-1' }, ['id'], 'invalid_format'],
    ['malformed checksum', { checksum: 'sha256:abc' }, ['checksum'], 'invalid_format'],
    ['65 tags', { tags: Array.from({ length: 65 }, (_, i) => `t${i}`) }, ['tags'], 'too_big'],
    ['tag that is not a machine name', { tags: ['Core'] }, ['tags', 0], 'invalid_format'],
    ['date-only createdAt', { createdAt: '2026-01-01' }, ['createdAt'], 'invalid_format'],
    ['updatedAt without a zone', { updatedAt: '2026-01-01T10:00:00' }, ['updatedAt'], 'invalid_format'],
    ['createdBy with a space', { createdBy: 'jane doe' }, ['createdBy'], 'invalid_format'],
    ['__proto__ envelope key', JSON.parse('{"__proto__": 1}'), [], 'unrecognized_keys'],
    ['constructor envelope key', { constructor: 1 }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, patch, path, code) => {
    // Spreading copies an own __proto__ key (from JSON.parse) as data; it does not set the prototype.
    const input = { ...minimal, ...(patch as object) };
    expect(issuesOf(MetadataRecordSchema, input)).toEqual([{ path, code }]);
  });

  it('rejects non-objects', () => {
    for (const input of [null, 'record', 42, []]) {
      expect(issuesOf(MetadataRecordSchema, input)).toEqual([{ path: [], code: 'invalid_type' }]);
    }
  });

  it('types: defaulted fields are optional in input and required in output', () => {
    expectTypeOf<MetadataRecordInput['namespace']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<MetadataRecord['namespace']>().toEqualTypeOf<string>();
    expectTypeOf<MetadataRecordInput['version']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<MetadataRecord['version']>().toEqualTypeOf<number>();
    expectTypeOf<MetadataRecord['scope']>().toEqualTypeOf<MetadataScope>();
    expectTypeOf<MetadataRecord['state']>().toEqualTypeOf<MetadataState>();
    expectTypeOf<MetadataRecord['owner']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<MetadataRecord['tags']>().toEqualTypeOf<string[]>();
    expectTypeOf<MetadataRecordInput>().toHaveProperty('payload');
  });
});

describe('MetadataRecordWriteSchema', () => {
  const write = { type: 'object', name: 'account', payload: { label: 'Account' } };

  it('parses the minimal write filling only the key defaults: no content default, no tenant', () => {
    const expected: MetadataRecordWrite = {
      type: 'object',
      name: 'account',
      namespace: DEFAULT_NAMESPACE,
      scope: 'platform',
      payload: { label: 'Account' },
    };
    expect(MetadataRecordWriteSchema.parse(write)).toEqual(expected);
    for (const key of ['state', 'tags', 'extends', 'mergeStrategy', 'tenantId', 'version', 'expectedVersion']) {
      expect(MetadataRecordWriteSchema.parse(write)).not.toHaveProperty(key);
    }
  });

  it('parses a write with every field set and round-trips it', () => {
    const full: MetadataRecordWriteInput = {
      type: 'view',
      name: 'my_accounts',
      namespace: 'crm',
      scope: 'user',
      owner: 'jane@acme',
      tenantId: 'acme',
      payload: { label: 'My accounts', columns: ['name'], note: null },
      state: 'draft',
      tags: ['crm'],
      extends: 'all_accounts',
      mergeStrategy: 'replace',
      expectedVersion: 7,
    };
    const parsed = MetadataRecordWriteSchema.parse(full);
    expect(parsed).toEqual(full);
    expect(MetadataRecordWriteSchema.parse(parsed)).toEqual(parsed);
  });

  it('keeps extends: null (an update that removes the parent) and an empty tags list', () => {
    expect(MetadataRecordWriteSchema.parse({ ...write, extends: null, tags: [] })).toEqual({
      ...write,
      namespace: 'default',
      scope: 'platform',
      extends: null,
      tags: [],
    });
  });

  it.each(['id', 'version', 'checksum', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy'])(
    'rejects %s as an unknown key: the runtime owns it (R12)',
    (key) => {
      const values: Record<string, unknown> = {
        id: 'rec_42',
        version: 3,
        checksum: CHECKSUM,
        createdAt: '2026-01-31T09:30:00Z',
        createdBy: 'admin',
        updatedAt: '2026-01-31T09:30:00Z',
        updatedBy: 'admin',
      };
      const result = MetadataRecordWriteSchema.safeParse({ ...write, [key]: values[key] });
      expect(result.error?.issues).toEqual([expect.objectContaining({ path: [], code: 'unrecognized_keys', keys: [key] })]);
    },
  );

  it('rejects a user-scope write without an owner (user_scope_requires_owner)', () => {
    expect(issuesOf(MetadataRecordWriteSchema, { ...write, scope: 'user' })).toEqual([
      { path: ['owner'], code: 'custom', rule: 'user_scope_requires_owner' },
    ]);
  });

  it.each(['system', 'platform', undefined] as const)('rejects an owner on a %s-scope write (owner_only_for_user_scope)', (scope) => {
    expect(issuesOf(MetadataRecordWriteSchema, { ...write, ...(scope ? { scope } : {}), owner: 'jane@acme' })).toEqual([
      { path: ['owner'], code: 'custom', rule: 'owner_only_for_user_scope' },
    ]);
  });

  it.each(['account', null])('rejects a system-scope write with extends %j (system_scope_cannot_extend)', (parent) => {
    expect(issuesOf(MetadataRecordWriteSchema, { ...write, scope: 'system', extends: parent })).toEqual([
      { path: ['extends'], code: 'custom', rule: 'system_scope_cannot_extend' },
    ]);
  });

  it.each<[string]>([['type'], ['name'], ['payload']])('reports a missing %s as invalid_type', (field) => {
    const input: Record<string, unknown> = { ...write };
    delete input[field];
    expect(issuesOf(MetadataRecordWriteSchema, input)).toEqual([{ path: [field], code: 'invalid_type' }]);
  });

  it.each<[string, unknown, Path, string]>([
    ['expectedVersion 0', { expectedVersion: 0 }, ['expectedVersion'], 'too_small'],
    ['expectedVersion 1.5', { expectedVersion: 1.5 }, ['expectedVersion'], 'invalid_type'],
    ['expectedVersion 2**53', { expectedVersion: 2 ** 53 }, ['expectedVersion'], 'too_big'],
    ['an empty tenant id', { tenantId: '' }, ['tenantId'], 'invalid_format'],
    ['a null tenant id', { tenantId: null }, ['tenantId'], 'invalid_type'],
    ['a null state', { state: null }, ['state'], 'invalid_value'],
    ['an unknown state', { state: 'deleted' }, ['state'], 'invalid_value'],
    ['null tags', { tags: null }, ['tags'], 'invalid_type'],
    ['65 tags', { tags: Array.from({ length: 65 }, (_, i) => `t${i}`) }, ['tags'], 'too_big'],
    ['an extends with SQL', { extends: 'x; --' }, ['extends'], 'invalid_format'],
    ['a null merge strategy', { mergeStrategy: null }, ['mergeStrategy'], 'invalid_value'],
    ['an array payload', { payload: [] }, ['payload'], 'invalid_type'],
    ['a typo', { namspace: 'crm' }, [], 'unrecognized_keys'],
    ['an own __proto__ key', JSON.parse('{"__proto__": 1}'), [], 'unrecognized_keys'],
  ])('rejects %s', (_label, patch, path, code) => {
    expect(issuesOf(MetadataRecordWriteSchema, { ...write, ...(patch as object) })).toEqual([{ path, code }]);
  });

  it("reuses the record's key and payload field schemas", () => {
    for (const field of ['type', 'name', 'namespace', 'scope', 'owner', 'payload'] as const) {
      expect(MetadataRecordWriteSchema.shape[field]).toBe(MetadataRecordSchema.shape[field]);
    }
  });

  it('types: content fields and tenantId stay optional after parsing; key defaults are filled', () => {
    expectTypeOf<MetadataRecordWrite['namespace']>().toEqualTypeOf<string>();
    expectTypeOf<MetadataRecordWrite['scope']>().toEqualTypeOf<MetadataScope>();
    expectTypeOf<MetadataRecordWrite['tenantId']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<MetadataRecordWrite['state']>().toEqualTypeOf<MetadataState | undefined>();
    expectTypeOf<MetadataRecordWrite['tags']>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<MetadataRecordWrite['extends']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<MetadataRecordWrite['mergeStrategy']>().toEqualTypeOf<MetadataMergeStrategy | undefined>();
    expectTypeOf<MetadataRecordWrite['expectedVersion']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<MetadataRecordWrite>().not.toHaveProperty('version');
    expectTypeOf<MetadataRecordWrite>().not.toHaveProperty('checksum');
    expectTypeOf<MetadataRecordWriteInput['namespace']>().toEqualTypeOf<string | undefined>();
  });
});

describe('MetadataScopeSchema', () => {
  it('accepts each scope', () => {
    expect(MetadataScopeSchema.options).toEqual(['system', 'platform', 'user']);
    for (const scope of MetadataScopeSchema.options) expect(MetadataScopeSchema.parse(scope)).toBe(scope);
  });

  it.each(['System', 'tenant', '', 1, null])('rejects %j', (input) => {
    expect(issuesOf(MetadataScopeSchema, input)).toEqual([{ path: [], code: 'invalid_value' }]);
  });

  it('types', () => {
    expectTypeOf<MetadataScope>().toEqualTypeOf<'system' | 'platform' | 'user'>();
    expectTypeOf<MetadataScopeInput>().toEqualTypeOf<MetadataScope>();
  });
});

describe('MetadataStateSchema', () => {
  it('accepts each state', () => {
    expect(MetadataStateSchema.options).toEqual(['draft', 'active', 'archived', 'deprecated']);
  });

  it.each(['deleted', 'ACTIVE', '', 0])('rejects %j', (input) => {
    expect(issuesOf(MetadataStateSchema, input)).toEqual([{ path: [], code: 'invalid_value' }]);
  });

  it('types', () => {
    expectTypeOf<MetadataState>().toEqualTypeOf<'draft' | 'active' | 'archived' | 'deprecated'>();
  });
});

describe('MetadataMergeStrategySchema', () => {
  it('accepts merge and replace', () => {
    expect(MetadataMergeStrategySchema.options).toEqual(['merge', 'replace']);
  });

  it.each(['append', 'deep_merge', ''])('rejects %j', (input) => {
    expect(issuesOf(MetadataMergeStrategySchema, input)).toEqual([{ path: [], code: 'invalid_value' }]);
  });

  it('types', () => {
    expectTypeOf<MetadataMergeStrategy>().toEqualTypeOf<'merge' | 'replace'>();
  });
});

describe('MetadataChecksumSchema', () => {
  it('accepts sha256: and 64 lowercase hex digits', () => {
    expect(MetadataChecksumSchema.parse(CHECKSUM)).toBe(CHECKSUM);
    expect(MetadataChecksumSchema.parse(`sha256:${'0'.repeat(64)}`)).toBe(`sha256:${'0'.repeat(64)}`);
  });

  it.each<[string, unknown, string]>([
    ['uppercase hex', CHECKSUM.toUpperCase().replace('SHA256', 'sha256'), 'invalid_format'],
    ['63 digits', CHECKSUM.slice(0, -1), 'invalid_format'],
    ['65 digits', `${CHECKSUM}0`, 'invalid_format'],
    ['md5 prefix', `md5:${'a'.repeat(32)}`, 'invalid_format'],
    ['missing prefix', CHECKSUM.slice('sha256:'.length), 'invalid_format'],
    ['uppercase prefix', CHECKSUM.replace('sha256', 'SHA256'), 'invalid_format'],
    ['non-hex digit', `sha256:${'g'.repeat(64)}`, 'invalid_format'],
    ['trailing newline', `${CHECKSUM}\n`, 'invalid_format'],
    ['empty', '', 'invalid_format'],
    ['a number', 42, 'invalid_type'],
  ])('rejects %s', (_label, input, code) => {
    expect(issuesOf(MetadataChecksumSchema, input)).toEqual([{ path: [], code }]);
  });

  it('types', () => {
    expectTypeOf<MetadataChecksum>().toEqualTypeOf<string>();
  });
});

describe('MetadataRecordFieldSchema', () => {
  it('lists every envelope field in declaration order', () => {
    expect(METADATA_RECORD_FIELDS).toEqual(Object.keys(MetadataRecordSchema.shape));
  });

  it.each(['type', 'updatedAt', 'tenantId', 'payload'])('accepts %s', (field) => {
    expect(MetadataRecordFieldSchema.parse(field)).toBe(field);
  });

  it.each(['updated_at', 'Type', 'tenant_id', '', 'payload.label'])('rejects %j (field names, never column names)', (input) => {
    expect(issuesOf(MetadataRecordFieldSchema, input)).toEqual([{ path: [], code: 'invalid_value' }]);
  });

  it('types', () => {
    expectTypeOf<'updatedAt'>().toExtend<MetadataRecordField>();
    expectTypeOf<MetadataRecordField>().toEqualTypeOf<keyof MetadataRecord>();
  });
});
