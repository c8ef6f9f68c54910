/**
 * Helpers of the audits of R17 to R32 (imports, read-back, identity keys,
 * caching, paging, cursors, optimistic concurrency, rollback): reading a whole
 * result through its cursors, the change feed's position, the protocol's sort
 * order written out, and failure messages of the form "expected X, store did
 * Y". Everything here goes through the MetadataStore interface only.
 */
import type {
  MetadataCallContextInput,
  MetadataLoadOptionsInput,
  MetadataQueryOptionsInput,
  MetadataRecord,
  MetadataRecordInput,
  MetadataRecordKeyInput,
  MetadataSortInput,
  MetadataStore,
} from '@metasource/spec';
import { AuditFailure, AuditSkipped, type AuditEnv } from '../audit';
import { canonical, expectStoreError } from '../assert';

/** The tenant the fixtures write to. */
export const TENANT = 'acme';

/**
 * Runs `call` where `supported` (the store's profile claims the capability);
 * otherwise checks that the store refuses the same call up front with
 * unsupported_capability (`what` names the call) and returns undefined.
 */
export async function runOrRefusal<T>(supported: boolean, call: () => Promise<T>, what: string): Promise<T | undefined> {
  if (supported) return call();
  await expectStoreError(call(), 'unsupported_capability', what);
  return undefined;
}

/** Fails the audit with "expected `expected`, store `did`" unless `condition` holds. */
export function expectThat(condition: unknown, expected: string, did: string): asserts condition {
  if (!condition) throw new AuditFailure(`expected ${expected}, store ${did}`);
}

/** A JSON value as short canonical text, for failure messages. */
export function show(value: unknown, max = 200): string {
  const text = canonical(value);
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

/** The key of the platform-scope object item `name` in tenant acme, namespace crm (the fixtures' item()). */
export function key(name: string, overrides: Partial<MetadataRecordKeyInput> = {}): MetadataRecordKeyInput {
  return { tenantId: TENANT, type: 'object', namespace: 'crm', scope: 'platform', name, ...overrides };
}

/** The key of a stored record. */
export function keyOf(record: MetadataRecord): MetadataRecordKeyInput {
  const { tenantId, type, namespace, scope, owner, name } = record;
  return owner === undefined ? { tenantId, type, namespace, scope, name } : { tenantId, type, namespace, scope, owner, name };
}

/** An import line: a complete platform-scope object record in tenant acme, namespace crm. */
export function importRecord(name: string, overrides: Partial<MetadataRecordInput> = {}): MetadataRecordInput {
  return { tenantId: TENANT, type: 'object', namespace: 'crm', name, payload: { label: name }, ...overrides };
}

/** The record as the datasource holds it now: a get that bypasses the cache (R22). */
export function readBack(
  store: MetadataStore,
  context: MetadataCallContextInput,
  k: MetadataRecordKeyInput,
): Promise<MetadataRecord | null> {
  return store.get(context, k, { useCache: false });
}

/** A second client on the same data as `store`, or AuditSkipped when the implementer gave none. */
export async function secondClientOf(env: AuditEnv, store: MetadataStore): Promise<MetadataStore> {
  if (!env.secondClient) throw new AuditSkipped('needs a second client on the same data (AuditEnv.secondClient)');
  return env.secondClient(store);
}

/** Sequence of a tenant's latest change event (0 when it has none), read through the feed's pages. */
export async function lastSequence(store: MetadataStore, context: MetadataCallContextInput, tenantId = TENANT): Promise<number> {
  let after = 0;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.changes(context, { tenantId, afterSequence: after, limit: 1000 });
    after = page.lastSequence;
    if (!page.hasMore) return after;
  }
  throw new AuditFailure('expected the change feed to end, store kept reporting hasMore');
}

/** Fails unless the tenant's change feed has no event after `sequence`. */
export async function expectNoEventSince(
  store: MetadataStore,
  context: MetadataCallContextInput,
  sequence: number,
  what: string,
  tenantId = TENANT,
): Promise<void> {
  const page = await store.changes(context, { tenantId, afterSequence: sequence, limit: 1000 });
  expectThat(
    page.events.length === 0,
    `no change event after ${what}`,
    `recorded ${page.events.length}: ${show(page.events.map((e) => ({ operation: e.operation, name: e.key.name, version: e.version })))}`,
  );
}

/** Fails unless none of `names` (platform object items of acme/crm) is stored. */
export async function expectNotStored(store: MetadataStore, context: MetadataCallContextInput, names: readonly string[], what: string) {
  for (const name of names) {
    const found = await readBack(store, context, key(name));
    expectThat(found === null, `${name} not to be stored after ${what}`, `holds it at version ${found?.version}`);
  }
}

/** Fails unless the item `before` is still stored exactly as it was (canonical JSON, every field), read through the datasource. */
export async function expectUnchanged(
  store: MetadataStore,
  context: MetadataCallContextInput,
  before: MetadataRecord,
  what: string,
): Promise<void> {
  const after = await readBack(store, context, keyOf(before));
  expectThat(after !== null, `${before.name} still stored after ${what}`, 'no longer holds it');
  expectThat(
    canonical(after) === canonical(before),
    `${before.name} unchanged in every part after ${what} (${show(before)})`,
    `holds ${show(after)}`,
  );
}

