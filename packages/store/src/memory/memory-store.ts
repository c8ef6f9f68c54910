/**
 * The in-memory reference store: the executable definition of what every
 * MetadataStore call means (docs/METADATA_DATASOURCE.md, R1 to R47). It is
 * written to be read, not to be fast: each call parses its inputs, checks
 * access, computes its outcome with the shared base/ functions and commits
 * through a MemoryTransaction, in that order, with no shortcut.
 */
import {
  MAX_SAFE_COUNT,
  METADATA_PROTOCOL_VERSION,
  MetadataBulkOperationSchema,
  MetadataCacheConfigSchema,
  MetadataChangeFeedOptionsSchema,
  MetadataExportOptionsSchema,
  MetadataGetOptionsSchema,
  MetadataImportOptionsSchema,
  MetadataItemChangeOptionsSchema,
  MetadataLoadOptionsSchema,
  MetadataMigrateOptionsSchema,
  MetadataQueryOptionsSchema,
  MetadataRecordKeySchema,
  MetadataRecordSchema,
  MetadataRecordWriteSchema,
  MetadataSaveOptionsSchema,
  type MetadataBulkOperationInput,
  type MetadataCacheConfigInput,
  type MetadataCallContext,
  type MetadataCallContextInput,
  type MetadataChangeFeedOptionsInput,
  type MetadataChangeFeedPage,
  type MetadataDeleteResult,
  type MetadataExportOptionsInput,
  type MetadataGetOptionsInput,
  type MetadataImportOptionsInput,
  type MetadataItemChangeOptionsInput,
  type MetadataItemResult,
  type MetadataLoadOptions,
  type MetadataLoadOptionsInput,
  type MetadataLoadResult,
  type MetadataMigrateOptionsInput,
  type MetadataMigrationPlan,
  type MetadataOperationResult,
  type MetadataQueryFilters,
  type MetadataQueryOptionsInput,
  type MetadataQueryResult,
  type MetadataRecord,
  type MetadataRecordInput,
  type MetadataRecordKeyInput,
  type MetadataRecordWrite,
  type MetadataRecordWriteInput,
  type MetadataSaveOptionsInput,
  type MetadataSaveResult,
  type MetadataSort,
  type MetadataStore,
  type MetadataStoreProfile,
} from '@metasource/spec';
import { z } from 'zod';
import { canonicalJson, pageChecksum } from '../base/checksum';
import {
  accessFingerprint,
  checkScopeWritable,
  checkWritable,
  isVisible,
  parseContext,
  requireOperator,
  resolveFeedTenant,
  resolveWriteTenant,
} from '../base/context';
import { queryFingerprint } from '../base/cursor';
import {
  ILL_FORMED_MESSAGE,
  fail,
  failInvalidInput,
  findIllFormedString,
  parseInput,
  toInputIssue,
  type InputIssue,
} from '../base/failure';
import { matchesFilters } from '../base/filter';
import { effectiveItems } from '../base/inheritance';
import { copy, describeKey, keyId, keyOf, withoutAudit, type StoredRecord } from '../base/record';
import { compareExportOrder, pageAfter, positionOf, sortRecords, type Position } from '../base/sort';
import {
  planChange,
  planDelete,
  planImport,
  planStateChange,
  planWrite,
  toStoreError,
  type ResolvedWrite,
  type WritePlan,
  type WriteStamp,
} from '../base/write';
import { MemoryCache } from './memory-cache';
import { MemoryDatabase, type MemoryTransaction } from './memory-database';

/** Options of a MemoryStore. */
export interface MemoryStoreOptions {
  /**
   * The data to serve. Give two stores the same database to get two clients
   * of one database (each with its own cache). Default: a new, empty one.
   */
  database?: MemoryDatabase;
  /** The read cache, as MetadataCacheConfig: default on, ttlSeconds 300, invalidateOnWrite, maxEntries 10,000. */
  cache?: MetadataCacheConfigInput;
  /** Largest pagination.pageSize a query or load may ask for, 1 to 1000; default 1000. A larger one is page_too_large (R26). */
  maxPageSize?: number;
  /**
   * Most records the unpaged internal read of a resolved load may hold (the
   * items of the filters' tenants, types and namespaces, read to layer and
   * resolve them), 1 to 2^53 - 1; default 10,000. More is result_too_large,
   * never a partial answer (R26).
   */
  maxResultSize?: number;
  /** Most change events kept per tenant; default: every event. A follower further behind gets resync_needed (R35). */
  changeFeedRetention?: number;
  /** The clock, for audit fields, events, cache lifetimes and loadedAt. Default: `() => new Date()`. */
  now?: () => Date;
}

