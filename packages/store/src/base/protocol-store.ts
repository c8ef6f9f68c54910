/**
 * The protocol's meaning of every MetadataStore call (docs/METADATA_DATASOURCE.md,
 * R1 to R47), once for every store: each call parses its inputs, checks
 * access, reads through its backend, computes its outcome with the shared
 * base/ functions and writes through one backend transaction, in that order,
 * with no shortcut. The memory store and the SQL stores are this class over
 * their backend (backend.ts), so they cannot differ in meaning, only in where
 * the data lives.
 */
import {
  METADATA_PROTOCOL_VERSION,
  MetadataBulkOperationSchema,
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
  type MetadataCacheConfig,
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
import {
  TransactionRace,
  type BackendTransaction,
  type ReadScope,
  type RecordSelection,
  type StoreBackend,
  type UnsequencedEvent,
} from './backend';
import { canonicalJson, pageChecksum } from './checksum';
import {
  accessFingerprint,
  checkScopeWritable,
  checkWritable,
  isVisible,
  parseContext,
  requireOperator,
  resolveFeedTenant,
  resolveWriteTenant,
} from './context';
import { queryFingerprint } from './cursor';
import { ILL_FORMED_MESSAGE, fail, failInvalidInput, findIllFormedString, parseInput, toInputIssue, type InputIssue } from './failure';
import { effectiveItems } from './inheritance';
import { ReadCache } from './read-cache';
import { copy, describeKey, keyId, keyOf, withoutAudit, type KeyFields, type StoredRecord } from './record';
import { pageAfter, positionOf, sortRecords, type Position } from './sort';
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
} from './write';

/** How a store retries a call whose transaction lost a race with another client (TransactionRace). */
export interface RetrySettings {
  /** Attempts after the first; 0: no retry. */
  maxRetries: number;
  initialDelayMs: number;
  multiplier: number;
  maxDelayMs: number;
}

/** The settings of a ProtocolStore, already validated by the store that builds it. */
export interface ProtocolStoreSettings {
  /** How the store names itself in messages, e.g. `the memory store`. */
  label: string;
  cache: MetadataCacheConfig;
  /** Largest pagination.pageSize a query or load may ask for (R26). */
  maxPageSize: number;
  /** Most records the unpaged internal read of a resolved load may hold (R26). */
  maxResultSize: number;
  /** Most change events kept per tenant; absent: every event (R35). */
  changeFeedRetention?: number;
  /** The clock, for audit fields, events, cache lifetimes and loadedAt. */
  now: () => Date;
  retry: RetrySettings;
  /** Records per page of the reads an export makes. */
  exportPageSize: number;
}

/** A load page as computed (and cached) before ifNoneMatch is applied. */
interface LoadPage {
  records: MetadataRecord[];
  nextCursor?: string;
  total?: number;
  checksum: string;
  loadedAt: string;
}

/** How a batch of item writes runs: all or nothing, or batch by batch; `batchSize` items are planned and written together. */
interface RunMode {
  transactional: boolean;
  continueOnError: boolean;
  dryRun: boolean;
  batchSize: number;
}

/**
 * How a run plans its items. `each`: one item at a time, its plan reading
 * the transaction after the writes of the items before it (each item's
 * writes go out before the next is planned). `chunk`: `batchSize` items at
 * a time, `read` reading what their plans need in a few statements and
 * returning the planner of each item, which reads nothing more and answers
 * as if the chunk's earlier items were written (they are, together, before
 * the next chunk is read).
 */
type ItemPlanner =
  | { each: (tx: BackendTransaction, index: number) => Promise<WritePlan> }
  | { chunk: (tx: BackendTransaction, start: number, end: number) => Promise<(index: number) => WritePlan> };

/**
 * What a backend transaction may add to BackendTransaction to read and
 * write many items in a few statements. Each method means what the loop of
 * its one-item method means, which ProtocolStore runs instead on a
 * transaction without it (the memory backend).
 */
