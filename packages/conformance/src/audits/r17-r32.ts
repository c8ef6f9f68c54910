/**
 * Audits of requirements R17 to R32: atomic import, reading back exactly what
 * was written, the identity key, caching, total order and paging, cursors,
 * page limits, optimistic concurrency and rollback. Each audit uses its own
 * fresh stores and observes the store through the MetadataStore interface
 * only. R23, R27 and R31 have no audit: see NOT_AUDITABLE in coverage.ts.
 */
import type {
  JsonObject,
  MetadataBulkOperationInput,
  MetadataCallContextInput,
  MetadataLoadOptionsInput,
  MetadataOperationResult,
  MetadataRecord,
  MetadataRecordWriteInput,
  MetadataSortInput,
  MetadataStore,
} from '@metasource/spec';
import type { Audit, AuditEnv } from '../audit';
import { canonical, expectStoreError } from '../assert';
import { item, operator, runtime } from '../fixtures';
import {
  TENANT,
  alterCursor,
  base64url,
  expectNoEventSince,
  expectNoRepeat,
  expectNotStored,
  expectThat,
  expectUnchanged,
  idsOf,
  importRecord,
  key,
  keyOf,
  lastSequence,
  mustGet,
  protocolOrder,
  readAllPages,
  readBack,
  readPage,
  runOrRefusal,
  secondClientOf,
  show,
  shuffled,
  type LoadExtras,
  type PageOptions,
  type Reader,
} from './r17-r32-helpers';

// ---------------------------------------------------------------------------
// Shared steps
// ---------------------------------------------------------------------------

/** Saves each write in order, each a new item, and returns the stored records. */
async function seed(store: MetadataStore, context: MetadataCallContextInput, writes: readonly MetadataRecordWriteInput[]) {
  const records: MetadataRecord[] = [];
  for (const write of writes) {
    const result = await store.save(context, write, { onConflict: 'error' });
    expectThat(result.status === 'created', `seeding ${write.name} to create it`, `reported ${result.status}`);
    const { tenantId = TENANT, type, namespace = 'default', scope = 'platform', owner, name } = write;
    records.push(await mustGet(store, context, { tenantId, type, namespace, scope, ...(owner ? { owner } : {}), name }));
  }
  return records;
}

/** Saves `name` `times` more times with a changed payload, so that its version is times + 1. */
async function bump(store: MetadataStore, context: MetadataCallContextInput, name: string, times: number): Promise<MetadataRecord> {
  for (let i = 1; i <= times; i++) await store.save(context, item(name, { payload: { label: name, revision: i } }));
  return mustGet(store, context, key(name));
}

/** The failed item of a report, checked to be at `index` with `code`. */
function failedItem(report: MetadataOperationResult, index: number, code: string, what: string) {
  const entry = report.items[index];
  expectThat(entry !== undefined, `a result for item ${index} of ${what}`, `reported ${report.items.length} items`);
  expectThat(
    entry.status === 'failed' && entry.error?.code === code,
    `item ${index} of ${what} to fail with ${code}`,
    `reported ${show({ status: entry.status, error: entry.error })}`,
  );
  return entry.error!;
}

/** Fails unless a transactional operation (an atomic import, a transactional bulk) reports that it committed nothing. */
function expectRolledBack(report: MetadataOperationResult, count: number, what: string) {
  expectThat(report.items.length === count, `${count} item results from ${what}`, `reported ${report.items.length}`);
  expectThat(
    report.committed === false && report.dryRun === false,
    `${what} to report committed: false (rolled back, not a dry run)`,
    `reported committed: ${report.committed}, dryRun: ${report.dryRun}`,
  );
}

/** A platform-scope item with a changed payload, state and tags: a write that would change several fields. */
function rewrite(name: string, label: string): MetadataRecordWriteInput {
  return item(name, { payload: { label, changed: true }, state: 'deprecated', tags: ['rewritten'] });
}

// ---------------------------------------------------------------------------
// R17: atomic import
// ---------------------------------------------------------------------------

/** Imports `records` atomically; where the store cannot, checks that it refuses up front instead. */
async function atomicImportOrRefusal(
  store: MetadataStore,
  context: MetadataCallContextInput,
  records: Parameters<MetadataStore['import']>[1],
  options: Parameters<MetadataStore['import']>[2],
): Promise<MetadataOperationResult | undefined> {
  return runOrRefusal(
    store.profile.atomicImport,
    () => store.import(context, records, options),
    'an atomic import on a store whose profile says atomicImport: false',
  );
}

const r17: Audit[] = [
  {
    id: 'R17.1',
    requirement: 'R17',
    level: 'MUST',
    title:
      'An atomic import whose last record meets a stored key (onConflict error) writes none of its records and reports committed: false with that record failed as already_exists (a store without atomic imports refuses it up front).',
    async run(env) {
      const store = await env.newStore();
      const op = operator();
      const [stored] = await seed(store, op, [item('account')]);
      const sequence = await lastSequence(store, op);
      const records = [importRecord('contact'), importRecord('lead'), importRecord('account', { payload: { label: 'Imported' } })];
      const report = await atomicImportOrRefusal(store, op, records, { onConflict: 'error' });
      if (report) {
        expectRolledBack(report, 3, 'an atomic import whose last record conflicts');
        const error = failedItem(report, 2, 'already_exists', 'the atomic import');
        expectThat(
          error.code === 'already_exists' && error.existingId === stored!.id && error.actualVersion === stored!.version,
          `already_exists naming the stored item (existingId ${stored!.id}, actualVersion ${stored!.version})`,
          `reported ${show(error)}`,
        );
      }
      await expectNotStored(store, op, ['contact', 'lead'], 'a failed atomic import');
      await expectUnchanged(store, op, stored!, 'a failed atomic import');
      await expectNoEventSince(store, op, sequence, 'a failed atomic import');
    },
  },
  {
    id: 'R17.2',
    requirement: 'R17',
    level: 'MUST',
    title: 'An atomic import written in several batches (batchSize 1) writes none of its batches when its last record fails.',
    async run(env) {
      const store = await env.newStore();
      const op = operator();
      const [stored] = await seed(store, op, [item('zz_last')]);
      const sequence = await lastSequence(store, op);
      const names = ['b_one', 'b_two', 'b_three', 'b_four'];
      const records = [...names.map((name) => importRecord(name)), importRecord('zz_last', { payload: { label: 'Imported' } })];
      const report = await atomicImportOrRefusal(store, op, records, { onConflict: 'error', batchSize: 1 });
      if (report) {
        expectRolledBack(report, 5, 'an atomic import in batches of 1 whose last record conflicts');
        failedItem(report, 4, 'already_exists', 'the atomic import');
      }
      await expectNotStored(store, op, names, 'a failed atomic import in batches of 1');
      await expectUnchanged(store, op, stored!, 'a failed atomic import in batches of 1');
      await expectNoEventSince(store, op, sequence, 'a failed atomic import in batches of 1');
    },
  },
  {
    id: 'R17.3',
    requirement: 'R17',
    level: 'MUST',
    title: 'A successful atomic import writes every record and reports committed: true with one created result per record, in order.',
    async run(env) {
      const store = await env.newStore();
      const op = operator();
      const names = ['contact', 'account', 'lead'];
      const report = await atomicImportOrRefusal(
        store,
        op,
        names.map((name) => importRecord(name)),
        {},
      );
      if (!report) return;
      expectThat(report.committed && !report.dryRun, 'committed: true from a successful import', `reported ${show(report)}`);
      expectThat(report.items.length === names.length, `${names.length} item results`, `reported ${report.items.length}`);
      for (const [index, name] of names.entries()) {
        const stored = await mustGet(store, op, key(name));
        const entry = report.items[index]!;
        expectThat(
          entry.index === index && entry.status === 'created' && entry.id === stored.id && entry.version === stored.version,
          `item ${index} reported created with the stored id ${stored.id} and version ${stored.version}`,
          `reported ${show(entry)}`,
        );
      }
    },
  },
];

// ---------------------------------------------------------------------------
// R18: read back exactly what was written
// ---------------------------------------------------------------------------

function nested(depth: number): Record<string, unknown> {
  return depth === 0 ? { bottom: 'reached' } : { [`level_${depth}`]: nested(depth - 1), list: [depth] };
}

/**
 * A payload that databases and drivers tend to change on the way in or out:
 * escapes, NUL (PostgreSQL's jsonb refuses it), characters outside the BMP,
 * unnormalised text, integers at 2^53, extreme doubles, nested and empty
 * arrays, strings that look like JSON, and keys that look like paths or
 * operators.
 */