const MemoryStoreOptionsSchema = z
  .strictObject({
    database: z.instanceof(MemoryDatabase, { error: 'must be a MemoryDatabase' }).optional(),
    cache: MetadataCacheConfigSchema.prefault({}),
    maxPageSize: z.int().min(1).max(1000).default(1000),
    maxResultSize: z.int().min(1).max(MAX_SAFE_COUNT).default(10_000),
    changeFeedRetention: z.int().min(1).max(MAX_SAFE_COUNT).optional(),
    now: z
      .custom<() => Date>((value) => typeof value === 'function', { error: 'must be a function returning the current time' })
      .optional(),
  })
  .superRefine((options, ctx) => {
    if (options.maxPageSize > options.maxResultSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxPageSize'],
        message: 'maxPageSize must not be above maxResultSize',
        params: { rule: 'max_page_size_not_above_max_result_size' },
      });
    }
  });

/** A load page as computed (and cached) before ifNoneMatch is applied. */
interface LoadPage {
  records: MetadataRecord[];
  nextCursor?: string;
  total?: number;
  checksum: string;
  loadedAt: string;
}

/** How a batch of item writes runs: all or nothing, or batch by batch. */
interface RunMode {
  transactional: boolean;
  continueOnError: boolean;
  dryRun: boolean;
  batchSize: number;
}

/** A single value or a list: matches when the value is any of them. */
function anyOf(wanted: string | readonly string[] | undefined, actual: string): boolean {
  return wanted === undefined || (typeof wanted === 'string' ? wanted === actual : wanted.includes(actual));
}

/** The in-memory MetadataStore: the protocol's reference semantics. */
export class MemoryStore implements MetadataStore {
  readonly profile: MetadataStoreProfile;
  /** The data this store serves; pass it to another MemoryStore for a second client. */
  readonly database: MemoryDatabase;
  readonly #cache: MemoryCache;
  readonly #maxPageSize: number;
  readonly #maxResultSize: number;
  readonly #retention: number | undefined;
  readonly #now: () => Date;
  #status: 'created' | 'open' | 'closed' = 'created';

  /** Creates a store (not yet open). Invalid options throw a MetadataStoreFailure with invalid_input. */
  constructor(options: MemoryStoreOptions = {}) {
    const parsed = parseInput(MemoryStoreOptionsSchema, options, 'the memory store options');
    this.database = parsed.database ?? new MemoryDatabase();
    this.#now = parsed.now ?? (() => new Date());
    this.#cache = new MemoryCache(parsed.cache, () => this.#clock());
    this.#maxPageSize = parsed.maxPageSize;
    this.#maxResultSize = parsed.maxResultSize;
    this.#retention = parsed.changeFeedRetention;
    this.profile = {
      protocolVersion: METADATA_PROTOCOL_VERSION,
      kind: 'memory',
      atomicImport: true,
      transactionalBulk: true,
      ...(parsed.changeFeedRetention !== undefined ? { changeFeedRetention: parsed.changeFeedRetention } : {}),
    };
  }

  // -------------------------------------------------------------------------
  // Lifecycle
  // -------------------------------------------------------------------------

  async open(): Promise<void> {
    if (this.#status === 'closed') fail({ code: 'unavailable', message: 'the memory store is closed; create a new store' });
    this.#status = 'open';
  }

  async close(): Promise<void> {
    this.#status = 'closed';
    this.#cache.clear();
  }

  #ensureOpen(): void {
    if (this.#status === 'created') fail({ code: 'unavailable', message: 'the memory store is not open; call open() first' });
    if (this.#status === 'closed') fail({ code: 'unavailable', message: 'the memory store is closed' });
  }

  #clock(): Date {
    const now = this.#now();
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('MemoryStore: the now() option returned no valid Date');
    return now;
  }

  /** Now, as the runtime writes date-times: UTC, `YYYY-MM-DDTHH:mm:ss.sssZ`. */
  #timestamp(): string {
    return this.#clock().toISOString();
  }

  // -------------------------------------------------------------------------
  // Migration: the memory store has no schema
  // -------------------------------------------------------------------------

