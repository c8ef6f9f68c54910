import { describe, it, expect, expectTypeOf } from 'vitest';
import { METADATA_RECORD_FIELDS } from '../metadata-record.zod';
import {
  MetadataPaginationSchema,
  MetadataQueryConditionSchema,
  MetadataQueryFiltersSchema,
  MetadataQueryOptionsSchema,
  MetadataSortSchema,
  type MetadataPagination,
  type MetadataPaginationInput,
  type MetadataQueryCondition,
  type MetadataQueryConditionInput,
  type MetadataQueryFilters,
  type MetadataQueryFiltersInput,
  type MetadataQueryOptions,
  type MetadataQueryOptionsInput,
  type MetadataSort,
  type MetadataSortInput,
} from './metadata-query.zod';
import { expectRoundTrip } from './testing';
import { issuesOf, type Path } from '../../testing';

describe('MetadataQueryConditionSchema', () => {
  it.each<[string, MetadataQueryConditionInput]>([
    ['eq on a record field', { field: 'type', operator: 'eq', value: 'object' }],
    ['ne with an object value', { field: 'payload/options', operator: 'ne', value: { a: [1, null] } }],
    ['eq null', { field: 'owner', operator: 'eq', value: null }],
    ['gt with a number', { field: 'version', operator: 'gt', value: 2 }],
    ['gte with a negative fraction', { field: 'payload/weight', operator: 'gte', value: -1.5 }],
    ['lt on updatedAt with a UTC date-time', { field: 'updatedAt', operator: 'lt', value: '2026-01-01T00:00:00Z' }],
    ['gte on createdAt with an offset date-time', { field: 'createdAt', operator: 'gte', value: '2026-01-01T01:00:00.5+01:00' }],
    ['eq on createdAt with a date-time', { field: 'createdAt', operator: 'eq', value: '2026-01-31T09:30:00.000Z' }],
    ['ne on updatedAt with a date-time', { field: 'updatedAt', operator: 'ne', value: '2026-01-31T09:30:00Z' }],
    [
      'in on createdAt with date-times',
      { field: 'createdAt', operator: 'in', value: ['2026-01-01T00:00:00Z', '2026-01-02T00:00:00+02:00'] },
    ],
    ['not_in on updatedAt with a date-time', { field: 'updatedAt', operator: 'not_in', value: ['2026-01-01T00:00:00Z'] }],
    ['exists on updatedAt', { field: 'updatedAt', operator: 'exists', value: true }],
    ['lte with a string', { field: 'name', operator: 'lte', value: 'm' }],
    ['in with scalars', { field: 'state', operator: 'in', value: ['active', 'deprecated', null, 1, true] }],
    ['not_in with one value', { field: 'namespace', operator: 'not_in', value: ['system'] }],
    ['contains with non-ASCII', { field: 'payload/label', operator: 'contains', value: 'Kontó 🚀' }],
    ['contains on tags', { field: 'tags', operator: 'contains', value: 'core' }],
    ['starts_with with a LIKE wildcard, taken literally', { field: 'name', operator: 'starts_with', value: 'acc%' }],
    ['exists false on 8 payload segments', { field: 'payload/a/b/c/d/e/f/g/h', operator: 'exists', value: false }],
    ['a payload path with underscores and digits', { field: 'payload/_meta/field_2', operator: 'exists', value: true }],
    ['a payload key with a hyphen', { field: 'payload/fields/first-name', operator: 'exists', value: true }],
    ['an array index', { field: 'payload/columns/0/name', operator: 'eq', value: 'id' }],
    // Brackets are ordinary key characters: this names the key "items[0]", not an element of items.
    ['a key with brackets', { field: 'payload/items[0]', operator: 'exists', value: true }],
    ['a key that is a dot form (a dot is an ordinary key character)', { field: 'payload/a.b', operator: 'exists', value: true }],
    ['a key holding "/" escaped as ~1', { field: 'payload/a~1b', operator: 'exists', value: true }],
    ['a key holding "~" escaped as ~0', { field: 'payload/a~0b', operator: 'exists', value: true }],
    ['a key of escapes only', { field: 'payload/~0~1', operator: 'exists', value: true }],
    ['a key with spaces, quotes and non-ASCII', { field: `payload/Kontó "x" 'y' $z`, operator: 'exists', value: true }],
    ['a key of 128 characters', { field: `payload/${'a'.repeat(128)}`, operator: 'exists', value: true }],
    // 128 code points are 256 UTF-16 units: Zod and JSON Schema both count code points.
    ['a key of 128 emoji', { field: `payload/${'🚀'.repeat(128)}`, operator: 'exists', value: true }],
    // An escape counts as the one character it stands for.
    ['a key of 128 escapes', { field: `payload/${'~1'.repeat(128)}`, operator: 'exists', value: true }],
    ['a date-time-looking payload key, compared as text', { field: 'payload/createdAt', operator: 'gt', value: 5 }],
    ['a text match on a payload date-time', { field: 'payload/updatedAt', operator: 'starts_with', value: '2026-01' }],
  ])('accepts %s and round-trips it', (_label, input) => {
    expectRoundTrip(MetadataQueryConditionSchema, input);
  });

  it.each<[string, string]>([
    ['SQL text', "type = 'object' OR 1=1"],
    ['a statement', 'type; DROP TABLE x'],
    ['a PostgreSQL JSON operator', "payload->>'label'"],
    ['a column name', 'tenant_id'],
    ['the whole payload', 'payload'],
    ['a path with no segment', 'payload/'],
    ['a path with an empty segment', 'payload/a//b'],
    ['a path ending in an empty segment', 'payload/a/'],
    ['a path with 9 segments', 'payload/a/b/c/d/e/f/g/h/i'],
    ['a bad escape ~2', 'payload/a~2'],
    ['a lone ~ at the end', 'payload/a~'],
    ['a ~ before a letter', 'payload/a~b'],
    ['a key of 129 characters', `payload/${'a'.repeat(129)}`],
    ['a key of 129 emoji', `payload/${'🚀'.repeat(129)}`],
    ['a key of 129 escapes', `payload/${'~0'.repeat(129)}`],
    ['a URI fragment pointer', '#/payload/a'],
    ['a pointer without the payload prefix', '/payload/a'],
    ['a JSONPath', '$.payload.a'],
    ['a path into another field', 'tags/a'],
    ['a record field with a trailing newline', 'type\n'],
    ['an empty field', ''],
    ['an uppercase field', 'Type'],
  ])('rejects %s as the field', (_label, field) => {
    expect(issuesOf(MetadataQueryConditionSchema, { field, operator: 'eq', value: 1 })).toEqual([
      { path: ['field'], code: 'invalid_format' },
    ]);
  });

  it.each(['payload.label', 'payload.fields.name', 'payload.'])(
    'rejects the dot form %j and says to write payload/label instead',
    (field) => {
      const issues = MetadataQueryConditionSchema.safeParse({ field, operator: 'exists', value: true }).error?.issues;
      expect(issues).toMatchObject([{ path: ['field'], code: 'invalid_format' }]);
      expect(issues?.[0]?.message).toContain('write payload/label instead of payload.label');
    },
  );

  it('explains the path language in the message for any other bad field', () => {
    const issues = MetadataQueryConditionSchema.safeParse({ field: 'payload/a//b', operator: 'exists', value: true }).error?.issues;
    expect(issues).toMatchObject([{ path: ['field'], code: 'invalid_format' }]);
    expect(issues?.[0]?.message).toContain('"payload/"');
    expect(issues?.[0]?.message).toContain('payload/label, not payload.label');
  });

  it.each<[string, unknown]>([
    ['gt with a number', { field: 'createdAt', operator: 'gt', value: 5 }],
    ['gte with a word', { field: 'updatedAt', operator: 'gte', value: 'yesterday' }],
    ['lt with a date only', { field: 'createdAt', operator: 'lt', value: '2026-01-01' }],
    ['lte without a time zone', { field: 'updatedAt', operator: 'lte', value: '2026-01-01T10:00:00' }],
    ['gt with an impossible date', { field: 'createdAt', operator: 'gt', value: '2026-02-30T00:00:00Z' }],
    ['eq with null (use exists: false)', { field: 'createdAt', operator: 'eq', value: null }],
    ['eq with a number', { field: 'updatedAt', operator: 'eq', value: 1767225600000 }],
    ['ne with an object', { field: 'createdAt', operator: 'ne', value: { at: '2026-01-01T00:00:00Z' } }],
    ['in with a null among date-times', { field: 'createdAt', operator: 'in', value: ['2026-01-01T00:00:00Z', null] }],
    ['not_in with a word', { field: 'updatedAt', operator: 'not_in', value: ['today'] }],
  ])('rejects a condition on a date-time field: %s (date_time_field_needs_date_time_value)', (_label, input) => {
    expect(issuesOf(MetadataQueryConditionSchema, input)).toEqual([
      { path: ['value'], code: 'custom', rule: 'date_time_field_needs_date_time_value' },
    ]);
  });

  it.each<[string, unknown]>([
    ['contains', { field: 'createdAt', operator: 'contains', value: '2026' }],
    ['starts_with, even with a date-time', { field: 'updatedAt', operator: 'starts_with', value: '2026-01-01T00:00:00Z' }],
  ])('rejects a text match on a date-time field: %s (date_time_field_has_no_text_match)', (_label, input) => {
    expect(issuesOf(MetadataQueryConditionSchema, input)).toEqual([
      { path: ['operator'], code: 'custom', rule: 'date_time_field_has_no_text_match' },
    ]);
  });

  it.each<[string, unknown, Path, string]>([
    ['gt with an object', { operator: 'gt', value: { a: 1 } }, ['value'], 'invalid_union'],
    ['gte with a boolean', { operator: 'gte', value: true }, ['value'], 'invalid_union'],
    ['lt with null', { operator: 'lt', value: null }, ['value'], 'invalid_union'],
    ['lte with a list', { operator: 'lte', value: [1] }, ['value'], 'invalid_union'],
    ['gt with Infinity', { operator: 'gt', value: Number.POSITIVE_INFINITY }, ['value'], 'invalid_union'],
    ['in with a scalar', { operator: 'in', value: 'object' }, ['value'], 'invalid_type'],
    ['in with an empty list', { operator: 'in', value: [] }, ['value'], 'too_small'],
    ['in with 1001 values', { operator: 'in', value: Array.from({ length: 1001 }, (_, i) => i) }, ['value'], 'too_big'],
    ['not_in with an object inside', { operator: 'not_in', value: ['a', { b: 1 }] }, ['value', 1], 'invalid_union'],
    ['not_in with a list inside', { operator: 'not_in', value: [['a']] }, ['value', 0], 'invalid_union'],
    ['contains with a number', { operator: 'contains', value: 1 }, ['value'], 'invalid_type'],
    ['contains with an empty string', { operator: 'contains', value: '' }, ['value'], 'invalid_format'],
    ['starts_with with 1001 characters', { operator: 'starts_with', value: 'a'.repeat(1001) }, ['value'], 'invalid_format'],
    ['starts_with with a list', { operator: 'starts_with', value: ['a'] }, ['value'], 'invalid_type'],
    ['exists with a string', { operator: 'exists', value: 'yes' }, ['value'], 'invalid_type'],
    ['exists with null', { operator: 'exists', value: null }, ['value'], 'invalid_type'],
    [
      'eq with a nested __proto__ key',
      { operator: 'eq', value: JSON.parse('{"a": {"__proto__": 1}}') },
      ['value', 'a', '__proto__'],
      'custom',
    ],
    ['an unknown operator', { operator: 'like', value: 'a%' }, ['operator'], 'invalid_union'],
    ['a SQL operator', { operator: '= ANY', value: 'a' }, ['operator'], 'invalid_union'],
    ['an uppercase operator', { operator: 'EQ', value: 'a' }, ['operator'], 'invalid_union'],
    ['a missing operator', { value: 'a' }, ['operator'], 'invalid_union'],
    ['a missing value', { operator: 'contains' }, ['value'], 'invalid_type'],
    ['an extra sql key', { operator: 'eq', value: 1, sql: '1=1' }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, patch, path, code) => {
    expect(issuesOf(MetadataQueryConditionSchema, { field: 'version', ...(patch as object) })).toEqual([{ path, code }]);
  });

  it('reports a missing field', () => {
    expect(issuesOf(MetadataQueryConditionSchema, { operator: 'exists', value: true })).toEqual([
      { path: ['field'], code: 'invalid_type' },
    ]);
  });

  it('types: the operator decides the value type', () => {
    expectTypeOf<Extract<MetadataQueryCondition, { operator: 'exists' }>['value']>().toEqualTypeOf<boolean>();
    expectTypeOf<Extract<MetadataQueryCondition, { operator: 'gt' | 'gte' | 'lt' | 'lte' }>['value']>().toEqualTypeOf<string | number>();
    expectTypeOf<Extract<MetadataQueryCondition, { operator: 'in' | 'not_in' }>['value']>().toEqualTypeOf<
      (string | number | boolean | null)[]
    >();
    expectTypeOf<Extract<MetadataQueryCondition, { operator: 'contains' | 'starts_with' }>['value']>().toEqualTypeOf<string>();
    expectTypeOf<MetadataQueryCondition['field']>().toEqualTypeOf<string>();
    expectTypeOf<MetadataQueryCondition['operator']>().toEqualTypeOf<
      'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'not_in' | 'contains' | 'starts_with' | 'exists'
    >();
  });
});

describe('MetadataQueryFiltersSchema', () => {
  it('parses {} to {} (no filter: every record the caller may read)', () => {
    expect(MetadataQueryFiltersSchema.parse({})).toEqual({});
  });

  it('parses filters with every field set and round-trips them', () => {
    const full: MetadataQueryFilters = {
      type: ['object', 'field'],
      name: 'account',
      namespace: ['crm', 'sales'],
      scope: ['platform', 'user'],
      state: 'active',
      owner: 'jane@acme',
      tenantId: 'acme',
      tags: ['crm', 'core'],
      updatedAfter: '2026-01-01T00:00:00Z',
      updatedBefore: '2026-02-01T00:00:00.500+01:00',
      conditions: [
        { field: 'payload/label', operator: 'contains', value: 'Account' },
        { field: 'version', operator: 'gte', value: 2 },
        { field: 'updatedAt', operator: 'lt', value: '2026-02-01T00:00:00Z' },
      ],
    };
    expectRoundTrip(MetadataQueryFiltersSchema, full);
  });

  it.each<[string, MetadataQueryFiltersInput]>([
    ['one type', { type: 'object' }],
    ['100 types', { type: Array.from({ length: 100 }, (_, i) => `t${i}`) }],
    ['every scope', { scope: ['system', 'platform', 'user'] }],
    ['every state', { state: ['draft', 'active', 'archived', 'deprecated'] }],
    ['64 tags', { tags: Array.from({ length: 64 }, (_, i) => `t${i}`) }],
    ['50 conditions', { conditions: Array.from({ length: 50 }, () => ({ field: 'type', operator: 'eq', value: 'object' }) as const) }],
    ['only updatedAfter', { updatedAfter: '2026-01-01T00:00:00Z' }],
  ])('accepts %s', (_label, input) => {
    expect(MetadataQueryFiltersSchema.safeParse(input).success).toBe(true);
  });

  // List semantics cannot be observed by parsing; the descriptions carry them to every reader of the schema.
  it('describes lists: type, name, namespace, scope and state match any value (OR), tags all of them (AND)', () => {
    const shape = MetadataQueryFiltersSchema.shape;
    for (const key of ['type', 'name', 'namespace', 'scope', 'state'] as const) {
      expect(shape[key].meta()?.description).toContain('any of them (OR)');
    }
    expect(shape.tags.meta()?.description).toContain('every one of them (AND)');
    expect(MetadataQueryFiltersSchema.meta()?.description).toContain('every filter given must match (AND)');
  });

  it('rejects updatedAfter not before updatedBefore (updated_after_before_updated_before)', () => {
    expect(issuesOf(MetadataQueryFiltersSchema, { updatedAfter: '2026-02-01T00:00:00Z', updatedBefore: '2026-01-01T00:00:00Z' })).toEqual([
      { path: ['updatedBefore'], code: 'custom', rule: 'updated_after_before_updated_before' },
    ]);
  });

  it('compares updatedAfter and updatedBefore as instants, whatever their offsets (updated_after_before_updated_before)', () => {
    // The same instant written with two offsets: an empty range.
    expect(
      issuesOf(MetadataQueryFiltersSchema, { updatedAfter: '2026-01-01T01:00:00+01:00', updatedBefore: '2026-01-01T00:00:00Z' }),
    ).toEqual([{ path: ['updatedBefore'], code: 'custom', rule: 'updated_after_before_updated_before' }]);
    // Later as text, earlier as an instant.
    expect(
      MetadataQueryFiltersSchema.safeParse({ updatedAfter: '2026-01-01T05:00:00+09:00', updatedBefore: '2026-01-01T00:00:00Z' }).success,
    ).toBe(true);
  });

  it('reports a malformed date-time on its own field only', () => {
    expect(issuesOf(MetadataQueryFiltersSchema, { updatedAfter: 'yesterday', updatedBefore: '2026-01-01T00:00:00Z' })).toEqual([
      { path: ['updatedAfter'], code: 'invalid_format' },
    ]);
  });

  it.each<[string, unknown, Path, string]>([
    ['an empty type list', { type: [] }, ['type'], 'too_small'],
    ['101 types', { type: Array.from({ length: 101 }, (_, i) => `t${i}`) }, ['type'], 'invalid_union'],
    ['SQL as a type', { type: "object' OR '1'='1" }, ['type'], 'invalid_format'],
    ['SQL in a type list', { type: ['object', 'x; DROP TABLE y'] }, ['type', 1], 'invalid_format'],
    ['a 10_000-char name', { name: 'a'.repeat(10_000) }, ['name'], 'too_big'],
    ['a hyphenated namespace', { namespace: 'a-b' }, ['namespace'], 'invalid_format'],
    ['an unknown scope', { scope: 'global' }, ['scope'], 'invalid_union'],
    ['an unknown scope in a list', { scope: ['user', 'global'] }, ['scope'], 'invalid_union'],
    ['an unknown state', { state: 'deleted' }, ['state'], 'invalid_union'],
    ['an empty state list', { state: [] }, ['state'], 'too_small'],
    ['an owner with a space', { owner: 'jane doe' }, ['owner'], 'invalid_format'],
    ['an empty tenant', { tenantId: '' }, ['tenantId'], 'invalid_format'],
    ['an empty tag list', { tags: [] }, ['tags'], 'too_small'],
    ['65 tags', { tags: Array.from({ length: 65 }, (_, i) => `t${i}`) }, ['tags'], 'too_big'],
    ['a tag that is a single string', { tags: 'core' }, ['tags'], 'invalid_type'],
    ['an uppercase tag', { tags: ['Core'] }, ['tags', 0], 'invalid_format'],
    ['a date-only updatedAfter', { updatedAfter: '2026-01-01' }, ['updatedAfter'], 'invalid_format'],
    ['updatedBefore without a zone', { updatedBefore: '2026-01-01T10:00:00' }, ['updatedBefore'], 'invalid_format'],
    ['an impossible updatedBefore', { updatedBefore: '2026-02-30T00:00:00Z' }, ['updatedBefore'], 'invalid_format'],
    ['a timestamp number', { updatedAfter: 1767225600000 }, ['updatedAfter'], 'invalid_type'],
    [
      '51 conditions',
      { conditions: Array.from({ length: 51 }, () => ({ field: 'type', operator: 'eq', value: 'object' })) },
      ['conditions'],
      'too_big',
    ],
    [
      'SQL as a condition field',
      { conditions: [{ field: '1=1; --', operator: 'eq', value: 1 }] },
      ['conditions', 0, 'field'],
      'invalid_format',
    ],
    [
      'a condition value that does not fit the operator',
      { conditions: [{ field: 'version', operator: 'gt', value: {} }] },
      ['conditions', 0, 'value'],
      'invalid_union',
    ],
    ['a raw SQL where clause', { where: "type = 'object'" }, [], 'unrecognized_keys'],
    ['a __proto__ key', JSON.parse('{"__proto__": {"type": "object"}}'), [], 'unrecognized_keys'],
    ['a constructor key', { constructor: 'object' }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataQueryFiltersSchema, input)).toEqual([{ path, code }]);
  });

  it('types', () => {
    expectTypeOf<MetadataQueryFilters['type']>().toEqualTypeOf<string | string[] | undefined>();
    expectTypeOf<MetadataQueryFilters['scope']>().toEqualTypeOf<
      'system' | 'platform' | 'user' | ('system' | 'platform' | 'user')[] | undefined
    >();
    expectTypeOf<MetadataQueryFilters['conditions']>().toEqualTypeOf<MetadataQueryCondition[] | undefined>();
  });
});

