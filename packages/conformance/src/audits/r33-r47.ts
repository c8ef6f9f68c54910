/**
 * Audits of R33 to R47: the change feed (R33 to R35), tenants (R36, R37),
 * scopes and inheritance (R38 to R40), security (R42 to R44) and honest
 * capability profiles (R45, R46). R41 and R47 cannot be observed through the
 * MetadataStore interface; NOT_AUDITABLE in ../coverage says why.
 *
 * Every audit takes its own fresh store, writes only what it checks, and
 * relies on nothing but the interface: no timing, no cache beyond
 * `useCache: false`, no second client.
 */
import {
  METADATA_PROTOCOL_VERSION,
  MetadataStoreProfileSchema,
  type JsonObject,
  type MetadataBulkOperationInput,
  type MetadataCallContextInput,
  type MetadataChangeEvent,
  type MetadataImportOptionsInput,
  type MetadataLoadOptionsInput,
  type MetadataMigrationOperationInput,
  type MetadataOperationResult,
  type MetadataQueryOptionsInput,
  type MetadataRecord,
  type MetadataRecordInput,
  type MetadataRecordKeyInput,
  type MetadataRecordWriteInput,
  type MetadataStore,
} from '@metasource/spec';
import { canonical, check, checksumOf, expectStoreError, storeErrorOf } from '../assert';
import { AuditFailure, AuditSkipped, type Audit, type AuditEnv, type AuditLevel } from '../audit';
import { item, operator, reader, runtime } from '../fixtures';
import {
  ACME,
  BOB,
  ErrorCollector,
  GLOBEX,
  INITECH,
  JANE,
  checkJson,
  checkNothingWritten,
  describeAcceptedItems,
  describeEvent,
  describeEvents,
  drain,
  exportAll,
  keyOf,
  observer,
  outcomeOf,
  readFeed,
  runtimeOf,
  shorten,
  snapshot,
  type Outcome,
} from './r33-r47-helpers';

function audit(id: string, level: AuditLevel, title: string, run: (env: AuditEnv) => Promise<void>): Audit {
  return { id, requirement: id.slice(0, id.indexOf('.')), level, title, run };
}

/** Import options a store can honour: atomic where its profile says it can be. */
function importOptions(store: MetadataStore, options: MetadataImportOptionsInput = {}): MetadataImportOptionsInput {
  return store.profile.atomicImport ? options : { atomic: false, ...options };
}

/** A bulk operation a store can honour: transactional where its profile says it can be. */
function bulkOf(store: MetadataStore, operation: MetadataBulkOperationInput): MetadataBulkOperationInput {
  return store.profile.transactionalBulk ? operation : { ...operation, transactional: false };
}

/** An import line: a complete record of tenant acme, namespace crm. */
function record(name: string, overrides: Partial<MetadataRecordInput> = {}): MetadataRecordInput {
  return { tenantId: ACME, type: 'object', namespace: 'crm', name, payload: { label: name }, ...overrides };
}

/** Creates `names` in acme, in as few bulk calls as the schema allows. */
async function createMany(store: MetadataStore, context: MetadataCallContextInput, names: readonly string[]): Promise<void> {
  for (let start = 0; start < names.length; start += 1000) {
    const records = names.slice(start, start + 1000).map((name) => item(name));
    const result = await store.bulk(context, bulkOf(store, { operation: 'create', records }));
    const failed = result.items.find((entry) => entry.status !== 'created');
    check(
      result.committed && !failed,
      `expected a bulk create of ${records.length} new items to create them all, store reported ${canonical(failed ?? result)}`,
    );
  }
}

/**
 * Creates changeFeedRetention + 1 items in acme, one event each, so the
 * oldest event may be dropped; skips the audit where the profile declares no
 * retention (the store keeps every event).
 */
async function createPastRetention(store: MetadataStore): Promise<{ retention: number; total: number }> {
  const retention = store.profile.changeFeedRetention;
  if (retention === undefined) throw new AuditSkipped('the profile declares no changeFeedRetention: the store keeps every event');
  const total = retention + 1;
  await createMany(
    store,
    runtime([ACME]),
    Array.from({ length: total }, (_, i) => `item_${i}`),
  );
  return { retention, total };
}

/** The events a call adds to `tenantId`'s feed. */
async function eventsOf(store: MetadataStore, tenantId: string, call: () => Promise<unknown>): Promise<MetadataChangeEvent[]> {
  const before = await readFeed(store, tenantId);
  await call();
  const after = await readFeed(store, tenantId);
  return after.slice(before.length);
}

/** `operation name` of each event, sorted: the events of one call, whatever their order inside it. */
function eventNames(events: readonly MetadataChangeEvent[]): string[] {
  return events.map((event) => `${event.operation} ${event.key.name}`).sort();
}

/** Fails unless `outcome` is a typed refusal or a report that wrote nothing. */
function checkRefused(outcome: Outcome<MetadataOperationResult>, what: string): void {
  if (!outcome.ok) {
    const error = storeErrorOf(outcome.reason);
    const text = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
    check(error, `${what}: expected a typed refusal (MetadataStoreFailure), store rejected with an untyped ${shorten(text)}`);
    return;
  }
  const accepted = describeAcceptedItems(outcome);
  check(!accepted, `${what}: expected the write refused, store ${accepted}`);
}

async function expectForbidden(
  call: Promise<unknown>,
  reason: 'tenant_not_readable' | 'tenant_not_writable' | 'system_scope_read_only' | 'not_owner' | 'operator_only',
  what: string,
): Promise<void> {
  const error = await expectStoreError(call, 'forbidden', what);
  check(error.reason === reason, `${what}: expected forbidden (${reason}), store refused with forbidden (${error.reason})`);
}

/**
 * Every record of a paged read, following nextCursor with pages of 100, or
 * of the store's maxPageSize when it is smaller (it says so in page_too_large).
 */
async function readAllPages(
  what: string,
  readPage: (pagination: { pageSize: number; cursor?: string }) => Promise<{ records: MetadataRecord[]; nextCursor?: string | undefined }>,
): Promise<MetadataRecord[]> {
  let pageSize = 100;
  const first = await outcomeOf(() => readPage({ pageSize }));
  if (!first.ok) {
    const error = storeErrorOf(first.reason);
    if (error?.code !== 'page_too_large') throw first.reason;
    pageSize = error.maxPageSize;
  }
  const records: MetadataRecord[] = [];
  let page = first.ok ? first.value : await readPage({ pageSize });
  for (let pages = 0; pages < 10_000; pages++) {
    records.push(...page.records);
    if (page.nextCursor === undefined) return records;
    page = await readPage({ pageSize, cursor: page.nextCursor });
  }
  throw new AuditFailure(`expected ${what} to end within 10,000 pages, store kept returning nextCursor`);
}

/** Every record a query returns to `context`, following nextCursor. */
function queryAll(
  store: MetadataStore,
  context: MetadataCallContextInput,
  options: MetadataQueryOptionsInput = {},
): Promise<MetadataRecord[]> {
  return readAllPages('a query', (pagination) => store.query(context, { ...options, pagination }));
}

/** Every record a load returns to `context`, following nextCursor, read past the cache. */
function loadAll(
  store: MetadataStore,
  context: MetadataCallContextInput,
  options: MetadataLoadOptionsInput = {},
): Promise<MetadataRecord[]> {
  return readAllPages('a load', (pagination) => store.load(context, { useCache: false, ...options, pagination }));
}

/** A record as `tenant/scope(owner)/name`, for messages and comparisons. */
function label(record: MetadataRecord): string {
  return `${record.tenantId}/${record.scope}${record.owner === undefined ? '' : `(${record.owner})`}/${record.name}`;
}

function labels(records: readonly MetadataRecord[]): string[] {
  return records.map(label).sort();
}

// ---------------------------------------------------------------------------
// R33: exactly one change event per committed change
// ---------------------------------------------------------------------------

