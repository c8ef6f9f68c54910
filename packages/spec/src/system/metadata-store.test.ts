import { describe, expect, expectTypeOf, it } from 'vitest';
import type { MetadataMigrationOperation } from '../data/driver/metadata-migration.zod';
import type { MetadataRecord } from '../data/metadata-record.zod';
import type { DatasourceCapabilities } from '../data/datasource.zod';
import { METADATA_PROTOCOL_VERSION } from '../shared/registry';
import { issuesOf, type Path } from '../testing';
import type { MetadataChangeEvent, MetadataRecordKey } from './metadata-persistence.zod';
import {
  MetadataCallContextSchema,
  MetadataCallerRoleSchema,
  MetadataChangeFeedOptionsSchema,
  MetadataChangeFeedPageSchema,
  MetadataDeleteResultSchema,
  MetadataGetOptionsSchema,
  MetadataItemChangeOptionsSchema,
  MetadataMigrateOptionsSchema,
  MetadataMigrationPlanSchema,
  MetadataMigrationPlanStepSchema,
  MetadataQueryResultSchema,
  MetadataStoreErrorCodeSchema,
  MetadataStoreErrorSchema,
  MetadataStoreProfileSchema,
  type MetadataCallContext,
  type MetadataCallContextInput,
  type MetadataCallerRole,
  type MetadataChangeFeedOptions,
  type MetadataChangeFeedOptionsInput,
  type MetadataChangeFeedPage,
  type MetadataDeleteResult,
  type MetadataGetOptions,
  type MetadataGetOptionsInput,
  type MetadataItemChangeOptions,
  type MetadataItemChangeOptionsInput,
  type MetadataMigrateOptions,
  type MetadataMigrateOptionsInput,
  type MetadataMigrationPlan,
  type MetadataMigrationPlanStep,
  type MetadataQueryResult,
  type MetadataQueryResultInput,
  type MetadataStoreError,
  type MetadataStoreErrorCode,
  type MetadataStoreProfile,
  type MetadataStoreProfileInput,
} from './metadata-store.zod';

/** A bad-input table row: label, input, expected path, expected code. */
type BadRow = [string, unknown, Path, string];
/** A broken-rule table row: label, input, expected path, expected rule. */
type RuleRow = [string, unknown, Path, string];

const C0 = `sha256:${'0'.repeat(64)}`;
const C1 = `sha256:${'1'.repeat(64)}`;
/** An own `__proto__` key, as JSON.parse makes it; spreading it copies the key as data. */
const PROTO_KEY = JSON.parse('{"__proto__": 1}') as Record<string, unknown>;

/** The whole parsed value of a key given with tenant, type, namespace and name: scope filled. */
const KEY = { tenantId: 'acme', type: 'object', namespace: 'crm', scope: 'platform', name: 'account' } as const;

// ---------------------------------------------------------------------------
// Who is calling
// ---------------------------------------------------------------------------

describe('MetadataCallerRoleSchema', () => {
  it('has the two roles', () => {
    expect(MetadataCallerRoleSchema.options).toEqual(['runtime', 'operator']);
  });

  it.each(['admin', 'Runtime', 'system', ''])('rejects %j', (input) => {
    expect(issuesOf(MetadataCallerRoleSchema, input)).toEqual([{ path: [], code: 'invalid_value' }]);
  });

  it('types', () => {
    expectTypeOf<MetadataCallerRole>().toEqualTypeOf<'runtime' | 'operator'>();
  });
});

describe('MetadataCallContextSchema', () => {
  const minimal = { actor: 'jane@acme', readTenants: ['acme'] };

  it('parses the minimal context to a read-only runtime caller that administers no one', () => {
    const expected: MetadataCallContext = {
      actor: 'jane@acme',
      role: 'runtime',
      readTenants: ['acme'],
      writeTenants: [],
      administersUsers: false,
    };
    expect(MetadataCallContextSchema.parse(minimal)).toStrictEqual(expected);
  });

  it('parses an operator context with every field to itself', () => {
    const full: MetadataCallContext = {
      actor: 'deploy-bot',
      role: 'operator',
      readTenants: ['acme', 'globex'],
      writeTenants: ['globex'],
      administersUsers: true,
    };
    expect(MetadataCallContextSchema.parse(full)).toStrictEqual(full);
    expect(MetadataCallContextSchema.parse(MetadataCallContextSchema.parse(full))).toStrictEqual(full);
  });

  it('accepts 1000 tenants and writeTenants equal to readTenants', () => {
    const tenants = Array.from({ length: 1000 }, (_, i) => `t${i}`);
    expect(MetadataCallContextSchema.parse({ actor: 'ops', readTenants: tenants, writeTenants: tenants }).writeTenants).toHaveLength(1000);
  });

  it.each<BadRow>([
    ['no actor', { readTenants: ['acme'] }, ['actor'], 'invalid_type'],
    ['no readTenants', { actor: 'jane@acme' }, ['readTenants'], 'invalid_type'],
    ['an empty readTenants (a caller reads at least one tenant)', { ...minimal, readTenants: [] }, ['readTenants'], 'too_small'],
    ['1001 readTenants', { ...minimal, readTenants: Array.from({ length: 1001 }, (_, i) => `t${i}`) }, ['readTenants'], 'too_big'],
    ['a tenant id with a space', { ...minimal, readTenants: ['ac me'] }, ['readTenants', 0], 'invalid_format'],
    ['a tenant id of 129 characters', { ...minimal, readTenants: ['a'.repeat(129)] }, ['readTenants', 0], 'invalid_format'],
    ['a tenant given as a string, not a list', { ...minimal, readTenants: 'acme' }, ['readTenants'], 'invalid_type'],
    ['an actor with a space', { ...minimal, actor: 'jane doe' }, ['actor'], 'invalid_format'],
    ['an unknown role', { ...minimal, role: 'admin' }, ['role'], 'invalid_value'],
    ['administersUsers "yes"', { ...minimal, administersUsers: 'yes' }, ['administersUsers'], 'invalid_type'],
    // The tenant comes from the context's tenant sets, never from a single request field.
    ['a tenantId key', { ...minimal, tenantId: 'acme' }, [], 'unrecognized_keys'],
    ['a permissions key', { ...minimal, permissions: ['*'] }, [], 'unrecognized_keys'],
    ['an own __proto__ key', { ...minimal, ...PROTO_KEY }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataCallContextSchema, input)).toEqual([{ path, code }]);
  });

  it('reports a malformed write tenant at its index, and by write_tenants_readable since no readable tenant matches it', () => {
    expect(issuesOf(MetadataCallContextSchema, { ...minimal, writeTenants: ['acme;'] })).toEqual([
      { path: ['writeTenants', 0], code: 'invalid_format' },
      { path: ['writeTenants'], code: 'custom', rule: 'write_tenants_readable' },
    ]);
  });

  it.each<RuleRow>([
    ['a tenant read twice', { ...minimal, readTenants: ['acme', 'acme'] }, ['readTenants'], 'read_tenants_unique'],
    [
      'a tenant written twice',
      { ...minimal, readTenants: ['acme'], writeTenants: ['acme', 'acme'] },
      ['writeTenants'],
      'write_tenants_unique',
    ],
    ['a writable tenant that is not readable', { ...minimal, writeTenants: ['globex'] }, ['writeTenants'], 'write_tenants_readable'],
  ])('rejects %s by its rule', (_label, input, path, rule) => {
    expect(issuesOf(MetadataCallContextSchema, input)).toEqual([{ path, code: 'custom', rule }]);
  });

  it('types: role, writeTenants and administersUsers are optional to write and always present after parsing', () => {
    expectTypeOf<MetadataCallContextInput>().toEqualTypeOf<{
      actor: string;
      role?: 'runtime' | 'operator' | undefined;
      readTenants: string[];
      writeTenants?: string[] | undefined;
      administersUsers?: boolean | undefined;
    }>();
    expectTypeOf<MetadataCallContext>().toEqualTypeOf<{
      actor: string;
      role: 'runtime' | 'operator';
      readTenants: string[];
      writeTenants: string[];
      administersUsers: boolean;
    }>();
  });
});

