/**
 * The memory backend: a MemoryDatabase read and written with the reference
 * functions of base/ (matchesFilters, sortRecords, pageAfter), which are the
 * definition the SQL backends' compiled queries are tested against.
 */
import type { MetadataCallContext, MetadataChangeEvent, MetadataMigrateOptions, MetadataMigrationPlan } from '@metasource/spec';
import type {
  BackendTransaction,
  FeedRead,
  PageRequest,
  ReadScope,
  RecordPage,
  RecordSelection,
  StoreBackend,
  UnsequencedEvent,
} from '../base/backend';
import type { CursorCodec } from '../base/cursor';
import { fail } from '../base/failure';
import { matchesFilters } from '../base/filter';
import type { KeyFields, StoredRecord } from '../base/record';
import { pageAfter, sortRecords } from '../base/sort';
import type { MemoryDatabase, MemoryTransaction } from './memory-database';

/** Whether a scope may see a record (R36, R40): the memory form of the SQL stores' visibility condition. */
function visibleTo(scope: ReadScope, record: StoredRecord): boolean {
  return scope.readTenants.includes(record.tenantId) && (record.scope !== 'user' || scope.administersUsers || record.owner === scope.actor);
}

export class MemoryBackend implements StoreBackend {
  readonly profile = { kind: 'memory', atomicImport: true, transactionalBulk: true } as const;
  readonly #database: MemoryDatabase;
  readonly #recordIds: (() => string) | undefined;

  /** `recordIds`: where new record ids come from; default the database's `rec_` counter. */
  constructor(database: MemoryDatabase, recordIds?: () => string) {
    this.#database = database;
    this.#recordIds = recordIds;
  }

  get cursors(): CursorCodec {
    return this.#database.cursors;
  }

  async open(): Promise<void> {}

  async close(): Promise<void> {}

  async migrate(_context: MetadataCallContext, options: MetadataMigrateOptions): Promise<MetadataMigrationPlan> {
    if (options.steps !== undefined && options.steps.length > 0) {
      fail({
        code: 'unsupported_capability',
        message: 'the memory store has no table to migrate, so it cannot plan or run explicit migration steps',
        capability: 'schema_migration',
      });
    }
    return { steps: [], atomic: true, applied: false };
  }

  async recordByKey(key: KeyFields): Promise<StoredRecord | undefined> {
    return this.#database.recordByKey(key);
  }

  async recordById(id: string): Promise<StoredRecord | undefined> {
    return this.#database.recordById(id);
  }

  #matching(scope: ReadScope, selection: RecordSelection): StoredRecord[] {
    return this.#database.records().filter((record) => visibleTo(scope, record) && matchesFilters(record, selection.filters, selection));
  }

  async query(scope: ReadScope, selection: RecordSelection, page: PageRequest): Promise<RecordPage> {
    return pageAfter(sortRecords(this.#matching(scope, selection), page.sort), page.sort, page.after, page.limit);
  }

  async count(scope: ReadScope, selection: RecordSelection): Promise<number> {
    return this.#matching(scope, selection).length;
  }

  async feed(tenantId: string, afterSequence: number, limit: number): Promise<FeedRead> {
    const feed = this.#database.feed(tenantId);
    const following = feed.events.filter((event) => event.sequence > afterSequence);
    return {
      latestSequence: feed.latestSequence,
      oldestKept: feed.events[0]?.sequence ?? feed.latestSequence + 1,
      events: following.slice(0, limit),
      hasMore: following.length > limit,
    };
  }

  transaction<T>(work: (tx: BackendTransaction) => Promise<{ value: T; commit: boolean }>): Promise<T> {
    return this.#database.exclusive(async () => {
      const tx = this.#database.begin();
      const { value, commit } = await work(new MemoryBackendTransaction(tx, this.#recordIds));
      if (commit && tx.changed) this.#database.commit(tx);
      return value;
    });
  }
}

/** A MemoryTransaction seen through the BackendTransaction interface. */
class MemoryBackendTransaction implements BackendTransaction {
  readonly #tx: MemoryTransaction;
  readonly #recordIds: (() => string) | undefined;

  constructor(tx: MemoryTransaction, recordIds: (() => string) | undefined) {
    this.#tx = tx;
    this.#recordIds = recordIds;
  }

  get transactionId(): string {
    return this.#tx.transactionId;
  }

  async recordByKey(key: KeyFields): Promise<StoredRecord | undefined> {
    return this.#tx.recordByKey(key);
  }

  async recordById(id: string): Promise<StoredRecord | undefined> {
    return this.#tx.recordById(id);
  }

  async idInUse(id: string): Promise<boolean> {
    return this.#tx.idInUse(id);
  }

  newRecordId(): string {
    const next = this.#recordIds;
    if (!next) return this.#tx.newRecordId();
    let id: string;
    do id = next();
    while (this.#tx.idInUse(id));
    return id;
  }

  async insert(record: StoredRecord): Promise<void> {
    this.#tx.put(record);
  }

  async replace(record: StoredRecord, previousVersion: number): Promise<void> {
    if (this.#tx.recordById(record.id)?.version !== previousVersion) throw new Error('MemoryBackend: replaced a version no longer stored');
    this.#tx.put(record);
  }

  async remove(record: StoredRecord): Promise<void> {
    if (this.#tx.recordById(record.id)?.version !== record.version) throw new Error('MemoryBackend: removed a version no longer stored');
    this.#tx.remove(record.id);
  }

  async append(tenantId: string, event: UnsequencedEvent, retention: number | undefined): Promise<MetadataChangeEvent> {
    return this.#tx.append(tenantId, event, retention);
  }
}
