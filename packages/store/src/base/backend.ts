/**
 * What a store keeps its data in. ProtocolStore (protocol-store.ts) holds
 * everything the protocol says a call means: parsing, access checks, write
 * plans, versions, checksums, events, cache, pages. A backend only stores and
 * finds: records by key, by id or by a structured selection, one change feed
 * per tenant, and transactions that commit all of their writes or none. The
 * memory backend does this with maps; the SQL backend with one statement per
 * step, every selection compiled to SQL.
 */
import type {
  JsonObject,
  MetadataCallContext,
  MetadataChangeEvent,
  MetadataMigrateOptions,
  MetadataMigrationPlan,
  MetadataQueryFilters,
  MetadataSort,
  MetadataStoreProfile,
} from '@metasource/spec';
import type { CursorCodec } from './cursor';
import type { KeyFields, StoredRecord } from './record';
import type { Position } from './sort';

/** Who reads: a record is visible when its tenant is readable and it is not another user's (R36, R40). */
export interface ReadScope {
  readTenants: readonly string[];
  actor: string;
  administersUsers: boolean;
}

/** Which records: the filters and whether archived records count when the filters name no state. */
export interface RecordSelection {
  filters: MetadataQueryFilters;
  includeArchived: boolean;
}

/** Which page: the sort keys (the id is always the last, ascending), where to continue, and at most `limit` records. */
export interface PageRequest {
  sort: readonly MetadataSort[];
  after?: Position;
  limit: number;
}

/** A page of records in order, and whether more follow it. */
export interface RecordPage {
  records: StoredRecord[];
  hasMore: boolean;
}

/** A change event before its tenant's feed gives it a sequence. */
export type UnsequencedEvent = MetadataChangeEvent extends infer E ? (E extends unknown ? Omit<E, 'sequence'> : never) : never;

/** What a feed read returns: the events after a sequence (at most the limit), the feed's bounds, and whether more follow. */
export interface FeedRead {
  latestSequence: number;
  /** The sequence of the oldest event still kept; latestSequence + 1 when none is kept. */
  oldestKept: number;
  events: MetadataChangeEvent[];
  hasMore: boolean;
}

/**
 * Thrown by a backend when a transaction lost a race it could not see
 * coming (a row changed between read and write, a deadlock, a serialization
 * failure, a key inserted by another client): ProtocolStore runs the whole
 * call again on fresh data, a bounded number of times.
 */
export class TransactionRace extends Error {
  override readonly name = 'TransactionRace';
}

/** One transaction: reads see its own writes; nothing is visible to others until it commits. */
export interface BackendTransaction {
  /** The id its change events share. */
  readonly transactionId: string;
  recordByKey(key: KeyFields): Promise<StoredRecord | undefined>;
  recordById(id: string): Promise<StoredRecord | undefined>;
  /** Whether an id belongs to a record, in this transaction or committed. */
  idInUse(id: string): Promise<boolean>;
  /** A record id never issued before. */
  newRecordId(): string;
  /** Stores a new record. */
  insert(record: StoredRecord): Promise<void>;
  /**
   * Replaces the stored version `previousVersion` of a record (same id and
   * key) with a new one, in one statement that checks the version (R28);
   * TransactionRace when the stored version is no longer that one.
   */
  replace(record: StoredRecord, previousVersion: number): Promise<void>;
  /** Removes the stored version `version` of a record; TransactionRace when it is no longer stored at that version. */
  remove(record: StoredRecord): Promise<void>;
  /**
   * Appends an event to its tenant's feed with the next sequence of that
   * tenant (1 first, then +1, no gaps, R34), keeping at least `retention`
   * events when given (R35).
   */
  append(tenantId: string, event: UnsequencedEvent, retention: number | undefined): Promise<MetadataChangeEvent>;
}

/** Where a store keeps its data. */
export interface StoreBackend {
  /** The profile fields the backend decides (ProtocolStore adds the protocol version and retention). */
  readonly profile: Omit<MetadataStoreProfile, 'protocolVersion' | 'changeFeedRetention'>;
  /** Signs and checks cursors: one secret per database, so every client of it accepts the others' cursors (R25). */
  readonly cursors: CursorCodec;
  /**
   * Refuses, before anything is written, a payload the datasource cannot
   * store as it is (U+0000 where the capability nulCharacters is false),
   * with unsupported_capability; `what` names it in the message. Absent: the
   * backend stores every payload.
   */
  refuseUnstorable?(payload: JsonObject, what: string): void;

  open(): Promise<void>;
  close(): Promise<void>;

  /** Plans or applies migration steps; the context is parsed, not yet checked for the operator role. */
  migrate(context: MetadataCallContext, options: MetadataMigrateOptions): Promise<MetadataMigrationPlan>;

  /** A committed record by key or by id. */
  recordByKey(key: KeyFields): Promise<StoredRecord | undefined>;
  recordById(id: string): Promise<StoredRecord | undefined>;
  /** A page of the committed records the scope may see that match the selection. */
  query(scope: ReadScope, selection: RecordSelection, page: PageRequest): Promise<RecordPage>;
  /** How many committed records the scope may see match the selection. */
  count(scope: ReadScope, selection: RecordSelection): Promise<number>;
  /** A tenant's committed events after a sequence, at most `limit`. */
  feed(tenantId: string, afterSequence: number, limit: number): Promise<FeedRead>;

  /**
   * Runs `work` in a transaction and commits its writes when it returns
   * `commit: true`; rolls them back when it returns `commit: false` or
   * throws. A TransactionRace thrown by the backend or by `work` rolls back
   * and propagates, for ProtocolStore to retry.
   */
  transaction<T>(work: (tx: BackendTransaction) => Promise<{ value: T; commit: boolean }>): Promise<T>;
}
