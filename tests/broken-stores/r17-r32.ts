/**
 * Broken stores of requirements R17 to R32: each wraps a working store and
 * gets one observable MUST wrong, the way a real implementation might (a
 * unique index over a NULL owner, a read-modify-write version check, a cache
 * keyed only by record key, offset cursors without a tie-breaker, ...). The
 * kit must fail every one of them on an audit of its requirement
 * (tests/conformance-broken-r17-r32.test.ts).
 */
import { canonical, checksumOf, storeErrorOf } from '@metasource/conformance';
import {
  MetadataStoreErrorSchema,
  POSTGRES_CAPABILITIES,
  type JsonValue,
  type MetadataCallContextInput,
  type MetadataLoadOptionsInput,
  type MetadataLoadResult,
  type MetadataQueryOptionsInput,
  type MetadataQueryResult,
  type MetadataRecord,
  type MetadataRecordKeyInput,
  type MetadataSortInput,
  type MetadataStore,
  type MetadataStoreError,
  type MetadataStoreErrorInput,
} from '@metasource/spec';
import { breakStore, type BrokenStore } from './delegate';

// ---------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------

/** A typed store failure, as a broken store's own code would throw it. */
class BrokenStoreFailure extends Error {
  override readonly name = 'MetadataStoreFailure' as const;
  readonly error: MetadataStoreError;
  constructor(error: MetadataStoreErrorInput) {
    const parsed = MetadataStoreErrorSchema.parse(error);
    super(parsed.message);
    this.error = parsed;
  }
}

const invalidCursor = () => new BrokenStoreFailure({ code: 'invalid_cursor', message: 'the cursor cannot be read' });

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decodeJson(cursor: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Falls through to invalid_cursor.
  }
  throw invalidCursor();
}

type Via = 'query' | 'load';
type ReadOptions = MetadataQueryOptionsInput & MetadataLoadOptionsInput;
type ReadResult = MetadataQueryResult | MetadataLoadResult;

function read(inner: MetadataStore, via: Via, context: MetadataCallContextInput, options: ReadOptions): Promise<ReadResult> {
  return via === 'query'
    ? inner.query(context, options as MetadataQueryOptionsInput)
    : inner.load(context, options as MetadataLoadOptionsInput);
}

/** Every record of a read, following the inner store's cursors in pages of 100. */
async function readAll(inner: MetadataStore, via: Via, context: MetadataCallContextInput, options: ReadOptions): Promise<MetadataRecord[]> {
  const records: MetadataRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await read(inner, via, context, { ...options, pagination: { pageSize: 100, ...(cursor ? { cursor } : {}) } });
    records.push(...page.records);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return records;
}

/** The same read on queries and loads. */
function onReads(page: (inner: MetadataStore, via: Via, context: MetadataCallContextInput, options: ReadOptions) => Promise<ReadResult>) {
  return {
    query: (inner: MetadataStore, context: MetadataCallContextInput, options?: MetadataQueryOptionsInput) =>
      page(inner, 'query', context, (options ?? {}) as ReadOptions) as Promise<MetadataQueryResult>,
    load: (inner: MetadataStore, context: MetadataCallContextInput, options?: MetadataLoadOptionsInput) =>
      page(inner, 'load', context, (options ?? {}) as ReadOptions) as Promise<MetadataLoadResult>,
  };
}

/** The key a write names, with the tenant the audits always give. */
function keyOfWrite(write: {
  tenantId?: string;
  type: string;
  namespace?: string;
  scope?: 'system' | 'platform' | 'user';
  owner?: string;
  name: string;
}): MetadataRecordKeyInput {
  const { tenantId, type, namespace = 'default', scope = 'platform', owner, name } = write;
  return { ...(tenantId ? { tenantId } : {}), type, namespace, scope, ...(owner ? { owner } : {}), name };
}

/** A small seeded generator (mulberry32), so a broken store misbehaves the same way on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// ---------------------------------------------------------------------------
// A cache with configurable flaws (R18, R20 to R22)
// ---------------------------------------------------------------------------

interface CacheFlaws {
  /** Keys entries by record key or load options only, not by the caller's tenants and actor (R20). */
  ignoresCaller?: boolean;
  /** Keeps entries when a write through this store changes their record (R21). */
  keepsEntriesOnWrite?: boolean;
  /** Serves a cached entry even when the read says useCache: false (R22). */
  ignoresUseCacheFalse?: boolean;
  /** Reads through on useCache: false but leaves the old entry in place (R22). */
  keepsOldEntryOnReadThrough?: boolean;
  /** Hands out the cached objects themselves, so a caller's changes reach the cache (R18). */
  sharesObjects?: boolean;
}