export interface BatchTransaction extends BackendTransaction {
  /** The records stored under any of the keys, in this transaction or committed, read with recordByKey's lock. */
  recordsByKeys(keys: readonly KeyFields[]): Promise<StoredRecord[]>;
  /** The ids among `ids` that belong to a record (idInUse of each). */
  idsInUse(ids: readonly string[]): Promise<Set<string>>;
  /** Stores new records (insert of each, in order). */
  insertMany(records: readonly StoredRecord[]): Promise<void>;
  /** Appends events to one tenant's feed, in order, with its next sequences (append of each, in order). */
  appendMany(tenantId: string, events: readonly UnsequencedEvent[], retention: number | undefined): Promise<void>;
}

function isBatchTransaction(tx: BackendTransaction): tx is BatchTransaction {
  const batch = tx as Partial<BatchTransaction>;
  return (
    typeof batch.recordsByKeys === 'function' &&
    typeof batch.idsInUse === 'function' &&
    typeof batch.insertMany === 'function' &&
    typeof batch.appendMany === 'function'
  );
}

/**
 * A key as one string, for a chunk's maps: equal exactly when the keys are,
 * like keyId (the same text: JSON of the same array), without canonicalize's
 * general walk, which a map lookup per record does not need.
 */
function chunkKey(key: KeyFields): string {
  return JSON.stringify([key.tenantId, key.type, key.namespace, key.scope, key.owner ?? null, key.name]);
}

/** The records stored under the keys (each key once), by chunkKey. */
async function recordsByKeys(tx: BackendTransaction, keys: readonly KeyFields[]): Promise<Map<string, StoredRecord>> {
  const distinct = new Map<string, KeyFields>();
  for (const key of keys) distinct.set(chunkKey(key), key);
  const found = new Map<string, StoredRecord>();
  if (distinct.size === 0) return found;
  if (isBatchTransaction(tx)) {
    for (const record of await tx.recordsByKeys([...distinct.values()])) found.set(chunkKey(record), record);
    return found;
  }
  for (const [id, key] of distinct) {
    const record = await tx.recordByKey(key);
    if (record) found.set(id, record);
  }
  return found;
}

/** The ids (each once) that belong to a record. */
async function idsInUse(tx: BackendTransaction, ids: readonly string[]): Promise<Set<string>> {
  const distinct = [...new Set(ids)];
  if (distinct.length === 0) return new Set();
  if (isBatchTransaction(tx)) return tx.idsInUse(distinct);
  const used = new Set<string>();
  for (const id of distinct) if (await tx.idInUse(id)) used.add(id);
  return used;
}

/**
 * What a chunk's planners see of the store: the records the chunk read,
 * and, as each item is planned, what it writes, so that the items after it
 * in the chunk see that write as they would after an insert or replace.
 */
class ChunkView {
  readonly #stored: Map<string, StoredRecord>;
  readonly #usedIds: Set<string>;
  readonly #tx: BackendTransaction;

  constructor(tx: BackendTransaction, stored: Map<string, StoredRecord>, usedIds: Set<string>) {
    this.#tx = tx;
    this.#stored = stored;
    this.#usedIds = usedIds;
  }

  /** The record under a key, as the items planned so far left it. */
  recordByKey(key: KeyFields): StoredRecord | undefined {
    return this.#stored.get(chunkKey(key));
  }

  /** Whether an id belongs to a record: stored when the chunk was read (for the ids it asked about), or written by an item since. */
  idInUse(id: string): boolean {
    return this.#usedIds.has(id);
  }