// ---------------------------------------------------------------------------
// Typed errors
// ---------------------------------------------------------------------------

describe('MetadataStoreErrorSchema', () => {
  /** One error of every code, each with every field its variant requires. */
  const ERRORS = {
    invalid_input: {
      code: 'invalid_input',
      message: 'the save input is invalid',
      issues: [
        { path: ['pagination', 'pageSize'], code: 'too_big', message: 'must be at most 1000' },
        { path: ['owner'], code: 'custom', rule: 'owner_only_for_user_scope', message: 'owner is only allowed when scope is "user"' },
      ],
    },
    version_conflict: {
      code: 'version_conflict',
      message: 'stored version is 4, the write was based on version 3',
      key: KEY,
      expectedVersion: 3,
      actualVersion: 4,
    },
    already_exists: { code: 'already_exists', message: 'object crm/account exists', key: KEY, existingId: 'rec_42', actualVersion: 4 },
    not_found: { code: 'not_found', message: 'no item object crm/account' },
    forbidden: { code: 'forbidden', message: 'tenant globex is not writable', reason: 'tenant_not_writable' },
    invalid_cursor: { code: 'invalid_cursor', message: 'the cursor does not belong to this query' },
    page_too_large: { code: 'page_too_large', message: 'pageSize 500 is above maxPageSize 200', maxPageSize: 200 },
    result_too_large: { code: 'result_too_large', message: 'more than 10000 records', maxResultSize: 10_000 },
    unsupported_capability: { code: 'unsupported_capability', message: 'no schema to migrate', capability: 'schema_migration' },
    inconsistent_inheritance: {
      code: 'inconsistent_inheritance',
      message: 'object crm/account (user) extends account, which no earlier scope holds',
      key: { ...KEY, scope: 'user', owner: 'jane@acme' },
      extends: 'account',
    },
    resync_needed: { code: 'resync_needed', message: 'events after 10 are no longer kept', latestSequence: 5310 },
    migration_locked: { code: 'migration_locked', message: 'another migration is running' },
    unavailable: { code: 'unavailable', message: 'cannot connect to db.internal:5432' },
  } as const satisfies Record<MetadataStoreErrorCode, MetadataStoreError>;

  it('has one fixture per code, so every code below is tested', () => {
    expect(Object.keys(ERRORS).sort()).toEqual([...MetadataStoreErrorCodeSchema.options].sort());
  });

  it('covers every code with exactly one variant', () => {
    const codes = MetadataStoreErrorSchema.options.map((variant) => variant.shape.code.value);
    expect([...codes].sort()).toEqual([...MetadataStoreErrorCodeSchema.options].sort());
  });

  it.each(Object.entries(ERRORS))('parses %s with its required fields to itself', (_code, error) => {
    expect(MetadataStoreErrorSchema.parse(error)).toStrictEqual(error);
  });

  it('fills the defaults of a key given in short form (the key is a MetadataRecordKey)', () => {
    const parsed = MetadataStoreErrorSchema.parse({ ...ERRORS.version_conflict, key: { type: 'object', name: 'account' } });
    expect(parsed).toStrictEqual({
      ...ERRORS.version_conflict,
      key: { tenantId: 'default', type: 'object', namespace: 'default', scope: 'platform', name: 'account' },
    });
  });

  it('keeps an optional field of not_found and a rule-less issue as given', () => {
    expect(MetadataStoreErrorSchema.parse({ ...ERRORS.not_found, expectedVersion: 3 })).toStrictEqual({
      ...ERRORS.not_found,
      expectedVersion: 3,
    });
    const oneIssue = { code: 'invalid_input', message: 'bad', issues: [{ path: [], code: 'unrecognized_keys', message: 'x' }] };
    expect(MetadataStoreErrorSchema.parse(oneIssue)).toStrictEqual(oneIssue);
  });

  it.each(['tenant_not_readable', 'tenant_not_writable', 'system_scope_read_only', 'not_owner', 'operator_only'])(
    'accepts the forbidden reason %s',
    (reason) => {
      expect(MetadataStoreErrorSchema.parse({ ...ERRORS.forbidden, reason })).toStrictEqual({ ...ERRORS.forbidden, reason });
    },
  );

  /** Each variant's required fields, the message and the code. */
  const missing: BadRow[] = [
    ['invalid_input without issues', { code: 'invalid_input', message: 'x' }, ['issues'], 'invalid_type'],
    ['version_conflict without key', { ...ERRORS.version_conflict, key: undefined }, ['key'], 'invalid_type'],
    [
      'version_conflict without expectedVersion',
      { ...ERRORS.version_conflict, expectedVersion: undefined },
      ['expectedVersion'],
      'invalid_type',
    ],
    ['version_conflict without actualVersion', { ...ERRORS.version_conflict, actualVersion: undefined }, ['actualVersion'], 'invalid_type'],
    ['already_exists without key', { ...ERRORS.already_exists, key: undefined }, ['key'], 'invalid_type'],
    ['already_exists without existingId', { ...ERRORS.already_exists, existingId: undefined }, ['existingId'], 'invalid_type'],
    ['already_exists without actualVersion', { ...ERRORS.already_exists, actualVersion: undefined }, ['actualVersion'], 'invalid_type'],
    ['forbidden without reason', { code: 'forbidden', message: 'x' }, ['reason'], 'invalid_value'],
    ['page_too_large without maxPageSize', { code: 'page_too_large', message: 'x' }, ['maxPageSize'], 'invalid_type'],
    ['result_too_large without maxResultSize', { code: 'result_too_large', message: 'x' }, ['maxResultSize'], 'invalid_type'],
    ['unsupported_capability without capability', { code: 'unsupported_capability', message: 'x' }, ['capability'], 'invalid_type'],
    ['inconsistent_inheritance without key', { ...ERRORS.inconsistent_inheritance, key: undefined }, ['key'], 'invalid_type'],
    ['inconsistent_inheritance without extends', { ...ERRORS.inconsistent_inheritance, extends: undefined }, ['extends'], 'invalid_type'],
    ['resync_needed without latestSequence', { code: 'resync_needed', message: 'x' }, ['latestSequence'], 'invalid_type'],
    ...Object.keys(ERRORS).map<BadRow>((code) => [
      `${code} without message`,
      { ...ERRORS[code as MetadataStoreErrorCode], message: undefined },
      ['message'],
      'invalid_type',
    ]),
  ];

  /** A field of one variant is an unknown key on another: each code carries exactly its own fields. */
  const foreign: BadRow[] = [
    ['actualVersion on not_found', { ...ERRORS.not_found, actualVersion: 4 }, [], 'unrecognized_keys'],
    ['key on not_found', { ...ERRORS.not_found, key: KEY }, [], 'unrecognized_keys'],
    ['existingId on version_conflict', { ...ERRORS.version_conflict, existingId: 'rec_42' }, [], 'unrecognized_keys'],
    ['expectedVersion on already_exists', { ...ERRORS.already_exists, expectedVersion: 3 }, [], 'unrecognized_keys'],
    ['issues on forbidden', { ...ERRORS.forbidden, issues: ERRORS.invalid_input.issues }, [], 'unrecognized_keys'],
    ['reason on invalid_input', { ...ERRORS.invalid_input, reason: 'not_owner' }, [], 'unrecognized_keys'],
    ['maxResultSize on page_too_large', { ...ERRORS.page_too_large, maxResultSize: 10 }, [], 'unrecognized_keys'],
    ['maxPageSize on result_too_large', { ...ERRORS.result_too_large, maxPageSize: 10 }, [], 'unrecognized_keys'],
    ['latestSequence on invalid_cursor', { ...ERRORS.invalid_cursor, latestSequence: 1 }, [], 'unrecognized_keys'],
    [
      'the cursor on invalid_cursor (cursors are never echoed)',
      { ...ERRORS.invalid_cursor, cursor: 'eyJpIjoiNDIifQ' },
      [],
      'unrecognized_keys',
    ],
    ['capability on migration_locked', { ...ERRORS.migration_locked, capability: 'advisory_locks' }, [], 'unrecognized_keys'],
    ['extends on version_conflict', { ...ERRORS.version_conflict, extends: 'account' }, [], 'unrecognized_keys'],
    ['key on resync_needed', { ...ERRORS.resync_needed, key: KEY }, [], 'unrecognized_keys'],
    ['a host on unavailable', { ...ERRORS.unavailable, host: 'db.internal' }, [], 'unrecognized_keys'],
    ['a stack trace', { ...ERRORS.unavailable, stack: 'at connect ...' }, [], 'unrecognized_keys'],
    ['a cause', { ...ERRORS.unavailable, cause: { message: 'ECONNREFUSED' } }, [], 'unrecognized_keys'],
    [
      'an unknown key in an issue',
      { ...ERRORS.invalid_input, issues: [{ path: [], code: 'x', message: 'x', input: 'secret' }] },
      ['issues', 0],
      'unrecognized_keys',
    ],
    ['an own __proto__ key', { ...ERRORS.not_found, ...PROTO_KEY }, [], 'unrecognized_keys'],
  ];

  const values: BadRow[] = [
    ['an unknown code', { code: 'timeout', message: 'x' }, ['code'], 'invalid_union'],
    ['a missing code', { message: 'x' }, ['code'], 'invalid_union'],
    ['an empty message', { ...ERRORS.not_found, message: '' }, ['message'], 'invalid_format'],
    ['a 2001-character message', { ...ERRORS.not_found, message: 'é'.repeat(2001) }, ['message'], 'invalid_format'],
    ['no issue', { ...ERRORS.invalid_input, issues: [] }, ['issues'], 'too_small'],
    [
      '101 issues',
      { ...ERRORS.invalid_input, issues: Array.from({ length: 101 }, () => ERRORS.invalid_input.issues[0]) },
      ['issues'],
      'too_big',
    ],
    ['an issue without a code', { ...ERRORS.invalid_input, issues: [{ path: [], message: 'x' }] }, ['issues', 0, 'code'], 'invalid_type'],
    [
      'an issue code of 65 characters',
      { ...ERRORS.invalid_input, issues: [{ path: [], code: 'c'.repeat(65), message: 'x' }] },
      ['issues', 0, 'code'],
      'invalid_format',
    ],
    [
      'an issue rule that is no machine name',
      { ...ERRORS.invalid_input, issues: [{ path: [], code: 'custom', rule: 'Owner Rule', message: 'x' }] },
      ['issues', 0, 'rule'],
      'invalid_format',
    ],
    [
      'an empty issue message',
      { ...ERRORS.invalid_input, issues: [{ path: [], code: 'x', message: '' }] },
      ['issues', 0, 'message'],
      'invalid_format',
    ],
    [
      'a negative index in an issue path',
      { ...ERRORS.invalid_input, issues: [{ path: [-1], code: 'x', message: 'x' }] },
      ['issues', 0, 'path', 0],
      'too_small',
    ],
    [
      'a fractional index in an issue path',
      { ...ERRORS.invalid_input, issues: [{ path: [1.5], code: 'x', message: 'x' }] },
      ['issues', 0, 'path', 0],
      'invalid_union',
    ],
    [
      'a 257-character key in an issue path',
      { ...ERRORS.invalid_input, issues: [{ path: ['k'.repeat(257)], code: 'x', message: 'x' }] },
      ['issues', 0, 'path', 0],
      'too_big',
    ],
    [
      'an issue path of 65 segments',
      { ...ERRORS.invalid_input, issues: [{ path: Array.from({ length: 65 }, () => 'a'), code: 'x', message: 'x' }] },
      ['issues', 0, 'path'],
      'too_big',
    ],
    ['actualVersion 0', { ...ERRORS.version_conflict, actualVersion: 0 }, ['actualVersion'], 'too_small'],
    ['a fractional expectedVersion', { ...ERRORS.version_conflict, expectedVersion: 2.5 }, ['expectedVersion'], 'invalid_type'],
    ['expectedVersion 2**53 on not_found', { ...ERRORS.not_found, expectedVersion: 2 ** 53 }, ['expectedVersion'], 'too_big'],
    ['a malformed existingId', { ...ERRORS.already_exists, existingId: 'rec 42' }, ['existingId'], 'invalid_format'],
    ['a key without a name', { ...ERRORS.version_conflict, key: { type: 'object' } }, ['key', 'name'], 'invalid_type'],
    ['an unknown key in a key', { ...ERRORS.already_exists, key: { ...KEY, id: 'rec_42' } }, ['key'], 'unrecognized_keys'],
    ['an unknown forbidden reason', { ...ERRORS.forbidden, reason: 'not_allowed' }, ['reason'], 'invalid_value'],
    ['maxPageSize 0', { ...ERRORS.page_too_large, maxPageSize: 0 }, ['maxPageSize'], 'too_small'],
    [
      'maxPageSize 1001 (no pageSize above 1000 is valid anyway)',
      { ...ERRORS.page_too_large, maxPageSize: 1001 },
      ['maxPageSize'],
      'too_big',
    ],
    ['maxResultSize 0', { ...ERRORS.result_too_large, maxResultSize: 0 }, ['maxResultSize'], 'too_small'],
    ['a capability in prose', { ...ERRORS.unsupported_capability, capability: 'Transactional DDL' }, ['capability'], 'invalid_format'],
    ['an extends that is no machine name', { ...ERRORS.inconsistent_inheritance, extends: 'Account' }, ['extends'], 'invalid_format'],
    ['latestSequence -1', { ...ERRORS.resync_needed, latestSequence: -1 }, ['latestSequence'], 'too_small'],
    ['latestSequence 2**53', { ...ERRORS.resync_needed, latestSequence: 2 ** 53 }, ['latestSequence'], 'too_big'],
  ];

  it.each([...missing, ...foreign, ...values])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataStoreErrorSchema, input)).toEqual([{ path, code }]);
  });

  it('checks the key of an error with the key rules (owner_only_for_user_scope)', () => {
    expect(issuesOf(MetadataStoreErrorSchema, { ...ERRORS.already_exists, key: { ...KEY, owner: 'jane@acme' } })).toEqual([
      { path: ['key', 'owner'], code: 'custom', rule: 'owner_only_for_user_scope' },
    ]);
    expect(issuesOf(MetadataStoreErrorSchema, { ...ERRORS.inconsistent_inheritance, key: { ...KEY, scope: 'user' } })).toEqual([
      { path: ['key', 'owner'], code: 'custom', rule: 'user_scope_requires_owner' },
    ]);
  });

  it('types: each code has its own fields', () => {
    type Of<C extends MetadataStoreErrorCode> = Extract<MetadataStoreError, { code: C }>;
    expectTypeOf<MetadataStoreError['code']>().toEqualTypeOf<MetadataStoreErrorCode>();
    expectTypeOf<keyof Of<'invalid_input'>>().toEqualTypeOf<'code' | 'message' | 'issues'>();
    expectTypeOf<Of<'invalid_input'>['issues'][number]>().toEqualTypeOf<{
      path: (string | number)[];
      code: string;
      rule?: string | undefined;
      message: string;
    }>();
    expectTypeOf<keyof Of<'version_conflict'>>().toEqualTypeOf<'code' | 'message' | 'key' | 'expectedVersion' | 'actualVersion'>();
    expectTypeOf<Of<'version_conflict'>['key']>().toEqualTypeOf<MetadataRecordKey>();
    expectTypeOf<keyof Of<'already_exists'>>().toEqualTypeOf<'code' | 'message' | 'key' | 'existingId' | 'actualVersion'>();
    expectTypeOf<Of<'not_found'>['expectedVersion']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Of<'forbidden'>['reason']>().toEqualTypeOf<
      'tenant_not_readable' | 'tenant_not_writable' | 'system_scope_read_only' | 'not_owner' | 'operator_only'
    >();
    expectTypeOf<Of<'page_too_large'>['maxPageSize']>().toEqualTypeOf<number>();
    expectTypeOf<Of<'result_too_large'>['maxResultSize']>().toEqualTypeOf<number>();
    expectTypeOf<Of<'unsupported_capability'>['capability']>().toEqualTypeOf<string>();
    expectTypeOf<keyof Of<'inconsistent_inheritance'>>().toEqualTypeOf<'code' | 'message' | 'key' | 'extends'>();
    expectTypeOf<Of<'resync_needed'>['latestSequence']>().toEqualTypeOf<number>();
    expectTypeOf<keyof Of<'invalid_cursor' | 'migration_locked' | 'unavailable'>>().toEqualTypeOf<'code' | 'message'>();
  });
});

