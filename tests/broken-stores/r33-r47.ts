/**
 * Broken stores of R33 to R47: each wraps a working store and breaks one
 * behaviour that a requirement makes a MUST (or, for R44, a SHOULD), so that
 * the kit can show it notices. Feed breakages rewrite the feed a caller reads
 * from the inner store's own events, so the records stay correct and only
 * the feed is wrong.
 */
import {
  MYSQL_CAPABILITIES,
  MetadataMigrationOperationSchema,
  type MetadataCallContextInput,
  type MetadataChangeEvent,
  type MetadataChangeFeedOptionsInput,
  type MetadataChangeFeedPage,
  type MetadataLoadResult,
  type MetadataRecordKey,
  type MetadataRecordWriteInput,
  type MetadataStore,
  type MetadataStoreError,
  type JsonObject,
  type JsonValue,
} from '@metasource/spec';
import canonicalize from 'canonicalize';
import { breakStore, type BrokenStore, type Overrides } from './delegate';

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** A typed store failure, as a store throws it. */
function storeFailure(error: MetadataStoreError): Error & { error: MetadataStoreError } {
  const failure = Object.assign(new Error(error.message), { error });
  failure.name = 'MetadataStoreFailure';
  return failure;
}

function typedError(reason: unknown): MetadataStoreError | undefined {
  const candidate = reason as { name?: unknown; error?: MetadataStoreError } | null;
  return candidate?.name === 'MetadataStoreFailure' && candidate.error ? candidate.error : undefined;
}

/** Awaits `call`; a typed failure is rethrown with `suffix` added to its message. */
async function appendToFailure<T>(call: () => Promise<T>, suffix: string): Promise<T> {
  try {
    return await call();
  } catch (reason) {
    const error = typedError(reason);
    if (!error) throw reason;
    throw storeFailure({ ...error, message: `${error.message} ${suffix}`.slice(0, 2000) });
  }
}

/** The same, for a stream: a failure while iterating is rethrown with `suffix`. */
async function* appendToStreamFailure<T>(stream: AsyncIterable<T>, suffix: string): AsyncIterable<T> {
  try {
    yield* stream;
  } catch (reason) {
    const error = typedError(reason);
    if (!error) throw reason;
    throw storeFailure({ ...error, message: `${error.message} ${suffix}`.slice(0, 2000) });
  }
}

const json = (value: unknown) => canonicalize(value) ?? 'undefined';

/** The full key of a write, with the defaults its schema and the context give. */
function keyOfWrite(context: MetadataCallContextInput, write: MetadataRecordWriteInput): MetadataRecordKey {
  return {
    tenantId: write.tenantId ?? context.writeTenants?.[0] ?? 'default',
    type: write.type,
    namespace: write.namespace ?? 'default',
    scope: write.scope ?? 'platform',
    ...(write.owner === undefined ? {} : { owner: write.owner }),
    name: write.name,
  };
}

/** A context that may also read (and, with `write`, write) `tenantId`. */
function widen(context: MetadataCallContextInput, tenantId: string | undefined, write = false): MetadataCallContextInput {
  if (tenantId === undefined) return context;
  const readTenants = context.readTenants.includes(tenantId) ? context.readTenants : [...context.readTenants, tenantId];
  const writeTenants = context.writeTenants ?? [];
  return {
    ...context,
    readTenants,
    writeTenants: write && !writeTenants.includes(tenantId) ? [...writeTenants, tenantId] : writeTenants,
  };
}

/** Every event of a tenant's feed in the inner store. */
async function innerFeed(
  inner: MetadataStore,
  context: MetadataCallContextInput,
  tenantId: string,
  afterSequence = 0,
): Promise<MetadataChangeEvent[]> {
  const events: MetadataChangeEvent[] = [];
  let position = afterSequence;
  for (;;) {
    const page = await inner.changes(context, { tenantId, afterSequence: position, limit: 1000 });
    events.push(...page.events);
    if (!page.hasMore || page.events.length === 0) return events;
    position = page.lastSequence;
  }
}

/** One page of `events` as a store serves it. */
function pageOf(
  tenantId: string,
  events: readonly MetadataChangeEvent[],
  options: MetadataChangeFeedOptionsInput | undefined,
): MetadataChangeFeedPage {
  const after = options?.afterSequence ?? 0;
  const limit = options?.limit ?? 100;
  const later = events.filter((event) => event.sequence > after);
  const page = later.slice(0, limit);
  return { tenantId, events: page, lastSequence: page.at(-1)?.sequence ?? after, hasMore: later.length > page.length };
}