  /**
   * A new id from the transaction that no item of the chunk has taken
   * either. After a hundred taken ids (a generator that repeats itself) the
   * last is given as it is, and its insert fails as a taken id always did: a
   * unique violation, retried as a lost race.
   */
  newRecordId(): string {
    let id = this.#tx.newRecordId();
    for (let attempt = 1; attempt < 100 && this.#usedIds.has(id); attempt++) id = this.#tx.newRecordId();
    return id;
  }

  /** Records what a plan writes. */
  planned(plan: WritePlan): WritePlan {
    if (plan.status === 'created' || plan.status === 'updated' || plan.status === 'replaced') {
      this.#stored.set(chunkKey(plan.after), plan.after);
      this.#usedIds.add(plan.after.id);
    }
    return plan;
  }
}

/** The order of export: tenant, type, namespace, scope, owner (absent first), name; the identity key, so the id never decides. */
const EXPORT_SORT: readonly MetadataSort[] = (['tenantId', 'type', 'namespace', 'scope', 'owner', 'name'] as const).map((field) => ({
  field,
  direction: 'asc' as const,
}));

/** What a caller may read, as a backend filters it. */
function readScope(ctx: MetadataCallContext): ReadScope {
  return { readTenants: ctx.readTenants, actor: ctx.actor, administersUsers: ctx.administersUsers };
}

/** The MetadataStore of the protocol, over a backend. */
export class ProtocolStore implements MetadataStore {
  readonly profile: MetadataStoreProfile;
  protected readonly backend: StoreBackend;
  readonly #settings: ProtocolStoreSettings;
  readonly #cache: ReadCache;
  #status: 'created' | 'opening' | 'open' | 'closed' = 'created';

  constructor(backend: StoreBackend, settings: ProtocolStoreSettings) {
    this.backend = backend;
    this.#settings = settings;
    this.#cache = new ReadCache(settings.cache, () => this.#clock());
    this.profile = {
      protocolVersion: METADATA_PROTOCOL_VERSION,
      ...backend.profile,
      ...(settings.changeFeedRetention !== undefined ? { changeFeedRetention: settings.changeFeedRetention } : {}),
    };
  }

  // -------------------------------------------------------------------------
  // Lifecycle
  // -------------------------------------------------------------------------

  async open(): Promise<void> {
    if (this.#status === 'closed') fail({ code: 'unavailable', message: `${this.#settings.label} is closed; create a new store` });
    if (this.#status === 'open') return;
    this.#status = 'opening';
    try {
      await this.backend.open();
    } catch (error) {
      this.#status = 'created';
      throw error;
    }
    this.#status = 'open';
  }

  async close(): Promise<void> {
    const wasOpen = this.#status === 'open' || this.#status === 'opening';
    this.#status = 'closed';
    this.#cache.clear();
    if (wasOpen) await this.backend.close();
  }

  #ensureOpen(): void {
    if (this.#status === 'created' || this.#status === 'opening') {
      fail({ code: 'unavailable', message: `${this.#settings.label} is not open; call open() first` });
    }
    if (this.#status === 'closed') fail({ code: 'unavailable', message: `${this.#settings.label} is closed` });
  }

  #clock(): Date {
    const now = this.#settings.now();
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('the store clock (now option) returned no valid Date');
    return now;
  }

  /** Now, as the runtime writes date-times: UTC, `YYYY-MM-DDTHH:mm:ss.sssZ`. */
  #timestamp(): string {
    return this.#clock().toISOString();
  }

  // -------------------------------------------------------------------------
  // Migration
  // -------------------------------------------------------------------------

  async migrate(context: MetadataCallContextInput, options?: MetadataMigrateOptionsInput): Promise<MetadataMigrationPlan> {
    this.#ensureOpen();
    const ctx = parseContext(context);
    const opts = parseInput(MetadataMigrateOptionsSchema, options ?? {}, 'the migration options');
    if (!opts.dryRun) requireOperator(ctx, 'applying a migration');
    const plan = await this.backend.migrate(ctx, opts);
    // A migration can change what the table holds (a restore, a dropped column): nothing cached stays valid.
    if (plan.applied) this.#cache.clear();
    return plan;
  }

  // -------------------------------------------------------------------------
  // Reads
  // -------------------------------------------------------------------------