const EDGE_PAYLOAD = {
  quotes: 'she said "hi" and \'bye\'',
  backslashes: 'C:\\temp\\new \\u0041 \\n \\\\',
  nul: 'before\u0000after',
  'key\u0000with nul': 'NUL in a key',
  controls: '\t\n\r\b\f\u0001\u001f\u007f',
  separators: 'line\u2028paragraph\u2029end',
  emoji: '😀 👩‍👩‍👧‍👦 🇳🇿',
  astral: '𝄞 𠀀',
  composed: '\u00e9',
  decomposed: 'e\u0301',
  jsonObjectText: '{"a":1}',
  jsonArrayText: '[1,2]',
  jsonNullText: 'null',
  jsonTrueText: 'true',
  jsonNumberText: '123',
  jsonStringText: '"quoted"',
  emptyText: '',
  numbers: {
    twoTo53: 2 ** 53,
    minusTwoTo53: -(2 ** 53),
    maxSafe: Number.MAX_SAFE_INTEGER,
    minSafe: Number.MIN_SAFE_INTEGER,
    maxDouble: Number.MAX_VALUE,
    minDouble: Number.MIN_VALUE,
    tenth: 0.1,
    sum: 0.1 + 0.2,
    bigExponent: 1e21,
    smallExponent: 1e-7,
    negativeFraction: -123.456,
    longFraction: 123456789.12345679,
    zero: 0,
  },
  nested: [[[]], [[1, [2, [3, [4]]]]], [{}], [null, true, false, 'x', 1.5]],
  emptyObject: {},
  emptyArray: [],
  '': 'empty key',
  ' ': 'space key',
  'a.b': 'dot key',
  'a/b': 'slash key',
  '~0': 'tilde key',
  $where: 'dollar key',
  constructor: 'constructor key',
  toString: 'toString key',
  '10': 'numeric key',
  '9': 'another numeric key',
  deep: nested(24),
};

/** Every way the interface reads a record back: get (through the datasource), query, load as stored, export. */
async function readEveryWay(store: MetadataStore, context: MetadataCallContextInput, record: MetadataRecord) {
  const filters = { tenantId: record.tenantId, type: record.type, namespace: record.namespace, scope: record.scope, name: record.name };
  const ways: [string, MetadataRecord | undefined][] = [];
  ways.push(['get', (await readBack(store, context, keyOf(record))) ?? undefined]);
  ways.push(['query', (await store.query(context, { filters, includeArchived: true })).records[0]]);
  ways.push([
    'load',
    (await store.load(context, { filters, includeArchived: true, resolveInheritance: false, useCache: false })).records[0],
  ]);
  let exported: MetadataRecord | undefined;
  for await (const line of store.export(context, { filters, includeArchived: true })) if (line.id === record.id) exported = line;
  ways.push(['export', exported]);
  return ways;
}

/** Date-times as instants, so that two spellings of one instant compare equal (R18). */
function asInstants(record: MetadataRecord): unknown {
  const { createdAt, updatedAt, ...rest } = record;
  return { ...rest, createdAt: createdAt && Date.parse(createdAt), updatedAt: updatedAt && Date.parse(updatedAt) };
}

const r18: Audit[] = [
  {
    id: 'R18.1',
    requirement: 'R18',
    level: 'MUST',
    title:
      'A payload with quotes, backslashes, NUL, emoji, numbers at ±2^53, extreme doubles, nested arrays and JSON look-alike strings reads back JSON value for JSON value through get, query, load, export and a second client (a datasource whose profile has nulCharacters false refuses the NUL write with unsupported_capability nul_character, writes nothing, and round-trips the rest).',
    async run(env) {
      const store = await env.newStore();
      const ctx = runtime();
      let payload: Record<string, unknown> = EDGE_PAYLOAD;
      if (store.profile.capabilities?.nulCharacters === false) {
        const refused = await expectStoreError(
          store.save(ctx, item('edge_cases', { payload: structuredClone(EDGE_PAYLOAD) })),
          'unsupported_capability',
          'saving a payload with U+0000 on a datasource without nulCharacters',
        );
        expectThat(
          refused.capability === 'nul_character',
          'the refusal to name the capability nul_character',
          `named ${refused.capability}`,
        );
        expectThat(
          (await readBack(store, ctx, { tenantId: TENANT, type: 'object', namespace: 'crm', name: 'edge_cases' })) === null,
          'the refused write to store nothing',
          'stored the record',
        );
        // Leave out the entries with U+0000: in the key itself, or escaped in the value's JSON text.
        payload = Object.fromEntries(
          Object.entries(EDGE_PAYLOAD).filter(([key, value]) => !key.includes('\u0000') && !canonical(value).includes('\\u0000')),
        );
      }
      const [record] = await seed(store, ctx, [item('edge_cases', { payload: structuredClone(payload) as JsonObject })]);
      const expected = canonical(payload);
      const ways = await readEveryWay(store, ctx, record!);
      if (env.secondClient) {
        const other = await env.secondClient(store);
        ways.push(['a second client', (await readBack(other, ctx, keyOf(record!))) ?? undefined]);
      }
      for (const [way, read] of ways) {
        expectThat(read !== undefined, `${way} to return the saved record`, 'returned none');
        const actual = canonical(read.payload);
        if (actual === expected) continue;
        const differing = Object.keys(payload).find((k) => canonical(payload[k]) !== canonical(read.payload[k]));
        expectThat(
          false,
          `${way} to return the payload exactly as written`,
          `changed ${differing === undefined ? 'its keys' : `key ${JSON.stringify(differing)}`}: wrote ${show(
            differing === undefined ? payload : payload[differing],
          )}, read ${show(differing === undefined ? read.payload : read.payload[differing])}`,
        );
      }
    },
  },
  {
    id: 'R18.2',
    requirement: 'R18',
    level: 'MUST',
    title:
      'Every envelope field a write gives (key, owner, state, tags in order, extends, mergeStrategy) reads back unchanged, and get, query, load, export and a second client return the same record with date-times denoting the same instants.',
    async run(env) {
      const store = await env.newStore();
      const ctx = runtime();
      await seed(store, ctx, [{ tenantId: TENANT, type: 'view', namespace: 'crm', name: 'accounts', payload: { columns: ['name'] } }]);
      const write: MetadataRecordWriteInput = {
        tenantId: TENANT,
        type: 'view',
        namespace: 'crm',
        scope: 'user',
        owner: 'jane@acme',
        name: 'accounts',
        payload: { columns: ['name', 'owner'] },
        state: 'deprecated',
        tags: ['zeta', 'alpha', 'mid'],
        extends: 'accounts',
        mergeStrategy: 'replace',
      };
      const saved = await store.save(ctx, write, { onConflict: 'error' });
      const record = await mustGet(store, ctx, {
        tenantId: TENANT,
        type: 'view',
        namespace: 'crm',
        scope: 'user',
        owner: 'jane@acme',
        name: 'accounts',
      });
      const fields = [
        'tenantId',
        'type',
        'namespace',
        'scope',
        'owner',
        'name',
        'payload',
        'state',
        'tags',
        'extends',
        'mergeStrategy',
      ] as const;
      for (const field of fields) {
        expectThat(
          canonical(record[field]) === canonical(write[field]),
          `${field} to read back as written (${show(write[field])})`,
          `returned ${show(record[field])}`,
        );
      }
      expectThat(
        record.id === saved.id && record.version === saved.version && record.checksum === saved.checksum,
        `id, version and checksum as the save reported (${show({ id: saved.id, version: saved.version, checksum: saved.checksum })})`,
        `returned ${show({ id: record.id, version: record.version, checksum: record.checksum })}`,
      );
      const ways = await readEveryWay(store, ctx, record);
      if (env.secondClient) {
        const other = await env.secondClient(store);
        ways.push(['a second client', (await readBack(other, ctx, keyOf(record))) ?? undefined]);
      }
      const expected = canonical(asInstants(record));
      for (const [way, read] of ways) {
        expectThat(read !== undefined, `${way} to return the saved record`, 'returned none');
        expectThat(
          canonical(asInstants(read)) === expected,
          `${way} to return the same record as get (${show(record, 400)})`,
          `returned ${show(read, 400)}`,
        );
      }
    },
  },
  {
    id: 'R18.3',
    requirement: 'R18',
    level: 'MUST',
    title:
      'A stored record does not change when the caller later changes the object it saved or an object a read returned to it: the next read still returns what was written.',
    async run(env) {
      const store = await env.newStore();
      const ctx = runtime();
      const payload = { label: 'Original', fields: { name: { type: 'text' } }, list: [1, 2] };
      const expected = canonical(payload);
      const write = item('account', { payload, tags: ['core'] });
      await store.save(ctx, write);
      payload.label = 'Changed by the writer';
      payload.list.push(3);
      write.tags!.push('changed');
      const reads: [string, () => Promise<MetadataRecord | undefined>][] = [
        ['get', async () => (await store.get(ctx, key('account'))) ?? undefined],
        ['query', async () => (await store.query(ctx, { filters: { name: 'account' } })).records[0]],
        ['load', async () => (await store.load(ctx, { filters: { name: 'account' } })).records[0]],
      ];
      for (const [way, read] of reads) {
        const first = await read();
        expectThat(first !== undefined, `${way} to return account`, 'returned none');
        expectThat(
          canonical(first.payload) === expected && canonical(first.tags) === canonical(['core']),
          `${way} to return the payload and tags as saved, not as the writer changed its objects afterwards`,
          `returned ${show({ payload: first.payload, tags: first.tags })}`,
        );
        // The caller scribbles on what it was given; the store's copy must not move.
        (first.payload as { label: string }).label = `changed by a ${way} reader`;
        (first.payload as { list: number[] }).list.push(99);
        first.tags.push('scribbled');
        const second = await read();
        expectThat(second !== undefined, `${way} to return account again`, 'returned none');
        expectThat(
          canonical(second.payload) === expected && canonical(second.tags) === canonical(['core']),
          `a second ${way} to return what was written, whatever the caller did to the first result`,
          `returned ${show({ payload: second.payload, tags: second.tags })}`,
        );
      }
    },
  },
];

