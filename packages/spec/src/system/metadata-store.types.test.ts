/**
 * The MetadataStore interface (metadata-store.ts) is types only; these tests
 * pin its shape. A minimal store, written as an object literal, implements it
 * the way a real one must (parse every input first, fail only with a typed
 * MetadataStoreFailure), and its results are checked against their schemas,
 * so the interface's result types and the result schemas cannot drift apart.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { MetadataBulkOperationSchema, type MetadataBulkOperationInput } from '../data/driver/metadata-bulk.zod';
import type { MetadataOperationResult } from '../data/driver/metadata-operation-result.zod';
import { MetadataQueryOptionsSchema, type MetadataQueryOptionsInput } from '../data/driver/metadata-query.zod';
import {
  MetadataRecordSchema,
  MetadataRecordWriteSchema,
  type MetadataRecord,
  type MetadataRecordInput,
  type MetadataRecordWriteInput,
} from '../data/metadata-record.zod';
import { METADATA_PROTOCOL_VERSION } from '../shared/registry';
import {
  MetadataExportOptionsSchema,
  MetadataImportOptionsSchema,
  MetadataLoadOptionsSchema,
  MetadataLoadResultSchema,
  MetadataRecordKeySchema,
  MetadataSaveOptionsSchema,
  type MetadataExportOptionsInput,
  type MetadataImportOptionsInput,
  type MetadataLoadOptionsInput,
  type MetadataLoadResult,
  type MetadataRecordKeyInput,
  type MetadataSaveOptionsInput,
  type MetadataSaveResult,
} from './metadata-persistence.zod';
import type { MetadataStore, MetadataStoreFailure } from './metadata-store';
import {
  MetadataCallContextSchema,
  MetadataChangeFeedOptionsSchema,
  MetadataChangeFeedPageSchema,
  MetadataGetOptionsSchema,
  MetadataItemChangeOptionsSchema,
  MetadataMigrateOptionsSchema,
  MetadataMigrationPlanSchema,
  MetadataQueryResultSchema,
  MetadataStoreErrorSchema,
  MetadataStoreProfileSchema,
  type MetadataCallContextInput,
  type MetadataChangeFeedOptionsInput,
  type MetadataChangeFeedPage,
  type MetadataDeleteResult,
  type MetadataGetOptionsInput,
  type MetadataItemChangeOptionsInput,
  type MetadataMigrateOptionsInput,
  type MetadataMigrationPlan,
  type MetadataQueryResult,
  type MetadataStoreError,
  type MetadataStoreProfile,
} from './metadata-store.zod';

/** A store's failure class: the interface asks only for this shape. */
class StoreFailure extends Error implements MetadataStoreFailure {
  override readonly name = 'MetadataStoreFailure' as const;
  constructor(readonly error: MetadataStoreError) {
    super(error.message);
  }
}

/** Parses an input as a store must: first, and into a typed invalid_input failure, never a ZodError. */
function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new StoreFailure({
    code: 'invalid_input',
    message: `the ${what} is invalid`,
    issues: result.error.issues.slice(0, 100).map((issue) => ({
      path: issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment.description) : segment)),
      code: issue.code,
      ...(issue.code === 'custom' && typeof issue.params?.rule === 'string' ? { rule: issue.params.rule } : {}),
      message: issue.message,
    })),
  });
}

/** The context's one readable tenant, or the named one; the tenant a feed read needs. */
function feedTenant(context: MetadataCallContextInput, tenantId: string | undefined): string {
  const { readTenants } = parse(MetadataCallContextSchema, context, 'call context');
  if (tenantId !== undefined) {
    if (!readTenants.includes(tenantId)) {
      throw new StoreFailure({ code: 'forbidden', message: 'the tenant is not readable', reason: 'tenant_not_readable' });
    }
    return tenantId;
  }
  if (readTenants.length !== 1) {
    throw new StoreFailure({
      code: 'invalid_input',
      message: 'name the tenant',
      issues: [{ path: ['tenantId'], code: 'custom', message: 'required when several tenants are readable' }],
    });
  }
  return readTenants[0]!;
}

const readOnly = () => new StoreFailure({ code: 'forbidden', message: 'this store takes no writes', reason: 'tenant_not_writable' });

/**
 * The smallest store there is: empty, and no one may write to it. Every
 * method parses its inputs first; a write fails with forbidden.
 */
