/**
 * The read cache of one store (R20 to R22), as MetadataCacheConfig describes
 * it: entries expire after ttlSeconds, the least recently used go beyond
 * maxEntries, and a write through this store drops the entries it affects
 * (invalidateOnWrite). Keys are built by the store from the full record key
 * or load options together with the caller's tenant set and actor, so an
 * entry is never served to a caller who could not have read it.
 *
 * Entries hold deep copies, and reads return deep copies, so nothing a
 * caller does to a result reaches the cache.
 */
import type { MetadataCacheConfig } from '@metasource/spec';
import { copy } from './record';

interface Entry {
  value: unknown;
  storedAt: number;
  /** keyId of the record a get entry holds. */
  recordKey: string | undefined;
  /** Tenants whose records a load entry may hold. */
  tenants: readonly string[];
}

/** Where a cached value came from: the record key of a get, the tenants of a load. */
export interface CacheScope {
  recordKey?: string;
  tenants: readonly string[];
}

export class ReadCache {
  readonly #config: MetadataCacheConfig;
  readonly #now: () => Date;
  /** Insertion order is recency order: a hit moves its entry to the end. */
  readonly #entries = new Map<string, Entry>();

  constructor(config: MetadataCacheConfig, now: () => Date) {
    this.#config = config;
    this.#now = now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached value and when it was stored, unless absent, expired or caching is off. */
  get<T>(key: string): { value: T; storedAt: Date } | undefined {
    if (!this.#config.enabled) return undefined;
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (this.#now().getTime() - entry.storedAt >= this.#config.ttlSeconds * 1000) {
      this.#entries.delete(key);
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return { value: copy(entry.value) as T, storedAt: new Date(entry.storedAt) };
  }

  /** Stores a value (replacing any entry under the key), evicting the least recently used beyond maxEntries. */
  set(key: string, value: unknown, scope: CacheScope, storedAt: Date): void {
    if (!this.#config.enabled) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value: copy(value), storedAt: storedAt.getTime(), recordKey: scope.recordKey, tenants: [...scope.tenants] });
    while (this.#entries.size > this.#config.maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  /** Drops the entries a change to one record can affect: gets of its key, loads that may hold its tenant. */
  #drop(recordKey: string, tenantId: string): void {
    for (const [key, entry] of this.#entries) {
      if (entry.recordKey === recordKey || (entry.recordKey === undefined && entry.tenants.includes(tenantId))) this.#entries.delete(key);
    }
  }

  /** A write through this store changed a record: drop its entries when invalidateOnWrite is on (R21). */
  written(recordKey: string, tenantId: string): void {
    if (this.#config.invalidateOnWrite) this.#drop(recordKey, tenantId);
  }

  /** The change feed named a record changed (by any client): drop its entries (R21). */
  changed(recordKey: string, tenantId: string): void {
    this.#drop(recordKey, tenantId);
  }

  clear(): void {
    this.#entries.clear();
  }
}