// ---------------------------------------------------------------------------
// R19: the identity key is unique
// ---------------------------------------------------------------------------

/** Every stored record of tenant acme named `name`, in any scope or state. */
async function recordsNamed(store: MetadataStore, context: MetadataCallContextInput, name: string) {
  return (await readAllPages(store, context, 'query', { filters: { name }, includeArchived: true, pagination: { pageSize: 50 } })).flatMap(
    (page) => page.records,
  );
}

const ADMIN: MetadataCallContextInput = {
  actor: 'admin@acme',
  role: 'runtime',
  readTenants: [TENANT],
  writeTenants: [TENANT],
  administersUsers: true,
};

const r19: Audit[] = [
  {
    id: 'R19.1',
    requirement: 'R19',
    level: 'MUST',
    title:
      'A second create of a key without an owner (platform scope), by save, bulk create or import with onConflict error, fails with already_exists, and the key stays stored once.',
    async run(env) {
      const store = await env.newStore();
      const ctx = runtime();
      const [stored] = await seed(store, ctx, [item('account')]);
      const saved = await expectStoreError(
        store.save(ctx, item('account', { payload: { label: 'Second' } }), { onConflict: 'error' }),
        'already_exists',
        'a second save of a platform key with onConflict error',
      );
      expectThat(saved.existingId === stored!.id, `already_exists naming ${stored!.id}`, `named ${saved.existingId}`);
      const bulk = await store.bulk(ctx, { operation: 'create', records: [item('account', { payload: { label: 'Bulk' } })] });
      failedItem(bulk, 0, 'already_exists', 'a bulk create of a stored platform key');
      const imported = await store.import(operator(), [importRecord('account', { payload: { label: 'Imported' } })], {
        onConflict: 'error',
        atomic: false,
      });
      failedItem(imported, 0, 'already_exists', 'an import of a stored platform key');
      const all = await recordsNamed(store, ctx, 'account');
      expectThat(all.length === 1, 'one record with the key after three duplicate creates', `holds ${all.length}: ${show(idsOf(all))}`);
      await expectUnchanged(store, ctx, stored!, 'three duplicate creates');
    },
  },
  {
    id: 'R19.2',
    requirement: 'R19',
    level: 'MUST',
    title:
      'User-scope items with the same name are distinct items per owner, and a second create for the same owner fails with already_exists.',
    async run(env) {
      const store = await env.newStore();
      const view = (owner: string, label: string): MetadataRecordWriteInput => ({
        tenantId: TENANT,
        type: 'view',
        namespace: 'crm',
        scope: 'user',
        owner,
        name: 'my_accounts',
        payload: { label },
      });
      const jane = await store.save(ADMIN, view('jane@acme', 'Jane'), { onConflict: 'error' });
      const bob = await store.save(ADMIN, view('bob@acme', 'Bob'), { onConflict: 'error' });
      expectThat(
        jane.status === 'created' && bob.status === 'created' && jane.id !== bob.id,
        "two created items with their own ids for two owners' my_accounts",
        `reported ${show([jane, bob])}`,
      );
      await expectStoreError(
        store.save(ADMIN, view('jane@acme', 'Jane again'), { onConflict: 'error' }),
        'already_exists',
        "a second create of jane's my_accounts",
      );
      const all = await recordsNamed(store, ADMIN, 'my_accounts');
      expectThat(
        all.length === 2 && canonical(all.map((r) => r.owner).sort()) === canonical(['bob@acme', 'jane@acme']),
        "exactly bob's and jane's my_accounts",
        `holds ${show(all.map((r) => ({ owner: r.owner, payload: r.payload })))}`,
      );
    },
  },
  {
    id: 'R19.3',
    requirement: 'R19',
    level: 'MUST',
    title: 'Keys that differ in only one of tenantId, type, namespace, scope, owner or name are different items.',
    async run(env) {
      const store = await env.newStore();
      const op = operator([TENANT, 'globex']);
      const base = { tenantId: TENANT, type: 'object', namespace: 'crm', scope: 'platform', name: 'account' } as const;
      const variants: [string, MetadataRecordWriteInput][] = [
        ['base', { ...base, payload: { variant: 'base' } }],
        ['tenantId', { ...base, tenantId: 'globex', payload: { variant: 'tenantId' } }],
        ['type', { ...base, type: 'view', payload: { variant: 'type' } }],
        ['namespace', { ...base, namespace: 'sales', payload: { variant: 'namespace' } }],
        ['scope', { ...base, scope: 'system', payload: { variant: 'scope' } }],
        ['owner', { ...base, scope: 'user', owner: 'deploy-bot', payload: { variant: 'owner' } }],
        ['name', { ...base, name: 'account_2', payload: { variant: 'name' } }],
      ];
      const ids = new Set<string>();
      for (const [variant, write] of variants) {
        const result = await store.save(op, write, { onConflict: 'error' });
        expectThat(result.status === 'created', `the key differing in ${variant} to be created as a new item`, `reported ${result.status}`);
        ids.add(result.id);
      }
      expectThat(ids.size === variants.length, `${variants.length} distinct ids`, `gave ${ids.size}`);
      for (const [variant, write] of variants) {
        const { tenantId = TENANT, type, namespace = 'default', scope = 'platform', owner, name } = write;
        const read = await mustGet(store, op, { tenantId, type, namespace, scope, ...(owner ? { owner } : {}), name });
        expectThat(
          canonical(read.payload) === canonical({ variant }),
          `the key differing in ${variant} to hold its own payload`,
          `returned ${show(read.payload)}`,
        );
      }
    },
  },
  {
    id: 'R19.4',
    requirement: 'R19',
    level: 'MUST',
    title: 'A bulk create naming one key twice stores it once and reports the second record as already_exists.',
    async run(env) {
      const store = await env.newStore();
      const ctx = runtime();
      const report = await store.bulk(ctx, {
        operation: 'create',
        records: [item('account'), item('account', { payload: { label: 'Twin' } })],
        transactional: false,
        continueOnError: true,
      });
      expectThat(report.items[0]?.status === 'created', 'the first record created', `reported ${show(report.items[0])}`);
      failedItem(report, 1, 'already_exists', 'a bulk create naming one key twice');
      const all = await recordsNamed(store, ctx, 'account');
      expectThat(
        all.length === 1 && canonical(all[0]!.payload) === canonical({ label: 'account' }),
        'the key stored once, with the first payload',
        `holds ${show(all.map((r) => r.payload))}`,
      );
    },
  },
];

// ---------------------------------------------------------------------------
// R20 to R22: caching
// ---------------------------------------------------------------------------

/** A load of acme/globex objects named `name` (inheritance resolved, cache allowed). */
function loadNamed(name: string): MetadataLoadOptionsInput {
  return { filters: { name } };
}

const r20: Audit[] = [
  {
    id: 'R20.1',
    requirement: 'R20',
    level: 'MUST',
    title:
      'A get, load or query a caller reading two tenants has made (and a store may have cached) is never served to a caller reading only one of them: the other tenant stays invisible.',
    async run(env) {
      const store = await env.newStore();
      const wide = runtime([TENANT, 'globex']);
      const narrow = runtime([TENANT]);
      await seed(store, wide, [item('account'), item('account', { tenantId: 'globex', payload: { label: 'Globex account' } })]);
      const globexKey = key('account', { tenantId: 'globex' });
      expectThat((await store.get(wide, globexKey)) !== null, "globex's account visible to a caller reading globex", 'returned null');
      const wideLoad = await store.load(wide, loadNamed('account'));
      expectThat(
        wideLoad.records.length === 2,
        'two accounts loaded by a caller reading acme and globex',
        `loaded ${wideLoad.records.length}`,
      );
      await store.query(wide, { filters: { name: 'account' } });

      const got = await store.get(narrow, globexKey);
      expectThat(got === null, "null for globex's account to a caller reading only acme", `returned ${show(got)}`);
      for (const [way, records] of [
        ['load', (await store.load(narrow, loadNamed('account'))).records],
        ['query', (await store.query(narrow, { filters: { name: 'account' } })).records],
      ] as const) {
        expectThat(
          records.length === 1 && records[0]!.tenantId === TENANT,
          `a ${way} by a caller reading only acme to return acme's account alone`,
          `returned ${show(records.map((r) => r.tenantId))}`,
        );
      }
    },
  },
  {
    id: 'R20.2',
    requirement: 'R20',
    level: 'MUST',
    title:
      'A user-scope item a get or load returned (and a store may have cached) for its owner is never served to another user of the same tenant, who sees the platform item instead.',
    async run(env) {
      const store = await env.newStore();
      const jane = runtime([TENANT], 'jane@acme');
      const bob = runtime([TENANT], 'bob@acme');
      await seed(store, jane, [
        item('account', { payload: { label: 'Account' } }),
        item('account', { scope: 'user', owner: 'jane@acme', extends: 'account', payload: { label: "Jane's account" } }),
      ]);
      const janeKey = key('account', { scope: 'user', owner: 'jane@acme' });
      expectThat((await store.get(jane, janeKey)) !== null, "jane's own item visible to jane", 'returned null');
      const janes = await store.load(jane, loadNamed('account'));
      expectThat(
        janes.records.length === 1 && janes.records[0]!.payload.label === "Jane's account",
        "jane's load of account to return her user-scope item",
        `returned ${show(janes.records.map((r) => r.payload))}`,
      );

      const got = await store.get(bob, janeKey);
      expectThat(got === null, "null for jane's user-scope item to bob", `returned ${show(got)}`);
      const bobs = await store.load(bob, loadNamed('account'));
      expectThat(
        bobs.records.length === 1 && bobs.records[0]!.scope === 'platform' && bobs.records[0]!.payload.label === 'Account',
        "bob's load of account to return the platform item, not jane's",
        `returned ${show(bobs.records.map((r) => ({ scope: r.scope, owner: r.owner, payload: r.payload })))}`,
      );
    },
  },
];