/** A read cache in front of `inner` (which is always read with useCache: false), wrong in the ways `flaws` says. */
function cachingStore(inner: MetadataStore, flaws: CacheFlaws): MetadataStore {
  const entries = new Map<string, unknown>();
  const caller = (context: MetadataCallContextInput) => (flaws.ignoresCaller ? '' : canonical(context));
  const remember = (key: string, value: unknown, useCache: boolean) => {
    if (!useCache && flaws.keepsOldEntryOnReadThrough && entries.has(key)) return;
    entries.set(key, flaws.sharesObjects ? value : structuredClone(value));
  };
  const recall = <T>(key: string): T => (flaws.sharesObjects ? entries.get(key) : structuredClone(entries.get(key))) as T;
  const cached = (key: string, useCache: boolean) => (useCache || flaws.ignoresUseCacheFalse) && entries.has(key);
  const written =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await call(...args);
      } finally {
        if (!flaws.keepsEntriesOnWrite) entries.clear();
      }
    };
  return breakStore(inner, {
    async get(inner, context, key, options) {
      const useCache = options?.useCache ?? true;
      const cacheKey = `get|${caller(context)}|${canonical(key)}`;
      if (cached(cacheKey, useCache)) return recall<MetadataRecord | null>(cacheKey);
      const record = await inner.get(context, key, { useCache: false });
      remember(cacheKey, record, useCache);
      return flaws.sharesObjects && entries.get(cacheKey) === record ? record : structuredClone(record);
    },
    async load(inner, context, options = {}) {
      const { useCache = true, ...rest } = options;
      const cacheKey = `load|${caller(context)}|${canonical(rest)}`;
      if (cached(cacheKey, useCache)) return { ...recall<MetadataLoadResult>(cacheKey), fromCache: true };
      const result = await inner.load(context, { ...rest, useCache: false });
      remember(cacheKey, result, useCache);
      return flaws.sharesObjects && entries.get(cacheKey) === result ? result : structuredClone(result);
    },
    save: written((inner: MetadataStore, ...args: Parameters<MetadataStore['save']>) => inner.save(...args)),
    archive: written((inner: MetadataStore, ...args: Parameters<MetadataStore['archive']>) => inner.archive(...args)),
    restore: written((inner: MetadataStore, ...args: Parameters<MetadataStore['restore']>) => inner.restore(...args)),
    delete: written((inner: MetadataStore, ...args: Parameters<MetadataStore['delete']>) => inner.delete(...args)),
    bulk: written((inner: MetadataStore, ...args: Parameters<MetadataStore['bulk']>) => inner.bulk(...args)),
    import: written((inner: MetadataStore, ...args: Parameters<MetadataStore['import']>) => inner.import(...args)),
  });
}

// ---------------------------------------------------------------------------
// Lossy storage (R18) and a nullable owner in the unique index (R19)
// ---------------------------------------------------------------------------

/** What a careless column does to JSON: NUL dropped from text and keys, numbers kept to 15 significant digits. */
function lossy(value: JsonValue): JsonValue {
  if (typeof value === 'string') return value.replaceAll('\u0000', '');
  if (typeof value === 'number') {
    const rounded = Number(value.toPrecision(15));
    return Number.isFinite(rounded) ? rounded : value;
  }
  if (Array.isArray(value)) return value.map(lossy);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replaceAll('\u0000', ''), lossy(v)]));
  }
  return value;
}