const R33: Audit[] = [
  audit(
    'R33.1',
    'MUST',
    "Creating, updating, archiving, restoring and deleting an item each write exactly one change event of that operation, naming the item's id and its version after the change.",
    async (env) => {
      const store = await env.newStore();
      const context = runtime([ACME]);
      const key = keyOf(item('account'));
      const created = await store.save(context, item('account'));
      const updated = await store.save(context, item('account', { payload: { label: 'Customer account' } }));
      const archived = await store.archive(context, key);
      const restored = await store.restore(context, key);
      const deleted = await store.delete(context, key);
      const expected = [
        { operation: 'create', version: created.version },
        { operation: 'update', version: updated.version },
        { operation: 'archive', version: archived.version },
        { operation: 'restore', version: restored.version },
        { operation: 'delete', version: deleted.version },
      ];
      const events = await readFeed(store, ACME);
      const actual = events.map((event) => ({ operation: event.operation, version: event.version }));
      check(
        canonical(actual) === canonical(expected),
        `expected one event per change (${expected.map((e) => `${e.operation} v${e.version}`).join(', ')}), store's feed holds ${describeEvents(events)}`,
      );
      const stray = events.find((event) => event.recordId !== created.id || event.key.name !== 'account' || event.key.tenantId !== ACME);
      check(
        !stray,
        `expected every event to name record ${created.id} (acme account), store wrote ${stray && describeEvent(stray)} for record ${stray?.recordId}`,
      );
    },
  ),
  audit(
    'R33.2',
    'MUST',
    'Each change event names who made the change and the payload checksums before and after it: none before a create, none after a delete, equal ones for an archive or a restore.',
    async (env) => {
      const store = await env.newStore();
      const context = runtime([ACME], JANE);
      const key = keyOf(item('account'));
      const created = await store.save(context, item('account'));
      const updated = await store.save(context, item('account', { payload: { label: 'Customer account' } }), { actor: 'svc@acme' });
      await store.archive(context, key);
      await store.delete(context, key, { actor: 'svc@acme' });
      const events = await readFeed(store, ACME);
      const seen = events.map((event) => ({
        operation: event.operation,
        actor: event.actor,
        checksumBefore: 'checksumBefore' in event ? event.checksumBefore : null,
        checksumAfter: 'checksumAfter' in event ? event.checksumAfter : null,
      }));
      checkJson(
        seen,
        [
          { operation: 'create', actor: JANE, checksumBefore: null, checksumAfter: created.checksum },
          { operation: 'update', actor: 'svc@acme', checksumBefore: created.checksum, checksumAfter: updated.checksum },
          { operation: 'archive', actor: JANE, checksumBefore: updated.checksum, checksumAfter: updated.checksum },
          { operation: 'delete', actor: 'svc@acme', checksumBefore: updated.checksum, checksumAfter: null },
        ],
        'the (operation, actor, checksumBefore, checksumAfter) of each event',
        'wrote',
      );
    },
  ),
  audit('R33.3', 'MUST', 'A save with recordHistory false still writes its change event.', async (env) => {
    const store = await env.newStore();
    const context = runtime([ACME]);
    await store.save(context, item('account'), { recordHistory: false });
    await store.save(context, item('account', { payload: { label: 'Customer account' } }), { recordHistory: false });
    const events = await readFeed(store, ACME);
    checkJson(
      events.map((event) => event.operation),
      ['create', 'update'],
      'the events of two saves with recordHistory false',
      'wrote',
    );
  }),
  audit(
    'R33.4',
    'MUST',
    'A save whose result equals the stored item (unchanged), a skipped save, archiving an archived item and restoring an active one write no change event.',
    async (env) => {
      const store = await env.newStore();
      const context = runtime([ACME]);
      const key = keyOf(item('account'));
      await store.save(context, item('account', { tags: ['core'] }));
      const statuses: Record<string, string> = {};
      statuses.sameSave = (await store.save(context, item('account', { tags: ['core'] }))).status;
      statuses.sameReplace = (await store.save(context, item('account'), { onConflict: 'replace' })).status;
      statuses.skipped = (await store.save(context, item('account', { payload: { label: 'Other' } }), { onConflict: 'skip' })).status;
      await store.archive(context, key);
      statuses.archiveAgain = (await store.archive(context, key)).status;
      await store.restore(context, key);
      statuses.restoreAgain = (await store.restore(context, key)).status;
      checkJson(
        statuses,
        { sameSave: 'unchanged', sameReplace: 'unchanged', skipped: 'skipped', archiveAgain: 'unchanged', restoreAgain: 'unchanged' },
        'the statuses of writes that change nothing',
        'reported',
      );
      const events = await readFeed(store, ACME);
      check(
        canonical(events.map((event) => event.operation)) === canonical(['create', 'archive', 'restore']),
        `expected only the create, the archive and the restore to leave events, store's feed holds ${describeEvents(events)}`,
      );
    },
  ),
  audit(
    'R33.5',
    'MUST',
    'Dry runs (save, archive, restore, delete, bulk and import) write no change event and nothing else.',
    async (env) => {
      const store = await env.newStore();
      const context = runtime([ACME]);
      const account = await store.save(context, item('account'));
      await store.save(context, item('old_account'));
      await store.archive(context, keyOf(item('old_account')));
      const before = await snapshot(store);
      await store.save(context, item('contact'), { dryRun: true });
      await store.save(context, item('account', { payload: { label: 'Customer account' } }), { dryRun: true });
      await store.archive(context, keyOf(item('account')), { dryRun: true });
      await store.restore(context, keyOf(item('old_account')), { dryRun: true });
      await store.delete(context, keyOf(item('account')), { dryRun: true });
      await store.bulk(context, bulkOf(store, { operation: 'create', records: [item('lead'), item('deal')], dryRun: true }));
      await store.bulk(context, bulkOf(store, { operation: 'delete', ids: [{ id: account.id }], dryRun: true }));
      await store.import(operator([ACME]), [record('campaign')], importOptions(store, { dryRun: true }));
      await checkNothingWritten(store, before, 'after dry runs of save, archive, restore, delete, bulk create, bulk delete and import');
    },
  ),
  audit(
    'R33.6',
    'MUST',
    'A write that fails (version_conflict, not_found, already_exists, forbidden) writes no change event and nothing else.',
    async (env) => {
      const store = await env.newStore();
      const context = runtime([ACME]);
      await store.save(context, item('account'));
      const before = await snapshot(store);
      const changed = item('account', { payload: { label: 'Customer account' } });
      await expectStoreError(
        store.save(context, changed, { expectedVersion: 7 }),
        'version_conflict',
        'a save expecting version 7 of a version 1 item',
      );
      await expectStoreError(
        store.save(context, item('ghost'), { expectedVersion: 1 }),
        'not_found',
        'a save expecting version 1 of an item never stored',
      );
      await expectStoreError(
        store.save(context, changed, { onConflict: 'error' }),
        'already_exists',
        'a save with onConflict error over a stored item',
      );
      await expectStoreError(
        store.archive(context, keyOf(item('account')), { expectedVersion: 3 }),
        'version_conflict',
        'an archive expecting version 3',
      );
      await expectStoreError(store.delete(context, keyOf(item('ghost'))), 'not_found', 'a delete of an item never stored');
      await expectStoreError(
        store.save(context, item('account', { tenantId: GLOBEX })),
        'forbidden',
        'a save into tenant globex, not writable',
      );
      await checkNothingWritten(store, before, 'after writes that failed');
    },
  ),
  audit(
    'R33.7',
    'MUST',
    'A transactional bulk operation or an atomic import that rolls back writes no change event and nothing else.',
    async (env) => {
      const store = await env.newStore();
      const context = runtime([ACME]);
      const account = await store.save(context, item('account'));
      const before = await snapshot(store);
      let ran = false;
      if (store.profile.transactionalBulk) {
        ran = true;
        const creates = await store.bulk(context, {
          operation: 'create',
          records: [item('contact'), item('account')],
          transactional: true,
        });
        check(
          !creates.committed,
          `expected a transactional bulk create that meets a stored key to roll back, store committed ${canonical(creates.items)}`,
        );
        const deletes = await store.bulk(context, {
          operation: 'delete',
          ids: [{ id: account.id }, { id: account.id, expectedVersion: 9 }],
          transactional: true,
        });
        check(
          !deletes.committed,
          `expected a transactional bulk delete with a version conflict to roll back, store committed ${canonical(deletes.items)}`,
        );
      }
      if (store.profile.atomicImport) {
        ran = true;
        const imported = await store.import(operator([ACME]), [record('lead'), record('account')], { atomic: true, onConflict: 'error' });
        check(
          !imported.committed,
          `expected an atomic import that meets a stored key to roll back, store committed ${canonical(imported.items)}`,
        );
      }
      if (!ran) throw new AuditSkipped('the profile declares neither transactional bulk operations nor atomic imports');
      await checkNothingWritten(store, before, 'after a rolled-back bulk operation and import');
    },
  ),
  audit(
    'R33.8',
    'MUST',
    'Bulk operations and imports write one change event per item they create, change or delete, and none for an item they leave unchanged.',
    async (env) => {
      const store = await env.newStore();
      const context = runtime([ACME]);
      const steps: { what: string; expected: string[]; call: () => Promise<unknown> }[] = [];
      const ids: Record<string, string> = {};
      const created = await eventsOf(store, ACME, async () => {
        const result = await store.bulk(
          context,
          bulkOf(store, { operation: 'create', records: [item('alpha'), item('beta'), item('gamma')] }),
        );
        for (const entry of result.items) if (entry.id !== undefined) ids[['alpha', 'beta', 'gamma'][entry.index]!] = entry.id;
      });
      checkJson(eventNames(created), ['create alpha', 'create beta', 'create gamma'], 'the events of a bulk create of 3 items', 'wrote');
      check(ids.alpha && ids.beta && ids.gamma, `expected the bulk create to report the 3 new ids, store reported ${canonical(ids)}`);
      steps.push(
        {
          what: 'bulk upsert of a changed, an unchanged and a new item',
          expected: ['create delta', 'update alpha'],
          call: () =>
            store.bulk(
              context,
              bulkOf(store, {
                operation: 'upsert',
                records: [item('alpha', { payload: { label: 'Alpha 2' } }), item('beta'), item('delta')],
              }),
            ),
        },
        {
          what: 'bulk update of one item by id',
          expected: ['update gamma'],
          call: () =>
            store.bulk(
              context,
              bulkOf(store, { operation: 'update', changes: [{ id: ids.gamma!, expectedVersion: 1, set: { tags: ['core'] } }] }),
            ),
        },
        {
          what: 'bulk delete of two items by id',
          expected: ['delete alpha', 'delete beta'],
          call: () => store.bulk(context, bulkOf(store, { operation: 'delete', ids: [{ id: ids.alpha! }, { id: ids.beta! }] })),
        },
        {
          what: 'import of two new records',
          expected: ['create epsilon', 'create zeta'],
          call: () => store.import(operator([ACME]), [record('epsilon'), record('zeta')], importOptions(store)),
        },
      );
      for (const step of steps) {
        const events = await eventsOf(store, ACME, step.call);
        checkJson(eventNames(events), step.expected, `the events of a ${step.what}`, 'wrote');
      }
    },
  ),
];

// ---------------------------------------------------------------------------
// R34: per-tenant sequences, gap-free, in commit order; one transaction id
// ---------------------------------------------------------------------------