/** The record under `k`, read through the datasource; fails when it is not stored. */
export async function mustGet(store: MetadataStore, context: MetadataCallContextInput, k: MetadataRecordKeyInput): Promise<MetadataRecord> {
  const record = await readBack(store, context, k);
  expectThat(record !== null, `${k.name} to be stored`, 'returned null');
  return record;
}

// ---------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------

/** How records are read a page at a time. */
export type Reader = 'query' | 'load';

/** The options a query and a load share. */
export type PageOptions = Pick<MetadataQueryOptionsInput, 'filters' | 'sort' | 'pagination' | 'includeArchived' | 'includeTotal'>;

/** Options only a load has. */
export type LoadExtras = Pick<MetadataLoadOptionsInput, 'resolveInheritance' | 'useCache'>;

/** One page, whichever reader returned it. */
export interface Page {
  records: MetadataRecord[];
  nextCursor?: string | undefined;
  total?: number | undefined;
}

/** One page through `via`; load-only options are passed to loads only. */
export async function readPage(
  store: MetadataStore,
  context: MetadataCallContextInput,
  via: Reader,
  options: PageOptions,
  extras: LoadExtras = {},
): Promise<Page> {
  if (via === 'query') return store.query(context, options);
  return store.load(context, { ...options, ...extras });
}

/** Every page of a read, following nextCursor until it is absent. */
export async function readAllPages(
  store: MetadataStore,
  context: MetadataCallContextInput,
  via: Reader,
  options: PageOptions,
  extras: LoadExtras = {},
): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | undefined;
  const pageSize = options.pagination?.pageSize ?? 100;
  do {
    const page = await readPage(store, context, via, { ...options, pagination: { pageSize, ...(cursor ? { cursor } : {}) } }, extras);
    pages.push(page);
    expectThat(pages.length <= 1000, `a ${via} to end within 1000 pages`, 'kept returning nextCursor');
    expectThat(
      page.records.length <= pageSize,
      `at most ${pageSize} records per page of a ${via}`,
      `returned ${page.records.length} on page ${pages.length}`,
    );
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return pages;
}

/** The ids of records, in order. */
export function idsOf(records: readonly MetadataRecord[]): string[] {
  return records.map((record) => record.id ?? '(no id)');
}

/** Fails when a record id appears more than once across `records`. */
export function expectNoRepeat(records: readonly MetadataRecord[], what: string): void {
  const seen = new Set<string>();
  for (const record of records) {
    const id = record.id ?? '(no id)';
    expectThat(!seen.has(id), `each record once across the pages of ${what}`, `returned ${record.name} (${id}) twice`);
    seen.add(id);
  }
}

// ---------------------------------------------------------------------------
// The protocol's order: sort keys, then id
// ---------------------------------------------------------------------------

/** Compares two strings by Unicode code point (binary order, as UTF-8 bytes), not by UTF-16 unit. */
export function compareCodePoints(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i) ?? 0;
    const cb = b.codePointAt(j) ?? 0;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  if (i < a.length) return 1;
  if (j < b.length) return -1;
  return 0;
}

const INSTANT_FIELDS = new Set(['createdAt', 'updatedAt']);

function compareValues(field: string, a: unknown, b: unknown): number {
  const absentA = a === undefined || a === null;
  const absentB = b === undefined || b === null;
  if (absentA || absentB) return absentA === absentB ? 0 : absentA ? -1 : 1;
  if (INSTANT_FIELDS.has(field)) return Math.sign(Date.parse(String(a)) - Date.parse(String(b)));
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
  return compareCodePoints(String(a), String(b));
}

/**
 * The protocol's order (R24): each sort key in its direction (absent or null
 * first ascending, last descending), then the id ascending by code point.
 */
export function protocolOrder(sort: readonly MetadataSortInput[]): (a: MetadataRecord, b: MetadataRecord) => number {
  return (a, b) => {
    for (const { field, direction } of sort) {
      const sign = direction === 'desc' ? -1 : 1;
      const byKey = compareValues(field, a[field], b[field]) * sign;
      if (byKey !== 0) return byKey;
    }
    return compareCodePoints(a.id ?? '', b.id ?? '');
  };
}

// ---------------------------------------------------------------------------
// Cursors
// ---------------------------------------------------------------------------

/**
 * The cursor with one character in its middle changed, still a well-formed
 * cursor (base64url). The middle rather than the end, because the last
 * character of unpadded base64 can carry bits that decoding ignores.
 */
export function alterCursor(cursor: string): string {
  const at = Math.floor(cursor.length / 2);
  const replacement = cursor[at] === '7' ? '3' : '7';
  return `${cursor.slice(0, at)}${replacement}${cursor.slice(at + 1)}`;
}

/** Unpadded base64url of a UTF-8 text: what a caller could forge a cursor from. */
export function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

// ---------------------------------------------------------------------------
// Determinism
// ---------------------------------------------------------------------------

/** A small seeded pseudo-random generator (mulberry32): the same seed gives the same sequence on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A copy of `items` shuffled by a seeded generator (Fisher-Yates). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