/** A unique index over (tenant, type, namespace, scope, owner, name) with owner NULL: NULL is distinct from NULL, so duplicates go in. */
function nullOwnerIndex(inner: MetadataStore): MetadataStore {
  const duplicates: MetadataRecord[] = [];
  return breakStore(inner, {
    async save(inner, context, write, options) {
      try {
        return await inner.save(context, write, options);
      } catch (reason) {
        const error = storeErrorOf(reason);
        if (error?.code !== 'already_exists' || write.owner !== undefined) throw reason;
        const at = new Date().toISOString();
        const actor = options?.actor ?? context.actor;
        const payload = write.payload as Record<string, JsonValue>;
        const record: MetadataRecord = {
          ...error.key,
          id: `dup_${duplicates.length + 1}`,
          state: write.state ?? 'active',
          payload,
          mergeStrategy: write.mergeStrategy ?? 'merge',
          tags: write.tags ?? [],
          version: 1,
          checksum: checksumOf(payload),
          createdAt: at,
          createdBy: actor,
          updatedAt: at,
          updatedBy: actor,
        };
        duplicates.push(record);
        return { id: record.id!, status: 'created', version: 1, checksum: record.checksum!, savedAt: at, dryRun: false };
      }
    },
    async query(inner, context, options) {
      const page = await inner.query(context, options);
      if (page.nextCursor !== undefined) return page;
      const name = options?.filters?.name;
      const extra = duplicates.filter((r) => name === undefined || (Array.isArray(name) ? name.includes(r.name) : name === r.name));
      return { ...page, records: [...page.records, ...extra] };
    },
  });
}

// ---------------------------------------------------------------------------
// Paging and cursors (R24 to R26)
// ---------------------------------------------------------------------------

/** Offset cursors over an order with no id tie-breaker: records with equal sort values come back in whatever order each request gives them. */
function offsetPagingWithoutTieBreaker(inner: MetadataStore): MetadataStore {
  let requests = 0;
  return breakStore(inner, {
    async query(inner, context, options = {}) {
      const { pagination = {}, ...rest } = options;
      const pageSize = pagination.pageSize ?? 100;
      const offset = pagination.cursor === undefined ? 0 : Number(decodeJson(pagination.cursor).offset);
      if (!Number.isSafeInteger(offset) || offset < 0) throw invalidCursor();
      const sorted = await readAll(inner, 'query', context, rest);
      requests += 1;
      const random = seededRandom(requests);
      const sort: MetadataSortInput[] = rest.sort ?? [];
      const tieKey = (r: MetadataRecord) => canonical(sort.map(({ field }) => r[field] ?? null));
      // Like a database plan without ORDER BY id: ties come back in any order, a different one per request.
      const ordered: MetadataRecord[] = [];
      for (let i = 0; i < sorted.length;) {
        let j = i + 1;
        while (j < sorted.length && tieKey(sorted[j]!) === tieKey(sorted[i]!)) j++;
        const group = sorted.slice(i, j);
        for (let k = group.length - 1; k > 0; k--) {
          const swap = Math.floor(random() * (k + 1));
          [group[k], group[swap]] = [group[swap]!, group[k]!];
        }
        ordered.push(...group);
        i = j;
      }
      const records = ordered.slice(offset, offset + pageSize);
      return {
        records,
        ...(offset + pageSize < ordered.length ? { nextCursor: encodeJson({ offset: offset + pageSize }) } : {}),
        ...(rest.includeTotal ? { total: ordered.length } : {}),
      };
    },
  });
}

/** hasMore computed as "the page is full": a full last page gets a nextCursor that leads to an empty page. */
function cursorAfterFullLastPage(inner: MetadataStore): MetadataStore {
  const END = encodeJson({ end: true });
  return breakStore(
    inner,
    onReads(async (inner, via, context, options) => {
      const { pagination = {}, ...rest } = options;
      if (pagination.cursor === END) {
        const empty = await read(inner, via, context, {
          ...rest,
          filters: { ...rest.filters, name: 'no_item_has_this_name' },
          pagination: { pageSize: 1 },
        });
        return { ...empty, records: [] };
      }
      const page = await read(inner, via, context, options);
      const pageSize = pagination.pageSize ?? 100;
      return page.nextCursor === undefined && page.records.length === pageSize ? { ...page, nextCursor: END } : page;
    }),
  );
}

/** An invalid cursor is treated as no cursor: the caller gets the first page instead of invalid_cursor. */
function lenientCursors(inner: MetadataStore): MetadataStore {
  return breakStore(
    inner,
    onReads(async (inner, via, context, options) => {
      try {
        return await read(inner, via, context, options);
      } catch (reason) {
        if (storeErrorOf(reason)?.code !== 'invalid_cursor' || !options.pagination) throw reason;
        const { cursor: _ignored, ...pagination } = options.pagination;
        return read(inner, via, context, { ...options, pagination });
      }
    }),
  );
}