const R34: Audit[] = [
  audit(
    'R34.1',
    'MUST',
    "A tenant's events are numbered 1, 2, 3, ... without gaps, in the order their changes were committed.",
    async (env) => {
      const store = await env.newStore();
      const context = runtime([ACME]);
      await store.save(context, item('alpha'));
      await store.save(context, item('beta'));
      await store.save(context, item('alpha', { payload: { label: 'Alpha 2' } }));
      await store.archive(context, keyOf(item('beta')));
      await store.delete(context, keyOf(item('alpha')));
      const events = await readFeed(store, ACME);
      const seen = events.map((event) => `${event.sequence} ${event.operation} ${event.key.name}`);
      const expected = ['1 create alpha', '2 create beta', '3 update alpha', '4 archive beta', '5 delete alpha'];
      check(
        canonical(seen) === canonical(expected),
        `expected events ${expected.join(', ')}, store's feed holds ${describeEvents(events)}`,
      );
    },
  ),
  audit(
    'R34.2',
    'MUST',
    "Each tenant has its own sequence: writes interleaved across two tenants give each tenant's feed 1, 2, 3, ...",
    async (env) => {
      const store = await env.newStore();
      const context = operator([ACME, GLOBEX]);
      await store.save(context, item('alpha'));
      await store.save(context, item('alpha', { tenantId: GLOBEX }));
      await store.save(context, item('beta'));
      await store.save(context, item('beta', { tenantId: GLOBEX }));
      await store.save(context, item('gamma', { tenantId: GLOBEX }));
      await store.save(context, item('alpha', { payload: { label: 'Alpha 2' } }));
      const acme = await readFeed(store, ACME);
      const globex = await readFeed(store, GLOBEX);
      const seen = {
        acme: acme.map((e) => `${e.sequence} ${e.operation} ${e.key.name}`),
        globex: globex.map((e) => `${e.sequence} ${e.operation} ${e.key.name}`),
      };
      const expected = {
        acme: ['1 create alpha', '2 create beta', '3 update alpha'],
        globex: ['1 create alpha', '2 create beta', '3 create gamma'],
      };
      check(
        canonical(seen) === canonical(expected),
        `expected acme's feed ${expected.acme.join(', ')} and globex's ${expected.globex.join(', ')}, store's feeds hold ${describeEvents(acme)} and ${describeEvents(globex)}`,
      );
    },
  ),
  audit(
    'R34.3',
    'MUST',
    'A write that fails, rolls back, is a dry run or changes nothing uses no sequence number: the next committed change takes the next number.',
    async (env) => {
      const store = await env.newStore();
      const context = runtime([ACME]);
      await store.save(context, item('alpha'));
      await outcomeOf(store.save(context, item('alpha', { payload: { label: 'x' } }), { expectedVersion: 5 }));
      await outcomeOf(store.save(context, item('alpha'), { onConflict: 'error' }));
      await store.save(context, item('beta'), { dryRun: true });
      await store.save(context, item('alpha'));
      if (store.profile.transactionalBulk) {
        await store.bulk(context, { operation: 'create', records: [item('gamma'), item('alpha')], transactional: true });
      }
      await store.save(context, item('delta'));
      const events = await readFeed(store, ACME);
      const seen = events.map((event) => `${event.sequence} ${event.operation} ${event.key.name}`);
      check(
        canonical(seen) === canonical(['1 create alpha', '2 create delta']),
        `expected events 1 create alpha, 2 create delta, store's feed holds ${describeEvents(events)}`,
      );
    },
  ),
  audit(
    'R34.4',
    'MUST',
    'Reading the feed after a sequence with a limit returns the next events in order; following lastSequence while hasMore reads each event exactly once.',
    async (env) => {
      const store = await env.newStore();
      const context = runtime([ACME]);
      for (const name of ['alpha', 'beta', 'gamma', 'delta', 'epsilon']) await store.save(context, item(name));
      const pages = [];
      for (const afterSequence of [0, 2, 4, 5]) {
        const page = await store.changes(context, { tenantId: ACME, afterSequence, limit: 2 });
        pages.push({
          afterSequence,
          tenantId: page.tenantId,
          sequences: page.events.map((event) => event.sequence),
          lastSequence: page.lastSequence,
          hasMore: page.hasMore,
        });
      }
      checkJson(
        pages,
        [
          { afterSequence: 0, tenantId: ACME, sequences: [1, 2], lastSequence: 2, hasMore: true },
          { afterSequence: 2, tenantId: ACME, sequences: [3, 4], lastSequence: 4, hasMore: true },
          { afterSequence: 4, tenantId: ACME, sequences: [5], lastSequence: 5, hasMore: false },
          { afterSequence: 5, tenantId: ACME, sequences: [], lastSequence: 5, hasMore: false },
        ],
        'pages of at most 2 events over a feed of 5',
        'returned',
      );
      const rest = await store.changes(context, { tenantId: ACME, afterSequence: 3, limit: 100 });
      checkJson(
        rest.events.map((event) => event.key.name),
        ['delta', 'epsilon'],
        'the events after sequence 3',
        'returned',
      );
    },
  ),
  audit(
    'R34.5',
    'MUST',
    'The events of one transaction (a transactional bulk operation or an atomic import) share one transactionId, which no event of another write carries.',
    async (env) => {
      const store = await env.newStore();
      const context = runtime([ACME]);
      const groups: { what: string; events: MetadataChangeEvent[] }[] = [];
      groups.push({ what: 'a save of alpha', events: await eventsOf(store, ACME, () => store.save(context, item('alpha'))) });
      if (store.profile.transactionalBulk) {
        groups.push({
          what: 'a transactional bulk create',
          events: await eventsOf(store, ACME, () =>
            store.bulk(context, { operation: 'create', records: [item('beta'), item('gamma'), item('delta')] }),
          ),
        });
      }
      if (store.profile.atomicImport) {
        groups.push({
          what: 'an atomic import',
          events: await eventsOf(store, ACME, () => store.import(operator([ACME]), [record('epsilon'), record('zeta')], { atomic: true })),
        });
      }
      if (groups.length === 1) throw new AuditSkipped('the profile declares neither transactional bulk operations nor atomic imports');
      groups.push({ what: 'a save of eta', events: await eventsOf(store, ACME, () => store.save(context, item('eta'))) });
      const owners = new Map<string, string>();
      for (const group of groups) {
        const ids = [...new Set(group.events.map((event) => event.transactionId))];
        if (group.events.length > 1) {
          check(
            ids.length === 1 && ids[0] !== undefined,
            `${group.what}: expected its ${group.events.length} events to share one transactionId, store gave ${canonical(group.events.map((event) => event.transactionId ?? null))}`,
          );
        }
        for (const id of ids) {
          if (id === undefined) continue;
          const other = owners.get(id);
          check(other === undefined, `expected ${group.what} to have its own transactionId, store gave it ${id}, as for ${other}`);
          owners.set(id, group.what);
        }
      }
    },
  ),
];

// ---------------------------------------------------------------------------
// R35: feed confined to readable tenants; resync past retention
// ---------------------------------------------------------------------------

const R35: Audit[] = [
  audit(
    'R35.1',
    'MUST',
    'Reading the feed of a tenant the caller may not read is forbidden (tenant_not_readable), whether or not that tenant has events.',
    async (env) => {
      const store = await env.newStore();
      await store.save(operator([ACME, GLOBEX]), item('alpha'));
      await store.save(operator([ACME, GLOBEX]), item('alpha', { tenantId: GLOBEX }));
      const acmeOnly = runtime([ACME]);
      await expectForbidden(store.changes(acmeOnly, { tenantId: GLOBEX }), 'tenant_not_readable', "an acme caller reading globex's feed");
      await expectForbidden(
        store.changes(acmeOnly, { tenantId: INITECH }),
        'tenant_not_readable',
        "an acme caller reading initech's (empty) feed",
      );
      await expectForbidden(
        store.changes(reader([GLOBEX]), { tenantId: ACME }),
        'tenant_not_readable',
        "a globex reader reading acme's feed",
      );
      const own = await store.changes(acmeOnly, {});
      check(
        own.tenantId === ACME && own.events.length === 1 && own.events[0]?.key.tenantId === ACME,
        `expected a caller of acme alone who names no tenant to read acme's one event, store returned tenant ${own.tenantId} with ${describeEvents(own.events)}`,
      );
    },
  ),
  audit(
    'R35.2',
    'MUST',
    "A tenant's feed holds that tenant's events only, even for a caller who may read several tenants.",
    async (env) => {
      const store = await env.newStore();
      const context = operator([ACME, GLOBEX]);
      await store.save(context, item('alpha'));
      await store.save(context, item('alpha', { tenantId: GLOBEX }));
      await store.save(context, item('beta', { tenantId: GLOBEX }));
      await store.save(context, item('beta'));
      for (const [tenantId, count] of [
        [ACME, 2],
        [GLOBEX, 2],
      ] as const) {
        const page = await store.changes(context, { tenantId });
        const foreign = page.events.find((event) => event.key.tenantId !== tenantId);
        check(
          page.tenantId === tenantId && !foreign && page.events.length === count,
          `expected ${tenantId}'s feed to hold its ${count} events, store returned tenant ${page.tenantId} with ${describeEvents(page.events)}`,
        );
      }
    },
  ),
  audit(
    'R35.3',
    'MUST',
    "A follower whose position lies before the oldest kept event gets resync_needed with the tenant's latest sequence, never a page that starts after a hole.",
    async (env) => {
      const store = await env.newStore();
      const { retention, total } = await createPastRetention(store);
      const what = `reading acme's feed from 0 after ${total} events with changeFeedRetention ${retention}`;
      const outcome = await outcomeOf(store.changes(observer(), { tenantId: ACME, afterSequence: 0 }));
      if (outcome.ok) {
        // The guide lets a store keep more than it promises; then the page must start at the beginning.
        const first = outcome.value.events[0];
        check(
          first?.sequence === 1,
          `${what}: expected resync_needed or a page from sequence 1, store returned a page from ${first ? describeEvent(first) : 'nothing'}`,
        );
        return;
      }
      const error = await expectStoreError(Promise.reject(outcome.reason), 'resync_needed', what);
      check(
        error.latestSequence === total,
        `${what}: expected resync_needed with latestSequence ${total}, store gave ${error.latestSequence}`,
      );
    },
  ),
  audit(
    'R35.4',
    'MUST',
    'A store keeps at least the last changeFeedRetention events of a tenant: a follower that many events behind reads all of them, without resync_needed.',
    async (env) => {
      const store = await env.newStore();
      const { retention, total } = await createPastRetention(store);
      const outcome = await outcomeOf(readFeed(store, ACME, total - retention));
      const error = outcome.ok ? undefined : storeErrorOf(outcome.reason);
      if (!outcome.ok && !error) throw outcome.reason;
      check(
        outcome.ok,
        `expected a follower at ${total - retention} to read the last ${retention} events, store refused with ${error?.code}: ${error?.message}`,
      );
      const sequences = outcome.value.map((event) => event.sequence);
      check(
        sequences.length === retention && sequences[0] === total - retention + 1 && sequences.at(-1) === total,
        `expected a follower at ${total - retention} to read events ${total - retention + 1} to ${total}, store returned ${sequences.length} events (${shorten(sequences.join(', '))})`,
      );
    },
  ),
];