type Rewrite = (
  events: MetadataChangeEvent[],
  tenantId: string,
  context: MetadataCallContextInput,
) => MetadataChangeEvent[] | Promise<MetadataChangeEvent[]>;

/**
 * A changes() that serves `rewrite` of the tenant's whole inner feed. The
 * inner store is asked first with the caller's options, so validation and
 * access checks stay its own.
 */
function rewrittenFeed(rewrite: Rewrite): NonNullable<Overrides['changes']> {
  return async (inner, context, options) => {
    const first = await inner.changes(context, options);
    const events = await rewrite(await innerFeed(inner, context, first.tenantId), first.tenantId, context);
    return pageOf(first.tenantId, events, options);
  };
}

const renumber = (events: readonly MetadataChangeEvent[]): MetadataChangeEvent[] =>
  events.map((event, i) => ({ ...event, sequence: i + 1 }));

/** Events a broken store makes up, each after the inner event it followed when it was made. */
class SyntheticEvents {
  private readonly byTenant = new Map<string, { anchor: number; event: MetadataChangeEvent }[]>();

  async add(inner: MetadataStore, context: MetadataCallContextInput, event: MetadataChangeEvent): Promise<void> {
    const tenantId = event.key.tenantId;
    const anchor = (await innerFeed(inner, context, tenantId)).at(-1)?.sequence ?? 0;
    const list = this.byTenant.get(tenantId) ?? [];
    list.push({ anchor, event });
    this.byTenant.set(tenantId, list);
  }

  /** The inner events with the made-up ones in their places, numbered 1, 2, 3, ... */
  merged(events: readonly MetadataChangeEvent[], tenantId: string): MetadataChangeEvent[] {
    const extra = this.byTenant.get(tenantId) ?? [];
    const at = (anchor: number) => extra.filter((entry) => entry.anchor === anchor).map((entry) => entry.event);
    return renumber([...at(0), ...events.flatMap((event) => [event, ...at(event.sequence)])]);
  }
}

const ZERO_CHECKSUM = `sha256:${'0'.repeat(64)}`;

/** A made-up update event for the item a save result names. */
function madeUpEvent(
  context: MetadataCallContextInput,
  write: MetadataRecordWriteInput,
  result: { id: string; version: number; checksum: string; savedAt: string },
): MetadataChangeEvent {
  return {
    sequence: 1,
    operation: 'update',
    key: keyOfWrite(context, write),
    recordId: result.id,
    version: result.version,
    checksumBefore: result.checksum,
    checksumAfter: result.checksum,
    actor: context.actor,
    occurredAt: result.savedAt,
  };
}

/** A store that behaves like `store` but whose profile says `profile`. */
function withProfile(store: MetadataStore, profile: MetadataStore['profile']): MetadataStore {
  return Object.defineProperty(store, 'profile', { get: () => profile, configurable: true, enumerable: true });
}

/** Adds `null` back wherever a merge patch removed a key: a deep merge that keeps nulls. */
function keepNulls(result: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...result };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    if (value === null) out[key] = null;
    else if (isObject(value) && isObject(current)) out[key] = keepNulls(current, value);
  }
  return out;
}

const isObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

async function toArray<T>(records: Iterable<T> | AsyncIterable<T>): Promise<T[]> {
  const list: T[] = [];
  for await (const record of records) list.push(record);
  return list;
}

const asOperator = (context: MetadataCallContextInput): MetadataCallContextInput => ({ ...context, role: 'operator' });
const asUserAdministrator = (context: MetadataCallContextInput): MetadataCallContextInput => ({ ...context, administersUsers: true });

const LEAKED_URL = 'postgres://metasource:hunter2@db.internal:5432/metadata';

// ---------------------------------------------------------------------------
// R33, R34, R35: the change feed
// ---------------------------------------------------------------------------