const r21: Audit[] = [
  {
    id: 'R21.1',
    requirement: 'R21',
    level: 'MUST',
    title:
      'After a save, archive, restore, delete, bulk update or import through the same store, a get that allows the cache returns the item as that write left it.',
    async run(env) {
      const store = await env.newStore();
      const ctx = runtime();
      const k = key('account');
      await seed(store, ctx, [item('account')]);
      const expectGet = async (what: string, check: (r: MetadataRecord | null) => boolean, expected: string) => {
        const got = await store.get(ctx, k);
        expectThat(check(got), `a cached get after ${what} to return ${expected}`, `returned ${show(got)}`);
      };
      await expectGet('the create', (r) => r?.version === 1, 'version 1');
      await store.save(ctx, item('account', { payload: { label: 'Saved' } }));
      await expectGet('a save', (r) => r?.version === 2 && r.payload.label === 'Saved', 'version 2 labelled Saved');
      await store.archive(ctx, k);
      await expectGet('an archive', (r) => r?.version === 3 && r.state === 'archived', 'version 3, archived');
      await store.restore(ctx, k);
      await expectGet('a restore', (r) => r?.version === 4 && r.state === 'active', 'version 4, active');
      const current = await mustGet(store, ctx, k);
      await store.bulk(ctx, {
        operation: 'update',
        changes: [{ id: current.id!, expectedVersion: 4, set: { payload: { label: 'Bulk' } } }],
      });
      await expectGet('a bulk update', (r) => r?.version === 5 && r.payload.label === 'Bulk', 'version 5 labelled Bulk');
      await store.import(operator(), [importRecord('account', { payload: { label: 'Imported' } })], { onConflict: 'replace' });
      await expectGet('an import with onConflict replace', (r) => r?.payload.label === 'Imported', 'the imported payload');
      await store.delete(ctx, k);
      await expectGet('a delete', (r) => r === null, 'null');
    },
  },
  {
    id: 'R21.2',
    requirement: 'R21',
    level: 'MUST',
    title: 'After a save or delete through the same store, a load that allows the cache returns the items as the write left them.',
    async run(env) {
      const store = await env.newStore();
      const ctx = runtime();
      await seed(store, ctx, [item('account'), item('contact')]);
      const options: MetadataLoadOptionsInput = { sort: [{ field: 'name' }] };
      const labels = async () => (await store.load(ctx, options)).records.map((r) => `${r.name}:${String(r.payload.label)}`);
      expectThat(canonical(await labels()) === canonical(['account:account', 'contact:contact']), 'the seeded items', 'loaded others');
      await store.save(ctx, item('account', { payload: { label: 'Saved' } }));
      const afterSave = await labels();
      expectThat(
        canonical(afterSave) === canonical(['account:Saved', 'contact:contact']),
        'a cached load after a save to return the saved payload',
        `returned ${show(afterSave)}`,
      );
      await store.delete(ctx, key('contact'));
      const afterDelete = await labels();
      expectThat(
        canonical(afterDelete) === canonical(['account:Saved']),
        'a cached load after a delete to leave the deleted item out',
        `returned ${show(afterDelete)}`,
      );
    },
  },
];

const r22: Audit[] = [
  {
    id: 'R22.1',
    requirement: 'R22',
    level: 'MUST',
    title:
      'With useCache: false, get and load read the datasource: they return a change another client wrote after this client read the item.',
    async run(env) {
      const store = await env.newStore();
      const other = await secondClientOf(env, store);
      const ctx = runtime();
      await seed(store, ctx, [item('account')]);
      await store.get(ctx, key('account'));
      await store.load(ctx, loadNamed('account'));
      await other.save(ctx, item('account', { payload: { label: 'Written elsewhere' } }));
      const got = await store.get(ctx, key('account'), { useCache: false });
      expectThat(
        got?.version === 2 && got.payload.label === 'Written elsewhere',
        "a get with useCache: false to return the other client's version 2",
        `returned ${show(got && { version: got.version, payload: got.payload })}`,
      );
      const loaded = await store.load(ctx, { ...loadNamed('account'), useCache: false });
      expectThat(
        loaded.records[0]?.version === 2 && !loaded.fromCache,
        'a load with useCache: false to return version 2, not from the cache',
        `returned ${show({ versions: loaded.records.map((r) => r.version), fromCache: loaded.fromCache })}`,
      );
    },
  },
  {
    id: 'R22.2',
    requirement: 'R22',
    level: 'MUST',
    title: 'A get or load with useCache: false replaces the cached entry: the next read that allows the cache returns what it read.',
    async run(env) {
      const store = await env.newStore();
      const other = await secondClientOf(env, store);
      const ctx = runtime();
      await seed(store, ctx, [item('account')]);
      await store.get(ctx, key('account'));
      await store.load(ctx, loadNamed('account'));
      await other.save(ctx, item('account', { payload: { label: 'Written elsewhere' } }));
      await store.get(ctx, key('account'), { useCache: false });
      const got = await store.get(ctx, key('account'));
      expectThat(
        got?.version === 2,
        'a cached get after a get with useCache: false to return the version that read found (2)',
        `returned version ${got?.version}`,
      );
      await store.load(ctx, { ...loadNamed('account'), useCache: false });
      const loaded = await store.load(ctx, loadNamed('account'));
      expectThat(
        loaded.records[0]?.version === 2,
        'a cached load after a load with useCache: false to return the version that load found (2)',
        `returned ${show(loaded.records.map((r) => r.version))}`,
      );
    },
  },
];

// ---------------------------------------------------------------------------
// R24: total order and pages
// ---------------------------------------------------------------------------

const STATES = ['active', 'draft', 'deprecated'] as const;

/**
 * 18 platform items and 6 of jane's user-scope items, in a seeded order,
 * with states cycling so that sort keys tie, and every third item at version
 * 2: ties the id has to break.
 */
async function seedOrdered(store: MetadataStore, context: MetadataCallContextInput): Promise<MetadataRecord[]> {
  const names = shuffled(
    Array.from({ length: 24 }, (_, i) => `item_${String(i).padStart(2, '0')}`),
    24,
  );
  const writes = names.map((name, i) =>
    item(name, { state: STATES[i % 3]!, ...(i % 4 === 3 ? { scope: 'user' as const, owner: 'jane@acme' } : {}) }),
  );
  await seed(store, context, writes);
  for (const [i, write] of writes.entries())
    if (i % 3 === 1) await store.save(context, { ...write, payload: { label: write.name, revised: true } });
  return (await readAllPages(store, context, 'query', { pagination: { pageSize: 24 } })).flatMap((p) => p.records);
}

/** Checks the pages of one read: the protocol's order, each record once, all of them, nextCursor exactly while more follow. */
async function checkPaging(
  store: MetadataStore,
  context: MetadataCallContextInput,
  via: Reader,
  all: readonly MetadataRecord[],
  sort: MetadataSortInput[],
  pageSize: number,
  extras: LoadExtras = {},
) {
  const what = `a ${via} sorted by ${show(sort)} in pages of ${pageSize}`;
  const pages = await readAllPages(store, context, via, { sort, pagination: { pageSize } }, extras);
  const records = pages.flatMap((p) => p.records);
  expectNoRepeat(records, what);
  const expected = [...all].sort(protocolOrder(sort));
  const got = idsOf(records);
  const want = idsOf(expected);
  const at = want.findIndex((id, i) => got[i] !== id);
  expectThat(
    at === -1 && got.length === want.length,
    `${what} to return all ${want.length} records by the sort keys, then id (${show(want)})`,
    at === -1
      ? `returned ${got.length}: ${show(got)}`
      : `returned ${show(records[at] && { id: records[at]!.id, name: records[at]!.name })} at position ${at}, where ${show({ id: expected[at]!.id, name: expected[at]!.name })} belongs`,
  );
  const fullPages = Math.ceil(want.length / pageSize);
  expectThat(pages.length === fullPages, `${what} to take ${fullPages} pages`, `took ${pages.length}`);
  for (const [i, page] of pages.entries()) {
    const last = i === pages.length - 1;
    expectThat(
      page.records.length === (last ? want.length - pageSize * i : pageSize),
      `page ${i + 1} of ${what} to hold ${last ? want.length - pageSize * i : pageSize} records`,
      `returned ${page.records.length}`,
    );
  }
}