// ---------------------------------------------------------------------------
// R36: tenants from the context only; a tenantId filter narrows
// ---------------------------------------------------------------------------

/** Items in two tenants: acme has shared and only_acme, globex has shared and only_globex. */
async function seedTenants(store: MetadataStore): Promise<void> {
  const context = operator([ACME, GLOBEX]);
  await store.save(context, item('shared'));
  await store.save(context, item('only_acme'));
  await store.save(context, item('shared', { tenantId: GLOBEX, payload: { label: 'Globex shared' } }));
  await store.save(context, item('only_globex', { tenantId: GLOBEX }));
}

const ACME_ITEMS = ['acme/platform/only_acme', 'acme/platform/shared'];
const ALL_ITEMS = [...ACME_ITEMS, 'globex/platform/only_globex', 'globex/platform/shared'];

/** Checks what one kind of read returns to acme-only and two-tenant callers, with and without a tenantId filter. */
async function checkTenantReads(
  store: MetadataStore,
  what: string,
  read: (context: MetadataCallContextInput, tenantId: string | undefined) => Promise<MetadataRecord[]>,
): Promise<void> {
  const acmeOnly = runtime([ACME]);
  const both = runtimeOf([ACME, GLOBEX], [ACME]);
  const cases: { who: string; context: MetadataCallContextInput; tenantId: string | undefined; expected: string[] }[] = [
    { who: 'an acme caller, no tenant filter', context: acmeOnly, tenantId: undefined, expected: ACME_ITEMS },
    { who: 'an acme caller filtering on tenant globex', context: acmeOnly, tenantId: GLOBEX, expected: [] },
    { who: 'an acme caller filtering on tenant initech', context: acmeOnly, tenantId: INITECH, expected: [] },
    { who: 'an acme and globex caller filtering on tenant acme', context: both, tenantId: ACME, expected: ACME_ITEMS },
    { who: 'an acme and globex caller, no tenant filter', context: both, tenantId: undefined, expected: ALL_ITEMS },
  ];
  for (const entry of cases) {
    const records = await read(entry.context, entry.tenantId);
    check(
      canonical(labels(records)) === canonical(entry.expected),
      `${what} by ${entry.who}: expected ${entry.expected.length === 0 ? 'no records' : entry.expected.join(', ')}, store returned ${labels(records).join(', ') || 'no records'}`,
    );
  }
}

const tenantFilter = (tenantId: string | undefined) => (tenantId === undefined ? {} : { filters: { tenantId } });

const R36: Audit[] = [
  audit(
    'R36.1',
    'MUST',
    "A get by a key naming a tenant the caller may not read returns null, never the other tenant's record.",
    async (env) => {
      const store = await env.newStore();
      await seedTenants(store);
      const acmeOnly = runtime([ACME]);
      for (const name of ['shared', 'only_globex']) {
        for (const useCache of [true, false]) {
          const found = await store.get(acmeOnly, keyOf(item(name, { tenantId: GLOBEX })), { useCache });
          check(
            found === null,
            `expected an acme caller's get of globex's ${name} (useCache ${useCache}) to return null, store returned ${found && label(found)}`,
          );
        }
      }
      const own = await store.get(acmeOnly, keyOf(item('shared')));
      check(
        own?.tenantId === ACME && own.payload.label === 'shared',
        `expected an acme caller's get of acme's shared to return it, store returned ${own && canonical(own)}`,
      );
    },
  ),
  audit(
    'R36.2',
    'MUST',
    'A query returns only records of tenants the caller may read; a tenantId filter narrows that set and never widens it.',
    async (env) => {
      const store = await env.newStore();
      await seedTenants(store);
      await checkTenantReads(store, 'a query', (context, tenantId) => queryAll(store, context, tenantFilter(tenantId)));
    },
  ),
  audit(
    'R36.3',
    'MUST',
    'A load, with or without inheritance resolved, returns only records of tenants the caller may read; a tenantId filter narrows that set and never widens it.',
    async (env) => {
      const store = await env.newStore();
      await seedTenants(store);
      for (const resolveInheritance of [true, false]) {
        await checkTenantReads(store, `a load (resolveInheritance ${resolveInheritance})`, (context, tenantId) =>
          loadAll(store, context, { ...tenantFilter(tenantId), resolveInheritance }),
        );
      }
    },
  ),
  audit(
    'R36.4',
    'MUST',
    'An export returns only records of tenants the caller may read; a tenantId filter narrows that set and never widens it.',
    async (env) => {
      const store = await env.newStore();
      await seedTenants(store);
      await checkTenantReads(store, 'an export', (context, tenantId) => exportAll(store, context, tenantFilter(tenantId)));
    },
  ),
];

// ---------------------------------------------------------------------------
// R37: no writes to a tenant the caller may not write
// ---------------------------------------------------------------------------

/** Jane reads acme and globex and writes acme only. */
const acmeWriter = () => runtimeOf([ACME, GLOBEX], [ACME]);

const R37: Audit[] = [
  audit(
    'R37.1',
    'MUST',
    'A save naming a tenant the caller may not write is forbidden (tenant_not_writable) and writes nothing, whether the caller may read that tenant or not.',
    async (env) => {
      const store = await env.newStore();
      const before = await snapshot(store);
      await expectForbidden(
        store.save(acmeWriter(), item('alpha', { tenantId: GLOBEX })),
        'tenant_not_writable',
        'a save into globex, readable but not writable',
      );
      await expectForbidden(
        store.save(runtime([ACME]), item('alpha', { tenantId: INITECH })),
        'tenant_not_writable',
        'a save into initech, neither readable nor writable',
      );
      await expectForbidden(
        store.save(acmeWriter(), item('alpha', { tenantId: GLOBEX }), { dryRun: true }),
        'tenant_not_writable',
        'a dry-run save into globex, not writable',
      );
      await checkNothingWritten(store, before, 'after saves into tenants the caller may not write');
    },
  ),
  audit(
    'R37.2',
    'MUST',
    'A read-only caller (no writable tenant) is forbidden (tenant_not_writable) to save, with or without a tenantId, and writes nothing.',
    async (env) => {
      const store = await env.newStore();
      const before = await snapshot(store);
      const { tenantId: _omitted, ...noTenant } = item('alpha');
      await expectForbidden(store.save(reader([ACME]), noTenant), 'tenant_not_writable', 'a read-only caller saving with no tenantId');
      await expectForbidden(store.save(reader([ACME]), item('alpha')), 'tenant_not_writable', 'a read-only caller saving into acme');
      await checkNothingWritten(store, before, 'after saves by a read-only caller');
    },
  ),
  audit(
    'R37.3',
    'MUST',
    'Archiving, restoring or deleting an item of a tenant the caller may read but not write is forbidden (tenant_not_writable) and changes nothing.',
    async (env) => {
      const store = await env.newStore();
      const admin = operator([GLOBEX]);
      await store.save(admin, item('alpha', { tenantId: GLOBEX }));
      await store.save(admin, item('beta', { tenantId: GLOBEX }));
      await store.archive(admin, keyOf(item('beta', { tenantId: GLOBEX })));
      const before = await snapshot(store);
      await expectForbidden(
        store.archive(acmeWriter(), keyOf(item('alpha', { tenantId: GLOBEX }))),
        'tenant_not_writable',
        "archiving globex's alpha",
      );
      await expectForbidden(
        store.restore(acmeWriter(), keyOf(item('beta', { tenantId: GLOBEX }))),
        'tenant_not_writable',
        "restoring globex's beta",
      );
      await expectForbidden(
        store.delete(acmeWriter(), keyOf(item('alpha', { tenantId: GLOBEX }))),
        'tenant_not_writable',
        "deleting globex's alpha",
      );
      await checkNothingWritten(store, before, "after archive, restore and delete of globex's items by an acme writer");
    },
  ),
  audit(
    'R37.4',
    'MUST',
    'A bulk operation never writes into a tenant the caller may not write: creates and upserts naming it, and updates and deletes by the id of its records, are refused and change nothing.',
    async (env) => {
      const store = await env.newStore();
      const globexItem = await store.save(operator([GLOBEX]), item('alpha', { tenantId: GLOBEX }));
      const initechItem = await store.save(operator([INITECH]), item('alpha', { tenantId: INITECH }));
      const before = await snapshot(store);
      const writer = acmeWriter();
      const attempts: [string, MetadataBulkOperationInput][] = [
        ['a bulk create into globex', { operation: 'create', records: [item('beta', { tenantId: GLOBEX })] }],
        ['a bulk upsert into globex', { operation: 'upsert', records: [item('alpha', { tenantId: GLOBEX, payload: { label: 'x' } })] }],
        [
          "a bulk update of globex's record by id",
          { operation: 'update', changes: [{ id: globexItem.id, expectedVersion: 1, set: { tags: ['x'] } }] },
        ],
        ["a bulk delete of globex's record by id", { operation: 'delete', ids: [{ id: globexItem.id }] }],
        [
          "a bulk update of initech's record (not readable) by id",
          { operation: 'update', changes: [{ id: initechItem.id, expectedVersion: 1, set: { tags: ['x'] } }] },
        ],
        ["a bulk delete of initech's record (not readable) by id", { operation: 'delete', ids: [{ id: initechItem.id }] }],
      ];
      for (const [what, operation] of attempts) checkRefused(await outcomeOf(store.bulk(writer, bulkOf(store, operation))), what);
      await checkNothingWritten(store, before, 'after bulk writes aimed at tenants the caller may not write');
    },
  ),
  audit('R37.5', 'MUST', 'An import naming a tenant the operator may not write is refused and writes nothing.', async (env) => {
    const store = await env.newStore();
    const before = await snapshot(store);
    const deployer: MetadataCallContextInput = { actor: 'deploy-bot', role: 'operator', readTenants: [ACME, GLOBEX], writeTenants: [ACME] };
    checkRefused(
      await outcomeOf(store.import(deployer, [record('alpha', { tenantId: GLOBEX })], importOptions(store))),
      'an import into globex by an operator who writes acme only',
    );
    await checkNothingWritten(store, before, 'after an import into a tenant the operator may not write');
  }),
  audit(
    'R37.6',
    'MUST',
    "A record never moves to another tenant: importing a record that carries another tenant's record id leaves that record where it was.",
    async (env) => {
      const store = await env.newStore();
      const context = operator([ACME, GLOBEX]);
      const original = await store.save(context, item('account'));
      const outcome = await outcomeOf(
        store.import(
          context,
          [record('account', { id: original.id, tenantId: GLOBEX, payload: { label: 'Moved' } })],
          importOptions(store, { onConflict: 'replace' }),
        ),
      );
      if (!outcome.ok)
        check(
          storeErrorOf(outcome.reason),
          `expected the import to succeed or fail with a typed error, store rejected with ${String(outcome.reason)}`,
        );
      const stays = await store.get(context, keyOf(item('account')), { useCache: false });
      check(
        stays?.id === original.id && stays.version === original.version && stays.payload.label === 'account',
        `expected acme's account (${original.id} v${original.version}) to stay as it was, store now holds ${stays ? canonical(stays) : 'nothing'} in acme`,
      );
    },
  ),
];