  #checkPageSize(pageSize: number): void {
    if (pageSize > this.#settings.maxPageSize) {
      fail({
        code: 'page_too_large',
        message: `pageSize ${pageSize} is above maxPageSize ${this.#settings.maxPageSize}`,
        maxPageSize: this.#settings.maxPageSize,
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
    const record = (await this.backend.recordByKey(k)) ?? null;
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
    const selection: RecordSelection = { filters, includeArchived };
    const scope = readScope(ctx);
    const page = await this.backend.query(scope, selection, { sort, ...(after ? { after } : {}), limit: pagination.pageSize });
    const total = includeTotal ? await this.backend.count(scope, selection) : undefined;
    return {
      records: page.records.map(copy),
      ...(page.hasMore ? { nextCursor: this.#cursorAfter(page.records, sort, fingerprint) } : {}),
      ...(total !== undefined ? { total } : {}),
    };
  }

  /** The position a cursor continues after, or undefined for the first page; invalid_cursor when it is not ours for this query. */
  #position(cursor: string | undefined, fingerprint: string, sort: readonly MetadataSort[]): Position | undefined {
    return cursor === undefined ? undefined : this.backend.cursors.verify(cursor, fingerprint, sort.length);
  }

  #cursorAfter(records: readonly MetadataRecord[], sort: readonly MetadataSort[], fingerprint: string): string {
    return this.backend.cursors.issue(positionOf(records[records.length - 1]!, sort), fingerprint);
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
      page = await this.#loadPage(ctx, opts, fingerprint, after);
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
  async #loadPage(
    ctx: MetadataCallContext,
    opts: MetadataLoadOptions,
    fingerprint: string,
    after: Position | undefined,
  ): Promise<LoadPage> {
    const { filters, sort, pagination, includeArchived, includeTotal } = opts;
    let records: MetadataRecord[];
    let hasMore: boolean;
    let total: number | undefined;
    if (opts.resolveInheritance) {
      const items = effectiveItems(await this.#layerRead(ctx, filters), { actor: ctx.actor, filters, includeArchived });
      const page = pageAfter(sortRecords(items, sort), sort, after, pagination.pageSize);
      records = page.records;
      hasMore = page.hasMore;
      total = includeTotal ? items.length : undefined;
    } else {
      const selection: RecordSelection = { filters, includeArchived };
      const page = await this.backend.query(readScope(ctx), selection, {
        sort,
        ...(after ? { after } : {}),
        limit: pagination.pageSize,
      });
      records = page.records;
      hasMore = page.hasMore;
      total = includeTotal ? await this.backend.count(readScope(ctx), selection) : undefined;
    }
    return {
      records: records.map(copy),
      ...(hasMore ? { nextCursor: this.#cursorAfter(records, sort, fingerprint) } : {}),
      ...(total !== undefined ? { total } : {}),
      checksum: pageChecksum(records),
      loadedAt: this.#timestamp(),
    };
  }

  /**
   * The unpaged read a resolved load makes: every visible item of the
   * filters' tenants, types and namespaces, from which winners and their
   * parents are taken (a parent has its child's tenant, type and namespace).
   * Above maxResultSize it fails rather than resolve a partial set (R26).
   */
  async #layerRead(ctx: MetadataCallContext, filters: MetadataQueryFilters): Promise<StoredRecord[]> {
    const narrowed: MetadataQueryFilters = {
      ...(filters.tenantId !== undefined ? { tenantId: filters.tenantId } : {}),
      ...(filters.type !== undefined ? { type: filters.type } : {}),
      ...(filters.namespace !== undefined ? { namespace: filters.namespace } : {}),
    };
    const { maxResultSize } = this.#settings;
    const read = await this.backend.query(readScope(ctx), { filters: narrowed, includeArchived: true }, { sort: [], limit: maxResultSize });
    if (read.hasMore) {
      fail({
        code: 'result_too_large',
        message: `resolving inheritance would read more than ${maxResultSize} records; narrow the load by tenant, type or namespace`,
        maxResultSize,
      });
    }
    return read.records;
  }

  // -------------------------------------------------------------------------
  // Writes
  // -------------------------------------------------------------------------

  /**
   * Writes plans into a transaction, in order, each with its one change
   * event (R33). Consecutive new records go out together (insertMany), a
   * change or removal on its own after the records before it, and the
   * events last, in the plans' order, each tenant's together (appendMany):
   * a transaction's statements are invisible to others until it commits,
   * so only what each statement needs written before it decides their order.
   */
  async #apply(tx: BackendTransaction, plans: readonly WritePlan[], stamp: WriteStamp): Promise<void> {
    const events = new Map<string, UnsequencedEvent[]>();
    const event = (tenantId: string, unsequenced: UnsequencedEvent) => {
      const list = events.get(tenantId);
      if (list) list.push(unsequenced);
      else events.set(tenantId, [unsequenced]);
    };
    const common = (record: StoredRecord, version: number) => ({
      key: keyOf(record),
      recordId: record.id,
      version,
      actor: stamp.actor,
      occurredAt: stamp.at,
      transactionId: tx.transactionId,
    });
    let inserts: StoredRecord[] = [];
    const flushInserts = async () => {
      if (inserts.length === 0) return;
      const records = inserts;
      inserts = [];
      if (isBatchTransaction(tx)) await tx.insertMany(records);
      else for (const record of records) await tx.insert(record);
    };
    for (const plan of plans) {
      switch (plan.status) {
        case 'created':
          inserts.push(plan.after);
          event(plan.after.tenantId, {
            operation: 'create',
            ...common(plan.after, plan.after.version),
            checksumAfter: plan.after.checksum,
          });
          break;
        case 'updated':
        case 'replaced':
          // The record may be one of the pending inserts: those go first.
          await flushInserts();
          await tx.replace(plan.after, plan.before.version);
          event(plan.after.tenantId, {
            operation: plan.operation,
            ...common(plan.after, plan.after.version),
            checksumBefore: plan.before.checksum,
            checksumAfter: plan.after.checksum,
          });
          break;
        case 'deleted':
          await flushInserts();
          await tx.remove(plan.before);
          event(plan.before.tenantId, {
            operation: 'delete',
            ...common(plan.before, plan.before.version),
            checksumBefore: plan.before.checksum,
          });
          break;
        default:
          break;
      }
    }
    await flushInserts();
    const retention = this.#settings.changeFeedRetention;
    for (const [tenantId, list] of events) {
      if (isBatchTransaction(tx)) await tx.appendMany(tenantId, list, retention);
      else for (const unsequenced of list) await tx.append(tenantId, unsequenced, retention);
    }
  }

  /** Drops the cache entries of what committed plans wrote (R21). */
  #written(plans: readonly WritePlan[]): void {
    for (const plan of plans) {
      const record = 'after' in plan ? plan.after : plan.before;
      if (record && plan.status !== 'skipped' && plan.status !== 'unchanged' && plan.status !== 'failed') {
        this.#cache.written(keyId(record), record.tenantId);
      }
    }
  }

  /**
   * Runs a transaction, again on fresh data when it lost a race with another
   * client (TransactionRace), up to retry.maxRetries times with backoff;
   * after that the call fails as unavailable, having written nothing.
   */
  async #transaction<T>(work: (tx: BackendTransaction) => Promise<{ value: T; commit: boolean }>): Promise<T> {
    const { maxRetries, initialDelayMs, multiplier, maxDelayMs } = this.#settings.retry;
    let delay = initialDelayMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.backend.transaction(work);
      } catch (error) {
        if (!(error instanceof TransactionRace)) throw error;
        if (attempt >= maxRetries) {
          fail({
            code: 'unavailable',
            message: `the write kept conflicting with concurrent writes (${attempt + 1} attempts); nothing was written, try again`,
          });
        }
        // Full jitter: a random wait between 0 and the current delay.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * delay));
        delay = Math.min(maxDelayMs, delay * multiplier);
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
    this.backend.refuseUnstorable?.(write.payload, 'the item');
    const stamp: WriteStamp = { at: this.#timestamp(), actor: opts.actor ?? ctx.actor };
    const plan = await this.#transaction(async (tx) => {
      const planned = planWrite(
        await tx.recordByKey(resolved),
        resolved,
        { onConflict: opts.onConflict, expectedVersion: opts.expectedVersion },
        stamp,
        () => tx.newRecordId(),
      );
      if (planned.status === 'failed' || opts.dryRun) return { value: planned, commit: false };
      await this.#apply(tx, [planned], stamp);
      return { value: planned, commit: true };
    });
    if (plan.status === 'failed') fail(toStoreError(plan.error, resolved));
    if (!opts.dryRun) this.#written([plan]);
    return saveResult(plan, stamp.at, opts.dryRun);
  }