const r24: Audit[] = [
  {
    id: 'R24.1',
    requirement: 'R24',
    level: 'MUST',
    title:
      'Pages of a query come in the order of the sort keys (absent values first ascending, last descending), then the id, with every record exactly once and nextCursor on every page but the last, also when the last page is full.',
    async run(env) {
      const store = await env.newStore();
      const ctx = runtime();
      const all = await seedOrdered(store, ctx);
      await checkPaging(store, ctx, 'query', all, [{ field: 'state' }], 5);
      await checkPaging(
        store,
        ctx,
        'query',
        all,
        [
          { field: 'owner', direction: 'desc' },
          { field: 'version', direction: 'desc' },
        ],
        4,
      );
      await checkPaging(store, ctx, 'query', all, [{ field: 'scope' }, { field: 'state', direction: 'desc' }], 6);
      await checkPaging(store, ctx, 'query', all, [], 7);
      const empty = await store.query(ctx, { filters: { name: 'no_such_item' } });
      expectThat(
        empty.records.length === 0 && empty.nextCursor === undefined,
        'an empty query to return no records and no nextCursor',
        `returned ${show(empty)}`,
      );
    },
  },
  {
    id: 'R24.2',
    requirement: 'R24',
    level: 'MUST',
    title:
      'Pages of a load, as stored and with inheritance resolved, come in the order of the sort keys, then the id, with every item exactly once and nextCursor on every page but the last.',
    async run(env) {
      const store = await env.newStore();
      const ctx = runtime();
      const all = await seedOrdered(store, ctx);
      await checkPaging(store, ctx, 'load', all, [{ field: 'state' }], 5, { resolveInheritance: false });
      await checkPaging(store, ctx, 'load', all, [{ field: 'state', direction: 'desc' }], 4, { resolveInheritance: true });
      await checkPaging(store, ctx, 'load', all, [], 8, { resolveInheritance: true });
    },
  },
  {
    id: 'R24.3',
    requirement: 'R24',
    level: 'MUST',
    title:
      'Records created, changed or deleted between pages never make a record that kept its place in the order appear twice or go missing.',
    async run(env) {
      for (const via of ['query', 'load'] as const) {
        const store = await env.newStore();
        const ctx = runtime();
        const names = shuffled(
          Array.from({ length: 20 }, (_, i) => `item_${String(i * 2).padStart(2, '0')}`),
          20,
        );
        const seeded = await seed(
          store,
          ctx,
          names.map((name) => item(name)),
        );
        const sort: MetadataSortInput[] = [{ field: 'name' }];
        const collected: MetadataRecord[] = [];
        const deleted = new Set<string>();
        let page = await readPage(store, ctx, via, { sort, pagination: { pageSize: 5 } });
        collected.push(...page.records);
        for (let step = 1; page.nextCursor !== undefined; step++) {
          expectThat(step <= 20, `a ${via} of 20 records in pages of 5 to end`, 'kept returning nextCursor');
          // Between pages: new items on both sides of the position, a change to a record returned and to one not yet returned, a delete behind.
          await store.save(ctx, item(`a_new_${step}`));
          await store.save(ctx, item(`item_${String(step * 8 + 1).padStart(2, '0')}_new`));
          const behind = collected[collected.length - 1]!;
          await store.save(ctx, item(behind.name, { payload: { label: behind.name, step } }));
          const ahead = seeded.find((r) => !collected.some((c) => c.id === r.id));
          if (ahead) await store.save(ctx, item(ahead.name, { payload: { label: ahead.name, step } }));
          const victim = collected.find((r) => r !== behind && !deleted.has(r.name) && seeded.some((s) => s.id === r.id));
          if (victim) {
            await store.delete(ctx, keyOf(victim));
            deleted.add(victim.name);
          }
          page = await readPage(store, ctx, via, { sort, pagination: { pageSize: 5, cursor: page.nextCursor } });
          collected.push(...page.records);
        }
        expectNoRepeat(collected, `a ${via} with writes between its pages`);
        const missing = seeded.filter((r) => !collected.some((c) => c.id === r.id));
        expectThat(
          missing.length === 0,
          `every record that kept its place to be returned by a ${via} with writes between its pages`,
          `left out ${show(missing.map((r) => r.name))}`,
        );
      }
    },
  },
];

// ---------------------------------------------------------------------------
// R25: cursors
// ---------------------------------------------------------------------------

/** Six platform items in acme; returns the store, a caller and the first page of `options` through `via`. */
async function cursorSetup(env: AuditEnv, via: Reader, options: PageOptions, extras: LoadExtras = {}) {
  const store = await env.newStore();
  const ctx = runtime();
  await seed(
    store,
    ctx,
    ['account', 'contact', 'lead', 'opportunity', 'quote', 'task'].map((name) => item(name, { tags: ['crm'] })),
  );
  const first = await readPage(store, ctx, via, options, extras);
  expectThat(
    first.nextCursor !== undefined,
    `a nextCursor after the first page of ${show(options)}`,
    `returned ${first.records.length} records and none`,
  );
  return { store, ctx, first, cursor: first.nextCursor };
}

const FIRST_PAGE: PageOptions = { filters: { type: 'object' }, sort: [{ field: 'name' }], pagination: { pageSize: 2 } };

/** An audit that takes a cursor from FIRST_PAGE and presents it with `changed` options: invalid_cursor. */
function reboundCursorAudit(
  id: string,
  what: string,
  via: Reader,
  changed: PageOptions,
  extras: LoadExtras = {},
  firstExtras: LoadExtras = {},
): Audit {
  return {
    id,
    requirement: 'R25',
    level: 'MUST',
    title: `A ${via} cursor presented ${what} is rejected with invalid_cursor.`,
    async run(env) {
      const { store, ctx, cursor } = await cursorSetup(env, via, FIRST_PAGE, firstExtras);
      await expectStoreError(
        readPage(store, ctx, via, { ...changed, pagination: { pageSize: 2, cursor } }, extras),
        'invalid_cursor',
        `a ${via} cursor presented ${what}`,
      );
    },
  };
}

const r25: Audit[] = [
  reboundCursorAudit('R25.1', 'with other filters than those it was issued for, though they match the same records', 'query', {
    ...FIRST_PAGE,
    filters: { type: 'object', tags: ['crm'] },
  }),
  reboundCursorAudit('R25.2', 'with another sort than the one it was issued for', 'query', {
    ...FIRST_PAGE,
    sort: [{ field: 'name', direction: 'desc' }],
  }),
  reboundCursorAudit('R25.3', 'with another includeArchived than the one it was issued for', 'query', {
    ...FIRST_PAGE,
    includeArchived: true,
  }),
  reboundCursorAudit(
    'R25.4',
    'with another resolveInheritance than the one it was issued for',
    'load',
    FIRST_PAGE,
    { resolveInheritance: false },
    { resolveInheritance: true },
  ),
  {
    id: 'R25.5',
    requirement: 'R25',
    level: 'MUST',
    title: 'A cursor stays valid when only pageSize changes, and the next page continues right after the previous one.',
    async run(env) {
      const { store, ctx, first, cursor } = await cursorSetup(env, 'query', FIRST_PAGE);
      const rest = await store.query(ctx, { ...FIRST_PAGE, pagination: { pageSize: 10, cursor } });
      const names = [...first.records, ...rest.records].map((r) => r.name);
      expectThat(
        canonical(names) === canonical(['account', 'contact', 'lead', 'opportunity', 'quote', 'task']) && rest.nextCursor === undefined,
        'the second page, asked with pageSize 10, to hold the 4 remaining items in order and no nextCursor',
        `returned ${show(names)} and ${rest.nextCursor === undefined ? 'no nextCursor' : 'a nextCursor'}`,
      );
    },
  },
  {
    id: 'R25.6',
    requirement: 'R25',
    level: 'MUST',
    title: 'An altered cursor (one character changed) and a forged one (base64url text a caller wrote) are rejected with invalid_cursor.',
    async run(env) {
      const { store, ctx, cursor } = await cursorSetup(env, 'query', FIRST_PAGE);
      const forged = [
        ['an altered cursor', alterCursor(cursor!)],
        ['the cursor with a character appended', `${cursor!}A`],
        ['a forged cursor', base64url('{"u":"2026-01-31T09:30:00Z","i":"42"}')],
        ['a forged cursor naming tenants', base64url(JSON.stringify({ after: 'account', tenants: ['acme', 'globex'] }))],
      ] as const;
      for (const [what, value] of forged) {
        if (value === cursor) continue;
        await expectStoreError(store.query(ctx, { ...FIRST_PAGE, pagination: { pageSize: 2, cursor: value } }), 'invalid_cursor', what);
      }
    },
  },
  {
    id: 'R25.7',
    requirement: 'R25',
    level: 'MUST',
    title: 'A cursor issued by another store, for the same query over the same items, is rejected with invalid_cursor.',
    async run(env) {
      const { cursor } = await cursorSetup(env, 'query', FIRST_PAGE);
      const { store: another, ctx } = await cursorSetup(env, 'query', FIRST_PAGE);
      await expectStoreError(
        another.query(ctx, { ...FIRST_PAGE, pagination: { pageSize: 2, cursor } }),
        'invalid_cursor',
        "another store's cursor",
      );
    },
  },
  {
    id: 'R25.8',
    requirement: 'R25',
    level: 'MUST',
    title:
      'A cursor never widens access: presented by a caller who reads fewer tenants than the one it was issued to, it is rejected or yields only records that caller may read.',
    async run(env) {
      const store = await env.newStore();
      const wide = runtime([TENANT, 'globex']);
      const narrow = runtime([TENANT]);
      const writes = ['a1', 'b1', 'c1', 'd1', 'e1', 'f1'].flatMap((name) => [item(name), item(name, { tenantId: 'globex' })]);
      await seed(store, wide, writes);
      const options: PageOptions = { sort: [{ field: 'name' }, { field: 'tenantId' }], pagination: { pageSize: 3 } };
      for (const via of ['query', 'load'] as const) {
        const first = await readPage(store, wide, via, options);
        expectThat(first.nextCursor !== undefined, `a nextCursor after the first page of a ${via}`, 'returned none');
        let cursor: string | undefined = first.nextCursor;
        const seen: MetadataRecord[] = [];
        try {
          while (cursor !== undefined) {
            const page: Awaited<ReturnType<typeof readPage>> = await readPage(store, narrow, via, {
              ...options,
              pagination: { pageSize: 3, cursor },
            });
            seen.push(...page.records);
            cursor = page.nextCursor;
            expectThat(seen.length <= writes.length, `a ${via} to end`, 'kept returning records');
          }
        } catch (reason) {
          // Rejecting the cursor is the other acceptable answer (R25.9 requires it).
          await expectStoreError(Promise.reject(reason), 'invalid_cursor', `a ${via} cursor presented by a caller reading fewer tenants`);
          continue;
        }
        const foreign = seen.filter((r) => r.tenantId !== TENANT);
        expectThat(
          foreign.length === 0,
          `a ${via} cursor presented by a caller reading only acme to yield acme's records alone (or invalid_cursor)`,
          `returned ${show(foreign.map((r) => `${r.tenantId}/${r.name}`))}`,
        );
      }
    },
  },
  {
    id: 'R25.9',
    requirement: 'R25',
    level: 'MUST',
    title: 'A cursor presented by a caller with another tenant set than the one it was issued to is rejected with invalid_cursor.',
    async run(env) {
      const store = await env.newStore();
      const wide = runtime([TENANT, 'globex']);
      await seed(
        store,
        wide,
        ['a1', 'b1', 'c1'].map((name) => item(name)),
      );
      for (const via of ['query', 'load'] as const) {
        const first = await readPage(store, wide, via, FIRST_PAGE);
        expectThat(first.nextCursor !== undefined, `a nextCursor after the first page of a ${via}`, 'returned none');
        await expectStoreError(
          readPage(store, runtime([TENANT]), via, { ...FIRST_PAGE, pagination: { pageSize: 2, cursor: first.nextCursor } }),
          'invalid_cursor',
          `a ${via} cursor issued to a caller reading acme and globex, presented by one reading only acme`,
        );
      }
    },
  },
];