  async migrate(context: MetadataCallContextInput, options?: MetadataMigrateOptionsInput): Promise<MetadataMigrationPlan> {
    this.#ensureOpen();
    const ctx = parseContext(context);
    const opts = parseInput(MetadataMigrateOptionsSchema, options ?? {}, 'the migration options');
    if (!opts.dryRun) requireOperator(ctx, 'applying a migration');
    if (opts.steps !== undefined && opts.steps.length > 0) {
      fail({
        code: 'unsupported_capability',
        message: 'the memory store has no table to migrate, so it cannot plan or run explicit migration steps',
        capability: 'schema_migration',
      });
    }
    return { steps: [], atomic: true, applied: false };
  }

  // -------------------------------------------------------------------------
  // Reads
  // -------------------------------------------------------------------------

  /** The committed records the caller may see (R36, R40). */
  #visible(ctx: MetadataCallContext): StoredRecord[] {
    return this.database.records().filter((record) => isVisible(ctx, record));
  }

  #checkPageSize(pageSize: number): void {
    if (pageSize > this.#maxPageSize) {
      fail({
        code: 'page_too_large',
        message: `pageSize ${pageSize} is above maxPageSize ${this.#maxPageSize}`,
        maxPageSize: this.#maxPageSize,
      });
    }
  }

  async get(
    context: MetadataCallContextInput,
    key: MetadataRecordKeyInput,
    options?: MetadataGetOptionsInput,
  ): Promise<MetadataRecord | null> {
    this.#ensureOpen();
    const ctx = parseContext(context);
    const k = parseInput(MetadataRecordKeySchema, key, 'the record key');
    const opts = parseInput(MetadataGetOptionsSchema, options ?? {}, 'the get options');
    // Another tenant's or another user's item is simply not there for this caller.
    if (!isVisible(ctx, k)) return null;
    const cacheKey = `get:${canonicalJson({ key: k, access: accessFingerprint(ctx) })}`;
    if (opts.useCache) {
      const hit = this.#cache.get<StoredRecord | null>(cacheKey);
      if (hit) return hit.value;
    }
    const record = this.database.recordByKey(k) ?? null;
    this.#cache.set(cacheKey, record, { recordKey: keyId(k), tenants: [k.tenantId] }, this.#clock());
    return record && copy(record);
  }

  async query(context: MetadataCallContextInput, options?: MetadataQueryOptionsInput): Promise<MetadataQueryResult> {
    this.#ensureOpen();
    const ctx = parseContext(context);
    const opts = parseInput(MetadataQueryOptionsSchema, options ?? {}, 'the query options');
    const { filters, sort, pagination, includeArchived, includeTotal } = opts;
    this.#checkPageSize(pagination.pageSize);
    const fingerprint = queryFingerprint({
      read: 'query',
      filters,
      sort,
      includeArchived,
      readTenants: accessFingerprint(ctx).readTenants,
    });
    const after = this.#position(pagination.cursor, fingerprint, sort);
    const matching = this.#visible(ctx).filter((record) => matchesFilters(record, filters, { includeArchived }));
    const page = pageAfter(sortRecords(matching, sort), sort, after, pagination.pageSize);
    return {
      records: page.records.map(copy),
      ...(page.hasMore ? { nextCursor: this.#cursorAfter(page.records, sort, fingerprint) } : {}),
      ...(includeTotal ? { total: matching.length } : {}),
    };
  }

  /** The position a cursor continues after, or undefined for the first page; invalid_cursor when it is not ours for this query. */
  #position(cursor: string | undefined, fingerprint: string, sort: readonly MetadataSort[]): Position | undefined {
    return cursor === undefined ? undefined : this.database.cursors.verify(cursor, fingerprint, sort.length);
  }

  #cursorAfter(records: readonly MetadataRecord[], sort: readonly MetadataSort[], fingerprint: string): string {
    return this.database.cursors.issue(positionOf(records[records.length - 1]!, sort), fingerprint);
  }

  async load(context: MetadataCallContextInput, options?: MetadataLoadOptionsInput): Promise<MetadataLoadResult> {
    this.#ensureOpen();
    const ctx = parseContext(context);
    const opts = parseInput(MetadataLoadOptionsSchema, options ?? {}, 'the load options');
    const { filters, sort, pagination, includeArchived, resolveInheritance, useCache, ifNoneMatch, ...rest } = opts;
    this.#checkPageSize(pagination.pageSize);
    const access = accessFingerprint(ctx);
    const fingerprint = queryFingerprint({
      read: 'load',
      filters,
      sort,
      includeArchived,
      resolveInheritance,
      readTenants: access.readTenants,
    });
    const after = this.#position(pagination.cursor, fingerprint, sort);

    // Keyed by every option that shapes the page (not useCache or ifNoneMatch) and by what the caller may see (R20).
    const cacheKey = `load:${canonicalJson({ options: { filters, sort, pagination, includeArchived, resolveInheritance, ...rest }, access })}`;
    const hit = useCache ? this.#cache.get<LoadPage>(cacheKey) : undefined;
    let page: LoadPage;
    if (hit) {
      page = hit.value;
    } else {
      page = this.#loadPage(ctx, opts, fingerprint, after);
      this.#cache.set(cacheKey, page, { tenants: ctx.readTenants }, new Date(page.loadedAt));
    }
    const notModified = ifNoneMatch !== undefined && ifNoneMatch === page.checksum;
    return {
      records: notModified ? [] : page.records,
      ...(page.total !== undefined ? { total: page.total } : {}),
      ...(page.nextCursor !== undefined && !notModified ? { nextCursor: page.nextCursor } : {}),
      checksum: page.checksum,
      fromCache: hit !== undefined,
      notModified,
      loadedAt: page.loadedAt,
    };
  }

  /** One load page from the data, before ifNoneMatch: items (resolved or stored), sorted, paged, checksummed (R16, R38). */
  #loadPage(ctx: MetadataCallContext, opts: MetadataLoadOptions, fingerprint: string, after: Position | undefined): LoadPage {
    const { filters, sort, pagination, includeArchived, includeTotal } = opts;
    const visible = this.#visible(ctx);
    let items: MetadataRecord[];
    if (opts.resolveInheritance) {
      items = effectiveItems(this.#layerRead(visible, filters), { actor: ctx.actor, filters, includeArchived });
    } else {
      items = visible.filter((record) => matchesFilters(record, filters, { includeArchived }));
    }
    const page = pageAfter(sortRecords(items, sort), sort, after, pagination.pageSize);
    return {
      records: page.records.map(copy),
      ...(page.hasMore ? { nextCursor: this.#cursorAfter(page.records, sort, fingerprint) } : {}),
      ...(includeTotal ? { total: items.length } : {}),
      checksum: pageChecksum(page.records),
      loadedAt: this.#timestamp(),
    };
  }

  /**
   * The unpaged read a resolved load makes: every visible item of the
   * filters' tenants, types and namespaces, from which winners and their
   * parents are taken (a parent has its child's tenant, type and namespace).
   * Above maxResultSize it fails rather than resolve a partial set (R26).
   */
  #layerRead(visible: readonly StoredRecord[], filters: MetadataQueryFilters): StoredRecord[] {
    const read = visible.filter(
      (record) =>
        anyOf(filters.tenantId, record.tenantId) && anyOf(filters.type, record.type) && anyOf(filters.namespace, record.namespace),
    );
    if (read.length > this.#maxResultSize) {
      fail({
        code: 'result_too_large',
        message: `resolving inheritance would read more than ${this.#maxResultSize} records; narrow the load by tenant, type or namespace`,
        maxResultSize: this.#maxResultSize,
      });
    }
    return read;
  }

  // -------------------------------------------------------------------------
  // Writes
  // -------------------------------------------------------------------------

  /** Writes a plan into a transaction, with its one change event (R33). */
  #apply(tx: MemoryTransaction, plan: WritePlan, stamp: WriteStamp): void {
    const common = (record: StoredRecord, version: number) => ({
      key: keyOf(record),
      recordId: record.id,
      version,
      actor: stamp.actor,
      occurredAt: stamp.at,
      transactionId: tx.transactionId,
    });
    switch (plan.status) {
      case 'created':
        tx.put(plan.after);
        tx.append(
          plan.after.tenantId,
          { operation: 'create', ...common(plan.after, plan.after.version), checksumAfter: plan.after.checksum },
          this.#retention,
        );
        return;
      case 'updated':
      case 'replaced':
        tx.put(plan.after);
        tx.append(
          plan.after.tenantId,
          {
            operation: plan.operation,
            ...common(plan.after, plan.after.version),
            checksumBefore: plan.before.checksum,
            checksumAfter: plan.after.checksum,
          },
          this.#retention,
        );
        return;
      case 'deleted':
        tx.remove(plan.before.id);
        tx.append(
          plan.before.tenantId,
          { operation: 'delete', ...common(plan.before, plan.before.version), checksumBefore: plan.before.checksum },
          this.#retention,
        );
        return;
      default:
        return;
    }
  }

  /** Commits a transaction that wrote something and drops the cache entries of what it wrote (R21). */
  #commit(tx: MemoryTransaction, plans: readonly WritePlan[]): void {
    if (!tx.changed) return;
    this.database.commit(tx);
    for (const plan of plans) {
      const record = 'after' in plan ? plan.after : plan.before;
      if (record && plan.status !== 'skipped' && plan.status !== 'unchanged' && plan.status !== 'failed') {
        this.#cache.written(keyId(record), record.tenantId);
      }
    }
  }

  async save(
    context: MetadataCallContextInput,
    item: MetadataRecordWriteInput,
    options?: MetadataSaveOptionsInput,
  ): Promise<MetadataSaveResult> {
    this.#ensureOpen();
    const ctx = parseContext(context);
    const write = parseInput(MetadataRecordWriteSchema, item, 'the item');
    const opts = parseInput(MetadataSaveOptionsSchema, options ?? {}, 'the save options');
    if (write.expectedVersion !== undefined) {
      // A save's one version precondition is options.expectedVersion; two could disagree.
      failInvalidInput('the item', [
        {
          path: ['expectedVersion'],
          code: 'custom',
          message: "a saved item carries no expectedVersion: give it as the save options' expectedVersion",
        },
      ]);
    }
    const resolved: ResolvedWrite = { ...write, tenantId: resolveWriteTenant(ctx, write.tenantId, ['tenantId']) };
    checkScopeWritable(ctx, resolved);
    const stamp: WriteStamp = { at: this.#timestamp(), actor: opts.actor ?? ctx.actor };
    const tx = this.database.begin();
    const plan = planWrite(
      tx.recordByKey(resolved),
      resolved,
      { onConflict: opts.onConflict, expectedVersion: opts.expectedVersion },
      stamp,
      () => tx.newRecordId(),
    );
    if (plan.status === 'failed') fail(toStoreError(plan.error, resolved));
    if (!opts.dryRun) {
      this.#apply(tx, plan, stamp);
      this.#commit(tx, [plan]);
    }
    return saveResult(plan, stamp.at, opts.dryRun);
  }

  async archive(
    context: MetadataCallContextInput,
    key: MetadataRecordKeyInput,
    options?: MetadataItemChangeOptionsInput,
  ): Promise<MetadataSaveResult> {
    const { plan, stamp, dryRun } = this.#changeOne(context, key, options, 'archive');
    return saveResult(plan, stamp.at, dryRun);
  }

  async restore(
    context: MetadataCallContextInput,
    key: MetadataRecordKeyInput,
    options?: MetadataItemChangeOptionsInput,
  ): Promise<MetadataSaveResult> {
    const { plan, stamp, dryRun } = this.#changeOne(context, key, options, 'restore');
    return saveResult(plan, stamp.at, dryRun);
  }

  async delete(
    context: MetadataCallContextInput,
    key: MetadataRecordKeyInput,
    options?: MetadataItemChangeOptionsInput,
  ): Promise<MetadataDeleteResult> {
    const { plan, dryRun } = this.#changeOne(context, key, options, 'delete');
    if (plan.status !== 'deleted') throw new Error('MemoryStore: a delete planned something else');
    return { id: plan.before.id, version: plan.before.version, dryRun };
  }

  /** Archive, restore or delete one item by key. */
  #changeOne(
    context: MetadataCallContextInput,
    key: MetadataRecordKeyInput,
    options: MetadataItemChangeOptionsInput | undefined,
    kind: 'archive' | 'restore' | 'delete',
  ): { plan: WritePlan; stamp: WriteStamp; dryRun: boolean } {
    this.#ensureOpen();
    const ctx = parseContext(context);
    const k = parseInput(MetadataRecordKeySchema, key, 'the record key');
    const opts = parseInput(MetadataItemChangeOptionsSchema, options ?? {}, `the ${kind} options`);
    checkWritable(ctx, k);
    const stamp: WriteStamp = { at: this.#timestamp(), actor: opts.actor ?? ctx.actor };
    const tx = this.database.begin();
    const stored = tx.recordByKey(k);
    const plan =
      kind === 'delete'
        ? planDelete(stored, describeKey(k), opts.expectedVersion)
        : planStateChange(stored, describeKey(k), kind, opts.expectedVersion, stamp);
    if (plan.status === 'failed') fail(toStoreError(plan.error, k));
    if (!opts.dryRun) {
      this.#apply(tx, plan, stamp);
      this.#commit(tx, [plan]);
    }
    return { plan, stamp, dryRun: opts.dryRun };
  }

  async bulk(context: MetadataCallContextInput, operation: MetadataBulkOperationInput): Promise<MetadataOperationResult> {
    this.#ensureOpen();
    const ctx = parseContext(context);
    const op = parseInput(MetadataBulkOperationSchema, operation, 'the bulk operation');
    const stamp: WriteStamp = { at: this.#timestamp(), actor: ctx.actor };
    const mode: RunMode = {
      transactional: op.transactional,
      continueOnError: op.continueOnError,
      dryRun: op.dryRun,
      batchSize: op.batchSize,
    };

    switch (op.operation) {
      case 'create':
      case 'upsert': {
        const writes = this.#resolveWrites(ctx, op.records);
        const onConflict = op.operation === 'create' ? 'error' : 'replace';
        return this.#run(writes.length, mode, stamp, (tx, index) => {
          const write = writes[index]!;
          return planWrite(tx.recordByKey(write), write, { onConflict, expectedVersion: write.expectedVersion }, stamp, () =>
            tx.newRecordId(),
          );
        });
      }
      case 'update': {
        this.#checkWritableIds(
          ctx,
          op.changes.map((change) => change.id),
        );
        return this.#run(op.changes.length, mode, stamp, (tx, index) => {
          const change = op.changes[index]!;
          return planChange(visibleById(tx, ctx, change.id), change, stamp);
        });
      }
      case 'delete': {
        this.#checkWritableIds(
          ctx,
          op.ids.map((target) => target.id),
        );
        return this.#run(op.ids.length, mode, stamp, (tx, index) => {
          const target = op.ids[index]!;
          return planDelete(visibleById(tx, ctx, target.id), `with id ${target.id}`, target.expectedVersion);
        });
      }
    }
  }

  /**
   * The tenants of a bulk's writes, all checked before anything is written:
   * writes without a tenant when several are writable are invalid_input
   * (every one of them reported), then each write's tenant and scope must
   * be writable (else the whole call is forbidden).
   */
  #resolveWrites(ctx: MetadataCallContext, records: readonly MetadataRecordWrite[]): ResolvedWrite[] {
    if (ctx.writeTenants.length > 1) {
      const issues: InputIssue[] = records.flatMap((write, index) =>
        write.tenantId === undefined
          ? [
              {
                path: ['records', index, 'tenantId'],
                code: 'custom',
                message: 'tenantId is required when the call context may write several tenants: name the tenant to write',
              },
            ]
          : [],
      );
      if (issues.length > 0) failInvalidInput('the bulk operation', issues);
    }
    return records.map((write, index) => {
      const resolved = {
        ...write,
        tenantId: resolveWriteTenant(ctx, write.tenantId, ['records', index, 'tenantId'], 'the bulk operation'),
      };
      checkScopeWritable(ctx, resolved);
      return resolved;
    });
  }

  /**
   * Before a bulk update or delete writes anything: each id that names a
   * record the caller can see must be writable by it (tenant, system scope).
   * An id the caller cannot see is left to fail as not_found, so its
   * existence is not revealed.
   */
  #checkWritableIds(ctx: MetadataCallContext, ids: readonly string[]): void {
    for (const id of ids) {
      const record = this.database.recordById(id);
      if (record && isVisible(ctx, record)) checkWritable(ctx, record);
    }
  }

  /**
   * Runs item writes as a bulk operation or an import does (R8, R17):
   *
   * - all or nothing (transactional / atomic): one transaction; the first
   *   failure stops and rolls back everything (committed: false, the items
   *   after it not_attempted);
   * - batch by batch: each batch commits on its own; a failed item writes
   *   nothing and, without continueOnError, the items after it are
   *   not_attempted while the ones before stay written;
   * - dry run: the same checks on one transaction that is never committed.
   *
   * Items run in request order, each seeing the ones before it. A
   * transaction's events share its transactionId.
   */
  #run(
    count: number,
    mode: RunMode,
    stamp: WriteStamp,
    plan: (tx: MemoryTransaction, index: number) => WritePlan,
  ): MetadataOperationResult {
    const items: MetadataItemResult[] = [];
    let stopped = false;
    const attempt = (tx: MemoryTransaction, index: number): WritePlan | undefined => {
      if (stopped) {
        items.push({ index, status: 'not_attempted' });
        return undefined;
      }
      const planned = plan(tx, index);
      this.#apply(tx, planned, stamp);
      items.push(itemResult(index, planned));
      if (planned.status === 'failed' && !mode.continueOnError) stopped = true;
      return planned;
    };

    if (mode.dryRun || mode.transactional) {
      const tx = this.database.begin();
      const plans: WritePlan[] = [];
      for (let index = 0; index < count; index++) {
        const planned = attempt(tx, index);
        if (planned) plans.push(planned);
      }
      const committed = !mode.dryRun && !stopped;
      if (committed) this.#commit(tx, plans);
      return { dryRun: mode.dryRun, committed, items };
    }

    for (let start = 0; start < count; start += mode.batchSize) {
      const tx = this.database.begin();
      const plans: WritePlan[] = [];
      for (let index = start; index < Math.min(count, start + mode.batchSize); index++) {
        const planned = attempt(tx, index);
        if (planned) plans.push(planned);
      }
      this.#commit(tx, plans);
    }
    return { dryRun: false, committed: true, items };
  }

  // -------------------------------------------------------------------------
  // Export and import
  // -------------------------------------------------------------------------

  export(context: MetadataCallContextInput, options?: MetadataExportOptionsInput): AsyncIterable<MetadataRecord> {
    return this.#export(context, options);
  }

  /** An async generator: the inputs are checked on the first next(), then the records of that moment are streamed. */
  async *#export(context: MetadataCallContextInput, options: MetadataExportOptionsInput | undefined): AsyncGenerator<MetadataRecord> {
    this.#ensureOpen();
    const ctx = parseContext(context);
    const opts = parseInput(MetadataExportOptionsSchema, options ?? {}, 'the export options');
    if (opts.includeHistory) {
      fail({
        code: 'unsupported_capability',
        message: 'export returns records only, so it cannot include history; read the change feed instead',
        capability: 'export_history',
      });
    }
    const records = this.#visible(ctx)
      .filter((record) => matchesFilters(record, opts.filters, { includeArchived: opts.includeArchived }))
      .sort(compareExportOrder);
    for (const record of records) {
      yield copy(opts.includeAudit ? record : withoutAudit(record));
    }
  }

  async import(
    context: MetadataCallContextInput,
    records: Iterable<MetadataRecordInput> | AsyncIterable<MetadataRecordInput>,
    options?: MetadataImportOptionsInput,
  ): Promise<MetadataOperationResult> {
    this.#ensureOpen();
    const ctx = parseContext(context);
    const opts = parseInput(MetadataImportOptionsSchema, options ?? {}, 'the import options');
    const parsed = parseRecords(await collect(records));
    requireOperator(ctx, 'an import');
    for (const record of parsed) checkWritable(ctx, record);
    const stamp: WriteStamp = { at: this.#timestamp(), actor: ctx.actor };
    const mode: RunMode = {
      transactional: opts.atomic,
      continueOnError: opts.continueOnError,
      dryRun: opts.dryRun,
      batchSize: opts.batchSize,
    };
    return this.#run(parsed.length, mode, stamp, (tx, index) => {
      const record = parsed[index]!;
      const stored = tx.recordByKey(record);
      // A new item keeps its exported id, unless another item holds it (a unique id, like a primary key).
      if (!stored && record.id !== undefined && tx.idInUse(record.id)) {
        return {
          status: 'failed',
          error: { code: 'constraint_violation', message: `the id ${record.id} belongs to another item` },
        };
      }
      return planImport(
        stored,
        record,
        { onConflict: opts.onConflict, preserveVersions: opts.preserveVersions },
        stamp,
        () => record.id ?? tx.newRecordId(),
      );
    });
  }

  // -------------------------------------------------------------------------
  // Change feed
  // -------------------------------------------------------------------------

  async changes(context: MetadataCallContextInput, options?: MetadataChangeFeedOptionsInput): Promise<MetadataChangeFeedPage> {
    this.#ensureOpen();
    const ctx = parseContext(context);
    const opts = parseInput(MetadataChangeFeedOptionsSchema, options ?? {}, 'the change feed options');
    const tenantId = resolveFeedTenant(ctx, opts.tenantId);
    const feed = this.database.feed(tenantId);
    const oldestKept = feed.events[0]?.sequence ?? feed.latestSequence + 1;
    // Behind the oldest kept event, the follower would continue from a hole; ahead of the latest, from a
    // position this feed never had (another database, or one reset since). Either way it must reload (R35).
    if (opts.afterSequence < oldestKept - 1 || opts.afterSequence > feed.latestSequence) {
      fail({
        code: 'resync_needed',
        message:
          opts.afterSequence > feed.latestSequence
            ? `sequence ${opts.afterSequence} is beyond the latest event of this feed; reload everything, then follow from latestSequence`
            : `events after ${opts.afterSequence} are no longer kept; reload everything, then follow from latestSequence`,
        latestSequence: feed.latestSequence,
      });
    }
    const following = feed.events.filter((event) => event.sequence > opts.afterSequence);
    const events = following.slice(0, opts.limit);
    // Whoever wrote them, the events name records this client may hold in its cache (R21).
    for (const event of events) this.#cache.changed(keyId(event.key), tenantId);
    return {
      tenantId,
      events: copy(events),
      lastSequence: events.length > 0 ? events[events.length - 1]!.sequence : opts.afterSequence,
      hasMore: following.length > events.length,
    };
  }
}