  async archive(
    context: MetadataCallContextInput,
    key: MetadataRecordKeyInput,
    options?: MetadataItemChangeOptionsInput,
  ): Promise<MetadataSaveResult> {
    const { plan, stamp, dryRun } = await this.#changeOne(context, key, options, 'archive');
    return saveResult(plan, stamp.at, dryRun);
  }

  async restore(
    context: MetadataCallContextInput,
    key: MetadataRecordKeyInput,
    options?: MetadataItemChangeOptionsInput,
  ): Promise<MetadataSaveResult> {
    const { plan, stamp, dryRun } = await this.#changeOne(context, key, options, 'restore');
    return saveResult(plan, stamp.at, dryRun);
  }

  async delete(
    context: MetadataCallContextInput,
    key: MetadataRecordKeyInput,
    options?: MetadataItemChangeOptionsInput,
  ): Promise<MetadataDeleteResult> {
    const { plan, dryRun } = await this.#changeOne(context, key, options, 'delete');
    if (plan.status !== 'deleted') throw new Error('ProtocolStore: a delete planned something else');
    return { id: plan.before.id, version: plan.before.version, dryRun };
  }

  /** Archive, restore or delete one item by key. */
  async #changeOne(
    context: MetadataCallContextInput,
    key: MetadataRecordKeyInput,
    options: MetadataItemChangeOptionsInput | undefined,
    kind: 'archive' | 'restore' | 'delete',
  ): Promise<{ plan: WritePlan; stamp: WriteStamp; dryRun: boolean }> {
    this.#ensureOpen();
    const ctx = parseContext(context);
    const k = parseInput(MetadataRecordKeySchema, key, 'the record key');
    const opts = parseInput(MetadataItemChangeOptionsSchema, options ?? {}, `the ${kind} options`);
    checkWritable(ctx, k);
    const stamp: WriteStamp = { at: this.#timestamp(), actor: opts.actor ?? ctx.actor };
    const plan = await this.#transaction(async (tx) => {
      const stored = await tx.recordByKey(k);
      const planned =
        kind === 'delete'
          ? planDelete(stored, describeKey(k), opts.expectedVersion)
          : planStateChange(stored, describeKey(k), kind, opts.expectedVersion, stamp);
      if (planned.status === 'failed' || opts.dryRun) return { value: planned, commit: false };
      await this.#apply(tx, [planned], stamp);
      return { value: planned, commit: true };
    });
    if (plan.status === 'failed') fail(toStoreError(plan.error, k));
    if (!opts.dryRun) this.#written([plan]);
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
    if (op.transactional && !this.profile.transactionalBulk) {
      fail({
        code: 'unsupported_capability',
        message: `${this.#settings.label} cannot run a bulk operation in one transaction; send it with transactional: false`,
        capability: 'transactional_bulk',
      });
    }