/** A cursor that holds only the last record's id: presented with any query, the page continues after that record. */
function positionOnlyCursors(inner: MetadataStore): MetadataStore {
  return breakStore(
    inner,
    onReads(async (inner, via, context, options) => {
      const { pagination = {}, ...rest } = options;
      const pageSize = pagination.pageSize ?? 100;
      const first = await read(inner, via, context, { ...rest, pagination: { pageSize } });
      if (pagination.cursor === undefined) {
        return first.nextCursor === undefined ? first : { ...first, nextCursor: encodeJson({ after: first.records.at(-1)!.id }) };
      }
      const after = decodeJson(pagination.cursor).after;
      const all = await readAll(inner, via, context, rest);
      const at = all.findIndex((record) => record.id === after);
      if (at < 0) throw invalidCursor();
      const records = all.slice(at + 1, at + 1 + pageSize);
      const { nextCursor: _next, ...shape } = first;
      const more = at + 1 + pageSize < all.length;
      return { ...shape, records, ...(more ? { nextCursor: encodeJson({ after: records.at(-1)!.id }) } : {}) };
    }),
  );
}

/** The cursor carries the tenant list it was issued for, and the next page reads those tenants, whoever presents it. */
function cursorCarriesTenants(inner: MetadataStore): MetadataStore {
  return breakStore(
    inner,
    onReads(async (inner, via, context, options) => {
      const { pagination = {}, ...rest } = options;
      let caller = context;
      let cursor: string | undefined;
      if (pagination.cursor !== undefined) {
        const decoded = decodeJson(pagination.cursor);
        if (!Array.isArray(decoded.tenants) || typeof decoded.cursor !== 'string') throw invalidCursor();
        caller = { ...context, readTenants: decoded.tenants as string[], writeTenants: [] };
        cursor = decoded.cursor;
      }
      const page = await read(inner, via, caller, {
        ...rest,
        pagination: { ...(pagination.pageSize ? { pageSize: pagination.pageSize } : {}), ...(cursor ? { cursor } : {}) },
      });
      return page.nextCursor === undefined
        ? page
        : { ...page, nextCursor: encodeJson({ tenants: caller.readTenants, cursor: page.nextCursor }) };
    }),
  );
}

/** A pageSize above maxPageSize is quietly lowered to maxPageSize: a shorter page than asked, with a nextCursor. */
function cappedPages(inner: MetadataStore): MetadataStore {
  return breakStore(
    inner,
    onReads(async (inner, via, context, options) => {
      try {
        return await read(inner, via, context, options);
      } catch (reason) {
        const error = storeErrorOf(reason);
        if (error?.code !== 'page_too_large') throw reason;
        return read(inner, via, context, { ...options, pagination: { ...options.pagination, pageSize: error.maxPageSize } });
      }
    }),
  );
}

/** Counts every read, asked or not. */
function unaskedTotals(inner: MetadataStore): MetadataStore {
  return breakStore(
    inner,
    onReads((inner, via, context, options) => read(inner, via, context, { ...options, includeTotal: true })),
  );
}

/** A resolved load over more records than maxResultSize answers with an empty page instead of result_too_large. */
function swallowedResultTooLarge(inner: MetadataStore): MetadataStore {
  return breakStore(inner, {
    async load(inner, context, options) {
      try {
        return await inner.load(context, options);
      } catch (reason) {
        if (storeErrorOf(reason)?.code !== 'result_too_large') throw reason;
        // An empty page, with the checksum of an empty page (SHA-256 of the canonical JSON []).
        return {
          records: [],
          checksum: 'sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945',
          fromCache: false,
          notModified: false,
          loadedAt: new Date().toISOString(),
        };
      }
    },
  });
}

// ---------------------------------------------------------------------------
// Optimistic concurrency (R28 to R30) and rollback (R17, R32)
// ---------------------------------------------------------------------------

/** Rethrows a store failure with another error, as a broken store that misreports would. */
function rethrowAs(reason: unknown, replace: (error: MetadataStoreError) => MetadataStoreErrorInput | undefined): never {
  const error = storeErrorOf(reason);
  const replacement = error && replace(error);
  throw replacement ? new BrokenStoreFailure(replacement) : reason;
}

