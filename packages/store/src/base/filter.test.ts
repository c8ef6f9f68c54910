import {
  MetadataQueryConditionSchema,
  MetadataQueryFiltersSchema,
  type MetadataQueryConditionInput,
  type MetadataQueryFiltersInput,
  type MetadataRecord,
} from '@metasource/spec';
import { describe, expect, it } from 'vitest';
import { fieldValue, matchesCondition, matchesFilters } from './filter';

const record = (overrides: Partial<MetadataRecord> = {}): MetadataRecord => ({
  id: 'rec_1',
  type: 'object',
  name: 'account',
  namespace: 'crm',
  scope: 'platform',
  state: 'active',
  payload: {
    label: 'Account',
    count: 1,
    text: '1',
    flag: true,
    nothing: null,
    options: { a: 1, b: [1, 2] },
    list: ['red', 'green'],
    columns: [{ name: 'id' }, { name: 'label' }],
    emoji: '\u{1F600}',
    high: '\uFFFF',
    when: '2026-01-01T01:00:00+01:00',
  },
  mergeStrategy: 'merge',
  tenantId: 'acme',
  version: 3,
  tags: ['crm', 'core', 'crm'],
  createdAt: '2026-01-31T09:30:00.000Z',
  createdBy: 'jane@acme',
  updatedAt: '2026-02-01T10:00:00.000Z',
  updatedBy: 'jane@acme',
  ...overrides,
});

/** Whether `record()` matches one condition (parsed by its schema first, as a store does). */
const cond = (condition: MetadataQueryConditionInput, target = record()) =>
  matchesCondition(target, MetadataQueryConditionSchema.parse(condition));
const filters = (input: MetadataQueryFiltersInput, target = record(), includeArchived = false) =>
  matchesFilters(target, MetadataQueryFiltersSchema.parse(input), { includeArchived });

describe('filters (decisions item 3)', () => {
  it('match any value of a list and every tag given', () => {
    expect(filters({ type: ['field', 'object'] })).toBe(true);
    expect(filters({ type: ['field', 'view'] })).toBe(false);
    expect(filters({ name: 'account', namespace: ['crm'], scope: ['platform', 'user'] })).toBe(true);
    expect(filters({ tags: ['core', 'crm'] })).toBe(true);
    expect(filters({ tags: ['core', 'sales'] })).toBe(false);
  });

  it('need every filter given to match', () => {
    expect(filters({ type: 'object', name: 'contact' })).toBe(false);
    expect(filters({ tenantId: 'globex' })).toBe(false);
    expect(filters({ owner: 'jane@acme' })).toBe(false);
    expect(filters({ owner: 'jane@acme' }, record({ scope: 'user', owner: 'jane@acme' }))).toBe(true);
  });

  it('leave archived records out unless includeArchived or a state filter asks for them', () => {
    const archived = record({ state: 'archived' });
    expect(filters({}, archived)).toBe(false);
    expect(filters({}, archived, true)).toBe(true);
    expect(filters({ state: 'archived' }, archived)).toBe(true);
    expect(filters({ state: ['active'] }, archived, true)).toBe(false);
    expect(filters({}, record({ state: 'draft' }))).toBe(true);
  });

  it('compare updatedAfter and updatedBefore strictly, as instants', () => {
    expect(filters({ updatedAfter: '2026-02-01T10:00:00Z' })).toBe(false);
    expect(filters({ updatedAfter: '2026-02-01T10:59:59.999+01:00' })).toBe(true);
    expect(filters({ updatedBefore: '2026-02-01T11:00:00+01:00' })).toBe(false);
    expect(filters({ updatedBefore: '2026-02-01T11:00:00.001+01:00' })).toBe(true);
  });
});