// ---------------------------------------------------------------------------
// R26: page limits and totals
// ---------------------------------------------------------------------------

const SEEDED_FOR_LIMITS = 130;

/** Creates SEEDED_FOR_LIMITS items in one bulk create. */
async function seedMany(store: MetadataStore, context: MetadataCallContextInput, count = SEEDED_FOR_LIMITS) {
  const records = Array.from({ length: count }, (_, i) => item(`item_${String(i).padStart(3, '0')}`));
  const report = await store.bulk(context, { operation: 'create', records });
  expectThat(
    report.committed && report.items.every((i) => i.status === 'created'),
    `${count} items created by a bulk create`,
    `reported ${show(report, 300)}`,
  );
}

function pageLimitAudit(id: string, via: Reader, extras: LoadExtras = {}): Audit {
  return {
    id,
    requirement: 'R26',
    level: 'MUST',
    title: `A ${via === 'load' ? 'load (as stored)' : via} whose pageSize is above the store's maxPageSize fails with page_too_large naming it, and a ${via} at or below it gets a full page: a page is never cut short silently.`,
    async run(env) {
      const store = await env.newStore();
      const ctx = runtime();
      await seedMany(store, ctx);
      const ask = (pageSize: number) => readPage(store, ctx, via, { sort: [{ field: 'name' }], pagination: { pageSize } }, extras);
      let outcome: Awaited<ReturnType<typeof ask>> | undefined;
      let maxPageSize = 1000;
      try {
        outcome = await ask(1000);
      } catch (reason) {
        const error = await expectStoreError(Promise.reject(reason), 'page_too_large', `a ${via} with pageSize 1000`);
        maxPageSize = error.maxPageSize;
        expectThat(maxPageSize < 1000, 'page_too_large to name a maxPageSize below the pageSize 1000 it refused', `named ${maxPageSize}`);
      }
      if (outcome) {
        expectThat(
          outcome.records.length === SEEDED_FOR_LIMITS && outcome.nextCursor === undefined,
          `a ${via} with pageSize 1000, which the store accepted, to return all ${SEEDED_FOR_LIMITS} records and no nextCursor`,
          `returned ${outcome.records.length} records${outcome.nextCursor === undefined ? '' : ' and a nextCursor'}`,
        );
        return;
      }
      await expectStoreError(ask(maxPageSize + 1), 'page_too_large', `a ${via} with pageSize maxPageSize + 1 (${maxPageSize + 1})`);
      const full = await ask(maxPageSize);
      const expected = Math.min(maxPageSize, SEEDED_FOR_LIMITS);
      expectThat(
        full.records.length === expected && (full.nextCursor !== undefined) === SEEDED_FOR_LIMITS > maxPageSize,
        `a ${via} with pageSize maxPageSize (${maxPageSize}) to return ${expected} records${SEEDED_FOR_LIMITS > maxPageSize ? ' and a nextCursor' : ''}`,
        `returned ${full.records.length}${full.nextCursor === undefined ? '' : ' and a nextCursor'}`,
      );
    },
  };
}

const r26: Audit[] = [
  pageLimitAudit('R26.1', 'query'),
  pageLimitAudit('R26.2', 'load', { resolveInheritance: false }),
  {
    id: 'R26.3',
    requirement: 'R26',
    level: 'MUST',
    title: 'A query or load returns total exactly when includeTotal is true, and then it counts every matching record across all pages.',
    async run(env) {
      const store = await env.newStore();
      const ctx = runtime();
      await seed(
        store,
        ctx,
        ['account', 'contact', 'lead', 'quote', 'task'].map((name) => item(name)),
      );
      await seed(store, ctx, [item('unrelated', { type: 'view' })]);
      for (const via of ['query', 'load'] as const) {
        const options: PageOptions = { filters: { type: 'object' }, sort: [{ field: 'name' }], pagination: { pageSize: 2 } };
        const plain = await readPage(store, ctx, via, options);
        expectThat(plain.total === undefined, `no total from a ${via} without includeTotal`, `returned total ${plain.total}`);
        const pages = await readAllPages(store, ctx, via, { ...options, includeTotal: true });
        for (const [i, page] of pages.entries()) {
          expectThat(page.total === 5, `total 5 on page ${i + 1} of a ${via} with includeTotal`, `returned ${page.total}`);
        }
      }
    },
  },
  {
    id: 'R26.4',
    requirement: 'R26',
    level: 'MUST',
    title:
      'A load that resolves inheritance either returns every matching item across its pages or fails with result_too_large naming a maxResultSize below the records it would read; it never serves part of them.',
    async run(env) {
      const store = await env.newStore();
      const ctx = runtime();
      await seedMany(store, ctx);
      let records: MetadataRecord[];
      try {
        const pages = await readAllPages(
          store,
          ctx,
          'load',
          { sort: [{ field: 'name' }], pagination: { pageSize: 50 } },
          { resolveInheritance: true },
        );
        records = pages.flatMap((page) => page.records);
      } catch (reason) {
        const error = await expectStoreError(Promise.reject(reason), 'result_too_large', `a resolved load of ${SEEDED_FOR_LIMITS} items`);
        expectThat(
          error.maxResultSize < SEEDED_FOR_LIMITS,
          `result_too_large only when the load reads more than maxResultSize records (${SEEDED_FOR_LIMITS})`,
          `named maxResultSize ${error.maxResultSize}`,
        );
        return;
      }
      expectNoRepeat(records, 'a resolved load');
      expectThat(
        records.length === SEEDED_FOR_LIMITS,
        `a resolved load to return all ${SEEDED_FOR_LIMITS} items across its pages, or result_too_large`,
        `returned ${records.length}`,
      );
    },
  },
];

// ---------------------------------------------------------------------------
// R28 to R30: optimistic concurrency
// ---------------------------------------------------------------------------

type Settled<T> = PromiseSettledResult<T>;

/** Checks that exactly one of two racing writes won and the other failed with a version_conflict naming the winner's version. */
async function expectOneWinner<T>(results: [Settled<T>, Settled<T>], what: string) {
  const won = results.filter((r) => r.status === 'fulfilled');
  const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  expectThat(won.length === 1, `exactly one of ${what} to succeed`, `let ${won.length} succeed`);
  const conflict = await expectStoreError(Promise.reject(lost[0]!.reason), 'version_conflict', `the losing one of ${what}`);
  expectThat(
    conflict.expectedVersion === 1 && conflict.actualVersion === 2,
    `the loser's version_conflict to name expectedVersion 1 and actualVersion 2`,
    `named ${show({ expectedVersion: conflict.expectedVersion, actualVersion: conflict.actualVersion })}`,
  );
  return results.findIndex((r) => r.status === 'fulfilled');
}

