/**
 * Helpers of the audits of R33 to R47: reading a whole change feed, taking a
 * snapshot of everything a store holds (to prove that a refused write wrote
 * nothing), collecting the errors of failing calls, and the contexts the
 * audits use. Nothing here knows how a store works inside.
 */
import type {
  MetadataCallContextInput,
  MetadataChangeEvent,
  MetadataExportOptionsInput,
  MetadataOperationResult,
  MetadataRecord,
  MetadataRecordKeyInput,
  MetadataRecordWriteInput,
  MetadataStore,
} from '@metasource/spec';
import { canonical, check, storeErrorOf } from '../assert';
import { AuditFailure } from '../audit';

export const ACME = 'acme';
export const GLOBEX = 'globex';
/** A tenant no audit context may read or write. */
export const INITECH = 'initech';

export const JANE = 'jane@acme';
export const BOB = 'bob@acme';

/**
 * A caller that sees everything in `tenants`, other users' items included,
 * and writes nothing: how an audit looks at what a store holds.
 */
export function observer(tenants: readonly string[] = [ACME, GLOBEX, INITECH]): MetadataCallContextInput {
  return { actor: 'conformance-observer', role: 'operator', readTenants: [...tenants], writeTenants: [], administersUsers: true };
}

/** A runtime caller that reads `readTenants` and writes only `writeTenants`. */
export function runtimeOf(readTenants: readonly string[], writeTenants: readonly string[], actor = JANE): MetadataCallContextInput {
  return { actor, role: 'runtime', readTenants: [...readTenants], writeTenants: [...writeTenants] };
}

/** The key of a write, with the defaults the write schema fills (tenant acme when the write names none). */
export function keyOf(write: MetadataRecordWriteInput): MetadataRecordKeyInput {
  return {
    tenantId: write.tenantId ?? ACME,
    type: write.type,
    namespace: write.namespace ?? 'default',
    scope: write.scope ?? 'platform',
    ...(write.owner === undefined ? {} : { owner: write.owner }),
    name: write.name,
  };
}

/** Fails unless `actual` equals `expected` as JSON: "<subject>: expected <expected>, store <did> <actual>". */
export function checkJson(actual: unknown, expected: unknown, subject: string, did: string): void {
  const a = canonical(actual);
  const e = canonical(expected);
  check(a === e, `${subject}: expected ${shorten(e, 600)}, store ${did} ${shorten(a, 600)}`);
}

/** Shortens a text for a failure message. */
export function shorten(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

/** One event, for failure messages: `#3 archive acme/object/crm/account v3`. */
export function describeEvent(event: MetadataChangeEvent): string {
  const { key } = event;
  const owner = key.owner === undefined ? '' : `(${key.owner})`;
  return `#${event.sequence} ${event.operation} ${key.tenantId}/${key.type}/${key.namespace}/${key.scope}${owner}/${key.name} v${event.version}`;
}

export function describeEvents(events: readonly MetadataChangeEvent[]): string {
  return events.length === 0 ? 'no events' : `[${events.map(describeEvent).join(', ')}]`;
}

/**
 * Every event of `tenantId`'s feed after `afterSequence`, following
 * lastSequence while hasMore says more are committed.
 */
export async function readFeed(
  store: MetadataStore,
  tenantId: string,
  afterSequence = 0,
  context: MetadataCallContextInput = observer(),
): Promise<MetadataChangeEvent[]> {
  const events: MetadataChangeEvent[] = [];
  let position = afterSequence;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.changes(context, { tenantId, afterSequence: position, limit: 1000 });
    events.push(...page.events);
    if (!page.hasMore) return events;
    check(
      page.lastSequence > position,
      `reading ${tenantId}'s feed: expected lastSequence to move past ${position} while hasMore is true, store returned lastSequence ${page.lastSequence}`,
    );
    position = page.lastSequence;
  }
  throw new AuditFailure(`reading ${tenantId}'s feed: expected it to end within 10,000 pages, store kept reporting hasMore`);
}

/** Every record the export gives `context` (archived ones included). */
export async function exportAll(
  store: MetadataStore,
  context: MetadataCallContextInput = observer(),
  options: MetadataExportOptionsInput = { includeArchived: true },
): Promise<MetadataRecord[]> {
  const records: MetadataRecord[] = [];
  for await (const record of store.export(context, options)) records.push(record);
  return records;
}

/** What a store holds: each record by its key, and each tenant's feed. */
export interface Snapshot {
  tenants: readonly string[];
  records: Map<string, MetadataRecord>;
  feeds: Map<string, MetadataChangeEvent[]>;
}

/** A record's key as text: `acme/object/crm/user(jane@acme)/my_view`. */
export function keyText(record: Pick<MetadataRecord, 'tenantId' | 'type' | 'namespace' | 'scope' | 'owner' | 'name'>): string {
  const owner = record.owner === undefined ? '' : `(${record.owner})`;
  return `${record.tenantId}/${record.type}/${record.namespace}/${record.scope}${owner}/${record.name}`;
}

/**
 * What a store holds in `tenants`: every record (archived and other users'
 * included) and every change event. Two equal snapshots mean nothing was
 * written in between.
 */
export async function snapshot(store: MetadataStore, tenants: readonly string[] = [ACME, GLOBEX, INITECH]): Promise<Snapshot> {
  const records = new Map((await exportAll(store, observer(tenants))).map((record) => [keyText(record), record] as const));
  const feeds = new Map<string, MetadataChangeEvent[]>();
  for (const tenant of tenants) feeds.set(tenant, await readFeed(store, tenant, 0, observer(tenants)));
  return { tenants, records, feeds };
}