describe('conditions (decisions item 8, the guide table)', () => {
  it('eq never mixes JSON types and compares numbers numerically', () => {
    expect(cond({ field: 'payload/count', operator: 'eq', value: 1 })).toBe(true);
    expect(cond({ field: 'payload/count', operator: 'eq', value: 1.0 })).toBe(true);
    expect(cond({ field: 'payload/count', operator: 'eq', value: '1' })).toBe(false);
    expect(cond({ field: 'payload/text', operator: 'eq', value: 1 })).toBe(false);
    expect(cond({ field: 'payload/flag', operator: 'eq', value: 1 })).toBe(false);
    expect(cond({ field: 'version', operator: 'eq', value: 3 })).toBe(true);
  });

  it('eq compares objects key by key and arrays in order', () => {
    expect(cond({ field: 'payload/options', operator: 'eq', value: { b: [1, 2], a: 1 } })).toBe(true);
    expect(cond({ field: 'payload/options/b', operator: 'eq', value: [2, 1] })).toBe(false);
  });

  it('eq null and exists false match an absent or null field', () => {
    for (const field of ['payload/nothing', 'payload/missing', 'extends', 'owner', 'payload/columns/name']) {
      expect(cond({ field, operator: 'eq', value: null })).toBe(true);
      expect(cond({ field, operator: 'exists', value: false })).toBe(true);
      expect(cond({ field, operator: 'exists', value: true })).toBe(false);
      expect(cond({ field, operator: 'ne', value: null })).toBe(false);
    }
    expect(cond({ field: 'payload/label', operator: 'eq', value: null })).toBe(false);
    expect(cond({ field: 'payload/label', operator: 'exists', value: true })).toBe(true);
  });

  it('ne is the exact negation of eq, absent fields and other types included', () => {
    expect(cond({ field: 'payload/missing', operator: 'ne', value: 'x' })).toBe(true);
    expect(cond({ field: 'payload/count', operator: 'ne', value: '1' })).toBe(true);
    expect(cond({ field: 'payload/count', operator: 'ne', value: 1 })).toBe(false);
  });

  it('orders strings by code point and numbers numerically, never across types', () => {
    expect(cond({ field: 'payload/emoji', operator: 'gt', value: '\uFFFF' })).toBe(true);
    expect(cond({ field: 'payload/high', operator: 'lt', value: '\u{1F600}' })).toBe(true);
    expect(cond({ field: 'version', operator: 'gte', value: 3 })).toBe(true);
    expect(cond({ field: 'version', operator: 'gt', value: 3 })).toBe(false);
    expect(cond({ field: 'version', operator: 'lt', value: 10 })).toBe(true);
    expect(cond({ field: 'payload/text', operator: 'lt', value: 2 })).toBe(false);
    expect(cond({ field: 'payload/count', operator: 'lt', value: '2' })).toBe(false);
    expect(cond({ field: 'payload/missing', operator: 'lte', value: 'z' })).toBe(false);
    expect(cond({ field: 'payload/list', operator: 'gt', value: 'a' })).toBe(false);
    expect(cond({ field: 'name', operator: 'gt', value: 'Zebra' })).toBe(true);
  });

  it('compares createdAt and updatedAt as instants, but a payload date-time as text', () => {
    expect(cond({ field: 'createdAt', operator: 'eq', value: '2026-01-31T10:30:00+01:00' })).toBe(true);
    expect(cond({ field: 'updatedAt', operator: 'lt', value: '2026-02-01T11:00:00.001+01:00' })).toBe(true);
    expect(cond({ field: 'createdAt', operator: 'in', value: ['2026-01-31T09:30:00Z'] })).toBe(true);
    expect(cond({ field: 'createdAt', operator: 'not_in', value: ['2026-01-31T09:30:00Z'] })).toBe(false);
    expect(cond({ field: 'payload/when', operator: 'eq', value: '2026-01-01T00:00:00Z' })).toBe(false);
    expect(cond({ field: 'payload/when', operator: 'eq', value: '2026-01-01T01:00:00+01:00' })).toBe(true);
  });

  it('in matches any value as eq does, null standing for absent; not_in is its negation', () => {
    expect(cond({ field: 'payload/count', operator: 'in', value: ['1', 1] })).toBe(true);
    expect(cond({ field: 'payload/flag', operator: 'in', value: [true] })).toBe(true);
    expect(cond({ field: 'payload/options', operator: 'in', value: [1, 'a'] })).toBe(false);
    expect(cond({ field: 'payload/list', operator: 'in', value: ['red'] })).toBe(false);
    expect(cond({ field: 'payload/missing', operator: 'in', value: ['x', null] })).toBe(true);
    expect(cond({ field: 'payload/missing', operator: 'not_in', value: ['x'] })).toBe(true);
    expect(cond({ field: 'payload/missing', operator: 'not_in', value: [null] })).toBe(false);
    expect(cond({ field: 'type', operator: 'not_in', value: ['object'] })).toBe(false);
  });

  it('contains looks in strings (code points, case-sensitive, literal) and array elements', () => {
    expect(cond({ field: 'payload/label', operator: 'contains', value: 'ccou' })).toBe(true);
    expect(cond({ field: 'payload/label', operator: 'contains', value: 'ACC' })).toBe(false);
    expect(cond({ field: 'payload/label', operator: 'contains', value: '%' })).toBe(false);
    expect(cond({ field: 'payload/list', operator: 'contains', value: 'green' })).toBe(true);
    expect(cond({ field: 'payload/list', operator: 'contains', value: 'gree' })).toBe(false);
    expect(cond({ field: 'tags', operator: 'contains', value: 'core' })).toBe(true);
    expect(cond({ field: 'payload/count', operator: 'contains', value: '1' })).toBe(false);
    expect(cond({ field: 'payload/options', operator: 'contains', value: 'a' })).toBe(false);
    expect(cond({ field: 'payload/missing', operator: 'contains', value: 'a' })).toBe(false);
  });

  it('starts_with matches a string prefix only', () => {
    expect(cond({ field: 'payload/label', operator: 'starts_with', value: 'Acc' })).toBe(true);
    expect(cond({ field: 'payload/label', operator: 'starts_with', value: 'acc' })).toBe(false);
    expect(cond({ field: 'payload/list', operator: 'starts_with', value: 'red' })).toBe(false);
  });

  it('follows payload paths as JSON Pointers: array indexes, no implicit traversal', () => {
    expect(cond({ field: 'payload/columns/0/name', operator: 'eq', value: 'id' })).toBe(true);
    expect(cond({ field: 'payload/columns/01/name', operator: 'exists', value: true })).toBe(false);
    expect(cond({ field: 'payload/columns/name', operator: 'eq', value: 'id' })).toBe(false);
    expect(fieldValue(record(), 'payload/options/b/1')).toBe(2);
  });

  it('can skip payload-dependent conditions, for filtering before inheritance is resolved', () => {
    const parsed = MetadataQueryFiltersSchema.parse({
      type: 'object',
      conditions: [
        { field: 'payload/label', operator: 'eq', value: 'Other' },
        { field: 'checksum', operator: 'eq', value: 'x' },
      ],
    });
    expect(matchesFilters(record(), parsed, { includeArchived: false })).toBe(false);
    expect(matchesFilters(record(), parsed, { includeArchived: false, envelopeOnly: true })).toBe(true);
    expect(matchesFilters(record({ type: 'view' }), parsed, { includeArchived: false, envelopeOnly: true })).toBe(false);
  });
});