function emptyStore(): MetadataStore {
  let opened = false;
  const context = (input: MetadataCallContextInput) => {
    if (!opened) throw new StoreFailure({ code: 'unavailable', message: 'the store is not open' });
    return parse(MetadataCallContextSchema, input, 'call context');
  };
  return {
    profile: { protocolVersion: METADATA_PROTOCOL_VERSION, kind: 'memory', atomicImport: true, transactionalBulk: true },
    async open() {
      opened = true;
    },
    async close() {
      opened = false;
    },
    async migrate(ctx, options) {
      const { role } = context(ctx);
      const { dryRun, steps } = parse(MetadataMigrateOptionsSchema, options ?? {}, 'migrate options');
      if (!dryRun && role !== 'operator') {
        throw new StoreFailure({ code: 'forbidden', message: 'applying a migration needs the operator role', reason: 'operator_only' });
      }
      if (steps !== undefined && steps.length > 0) {
        throw new StoreFailure({ code: 'unsupported_capability', message: 'this store has no schema', capability: 'schema_migration' });
      }
      return { steps: [], atomic: true, applied: false };
    },
    async get(ctx, key, options) {
      context(ctx);
      parse(MetadataRecordKeySchema, key, 'key');
      parse(MetadataGetOptionsSchema, options ?? {}, 'get options');
      return null;
    },
    async query(ctx, options) {
      context(ctx);
      const { includeTotal } = parse(MetadataQueryOptionsSchema, options ?? {}, 'query options');
      return includeTotal ? { records: [], total: 0 } : { records: [] };
    },
    async load(ctx, options) {
      context(ctx);
      parse(MetadataLoadOptionsSchema, options ?? {}, 'load options');
      // The checksum of an empty page: SHA-256 of the canonical JSON []
      return {
        records: [],
        checksum: 'sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945',
        fromCache: false,
        notModified: false,
        loadedAt: new Date().toISOString(),
      };
    },
    async save(ctx, item, options) {
      context(ctx);
      parse(MetadataRecordWriteSchema, item, 'item');
      parse(MetadataSaveOptionsSchema, options ?? {}, 'save options');
      throw readOnly();
    },
    async archive(ctx, key, options) {
      context(ctx);
      parse(MetadataRecordKeySchema, key, 'key');
      parse(MetadataItemChangeOptionsSchema, options ?? {}, 'options');
      throw readOnly();
    },
    async restore(ctx, key, options) {
      context(ctx);
      parse(MetadataRecordKeySchema, key, 'key');
      parse(MetadataItemChangeOptionsSchema, options ?? {}, 'options');
      throw readOnly();
    },
    async delete(ctx, key, options) {
      context(ctx);
      parse(MetadataRecordKeySchema, key, 'key');
      parse(MetadataItemChangeOptionsSchema, options ?? {}, 'options');
      throw readOnly();
    },
    async bulk(ctx, operation) {
      context(ctx);
      parse(MetadataBulkOperationSchema, operation, 'bulk operation');
      throw readOnly();
    },
    async *export(ctx, options) {
      context(ctx);
      parse(MetadataExportOptionsSchema, options ?? {}, 'export options');
    },
    async import(ctx, records, options) {
      const { role } = context(ctx);
      parse(MetadataImportOptionsSchema, options ?? {}, 'import options');
      if (role !== 'operator')
        throw new StoreFailure({ code: 'forbidden', message: 'an import needs the operator role', reason: 'operator_only' });
      for await (const record of records) parse(MetadataRecordSchema, record, 'record');
      throw readOnly();
    },
    async changes(ctx, options) {
      context(ctx);
      const { tenantId, afterSequence } = parse(MetadataChangeFeedOptionsSchema, options ?? {}, 'feed options');
      const tenant = feedTenant(ctx, tenantId);
      if (afterSequence > 0) {
        // Nothing was ever written, so any position above 0 lies beyond the feed: start over from 0.
        throw new StoreFailure({ code: 'resync_needed', message: 'no events after that sequence', latestSequence: 0 });
      }
      return { tenantId: tenant, events: [], lastSequence: 0, hasMore: false };
    },
  };
}

const reader: MetadataCallContextInput = { actor: 'jane@acme', readTenants: ['acme'] };
const operator: MetadataCallContextInput = { actor: 'deploy-bot', role: 'operator', readTenants: ['acme'], writeTenants: ['acme'] };

/** The typed error a call rejected with; fails the test on any other rejection. */
async function failureOf(call: Promise<unknown>): Promise<MetadataStoreError> {
  const rejection: unknown = await call.then(
    () => expect.unreachable('the call resolved'),
    (error: unknown) => error,
  );
  expect(rejection).toBeInstanceOf(Error);
  expect((rejection as Error).name).toBe('MetadataStoreFailure');
  return MetadataStoreErrorSchema.parse((rejection as MetadataStoreFailure).error);
}