describe('MetadataSortSchema', () => {
  it('parses the minimal sort key to the complete value', () => {
    expect(MetadataSortSchema.parse({ field: 'name' })).toEqual({ field: 'name', direction: 'asc' });
  });

  it('round-trips a full sort key', () => {
    expectRoundTrip(MetadataSortSchema, { field: 'updatedAt', direction: 'desc' });
  });

  it('accepts every record field but payload and tags', () => {
    for (const field of METADATA_RECORD_FIELDS.filter((f) => f !== 'payload' && f !== 'tags')) {
      expect(MetadataSortSchema.parse({ field }).field).toBe(field);
    }
  });

  it.each<[string, unknown, Path, string]>([
    ['a missing field (an enum reports invalid_value)', {}, ['field'], 'invalid_value'],
    ['payload', { field: 'payload' }, ['field'], 'invalid_value'],
    ['tags', { field: 'tags' }, ['field'], 'invalid_value'],
    ['a payload path', { field: 'payload/label' }, ['field'], 'invalid_value'],
    ['a column name', { field: 'updated_at' }, ['field'], 'invalid_value'],
    ['SQL', { field: 'name; DROP TABLE x' }, ['field'], 'invalid_value'],
    ['an uppercase direction', { field: 'name', direction: 'DESC' }, ['direction'], 'invalid_value'],
    ['a SQL direction', { field: 'name', direction: 'asc NULLS LAST' }, ['direction'], 'invalid_value'],
    ['an unknown key', { field: 'name', nulls: 'last' }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataSortSchema, input)).toEqual([{ path, code }]);
  });

  it('types', () => {
    expectTypeOf<MetadataSortInput['direction']>().toEqualTypeOf<'asc' | 'desc' | undefined>();
    expectTypeOf<MetadataSort['direction']>().toEqualTypeOf<'asc' | 'desc'>();
    expectTypeOf<'payload'>().not.toExtend<MetadataSort['field']>();
    expectTypeOf<'updatedAt'>().toExtend<MetadataSort['field']>();
  });
});

