/**
 * The in-memory reference store: the executable definition of what every
 * MetadataStore call means (docs/METADATA_DATASOURCE.md, R1 to R47), being
 * the protocol store (base/protocol-store.ts) over a MemoryDatabase, read
 * with the reference functions of base/. It is written to be read, not to be
 * fast.
 */
import { MAX_SAFE_COUNT, MetadataCacheConfigSchema, type MetadataCacheConfigInput } from '@metasource/spec';
import { z } from 'zod';
import { parseInput } from '../base/failure';
import { ProtocolStore } from '../base/protocol-store';
import { MemoryBackend } from './memory-backend';
import { MemoryDatabase } from './memory-database';

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
  /**
   * Where new record ids come from (each must be an OpaqueId); default: the
   * database's counter, `rec_` and ten digits. An id already in use is
   * skipped. Two stores given equal generators issue equal ids, which is
   * how the differential tests compare a SQL store with this one.
   */
  recordIds?: () => string;
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
    recordIds: z
      .custom<() => string>((value) => typeof value === 'function', { error: 'must be a function returning a record id' })
      .optional(),
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

/** The in-memory MetadataStore: the protocol's reference semantics. */
export class MemoryStore extends ProtocolStore {
  /** The data this store serves; pass it to another MemoryStore for a second client. */
  readonly database: MemoryDatabase;

  /** Creates a store (not yet open). Invalid options throw a MetadataStoreFailure with invalid_input. */
  constructor(options: MemoryStoreOptions = {}) {
    const parsed = parseInput(MemoryStoreOptionsSchema, options, 'the memory store options');
    const database = parsed.database ?? new MemoryDatabase();
    super(new MemoryBackend(database, parsed.recordIds), {
      label: 'the memory store',
      cache: parsed.cache,
      maxPageSize: parsed.maxPageSize,
      maxResultSize: parsed.maxResultSize,
      ...(parsed.changeFeedRetention !== undefined ? { changeFeedRetention: parsed.changeFeedRetention } : {}),
      now: parsed.now ?? (() => new Date()),
      // One memory database serialises its transactions, so no call ever loses a race.
      retry: { maxRetries: 0, initialDelayMs: 0, multiplier: 1, maxDelayMs: 0 },
      exportPageSize: 1000,
    });
    this.database = database;
  }
}

/** Creates a MemoryStore and opens it. */
export async function createMemoryStore(options?: MemoryStoreOptions): Promise<MemoryStore> {
  const store = new MemoryStore(options);
  await store.open();
  return store;
}