/** What changed between two snapshots, one phrase per change; empty when nothing did. */
export function differences(before: Snapshot, after: Snapshot): string[] {
  const found: string[] = [];
  for (const [key, record] of after.records) {
    const earlier = before.records.get(key);
    if (!earlier) found.push(`created ${key} v${record.version}`);
    else if (canonical(earlier) !== canonical(record)) found.push(`changed ${key} (v${earlier.version} to v${record.version})`);
  }
  for (const key of before.records.keys()) if (!after.records.has(key)) found.push(`deleted ${key}`);
  for (const [tenant, events] of after.feeds) {
    const earlier = before.feeds.get(tenant) ?? [];
    const kept = canonical(events.slice(0, earlier.length)) === canonical(earlier);
    if (!kept) found.push(`rewrote ${tenant}'s feed from ${describeEvents(earlier)} to ${describeEvents(events)}`);
    else if (events.length > earlier.length) found.push(`added to ${tenant}'s feed ${describeEvents(events.slice(earlier.length))}`);
  }
  return found;
}

/** Fails unless the store holds the same as in `before`. */
export async function checkNothingWritten(store: MetadataStore, before: Snapshot, what: string): Promise<void> {
  const found = differences(before, await snapshot(store, before.tenants));
  check(found.length === 0, `${what}: expected nothing written, store ${shorten(found.join('; '), 600)}`);
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: unknown };

/** Awaits a call and says whether it resolved or rejected. */
export async function outcomeOf<T>(call: Promise<T> | (() => Promise<T>)): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await (typeof call === 'function' ? call() : call) };
  } catch (reason) {
    return { ok: false, reason };
  }
}

/** Drains an async iterable, so that an export's failure surfaces as a rejection. */
export async function drain<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

/** A text a caller or a log could see from a failed call: the rejection's message and its typed error. */
export interface ErrorText {
  /** Which call failed, for the failure message. */
  call: string;
  /** Everything of the failure a caller could show or log, serialised. */
  text: string;
}

/** The texts of a rejection: its message, and its typed error whole (message, issues, ...). */
export function textsOfRejection(call: string, reason: unknown): ErrorText[] {
  const texts: ErrorText[] = [];
  if (reason instanceof Error) texts.push({ call, text: reason.message });
  else texts.push({ call, text: String(reason) });
  const error = storeErrorOf(reason);
  if (error) texts.push({ call, text: canonical(error) });
  else if (reason && typeof reason === 'object' && 'error' in reason)
    texts.push({ call, text: canonical((reason as { error: unknown }).error) });
  return texts;
}

/** The texts of the failed items of a bulk operation or an import. */
export function textsOfItemErrors(call: string, result: MetadataOperationResult): ErrorText[] {
  return result.items
    .filter((item) => item.error !== undefined)
    .map((item) => ({ call: `${call}, item ${item.index}`, text: canonical(item.error) }));
}

/**
 * Runs failing calls and collects what their errors say: rejections, and the
 * item errors of bulk operations and imports that resolve.
 */
export class ErrorCollector {
  readonly texts: ErrorText[] = [];
  /** How many calls failed (rejected, or resolved with a failed item). */
  failures = 0;

  async run(call: string, invoke: () => Promise<unknown>): Promise<void> {
    const outcome = await outcomeOf(invoke);
    if (!outcome.ok) {
      this.failures++;
      this.texts.push(...textsOfRejection(call, outcome.reason));
      return;
    }
    if (isOperationResult(outcome.value)) {
      const itemTexts = textsOfItemErrors(call, outcome.value);
      if (itemTexts.length > 0) this.failures++;
      this.texts.push(...itemTexts);
    }
  }

  /** Fails the audit when any collected text contains `needle`. */
  checkNone(needle: string, expected: string): void {
    this.checkNoMatch(new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), expected);
  }

  /** Fails the audit when any collected text matches `pattern`, quoting the text around the match. */
  checkNoMatch(pattern: RegExp, expected: string): void {
    check(this.failures > 0, `expected the failing calls to fail, store accepted every one of them`);
    for (const entry of this.texts) {
      const match = pattern.exec(entry.text);
      if (!match) continue;
      const from = Math.max(0, match.index - 120);
      const to = Math.min(entry.text.length, match.index + match[0].length + 120);
      const excerpt = `${from > 0 ? '...' : ''}${entry.text.slice(from, to)}${to < entry.text.length ? '...' : ''}`;
      throw new AuditFailure(`expected ${expected}, store's error for ${entry.call} said ${excerpt}`);
    }
  }
}

function isOperationResult(value: unknown): value is MetadataOperationResult {
  return !!value && typeof value === 'object' && Array.isArray((value as { items?: unknown }).items) && 'committed' in value;
}

/**
 * Whether a write that had to be refused wrote nothing it reports: it
 * rejected, or it resolved with no item created, updated, replaced or
 * deleted. The store's contents are checked separately (checkNothingWritten).
 */
export function describeAcceptedItems(outcome: Outcome<MetadataOperationResult>): string | undefined {
  if (!outcome.ok) return undefined;
  const written = outcome.value.items.filter((item) => ['created', 'updated', 'replaced', 'deleted'].includes(item.status));
  if (written.length === 0 || !outcome.value.committed) return undefined;
  return `reported ${written.map((item) => `item ${item.index} ${item.status}`).join(', ')}`;
}