describe('MetadataPaginationSchema', () => {
  it('parses {} to exactly the first page of 100 records', () => {
    const expected: MetadataPagination = { pageSize: 100 };
    expect(MetadataPaginationSchema.parse({})).toStrictEqual(expected);
  });

  it('accepts a cursor with a pageSize and round-trips it', () => {
    expectRoundTrip(MetadataPaginationSchema, { pageSize: 1000, cursor: 'a'.repeat(2048) });
    expectRoundTrip(MetadataPaginationSchema, { pageSize: 1, cursor: 'eyJpIjoiNDIifQ' });
  });

  it('fills pageSize beside a cursor', () => {
    expect(MetadataPaginationSchema.parse({ cursor: 'eyJpIjoiNDIifQ' })).toStrictEqual({ pageSize: 100, cursor: 'eyJpIjoiNDIifQ' });
  });

  it.each<[string, unknown, Path, string]>([
    ['a page number (page numbers were removed)', { page: 2 }, [], 'unrecognized_keys'],
    ['a page number beside a cursor', { page: 2, cursor: 'abc' }, [], 'unrecognized_keys'],
    ['an offset key', { offset: 100 }, [], 'unrecognized_keys'],
    ['a limit key', { limit: 100 }, [], 'unrecognized_keys'],
    ['pageSize 0', { pageSize: 0 }, ['pageSize'], 'too_small'],
    ['pageSize 1001', { pageSize: 1001 }, ['pageSize'], 'too_big'],
    ['pageSize 1.5', { pageSize: 1.5 }, ['pageSize'], 'invalid_type'],
    ['pageSize "10"', { pageSize: '10' }, ['pageSize'], 'invalid_type'],
    ['pageSize 0 with a cursor', { cursor: 'abc', pageSize: 0 }, ['pageSize'], 'too_small'],
    ['an empty cursor', { cursor: '' }, ['cursor'], 'invalid_format'],
    ['a 2049-char cursor', { cursor: 'a'.repeat(2049) }, ['cursor'], 'invalid_format'],
    ['a cursor with SQL', { cursor: "x' OR 1=1 --" }, ['cursor'], 'invalid_format'],
    ['a cursor with non-ASCII', { cursor: 'é' }, ['cursor'], 'invalid_format'],
    ['a cursor with standard base64 characters', { cursor: 'ab+/' }, ['cursor'], 'invalid_format'],
    ['a numeric cursor', { cursor: 42 }, ['cursor'], 'invalid_type'],
    ['a null cursor', { cursor: null }, ['cursor'], 'invalid_type'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataPaginationSchema, input)).toEqual([{ path, code }]);
  });

  it('names the unknown key', () => {
    expect(MetadataPaginationSchema.safeParse({ page: 2 }).error?.issues).toMatchObject([
      { path: [], code: 'unrecognized_keys', keys: ['page'] },
    ]);
  });

  it('types', () => {
    expectTypeOf<MetadataPaginationInput>().toEqualTypeOf<{ pageSize?: number | undefined; cursor?: string | undefined }>();
    expectTypeOf<MetadataPagination>().toEqualTypeOf<{ pageSize: number; cursor?: string | undefined }>();
  });
});