const feed: BrokenStore[] = [
  {
    name: 'missing-change-event',
    requirement: 'R33',
    breaks: 'Archiving an item writes no change event (the feed skips archives and is renumbered, so it has no gap).',
    wrap: (inner) =>
      breakStore(inner, { changes: rewrittenFeed((events) => renumber(events.filter((event) => event.operation !== 'archive'))) }),
  },
  {
    name: 'event-for-unchanged-write',
    requirement: 'R33',
    breaks: 'A save that changes nothing (unchanged or skipped) still writes an update event.',
    wrap: (inner) => {
      const synthetic = new SyntheticEvents();
      return breakStore(inner, {
        save: async (store, context, write, options) => {
          const result = await store.save(context, write, options);
          if (!result.dryRun && (result.status === 'unchanged' || result.status === 'skipped')) {
            await synthetic.add(store, context, madeUpEvent(context, write, result));
          }
          return result;
        },
        changes: rewrittenFeed((events, tenantId) => synthetic.merged(events, tenantId)),
      });
    },
  },
  {
    name: 'event-for-dry-run-save',
    requirement: 'R33',
    breaks: 'A dry-run save writes nothing but still writes a change event.',
    wrap: (inner) => {
      const synthetic = new SyntheticEvents();
      return breakStore(inner, {
        save: async (store, context, write, options) => {
          const result = await store.save(context, write, options);
          if (result.dryRun) await synthetic.add(store, context, madeUpEvent(context, write, result));
          return result;
        },
        changes: rewrittenFeed((events, tenantId) => synthetic.merged(events, tenantId)),
      });
    },
  },
  {
    name: 'event-for-rolled-back-bulk',
    requirement: 'R33',
    breaks: 'A transactional bulk create that rolls back leaves a create event for each item it had created before the failure.',
    wrap: (inner) => {
      const synthetic = new SyntheticEvents();
      return breakStore(inner, {
        bulk: async (store, context, operation) => {
          const result = await store.bulk(context, operation);
          if (operation.operation === 'create' && !result.dryRun && !result.committed) {
            for (const entry of result.items) {
              const write = operation.records[entry.index];
              if (!write || entry.error !== undefined) continue;
              const event: MetadataChangeEvent = {
                sequence: 1,
                operation: 'create',
                key: keyOfWrite(context, write),
                recordId: entry.id ?? `rolled_back_${entry.index}`,
                version: 1,
                checksumAfter: ZERO_CHECKSUM,
                actor: context.actor,
                occurredAt: new Date().toISOString(),
              };
              await synthetic.add(store, context, event);
            }
          }
          return result;
        },
        changes: rewrittenFeed((events, tenantId) => synthetic.merged(events, tenantId)),
      });
    },
  },
  {
    name: 'no-event-without-history',
    requirement: 'R33',
    breaks: 'A save with recordHistory false writes no change event, as if the event were part of the history it skips.',
    wrap: (inner) => {
      const silent = new Set<string>();
      return breakStore(inner, {
        save: async (store, context, write, options) => {
          const result = await store.save(context, write, options);
          if (options?.recordHistory === false) silent.add(`${result.id} ${result.version}`);
          return result;
        },
        changes: rewrittenFeed((events) => renumber(events.filter((event) => !silent.has(`${event.recordId} ${event.version}`)))),
      });
    },
  },
  {
    name: 'event-for-failed-save',
    requirement: 'R33',
    breaks: 'A save that fails (a version conflict, an existing key, a forbidden tenant) still writes an update event.',
    wrap: (inner) => {
      const synthetic = new SyntheticEvents();
      return breakStore(inner, {
        save: async (store, context, write, options) => {
          try {
            return await store.save(context, write, options);
          } catch (reason) {
            const madeUp = madeUpEvent(context, write, {
              id: 'failed_write',
              version: 1,
              checksum: ZERO_CHECKSUM,
              savedAt: new Date().toISOString(),
            });
            // Only where the caller can read the feed; the failure itself is rethrown unchanged.
            await synthetic.add(store, context, madeUp).catch(() => undefined);
            throw reason;
          }
        },
        changes: rewrittenFeed((events, tenantId) => synthetic.merged(events, tenantId)),
      });
    },
  },
  {
    name: 'one-event-per-bulk',
    requirement: 'R33',
    breaks: 'A bulk operation or import writes one change event for the whole batch instead of one per item.',
    wrap: (inner) =>
      breakStore(inner, {
        changes: rewrittenFeed((events) =>
          renumber(events.filter((event, i) => event.transactionId === undefined || events[i - 1]?.transactionId !== event.transactionId)),
        ),
      }),
  },
  {
    name: 'gapped-sequence',
    requirement: 'R34',
    breaks: 'The feed skips sequence number 3: the third event is numbered 4, and every later one one higher.',
    wrap: (inner) =>
      breakStore(inner, {
        changes: rewrittenFeed((events) =>
          events.map((event) => (event.sequence > 2 ? { ...event, sequence: event.sequence + 1 } : event)),
        ),
      }),
  },
  {
    name: 'sequence-not-in-commit-order',
    requirement: 'R34',
    breaks: 'The second and third changes swap sequence numbers, so the feed is no longer in commit order.',
    wrap: (inner) =>
      breakStore(inner, {
        changes: rewrittenFeed((events) =>
          events
            .map((event) => (event.sequence === 2 ? { ...event, sequence: 3 } : event.sequence === 3 ? { ...event, sequence: 2 } : event))
            .sort((a, b) => a.sequence - b.sequence),
        ),
      }),
  },
  {
    name: 'global-sequence-shared-across-tenants',
    requirement: 'R34',
    breaks:
      "Sequence numbers come from one counter for the whole store, so a tenant's feed reads 1, 3, 6 when other tenants wrote in between.",
    wrap: (inner) => {
      const numbers = new Map<string, Map<number, number>>();
      const seen = new Map<string, number>();
      let counter = 0;
      const sync = async (context: MetadataCallContextInput) => {
        for (const tenantId of context.readTenants) {
          let events: MetadataChangeEvent[];
          try {
            events = await innerFeed(inner, context, tenantId, seen.get(tenantId) ?? 0);
          } catch {
            continue;
          }
          const map = numbers.get(tenantId) ?? new Map<number, number>();
          for (const event of events) map.set(event.sequence, ++counter);
          numbers.set(tenantId, map);
          if (events.length > 0) seen.set(tenantId, events.at(-1)!.sequence);
        }
      };
      const then = async <T>(context: MetadataCallContextInput, call: () => Promise<T>): Promise<T> => {
        try {
          return await call();
        } finally {
          await sync(context);
        }
      };
      return breakStore(inner, {
        save: (store, context, ...rest) => then(context, () => store.save(context, ...rest)),
        archive: (store, context, ...rest) => then(context, () => store.archive(context, ...rest)),
        restore: (store, context, ...rest) => then(context, () => store.restore(context, ...rest)),
        delete: (store, context, ...rest) => then(context, () => store.delete(context, ...rest)),
        bulk: (store, context, ...rest) => then(context, () => store.bulk(context, ...rest)),
        import: (store, context, ...rest) => then(context, () => store.import(context, ...rest)),
        changes: async (store, context, options) => {
          const first = await store.changes(context, options);
          await sync(context);
          const map = numbers.get(first.tenantId) ?? new Map<number, number>();
          const events = (await innerFeed(store, context, first.tenantId)).map((event) => ({
            ...event,
            sequence: map.get(event.sequence) ?? event.sequence,
          }));
          return pageOf(first.tenantId, events, options);
        },
      });
    },
  },
  {
    name: 'transaction-id-per-event',
    requirement: 'R34',
    breaks: 'Every event gets a transactionId of its own, so the events of one transaction no longer share one.',
    wrap: (inner) =>
      breakStore(inner, {
        changes: rewrittenFeed((events, tenantId) =>
          events.map((event) => ({ ...event, transactionId: `tx_${tenantId}_${event.sequence}` })),
        ),
      }),
  },
  {
    name: 'feed-page-reports-no-more',
    requirement: 'R34',
    breaks: 'Every feed page says hasMore: false, so a follower reading with a limit stops after the first page.',
    wrap: (inner) =>
      breakStore(inner, { changes: async (store, context, options) => ({ ...(await store.changes(context, options)), hasMore: false }) }),
  },
  {
    name: 'feed-leaks-tenants',
    requirement: 'R35',
    breaks: 'Serves the feed of whichever tenant the caller names, readable or not.',
    wrap: (inner) => breakStore(inner, { changes: (store, context, options) => store.changes(widen(context, options?.tenantId), options) }),
  },
  {
    name: 'feed-merges-readable-tenants',
    requirement: 'R35',
    breaks: "A tenant's feed also carries the events of every other tenant the caller may read.",
    wrap: (inner) =>
      breakStore(inner, {
        changes: rewrittenFeed(async (events, tenantId, context) => {
          const others: MetadataChangeEvent[] = [];
          for (const other of context.readTenants) if (other !== tenantId) others.push(...(await innerFeed(inner, context, other)));
          return renumber([...events, ...others]);
        }),
      }),
  },
  {
    name: 'feed-continues-past-retention',
    requirement: 'R35',
    breaks: 'A follower that fell behind the retention gets the oldest kept events instead of resync_needed, so it continues from a hole.',
    wrap: (inner) =>
      breakStore(inner, {
        changes: async (store, context, options) => {
          try {
            return await store.changes(context, options);
          } catch (reason) {
            const error = typedError(reason);
            const retention = store.profile.changeFeedRetention;
            if (error?.code !== 'resync_needed' || retention === undefined) throw reason;
            return store.changes(context, { ...options, afterSequence: Math.max(0, error.latestSequence - retention) });
          }
        },
      }),
  },
  {
    name: 'feed-keeps-less-than-retention',
    requirement: 'R35',
    breaks:
      'Tells a follower to resync once it is more than half its changeFeedRetention behind, so it keeps fewer events than its profile promises.',
    wrap: (inner) =>
      breakStore(inner, {
        changes: async (store, context, options) => {
          const page = await store.changes(context, options);
          const retention = store.profile.changeFeedRetention;
          if (retention === undefined) return page;
          const latest = (await innerFeed(store, context, page.tenantId, page.lastSequence)).at(-1)?.sequence ?? page.lastSequence;
          const after = options?.afterSequence ?? 0;
          if (latest - after <= Math.floor(retention / 2)) return page;
          throw storeFailure({
            code: 'resync_needed',
            message: 'the events after this position are no longer kept',
            latestSequence: latest,
          });
        },
      }),
  },
];