// ---------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------

describe('MetadataQueryResultSchema', () => {
  const stored: MetadataRecord = {
    id: 'rec_42',
    tenantId: 'acme',
    type: 'object',
    namespace: 'crm',
    scope: 'platform',
    name: 'account',
    state: 'active',
    payload: { label: 'Account' },
    mergeStrategy: 'merge',
    tags: [],
    version: 2,
    checksum: C0,
    createdAt: '2026-01-31T09:30:00.000Z',
    createdBy: 'jane@acme',
    updatedAt: '2026-01-31T09:31:00.000Z',
    updatedBy: 'jane@acme',
  };

  it('parses an empty last page to itself: no cursor, no total', () => {
    expect(MetadataQueryResultSchema.parse({ records: [] })).toStrictEqual({ records: [] });
  });

  it('parses a page with a cursor and a total to itself', () => {
    const page: MetadataQueryResult = { records: [stored], nextCursor: 'eyJpIjoiNDIifQ', total: 2 };
    expect(MetadataQueryResultSchema.parse(page)).toStrictEqual(page);
  });

  it('fills the envelope defaults of each record (the records are MetadataRecords)', () => {
    expect(MetadataQueryResultSchema.parse({ records: [{ type: 'object', name: 'account', payload: {} }] })).toStrictEqual({
      records: [
        {
          type: 'object',
          name: 'account',
          namespace: 'default',
          scope: 'platform',
          state: 'active',
          payload: {},
          mergeStrategy: 'merge',
          tenantId: 'default',
          version: 1,
          tags: [],
        },
      ],
    });
  });

  it('accepts 1000 records and a total equal to their number', () => {
    const records = Array.from({ length: 1000 }, (_, i) => ({ ...stored, id: `rec_${i}`, name: `item_${i}` }));
    expect(MetadataQueryResultSchema.parse({ records, total: 1000 }).records).toHaveLength(1000);
  });

  it.each<BadRow>([
    ['no records', {}, ['records'], 'invalid_type'],
    ['1001 records', { records: Array.from({ length: 1001 }, () => stored) }, ['records'], 'too_big'],
    ['a record with an unknown key', { records: [{ ...stored, score: 1 }] }, ['records', 0], 'unrecognized_keys'],
    ['a record without payload', { records: [{ type: 'object', name: 'account' }] }, ['records', 0, 'payload'], 'invalid_type'],
    ['a malformed nextCursor', { records: [], nextCursor: 'a b' }, ['nextCursor'], 'invalid_format'],
    ['a null nextCursor', { records: [], nextCursor: null }, ['nextCursor'], 'invalid_type'],
    ['a fractional total', { records: [], total: 1.5 }, ['total'], 'invalid_type'],
    ['total 2**53', { records: [], total: 2 ** 53 }, ['total'], 'too_big'],
    // A load result's fields are not a query's.
    ['fromCache', { records: [], fromCache: false }, [], 'unrecognized_keys'],
    ['a page number', { records: [], page: 2 }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataQueryResultSchema, input)).toEqual([{ path, code }]);
  });

  it('reports a negative total as too_small, and by its rule since it is below the 0 records returned', () => {
    expect(issuesOf(MetadataQueryResultSchema, { records: [], total: -1 })).toEqual([
      { path: ['total'], code: 'too_small' },
      { path: ['total'], code: 'custom', rule: 'total_not_below_record_count' },
    ]);
  });

  it('rejects a total below the number of records returned (total_not_below_record_count)', () => {
    expect(issuesOf(MetadataQueryResultSchema, { records: [stored, { ...stored, id: 'rec_43', name: 'contact' }], total: 1 })).toEqual([
      { path: ['total'], code: 'custom', rule: 'total_not_below_record_count' },
    ]);
    expect(MetadataQueryResultSchema.safeParse({ records: [stored], total: 1 }).success).toBe(true);
  });

  it('types: the records are complete MetadataRecords; cursor and total are optional', () => {
    expectTypeOf<MetadataQueryResult['records']>().toEqualTypeOf<MetadataRecord[]>();
    expectTypeOf<MetadataQueryResult['nextCursor']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<MetadataQueryResult['total']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<keyof MetadataQueryResultInput>().toEqualTypeOf<'records' | 'nextCursor' | 'total'>();
  });
});