// ---------------------------------------------------------------------------
// R38: layering and inheritance
// ---------------------------------------------------------------------------

/** Items of tenant acme in a scope: system and platform ones by the operator, user ones by their owner. */
async function saveScoped(
  store: MetadataStore,
  name: string,
  scope: 'system' | 'platform' | 'user',
  fields: Partial<MetadataRecordWriteInput>,
  owner = JANE,
) {
  if (scope === 'user') return store.save(runtime([ACME], owner), item(name, { scope, owner, ...fields }));
  return store.save(operator([ACME]), item(name, { scope, ...fields }));
}

/** name -> payload of what a load gives `context` in acme/object/crm. */
async function effectivePayloads(
  store: MetadataStore,
  context: MetadataCallContextInput,
): Promise<Record<string, { scope: string; payload: JsonObject }>> {
  const records = await loadAll(store, context, { filters: { type: 'object', namespace: 'crm' } });
  const result: Record<string, { scope: string; payload: JsonObject }> = {};
  for (const found of records) {
    check(
      !(found.name in result),
      `expected one loaded item per name, store's load returned ${found.name} twice (${labels(records).join(', ')})`,
    );
    result[found.name] = { scope: found.owner === undefined ? found.scope : `${found.scope}(${found.owner})`, payload: found.payload };
  }
  return result;
}

const GUIDE_SYSTEM_ACCOUNT: JsonObject = {
  label: 'Account',
  fields: {
    name: { type: 'text', required: true },
    industry: { type: 'picklist', options: ['tech', 'retail'] },
    legacy_code: { type: 'text' },
  },
};
const GUIDE_PLATFORM_ACCOUNT: JsonObject = {
  label: 'Customer account',
  fields: { industry: { options: ['tech', 'retail', 'health'] }, region: { type: 'text' }, legacy_code: null },
};
const GUIDE_EFFECTIVE_ACCOUNT: JsonObject = {
  label: 'Customer account',
  fields: {
    name: { type: 'text', required: true },
    industry: { type: 'picklist', options: ['tech', 'retail', 'health'] },
    region: { type: 'text' },
  },
};

const R38: Audit[] = [
  audit(
    'R38.1',
    'MUST',
    "A load serves, for each name, the item of the latest scope the caller sees: the caller's own user item, else the platform item, else the system item.",
    async (env) => {
      const store = await env.newStore();
      await saveScoped(store, 'account', 'system', { payload: { label: 'System account' } });
      await saveScoped(store, 'account', 'platform', { payload: { label: 'Platform account' } });
      await saveScoped(store, 'account', 'user', { payload: { label: "Jane's account" } });
      await saveScoped(store, 'contact', 'system', { payload: { label: 'System contact' } });
      await saveScoped(store, 'lead', 'system', { payload: { label: 'System lead' } });
      await saveScoped(store, 'lead', 'user', { payload: { label: "Bob's lead" } }, BOB);
      checkJson(
        await effectivePayloads(store, runtime([ACME], JANE)),
        {
          account: { scope: `user(${JANE})`, payload: { label: "Jane's account" } },
          contact: { scope: 'system', payload: { label: 'System contact' } },
          lead: { scope: 'system', payload: { label: 'System lead' } },
        },
        "jane's load (her user account, the system contact, the system lead)",
        'served',
      );
      checkJson(
        await effectivePayloads(store, runtime([ACME], BOB)),
        {
          account: { scope: 'platform', payload: { label: 'Platform account' } },
          contact: { scope: 'system', payload: { label: 'System contact' } },
          lead: { scope: `user(${BOB})`, payload: { label: "Bob's lead" } },
        },
        "bob's load (the platform account, the system contact, his user lead)",
        'served',
      );
    },
  ),
  audit(
    'R38.2',
    'MUST',
    "A merge applies the child's payload to its parent's as a JSON Merge Patch (RFC 7396): objects merge recursively, a null removes its key, arrays and scalars replace (the guide's worked example).",
    async (env) => {
      const store = await env.newStore();
      await saveScoped(store, 'account', 'system', { payload: GUIDE_SYSTEM_ACCOUNT });
      await saveScoped(store, 'account', 'platform', { extends: 'account', mergeStrategy: 'merge', payload: GUIDE_PLATFORM_ACCOUNT });
      const served = await effectivePayloads(store, runtime([ACME]));
      checkJson(
        served.account,
        { scope: 'platform', payload: GUIDE_EFFECTIVE_ACCOUNT },
        "the effective account of the guide's worked example",
        'served',
      );
    },
  ),
  audit('R38.3', 'MUST', "A replace serves the child's payload as written, its nulls included, without the parent's keys.", async (env) => {
    const store = await env.newStore();
    await saveScoped(store, 'account', 'system', { payload: GUIDE_SYSTEM_ACCOUNT });
    const own: JsonObject = { label: 'Customer account', legacy_code: null };
    await saveScoped(store, 'account', 'platform', { extends: 'account', mergeStrategy: 'replace', payload: own });
    const served = await effectivePayloads(store, runtime([ACME]));
    checkJson(served.account, { scope: 'platform', payload: own }, 'the replacing child', 'served');
  }),
  audit(
    'R38.4',
    'MUST',
    "An extends names the item in the nearest earlier scope that has it (user: platform, then system; platform: system), possibly of another name, and the parent's own extends is resolved first.",
    async (env) => {
      const store = await env.newStore();
      await saveScoped(store, 'base', 'system', { payload: { a: 1, b: { c: 1, d: 1 }, s: 'system' } });
      await saveScoped(store, 'base', 'platform', { extends: 'base', payload: { b: { c: 2 }, p: 'platform' } });
      await saveScoped(store, 'base', 'user', { extends: 'base', payload: { b: { d: null }, u: 'user' } });
      await saveScoped(store, 'account', 'system', { payload: { label: 'Account', fields: { name: { type: 'text' } } } });
      await saveScoped(store, 'partner_account', 'platform', { extends: 'account', payload: { label: 'Partner account' } });
      await saveScoped(store, 'contact', 'system', { payload: { label: 'Contact', x: 1 } });
      await saveScoped(store, 'contact', 'user', { extends: 'contact', payload: { x: 2 } });
      checkJson(
        await effectivePayloads(store, runtime([ACME], JANE)),
        {
          account: { scope: 'system', payload: { label: 'Account', fields: { name: { type: 'text' } } } },
          base: { scope: `user(${JANE})`, payload: { a: 1, b: { c: 2 }, s: 'system', p: 'platform', u: 'user' } },
          contact: { scope: `user(${JANE})`, payload: { label: 'Contact', x: 2 } },
          partner_account: { scope: 'platform', payload: { label: 'Partner account', fields: { name: { type: 'text' } } } },
        },
        'user over platform over system, a platform item extending another name, a user item extending a system item',
        'served',
      );
    },
  ),
  audit(
    'R38.5',
    'MUST',
    "A resolved item has the child's envelope (id, scope, version, state, tags, extends, audit fields) and the checksum of its effective payload.",
    async (env) => {
      const store = await env.newStore();
      await saveScoped(store, 'account', 'system', { payload: GUIDE_SYSTEM_ACCOUNT, tags: ['shipped'] });
      await saveScoped(store, 'account', 'platform', { extends: 'account', payload: { label: 'Customer' }, tags: ['custom'] });
      // A second version, replaced whole so that the stored payload keeps its null (an update would merge it away).
      await store.save(operator([ACME]), item('account', { payload: GUIDE_PLATFORM_ACCOUNT, state: 'deprecated' }), {
        onConflict: 'replace',
      });
      const stored = await store.get(observer(), keyOf(item('account')), { useCache: false });
      check(stored, 'expected the platform account to be stored, store returned null');
      const [resolved, ...others] = await loadAll(store, runtime([ACME]), { filters: { name: 'account' } });
      check(resolved && others.length === 0, `expected one loaded account, store served ${others.length + (resolved ? 1 : 0)}`);
      checkJson(resolved.payload, GUIDE_EFFECTIVE_ACCOUNT, 'the effective payload of account', 'served');
      checkJson(
        { ...resolved, payload: null, checksum: null },
        { ...stored, payload: null, checksum: null },
        "the resolved item's envelope (the stored child's)",
        'served',
      );
      check(
        resolved.checksum === checksumOf(GUIDE_EFFECTIVE_ACCOUNT),
        `expected the checksum of the effective payload, ${checksumOf(GUIDE_EFFECTIVE_ACCOUNT)}, store served ${resolved.checksum}`,
      );
    },
  ),
  audit(
    'R38.6',
    'MUST',
    "A load that meets an extends naming no item in an earlier scope fails with inconsistent_inheritance (the child's key and the missing name), serving neither the item nor a partial result.",
    async (env) => {
      const store = await env.newStore();
      await saveScoped(store, 'contact', 'platform', { payload: { label: 'Contact' } });
      await saveScoped(store, 'orphan', 'platform', { extends: 'missing_parent', payload: { label: 'Orphan' } });
      const filtered = await expectStoreError(
        store.load(runtime([ACME]), { filters: { name: 'orphan' }, useCache: false }),
        'inconsistent_inheritance',
        'a load of an item extending missing_parent',
      );
      check(
        filtered.key.name === 'orphan' && filtered.key.scope === 'platform' && filtered.extends === 'missing_parent',
        `expected the error to name platform orphan and missing_parent, store named ${canonical(filtered.key)} and ${filtered.extends}`,
      );
      await expectStoreError(
        store.load(runtime([ACME]), { useCache: false }),
        'inconsistent_inheritance',
        'an unfiltered load of a tenant holding that item',
      );
    },
  ),
  audit(
    'R38.7',
    'MUST',
    "An extends searches earlier scopes only: an item of the same scope, or another user's item, is never a parent, so the load fails with inconsistent_inheritance.",
    async (env) => {
      const sameScope = await env.newStore();
      await saveScoped(sameScope, 'base', 'platform', { payload: { label: 'Platform base' } });
      await saveScoped(sameScope, 'child', 'platform', { extends: 'base', payload: { label: 'Child' } });
      await expectStoreError(
        sameScope.load(runtime([ACME]), { filters: { name: 'child' }, useCache: false }),
        'inconsistent_inheritance',
        'a load of a platform item extending a name only the platform scope has',
      );
      const otherUser = await env.newStore();
      await saveScoped(otherUser, 'view_base', 'user', { payload: { label: "Bob's view" } }, BOB);
      await saveScoped(otherUser, 'my_view', 'user', { extends: 'view_base', payload: { label: "Jane's view" } });
      await expectStoreError(
        otherUser.load(runtime([ACME], JANE), { filters: { name: 'my_view' }, useCache: false }),
        'inconsistent_inheritance',
        "a load of jane's item extending a name only bob's user item has",
      );
    },
  ),
];