// ---------------------------------------------------------------------------
// R36, R37: tenants
// ---------------------------------------------------------------------------

const tenants: BrokenStore[] = [
  {
    name: 'tenant-filter-widens',
    requirement: 'R36',
    breaks: 'A tenantId in a key or a filter is added to the tenants the caller may read, so it widens the set instead of narrowing it.',
    wrap: (inner) =>
      breakStore(inner, {
        get: (store, context, key, options) => store.get(widen(context, key.tenantId), key, options),
        query: (store, context, options) => store.query(widen(context, options?.filters?.tenantId), options),
        load: (store, context, options) => store.load(widen(context, options?.filters?.tenantId), options),
        export: (store, context, options) => store.export(widen(context, options?.filters?.tenantId), options),
      }),
  },
  {
    name: 'skips-tenant-check-on-write',
    requirement: 'R37',
    breaks: 'Writes go to whatever tenant the item or key names, writable by the caller or not.',
    wrap: (inner) =>
      breakStore(inner, {
        save: (store, context, write, options) => store.save(widen(context, write.tenantId, true), write, options),
        archive: (store, context, key, options) => store.archive(widen(context, key.tenantId, true), key, options),
        restore: (store, context, key, options) => store.restore(widen(context, key.tenantId, true), key, options),
        delete: (store, context, key, options) => store.delete(widen(context, key.tenantId, true), key, options),
        bulk: (store, context, operation) => {
          const named =
            operation.operation === 'create' || operation.operation === 'upsert' ? operation.records.map((write) => write.tenantId) : [];
          const widened = named.reduce<MetadataCallContextInput>((acc, tenantId) => widen(acc, tenantId, true), context);
          return store.bulk(widened, operation);
        },
        import: async (store, context, records, options) => {
          const list = await toArray(records);
          const widened = list.reduce<MetadataCallContextInput>((acc, record) => widen(acc, record.tenantId, true), context);
          return store.import(widened, list, options);
        },
      }),
  },
  {
    name: 'import-moves-record-by-id',
    requirement: 'R37',
    breaks:
      'An imported record that carries the id of a record in another tenant moves that record: the old one is deleted and the import writes it in the new tenant.',
    wrap: (inner) =>
      breakStore(inner, {
        import: async (store, context, records, options) => {
          const list = await toArray(records);
          const ids = new Set(list.map((record) => record.id).filter((id) => id !== undefined));
          const stored = (await toArray(store.export(context, { includeArchived: true }))).filter(
            (found) => found.id !== undefined && ids.has(found.id),
          );
          for (const found of stored) {
            const target = list.find((record) => record.id === found.id);
            if ((target?.tenantId ?? 'default') === found.tenantId) continue;
            const { tenantId, type, namespace, scope, owner, name } = found;
            await store.delete(context, { tenantId, type, namespace, scope, owner, name });
          }
          return store.import(context, list, options);
        },
      }),
  },
];