describe('MetadataChangeFeedOptionsSchema', () => {
  it('parses {} to the start of the only readable tenant\u2019s feed, 100 events at a time', () => {
    const expected: MetadataChangeFeedOptions = { afterSequence: 0, limit: 100 };
    expect(MetadataChangeFeedOptionsSchema.parse({})).toStrictEqual(expected);
  });

  it('parses every field to itself', () => {
    const full: MetadataChangeFeedOptions = { tenantId: 'acme', afterSequence: 1041, limit: 1000 };
    expect(MetadataChangeFeedOptionsSchema.parse(full)).toStrictEqual(full);
  });

  it.each<BadRow>([
    ['a malformed tenant', { tenantId: 'ac me' }, ['tenantId'], 'invalid_format'],
    ['afterSequence -1', { afterSequence: -1 }, ['afterSequence'], 'too_small'],
    ['a fractional afterSequence', { afterSequence: 1.5 }, ['afterSequence'], 'invalid_type'],
    ['afterSequence as a string', { afterSequence: '1041' }, ['afterSequence'], 'invalid_type'],
    ['afterSequence 2**53', { afterSequence: 2 ** 53 }, ['afterSequence'], 'too_big'],
    ['limit 0', { limit: 0 }, ['limit'], 'too_small'],
    ['limit 1001', { limit: 1001 }, ['limit'], 'too_big'],
    ['several tenants at once (the feed is per tenant)', { tenantIds: ['acme', 'globex'] }, [], 'unrecognized_keys'],
    ['a cursor (the feed pages by sequence)', { cursor: 'eyJpIjoiNDIifQ' }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataChangeFeedOptionsSchema, input)).toEqual([{ path, code }]);
  });

  it('types', () => {
    expectTypeOf<MetadataChangeFeedOptionsInput>().toEqualTypeOf<{
      tenantId?: string | undefined;
      afterSequence?: number | undefined;
      limit?: number | undefined;
    }>();
    expectTypeOf<MetadataChangeFeedOptions>().toEqualTypeOf<{ tenantId?: string | undefined; afterSequence: number; limit: number }>();
  });
});