/** Drops every expected version: the last writer wins. */
function ignoresExpectedVersion(inner: MetadataStore): MetadataStore {
  const unguarded = <O extends { expectedVersion?: number }>(options: O | undefined) => {
    const { expectedVersion: _dropped, ...rest } = options ?? ({} as O);
    return rest;
  };
  return breakStore(inner, {
    save: (inner, context, write, options) => inner.save(context, write, unguarded(options)),
    archive: (inner, context, key, options) => inner.archive(context, key, unguarded(options)),
    restore: (inner, context, key, options) => inner.restore(context, key, unguarded(options)),
    delete: (inner, context, key, options) => inner.delete(context, key, unguarded(options)),
  });
}

/** Reads the version, compares, then writes without a guard: two writers that both read version 1 both win. */
function readThenWrite(inner: MetadataStore): MetadataStore {
  return breakStore(inner, {
    async save(inner, context, write, options = {}) {
      const { expectedVersion, ...rest } = options;
      if (expectedVersion === undefined) return inner.save(context, write, options);
      const key = keyOfWrite(write);
      const stored = await inner.get(context, key, { useCache: false });
      if (!stored) throw new BrokenStoreFailure({ code: 'not_found', message: 'the item is not stored', expectedVersion });
      if (stored.version !== expectedVersion) {
        throw new BrokenStoreFailure({
          code: 'version_conflict',
          message: 'the stored version differs',
          key: {
            tenantId: stored.tenantId,
            type: stored.type,
            namespace: stored.namespace,
            scope: stored.scope,
            ...(stored.owner ? { owner: stored.owner } : {}),
            name: stored.name,
          },
          expectedVersion,
          actualVersion: stored.version,
        });
      }
      return inner.save(context, write, rest);
    },
  });
}

/** A guarded write that changes nothing is always called a version conflict, also when the item is gone. */
function deletedIsConflict(inner: MetadataStore): MetadataStore {
  const asConflict = (key: MetadataRecordKeyInput, reason: unknown): never =>
    rethrowAs(reason, (error) =>
      error.code === 'not_found' && error.expectedVersion !== undefined
        ? {
            code: 'version_conflict',
            message: 'no row matched the expected version',
            key: { tenantId: 'default', ...key },
            expectedVersion: error.expectedVersion,
            actualVersion: error.expectedVersion + 1,
          }
        : undefined,
    );
  return breakStore(inner, {
    save: (inner, context, write, options) => inner.save(context, write, options).catch((reason) => asConflict(keyOfWrite(write), reason)),
    archive: (inner, context, key, options) => inner.archive(context, key, options).catch((reason) => asConflict(key, reason)),
    delete: (inner, context, key, options) => inner.delete(context, key, options).catch((reason) => asConflict(key, reason)),
  });
}

/** Writes first, checks afterwards: a stale save overwrites the stored item and then reports version_conflict. */
function writesBeforeCheck(inner: MetadataStore): MetadataStore {
  return breakStore(inner, {
    async save(inner, context, write, options = {}) {
      const { expectedVersion, ...rest } = options;
      if (expectedVersion === undefined) return inner.save(context, write, options);
      const result = await inner.save(context, write, rest);
      const previous = result.status === 'updated' || result.status === 'replaced' ? result.previousVersion : result.version;
      if (previous === expectedVersion) return result;
      throw new BrokenStoreFailure({
        code: 'version_conflict',
        message: 'the stored version differed',
        key: { tenantId: 'default', ...keyOfWrite(write) },
        expectedVersion,
        actualVersion: previous,
      });
    },
  });
}

/** version_conflict names expectedVersion + 1 as the stored version, whatever is stored. */
function guessedActualVersion(inner: MetadataStore): MetadataStore {
  const misreport = (reason: unknown): never =>
    rethrowAs(reason, (error) => (error.code === 'version_conflict' ? { ...error, actualVersion: error.expectedVersion + 1 } : undefined));
  return breakStore(inner, {
    save: (inner, ...args) => inner.save(...args).catch(misreport),
    archive: (inner, ...args) => inner.archive(...args).catch(misreport),
    restore: (inner, ...args) => inner.restore(...args).catch(misreport),
    delete: (inner, ...args) => inner.delete(...args).catch(misreport),
  });
}