    // A payload the datasource cannot store refuses the whole call up front, so no batch is written first.
    if (op.operation === 'create' || op.operation === 'upsert') {
      op.records.forEach((write, index) => this.backend.refuseUnstorable?.(write.payload, `the payload of records[${index}]`));
    } else if (op.operation === 'update') {
      op.changes.forEach((change, index) => {
        if (change.set.payload !== undefined) this.backend.refuseUnstorable?.(change.set.payload, `the payload of changes[${index}]`);
      });
    }

    switch (op.operation) {
      case 'create':
      case 'upsert': {
        const writes = this.#resolveWrites(ctx, op.records);
        const onConflict = op.operation === 'create' ? 'error' : 'replace';
        return this.#run(writes.length, mode, stamp, {
          chunk: async (tx, start, end) => {
            const view = new ChunkView(tx, await recordsByKeys(tx, writes.slice(start, end)), new Set());
            return (index) => {
              const write = writes[index]!;
              const writeMode = { onConflict, expectedVersion: write.expectedVersion } as const;
              return view.planned(planWrite(view.recordByKey(write), write, writeMode, stamp, () => view.newRecordId()));
            };
          },
        });
      }
      case 'update': {
        await this.#checkWritableIds(
          ctx,
          op.changes.map((change) => change.id),
        );
        return this.#run(op.changes.length, mode, stamp, {
          each: async (tx, index) => {
            const change = op.changes[index]!;
            return planChange(await visibleById(tx, ctx, change.id), change, stamp);
          },
        });
      }
      case 'delete': {
        await this.#checkWritableIds(
          ctx,
          op.ids.map((target) => target.id),
        );
        return this.#run(op.ids.length, mode, stamp, {
          each: async (tx, index) => {
            const target = op.ids[index]!;
            return planDelete(await visibleById(tx, ctx, target.id), `with id ${target.id}`, target.expectedVersion);
          },
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
  async #checkWritableIds(ctx: MetadataCallContext, ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const record = await this.backend.recordById(id);
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
   * Items run in request order, each seeing the ones before it, planned
   * and written `batchSize` at a time (ItemPlanner). A transaction's events
   * share its transactionId. A transaction that loses a race with another
   * client runs again from its first item.
   */
  async #run(count: number, mode: RunMode, stamp: WriteStamp, planner: ItemPlanner): Promise<MetadataOperationResult> {
    /** Runs items [start, end) in one transaction; `stopped` says whether an earlier batch already stopped the run. */
    const batch = (start: number, end: number, commit: boolean, stoppedBefore: boolean) =>
      this.#transaction(async (tx) => {
        const items: MetadataItemResult[] = [];
        const plans: WritePlan[] = [];
        let stopped = stoppedBefore;
        for (let from = start; from < end; from += mode.batchSize) {
          const to = Math.min(end, from + mode.batchSize);
          const planOne = stopped || !('chunk' in planner) ? undefined : await planner.chunk(tx, from, to);
          const pending: WritePlan[] = [];
          for (let index = from; index < to; index++) {
            if (stopped) {
              items.push({ index, status: 'not_attempted' });
              continue;
            }
            let planned: WritePlan;
            if (planOne) {
              planned = planOne(index);
              pending.push(planned);
            } else {
              planned = await (planner as Extract<ItemPlanner, { each: unknown }>).each(tx, index);
              await this.#apply(tx, [planned], stamp);
            }
            plans.push(planned);
            items.push(itemResult(index, planned));
            if (planned.status === 'failed' && !mode.continueOnError) stopped = true;
          }
          await this.#apply(tx, pending, stamp);
        }
        const failedWhole = (mode.transactional || mode.dryRun) && stopped;
        return { value: { items, plans, stopped }, commit: commit && !failedWhole };
      });

    if (mode.dryRun || mode.transactional) {
      const { items, plans, stopped } = await batch(0, count, !mode.dryRun, false);
      const committed = !mode.dryRun && !stopped;
      if (committed) this.#written(plans);
      return { dryRun: mode.dryRun, committed, items };
    }

    const items: MetadataItemResult[] = [];
    let stopped = false;
    for (let start = 0; start < count; start += mode.batchSize) {
      const result = await batch(start, Math.min(count, start + mode.batchSize), true, stopped);
      items.push(...result.items);
      this.#written(result.plans);
      stopped = result.stopped;
    }
    return { dryRun: false, committed: true, items };
  }

  // -------------------------------------------------------------------------
  // Export and import
  // -------------------------------------------------------------------------

  export(context: MetadataCallContextInput, options?: MetadataExportOptionsInput): AsyncIterable<MetadataRecord> {
    return this.#export(context, options);
  }

  /**
   * An async generator: the inputs are checked on the first next(), then the
   * records are read page by page in export order (the identity key), each
   * page after the last key of the one before, so a record that stays in
   * place is neither repeated nor skipped while others are written.
   */
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
    const selection: RecordSelection = { filters: opts.filters, includeArchived: opts.includeArchived };
    let after: Position | undefined;
    for (;;) {
      this.#ensureOpen();
      const page = await this.backend.query(readScope(ctx), selection, {
        sort: EXPORT_SORT,
        ...(after ? { after } : {}),
        limit: this.#settings.exportPageSize,
      });
      for (const record of page.records) yield copy(opts.includeAudit ? record : withoutAudit(record));
      if (!page.hasMore || page.records.length === 0) return;
      after = positionOf(page.records[page.records.length - 1]!, EXPORT_SORT);
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
    parsed.forEach((record, index) => this.backend.refuseUnstorable?.(record.payload, `the payload of record ${index}`));
    if (opts.atomic && !this.profile.atomicImport) {
      fail({
        code: 'unsupported_capability',
        message: `${this.#settings.label} cannot import in one transaction; import with atomic: false`,
        capability: 'atomic_import',
      });
    }
    const stamp: WriteStamp = { at: this.#timestamp(), actor: ctx.actor };
    const mode: RunMode = {
      transactional: opts.atomic,
      continueOnError: opts.continueOnError,
      dryRun: opts.dryRun,
      batchSize: opts.batchSize,
    };
    return this.#run(parsed.length, mode, stamp, {
      chunk: async (tx, start, end) => {
        const chunk = parsed.slice(start, end);
        const stored = await recordsByKeys(tx, chunk);
        // Only a new item's id needs checking: a stored item keeps its own.
        const ids = chunk.flatMap((record) => (record.id !== undefined && !stored.has(chunkKey(record)) ? [record.id] : []));
        const view = new ChunkView(tx, stored, await idsInUse(tx, ids));
        return (index) => {
          const record = parsed[index]!;
          const before = view.recordByKey(record);
          // A new item keeps its exported id, unless another item holds it (a unique id, like a primary key).
          if (!before && record.id !== undefined && view.idInUse(record.id)) {
            return {
              status: 'failed',
              error: { code: 'constraint_violation', message: `the id ${record.id} belongs to another item` },
            };
          }
          const importMode = { onConflict: opts.onConflict, preserveVersions: opts.preserveVersions };
          return view.planned(planImport(before, record, importMode, stamp, () => record.id ?? view.newRecordId()));
        };
      },
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
    const feed = await this.backend.feed(tenantId, opts.afterSequence, opts.limit);
    // Behind the oldest kept event, the follower would continue from a hole; ahead of the latest, from a
    // position this feed never had (another database, or one reset since). Either way it must reload (R35).
    if (opts.afterSequence < feed.oldestKept - 1 || opts.afterSequence > feed.latestSequence) {
      fail({
        code: 'resync_needed',
        message:
          opts.afterSequence > feed.latestSequence
            ? `sequence ${opts.afterSequence} is beyond the latest event of this feed; reload everything, then follow from latestSequence`
            : `events after ${opts.afterSequence} are no longer kept; reload everything, then follow from latestSequence`,
        latestSequence: feed.latestSequence,
      });
    }
    const { events } = feed;
    // Whoever wrote them, the events name records this client may hold in its cache (R21).
    for (const event of events) this.#cache.changed(keyId(event.key), tenantId);
    return {
      tenantId,
      events: copy(events),
      lastSequence: events.length > 0 ? events[events.length - 1]!.sequence : opts.afterSequence,
      hasMore: feed.hasMore,
    };
  }
}

/** A record by id, if the caller can see it; another tenant's or user's record is as good as absent. */
async function visibleById(tx: BackendTransaction, ctx: MetadataCallContext, id: string): Promise<StoredRecord | undefined> {
  const record = await tx.recordById(id);
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
      throw new Error(`ProtocolStore: no save result for a ${plan.status} plan`);
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