describe('MetadataChangeFeedPageSchema', () => {
  const event = (sequence: number, tenantId = 'acme'): MetadataChangeEvent => ({
    sequence,
    operation: 'update',
    key: { ...KEY, tenantId },
    recordId: 'rec_42',
    version: sequence + 1,
    checksumBefore: C0,
    checksumAfter: C1,
    actor: 'jane@acme',
    occurredAt: '2026-01-31T09:31:00.000Z',
  });

  it('parses an empty page to itself', () => {
    const page: MetadataChangeFeedPage = { tenantId: 'acme', events: [], lastSequence: 0, hasMore: false };
    expect(MetadataChangeFeedPageSchema.parse(page)).toStrictEqual(page);
  });

  it('parses a tenant\u2019s first events, 1, 2, 3, to themselves', () => {
    const page: MetadataChangeFeedPage = { tenantId: 'acme', events: [event(1), event(2), event(3)], lastSequence: 3, hasMore: true };
    expect(MetadataChangeFeedPageSchema.parse(page)).toStrictEqual(page);
  });

  it.each<BadRow>([
    ['no tenantId', { events: [], lastSequence: 0, hasMore: false }, ['tenantId'], 'invalid_type'],
    ['no hasMore', { tenantId: 'acme', events: [], lastSequence: 0 }, ['hasMore'], 'invalid_type'],
    ['lastSequence -1', { tenantId: 'acme', events: [], lastSequence: -1, hasMore: false }, ['lastSequence'], 'too_small'],
    [
      '1001 events',
      { tenantId: 'acme', events: Array.from({ length: 1001 }, (_, i) => event(i + 1)), lastSequence: 1001, hasMore: false },
      ['events'],
      'too_big',
    ],
    [
      'an event with sequence 0',
      { tenantId: 'acme', events: [event(0)], lastSequence: 0, hasMore: false },
      ['events', 0, 'sequence'],
      'too_small',
    ],
    ['an unknown key', { tenantId: 'acme', events: [], lastSequence: 0, hasMore: false, nextCursor: 'x' }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataChangeFeedPageSchema, input)).toEqual([{ path, code }]);
  });

  it.each<RuleRow>([
    [
      'an event of another tenant',
      { tenantId: 'acme', events: [event(1), event(2, 'globex')], lastSequence: 2, hasMore: false },
      ['events'],
      'events_of_page_tenant',
    ],
    [
      'an event whose key names no tenant (it belongs to the default tenant)',
      { tenantId: 'acme', events: [{ ...event(1), key: { type: 'object', name: 'account' } }], lastSequence: 1, hasMore: false },
      ['events'],
      'events_of_page_tenant',
    ],
    ['a gap', { tenantId: 'acme', events: [event(1), event(3)], lastSequence: 3, hasMore: false }, ['events'], 'events_consecutive'],
    [
      'events out of order',
      { tenantId: 'acme', events: [event(2), event(1)], lastSequence: 1, hasMore: false },
      ['events'],
      'events_consecutive',
    ],
    [
      'an event twice',
      { tenantId: 'acme', events: [event(1), event(1)], lastSequence: 1, hasMore: false },
      ['events'],
      'events_consecutive',
    ],
    [
      'a lastSequence that is not the last event\u2019s',
      { tenantId: 'acme', events: [event(4), event(5)], lastSequence: 4, hasMore: false },
      ['lastSequence'],
      'last_sequence_of_last_event',
    ],
  ])('rejects %s by its rule', (_label, input, path, rule) => {
    expect(issuesOf(MetadataChangeFeedPageSchema, input)).toEqual([{ path, code: 'custom', rule }]);
  });

  it('types', () => {
    expectTypeOf<MetadataChangeFeedPage>().toEqualTypeOf<{
      tenantId: string;
      events: MetadataChangeEvent[];
      lastSequence: number;
      hasMore: boolean;
    }>();
  });
});

