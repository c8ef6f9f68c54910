import { describe, it, expect, expectTypeOf } from 'vitest';
import { METADATA_RECORD_FIELDS, type MetadataRecordField } from '../metadata-record.zod';
import {
  MetadataQueryConditionSchema,
  MetadataQueryFiltersSchema,
  MetadataQueryOptionsSchema,
  MetadataSortSchema,
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
    ['ne with an object value', { field: 'payload.options', operator: 'ne', value: { a: [1, null] } }],
    ['eq null', { field: 'owner', operator: 'eq', value: null }],
    ['gt with a number', { field: 'version', operator: 'gt', value: 2 }],
    ['gte with a negative fraction', { field: 'payload.weight', operator: 'gte', value: -1.5 }],
    ['lt with a date-time string', { field: 'updatedAt', operator: 'lt', value: '2026-01-01T00:00:00Z' }],
    ['lte with a string', { field: 'name', operator: 'lte', value: 'm' }],
    ['in with scalars', { field: 'state', operator: 'in', value: ['active', 'deprecated', null, 1, true] }],
    ['not_in with one value', { field: 'namespace', operator: 'not_in', value: ['system'] }],
    ['contains with non-ASCII', { field: 'payload.label', operator: 'contains', value: 'Kontó 🚀' }],
    ['contains on tags', { field: 'tags', operator: 'contains', value: 'core' }],
    ['starts_with with a LIKE wildcard, taken literally', { field: 'name', operator: 'starts_with', value: 'acc%' }],
    ['exists false on a deep payload path', { field: 'payload.a.b.c.d.e.f.g.h', operator: 'exists', value: false }],
    ['a payload path with underscores and digits', { field: 'payload._meta.field_2', operator: 'exists', value: true }],
  ])('accepts %s and round-trips it', (_label, input) => {
    expectRoundTrip(MetadataQueryConditionSchema, input);
  });

  it.each<[string, string]>([
    ['SQL text', "type = 'object' OR 1=1"],
    ['a statement', 'type; DROP TABLE x'],
    ['a PostgreSQL JSON operator', "payload->>'label'"],
    ['a column name', 'tenant_id'],
    ['the whole payload', 'payload'],
    ['an empty payload path', 'payload.'],
    ['a payload path with an empty segment', 'payload.a..b'],
    ['a payload path with 9 segments', 'payload.a.b.c.d.e.f.g.h.i'],
    ['a payload segment starting with a digit', 'payload.1a'],
    ['a payload segment with a hyphen', 'payload.a-b'],
    ['a payload array index', 'payload.items[0]'],
    ['a payload segment of 64 characters', `payload.${'a'.repeat(64)}`],
    ['a path into another field', 'tags.a'],
    ['an empty field', ''],
    ['an uppercase field', 'Type'],
  ])('rejects %s as the field', (_label, field) => {
    expect(issuesOf(MetadataQueryConditionSchema, { field, operator: 'eq', value: 1 })).toEqual([
      { path: ['field'], code: 'invalid_format' },
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
        { field: 'payload.label', operator: 'contains', value: 'Account' },
        { field: 'version', operator: 'gte', value: 2 },
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
    ['a payload path', { field: 'payload.label' }, ['field'], 'invalid_value'],
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

describe('MetadataQueryOptionsSchema', () => {
  it('parses {} to the complete value: no filter, no sort, page 1 of 100', () => {
    const expected: MetadataQueryOptions = {
      filters: {},
      sort: [],
      pagination: { page: 1, pageSize: 100 },
      includeArchived: false,
      includeTotal: false,
    };
    expect(MetadataQueryOptionsSchema.parse({})).toEqual(expected);
  });

  it('parses options with every field set (page form) and round-trips them', () => {
    const full: MetadataQueryOptions = {
      filters: { type: 'object', namespace: 'crm' },
      sort: [
        { field: 'type', direction: 'asc' },
        { field: 'name', direction: 'desc' },
      ],
      pagination: { page: 3, pageSize: 50 },
      fields: ['id', 'type', 'name', 'version'],
      includeArchived: true,
      includeTotal: true,
    };
    expectRoundTrip(MetadataQueryOptionsSchema, full);
  });

  it('parses the cursor form and fills its pageSize', () => {
    expect(MetadataQueryOptionsSchema.parse({ pagination: { cursor: 'eyJpIjoiNDIifQ' } }).pagination).toEqual({
      cursor: 'eyJpIjoiNDIifQ',
      pageSize: 100,
    });
    expect(MetadataQueryOptionsSchema.parse({ pagination: { cursor: 'a'.repeat(2048), pageSize: 1000 } }).pagination).toEqual({
      cursor: 'a'.repeat(2048),
      pageSize: 1000,
    });
  });

  it("fills the page form's defaults when only one of them is given", () => {
    expect(MetadataQueryOptionsSchema.parse({ pagination: { pageSize: 10 } }).pagination).toEqual({ page: 1, pageSize: 10 });
    expect(MetadataQueryOptionsSchema.parse({ pagination: { page: 4 } }).pagination).toEqual({ page: 4, pageSize: 100 });
  });

  it('rejects a cursor and a page together (the two forms are disjoint)', () => {
    const result = MetadataQueryOptionsSchema.safeParse({ pagination: { cursor: 'eyJpIjoiNDIifQ', page: 2 } });
    expect(result.error?.issues).toMatchObject([
      {
        path: ['pagination'],
        code: 'invalid_union',
        message: 'must be either { page, pageSize } or { cursor, pageSize }, never both',
        errors: [[{ code: 'unrecognized_keys', keys: ['cursor'] }], [{ code: 'unrecognized_keys', keys: ['page'] }]],
      },
    ]);
  });

  // A value that fits neither form exactly is reported as invalid_union at pagination, with each form's issues
  // inside; a value that fits one form's shape but breaks a bound is reported at the bound.
  it.each<[string, unknown, Path, string, Path, string]>([
    ['pageSize 0', { pageSize: 0 }, ['pagination', 'pageSize'], 'too_small', [], ''],
    ['pageSize 1001', { pageSize: 1001 }, ['pagination', 'pageSize'], 'too_big', [], ''],
    ['pageSize 1.5', { pageSize: 1.5 }, ['pagination'], 'invalid_union', ['pageSize'], 'invalid_type'],
    ['pageSize "10"', { pageSize: '10' }, ['pagination'], 'invalid_union', ['pageSize'], 'invalid_type'],
    ['pageSize 0 with a cursor', { cursor: 'abc', pageSize: 0 }, ['pagination'], 'invalid_union', ['pageSize'], 'too_small'],
    ['pageSize 1001 with a cursor', { cursor: 'abc', pageSize: 1001 }, ['pagination'], 'invalid_union', ['pageSize'], 'too_big'],
    ['pageSize 1.5 with a cursor', { cursor: 'abc', pageSize: 1.5 }, ['pagination'], 'invalid_union', ['pageSize'], 'invalid_type'],
    ['page 0', { page: 0 }, ['pagination', 'page'], 'too_small', [], ''],
    ['page -1', { page: -1 }, ['pagination', 'page'], 'too_small', [], ''],
    ['page 2**53', { page: 2 ** 53 }, ['pagination', 'page'], 'too_big', [], ''],
    ['page 1e21', { page: 1e21 }, ['pagination', 'page'], 'too_big', [], ''],
    ['an empty cursor', { cursor: '' }, ['pagination'], 'invalid_union', ['cursor'], 'invalid_format'],
    ['a 2049-char cursor', { cursor: 'a'.repeat(2049) }, ['pagination'], 'invalid_union', ['cursor'], 'invalid_format'],
    ['a cursor with SQL', { cursor: "x' OR 1=1 --" }, ['pagination'], 'invalid_union', ['cursor'], 'invalid_format'],
    ['a cursor with non-ASCII', { cursor: 'é' }, ['pagination'], 'invalid_union', ['cursor'], 'invalid_format'],
    ['a cursor with standard base64 characters', { cursor: 'ab+/' }, ['pagination'], 'invalid_union', ['cursor'], 'invalid_format'],
    ['a cursor that is a number (no form has a numeric cursor)', { cursor: 42 }, ['pagination'], 'unrecognized_keys', [], ''],
    ['an offset key', { offset: 100 }, ['pagination'], 'unrecognized_keys', [], ''],
  ])('rejects pagination with %s', (_label, pagination, path, code, innerPath, innerCode) => {
    expect(issuesOf(MetadataQueryOptionsSchema, { pagination })).toEqual([{ path, code }]);
    if (innerCode !== '') {
      const issue = MetadataQueryOptionsSchema.safeParse({ pagination }).error?.issues[0];
      const inner = issue?.code === 'invalid_union' ? issue.errors.flat() : [];
      expect(inner).toContainEqual(expect.objectContaining({ path: innerPath, code: innerCode }));
    }
  });

  it.each<[string, unknown, Path, string]>([
    ['6 sort keys', { sort: Array.from({ length: 6 }, () => ({ field: 'name' })) }, ['sort'], 'too_big'],
    ['a sort on payload', { sort: [{ field: 'payload' }] }, ['sort', 0, 'field'], 'invalid_value'],
    ['an empty field list', { fields: [] }, ['fields'], 'too_small'],
    ['19 fields', { fields: [...METADATA_RECORD_FIELDS, 'id'] }, ['fields'], 'too_big'],
    ['a column name in fields', { fields: ['id', 'updated_at'] }, ['fields', 1], 'invalid_value'],
    ['SQL in fields', { fields: ['*'] }, ['fields', 0], 'invalid_value'],
    ['a typo in filters', { filters: { tpye: 'object' } }, ['filters'], 'unrecognized_keys'],
    [
      'a filter rule broken',
      { filters: { updatedAfter: '2026-02-01T00:00:00Z', updatedBefore: '2026-01-01T00:00:00Z' } },
      ['filters', 'updatedBefore'],
      'custom',
    ],
    ['includeTotal "yes"', { includeTotal: 'yes' }, ['includeTotal'], 'invalid_type'],
    ['includeArchived 1', { includeArchived: 1 }, ['includeArchived'], 'invalid_type'],
    ['an unknown key', { limit: 10 }, [], 'unrecognized_keys'],
    ['a __proto__ key', JSON.parse('{"__proto__": {"includeArchived": true}}'), [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    const issues = issuesOf(MetadataQueryOptionsSchema, input);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path, code });
  });

  it('rejects a sort given as SQL text', () => {
    // Zod also runs the array's max-length check on the string; the first issue is the one that matters.
    expect(issuesOf(MetadataQueryOptionsSchema, { sort: 'name DESC' })[0]).toEqual({ path: ['sort'], code: 'invalid_type' });
  });

  it('types', () => {
    expectTypeOf<MetadataQueryOptionsInput['pagination']>().toEqualTypeOf<
      { page?: number | undefined; pageSize?: number | undefined } | { cursor: string; pageSize?: number | undefined } | undefined
    >();
    expectTypeOf<MetadataQueryOptions['pagination']>().toEqualTypeOf<
      { page: number; pageSize: number } | { cursor: string; pageSize: number }
    >();
    expectTypeOf<MetadataQueryOptions['fields']>().toEqualTypeOf<MetadataRecordField[] | undefined>();
    expectTypeOf<MetadataQueryOptions['filters']>().toEqualTypeOf<MetadataQueryFilters>();
    expectTypeOf<MetadataQueryOptions['includeTotal']>().toEqualTypeOf<boolean>();
  });
});