const r28: Audit[] = [
  {
    id: 'R28.1',
    requirement: 'R28',
    level: 'MUST',
    title:
      'Two writers saving or bulk-updating the same item from the same version at the same time (two clients in either order, or one client twice): exactly one write succeeds, the other fails with version_conflict, and the stored item is the winner\u2019s.',
    async run(env) {
      const store = await env.newStore();
      const other = env.secondClient ? await env.secondClient(store) : store;
      const ctx = runtime();
      const pairs: [string, MetadataStore, MetadataStore][] = [
        ['this client, then the other', store, other],
        ['the other client, then this one', other, store],
        ['this client twice', store, store],
      ];
      const names = pairs.flatMap((_, i) => [`saved_${i}`, `updated_${i}`]);
      await seed(
        store,
        ctx,
        names.map((name) => item(name)),
      );
      const sequence = await lastSequence(store, ctx);
      for (const [i, [order, first, second]] of pairs.entries()) {
        const name = `saved_${i}`;
        const saves = await Promise.allSettled([
          first.save(ctx, item(name, { payload: { label: 'First' } }), { expectedVersion: 1 }),
          second.save(ctx, item(name, { payload: { label: 'Second' } }), { expectedVersion: 1 }),
        ]);
        const winner = await expectOneWinner(saves, `two saves of ${name} from version 1 (${order})`);
        const stored = await mustGet(store, ctx, key(name));
        const label = winner === 0 ? 'First' : 'Second';
        expectThat(
          stored.version === 2 && stored.payload.label === label,
          `${name} at version 2 with the winner's payload (${label})`,
          `holds version ${stored.version} with ${show(stored.payload)}`,
        );
        const target = await mustGet(store, ctx, key(`updated_${i}`));
        const change = (label: string) => ({
          operation: 'update' as const,
          changes: [{ id: target.id!, expectedVersion: 1, set: { payload: { label } } }],
        });
        const updates = await Promise.allSettled([first.bulk(ctx, change('First')), second.bulk(ctx, change('Second'))]);
        const applied = updates.filter((u) => u.status === 'fulfilled' && u.value.items[0]?.status === 'updated').length;
        expectThat(
          applied === 1,
          `exactly one of two bulk updates of ${target.name} from version 1 (${order}) to apply`,
          `applied ${applied}: ${show(updates.map((u) => (u.status === 'fulfilled' ? u.value.items[0] : String(u.reason))))}`,
        );
      }
      const events = (await store.changes(ctx, { tenantId: TENANT, afterSequence: sequence })).events;
      expectThat(
        events.length === names.length && events.every((e) => e.operation === 'update' && e.version === 2),
        `${names.length} update events (one per item), each to version 2`,
        `recorded ${show(events.map((e) => ({ name: e.key.name, operation: e.operation, version: e.version })))}`,
      );
    },
  },
  {
    id: 'R28.2',
    requirement: 'R28',
    level: 'MUST',
    title:
      'A save, archive, delete or bulk update naming an expected version of an item deleted since fails with not_found (never version_conflict) and does not bring the item back.',
    async run(env) {
      const store = await env.newStore();
      const ctx = runtime();
      const [gone] = await seed(store, ctx, [item('account')]);
      await store.delete(ctx, key('account'));
      const attempts: [string, () => Promise<unknown>][] = [
        ['a save', () => store.save(ctx, item('account', { payload: { label: 'Back' } }), { expectedVersion: 1 })],
        [
          'a replace',
          () => store.save(ctx, item('account', { payload: { label: 'Back' } }), { expectedVersion: 1, onConflict: 'replace' }),
        ],
        ['an archive', () => store.archive(ctx, key('account'), { expectedVersion: 1 })],
        ['a delete', () => store.delete(ctx, key('account'), { expectedVersion: 1 })],
      ];
      for (const [what, attempt] of attempts) {
        const error = await expectStoreError(attempt(), 'not_found', `${what} with expectedVersion 1 of a deleted item`);
        expectThat(error.expectedVersion === 1, `the not_found of ${what} to name expectedVersion 1`, `reported ${show(error)}`);
      }
      const bulk = await store.bulk(ctx, {
        operation: 'update',
        changes: [{ id: gone!.id!, expectedVersion: 1, set: { state: 'draft' } }],
      });
      failedItem(bulk, 0, 'not_found', 'a bulk update of a deleted id');
      await expectNotStored(store, ctx, ['account'], 'writes that named a deleted version');
    },
  },
  {
    id: 'R28.3',
    requirement: 'R28',
    level: 'MUST',
    title:
      'A save, archive, delete, bulk update, bulk upsert or bulk delete naming a stale expected version fails with version_conflict naming the version stored now.',
    async run(env) {
      const store = await env.newStore();
      const ctx = runtime();
      await seed(store, ctx, [item('account')]);
      const stored = await bump(store, ctx, 'account', 2);
      const named = (what: string, error: { expectedVersion: number; actualVersion: number }) =>
        expectThat(
          error.expectedVersion === 1 && error.actualVersion === 3,
          `${what} to fail with expectedVersion 1 and actualVersion 3 (the stored version)`,
          `reported ${show(error)}`,
        );
      const attempts: [string, () => Promise<unknown>][] = [
        ['a save', () => store.save(ctx, rewrite('account', 'Stale'), { expectedVersion: 1 })],
        ['a replace', () => store.save(ctx, rewrite('account', 'Stale'), { expectedVersion: 1, onConflict: 'replace' })],
        ['an archive', () => store.archive(ctx, key('account'), { expectedVersion: 1 })],
        ['a delete', () => store.delete(ctx, key('account'), { expectedVersion: 1 })],
      ];
      for (const [what, attempt] of attempts) {
        named(what, await expectStoreError(attempt(), 'version_conflict', `${what} with stale expectedVersion 1`));
      }
      const operations: MetadataBulkOperationInput[] = [
        { operation: 'update', changes: [{ id: stored.id!, expectedVersion: 1, set: { state: 'draft' } }] },
        { operation: 'upsert', records: [{ ...rewrite('account', 'Stale'), expectedVersion: 1 }] },
        { operation: 'delete', ids: [{ id: stored.id!, expectedVersion: 1 }] },
      ];
      for (const operation of operations) {
        const report = await store.bulk(ctx, operation);
        const error = failedItem(report, 0, 'version_conflict', `a bulk ${operation.operation} with stale expectedVersion 1`);
        if (error.code === 'version_conflict') named(`a bulk ${operation.operation}`, error);
      }
    },
  },
];

const r29: Audit[] = [
  {
    id: 'R29.1',
    requirement: 'R29',
    level: 'MUST',
    title:
      'A save (update or replace), archive, delete, bulk update, bulk upsert or bulk delete that fails its version check leaves the stored item unchanged in every part and records no change event.',
    async run(env) {
      const store = await env.newStore();
      const ctx = runtime();
      await seed(store, ctx, [item('account')]);
      const before = await bump(store, ctx, 'account', 1);
      const sequence = await lastSequence(store, ctx);
      const attempts: [string, () => Promise<unknown>][] = [
        ['a stale save', () => store.save(ctx, rewrite('account', 'Stale'), { expectedVersion: 1 })],
        ['a stale replace', () => store.save(ctx, rewrite('account', 'Stale'), { expectedVersion: 1, onConflict: 'replace' })],
        ['a stale archive', () => store.archive(ctx, key('account'), { expectedVersion: 1 })],
        ['a stale delete', () => store.delete(ctx, key('account'), { expectedVersion: 1 })],
        [
          'a stale bulk update',
          () =>
            store.bulk(ctx, {
              operation: 'update',
              changes: [{ id: before.id!, expectedVersion: 1, set: { payload: { label: 'Stale' }, state: 'draft' } }],
            }),
        ],
        [
          'a stale bulk upsert',
          () => store.bulk(ctx, { operation: 'upsert', records: [{ ...rewrite('account', 'Stale'), expectedVersion: 1 }] }),
        ],
        ['a stale bulk delete', () => store.bulk(ctx, { operation: 'delete', ids: [{ id: before.id!, expectedVersion: 1 }] })],
      ];
      for (const [what, attempt] of attempts) {
        try {
          await attempt();
        } catch {
          // The error itself is R28.3's and R29.2's; here only its effect counts.
        }
        await expectUnchanged(store, ctx, before, what);
        await expectNoEventSince(store, ctx, sequence, what);
      }
    },
  },
  {
    id: 'R29.2',
    requirement: 'R29',
    level: 'MUST',
    title:
      'version_conflict names the item\u2019s key, expectedVersion and actualVersion; not_found names the expectedVersion the write gave; already_exists names the stored item\u2019s existingId and actualVersion; the same holds for bulk and import items.',
    async run(env) {
      const store = await env.newStore();
      const ctx = runtime();
      await seed(store, ctx, [item('account'), item('gone')]);
      const stored = await bump(store, ctx, 'account', 2);
      const gone = await bump(store, ctx, 'gone', 1);
      await store.delete(ctx, key('gone'));
      const storedKey = canonical(keyOf(stored));

      const conflict = await expectStoreError(
        store.save(ctx, rewrite('account', 'Stale'), { expectedVersion: 1 }),
        'version_conflict',
        'a stale save',
      );
      expectThat(
        canonical(conflict.key) === storedKey && conflict.expectedVersion === 1 && conflict.actualVersion === 3,
        `version_conflict with key ${storedKey}, expectedVersion 1, actualVersion 3`,
        `reported ${show(conflict)}`,
      );
      const missing = await expectStoreError(
        store.save(ctx, item('gone'), { expectedVersion: 2 }),
        'not_found',
        'a save of a deleted item',
      );
      expectThat(missing.expectedVersion === 2, 'not_found naming expectedVersion 2', `reported ${show(missing)}`);
      const exists = await expectStoreError(
        store.save(ctx, item('account'), { onConflict: 'error' }),
        'already_exists',
        'a create of a stored key',
      );
      expectThat(
        canonical(exists.key) === storedKey && exists.existingId === stored.id && exists.actualVersion === 3,
        `already_exists with key ${storedKey}, existingId ${stored.id}, actualVersion 3`,
        `reported ${show(exists)}`,
      );

      const itemErrors: [string, () => Promise<MetadataOperationResult>, string, Record<string, unknown>][] = [
        [
          'a stale bulk update',
          () => store.bulk(ctx, { operation: 'update', changes: [{ id: stored.id!, expectedVersion: 1, set: { state: 'draft' } }] }),
          'version_conflict',
          { expectedVersion: 1, actualVersion: 3 },
        ],
        [
          'a bulk delete of a deleted id',
          () => store.bulk(ctx, { operation: 'delete', ids: [{ id: gone.id!, expectedVersion: 2 }] }),
          'not_found',
          { expectedVersion: 2 },
        ],
        [
          'a bulk create of a stored key',
          () => store.bulk(ctx, { operation: 'create', records: [item('account')] }),
          'already_exists',
          { existingId: stored.id, actualVersion: 3 },
        ],
        [
          'an import of a stored key',
          () => store.import(operator(), [importRecord('account')], { onConflict: 'error', atomic: false }),
          'already_exists',
          { existingId: stored.id, actualVersion: 3 },
        ],
      ];
      for (const [what, call, code, fields] of itemErrors) {
        const error = failedItem(await call(), 0, code, what);
        const actual = Object.fromEntries(Object.keys(fields).map((f) => [f, (error as Record<string, unknown>)[f]]));
        expectThat(canonical(actual) === canonical(fields), `${what} to report ${code} with ${show(fields)}`, `reported ${show(error)}`);
      }
    },
  },
];

