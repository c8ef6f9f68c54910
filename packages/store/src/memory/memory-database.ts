/**
 * The data of the memory store: records by id (and by key), one change feed
 * per tenant with its own gap-free sequence, and the counters of record and
 * transaction ids. Several MemoryStores over one MemoryDatabase behave as
 * several clients of one database: each sees the others' committed writes,
 * and each keeps its own cache.
 *
 * Every change runs in a MemoryTransaction: a working copy of the state that
 * replaces the committed state in one step on commit, or is dropped. So a
 * rolled-back transactional bulk or atomic import leaves nothing behind, not
 * even an event or a sequence number. Transactions run one at a time
 * (`exclusive`), as writers of one database serialise on its locks.
 */
import type { MetadataChangeEvent } from '@metasource/spec';
import type { UnsequencedEvent } from '../base/backend';
import { CursorCodec } from '../base/cursor';
import { keyId, type KeyFields, type StoredRecord } from '../base/record';

/** One tenant's change feed: its latest sequence and the events still kept, oldest first. */
export interface TenantFeed {
  latestSequence: number;
  events: readonly MetadataChangeEvent[];
}

interface MemoryState {
  readonly records: ReadonlyMap<string, StoredRecord>;
  /** keyId -> record id: the identity key is unique (R19), an absent owner counting as one value. */
  readonly keys: ReadonlyMap<string, string>;
  readonly feeds: ReadonlyMap<string, TenantFeed>;
}

const EMPTY_FEED: TenantFeed = Object.freeze({ latestSequence: 0, events: Object.freeze([]) });

/** Shared data of one or more MemoryStores. */
export class MemoryDatabase {
  #state: MemoryState = { records: new Map(), keys: new Map(), feeds: new Map() };
  #recordCounter = 0;
  #transactionCounter = 0;
  /** The end of the last transaction queued: the next one starts after it. */
  #queue: Promise<unknown> = Promise.resolve();
  /**
   * Signs the cursors of every store over this database, so a cursor is
   * bound to the data it pages through: another database (another store)
   * rejects it, another client of this one accepts it, as replicas of one
   * datasource would.
   */
  readonly cursors: CursorCodec = new CursorCodec();

  /** Every committed record, in no particular order. Treat them as read-only. */
  records(): StoredRecord[] {
    return [...this.#state.records.values()];
  }

  recordById(id: string): StoredRecord | undefined {
    return this.#state.records.get(id);
  }

  recordByKey(key: KeyFields): StoredRecord | undefined {
    const id = this.#state.keys.get(keyId(key));
    return id === undefined ? undefined : this.#state.records.get(id);
  }

  /** A tenant's committed feed (empty when it has no events). */
  feed(tenantId: string): TenantFeed {
    return this.#state.feeds.get(tenantId) ?? EMPTY_FEED;
  }

  /**
   * Runs `work` once every transaction queued before it has finished, so no
   * two transactions overlap (their reads and their commit stay one step).
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Starts a transaction on a working copy of the committed state. */
  begin(): MemoryTransaction {
    return new MemoryTransaction(this, this.#state);
  }

  /** Makes a transaction's working state the committed state, in one step. */
  commit(transaction: MemoryTransaction): void {
    if (transaction.base !== this.#state) {
      // Cannot happen while transactions run through exclusive(); refuse rather than lose a write.
      throw new Error('MemoryDatabase: a transaction began on a state that is no longer current');
    }
    this.#state = transaction.workingState();
  }

  /** A record id never issued before: `rec_` and a counter (zero-padded, so id order is creation order). */
  nextRecordId(inUse: (id: string) => boolean): string {
    let id: string;
    do {
      this.#recordCounter += 1;
      id = `rec_${String(this.#recordCounter).padStart(10, '0')}`;
    } while (inUse(id));
    return id;
  }

  /** A transaction id never issued before. Like a database sequence, a rolled-back transaction does not give its id back. */
  nextTransactionId(): string {
    this.#transactionCounter += 1;
    return `tx_${String(this.#transactionCounter).padStart(10, '0')}`;
  }
}

/** A working copy of the data: reads see its own writes; nothing is visible to others until commit. */
export class MemoryTransaction {
  readonly base: MemoryState;
  readonly #database: MemoryDatabase;
  readonly #records: Map<string, StoredRecord>;
  readonly #keys: Map<string, string>;
  readonly #feeds: Map<string, TenantFeed>;
  #transactionId: string | undefined;
  #changed = false;

  constructor(database: MemoryDatabase, base: MemoryState) {
    this.#database = database;
    this.base = base;
    this.#records = new Map(base.records);
    this.#keys = new Map(base.keys);
    this.#feeds = new Map(base.feeds);
  }

  /** The id its events share, taken on first use. */
  get transactionId(): string {
    this.#transactionId ??= this.#database.nextTransactionId();
    return this.#transactionId;
  }

  /** Whether anything was written. */
  get changed(): boolean {
    return this.#changed;
  }

  recordById(id: string): StoredRecord | undefined {
    return this.#records.get(id);
  }

  recordByKey(key: KeyFields): StoredRecord | undefined {
    const id = this.#keys.get(keyId(key));
    return id === undefined ? undefined : this.#records.get(id);
  }

  /** Whether an id belongs to a record, in this transaction or committed. */
  idInUse(id: string): boolean {
    return this.#records.has(id) || this.base.records.has(id);
  }

  newRecordId(): string {
    return this.#database.nextRecordId((id) => this.idInUse(id));
  }

  /** Stores a record, new or a new version of one with the same id and key. */
  put(record: StoredRecord): void {
    const key = keyId(record);
    const holder = this.#keys.get(key);
    if (holder !== undefined && holder !== record.id) throw new Error('MemoryTransaction: a second record with the same key');
    const previous = this.#records.get(record.id);
    if (previous && keyId(previous) !== key) throw new Error('MemoryTransaction: a record cannot change its key');
    this.#records.set(record.id, record);
    this.#keys.set(key, record.id);
    this.#changed = true;
  }

  remove(id: string): void {
    const record = this.#records.get(id);
    if (!record) return;
    this.#records.delete(id);
    this.#keys.delete(keyId(record));
    this.#changed = true;
  }

  /**
   * Appends an event to its tenant's feed with the next sequence of that
   * tenant (1 for the first, then +1, no gaps: R34), keeping at most
   * `retention` events when given (R35).
   */
  append(tenantId: string, event: UnsequencedEvent, retention: number | undefined): MetadataChangeEvent {
    const feed = this.#feeds.get(tenantId) ?? EMPTY_FEED;
    const sequenced = { sequence: feed.latestSequence + 1, ...event } as MetadataChangeEvent;
    let events = [...feed.events, sequenced];
    if (retention !== undefined && events.length > retention) events = events.slice(events.length - retention);
    this.#feeds.set(tenantId, { latestSequence: sequenced.sequence, events });
    this.#changed = true;
    return sequenced;
  }

  /** The state this transaction commits. */
  workingState(): MemoryState {
    return { records: this.#records, keys: this.#keys, feeds: this.#feeds };
  }
}