// ---------------------------------------------------------------------------
// R38, R39, R40: scopes and inheritance
// ---------------------------------------------------------------------------

const scopes: BrokenStore[] = [
  {
    name: 'no-inheritance-merge',
    requirement: 'R38',
    breaks: 'A load ignores resolveInheritance: it serves every stored layer as it is, extends unresolved.',
    wrap: (inner) =>
      breakStore(inner, { load: (store, context, options) => store.load(context, { ...options, resolveInheritance: false }) }),
  },
  {
    name: 'deep-merge-keeps-null',
    requirement: 'R38',
    breaks: 'merge keeps a null of the child as a value instead of removing its key.',
    wrap: (inner) =>
      breakStore(inner, {
        load: async (store, context, options): Promise<MetadataLoadResult> => {
          const result = await store.load(context, options);
          const records = [];
          for (const found of result.records) {
            if (found.extends === undefined || found.mergeStrategy !== 'merge') {
              records.push(found);
              continue;
            }
            const { tenantId, type, namespace, scope, owner, name } = found;
            const stored = await store.get(
              asUserAdministrator(context),
              { tenantId, type, namespace, scope, owner, name },
              { useCache: false },
            );
            records.push(stored ? { ...found, payload: keepNulls(found.payload, stored.payload) } : found);
          }
          return { ...result, records };
        },
      }),
  },
  {
    name: 'dangling-extends-served',
    requirement: 'R38',
    breaks:
      'A load that meets an extends naming no parent serves the stored items unresolved instead of failing with inconsistent_inheritance.',
    wrap: (inner) =>
      breakStore(inner, {
        load: async (store, context, options) => {
          try {
            return await store.load(context, options);
          } catch (reason) {
            if (typedError(reason)?.code !== 'inconsistent_inheritance') throw reason;
            return store.load(context, { ...options, resolveInheritance: false });
          }
        },
      }),
  },
  {
    name: 'resolved-item-keeps-own-checksum',
    requirement: 'R38',
    breaks: "A resolved item carries the checksum of the child's own payload, not of its effective payload.",
    wrap: (inner) =>
      breakStore(inner, {
        load: async (store, context, options) => {
          const result = await store.load(context, options);
          const records = [];
          for (const found of result.records) {
            if (found.extends === undefined) {
              records.push(found);
              continue;
            }
            const { tenantId, type, namespace, scope, owner, name } = found;
            const stored = await store.get(
              asUserAdministrator(context),
              { tenantId, type, namespace, scope, owner, name },
              { useCache: false },
            );
            records.push(stored?.checksum === undefined ? found : { ...found, checksum: stored.checksum });
          }
          return { ...result, records };
        },
      }),
  },
  {
    name: 'runtime-writes-system-scope',
    requirement: 'R39',
    breaks: 'Runtime callers may create, change and delete system-scope items, as operators may.',
    wrap: (inner) => {
      const elevate = (context: MetadataCallContextInput, scope: string | undefined) =>
        scope === 'system' ? asOperator(context) : context;
      return breakStore(inner, {
        save: (store, context, write, options) => store.save(elevate(context, write.scope), write, options),
        archive: (store, context, key, options) => store.archive(elevate(context, key.scope), key, options),
        restore: (store, context, key, options) => store.restore(elevate(context, key.scope), key, options),
        delete: (store, context, key, options) => store.delete(elevate(context, key.scope), key, options),
        bulk: (store, context, operation) => store.bulk(asOperator(context), operation),
      });
    },
  },
  {
    name: 'operator-cannot-write-system-scope',
    requirement: 'R39',
    breaks: 'Treats every caller as a runtime for system-scope items, so not even an operator can change them.',
    wrap: (inner) => {
      const demote = (context: MetadataCallContextInput, scope: string | undefined) =>
        scope === 'system' ? { ...context, role: 'runtime' as const } : context;
      return breakStore(inner, {
        save: (store, context, write, options) => store.save(demote(context, write.scope), write, options),
        archive: (store, context, key, options) => store.archive(demote(context, key.scope), key, options),
        restore: (store, context, key, options) => store.restore(demote(context, key.scope), key, options),
        delete: (store, context, key, options) => store.delete(demote(context, key.scope), key, options),
      });
    },
  },
  {
    name: 'runtime-imports',
    requirement: 'R39',
    breaks: 'Runtime callers may import, and so write system-scope items, as operators may.',
    wrap: (inner) =>
      breakStore(inner, { import: (store, context, records, options) => store.import(asOperator(context), records, options) }),
  },
  {
    name: 'user-items-visible-to-all',
    requirement: 'R40',
    breaks: "Every caller is served every user's user-scope items, as if it administered users.",
    wrap: (inner) =>
      breakStore(inner, {
        get: (store, context, key, options) => store.get(asUserAdministrator(context), key, options),
        query: (store, context, options) => store.query(asUserAdministrator(context), options),
        load: (store, context, options) => store.load(asUserAdministrator(context), options),
        export: (store, context, options) => store.export(asUserAdministrator(context), options),
      }),
  },
  {
    name: 'writes-other-users-items',
    requirement: 'R40',
    breaks: "Any caller may change and delete another user's user-scope items.",
    wrap: (inner) =>
      breakStore(inner, {
        save: (store, context, write, options) => store.save(asUserAdministrator(context), write, options),
        archive: (store, context, key, options) => store.archive(asUserAdministrator(context), key, options),
        restore: (store, context, key, options) => store.restore(asUserAdministrator(context), key, options),
        delete: (store, context, key, options) => store.delete(asUserAdministrator(context), key, options),
        bulk: (store, context, operation) => store.bulk(asUserAdministrator(context), operation),
      }),
  },
  {
    name: 'ignores-administers-users',
    requirement: 'R40',
    breaks: "Ignores administersUsers: an administrator may neither read nor change another user's user-scope items.",
    wrap: (inner) => {
      const plain = (context: MetadataCallContextInput): MetadataCallContextInput => ({ ...context, administersUsers: false });
      return breakStore(inner, {
        get: (store, context, key, options) => store.get(plain(context), key, options),
        query: (store, context, options) => store.query(plain(context), options),
        load: (store, context, options) => store.load(plain(context), options),
        export: (store, context, options) => store.export(plain(context), options),
        save: (store, context, write, options) => store.save(plain(context), write, options),
        archive: (store, context, key, options) => store.archive(plain(context), key, options),
        restore: (store, context, key, options) => store.restore(plain(context), key, options),
        delete: (store, context, key, options) => store.delete(plain(context), key, options),
      });
    },
  },
];