// ---------------------------------------------------------------------------
// Migration plan
// ---------------------------------------------------------------------------

const BACKUP_OP = { type: 'backup', table: '_framework_metadata', backupTable: '_framework_metadata_bak_20260131' } as const;

describe('MetadataMigrationPlanStepSchema', () => {
  const step = {
    operation: BACKUP_OP,
    statements: ['CREATE TABLE "_framework_metadata_bak_20260131" AS SELECT * FROM "_framework_metadata"'],
    losesData: false,
    reversible: true,
    transactional: true,
  };

  it('parses a step to itself, its operation completed with the operation\u2019s defaults', () => {
    const expected: MetadataMigrationPlanStep = { ...step, operation: { ...BACKUP_OP, dryRun: false } };
    expect(MetadataMigrationPlanStepSchema.parse(step)).toStrictEqual(expected);
  });

  it('accepts a step with no statements (a store with no schema to change)', () => {
    expect(MetadataMigrationPlanStepSchema.parse({ ...step, statements: [] }).statements).toEqual([]);
  });

  it.each<BadRow>([
    ['no operation', { ...step, operation: undefined }, ['operation'], 'invalid_type'],
    ['no statements', { ...step, statements: undefined }, ['statements'], 'invalid_type'],
    ['no losesData', { ...step, losesData: undefined }, ['losesData'], 'invalid_type'],
    ['no reversible', { ...step, reversible: undefined }, ['reversible'], 'invalid_type'],
    ['no transactional', { ...step, transactional: undefined }, ['transactional'], 'invalid_type'],
    ['an empty statement', { ...step, statements: [''] }, ['statements', 0], 'invalid_format'],
    ['1001 statements', { ...step, statements: Array.from({ length: 1001 }, () => 'SELECT 1') }, ['statements'], 'too_big'],
    ['an unknown operation type', { ...step, operation: { type: 'truncate', table: 'x' } }, ['operation', 'type'], 'invalid_union'],
    ['losesData "no"', { ...step, losesData: 'no' }, ['losesData'], 'invalid_type'],
    ['an unknown key', { ...step, durationMs: 5 }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataMigrationPlanStepSchema, input)).toEqual([{ path, code }]);
  });

  it('types', () => {
    expectTypeOf<MetadataMigrationPlanStep['operation']>().toEqualTypeOf<MetadataMigrationOperation>();
    expectTypeOf<MetadataMigrationPlanStep['statements']>().toEqualTypeOf<string[]>();
  });
});