describe('MetadataQueryOptionsSchema', () => {
  it('parses {} to the complete value: no filter, no sort, the first page of 100', () => {
    const expected: MetadataQueryOptions = {
      filters: {},
      sort: [],
      pagination: { pageSize: 100 },
      includeArchived: false,
      includeTotal: false,
    };
    expect(MetadataQueryOptionsSchema.parse({})).toStrictEqual(expected);
  });

  it('parses options with every field set and round-trips them', () => {
    const full: MetadataQueryOptions = {
      filters: { type: 'object', namespace: 'crm', conditions: [{ field: 'payload/fields/first-name', operator: 'exists', value: true }] },
      sort: [
        { field: 'type', direction: 'asc' },
        { field: 'name', direction: 'desc' },
      ],
      pagination: { pageSize: 50, cursor: 'eyJpIjoiNDIifQ' },
      includeArchived: true,
      includeTotal: true,
    };
    expectRoundTrip(MetadataQueryOptionsSchema, full);
  });

  it('fills pagination from {} to { pageSize: 100 } exactly', () => {
    expect(MetadataQueryOptionsSchema.parse({ pagination: {} })).toStrictEqual(MetadataQueryOptionsSchema.parse({}));
    expect(MetadataQueryOptionsSchema.parse({ pagination: {} }).pagination).toStrictEqual({ pageSize: 100 });
  });

  it('accepts a cursor with a pageSize (pageSize may change between pages)', () => {
    expect(MetadataQueryOptionsSchema.parse({ pagination: { cursor: 'eyJpIjoiNDIifQ', pageSize: 10 } })).toStrictEqual({
      filters: {},
      sort: [],
      pagination: { pageSize: 10, cursor: 'eyJpIjoiNDIifQ' },
      includeArchived: false,
      includeTotal: false,
    });
  });

  it.each<[string, unknown, Path, string]>([
    ['a page number (page numbers were removed)', { pagination: { page: 2 } }, ['pagination'], 'unrecognized_keys'],
    ['the old page form', { pagination: { page: 1, pageSize: 50 } }, ['pagination'], 'unrecognized_keys'],
    ['pageSize 1001', { pagination: { pageSize: 1001 } }, ['pagination', 'pageSize'], 'too_big'],
    ['a malformed cursor', { pagination: { cursor: 'a b' } }, ['pagination', 'cursor'], 'invalid_format'],
    ['a cursor outside pagination', { cursor: 'eyJpIjoiNDIifQ' }, [], 'unrecognized_keys'],
    ['6 sort keys', { sort: Array.from({ length: 6 }, () => ({ field: 'name' })) }, ['sort'], 'too_big'],
    ['a sort on payload', { sort: [{ field: 'payload' }] }, ['sort', 0, 'field'], 'invalid_value'],
    // A projected record could not satisfy the result's record schema, so there is no field selection.
    ['a field selection (removed: results hold whole records)', { fields: ['id', 'type', 'name'] }, [], 'unrecognized_keys'],
    ['a typo in filters', { filters: { tpye: 'object' } }, ['filters'], 'unrecognized_keys'],
    [
      'a filter rule broken',
      { filters: { updatedAfter: '2026-02-01T00:00:00Z', updatedBefore: '2026-01-01T00:00:00Z' } },
      ['filters', 'updatedBefore'],
      'custom',
    ],
    [
      'a dotted payload path in a condition',
      { filters: { conditions: [{ field: 'payload.label', operator: 'exists', value: true }] } },
      ['filters', 'conditions', 0, 'field'],
      'invalid_format',
    ],
    ['includeTotal "yes"', { includeTotal: 'yes' }, ['includeTotal'], 'invalid_type'],
    ['includeArchived 1', { includeArchived: 1 }, ['includeArchived'], 'invalid_type'],
    ['a limit key', { limit: 10 }, [], 'unrecognized_keys'],
    ['a __proto__ key', JSON.parse('{"__proto__": {"includeArchived": true}}'), [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    const issues = issuesOf(MetadataQueryOptionsSchema, input);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path, code });
  });

  it('reports a date-time rule inside a condition at its nested path (date_time_field_needs_date_time_value)', () => {
    expect(issuesOf(MetadataQueryOptionsSchema, { filters: { conditions: [{ field: 'updatedAt', operator: 'gt', value: 0 }] } })).toEqual([
      { path: ['filters', 'conditions', 0, 'value'], code: 'custom', rule: 'date_time_field_needs_date_time_value' },
    ]);
  });

  it('rejects a sort given as SQL text', () => {
    // Zod also runs the array's max-length check on the string; the first issue is the one that matters.
    expect(issuesOf(MetadataQueryOptionsSchema, { sort: 'name DESC' })[0]).toEqual({ path: ['sort'], code: 'invalid_type' });
  });

  it('types', () => {
    expectTypeOf<MetadataQueryOptionsInput['pagination']>().toEqualTypeOf<MetadataPaginationInput | undefined>();
    expectTypeOf<MetadataQueryOptions['pagination']>().toEqualTypeOf<MetadataPagination>();
    expectTypeOf<MetadataQueryOptions>().not.toHaveProperty('fields');
    expectTypeOf<MetadataQueryOptionsInput>().not.toHaveProperty('fields');
    expectTypeOf<MetadataQueryOptions['filters']>().toEqualTypeOf<MetadataQueryFilters>();
    expectTypeOf<MetadataQueryOptions['includeTotal']>().toEqualTypeOf<boolean>();
  });
});
