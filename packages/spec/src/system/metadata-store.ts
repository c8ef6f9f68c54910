/**
 * The MetadataStore interface: what a runtime does with metadata, as types
 * only. Every input is one of the protocol's schemas in its input form (what
 * a caller writes), every result one in its output form; a store validates
 * each input against its schema before it does anything (R1) and fails with a
 * MetadataStoreFailure carrying a MetadataStoreError, never an untyped
 * exception, for every condition that error describes.
 *
 * This file ships no code: the stores live in @metasource/store, the
 * conformance kit that audits them in @metasource/conformance.
 */
import type { MetadataBulkOperationInput } from '../data/driver/metadata-bulk.zod';
import type { MetadataOperationResult } from '../data/driver/metadata-operation-result.zod';
import type { MetadataQueryOptionsInput } from '../data/driver/metadata-query.zod';
import type { MetadataRecord, MetadataRecordInput, MetadataRecordWriteInput } from '../data/metadata-record.zod';
import type {
  MetadataExportOptionsInput,
  MetadataImportOptionsInput,
  MetadataLoadOptionsInput,
  MetadataLoadResult,
  MetadataRecordKeyInput,
  MetadataSaveOptionsInput,
  MetadataSaveResult,
} from './metadata-persistence.zod';
import type {
  MetadataCallContextInput,
  MetadataChangeFeedOptionsInput,
  MetadataChangeFeedPage,
  MetadataDeleteResult,
  MetadataGetOptionsInput,
  MetadataItemChangeOptionsInput,
  MetadataMigrateOptionsInput,
  MetadataMigrationPlan,
  MetadataQueryResult,
  MetadataStoreError,
  MetadataStoreProfile,
} from './metadata-store.zod';

/**
 * The error a store call rejects with. `error` is a MetadataStoreError (its
 * code is stable, its message safe to show); `name` is always
 * `MetadataStoreFailure`, so code that cannot share the class can still tell
 * it apart. A store implements this shape with a class of its own.
 */
export interface MetadataStoreFailure extends Error {
  readonly name: 'MetadataStoreFailure';
  readonly error: MetadataStoreError;
}

/**
 * A metadata store: one datasource (or memory) holding metadata records for
 * many tenants. Every call takes the caller's authenticated context first.
 */
export interface MetadataStore {
  /** What the store is and can do. Available before open(). */
  readonly profile: MetadataStoreProfile;

  /** Connects (resolving secret references now, R4) and, with autoMigrate, brings the table up to date, adding only (R9). */
  open(): Promise<void>;
  /** Releases connections; later calls fail with `unavailable`. Idempotent. */
  close(): Promise<void>;

  /** Plans (dryRun, the default) or applies migration steps under the migration lock (R9 to R11). */
  migrate(context: MetadataCallContextInput, options?: MetadataMigrateOptionsInput): Promise<MetadataMigrationPlan>;

  /** One record by its key, as stored (no inheritance), or null when it is not stored or not visible to the caller. */
  get(context: MetadataCallContextInput, key: MetadataRecordKeyInput, options?: MetadataGetOptionsInput): Promise<MetadataRecord | null>;
  /** One page of records matching a structured query (R6, R7, R24 to R26). */
  query(context: MetadataCallContextInput, options?: MetadataQueryOptionsInput): Promise<MetadataQueryResult>;
  /** A page of items as they take effect (inheritance resolved, R38) or as stored, with a conditional checksum (R16). */
  load(context: MetadataCallContextInput, options?: MetadataLoadOptionsInput): Promise<MetadataLoadResult>;

  /** Creates or changes one item (R12, R13, R28 to R30). */
  save(context: MetadataCallContextInput, item: MetadataRecordWriteInput, options?: MetadataSaveOptionsInput): Promise<MetadataSaveResult>;
  /** Sets an item's state to archived (a new version; change event archive). */
  archive(
    context: MetadataCallContextInput,
    key: MetadataRecordKeyInput,
    options?: MetadataItemChangeOptionsInput,
  ): Promise<MetadataSaveResult>;
  /** Sets an archived item's state back to active (a new version; change event restore). */
  restore(
    context: MetadataCallContextInput,
    key: MetadataRecordKeyInput,
    options?: MetadataItemChangeOptionsInput,
  ): Promise<MetadataSaveResult>;
  /** Removes an item (change event delete). */
  delete(
    context: MetadataCallContextInput,
    key: MetadataRecordKeyInput,
    options?: MetadataItemChangeOptionsInput,
  ): Promise<MetadataDeleteResult>;
  /** A batch of writes of one kind, all or nothing or per batch, with a per-item report (R8). */
  bulk(context: MetadataCallContextInput, operation: MetadataBulkOperationInput): Promise<MetadataOperationResult>;

  /** Every matching record the caller may read, in a stable order (tenant, type, namespace, scope, owner, name), streamed. */
  export(context: MetadataCallContextInput, options?: MetadataExportOptionsInput): AsyncIterable<MetadataRecord>;
  /** Writes exported records: atomic (all or none, R17) or per batch, with a per-item report. Operator role only. */
  import(
    context: MetadataCallContextInput,
    records: Iterable<MetadataRecordInput> | AsyncIterable<MetadataRecordInput>,
    options?: MetadataImportOptionsInput,
  ): Promise<MetadataOperationResult>;

  /** One tenant's change events after a sequence number, in order and without gaps (R33 to R35). */
  changes(context: MetadataCallContextInput, options?: MetadataChangeFeedOptionsInput): Promise<MetadataChangeFeedPage>;
}