/** Creates a MemoryStore and opens it. */
export async function createMemoryStore(options?: MemoryStoreOptions): Promise<MemoryStore> {
  const store = new MemoryStore(options);
  await store.open();
  return store;
}

/** A record by id, if the caller can see it; another tenant's or user's record is as good as absent. */
function visibleById(tx: MemoryTransaction, ctx: MetadataCallContext, id: string): StoredRecord | undefined {
  const record = tx.recordById(id);
  return record && isVisible(ctx, record) ? record : undefined;
}

/** What a single save, archive or restore reports. */
function saveResult(plan: WritePlan, savedAt: string, dryRun: boolean): MetadataSaveResult {
  switch (plan.status) {
    case 'created':
      return { id: plan.after.id, status: 'created', version: plan.after.version, checksum: plan.after.checksum, savedAt, dryRun };
    case 'updated':
    case 'replaced':
      return {
        id: plan.after.id,
        status: plan.status,
        version: plan.after.version,
        previousVersion: plan.before.version,
        checksum: plan.after.checksum,
        savedAt,
        dryRun,
      };
    case 'skipped':
    case 'unchanged':
      return { id: plan.before.id, status: plan.status, version: plan.before.version, checksum: plan.before.checksum, savedAt, dryRun };
    default:
      throw new Error(`MemoryStore: no save result for a ${plan.status} plan`);
  }
}