/** On version_conflict, re-reads and reapplies the save against the version found. */
function retriesConflicts(inner: MetadataStore): MetadataStore {
  return breakStore(inner, {
    async save(inner, context, write, options) {
      try {
        return await inner.save(context, write, options);
      } catch (reason) {
        const error = storeErrorOf(reason);
        if (error?.code !== 'version_conflict') throw reason;
        return inner.save(context, write, { ...options, expectedVersion: error.actualVersion });
      }
    },
    async archive(inner, context, key, options) {
      try {
        return await inner.archive(context, key, options);
      } catch (reason) {
        const error = storeErrorOf(reason);
        if (error?.code !== 'version_conflict') throw reason;
        return inner.archive(context, key, { ...options, expectedVersion: error.actualVersion });
      }
    },
  });
}

/** A create that meets a stored key becomes an update (last writer wins under another name). */
function createBecomesUpdate(inner: MetadataStore): MetadataStore {
  return breakStore(inner, {
    async save(inner, context, write, options) {
      try {
        return await inner.save(context, write, options);
      } catch (reason) {
        if (storeErrorOf(reason)?.code !== 'already_exists' || options?.onConflict !== 'error') throw reason;
        return inner.save(context, write, { ...options, onConflict: 'update' });
      }
    },
  });
}

/** A transactional bulk run batch by batch without a transaction, reported as rolled back when an item fails. */
function bulkWithoutTransaction(inner: MetadataStore): MetadataStore {
  return breakStore(inner, {
    async bulk(inner, context, operation) {
      if (operation.transactional === false || operation.dryRun) return inner.bulk(context, operation);
      const report = await inner.bulk(context, { ...operation, transactional: false, continueOnError: false });
      return report.items.some((i) => i.status === 'failed') ? { ...report, committed: false } : report;
    },
  });
}

/** An atomic import run record by record, reported as rolled back when a record fails. */
function importWithoutTransaction(inner: MetadataStore): MetadataStore {
  return breakStore(inner, {
    async import(inner, context, records, options = {}) {
      if (options.atomic === false || options.dryRun) return inner.import(context, records, options);
      const report = await inner.import(context, records, { ...options, atomic: false, continueOnError: false });
      return report.items.some((i) => i.status === 'failed') ? { ...report, committed: false } : report;
    },
  });
}