// ---------------------------------------------------------------------------
// R42, R43, R44: security
// ---------------------------------------------------------------------------

/** Every method of a store, with each failure's message run through `suffix`. */
function suffixEveryFailure(inner: MetadataStore, suffix: string): MetadataStore {
  return breakStore(inner, {
    open: (store) => appendToFailure(() => store.open(), suffix),
    migrate: (store, ...args) => appendToFailure(() => store.migrate(...args), suffix),
    get: (store, ...args) => appendToFailure(() => store.get(...args), suffix),
    query: (store, ...args) => appendToFailure(() => store.query(...args), suffix),
    load: (store, ...args) => appendToFailure(() => store.load(...args), suffix),
    save: (store, ...args) => appendToFailure(() => store.save(...args), suffix),
    archive: (store, ...args) => appendToFailure(() => store.archive(...args), suffix),
    restore: (store, ...args) => appendToFailure(() => store.restore(...args), suffix),
    delete: (store, ...args) => appendToFailure(() => store.delete(...args), suffix),
    bulk: (store, ...args) => appendToFailure(() => store.bulk(...args), suffix),
    export: (store, ...args) => appendToStreamFailure(store.export(...args), suffix),
    import: (store, ...args) => appendToFailure(() => store.import(...args), suffix),
    changes: (store, ...args) => appendToFailure(() => store.changes(...args), suffix),
  });
}