describe('MetadataMigrationPlanSchema', () => {
  const step = (transactional: boolean) => ({
    operation: BACKUP_OP,
    statements: ['CREATE TABLE x AS SELECT * FROM y'],
    losesData: false,
    reversible: transactional,
    transactional,
  });

  it('parses the memory store\u2019s plan (nothing to do) to itself', () => {
    const plan: MetadataMigrationPlan = { steps: [], atomic: true, applied: false };
    expect(MetadataMigrationPlanSchema.parse(plan)).toStrictEqual(plan);
  });

  it('accepts an applied atomic plan of transactional steps and a non-atomic plan mixing both', () => {
    expect(MetadataMigrationPlanSchema.safeParse({ steps: [step(true)], atomic: true, applied: true }).success).toBe(true);
    expect(MetadataMigrationPlanSchema.safeParse({ steps: [step(true), step(false)], atomic: false, applied: true }).success).toBe(true);
  });

  it.each<BadRow>([
    ['no steps', { atomic: true, applied: false }, ['steps'], 'invalid_type'],
    ['no atomic', { steps: [], applied: false }, ['atomic'], 'invalid_type'],
    ['no applied', { steps: [], atomic: true }, ['applied'], 'invalid_type'],
    [
      'a malformed step',
      { steps: [{ ...step(true), statements: 'x' }], atomic: true, applied: false },
      ['steps', 0, 'statements'],
      'invalid_type',
    ],
    ['an unknown key', { steps: [], atomic: true, applied: false, lockId: 'x' }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataMigrationPlanSchema, input)).toEqual([{ path, code }]);
  });

  it.each<RuleRow>([
    // MySQL DDL commits implicitly: a plan with such a step is not atomic and must not say so (R46).
    [
      'an atomic plan with a step outside the transaction',
      { steps: [step(true), step(false)], atomic: true, applied: false },
      ['atomic'],
      'atomic_plan_steps_transactional',
    ],
    ['an applied plan without steps', { steps: [], atomic: true, applied: true }, ['applied'], 'empty_plan_not_applied'],
  ])('rejects %s by its rule', (_label, input, path, rule) => {
    expect(issuesOf(MetadataMigrationPlanSchema, input)).toEqual([{ path, code: 'custom', rule }]);
  });

  it('types', () => {
    expectTypeOf<MetadataMigrationPlan>().toEqualTypeOf<{ steps: MetadataMigrationPlanStep[]; atomic: boolean; applied: boolean }>();
  });
});

describe('MetadataMigrateOptionsSchema', () => {
  it('parses {} to a dry run that loses no data', () => {
    const expected: MetadataMigrateOptions = { dryRun: true, allowDataLoss: false };
    expect(MetadataMigrateOptionsSchema.parse({})).toStrictEqual(expected);
  });

  it('parses explicit steps, each completed with the operation\u2019s defaults', () => {
    expect(MetadataMigrateOptionsSchema.parse({ dryRun: false, steps: [BACKUP_OP], allowDataLoss: true })).toStrictEqual({
      dryRun: false,
      steps: [{ ...BACKUP_OP, dryRun: false }],
      allowDataLoss: true,
    });
  });

  it.each<BadRow>([
    ['101 steps', { steps: Array.from({ length: 101 }, () => BACKUP_OP) }, ['steps'], 'too_big'],
    ['a step without a table', { steps: [{ type: 'create' }] }, ['steps', 0, 'table'], 'invalid_type'],
    ['dryRun "false"', { dryRun: 'false' }, ['dryRun'], 'invalid_type'],
    ['allowDataLoss 1', { allowDataLoss: 1 }, ['allowDataLoss'], 'invalid_type'],
    ['a typo', { dryrun: false }, [], 'unrecognized_keys'],
    ['a script outside a step', { script: { dialect: 'postgres', sql: 'DROP TABLE x' } }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataMigrateOptionsSchema, input)).toEqual([{ path, code }]);
  });

  it('types', () => {
    expectTypeOf<MetadataMigrateOptionsInput['dryRun']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<MetadataMigrateOptions['dryRun']>().toEqualTypeOf<boolean>();
    expectTypeOf<MetadataMigrateOptions['steps']>().toEqualTypeOf<MetadataMigrationOperation[] | undefined>();
  });
});

// ---------------------------------------------------------------------------
// Store profile
// ---------------------------------------------------------------------------