// ---------------------------------------------------------------------------
// R39: system scope is read-only at runtime
// ---------------------------------------------------------------------------

const systemItem = (name: string, fields: Partial<MetadataRecordWriteInput> = {}) => item(name, { scope: 'system', ...fields });

const R39: Audit[] = [
  audit(
    'R39.1',
    'MUST',
    'A runtime caller cannot create a system-scope item: the save, dry run or not, is forbidden (system_scope_read_only) and writes nothing.',
    async (env) => {
      const store = await env.newStore();
      const before = await snapshot(store);
      await expectForbidden(
        store.save(runtime([ACME]), systemItem('account')),
        'system_scope_read_only',
        'a runtime save creating a system item',
      );
      await expectForbidden(
        store.save(runtime([ACME]), systemItem('account'), { dryRun: true }),
        'system_scope_read_only',
        'a runtime dry-run save creating a system item',
      );
      await checkNothingWritten(store, before, 'after runtime saves of a system item');
    },
  ),
  audit(
    'R39.2',
    'MUST',
    'A runtime caller cannot change, archive, restore or delete a system-scope item: each call is forbidden (system_scope_read_only) and changes nothing.',
    async (env) => {
      const store = await env.newStore();
      await store.save(operator([ACME]), systemItem('account'));
      await store.save(operator([ACME]), systemItem('contact'));
      await store.archive(operator([ACME]), keyOf(systemItem('contact')));
      const before = await snapshot(store);
      const context = runtime([ACME]);
      const key = keyOf(systemItem('account'));
      const changed = systemItem('account', { payload: { label: 'Changed' } });
      await expectForbidden(store.save(context, changed), 'system_scope_read_only', 'a runtime save updating a system item');
      await expectForbidden(
        store.save(context, changed, { onConflict: 'replace' }),
        'system_scope_read_only',
        'a runtime save replacing a system item',
      );
      await expectForbidden(store.archive(context, key), 'system_scope_read_only', 'a runtime archive of a system item');
      await expectForbidden(
        store.restore(context, keyOf(systemItem('contact'))),
        'system_scope_read_only',
        'a runtime restore of a system item',
      );
      await expectForbidden(store.delete(context, key), 'system_scope_read_only', 'a runtime delete of a system item');
      await checkNothingWritten(store, before, 'after runtime writes to system items');
    },
  ),
  audit(
    'R39.3',
    'MUST',
    'A runtime bulk operation cannot create, change or delete a system-scope item: it is refused and changes nothing.',
    async (env) => {
      const store = await env.newStore();
      const stored = await store.save(operator([ACME]), systemItem('account'));
      const before = await snapshot(store);
      const context = runtime([ACME]);
      const attempts: [string, MetadataBulkOperationInput][] = [
        ['a runtime bulk create of a system item', { operation: 'create', records: [systemItem('contact')] }],
        [
          'a runtime bulk upsert of a system item',
          { operation: 'upsert', records: [systemItem('account', { payload: { label: 'Changed' } })] },
        ],
        [
          'a runtime bulk update of a system item by id',
          { operation: 'update', changes: [{ id: stored.id, expectedVersion: 1, set: { tags: ['x'] } }] },
        ],
        ['a runtime bulk delete of a system item by id', { operation: 'delete', ids: [{ id: stored.id }] }],
      ];
      for (const [what, operation] of attempts) checkRefused(await outcomeOf(store.bulk(context, bulkOf(store, operation))), what);
      await checkNothingWritten(store, before, 'after runtime bulk writes to system items');
    },
  ),
  audit(
    'R39.4',
    'MUST',
    "A runtime caller's import is forbidden (operator_only) and writes nothing: system items change only through an operator's import.",
    async (env) => {
      const store = await env.newStore();
      const before = await snapshot(store);
      await expectForbidden(
        store.import(runtime([ACME]), [record('account', { scope: 'system' }), record('contact')], importOptions(store)),
        'operator_only',
        'an import by a runtime caller',
      );
      await checkNothingWritten(store, before, 'after an import by a runtime caller');
    },
  ),
  audit('R39.5', 'MUST', 'An operator can create, change, archive, restore and delete a system-scope item.', async (env) => {
    const store = await env.newStore();
    const context = operator([ACME]);
    const key = keyOf(systemItem('account'));
    const versions = [
      (await store.save(context, systemItem('account'))).version,
      (await store.save(context, systemItem('account', { payload: { label: 'Changed' } }))).version,
      (await store.archive(context, key)).version,
      (await store.restore(context, key)).version,
    ];
    checkJson(versions, [1, 2, 3, 4], "the versions after an operator's create, update, archive and restore of a system item", 'gave');
    await store.delete(context, key);
    const gone = await store.get(context, key, { useCache: false });
    check(gone === null, `expected the operator's delete to remove the system item, store still holds ${gone && canonical(gone)}`);
  }),
];

// ---------------------------------------------------------------------------
// R40: user-scope items only for their owner
// ---------------------------------------------------------------------------

const janeItem = (name: string, fields: Partial<MetadataRecordWriteInput> = {}) => item(name, { scope: 'user', owner: JANE, ...fields });
const administrator = (): MetadataCallContextInput => ({ ...runtime([ACME], 'admin@acme'), administersUsers: true });

const R40: Audit[] = [
  audit(
    'R40.1',
    'MUST',
    'A user-scope item is served to its owner and to no other user: get, query, load and export by another user never return it.',
    async (env) => {
      const store = await env.newStore();
      const jane = runtime([ACME], JANE);
      const bob = runtime([ACME], BOB);
      await store.save(jane, janeItem('my_view'));
      await store.save(jane, item('shared_view'));
      const key = keyOf(janeItem('my_view'));
      const reads: [string, (context: MetadataCallContextInput) => Promise<MetadataRecord[]>][] = [
        ['get', async (context) => [await store.get(context, key, { useCache: false })].filter((r): r is MetadataRecord => r !== null)],
        ['query', (context) => queryAll(store, context)],
        ['query filtering on owner jane', (context) => queryAll(store, context, { filters: { owner: JANE } })],
        ['query filtering on scope user', (context) => queryAll(store, context, { filters: { scope: 'user' } })],
        ['load', (context) => loadAll(store, context)],
        ['load without inheritance', (context) => loadAll(store, context, { resolveInheritance: false })],
        ['export', (context) => exportAll(store, context)],
      ];
      for (const [what, read] of reads) {
        const bobSees = (await read(bob)).filter((found) => found.scope === 'user');
        check(bobSees.length === 0, `${what} by bob: expected no user-scope item of jane's, store returned ${labels(bobSees).join(', ')}`);
        const janeSees = (await read(jane)).filter((found) => found.scope === 'user').map(label);
        check(
          canonical(janeSees) === canonical([`acme/user(${JANE})/my_view`]),
          `${what} by jane: expected her own my_view, store returned ${janeSees.join(', ') || 'nothing'}`,
        );
      }
    },
  ),
  audit(
    'R40.2',
    'MUST',
    "A caller who administers users (administersUsers) is served other users' user-scope items by get and query.",
    async (env) => {
      const store = await env.newStore();
      await store.save(runtime([ACME], JANE), janeItem('my_view'));
      const found = await store.get(administrator(), keyOf(janeItem('my_view')), { useCache: false });
      check(
        found?.owner === JANE,
        `expected an administrator's get of jane's my_view to return it, store returned ${found && canonical(found)}`,
      );
      const listed = await queryAll(store, administrator(), { filters: { owner: JANE } });
      checkJson(labels(listed), [`acme/user(${JANE})/my_view`], "an administrator's query on owner jane", 'returned');
    },
  ),
  audit(
    'R40.3',
    'MUST',
    "Another user's writes to a user's items (save, archive, restore, delete, bulk) are refused, forbidden (not_owner) for single-item calls, and change nothing.",
    async (env) => {
      const store = await env.newStore();
      const jane = runtime([ACME], JANE);
      const stored = await store.save(jane, janeItem('my_view'));
      await store.save(jane, janeItem('old_view'));
      await store.archive(jane, keyOf(janeItem('old_view')));
      const before = await snapshot(store);
      const bob = runtime([ACME], BOB);
      const key = keyOf(janeItem('my_view'));
      await expectForbidden(store.save(bob, janeItem('new_view')), 'not_owner', 'bob creating an item owned by jane');
      await expectForbidden(
        store.save(bob, janeItem('my_view', { payload: { label: 'Changed' } })),
        'not_owner',
        "bob changing jane's my_view",
      );
      await expectForbidden(store.archive(bob, key), 'not_owner', "bob archiving jane's my_view");
      await expectForbidden(store.restore(bob, keyOf(janeItem('old_view'))), 'not_owner', "bob restoring jane's old_view");
      await expectForbidden(store.delete(bob, key), 'not_owner', "bob deleting jane's my_view");
      checkRefused(
        await outcomeOf(
          store.bulk(bob, bulkOf(store, { operation: 'update', changes: [{ id: stored.id, expectedVersion: 1, set: { tags: ['x'] } }] })),
        ),
        "bob's bulk update of jane's my_view by id",
      );
      checkRefused(
        await outcomeOf(store.bulk(bob, bulkOf(store, { operation: 'delete', ids: [{ id: stored.id }] }))),
        "bob's bulk delete of jane's my_view by id",
      );
      await checkNothingWritten(store, before, "after bob's writes to jane's items");
    },
  ),
  audit('R40.4', 'MUST', "A caller who administers users can change another user's user-scope item.", async (env) => {
    const store = await env.newStore();
    await store.save(runtime([ACME], JANE), janeItem('my_view'));
    const result = await store.save(administrator(), janeItem('my_view', { payload: { label: 'Fixed by admin' } }));
    check(result.status === 'updated', `expected an administrator's save of jane's my_view to update it, store reported ${result.status}`);
  }),
];