const security: BrokenStore[] = [
  {
    name: 'runtime-applies-migration',
    requirement: 'R42',
    breaks: 'Runtime callers may apply migrations (and their scripts), as operators may.',
    wrap: (inner) => breakStore(inner, { migrate: (store, context, options) => store.migrate(asOperator(context), options) }),
  },
  {
    name: 'secret-in-error',
    requirement: 'R43',
    breaks: 'Every error message ends with the connection string, password included, as a raw driver error would.',
    wrap: (inner) => suffixEveryFailure(inner, `(while connected to ${LEAKED_URL})`),
  },
  {
    name: 'plan-quotes-connection-url',
    requirement: 'R43',
    breaks: 'A migration plan carries a statement comment that quotes the connection string, password included.',
    wrap: (inner) =>
      breakStore(inner, {
        migrate: async (store, context, options) => {
          const plan = await store.migrate(context, options);
          const step = {
            operation: MetadataMigrationOperationSchema.parse({
              type: 'backup',
              table: '_framework_metadata',
              backupTable: 'metadata_backup',
            }),
            statements: [`-- connected to ${LEAKED_URL}`],
            losesData: false,
            reversible: true,
            transactional: true,
          };
          return { ...plan, steps: [...plan.steps, step] };
        },
      }),
  },
  {
    name: 'error-echoes-payload',
    requirement: 'R44',
    breaks: "A failed save, bulk operation or import repeats the items' payloads in its error message.",
    wrap: (inner) =>
      breakStore(inner, {
        save: (store, context, write, options) =>
          appendToFailure(() => store.save(context, write, options), `(payload ${json(write.payload)})`),
        bulk: async (store, context, operation) => {
          const payloads =
            operation.operation === 'create' || operation.operation === 'upsert' ? operation.records.map((write) => write.payload) : [];
          const result = await appendToFailure(() => store.bulk(context, operation), `(payloads ${json(payloads)})`);
          return {
            ...result,
            items: result.items.map((entry) =>
              entry.error
                ? {
                    ...entry,
                    error: { ...entry.error, message: `${entry.error.message} (payload ${json(payloads[entry.index])})`.slice(0, 2000) },
                  }
                : entry,
            ),
          };
        },
        import: async (store, context, records, options) => {
          const list = await toArray(records);
          return appendToFailure(() => store.import(context, list, options), `(payloads ${json(list.map((record) => record.payload))})`);
        },
      }),
  },
  {
    name: 'error-echoes-filter',
    requirement: 'R44',
    breaks: 'A failed query, load or export repeats its filters, values included, in its error message.',
    wrap: (inner) =>
      breakStore(inner, {
        query: (store, context, options) => appendToFailure(() => store.query(context, options), `(filters ${json(options?.filters)})`),
        load: (store, context, options) => appendToFailure(() => store.load(context, options), `(filters ${json(options?.filters)})`),
        export: (store, context, options) => appendToStreamFailure(store.export(context, options), `(filters ${json(options?.filters)})`),
      }),
  },
  {
    name: 'error-echoes-cursor',
    requirement: 'R44',
    breaks: 'A query or load refused for its cursor repeats the cursor in its error message.',
    wrap: (inner) =>
      breakStore(inner, {
        query: (store, context, options) =>
          appendToFailure(() => store.query(context, options), `(cursor ${options?.pagination?.cursor ?? 'none'})`),
        load: (store, context, options) =>
          appendToFailure(() => store.load(context, options), `(cursor ${options?.pagination?.cursor ?? 'none'})`),
      }),
  },
];