const r30: Audit[] = [
  {
    id: 'R30.1',
    requirement: 'R30',
    level: 'MUST',
    title:
      'A save or archive based on a version another writer has replaced is not retried against the newer version: it fails with version_conflict, and the other writer\u2019s version stays stored.',
    async run(env) {
      const store = await env.newStore();
      const other = env.secondClient ? await env.secondClient(store) : store;
      const ctx = runtime();
      await seed(store, ctx, [item('account')]);
      await other.save(ctx, item('account', { payload: { label: 'From B' } }), { expectedVersion: 1 });
      const theirs = await mustGet(store, ctx, key('account'));
      await expectStoreError(
        store.save(ctx, rewrite('account', 'From A'), { expectedVersion: 1 }),
        'version_conflict',
        "A's save from version 1",
      );
      await expectUnchanged(store, ctx, theirs, "A's failed save (a retry would have written version 3)");
      await expectStoreError(store.archive(ctx, key('account'), { expectedVersion: 1 }), 'version_conflict', "A's archive from version 1");
      await expectUnchanged(store, ctx, theirs, "A's failed archive");
    },
  },
  {
    id: 'R30.2',
    requirement: 'R30',
    level: 'MUST',
    title:
      'A create that meets a stored key (a save or import with onConflict error, a bulk create) fails with already_exists and is not turned into an update.',
    async run(env) {
      const store = await env.newStore();
      const ctx = runtime();
      const [stored] = await seed(store, ctx, [item('account')]);
      await expectStoreError(
        store.save(ctx, rewrite('account', 'Create'), { onConflict: 'error' }),
        'already_exists',
        'a create of a stored key',
      );
      await expectUnchanged(store, ctx, stored!, 'a create of a stored key');
      failedItem(
        await store.bulk(ctx, { operation: 'create', records: [rewrite('account', 'Bulk')] }),
        0,
        'already_exists',
        'a bulk create of a stored key',
      );
      await expectUnchanged(store, ctx, stored!, 'a bulk create of a stored key');
      const imported = await store.import(operator(), [importRecord('account', { payload: { label: 'Import' } })], {
        onConflict: 'error',
        atomic: false,
      });
      failedItem(imported, 0, 'already_exists', 'an import of a stored key');
      await expectUnchanged(store, ctx, stored!, 'an import of a stored key');
    },
  },
  {
    id: 'R30.3',
    requirement: 'R30',
    level: 'MUST',
    title: 'A bulk update or upsert item with a stale version is reported failed, not re-read and reapplied.',
    async run(env) {
      const store = await env.newStore();
      const ctx = runtime();
      await seed(store, ctx, [item('account')]);
      const current = await bump(store, ctx, 'account', 1);
      const update = await store.bulk(ctx, {
        operation: 'update',
        changes: [{ id: current.id!, expectedVersion: 1, set: { payload: { label: 'Stale' } } }],
      });
      failedItem(update, 0, 'version_conflict', 'a bulk update from version 1');
      await expectUnchanged(store, ctx, current, 'a stale bulk update');
      const upsert = await store.bulk(ctx, { operation: 'upsert', records: [{ ...rewrite('account', 'Stale'), expectedVersion: 1 }] });
      failedItem(upsert, 0, 'version_conflict', 'a bulk upsert from version 1');
      await expectUnchanged(store, ctx, current, 'a stale bulk upsert');
    },
  },
];

// ---------------------------------------------------------------------------
// R32: a failure leaves no partial state
// ---------------------------------------------------------------------------

/** Runs a transactional bulk; where the store has no transactional bulk, checks that it refuses up front instead. */
async function transactionalBulkOrRefusal(
  store: MetadataStore,
  context: MetadataCallContextInput,
  operation: Parameters<MetadataStore['bulk']>[1],
) {
  return runOrRefusal(
    store.profile.transactionalBulk,
    () => store.bulk(context, operation),
    'a transactional bulk on a store whose profile says transactionalBulk: false',
  );
}

const r32: Audit[] = [
  {
    id: 'R32.1',
    requirement: 'R32',
    level: 'MUST',
    title:
      'A transactional bulk create written in batches of 1 whose last record fails (already_exists) stores none of its records, reports committed: false, and records no change event.',
    async run(env) {
      const store = await env.newStore();
      const ctx = runtime();
      const [stored] = await seed(store, ctx, [item('zz_last')]);
      const sequence = await lastSequence(store, ctx);
      const names = ['b_one', 'b_two', 'b_three'];
      const report = await transactionalBulkOrRefusal(store, ctx, {
        operation: 'create',
        records: [...names.map((name) => item(name)), item('zz_last', { payload: { label: 'Again' } })],
        batchSize: 1,
      });
      if (report) {
        expectRolledBack(report, 4, 'a transactional bulk create whose last record fails');
        failedItem(report, 3, 'already_exists', 'the bulk create');
      }
      await expectNotStored(store, ctx, names, 'a failed transactional bulk create');
      await expectUnchanged(store, ctx, stored!, 'a failed transactional bulk create');
      await expectNoEventSince(store, ctx, sequence, 'a failed transactional bulk create');
    },
  },
  {
    id: 'R32.2',
    requirement: 'R32',
    level: 'MUST',
    title: 'A transactional bulk update with one stale version among three changes none of the three records and records no change event.',
    async run(env) {
      const store = await env.newStore();
      const ctx = runtime();
      const records = await seed(store, ctx, [item('account'), item('contact'), item('lead')]);
      const contact = await bump(store, ctx, 'contact', 1);
      const before = [records[0]!, contact, records[2]!];
      const sequence = await lastSequence(store, ctx);
      const report = await transactionalBulkOrRefusal(store, ctx, {
        operation: 'update',
        changes: [
          { id: before[0]!.id!, expectedVersion: 1, set: { payload: { label: 'New' } } },
          { id: contact.id!, expectedVersion: 1, set: { payload: { label: 'New' } } },
          { id: before[2]!.id!, expectedVersion: 1, set: { payload: { label: 'New' } } },
        ],
      });
      if (report) {
        expectRolledBack(report, 3, 'a transactional bulk update with a stale version');
        failedItem(report, 1, 'version_conflict', 'the bulk update');
      }
      for (const record of before) await expectUnchanged(store, ctx, record, 'a failed transactional bulk update');
      await expectNoEventSince(store, ctx, sequence, 'a failed transactional bulk update');
    },
  },
  {
    id: 'R32.3',
    requirement: 'R32',
    level: 'MUST',
    title: 'A transactional bulk delete naming one id that is not stored deletes none of the records and records no change event.',
    async run(env) {
      const store = await env.newStore();
      const ctx = runtime();
      const records = await seed(store, ctx, [item('account'), item('contact')]);
      const sequence = await lastSequence(store, ctx);
      const report = await transactionalBulkOrRefusal(store, ctx, {
        operation: 'delete',
        ids: [{ id: records[0]!.id! }, { id: 'no_such_record_r32' }, { id: records[1]!.id! }],
      });
      if (report) {
        expectRolledBack(report, 3, 'a transactional bulk delete naming a missing id');
        failedItem(report, 1, 'not_found', 'the bulk delete');
      }
      for (const record of records) await expectUnchanged(store, ctx, record, 'a failed transactional bulk delete');
      await expectNoEventSince(store, ctx, sequence, 'a failed transactional bulk delete');
    },
  },
];

/** The audits of R17 to R32, in id order. */
export const auditsR17toR32: Audit[] = [
  ...r17,
  ...r18,
  ...r19,
  ...r20,
  ...r21,
  ...r22,
  ...r24,
  ...r25,
  ...r26,
  ...r28,
  ...r29,
  ...r30,
  ...r32,
];