describe('MetadataStore', () => {
  it('is implemented by an object literal, with a profile the profile schema accepts', async () => {
    const store = emptyStore();
    expect(MetadataStoreProfileSchema.parse(store.profile)).toStrictEqual(store.profile);
    await store.open();
    await store.close();
  });

  it('gives results that their schemas accept', async () => {
    const store = emptyStore();
    await store.open();
    expect(await store.get(reader, { tenantId: 'acme', type: 'object', name: 'account' })).toBeNull();
    expect(MetadataQueryResultSchema.parse(await store.query(reader, { includeTotal: true }))).toStrictEqual({ records: [], total: 0 });
    expect(MetadataLoadResultSchema.safeParse(await store.load(reader)).success).toBe(true);
    expect(MetadataChangeFeedPageSchema.parse(await store.changes(reader))).toStrictEqual({
      tenantId: 'acme',
      events: [],
      lastSequence: 0,
      hasMore: false,
    });
    expect(MetadataMigrationPlanSchema.parse(await store.migrate(operator))).toStrictEqual({ steps: [], atomic: true, applied: false });
    const exported: MetadataRecord[] = [];
    for await (const record of store.export(reader)) exported.push(record);
    expect(exported).toEqual([]);
  });

  it('rejects bad input with a typed invalid_input failure naming the path, before anything else', async () => {
    const store = emptyStore();
    await store.open();
    const error = await failureOf(store.query(reader, { pagination: { pageSize: 5000 } }));
    expect(error).toMatchObject({ code: 'invalid_input', issues: [{ path: ['pagination', 'pageSize'], code: 'too_big' }] });
    const rule = await failureOf(
      store.get({ actor: 'jane@acme', readTenants: ['acme'], writeTenants: ['globex'] }, { type: 'object', name: 'x' }),
    );
    expect(rule).toMatchObject({
      code: 'invalid_input',
      issues: [{ path: ['writeTenants'], code: 'custom', rule: 'write_tenants_readable' }],
    });
  });

  it('rejects what the context does not allow with forbidden and its reason', async () => {
    const store = emptyStore();
    await store.open();
    expect(await failureOf(store.save(reader, { type: 'object', name: 'account', payload: {} }))).toMatchObject({
      code: 'forbidden',
      reason: 'tenant_not_writable',
    });
    expect(await failureOf(store.import(reader, []))).toMatchObject({ code: 'forbidden', reason: 'operator_only' });
    expect(await failureOf(store.migrate(reader, { dryRun: false }))).toMatchObject({ code: 'forbidden', reason: 'operator_only' });
    expect(await failureOf(store.changes(reader, { tenantId: 'globex' }))).toMatchObject({
      code: 'forbidden',
      reason: 'tenant_not_readable',
    });
    expect(await failureOf(store.changes(reader, { afterSequence: 10 }))).toMatchObject({ code: 'resync_needed', latestSequence: 0 });
  });

  it('types: the members are exactly these', () => {
    expectTypeOf<keyof MetadataStore>().toEqualTypeOf<
      | 'profile'
      | 'open'
      | 'close'
      | 'migrate'
      | 'get'
      | 'query'
      | 'load'
      | 'save'
      | 'archive'
      | 'restore'
      | 'delete'
      | 'bulk'
      | 'export'
      | 'import'
      | 'changes'
    >();
    expectTypeOf<MetadataStore['profile']>().toEqualTypeOf<MetadataStoreProfile>();
  });

  it('types: every call but open and close takes the caller\u2019s context first, in its input form', () => {
    type Calls = Exclude<keyof MetadataStore, 'profile' | 'open' | 'close'>;
    type FirstParameters = { [K in Calls]: Parameters<MetadataStore[K]>[0] };
    expectTypeOf<FirstParameters[Calls]>().toEqualTypeOf<MetadataCallContextInput>();
    expectTypeOf<Parameters<MetadataStore['open']>>().toEqualTypeOf<[]>();
    expectTypeOf<Parameters<MetadataStore['close']>>().toEqualTypeOf<[]>();
  });

  it('types: each call takes the input form of its schemas', () => {
    type P<K extends keyof MetadataStore> = MetadataStore[K] extends (...args: infer A) => unknown ? A : never;
    expectTypeOf<P<'migrate'>>().toEqualTypeOf<[context: MetadataCallContextInput, options?: MetadataMigrateOptionsInput]>();
    expectTypeOf<P<'get'>>().toEqualTypeOf<
      [context: MetadataCallContextInput, key: MetadataRecordKeyInput, options?: MetadataGetOptionsInput]
    >();
    expectTypeOf<P<'query'>>().toEqualTypeOf<[context: MetadataCallContextInput, options?: MetadataQueryOptionsInput]>();
    expectTypeOf<P<'load'>>().toEqualTypeOf<[context: MetadataCallContextInput, options?: MetadataLoadOptionsInput]>();
    expectTypeOf<P<'save'>>().toEqualTypeOf<
      [context: MetadataCallContextInput, item: MetadataRecordWriteInput, options?: MetadataSaveOptionsInput]
    >();
    expectTypeOf<P<'archive'>>().toEqualTypeOf<
      [context: MetadataCallContextInput, key: MetadataRecordKeyInput, options?: MetadataItemChangeOptionsInput]
    >();
    expectTypeOf<P<'restore'>>().toEqualTypeOf<P<'archive'>>();
    expectTypeOf<P<'delete'>>().toEqualTypeOf<P<'archive'>>();
    expectTypeOf<P<'bulk'>>().toEqualTypeOf<[context: MetadataCallContextInput, operation: MetadataBulkOperationInput]>();
    expectTypeOf<P<'export'>>().toEqualTypeOf<[context: MetadataCallContextInput, options?: MetadataExportOptionsInput]>();
    expectTypeOf<P<'import'>>().toEqualTypeOf<
      [
        context: MetadataCallContextInput,
        records: Iterable<MetadataRecordInput> | AsyncIterable<MetadataRecordInput>,
        options?: MetadataImportOptionsInput,
      ]
    >();
    expectTypeOf<P<'changes'>>().toEqualTypeOf<[context: MetadataCallContextInput, options?: MetadataChangeFeedOptionsInput]>();
  });

  it('types: each call resolves to the output form of its result schema', () => {
    type R<K extends keyof MetadataStore> = MetadataStore[K] extends (...args: never[]) => infer T ? T : never;
    expectTypeOf<R<'open'>>().toEqualTypeOf<Promise<void>>();
    expectTypeOf<R<'close'>>().toEqualTypeOf<Promise<void>>();
    expectTypeOf<R<'migrate'>>().toEqualTypeOf<Promise<MetadataMigrationPlan>>();
    expectTypeOf<R<'get'>>().toEqualTypeOf<Promise<MetadataRecord | null>>();
    expectTypeOf<ReturnType<MetadataStore['query']>>().toEqualTypeOf<Promise<MetadataQueryResult>>();
    expectTypeOf<R<'load'>>().toEqualTypeOf<Promise<MetadataLoadResult>>();
    expectTypeOf<R<'save'>>().toEqualTypeOf<Promise<MetadataSaveResult>>();
    expectTypeOf<R<'archive'>>().toEqualTypeOf<Promise<MetadataSaveResult>>();
    expectTypeOf<R<'restore'>>().toEqualTypeOf<Promise<MetadataSaveResult>>();
    expectTypeOf<R<'delete'>>().toEqualTypeOf<Promise<MetadataDeleteResult>>();
    expectTypeOf<R<'bulk'>>().toEqualTypeOf<Promise<MetadataOperationResult>>();
    expectTypeOf<R<'export'>>().toEqualTypeOf<AsyncIterable<MetadataRecord>>();
    expectTypeOf<R<'import'>>().toEqualTypeOf<Promise<MetadataOperationResult>>();
    expectTypeOf<R<'changes'>>().toEqualTypeOf<Promise<MetadataChangeFeedPage>>();
  });

  it('types: a caller writes short inputs; a store that leaves out a call or returns another shape is no MetadataStore', async () => {
    const store = emptyStore();
    // Input forms: defaults (role, namespace, scope, options) may be left out.
    expectTypeOf(store.get).toBeCallableWith({ actor: 'a', readTenants: ['t'] }, { type: 'object', name: 'account' });
    expectTypeOf(store.save).toBeCallableWith({ actor: 'a', readTenants: ['t'] }, { type: 'object', name: 'account', payload: {} });
    expectTypeOf(store.import).toBeCallableWith(operator, [{ type: 'object', name: 'account', payload: {} }]);
    const { changes: _changes, ...withoutChanges } = store;
    // @ts-expect-error -- changes is missing
    const missing: MetadataStore = withoutChanges;
    // @ts-expect-error -- query must resolve to a page, not to an array of records
    const wrongResult: MetadataStore = { ...store, query: async () => [] as MetadataRecord[] };
    // @ts-expect-error -- a context is required
    const noContext = () => store.query();
    expect([missing, wrongResult, noContext]).toHaveLength(3);
  });

  it('types: a failure carries a MetadataStoreError under the fixed name', () => {
    expectTypeOf<MetadataStoreFailure['name']>().toEqualTypeOf<'MetadataStoreFailure'>();
    expectTypeOf<MetadataStoreFailure['error']>().toEqualTypeOf<MetadataStoreError>();
    expectTypeOf<StoreFailure>().toExtend<MetadataStoreFailure>();
    expectTypeOf<MetadataStoreFailure>().toExtend<Error>();
  });
});