// ---------------------------------------------------------------------------
// R45, R46: honest profiles
// ---------------------------------------------------------------------------

const profiles: BrokenStore[] = [
  {
    name: 'memory-pretends-to-migrate',
    requirement: 'R45',
    breaks:
      'A store without a schema reports explicit migration steps as planned and applied, with no statements, instead of refusing them.',
    wrap: (inner) =>
      breakStore(inner, {
        migrate: async (store, context, options) => {
          if (!options?.steps) return store.migrate(context, options);
          return {
            steps: options.steps.map((step) => ({
              operation: MetadataMigrationOperationSchema.parse(step),
              statements: [],
              losesData: false,
              reversible: true,
              transactional: true,
            })),
            atomic: true,
            applied: options.dryRun === false,
          };
        },
      }),
  },
  {
    name: 'profile-names-another-protocol-version',
    requirement: 'R45',
    breaks: 'Its profile names protocol version 0.9.0, which is not the version it implements.',
    wrap: (inner) => withProfile(breakStore(inner, {}), { ...inner.profile, protocolVersion: '0.9.0' }),
  },
  {
    name: 'atomic-import-silently-downgraded',
    requirement: 'R46',
    breaks: 'Its profile says atomicImport false, yet it runs an atomic import batch by batch instead of refusing it.',
    wrap: (inner) =>
      withProfile(
        breakStore(inner, {
          import: (store, context, records, options) => store.import(context, records, { ...options, atomic: false }),
        }),
        { ...inner.profile, atomicImport: false },
      ),
  },
  {
    name: 'transactional-bulk-silently-downgraded',
    requirement: 'R46',
    breaks: 'Its profile says transactionalBulk false, yet it runs a transactional bulk operation batch by batch instead of refusing it.',
    wrap: (inner) =>
      withProfile(
        breakStore(inner, {
          bulk: (store, context, operation) => store.bulk(context, { ...operation, transactional: false }),
        }),
        { ...inner.profile, transactionalBulk: false },
      ),
  },
  {
    name: 'plan-claims-atomic-without-transactional-ddl',
    requirement: 'R46',
    breaks: "On a datasource without transactional DDL (MySQL's profile), it plans explicit steps as one atomic, transactional migration.",
    wrap: (inner) =>
      withProfile(
        breakStore(inner, {
          migrate: async (store, context, options) => {
            if (!options?.steps) return store.migrate(context, options);
            const steps = options.steps.map((step) => ({
              operation: MetadataMigrationOperationSchema.parse(step),
              statements: ['-- the step'],
              losesData: false,
              reversible: true,
              transactional: true,
            }));
            return { steps, atomic: true, applied: false };
          },
        }),
        { ...inner.profile, kind: 'datasource', datasource: 'metadata_db', capabilities: MYSQL_CAPABILITIES },
      ),
  },
];

/** The broken stores of R33 to R47, in requirement order. */
export const brokenStoresR33toR47: BrokenStore[] = [...feed, ...tenants, ...scopes, ...security, ...profiles];