/** Broken stores of requirements R17 to R32, one per observable MUST (or way of getting it wrong). */
export const brokenStoresR17toR32: BrokenStore[] = [
  {
    name: 'partial-atomic-import',
    requirement: 'R17',
    breaks: 'runs an atomic import record by record, so the records before a failing one stay written, and reports committed: false',
    wrap: importWithoutTransaction,
  },
  {
    name: 'lossy-payload',
    requirement: 'R18',
    breaks: 'stores text without NUL characters and numbers with 15 significant digits, so 2^53 reads back as 9007199254740990',
    wrap: (inner) =>
      breakStore(inner, {
        save: (inner, context, write, options) => inner.save(context, { ...write, payload: lossy(write.payload as JsonValue) }, options),
      }),
  },
  {
    name: 'nul-stripped-not-refused',
    requirement: 'R18',
    breaks:
      'says its datasource cannot hold U+0000 (nulCharacters false, as PostgreSQL) but stores such a payload with the character removed instead of refusing it',
    wrap: (inner) => {
      const store = breakStore(inner, {
        save: (inner, context, write, options) =>
          inner.save(context, { ...write, payload: JSON.parse(JSON.stringify(write.payload).replaceAll('\\u0000', '')) }, options),
      });
      const profile = {
        ...inner.profile,
        kind: 'datasource' as const,
        datasource: 'broken_db',
        capabilities: { ...POSTGRES_CAPABILITIES },
      };
      return Object.defineProperty(store, 'profile', { get: () => profile });
    },
  },
  {
    name: 'shared-read-objects',
    requirement: 'R18',
    breaks: 'returns the objects its cache holds, so a caller that changes a result changes what later reads return',
    wrap: (inner) => cachingStore(inner, { sharesObjects: true }),
  },
  {
    name: 'duplicate-keys',
    requirement: 'R19',
    breaks: 'treats an absent owner as NULL in its unique index, so a second create of a platform-scope key inserts a duplicate',
    wrap: nullOwnerIndex,
  },
  {
    name: 'cache-ignores-caller',
    requirement: 'R20',
    breaks: "keys its cache by record key and load options only, so one caller is served another tenant's or another user's cached items",
    wrap: (inner) => cachingStore(inner, { ignoresCaller: true }),
  },
  {
    name: 'stale-after-write',
    requirement: 'R21',
    breaks: 'keeps cached entries after a write through the same store, so reads return the item as it was before',
    wrap: (inner) => cachingStore(inner, { keepsEntriesOnWrite: true }),
  },
  {
    name: 'stale-read-through',
    requirement: 'R22',
    breaks: 'answers a read with useCache: false from its cache, missing what another client wrote',
    wrap: (inner) => cachingStore(inner, { ignoresUseCacheFalse: true }),
  },
  {
    name: 'read-through-without-refresh',
    requirement: 'R22',
    breaks: 'reads the datasource on useCache: false but leaves the old cache entry, so the next cached read goes back in time',
    wrap: (inner) => cachingStore(inner, { keepsOldEntryOnReadThrough: true }),
  },
  {
    name: 'unstable-order',
    requirement: 'R24',
    breaks:
      'pages queries by offset over an order without the id tie-breaker, so records with equal sort values repeat or go missing between pages',
    wrap: offsetPagingWithoutTieBreaker,
  },
  {
    name: 'cursor-after-full-last-page',
    requirement: 'R24',
    breaks: 'returns a nextCursor whenever a page is full, also on the last page, leading to an empty page',
    wrap: cursorAfterFullLastPage,
  },
  {
    name: 'forged-cursor-accepted',
    requirement: 'R25',
    breaks:
      'treats a cursor it cannot verify (altered, forged, another query\u2019s or another store\u2019s) as no cursor and serves the first page',
    wrap: lenientCursors,
  },
  {
    name: 'cursor-ignores-query',
    requirement: 'R25',
    breaks:
      'puts only the last record\u2019s id in a cursor, so a cursor presented with other filters, sort or options continues a different query',
    wrap: positionOnlyCursors,
  },
  {
    name: 'cursor-widens-access',
    requirement: 'R25',
    breaks: 'puts the tenant list in the cursor and reads those tenants for the next page, whoever presents the cursor',
    wrap: cursorCarriesTenants,
  },
  {
    name: 'oversized-page',
    requirement: 'R26',
    breaks:
      'lowers a pageSize above maxPageSize to maxPageSize instead of failing with page_too_large, returning a shorter page than asked',
    wrap: cappedPages,
  },
  {
    name: 'unasked-total',
    requirement: 'R26',
    breaks: 'returns total on every query and load, asked for or not',
    wrap: unaskedTotals,
  },
  {
    name: 'swallowed-result-too-large',
    requirement: 'R26',
    breaks: 'answers a resolved load over more than maxResultSize records with an empty page instead of result_too_large',
    wrap: swallowedResultTooLarge,
  },
  {
    name: 'lost-update',
    requirement: 'R28',
    breaks: 'ignores expectedVersion on save, archive, restore and delete, so the last writer silently wins',
    wrap: ignoresExpectedVersion,
  },
  {
    name: 'racy-version-check',
    requirement: 'R28',
    breaks: 'checks the expected version with a read and writes in a second step, so two writers from the same version both succeed',
    wrap: readThenWrite,
  },
  {
    name: 'deleted-is-conflict',
    requirement: 'R28',
    breaks: 'reports a guarded write to a deleted item as version_conflict instead of not_found',
    wrap: deletedIsConflict,
  },
  {
    name: 'conflict-overwrites',
    requirement: 'R29',
    breaks: 'writes a save with a stale expectedVersion and only then reports version_conflict, so the stored item changed',
    wrap: writesBeforeCheck,
  },
  {
    name: 'misreported-conflict',
    requirement: 'R29',
    breaks: 'names expectedVersion + 1 as actualVersion in a version_conflict, whatever version is stored',
    wrap: guessedActualVersion,
  },
  {
    name: 'retries-conflicts',
    requirement: 'R30',
    breaks: 'on version_conflict re-reads the version and reapplies the save or archive, overwriting the other writer',
    wrap: retriesConflicts,
  },
  {
    name: 'create-becomes-update',
    requirement: 'R30',
    breaks: 'turns a save with onConflict error that meets a stored key into an update',
    wrap: createBecomesUpdate,
  },
  {
    name: 'partial-write',
    requirement: 'R32',
    breaks: 'runs a transactional bulk batch by batch, so the records before a failing one stay written, and reports committed: false',
    wrap: bulkWithoutTransaction,
  },
];