// ---------------------------------------------------------------------------
// R42: migrations applied only by operators
// ---------------------------------------------------------------------------

const SCRIPTED_STEP: MetadataMigrationOperationInput = {
  type: 'backup',
  table: '_framework_metadata',
  backupTable: 'conformance_probe_backup',
  script: { dialect: 'postgres', sql: 'SELECT 1' },
};

const R42: Audit[] = [
  audit(
    'R42.1',
    'MUST',
    'Applying a migration (dryRun false) as a runtime caller is forbidden (operator_only), while the same call by an operator is not.',
    async (env) => {
      const store = await env.newStore();
      await expectForbidden(store.migrate(runtime([ACME]), { dryRun: false }), 'operator_only', 'a runtime caller applying a migration');
      const outcome = await outcomeOf(store.migrate(operator([ACME]), { dryRun: false }));
      const error = outcome.ok ? undefined : storeErrorOf(outcome.reason);
      check(
        outcome.ok || (error && error.code !== 'forbidden'),
        `expected an operator's migration not to be forbidden, store refused it: ${outcome.ok ? '' : canonical(error ?? String(outcome.reason))}`,
      );
    },
  ),
  audit(
    'R42.2',
    'MUST',
    'Applying a migration step that carries a script as a runtime caller is forbidden (operator_only): scripts come only from operators.',
    async (env) => {
      const store = await env.newStore();
      await expectForbidden(
        store.migrate(runtime([ACME]), { dryRun: false, steps: [SCRIPTED_STEP] }),
        'operator_only',
        'a runtime caller applying a migration step with a script',
      );
    },
  ),
];

// ---------------------------------------------------------------------------
// R43, R44: nothing secret or private in errors and responses
// ---------------------------------------------------------------------------

/** Marker strings the audits put where a message must not repeat them. */
const PAYLOAD_MARKER = 'mkr_payload_q7x3z9';
const FILTER_MARKER = 'mkr_filter_q7x3z9';
const FORGED_CURSOR = 'bWtyX2N1cnNvcl9xN3gzejk6Zm9yZ2Vk';

const markedPayload = (): JsonObject => ({
  label: `Account ${PAYLOAD_MARKER}`,
  fields: { note: { help: PAYLOAD_MARKER } },
  codes: [PAYLOAD_MARKER],
});
const markedCondition = { field: 'payload/label', operator: 'eq', value: `Label ${FILTER_MARKER}` } as const;

/** Changes one character of a cursor, keeping it base64url. */
function tamper(cursor: string): string {
  const last = cursor.at(-1) === 'A' ? 'B' : 'A';
  return `${cursor.slice(0, -1)}${last}`;
}

interface Provoked {
  errors: ErrorCollector;
  /** Cursors the store issued or was given, which no error may repeat. */
  cursors: string[];
}

/**
 * Runs calls that fail in every way a store reports (each error code the
 * interface can reach without a second client), with marked payloads,
 * filter values and cursors, and collects what their errors say.
 */
async function provokeFailures(env: AuditEnv): Promise<Provoked> {
  const errors = new ErrorCollector();
  const cursors = [FORGED_CURSOR];
  const store = await env.newStore();
  const context = runtime([ACME]);
  const op = operator([ACME]);
  const bad = <T>(value: unknown) => value as T;
  const marked = (name: string, fields: Partial<MetadataRecordWriteInput> = {}) => item(name, { payload: markedPayload(), ...fields });
  await store.save(context, marked('account'));
  await store.save(context, item('contact'));
  await store.save(context, item('lead'));

  // Payload values.
  await errors.run('a save with onConflict error over a stored item', () =>
    store.save(context, marked('account'), { onConflict: 'error' }),
  );
  await errors.run('a dry-run save with onConflict error over a stored item', () =>
    store.save(context, marked('account'), { onConflict: 'error', dryRun: true }),
  );
  await errors.run('a save expecting version 9', () => store.save(context, marked('account'), { expectedVersion: 9 }));
  await errors.run('a save expecting a version of an unstored item', () => store.save(context, marked('ghost'), { expectedVersion: 1 }));
  await errors.run('a save into a tenant not writable', () => store.save(context, marked('account', { tenantId: GLOBEX })));
  await errors.run('a runtime save of a system item', () => store.save(context, marked('account', { scope: 'system' })));
  await errors.run("bob's save of jane's item", () => store.save(runtime([ACME], BOB), marked('my_view', { scope: 'user', owner: JANE })));
  await errors.run('a save by a read-only caller', () => store.save(reader([ACME]), marked('account')));
  await errors.run('a save whose payload holds NaN', () =>
    store.save(context, marked('account', { payload: { ...markedPayload(), bad: Number.NaN } })),
  );
  await errors.run('a save whose payload has a __proto__ key', () =>
    store.save(
      context,
      marked('account', { payload: JSON.parse(`{"__proto__": "${PAYLOAD_MARKER}", "label": "${PAYLOAD_MARKER}"}`) as JsonObject }),
    ),
  );
  await errors.run('a save whose payload is an array', () =>
    store.save(context, bad<MetadataRecordWriteInput>({ ...item('account'), payload: [PAYLOAD_MARKER] })),
  );
  await errors.run('a save with an invalid onConflict', () => store.save(context, marked('account'), bad({ onConflict: 'sideways' })));
  await errors.run('a save with an envelope field the runtime owns', () =>
    store.save(context, bad<MetadataRecordWriteInput>({ ...marked('account'), version: 3 })),
  );
  await errors.run('a bulk create meeting a stored key', () =>
    store.bulk(context, bulkOf(store, { operation: 'create', records: [marked('account')] })),
  );
  await errors.run('a bulk upsert expecting version 9', () =>
    store.bulk(context, bulkOf(store, { operation: 'upsert', records: [marked('account', { expectedVersion: 9 })] })),
  );
  await errors.run('a bulk create by a read-only caller', () =>
    store.bulk(reader([ACME]), bulkOf(store, { operation: 'create', records: [marked('fresh')] })),
  );
  await errors.run('an import by a runtime caller', () =>
    store.import(context, [record('account', { payload: markedPayload() })], importOptions(store)),
  );
  await errors.run('an import meeting a stored key', () =>
    store.import(op, [record('account', { payload: markedPayload() })], importOptions(store, { onConflict: 'error' })),
  );

  // Filter values.
  const query = (options: unknown) => () => store.query(context, bad<MetadataQueryOptionsInput>(options));
  await errors.run(
    'a query comparing createdAt with a non-date',
    query({ filters: { conditions: [{ field: 'createdAt', operator: 'eq', value: FILTER_MARKER }] } }),
  );
  await errors.run(
    'a query ordering against an object',
    query({ filters: { conditions: [{ field: 'payload/label', operator: 'gt', value: { note: FILTER_MARKER } }] } }),
  );
  await errors.run(
    'a query with an object in an in list',
    query({ filters: { conditions: [{ field: 'payload/label', operator: 'in', value: [FILTER_MARKER, { x: FILTER_MARKER }] }] } }),
  );
  await errors.run(
    'a query with a dot-form path',
    query({ filters: { conditions: [{ field: 'payload.label', operator: 'eq', value: FILTER_MARKER }] } }),
  );
  await errors.run('a query with pageSize 1001', query({ filters: { conditions: [markedCondition] }, pagination: { pageSize: 1001 } }));
  await errors.run('a query with an unknown option', query({ filters: { conditions: [markedCondition] }, includeDeleted: true }));
  await errors.run('a query with an invalid name filter', query({ filters: { name: `Bad ${FILTER_MARKER}` } }));
  await errors.run('a query with an invalid tenantId filter', query({ filters: { tenantId: `acme corp ${FILTER_MARKER}` } }));
  await errors.run(
    'a query with a forged cursor',
    query({ filters: { conditions: [markedCondition] }, pagination: { pageSize: 1, cursor: FORGED_CURSOR } }),
  );
  await errors.run('a load comparing updatedAt with a non-date', () =>
    store.load(context, bad({ filters: { conditions: [{ field: 'updatedAt', operator: 'lt', value: FILTER_MARKER }] }, useCache: false })),
  );
  await errors.run('an export comparing createdAt with a non-date', () =>
    drain(store.export(context, bad({ filters: { conditions: [{ field: 'createdAt', operator: 'gte', value: FILTER_MARKER }] } }))),
  );

  // Cursors.
  const first = await store.query(context, { pagination: { pageSize: 1 } });
  if (first.nextCursor !== undefined) {
    const cursor = first.nextCursor;
    cursors.push(cursor, tamper(cursor));
    await errors.run(
      "a query reusing another query's cursor",
      query({ filters: { type: 'view', conditions: [markedCondition] }, pagination: { pageSize: 1, cursor } }),
    );
    await errors.run('a query with a tampered cursor', query({ pagination: { pageSize: 1, cursor: tamper(cursor) } }));
  }
  const loaded = await store.load(context, { pagination: { pageSize: 1 }, useCache: false });
  if (loaded.nextCursor !== undefined) {
    const cursor = loaded.nextCursor;
    cursors.push(cursor);
    await errors.run("a load reusing another load's cursor", () =>
      store.load(context, {
        filters: { name: 'lead', conditions: [markedCondition] },
        pagination: { pageSize: 1, cursor },
        useCache: false,
      }),
    );
  }
  await errors.run('a load with a forged cursor', () =>
    store.load(context, { pagination: { pageSize: 1, cursor: FORGED_CURSOR }, useCache: false }),
  );

  // Every other code.
  await errors.run('a feed read of a tenant not readable', () => store.changes(context, { tenantId: GLOBEX }));
  await errors.run('a feed read naming no tenant with two readable', () => store.changes(runtimeOf([ACME, GLOBEX], []), {}));
  await errors.run('a runtime applying a migration', () => store.migrate(context, { dryRun: false }));
  await errors.run('an operator applying a scripted step', () => store.migrate(op, { dryRun: false, steps: [SCRIPTED_STEP] }));
  await errors.run('an archive of an unstored item', () => store.archive(context, keyOf(item('ghost'))));
  await errors.run('a delete expecting version 9', () => store.delete(context, keyOf(item('contact')), { expectedVersion: 9 }));
  await errors.run('a call with an invalid context', () =>
    store.get(bad<MetadataCallContextInput>({ actor: '', readTenants: [] }), keyOf(item('account'))),
  );
  // A store may refuse a dangling extends when it is saved; then the load below simply succeeds.
  await outcomeOf(store.save(context, item('orphan', { extends: 'missing_parent', payload: markedPayload() })));
  await errors.run('a load meeting a dangling extends', () =>
    store.load(context, { filters: { conditions: [markedCondition] }, useCache: false }),
  );

  const closed = await env.newStore();
  await closed.close();
  await errors.run('a get on a closed store', () => closed.get(context, keyOf(item('account'))));
  await errors.run('a save on a closed store', () => closed.save(context, marked('account')));
  await errors.run('a query on a closed store', () => closed.query(context, { filters: { conditions: [markedCondition] } }));
  return { errors, cursors };
}