describe('MetadataStoreProfileSchema', () => {
  const memory = { protocolVersion: METADATA_PROTOCOL_VERSION, kind: 'memory', atomicImport: true, transactionalBulk: true } as const;
  const capabilities: DatasourceCapabilities = {
    driver: 'mysql',
    transactionalDdl: false,
    jsonColumns: true,
    partialIndexes: false,
    advisoryLocks: true,
    changeStreams: false,
    tableSchemas: true,
    nulCharacters: false,
    maxIdentifierLength: 64,
  };
  const datasource = {
    protocolVersion: '1.0.0',
    kind: 'datasource',
    datasource: 'metadata_db',
    capabilities,
    atomicImport: false,
    transactionalBulk: true,
    changeFeedRetention: 100_000,
  } as const;

  it('parses the memory store\u2019s profile to itself: no default is filled', () => {
    expect(MetadataStoreProfileSchema.parse(memory)).toStrictEqual(memory);
  });

  it('parses a datasource store\u2019s profile to itself', () => {
    expect(MetadataStoreProfileSchema.parse(datasource)).toStrictEqual(datasource);
  });

  it.each<BadRow>([
    ['no protocolVersion', { ...memory, protocolVersion: undefined }, ['protocolVersion'], 'invalid_type'],
    ['a protocol version with a v', { ...memory, protocolVersion: 'v1.0.0' }, ['protocolVersion'], 'invalid_format'],
    ['a protocol version of two parts', { ...memory, protocolVersion: '1.0' }, ['protocolVersion'], 'invalid_format'],
    ['no kind', { ...memory, kind: undefined }, ['kind'], 'invalid_value'],
    ['an unknown kind', { ...memory, kind: 'redis' }, ['kind'], 'invalid_value'],
    ['no atomicImport', { ...memory, atomicImport: undefined }, ['atomicImport'], 'invalid_type'],
    ['no transactionalBulk', { ...memory, transactionalBulk: undefined }, ['transactionalBulk'], 'invalid_type'],
    ['changeFeedRetention 0', { ...memory, changeFeedRetention: 0 }, ['changeFeedRetention'], 'too_small'],
    ['a fractional changeFeedRetention', { ...memory, changeFeedRetention: 1.5 }, ['changeFeedRetention'], 'invalid_type'],
    ['a datasource name with a hyphen', { ...datasource, datasource: 'metadata-db' }, ['datasource'], 'invalid_format'],
    [
      'incomplete capabilities',
      { ...datasource, capabilities: { ...capabilities, transactionalDdl: undefined } },
      ['capabilities', 'transactionalDdl'],
      'invalid_type',
    ],
    ['an unknown key', { ...memory, name: 'memory' }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataStoreProfileSchema, input)).toEqual([{ path, code }]);
  });

  it.each<RuleRow>([
    ['a datasource store without its datasource', { ...datasource, datasource: undefined }, ['datasource'], 'datasource_matches_kind'],
    ['a memory store naming a datasource', { ...memory, datasource: 'metadata_db' }, ['datasource'], 'datasource_matches_kind'],
    ['a datasource store without capabilities', { ...datasource, capabilities: undefined }, ['capabilities'], 'capabilities_match_kind'],
    ['a memory store with capabilities', { ...memory, capabilities }, ['capabilities'], 'capabilities_match_kind'],
  ])('rejects %s by its rule', (_label, input, path, rule) => {
    expect(issuesOf(MetadataStoreProfileSchema, input)).toEqual([{ path, code: 'custom', rule }]);
  });

  it('types: input and output alike (nothing is defaulted)', () => {
    expectTypeOf<MetadataStoreProfileInput>().toEqualTypeOf<MetadataStoreProfile>();
    expectTypeOf<MetadataStoreProfile['kind']>().toEqualTypeOf<'memory' | 'datasource'>();
    expectTypeOf<MetadataStoreProfile['capabilities']>().toEqualTypeOf<DatasourceCapabilities | undefined>();
  });
});

// ---------------------------------------------------------------------------
// Single-item options and results
// ---------------------------------------------------------------------------

describe('MetadataGetOptionsSchema', () => {
  it('parses {} to a read the cache may answer', () => {
    const expected: MetadataGetOptions = { useCache: true };
    expect(MetadataGetOptionsSchema.parse({})).toStrictEqual(expected);
    expect(MetadataGetOptionsSchema.parse({ useCache: false })).toStrictEqual({ useCache: false });
  });

  it.each<BadRow>([
    ['useCache "no"', { useCache: 'no' }, ['useCache'], 'invalid_type'],
    ['resolveInheritance (a get returns the item as stored)', { resolveInheritance: true }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataGetOptionsSchema, input)).toEqual([{ path, code }]);
  });

  it('types', () => {
    expectTypeOf<MetadataGetOptionsInput>().toEqualTypeOf<{ useCache?: boolean | undefined }>();
    expectTypeOf<MetadataGetOptions>().toEqualTypeOf<{ useCache: boolean }>();
  });
});

describe('MetadataItemChangeOptionsSchema', () => {
  it('parses {} to a real change with no version guard and the context\u2019s actor', () => {
    const expected: MetadataItemChangeOptions = { dryRun: false };
    expect(MetadataItemChangeOptionsSchema.parse({})).toStrictEqual(expected);
  });

  it('parses every field to itself', () => {
    const full: MetadataItemChangeOptions = { expectedVersion: 3, dryRun: true, actor: 'jane@acme' };
    expect(MetadataItemChangeOptionsSchema.parse(full)).toStrictEqual(full);
  });

  it.each<BadRow>([
    ['expectedVersion 0', { expectedVersion: 0 }, ['expectedVersion'], 'too_small'],
    ['a fractional expectedVersion', { expectedVersion: 1.5 }, ['expectedVersion'], 'invalid_type'],
    ['expectedVersion as a string', { expectedVersion: '3' }, ['expectedVersion'], 'invalid_type'],
    ['a malformed actor', { actor: 'jane doe' }, ['actor'], 'invalid_format'],
    ['dryRun 1', { dryRun: 1 }, ['dryRun'], 'invalid_type'],
    ['onConflict (a save option)', { onConflict: 'replace' }, [], 'unrecognized_keys'],
    ['a hard flag', { hard: true }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataItemChangeOptionsSchema, input)).toEqual([{ path, code }]);
  });

  it('types', () => {
    expectTypeOf<MetadataItemChangeOptionsInput>().toEqualTypeOf<{
      expectedVersion?: number | undefined;
      dryRun?: boolean | undefined;
      actor?: string | undefined;
    }>();
    expectTypeOf<MetadataItemChangeOptions['dryRun']>().toEqualTypeOf<boolean>();
  });
});

describe('MetadataDeleteResultSchema', () => {
  const result: MetadataDeleteResult = { id: 'rec_42', version: 4, dryRun: false };

  it('parses a result to itself', () => {
    expect(MetadataDeleteResultSchema.parse(result)).toStrictEqual(result);
  });

  it.each<BadRow>([
    ['no id', { ...result, id: undefined }, ['id'], 'invalid_type'],
    ['no version', { ...result, version: undefined }, ['version'], 'invalid_type'],
    ['no dryRun', { ...result, dryRun: undefined }, ['dryRun'], 'invalid_type'],
    ['version 0', { ...result, version: 0 }, ['version'], 'too_small'],
    ['the deleted record', { ...result, record: { type: 'object' } }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(MetadataDeleteResultSchema, input)).toEqual([{ path, code }]);
  });

  it('types', () => {
    expectTypeOf<MetadataDeleteResult>().toEqualTypeOf<{ id: string; version: number; dryRun: boolean }>();
  });
});