/** One item's line in a bulk or import report. */
function itemResult(index: number, plan: WritePlan): MetadataItemResult {
  switch (plan.status) {
    case 'created':
    case 'updated':
    case 'replaced':
      return { index, id: plan.after.id, status: plan.status, version: plan.after.version };
    case 'deleted':
    case 'skipped':
    case 'unchanged':
      return { index, id: plan.before.id, status: plan.status, version: plan.before.version };
    case 'failed':
      return { index, ...(plan.before ? { id: plan.before.id } : {}), status: 'failed', error: plan.error };
  }
}

/** The records of an import, read to the end before anything is checked or written. */
async function collect(records: Iterable<MetadataRecordInput> | AsyncIterable<MetadataRecordInput>): Promise<unknown[]> {
  const source = records as unknown;
  if (source !== null && typeof source === 'object' && Symbol.asyncIterator in source) {
    const collected: unknown[] = [];
    for await (const record of source as AsyncIterable<unknown>) collected.push(record);
    return collected;
  }
  if (source !== null && typeof source === 'object' && Symbol.iterator in source) return [...(source as Iterable<unknown>)];
  failInvalidInput('the imported records', [
    { path: [], code: 'invalid_type', message: 'must be an iterable or async iterable of records' },
  ]);
}

/**
 * Parses every imported record as a MetadataRecord; any invalid one (or one
 * holding text that is not well-formed Unicode) fails the whole import with
 * invalid_input, its issues at [index, ...path].
 */
function parseRecords(inputs: readonly unknown[]): MetadataRecord[] {
  const issues: InputIssue[] = [];
  const parsed: MetadataRecord[] = [];
  inputs.forEach((input, index) => {
    const result = MetadataRecordSchema.safeParse(input);
    if (!result.success) {
      for (const issue of result.error.issues) issues.push(toInputIssue({ ...issue, path: [index, ...issue.path] }));
      return;
    }
    const illFormed = findIllFormedString(result.data, [index]);
    if (illFormed) issues.push({ path: illFormed.slice(0, 64), code: 'invalid_format', message: ILL_FORMED_MESSAGE });
    parsed.push(result.data);
  });
  if (issues.length > 0) failInvalidInput('the imported records', issues);
  return parsed;
}