/** A connection URL (any scheme with credentials, or a database scheme) or a credential assignment. */
const SECRET_PATTERNS: readonly [RegExp, string][] = [
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s/?#@]*@/i, 'a URL with credentials'],
  [/\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|sqlite|redis|jdbc:[a-z]+):\/\//i, 'a database connection URL'],
  [/\b(?:password|passwd|pwd|secret|token|api[_-]?key)"?\s*[=:]\s*"?[^\s"]/i, 'a credential'],
];

const R43: Audit[] = [
  audit('R43.1', 'MUST', 'No error a store returns, for any failure it reports, carries a connection URL or a credential.', async (env) => {
    const { errors } = await provokeFailures(env);
    for (const [pattern, what] of SECRET_PATTERNS) errors.checkNoMatch(pattern, `no error to carry ${what}`);
  }),
  audit(
    'R43.2',
    'MUST',
    'No response of a store (profile, save result, records, change events, export, migration plan) carries a connection URL or a credential.',
    async (env) => {
      const store = await env.newStore();
      const context = runtime([ACME]);
      const responses: [string, unknown][] = [['profile', store.profile]];
      responses.push(['save result', await store.save(context, item('account'))]);
      responses.push(['get', await store.get(context, keyOf(item('account')), { useCache: false })]);
      responses.push(['query', await store.query(context, {})]);
      responses.push(['load', await store.load(context, { useCache: false })]);
      responses.push(['change feed', await store.changes(context, {})]);
      responses.push(['export', await exportAll(store, context)]);
      responses.push(['bulk result', await store.bulk(context, bulkOf(store, { operation: 'create', records: [item('contact')] }))]);
      responses.push(['migration plan', await store.migrate(operator([ACME]), { dryRun: true })]);
      for (const [what, response] of responses) {
        const text = canonical(response);
        for (const [pattern, kind] of SECRET_PATTERNS) {
          check(!pattern.test(text), `expected the ${what} to carry no ${kind}, store returned ${shorten(text)}`);
        }
      }
    },
  ),
];

const R44: Audit[] = [
  audit('R44.1', 'SHOULD', 'No error a store returns repeats a value of the payload it was given.', async (env) => {
    const { errors } = await provokeFailures(env);
    errors.checkNone(PAYLOAD_MARKER, `no error to repeat the payload value ${PAYLOAD_MARKER}`);
  }),
  audit('R44.2', 'SHOULD', 'No error a store returns repeats a filter value it was given.', async (env) => {
    const { errors } = await provokeFailures(env);
    errors.checkNone(FILTER_MARKER, `no error to repeat the filter value ${FILTER_MARKER}`);
  }),
  audit(
    'R44.3',
    'SHOULD',
    'No error a store returns repeats a cursor, whether it issued it, it was tampered with or forged.',
    async (env) => {
      const { errors, cursors } = await provokeFailures(env);
      for (const cursor of cursors) errors.checkNone(cursor, `no error to repeat the cursor ${cursor}`);
    },
  ),
];

// ---------------------------------------------------------------------------
// R45, R46: an honest profile; no silent downgrade
// ---------------------------------------------------------------------------

const PROBE_STEPS: MetadataMigrationOperationInput[] = [
  { type: 'create', table: 'conformance_probe', tableSchema: { tableName: 'conformance_probe' } },
  { type: 'drop', table: 'conformance_probe', acknowledgeDataLoss: true },
];

const R45: Audit[] = [
  audit(
    'R45.1',
    'MUST',
    'The store describes itself with a valid MetadataStoreProfile of this protocol version, so a caller can tell what it cannot honour.',
    async (env) => {
      const store = await env.newStore();
      const parsed = MetadataStoreProfileSchema.safeParse(store.profile);
      check(
        parsed.success,
        `expected a valid MetadataStoreProfile, store's profile ${canonical(store.profile)} fails: ${parsed.error?.message ?? ''}`,
      );
      check(
        parsed.data.protocolVersion === METADATA_PROTOCOL_VERSION,
        `expected protocolVersion ${METADATA_PROTOCOL_VERSION}, store's profile says ${parsed.data.protocolVersion}`,
      );
    },
  ),
  audit(
    'R45.2',
    'MUST',
    'A store without a schema (kind memory) refuses explicit migration steps with unsupported_capability, planned or applied, and never reports them applied.',
    async (env) => {
      const store = await env.newStore();
      if (store.profile.kind !== 'memory')
        throw new AuditSkipped('the store has a schema (kind datasource): explicit steps are its to run');
      for (const dryRun of [true, false]) {
        await expectStoreError(
          store.migrate(operator([ACME]), { dryRun, steps: PROBE_STEPS }),
          'unsupported_capability',
          `an operator's migration with explicit steps (dryRun ${dryRun}) on a store without a schema`,
        );
      }
    },
  ),
];

const R46: Audit[] = [
  audit(
    'R46.1',
    'MUST',
    'A store whose profile says atomicImport false refuses an atomic import with unsupported_capability before writing anything, instead of running it in pieces.',
    async (env) => {
      const store = await env.newStore();
      if (store.profile.atomicImport) throw new AuditSkipped('the profile declares atomic imports');
      const before = await snapshot(store);
      await expectStoreError(
        store.import(operator([ACME]), [record('alpha'), record('beta')], { atomic: true }),
        'unsupported_capability',
        'an atomic import on a store whose profile says atomicImport false',
      );
      await checkNothingWritten(store, before, 'after a refused atomic import');
    },
  ),
  audit(
    'R46.2',
    'MUST',
    'A store whose profile says transactionalBulk false refuses a transactional bulk operation with unsupported_capability before writing anything.',
    async (env) => {
      const store = await env.newStore();
      if (store.profile.transactionalBulk) throw new AuditSkipped('the profile declares transactional bulk operations');
      const before = await snapshot(store);
      await expectStoreError(
        store.bulk(runtime([ACME]), { operation: 'create', records: [item('alpha'), item('beta')], transactional: true }),
        'unsupported_capability',
        'a transactional bulk create on a store whose profile says transactionalBulk false',
      );
      await checkNothingWritten(store, before, 'after a refused transactional bulk operation');
    },
  ),
  audit(
    'R46.3',
    'MUST',
    'On a datasource without transactional DDL a migration plan never claims to be atomic, nor any DDL step to be transactional.',
    async (env) => {
      const store = await env.newStore();
      if (store.profile.capabilities?.transactionalDdl !== false) {
        throw new AuditSkipped('the profile declares transactional DDL, or no capability profile');
      }
      const outcome = await outcomeOf(store.migrate(operator([ACME]), { dryRun: true, steps: PROBE_STEPS }));
      if (!outcome.ok) {
        const error = storeErrorOf(outcome.reason);
        check(
          error?.code === 'unsupported_capability',
          `expected the plan or an unsupported_capability refusal, store failed with ${canonical(error ?? String(outcome.reason))}`,
        );
        return;
      }
      const plan = outcome.value;
      check(
        !plan.atomic,
        `expected a plan of ${plan.steps.length} DDL steps without transactional DDL not to be atomic, store's plan says atomic: true`,
      );
      const claimed = plan.steps.find((step) => step.transactional);
      check(!claimed, `expected no DDL step to be transactional, store's plan says ${claimed?.operation.type} is`);
    },
  ),
];

/** The audits of R33 to R47, in requirement order. */
export const auditsR33toR47: Audit[] = [
  ...R33,
  ...R34,
  ...R35,
  ...R36,
  ...R37,
  ...R38,
  ...R39,
  ...R40,
  ...R42,
  ...R43,
  ...R44,
  ...R45,
  ...R46,
];
