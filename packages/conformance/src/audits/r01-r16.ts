import {
  MetadataOperationResultSchema,
  type JsonObject,
  type JsonValue,
  type MetadataBulkOperationInput,
  type MetadataCallContextInput,
  type MetadataItemResult,
  type MetadataLoadOptionsInput,
  type MetadataLoadResult,
  type MetadataQueryConditionInput,
  type MetadataQueryFiltersInput,
  type MetadataQueryOptionsInput,
  type MetadataRecord,
  type MetadataRecordInput,
  type MetadataRecordKeyInput,
  type MetadataRecordWriteInput,
  type MetadataStore,
} from '@metasource/spec';
import { AuditFailure, type Audit, type AuditEnv, type AuditLevel } from '../audit';
import { canonical, check, checkEqual, checksumOf, expectStoreError, storeErrorOf } from '../assert';
import { item, operator, reader, runtime } from '../fixtures';

// ---------------------------------------------------------------------------
// Helpers shared by the audits of this file
// ---------------------------------------------------------------------------

function audit(id: string, level: AuditLevel, title: string, run: (env: AuditEnv) => Promise<void>): Audit {
  return { id, requirement: id.slice(0, id.indexOf('.')), level, title, run };
}

/** The key of the fixture item `name` (tenant acme, type object, namespace crm, platform scope). */
function keyOf(name: string, extra: Partial<MetadataRecordKeyInput> = {}): MetadataRecordKeyInput {
  return { tenantId: 'acme', type: 'object', namespace: 'crm', name, ...extra };
}

/** The fixture item `name` as a complete record input, as an import takes it. */
function recordOf(name: string, extra: Partial<MetadataRecordInput> = {}): MetadataRecordInput {
  return { tenantId: 'acme', type: 'object', namespace: 'crm', name, payload: { label: name }, ...extra };
}

/** Saves each item in order, as a runtime caller of tenant acme. */
async function seed(store: MetadataStore, items: readonly MetadataRecordWriteInput[], context = runtime()): Promise<void> {
  for (const write of items) await store.save(context, write);
}

/** One fixture item per entry, its payload `{ v: value }`, or `{}` for an `undefined` value (the field is absent). */
function valueItems(values: Record<string, JsonValue | undefined>): MetadataRecordWriteInput[] {
  return Object.entries(values).map(([name, value]) => item(name, { payload: value === undefined ? {} : { v: value } }));
}

/** Every record a query matches, following nextCursor page after page. */
async function queryAll(store: MetadataStore, context: MetadataCallContextInput, options: MetadataQueryOptionsInput = {}) {
  const records: MetadataRecord[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const result = await store.query(context, { ...options, pagination: { pageSize: 100, ...(cursor === undefined ? {} : { cursor }) } });
    records.push(...result.records);
    if (result.nextCursor === undefined) return records;
    cursor = result.nextCursor;
  }
  throw new AuditFailure('expected a query to end within 1000 pages, but the store kept returning nextCursor');
}

/** Names of records, sorted (names are ASCII machine names, so this is code point order). */
function names(records: readonly MetadataRecord[]): string[] {
  return records.map((r) => r.name).sort();
}

function describeCondition(condition: MetadataQueryConditionInput): string {
  return `${condition.field} ${condition.operator} ${JSON.stringify(condition.value)}`;
}

/** Fails unless the query with `filters` (in tenant acme) matches exactly the items `expected`. */
async function expectMatches(
  store: MetadataStore,
  filters: MetadataQueryFiltersInput,
  expected: readonly string[],
  what: string,
  context: MetadataCallContextInput = runtime(),
): Promise<void> {
  const got = names(await queryAll(store, context, { filters: { tenantId: 'acme', ...filters } }));
  const want = [...expected].sort();
  check(canonical(got) === canonical(want), `${what}: expected the items [${want.join(', ')}], the store matched [${got.join(', ')}]`);
}

/** Fails unless each condition (alone, in tenant acme) matches exactly the items given for it. */
async function expectConditions(
  store: MetadataStore,
  cases: ReadonlyArray<readonly [MetadataQueryConditionInput, readonly string[]]>,
): Promise<void> {
  for (const [condition, expected] of cases) {
    await expectMatches(store, { conditions: [condition] }, expected, `the condition ${describeCondition(condition)}`);
  }
}

/** A record as a comparable snapshot of what a write may change (payload and envelope, no timestamps). */
function snapshot(record: MetadataRecord | null): unknown {
  if (!record) return null;
  const { createdAt: _c, updatedAt: _u, ...rest } = record;
  return rest;
}

/** Every record of tenant acme (archived and every user's included) as one comparable text, to show that nothing was written. */
async function everything(store: MetadataStore): Promise<string> {
  const records = await queryAll(
    store,
    { ...operator(), administersUsers: true },
    { filters: { tenantId: 'acme' }, includeArchived: true },
  );
  return canonical(records.map(snapshot).sort((a, b) => (canonical(a) < canonical(b) ? -1 : 1)));
}

/** Fails unless the issues of an invalid_input error name `path` (an issue whose path ends with it). */
function checkIssuePath(
  issues: ReadonlyArray<{ path: ReadonlyArray<string | number> }>,
  path: ReadonlyArray<string | number>,
  what: string,
) {
  const suffix = canonical(path);
  const found = issues.some(
    (issue) => issue.path.length >= path.length && canonical(issue.path.slice(issue.path.length - path.length)) === suffix,
  );
  check(
    found,
    `${what}: expected an invalid_input issue at the path ${suffix}, the store reported the paths ${issues.map((i) => canonical(i.path)).join(', ')}`,
  );
}

/** The instant `iso` written with a fixed offset of `offsetMinutes` (e.g. +60 gives "...+01:00"). */
function withOffset(iso: string, offsetMinutes: number): string {
  const local = new Date(Date.parse(iso) + offsetMinutes * 60_000).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Fails unless `result` is a valid MetadataOperationResult with one item per request item. */
function checkReport(result: unknown, count: number, what: string) {
  const parsed = MetadataOperationResultSchema.safeParse(result);
  check(
    parsed.success,
    `${what}: expected a MetadataOperationResult, the store returned one that fails the schema at ${parsed.error?.issues.map((i) => canonical(i.path)).join(', ')}`,
  );
  check(
    parsed.data.items.length === count,
    `${what}: expected ${count} item results, one per record, the store returned ${parsed.data.items.length}`,
  );
  return parsed.data;
}

function statuses(items: readonly MetadataItemResult[]): string[] {
  return items.map((i) => (i.status === 'failed' ? `failed:${i.error?.code}` : i.status));
}

/** The content projection of a load page (R16): what its checksum covers. */
function projection(records: readonly MetadataRecord[]): unknown[] {
  return records.map((r) => ({
    key: {
      tenantId: r.tenantId,
      type: r.type,
      namespace: r.namespace,
      scope: r.scope,
      ...(r.owner === undefined ? {} : { owner: r.owner }),
      name: r.name,
    },
    state: r.state,
    tags: r.tags,
    ...(r.extends === undefined ? {} : { extends: r.extends }),
    mergeStrategy: r.mergeStrategy,
    checksum: r.checksum,
  }));
}

async function load(store: MetadataStore, context: MetadataCallContextInput, options: MetadataLoadOptionsInput = {}) {
  return store.load(context, { useCache: false, sort: [{ field: 'name' }, { field: 'scope' }], ...options });
}

function checkPageChecksum(result: MetadataLoadResult, what: string): string {
  check(result.checksum !== undefined, `${what}: expected the load result to carry the page checksum, the store left it out`);
  const expected = checksumOf(projection(result.records));
  check(
    result.checksum === expected,
    `${what}: expected the page checksum ${expected} (SHA-256 of the RFC 8785 form of the records' content projection), the store returned ${result.checksum}`,
  );
  return result.checksum;
}

// ---------------------------------------------------------------------------
// R1: validate every input against its schema, act on the parsed value
// ---------------------------------------------------------------------------

/** A call context that fails MetadataCallContextSchema: readTenants must hold at least one tenant. */
const INVALID_CONTEXT = { actor: 'jane@acme', readTenants: [] } as unknown as MetadataCallContextInput;

/** Calls every store method with `context`, each with otherwise valid input. */
function everyMethod(store: MetadataStore, context: MetadataCallContextInput): Array<[string, () => Promise<unknown>]> {
  return [
    ['migrate', () => store.migrate(context, {})],
    ['get', () => store.get(context, keyOf('seeded'))],
    ['query', () => store.query(context, {})],
    ['load', () => store.load(context, {})],
    ['save', () => store.save(context, item('fresh'))],
    ['archive', () => store.archive(context, keyOf('seeded'))],
    ['restore', () => store.restore(context, keyOf('seeded'))],
    ['delete', () => store.delete(context, keyOf('seeded'))],
    ['bulk', () => store.bulk(context, { operation: 'create', records: [item('fresh')] })],
    ['export', () => drain(store.export(context, {}))],
    ['import', () => store.import(context, [recordOf('fresh')], {})],
    ['changes', () => store.changes(context, { tenantId: 'acme' })],
  ];
}

async function drain<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

/** One invalid input per method, with the path its issue must name. */
function invalidCalls(store: MetadataStore): Array<[string, ReadonlyArray<string | number>, () => Promise<unknown>]> {
  const rt = runtime();
  const op = operator();
  return [
    ['migrate', ['dryRun'], () => store.migrate(op, { dryRun: 'no' as unknown as boolean })],
    ['get', ['name'], () => store.get(rt, keyOf('Not A Name'))],
    ['query', ['pagination', 'pageSize'], () => store.query(rt, { pagination: { pageSize: 0 } })],
    ['load', ['pagination', 'pageSize'], () => store.load(rt, { pagination: { pageSize: 1001 } })],
    ['save', ['name'], () => store.save(rt, item('Not A Name'))],
    ['save options', ['onConflict'], () => store.save(rt, item('seeded'), { onConflict: 'overwrite' as 'replace' })],
    ['archive', ['expectedVersion'], () => store.archive(rt, keyOf('seeded'), { expectedVersion: 0 })],
    ['restore', ['type'], () => store.restore(rt, { ...keyOf('seeded'), type: 'Object' })],
    ['delete', ['dryRun'], () => store.delete(rt, keyOf('seeded'), { dryRun: 'yes' as unknown as boolean })],
    [
      'bulk',
      ['records', 1, 'name'],
      () =>
        store.bulk(rt, {
          operation: 'create',
          records: [item('bulk_valid'), item('Not A Name')],
        }),
    ],
    ['export', ['format'], () => drain(store.export(rt, { format: 'xml' as 'json' }))],
    ['import', ['onConflict'], () => store.import(op, [recordOf('imported')], { onConflict: 'merge' as 'update' })],
    ['changes', ['limit'], () => store.changes(rt, { tenantId: 'acme', limit: 0 })],
  ];
}

const r01: Audit[] = [
  audit(
    'R1.1',
    'MUST',
    'Every store method rejects an invalid call context with invalid_input naming the offending path, and writes nothing.',
    async ({ newStore }) => {
      const store = await newStore();
      await seed(store, [item('seeded')]);
      const before = await everything(store);
      for (const [method, call] of everyMethod(store, INVALID_CONTEXT)) {
        const error = await expectStoreError(call(), 'invalid_input', `${method} with a context whose readTenants is empty`);
        checkIssuePath(error.issues, ['readTenants'], `${method} with a context whose readTenants is empty`);
      }
      check(
        (await everything(store)) === before,
        'expected calls with an invalid context to write nothing, but the stored records changed',
      );
    },
  ),
  audit(
    'R1.2',
    'MUST',
    'Every store method rejects an invalid option object, key, item or operation with invalid_input naming the offending path, and writes nothing.',
    async ({ newStore }) => {
      const store = await newStore();
      await seed(store, [item('seeded')]);
      const before = await everything(store);
      for (const [method, path, call] of invalidCalls(store)) {
        const what = `${method} with an invalid value at ${canonical(path)}`;
        const error = await expectStoreError(call(), 'invalid_input', what);
        checkIssuePath(error.issues, path, what);
      }
      check(
        (await everything(store)) === before,
        'expected calls with invalid input to write nothing, but the stored records changed (a valid record of an invalid bulk operation, say, was written)',
      );
    },
  ),
  audit(
    'R1.3',
    'MUST',
    'Unknown keys in an option object or a write are rejected as invalid_input (unrecognized_keys), never dropped silently.',
    async ({ newStore }) => {
      const store = await newStore();
      const cases: Array<[string, () => Promise<unknown>]> = [
        ['a query option misspelt (includeArchive)', () => store.query(runtime(), { includeArchive: true } as MetadataQueryOptionsInput)],
        ['a filter misspelt (nam)', () => store.query(runtime(), { filters: { nam: 'account' } as MetadataQueryFiltersInput })],
        [
          'a load option misspelt (resolveInheritence)',
          () => store.load(runtime(), { resolveInheritence: false } as MetadataLoadOptionsInput),
        ],
        [
          'a write with an unknown envelope key (label)',
          () => store.save(runtime(), { ...item('typo'), label: 'x' } as MetadataRecordWriteInput),
        ],
        ['a save option misspelt (dryrun)', () => store.save(runtime(), item('typo'), { dryrun: true } as never)],
      ];
      for (const [what, call] of cases) {
        const error = await expectStoreError(call(), 'invalid_input', what);
        check(
          error.issues.some((issue) => issue.code === 'unrecognized_keys'),
          `${what}: expected an unrecognized_keys issue, the store reported ${error.issues.map((i) => i.code).join(', ')}`,
        );
      }
      check(
        (await queryAll(store, operator(), { includeArchived: true })).length === 0,
        'expected nothing written, but the store holds records',
      );
    },
  ),
  audit(
    'R1.4',
    'MUST',
    'A store validates its inputs before it checks permissions or stored state: an invalid write from a read-only caller is invalid_input, not forbidden, and an invalid delete of a missing item is invalid_input, not not_found.',
    async ({ newStore }) => {
      const store = await newStore();
      await expectStoreError(store.save(reader(), item('Not A Name')), 'invalid_input', 'an invalid save by a caller who may not write');
      await expectStoreError(
        store.delete(runtime(), keyOf('missing'), { expectedVersion: 0 }),
        'invalid_input',
        'a delete of a missing item with expectedVersion 0',
      );
    },
  ),
  audit(
    'R1.5',
    'MUST',
    'A store acts on the parsed input with its defaults filled in: a write without namespace, scope, state, tags or mergeStrategy stores the defaults, a query without pagination returns a first page of 100 records, and a save without onConflict updates.',
    async ({ newStore }) => {
      const store = await newStore();
      await store.save(runtime(), { tenantId: 'acme', type: 'object', name: 'minimal', payload: { label: 'Minimal', keep: true } });
      const stored = await store.get(runtime(), { tenantId: 'acme', type: 'object', name: 'minimal' });
      check(stored !== null, 'expected the minimal write to be stored under namespace default and scope platform, get found nothing there');
      checkEqual(
        { namespace: stored.namespace, scope: stored.scope, state: stored.state, tags: stored.tags, mergeStrategy: stored.mergeStrategy },
        { namespace: 'default', scope: 'platform', state: 'active', tags: [], mergeStrategy: 'merge' },
        'the envelope defaults of a minimal write',
      );

      // onConflict defaults to update: a second save merges (RFC 7396) instead of failing or replacing.
      const second = await store.save(runtime(), { tenantId: 'acme', type: 'object', name: 'minimal', payload: { label: 'Changed' } });
      check(
        second.status === 'updated',
        `expected a second save without onConflict to update (the default), the store reported ${second.status}`,
      );
      const merged = await store.get(runtime(), { tenantId: 'acme', type: 'object', name: 'minimal' });
      checkEqual(merged?.payload, { label: 'Changed', keep: true }, 'the payload after a save with the default onConflict (update merges)');

      const records: MetadataRecordWriteInput[] = [];
      for (let i = 0; i < 100; i++) records.push(item(`item_${String(i).padStart(3, '0')}`));
      await store.bulk(runtime(), { operation: 'create', records });
      const page = await store.query(runtime(), {});
      check(
        page.records.length === 100 && page.nextCursor !== undefined,
        `expected a query without pagination to return the default first page of 100 of the 101 records with a nextCursor, the store returned ${page.records.length} records ${page.nextCursor === undefined ? 'without' : 'with'} a nextCursor`,
      );
    },
  ),
];

// ---------------------------------------------------------------------------
// R6: values and payload keys reach the database literally
// ---------------------------------------------------------------------------

const r06: Audit[] = [
  audit(
    'R6.1',
    'MUST',
    'contains and starts_with match their value literally: %, _, a backslash and regular-expression characters are not wildcards.',
    async ({ newStore }) => {
      const store = await newStore();
      await seed(
        store,
        valueItems({
          pct: '100% pure',
          pct_plain: '100 pure',
          under: 'a_b',
          under_plain: 'axb',
          back: 'c\\d',
          back_plain: 'cd',
          star: 'e*f',
          star_plain: 'eef',
          dot: 'g.h',
          dot_plain: 'gxh',
          caret: '^i$',
          bracket: '[j]',
          bracket_plain: 'j',
        }),
      );
      await expectConditions(store, [
        [{ field: 'payload/v', operator: 'contains', value: '%' }, ['pct']],
        [{ field: 'payload/v', operator: 'starts_with', value: '100%' }, ['pct']],
        [{ field: 'payload/v', operator: 'starts_with', value: '%' }, []],
        [{ field: 'payload/v', operator: 'contains', value: '_' }, ['under']],
        [{ field: 'payload/v', operator: 'starts_with', value: 'a_' }, ['under']],
        [{ field: 'payload/v', operator: 'contains', value: '\\' }, ['back']],
        [{ field: 'payload/v', operator: 'contains', value: 'c\\d' }, ['back']],
        [{ field: 'payload/v', operator: 'contains', value: '*' }, ['star']],
        [{ field: 'payload/v', operator: 'starts_with', value: 'e*' }, ['star']],
        [{ field: 'payload/v', operator: 'contains', value: '.' }, ['dot']],
        [{ field: 'payload/v', operator: 'starts_with', value: 'g.h' }, ['dot']],
        [{ field: 'payload/v', operator: 'starts_with', value: '^i' }, ['caret']],
        [{ field: 'payload/v', operator: 'contains', value: 'i$' }, ['caret']],
        [{ field: 'payload/v', operator: 'contains', value: '[j]' }, ['bracket']],
      ]);
    },
  ),
  audit(
    'R6.2',
    'MUST',
    'Filter values holding quotes, SQL fragments and comment markers are compared as plain values: they match only equal values and change nothing.',
    async ({ newStore }) => {
      const store = await newStore();
      const values = {
        obrien: "O'Brien",
        dquote: 'say "hi"',
        sqlish: "x' OR '1'='1",
        dropper: 'a; DROP TABLE _framework_metadata; --',
        plain: 'x',
      };
      await seed(store, valueItems(values));
      const before = await everything(store);
      await expectConditions(store, [
        [{ field: 'payload/v', operator: 'eq', value: "O'Brien" }, ['obrien']],
        [{ field: 'payload/v', operator: 'eq', value: "x' OR '1'='1" }, ['sqlish']],
        [{ field: 'payload/v', operator: 'eq', value: "' OR '1'='1" }, []],
        [{ field: 'payload/v', operator: 'eq', value: 'x" OR "1"="1' }, []],
        [{ field: 'payload/v', operator: 'eq', value: "x'--" }, []],
        [{ field: 'payload/v', operator: 'ne', value: "x' OR 1=1 --" }, Object.keys(values)],
        [{ field: 'payload/v', operator: 'contains', value: "'" }, ['obrien', 'sqlish']],
        [{ field: 'payload/v', operator: 'contains', value: '"' }, ['dquote']],
        [{ field: 'payload/v', operator: 'in', value: ["O'Brien", 'say "hi"', "') OR ('1'='1"] }, ['dquote', 'obrien']],
        [{ field: 'payload/v', operator: 'starts_with', value: 'a; DROP TABLE' }, ['dropper']],
        [{ field: 'payload/v', operator: 'gt', value: "x'" }, ['sqlish']],
      ]);
      check((await everything(store)) === before, 'expected queries to change nothing, but the stored records changed');
    },
  ),
  audit(
    'R6.3',
    'MUST',
    'A payload path reaches the payload key by key, whatever characters a key holds: quotes, dots, brackets, $, spaces, backslashes, / (~1) and ~ (~0).',
    async ({ newStore }) => {
      const store = await newStore();
      await seed(store, [
        item('keys', {
          payload: {
            "it's": 'apostrophe',
            'say "hi"': 'quote',
            'a.b': 'dotted',
            a: { b: 'nested' },
            $where: 'dollar',
            '[0]': 'bracket',
            'sp ace': 'space',
            'back\\slash': 'backslash',
            é: 'accent',
            'a/b': 'slash',
            '~': 'tilde',
            "x'); DROP TABLE t; --": 'sql',
          },
        }),
        item('other', { payload: { a: { b: 'other' }, 'a.b': 'other' } }),
      ]);
      await expectConditions(store, [
        [{ field: "payload/it's", operator: 'eq', value: 'apostrophe' }, ['keys']],
        [{ field: 'payload/say "hi"', operator: 'eq', value: 'quote' }, ['keys']],
        [{ field: 'payload/a.b', operator: 'eq', value: 'dotted' }, ['keys']],
        [{ field: 'payload/a.b', operator: 'eq', value: 'nested' }, []],
        [{ field: 'payload/a/b', operator: 'eq', value: 'nested' }, ['keys']],
        [{ field: 'payload/a/b', operator: 'eq', value: 'other' }, ['other']],
        [{ field: 'payload/$where', operator: 'eq', value: 'dollar' }, ['keys']],
        [{ field: 'payload/[0]', operator: 'eq', value: 'bracket' }, ['keys']],
        [{ field: 'payload/sp ace', operator: 'eq', value: 'space' }, ['keys']],
        [{ field: 'payload/back\\slash', operator: 'eq', value: 'backslash' }, ['keys']],
        [{ field: 'payload/é', operator: 'eq', value: 'accent' }, ['keys']],
        [{ field: 'payload/a~1b', operator: 'eq', value: 'slash' }, ['keys']],
        [{ field: 'payload/~0', operator: 'eq', value: 'tilde' }, ['keys']],
        [{ field: "payload/x'); DROP TABLE t; --", operator: 'eq', value: 'sql' }, ['keys']],
      ]);
    },
  ),
];

// ---------------------------------------------------------------------------
// R7: one answer on every driver
// ---------------------------------------------------------------------------

const r07: Audit[] = [
  audit(
    'R7.1',
    'MUST',
    'Strings compare by Unicode code point: no collation, case-sensitive, no normalisation, and characters above U+FFFF after U+E000 to U+FFFF (not UTF-16 order).',
    async ({ newStore }) => {
      const store = await newStore();
      await seed(
        store,
        valueItems({ emoji: '\u{1F600}', fullwidth: '\uFF5E', upper: 'B', lower: 'a', composed: '\u00E9', decomposed: 'e\u0301' }),
      );
      await expectConditions(store, [
        [{ field: 'payload/v', operator: 'gt', value: '\uFF5E' }, ['emoji']],
        [{ field: 'payload/v', operator: 'lt', value: '\uFF5E' }, ['composed', 'decomposed', 'lower', 'upper']],
        [{ field: 'payload/v', operator: 'gte', value: '\u{1F600}' }, ['emoji']],
        [{ field: 'payload/v', operator: 'gt', value: 'a' }, ['composed', 'decomposed', 'emoji', 'fullwidth']],
        [{ field: 'payload/v', operator: 'lt', value: 'a' }, ['upper']],
        [{ field: 'payload/v', operator: 'eq', value: 'b' }, []],
        [{ field: 'payload/v', operator: 'eq', value: '\u00E9' }, ['composed']],
        [{ field: 'payload/v', operator: 'starts_with', value: 'e' }, ['decomposed']],
        [{ field: 'payload/v', operator: 'contains', value: '\u0301' }, ['decomposed']],
        [{ field: 'payload/v', operator: 'contains', value: 'b' }, []],
      ]);
    },
  ),
  audit(
    'R7.2',
    'MUST',
    'JSON types never mix: a condition matches only fields of its value’s JSON type ("1" never equals 1), and ordering compares strings with strings and numbers with numbers.',
    async ({ newStore }) => {
      const store = await newStore();
      await seed(store, valueItems({ num: 1, str: '1', bool: true, nul: null, arr: [1], obj: { a: 1 }, absent: undefined, text: 'abc' }));
      await expectConditions(store, [
        [{ field: 'payload/v', operator: 'eq', value: 1 }, ['num']],
        [{ field: 'payload/v', operator: 'eq', value: '1' }, ['str']],
        [{ field: 'payload/v', operator: 'eq', value: true }, ['bool']],
        [{ field: 'payload/v', operator: 'eq', value: [1] }, ['arr']],
        [{ field: 'payload/v', operator: 'eq', value: { a: 1 } }, ['obj']],
        [{ field: 'payload/v', operator: 'gt', value: 0 }, ['num']],
        [{ field: 'payload/v', operator: 'gte', value: '' }, ['str', 'text']],
        [{ field: 'payload/v', operator: 'lt', value: '2' }, ['str']],
        [{ field: 'payload/v', operator: 'in', value: [1, 'x'] }, ['num']],
        [{ field: 'payload/v', operator: 'in', value: ['1'] }, ['str']],
        [{ field: 'payload/v', operator: 'in', value: [true] }, ['bool']],
        [{ field: 'payload/v', operator: 'contains', value: '1' }, ['str']],
      ]);
    },
  ),
  audit(
    'R7.3',
    'MUST',
    'Numbers compare numerically (1.5 < 2 < 10, 2.0 equals 2), while numeric-looking strings compare as text ("10" < "9").',
    async ({ newStore }) => {
      const store = await newStore();
      await seed(store, valueItems({ n_neg: -3, n_frac: 1.5, n_two: 2, n_ten: 10, n_big: 1e21, s_ten: '10', s_nine: '9' }));
      await expectConditions(store, [
        [{ field: 'payload/v', operator: 'gt', value: 9 }, ['n_big', 'n_ten']],
        [{ field: 'payload/v', operator: 'lt', value: 2 }, ['n_frac', 'n_neg']],
        [{ field: 'payload/v', operator: 'eq', value: 2.0 }, ['n_two']],
        [{ field: 'payload/v', operator: 'lte', value: -3 }, ['n_neg']],
        [{ field: 'payload/v', operator: 'gte', value: 1e21 }, ['n_big']],
        [{ field: 'payload/v', operator: 'lt', value: '9' }, ['s_ten']],
        [{ field: 'payload/v', operator: 'gt', value: '10' }, ['s_nine']],
      ]);
    },
  ),
  audit(
    'R7.4',
    'MUST',
    'Absent and null fields match eq null and exists false, never an ordering operator, and ne and not_in are the exact negations of eq and in.',
    async ({ newStore }) => {
      const store = await newStore();
      await seed(store, valueItems({ x: 'x', y: 'y', num: 1, nul: null, absent: undefined }));
      const all = ['absent', 'nul', 'num', 'x', 'y'];
      await expectConditions(store, [
        [{ field: 'payload/v', operator: 'eq', value: null }, ['absent', 'nul']],
        [{ field: 'payload/v', operator: 'exists', value: false }, ['absent', 'nul']],
        [{ field: 'payload/v', operator: 'exists', value: true }, ['num', 'x', 'y']],
        [{ field: 'payload/v', operator: 'gte', value: '' }, ['x', 'y']],
        [{ field: 'payload/v', operator: 'lt', value: 1000 }, ['num']],
        [{ field: 'payload/missing/deeper', operator: 'eq', value: null }, all],
      ]);
      // ne and not_in: every record that eq / in does not match, absent and other types included.
      const pairs: Array<[MetadataQueryConditionInput, MetadataQueryConditionInput, string[]]> = [
        [{ field: 'payload/v', operator: 'eq', value: null }, { field: 'payload/v', operator: 'ne', value: null }, ['absent', 'nul']],
        [{ field: 'payload/v', operator: 'eq', value: 'x' }, { field: 'payload/v', operator: 'ne', value: 'x' }, ['x']],
        [{ field: 'payload/v', operator: 'eq', value: 1 }, { field: 'payload/v', operator: 'ne', value: 1 }, ['num']],
        [
          { field: 'payload/v', operator: 'in', value: ['x', null] },
          { field: 'payload/v', operator: 'not_in', value: ['x', null] },
          ['absent', 'nul', 'x'],
        ],
        [
          { field: 'payload/v', operator: 'in', value: ['y', 1] },
          { field: 'payload/v', operator: 'not_in', value: ['y', 1] },
          ['num', 'y'],
        ],
      ];
      for (const [positive, negative, matched] of pairs) {
        await expectConditions(store, [
          [positive, matched],
          [negative, all.filter((name) => !matched.includes(name))],
        ]);
      }
    },
  ),
  audit(
    'R7.5',
    'MUST',
    'Payload paths are RFC 6901 JSON Pointers: ~1 and ~0 escapes, canonical array indexes, digit keys on objects, no implicit traversal of arrays, and a path that does not resolve is absent.',
    async ({ newStore }) => {
      const store = await newStore();
      await seed(store, [
        item('ptr', {
          payload: {
            fields: { 'first-name': { required: true } },
            columns: [{ name: 'id' }, { name: 'label' }],
            routes: { '/api/v1': 'accounts' },
            'a~b': 2,
            obj: { '0': 'zero', '01': 'leading' },
            list: ['x', 'y'],
          },
        }),
        item('other', { payload: { columns: { name: 'id' }, list: { '01': 'key', '-': 'dash' } } }),
      ]);
      await expectConditions(store, [
        [{ field: 'payload/fields/first-name/required', operator: 'eq', value: true }, ['ptr']],
        [{ field: 'payload/columns/0/name', operator: 'eq', value: 'id' }, ['ptr']],
        [{ field: 'payload/columns/1/name', operator: 'eq', value: 'label' }, ['ptr']],
        [{ field: 'payload/columns/name', operator: 'eq', value: 'id' }, ['other']],
        [{ field: 'payload/columns/name', operator: 'exists', value: true }, ['other']],
        [{ field: 'payload/columns/2/name', operator: 'exists', value: false }, ['other', 'ptr']],
        [{ field: 'payload/routes/~1api~1v1', operator: 'eq', value: 'accounts' }, ['ptr']],
        [{ field: 'payload/a~0b', operator: 'eq', value: 2 }, ['ptr']],
        [{ field: 'payload/obj/0', operator: 'eq', value: 'zero' }, ['ptr']],
        [{ field: 'payload/obj/01', operator: 'eq', value: 'leading' }, ['ptr']],
        [{ field: 'payload/list/1', operator: 'eq', value: 'y' }, ['ptr']],
        [{ field: 'payload/list/01', operator: 'exists', value: true }, ['other']],
        [{ field: 'payload/list/-', operator: 'exists', value: true }, ['other']],
        [{ field: 'payload/list/2', operator: 'exists', value: true }, []],
        [{ field: 'payload/list', operator: 'contains', value: 'y' }, ['ptr']],
      ]);
    },
  ),
  audit(
    'R7.6',
    'MUST',
    'createdAt and updatedAt are written in UTC as YYYY-MM-DDTHH:mm:ss.sssZ and conditions on them compare instants, whatever offset the value is written with.',
    async ({ newStore }) => {
      const store = await newStore();
      await seed(store, [item('dated')]);
      const record = await store.get(runtime(), keyOf('dated'));
      check(record !== null, 'expected the saved item to be found by its key, get returned null');
      const format = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
      for (const field of ['createdAt', 'updatedAt'] as const) {
        check(
          typeof record[field] === 'string' && format.test(record[field]),
          `expected ${field} in UTC as YYYY-MM-DDTHH:mm:ss.sssZ, the store wrote ${String(record[field])}`,
        );
      }
      const at = record.updatedAt!;
      const created = record.createdAt!;
      const later = new Date(Date.parse(at) + 1).toISOString();
      const earlier = new Date(Date.parse(at) - 1).toISOString();
      await expectConditions(store, [
        [{ field: 'updatedAt', operator: 'eq', value: withOffset(at, 60) }, ['dated']],
        [{ field: 'updatedAt', operator: 'ne', value: withOffset(at, -330) }, []],
        [{ field: 'updatedAt', operator: 'gt', value: withOffset(at, 60) }, []],
        [{ field: 'updatedAt', operator: 'gte', value: withOffset(at, -330) }, ['dated']],
        [{ field: 'updatedAt', operator: 'lt', value: withOffset(later, 60) }, ['dated']],
        [{ field: 'updatedAt', operator: 'lte', value: withOffset(earlier, -330) }, []],
        [{ field: 'createdAt', operator: 'in', value: [withOffset(created, 60)] }, ['dated']],
      ]);
      await expectMatches(store, { updatedAfter: withOffset(earlier, 60) }, ['dated'], `updatedAfter ${withOffset(earlier, 60)}`);
      await expectMatches(store, { updatedBefore: withOffset(at, 60) }, [], `updatedBefore ${withOffset(at, 60)} (strictly before)`);
    },
  ),
  audit(
    'R7.7',
    'MUST',
    'Sorting puts absent values first in ascending and last in descending order, orders strings by code point (uppercase before lowercase), and breaks ties by the record id.',
    async ({ newStore }) => {
      const store = await newStore();
      await seed(store, [item('plain_one'), item('plain_two')]);
      await store.save(runtime(['acme'], 'amy@acme'), item('mine', { scope: 'user', owner: 'amy@acme' }));
      await store.save(runtime(['acme'], 'Bob@acme'), item('mine', { scope: 'user', owner: 'Bob@acme' }));
      const admin: MetadataCallContextInput = { ...runtime(['acme'], 'admin@acme'), administersUsers: true };
      const owners = async (direction: 'asc' | 'desc') =>
        (await queryAll(store, admin, { filters: { tenantId: 'acme' }, sort: [{ field: 'owner', direction }] })).map(
          (r) => r.owner ?? null,
        );
      checkEqual(
        await owners('asc'),
        [null, null, 'Bob@acme', 'amy@acme'],
        'owners in ascending order (absent first, then code point order)',
      );
      checkEqual(await owners('desc'), ['amy@acme', 'Bob@acme', null, null], 'owners in descending order (absent last)');
      // Ties are broken by the record id, the final sort key, in code point order.
      const tied = (await queryAll(store, admin, { filters: { tenantId: 'acme', scope: 'platform' }, sort: [{ field: 'owner' }] })).map(
        (r) => r.id ?? '',
      );
      const byId = [...tied].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
      check(
        canonical(tied) === canonical(byId),
        'expected records with equal sort values in the order of their ids, the store returned another order',
      );

      const actors = ['alpha', 'Zed', 'a:b', '9z', 'Alpha', 'a.b', 'a-b'];
      const other = await newStore();
      for (const [i, actor] of actors.entries()) await other.save(runtime(), item(`by_${i}`), { actor });
      const creators = async (direction: 'asc' | 'desc') =>
        (await queryAll(other, runtime(), { filters: { tenantId: 'acme' }, sort: [{ field: 'createdBy', direction }] })).map(
          (r) => r.createdBy,
        );
      const codePointOrder = ['9z', 'Alpha', 'Zed', 'a-b', 'a.b', 'a:b', 'alpha'];
      checkEqual(await creators('asc'), codePointOrder, 'createdBy in ascending order (code point order)');
      checkEqual(await creators('desc'), [...codePointOrder].reverse(), 'createdBy in descending order');
    },
  ),
  audit(
    'R7.8',
    'MUST',
    'A list given for type, name, namespace, scope or state matches any of its values, tags match only records that have all the given tags, and every filter given must match.',
    async ({ newStore }) => {
      const store = await newStore();
      await seed(store, [
        item('obj_core', { tags: ['core', 'crm'] }),
        item('obj_crm', { tags: ['crm'] }),
        item('obj_all', { tags: ['x', 'crm', 'core'], state: 'draft' }),
        item('fld', { type: 'field', tags: ['core', 'crm'] }),
        item('vw', { type: 'view', namespace: 'sales', state: 'deprecated' }),
      ]);
      await expectMatches(store, { type: ['field', 'view'] }, ['fld', 'vw'], 'type [field, view]');
      await expectMatches(store, { name: ['obj_crm', 'vw', 'nothing'] }, ['obj_crm', 'vw'], 'name [obj_crm, vw, nothing]');
      await expectMatches(store, { namespace: ['sales'] }, ['vw'], 'namespace [sales]');
      await expectMatches(store, { state: ['draft', 'deprecated'] }, ['obj_all', 'vw'], 'state [draft, deprecated]');
      await expectMatches(store, { tags: ['crm', 'core'] }, ['fld', 'obj_all', 'obj_core'], 'tags [crm, core] (all of them)');
      await expectMatches(store, { tags: ['core'], type: 'object' }, ['obj_all', 'obj_core'], 'tags [core] and type object');
      await expectMatches(store, { type: ['object'], state: 'draft', tags: ['x'] }, ['obj_all'], 'type, state and tags together');
    },
  ),
  audit('R7.9', 'MUST', 'Archived items are left out of a query unless it sets includeArchived or names a state.', async ({ newStore }) => {
    const store = await newStore();
    await seed(store, [item('live'), item('gone'), item('sketch', { state: 'draft' })]);
    await store.archive(runtime(), keyOf('gone'));
    await expectMatches(store, {}, ['live', 'sketch'], 'a query without includeArchived');
    await expectMatches(store, { state: 'archived' }, ['gone'], 'a query for state archived');
    await expectMatches(store, { state: ['archived', 'active'] }, ['gone', 'live'], 'a query for states archived and active');
    const withArchived = names(await queryAll(store, runtime(), { filters: { tenantId: 'acme' }, includeArchived: true }));
    checkEqual(withArchived, ['gone', 'live', 'sketch'], 'a query with includeArchived');
  }),
];

// ---------------------------------------------------------------------------
// R8: bulk operations
// ---------------------------------------------------------------------------

const r08: Audit[] = [
  audit(
    'R8.1',
    'MUST',
    'A transactional bulk operation writes all its records or none: one failing record leaves nothing written, even from earlier batches, and the report says it was not committed.',
    async ({ newStore }) => {
      const store = await newStore();
      await seed(store, [item('taken')]);
      const before = await everything(store);
      const result = await store.bulk(runtime(), {
        operation: 'create',
        records: [item('first'), item('second'), item('taken')],
        batchSize: 1,
      });
      const report = checkReport(result, 3, 'a transactional bulk create whose third record exists');
      check(
        !report.committed,
        'expected committed: false for a transactional bulk operation with a failed record, the store reported committed: true',
      );
      check(
        report.items[2]?.status === 'failed' && report.items[2].error?.code === 'already_exists',
        `expected the third item to fail with already_exists, the store reported ${statuses(report.items).join(', ')}`,
      );
      check(
        (await everything(store)) === before,
        `expected nothing written by the rolled-back bulk operation, but the store now holds [${names(await queryAll(store, runtime())).join(', ')}]`,
      );
    },
  ),
  audit(
    'R8.2',
    'MUST',
    'A non-transactional bulk operation with continueOnError commits each batch on its own and reports every record in request order: created, or failed with the reason.',
    async ({ newStore }) => {
      const store = await newStore();
      await seed(store, [item('taken')]);
      const taken = await store.get(runtime(), keyOf('taken'));
      const result = await store.bulk(runtime(), {
        operation: 'create',
        records: [item('first'), item('taken'), item('third')],
        transactional: false,
        continueOnError: true,
        batchSize: 1,
      });
      const report = checkReport(result, 3, 'a keep-going bulk create');
      checkEqual(statuses(report.items), ['created', 'failed:already_exists', 'created'], 'the item statuses');
      check(report.committed, 'expected committed: true for a keep-going bulk operation that wrote records, the store reported false');
      const failure = report.items[1]?.error;
      check(
        failure?.code === 'already_exists' && failure.existingId === taken?.id && failure.actualVersion === taken?.version,
        'expected the already_exists error to name the stored item’s id and version, it named others',
      );
      const stored = names(await queryAll(store, runtime()));
      checkEqual(stored, ['first', 'taken', 'third'], 'the items stored after the keep-going bulk create');
      const first = await store.get(runtime(), keyOf('first'));
      check(first !== null && report.items[0]?.id === first.id, 'expected the report to give the created item’s id, it gave another');
    },
  ),
  audit(
    'R8.3',
    'MUST',
    'A non-transactional bulk operation without continueOnError keeps the batches written before the first failure and reports the records after it as not attempted.',
    async ({ newStore }) => {
      const store = await newStore();
      await seed(store, [item('taken')]);
      const result = await store.bulk(runtime(), {
        operation: 'create',
        records: [item('first'), item('taken'), item('third')],
        transactional: false,
        batchSize: 1,
      });
      const report = checkReport(result, 3, 'a per-batch bulk create stopping at its first failure');
      checkEqual(statuses(report.items), ['created', 'failed:already_exists', 'not_attempted'], 'the item statuses');
      checkEqual(
        names(await queryAll(store, runtime())),
        ['first', 'taken'],
        'the items stored (the first batch committed, the third never attempted)',
      );
    },
  ),
  audit(
    'R8.4',
    'MUST',
    'A dry-run bulk operation reports what a real run would (the same statuses, versions and conflicts) and writes nothing.',
    async ({ newStore }) => {
      const store = await newStore();
      await seed(store, [item('kept'), item('guarded')]);
      const before = await everything(store);
      const operation = (dryRun: boolean): MetadataBulkOperationInput => ({
        operation: 'upsert',
        records: [
          item('brand_new'),
          item('guarded', { payload: { label: 'stale write' }, expectedVersion: 5 }),
          item('kept', { payload: { label: 'replaced' }, expectedVersion: 1 }),
        ],
        transactional: false,
        continueOnError: true,
        dryRun,
      });
      const dry = checkReport(await store.bulk(runtime(), operation(true)), 3, 'a dry-run bulk upsert');
      check(dry.dryRun && !dry.committed, 'expected a dry run to report dryRun: true and committed: false');
      check((await everything(store)) === before, 'expected the dry run to write nothing, but the stored records changed');
      const real = checkReport(await store.bulk(runtime(), operation(false)), 3, 'the same bulk upsert run for real');
      checkEqual(statuses(dry.items), statuses(real.items), 'the dry run’s statuses compared with the real run’s');
      checkEqual(statuses(real.items), ['created', 'failed:version_conflict', 'replaced'], 'the real run’s statuses');
      checkEqual(
        dry.items.map((i) => i.version ?? null),
        real.items.map((i) => i.version ?? null),
        'the dry run’s versions compared with the real run’s',
      );
      checkEqual(dry.items[1]?.error, real.items[1]?.error, 'the dry run’s version_conflict compared with the real run’s');
    },
  ),
  audit(
    'R8.5',
    'MUST',
    'Bulk updates and deletes by id report each record’s outcome: updated or deleted with the new version, version_conflict naming both versions, or not_found for an unknown id.',
    async ({ newStore }) => {
      const store = await newStore();
      await seed(store, [item('one'), item('two')]);
      const one = (await store.get(runtime(), keyOf('one')))!;
      const two = (await store.get(runtime(), keyOf('two')))!;
      const updated = checkReport(
        await store.bulk(runtime(), {
          operation: 'update',
          changes: [
            { id: one.id!, expectedVersion: 1, set: { state: 'deprecated' } },
            { id: two.id!, expectedVersion: 2, set: { tags: ['x'] } },
            { id: 'conformance_no_such_id', expectedVersion: 1, set: { state: 'draft' } },
          ],
          transactional: false,
          continueOnError: true,
        }),
        3,
        'a keep-going bulk update',
      );
      checkEqual(statuses(updated.items), ['updated', 'failed:version_conflict', 'failed:not_found'], 'the update statuses');
      check(updated.items[0]?.version === 2, `expected the updated record at version 2, the report says ${updated.items[0]?.version}`);
      const conflict = updated.items[1]?.error;
      check(
        conflict?.code === 'version_conflict' && conflict.expectedVersion === 2 && conflict.actualVersion === 1,
        `expected version_conflict with expectedVersion 2 and actualVersion 1, the store reported ${canonical(conflict)}`,
      );
      checkEqual((await store.get(runtime(), keyOf('two')))?.tags, [], 'the tags of the record whose update conflicted');

      const deleted = checkReport(
        await store.bulk(runtime(), {
          operation: 'delete',
          ids: [{ id: one.id!, expectedVersion: 1 }, { id: two.id! }],
          transactional: false,
          continueOnError: true,
        }),
        2,
        'a keep-going bulk delete',
      );
      checkEqual(statuses(deleted.items), ['failed:version_conflict', 'deleted'], 'the delete statuses');
      checkEqual(names(await queryAll(store, runtime())), ['one'], 'the records left after the bulk delete');
    },
  ),
];

// ---------------------------------------------------------------------------
// R9, R11: migrations through migrate()
// ---------------------------------------------------------------------------

const r09: Audit[] = [
  audit(
    'R9.1',
    'MUST',
    'A runtime caller cannot apply a migration: migrate with dryRun false is forbidden (operator_only).',
    async ({ newStore }) => {
      const store = await newStore();
      const error = await expectStoreError(
        store.migrate(runtime(), { dryRun: false }),
        'forbidden',
        'a migration applied by a runtime caller',
      );
      check(error.reason === 'operator_only', `expected the reason operator_only, the store gave ${error.reason}`);
    },
  ),
  audit(
    'R9.2',
    'MUST',
    'A migration plan made without allowDataLoss only creates the table, adds columns and indexes or makes a backup: no step loses data.',
    async ({ newStore }) => {
      const store = await newStore();
      const plan = await store.migrate(operator(), { dryRun: true });
      for (const step of plan.steps) {
        const op = step.operation;
        const additive =
          op.type === 'create' ||
          op.type === 'backup' ||
          (op.type === 'alter' && op.changes.every((c) => c.action === 'add_column' || c.action === 'add_index'));
        check(
          additive && !step.losesData,
          `expected only create, backup or adding steps without allowDataLoss, the plan holds a ${op.type} step`,
        );
      }
    },
  ),
];

/** A dialect that is not the store's (any SQL dialect is foreign to the memory store and to MongoDB). */
function foreignDialect(store: MetadataStore): 'postgres' | 'mysql' {
  return store.profile.capabilities?.driver === 'postgres' ? 'mysql' : 'postgres';
}

const r11: Audit[] = [
  audit(
    'R11.1',
    'MUST',
    'A dry-run migration reports its plan and runs nothing: it says applied false, the records are untouched, and planning again gives the same plan.',
    async ({ newStore }) => {
      const store = await newStore();
      await seed(store, [item('kept')]);
      const before = await everything(store);
      const first = await store.migrate(operator(), {});
      check(!first.applied, 'expected a dry run (the default) to report applied: false, the store reported applied: true');
      const second = await store.migrate(operator(), { dryRun: true });
      check(!second.applied, 'expected a dry run to report applied: false, the store reported applied: true');
      checkEqual(second, first, 'the plan of a second dry run (the first ran nothing, so nothing changed)');
      check((await everything(store)) === before, 'expected a dry-run migration to leave the records untouched, they changed');
    },
  ),
  audit(
    'R11.2',
    'MUST',
    'A migration step whose script is in another dialect than the datasource’s driver is refused, even in a dry run.',
    async ({ newStore }) => {
      const store = await newStore();
      const dialect = foreignDialect(store);
      const call = store.migrate(operator(), {
        dryRun: true,
        steps: [
          {
            type: 'alter',
            table: '_framework_metadata',
            changes: [{ action: 'add_index', index: { name: 'conformance_probe_idx', fields: ['name'] } }],
            script: { dialect, sql: 'CREATE INDEX conformance_probe_idx ON _framework_metadata (name)' },
          },
        ],
      });
      let outcome: unknown;
      try {
        outcome = await call;
      } catch (reason) {
        const error = storeErrorOf(reason);
        check(
          error?.code === 'invalid_input' || error?.code === 'unsupported_capability',
          `expected a ${dialect} script to be refused with invalid_input or unsupported_capability, the store failed with ${error?.code ?? `an untyped error: ${String(reason)}`}`,
        );
        return;
      }
      throw new AuditFailure(`expected a ${dialect} script to be refused, the store planned it: ${canonical(outcome).slice(0, 200)}`);
    },
  ),
];

// ---------------------------------------------------------------------------
// R12: versions, ids and audit fields belong to the runtime
// ---------------------------------------------------------------------------

const r12: Audit[] = [
  audit(
    'R12.1',
    'MUST',
    'A created record has version 1, every write that changes it (update, replace, archive, restore, bulk update) adds exactly 1, and a write that changes nothing keeps the version.',
    async ({ newStore }) => {
      const store = await newStore();
      const rt = runtime();
      const steps: Array<[string, () => Promise<{ status?: string; version: number }>, number]> = [
        ['create', () => store.save(rt, item('counted')), 1],
        ['update', () => store.save(rt, item('counted', { payload: { more: 1 } })), 2],
        ['replace', () => store.save(rt, item('counted', { payload: { label: 'whole' } }), { onConflict: 'replace' }), 3],
        ['archive', () => store.archive(rt, keyOf('counted')), 4],
        ['restore', () => store.restore(rt, keyOf('counted')), 5],
        ['an unchanged save', () => store.save(rt, item('counted', { payload: { label: 'whole' } }), { onConflict: 'replace' }), 5],
      ];
      for (const [what, write, version] of steps) {
        const result = await write();
        check(result.version === version, `expected version ${version} after the ${what}, the write reported ${result.version}`);
        const stored = await store.get(rt, keyOf('counted'));
        check(stored?.version === version, `expected the stored version ${version} after the ${what}, get returned ${stored?.version}`);
      }
      const id = (await store.get(rt, keyOf('counted')))!.id!;
      await store.bulk(rt, { operation: 'update', changes: [{ id, expectedVersion: 5, set: { tags: ['bulk'] } }] });
      check((await store.get(rt, keyOf('counted')))?.version === 6, 'expected version 6 after a bulk update, the stored version differs');
    },
  ),
  audit(
    'R12.2',
    'MUST',
    'The store sets id, createdAt, createdBy, updatedAt and updatedBy itself: the id and the creation fields never change, and each write records its actor (the actor option, else the caller).',
    async ({ newStore }) => {
      const store = await newStore();
      await store.save(runtime(['acme'], 'jane@acme'), item('audited'));
      const created = await store.get(runtime(), keyOf('audited'));
      check(created !== null, 'expected the saved item to be found, get returned null');
      check(typeof created.id === 'string' && created.id.length > 0, 'expected the store to assign an id on create, the record has none');
      check(
        created.createdBy === 'jane@acme' && created.updatedBy === 'jane@acme',
        `expected createdBy and updatedBy to be the caller jane@acme, the store wrote ${created.createdBy} and ${created.updatedBy}`,
      );
      check(
        created.createdAt !== undefined && created.updatedAt !== undefined,
        'expected createdAt and updatedAt to be set on create, one is missing',
      );

      await store.save(runtime(['acme'], 'jane@acme'), item('audited', { payload: { label: 'edited' } }), { actor: 'bob@acme' });
      const updated = await store.get(runtime(), keyOf('audited'));
      check(updated !== null, 'expected the updated item to be found, get returned null');
      checkEqual(
        { id: updated.id, createdAt: updated.createdAt, createdBy: updated.createdBy },
        { id: created.id, createdAt: created.createdAt, createdBy: created.createdBy },
        'id and creation fields after an update',
      );
      check(updated.updatedBy === 'bob@acme', `expected updatedBy to be the actor option bob@acme, the store wrote ${updated.updatedBy}`);
      check(
        Date.parse(updated.updatedAt!) >= Date.parse(created.updatedAt!),
        'expected updatedAt after an update to be no earlier than before it, it went backwards',
      );
    },
  ),
  audit(
    'R12.3',
    'MUST',
    'A write that names id, version, checksum or an audit field is rejected as invalid_input (unknown key), and nothing is written.',
    async ({ newStore }) => {
      const store = await newStore();
      const owned: Record<string, unknown> = {
        id: 'chosen_id',
        version: 7,
        checksum: `sha256:${'0'.repeat(64)}`,
        createdAt: '2001-01-01T00:00:00.000Z',
        createdBy: 'someone',
        updatedAt: '2001-01-01T00:00:00.000Z',
        updatedBy: 'someone',
      };
      for (const [field, value] of Object.entries(owned)) {
        const write = { ...item('owned'), [field]: value } as MetadataRecordWriteInput;
        const error = await expectStoreError(store.save(runtime(), write), 'invalid_input', `a save naming ${field}`);
        check(
          error.issues.some((i) => i.code === 'unrecognized_keys'),
          `a save naming ${field}: expected an unrecognized_keys issue, the store reported ${error.issues.map((i) => i.code).join(', ')}`,
        );
        await expectStoreError(
          store.bulk(runtime(), { operation: 'upsert', records: [write] }),
          'invalid_input',
          `a bulk upsert naming ${field}`,
        );
      }
      check((await store.get(runtime(), keyOf('owned'))) === null, 'expected nothing written, but the item is stored');
    },
  ),
  audit(
    'R12.4',
    'MUST',
    'An import does not store a supplied version (unless preserveVersions), checksum or audit field: the store sets them itself.',
    async ({ newStore }) => {
      const store = await newStore();
      const supplied = (name: string): MetadataRecordInput =>
        recordOf(name, {
          version: 7,
          checksum: `sha256:${'0'.repeat(64)}`,
          createdAt: '2001-01-01T00:00:00.000Z',
          createdBy: 'someone',
          updatedAt: '2001-01-01T00:00:00.000Z',
          updatedBy: 'someone',
        });
      await store.import(operator(), [supplied('imported')], {});
      await store.import(operator(), [supplied('preserved')], { preserveVersions: true });
      for (const [name, version] of [
        ['imported', 1],
        ['preserved', 7],
      ] as const) {
        const record = await store.get(operator(), keyOf(name));
        check(record !== null, `expected the imported item ${name} to be stored, get returned null`);
        check(record.version === version, `expected ${name} at version ${version}, the store kept version ${record.version}`);
        check(
          record.checksum === checksumOf(record.payload),
          `expected ${name}'s checksum computed from its payload, the store kept ${record.checksum}`,
        );
        check(
          record.createdBy !== 'someone' && record.updatedBy !== 'someone',
          `expected ${name}'s createdBy and updatedBy set by the store, it kept the supplied "someone"`,
        );
        check(
          record.createdAt !== '2001-01-01T00:00:00.000Z' && record.updatedAt !== '2001-01-01T00:00:00.000Z',
          `expected ${name}'s createdAt and updatedAt set by the store, it kept the supplied 2001 date`,
        );
      }
    },
  ),
];

// ---------------------------------------------------------------------------
// R13: checksums of payloads
// ---------------------------------------------------------------------------

/** A payload whose RFC 8785 form differs from JSON.stringify's: keys out of order at every level, non-ASCII keys and values. */
const AWKWARD_PAYLOAD: JsonObject = {
  zeta: 1,
  alpha: { y: [3, 1, 2], x: '\u00E9\u{1F600}', '\u00E9': true, Z: null },
  num: 1e21,
  small: 0.000001,
  nested: { b: { d: 4, c: 3 }, a: [] },
  '\u20AC': 'euro',
  '\uFF5E': 'fullwidth',
  '\u{1F600}': 'emoji',
};

const r13: Audit[] = [
  audit(
    'R13.1',
    'MUST',
    'Every write sets checksum to "sha256:" and the hex SHA-256 of the payload’s RFC 8785 form, as stored (after a merge, of the merged payload).',
    async ({ newStore }) => {
      const store = await newStore();
      const expected = checksumOf(AWKWARD_PAYLOAD);
      const created = await store.save(runtime(), item('summed', { payload: AWKWARD_PAYLOAD }));
      check(created.checksum === expected, `expected the save result's checksum ${expected}, the store returned ${created.checksum}`);
      const stored = await store.get(runtime(), keyOf('summed'));
      check(stored?.checksum === expected, `expected the stored checksum ${expected}, get returned ${stored?.checksum}`);
      const [queried] = await queryAll(store, runtime(), { filters: { tenantId: 'acme', name: 'summed' } });
      check(queried?.checksum === expected, `expected the queried record's checksum ${expected}, the query returned ${queried?.checksum}`);

      await store.bulk(runtime(), { operation: 'upsert', records: [item('bulked', { payload: AWKWARD_PAYLOAD })] });
      const bulked = await store.get(runtime(), keyOf('bulked'));
      check(bulked?.checksum === expected, `expected the checksum ${expected} after a bulk upsert, the store stored ${bulked?.checksum}`);

      const patched = await store.save(runtime(), item('summed', { payload: { zeta: null, added: { k: 'v' } } }));
      const after = await store.get(runtime(), keyOf('summed'));
      check(after !== null, 'expected the updated item to be found, get returned null');
      const merged = checksumOf(after.payload);
      check(
        patched.checksum === merged && after.checksum === merged,
        `expected the checksum of the merged payload ${merged} after an update, the store returned ${patched.checksum} and stored ${after.checksum}`,
      );
    },
  ),
  audit(
    'R13.2',
    'MUST',
    'The checksum covers the payload alone: items with equal payloads have equal checksums, and changing only the state or tags keeps it.',
    async ({ newStore }) => {
      const store = await newStore();
      const payload = { label: 'Same', fields: { name: { type: 'text' } } };
      await seed(store, [
        item('first', { payload }),
        item('second', { payload: { fields: { name: { type: 'text' } }, label: 'Same' }, tags: ['x'], state: 'draft' }),
      ]);
      const expected = checksumOf(payload);
      const checksums = async () =>
        (await queryAll(store, runtime(), { filters: { tenantId: 'acme' }, includeArchived: true })).map((r) => r.checksum);
      checkEqual(await checksums(), [expected, expected], 'the checksums of two items with equal payloads');
      await store.archive(runtime(), keyOf('first'));
      await store.save(runtime(), item('second', { payload: {}, tags: ['y', 'z'] }));
      checkEqual(await checksums(), [expected, expected], 'the checksums after changing only state and tags');
    },
  ),
  audit(
    'R13.3',
    'MUST',
    'An item loaded with inheritance resolved carries the checksum of its effective (merged) payload, not of its stored one.',
    async ({ newStore }) => {
      const store = await newStore();
      const owner = runtime(['acme'], 'jane@acme');
      await store.save(
        owner,
        item('account', { payload: { label: 'Account', fields: { name: { type: 'text' }, fax: { type: 'text' } } } }),
      );
      const childPayload = { fields: { fax: null, name: { maxLength: 200 } } };
      await store.save(owner, item('account', { scope: 'user', owner: 'jane@acme', extends: 'account', payload: childPayload }));
      const result = await store.load(owner, { filters: { tenantId: 'acme', name: 'account' }, useCache: false });
      const resolved = result.records.find((r) => r.scope === 'user');
      check(resolved !== undefined, 'expected the load to serve the user-scope item, which overrides the platform one, it did not');
      check(
        canonical(resolved.payload) !== canonical(childPayload),
        'expected the loaded user item to carry its effective payload (merged with its parent), the store served the stored child payload',
      );
      const effective = checksumOf(resolved.payload);
      check(
        resolved.checksum === effective,
        `expected the checksum of the effective payload ${effective}, the store returned ${resolved.checksum}`,
      );
      const stored = await store.get(owner, keyOf('account', { scope: 'user', owner: 'jane@acme' }));
      check(
        stored?.checksum === checksumOf(childPayload),
        `expected get (no inheritance) to return the stored payload's checksum ${checksumOf(childPayload)}, it returned ${stored?.checksum}`,
      );
    },
  ),
];

// ---------------------------------------------------------------------------
// R16: the page checksum and notModified
// ---------------------------------------------------------------------------

const r16: Audit[] = [
  audit(
    'R16.1',
    'MUST',
    'A load’s checksum is the SHA-256 of the RFC 8785 form of its records’ content projection (key, state, tags, extends, mergeStrategy, payload checksum), in result order.',
    async ({ newStore }) => {
      const store = await newStore();
      const jane = runtime(['acme'], 'jane@acme');
      await seed(
        store,
        [
          item('account', { tags: ['core', 'crm'] }),
          item('contact', { state: 'draft', payload: { label: 'Contact', fields: {} } }),
          item('account', { scope: 'user', owner: 'jane@acme', extends: 'account', payload: { label: 'Mine' } }),
          item('lead', { mergeStrategy: 'replace' }),
        ],
        jane,
      );
      for (const resolveInheritance of [false, true]) {
        const result = await load(store, jane, { resolveInheritance });
        check(result.records.length > 0, 'expected the load to return the saved items, it returned none');
        checkPageChecksum(result, `a load with resolveInheritance ${resolveInheritance}`);
      }
    },
  ),
  audit(
    'R16.2',
    'MUST',
    'A load answers notModified with no records exactly when ifNoneMatch equals the checksum of the page it would return.',
    async ({ newStore }) => {
      const store = await newStore();
      await seed(store, [item('account'), item('contact')]);
      const first = await load(store, runtime());
      const checksum = checkPageChecksum(first, 'the first load');

      const same = await load(store, runtime(), { ifNoneMatch: checksum });
      check(
        same.notModified && same.records.length === 0 && same.nextCursor === undefined,
        `expected notModified: true and no records for an unchanged page, the store returned notModified: ${same.notModified} with ${same.records.length} records`,
      );

      const other = await load(store, runtime(), { ifNoneMatch: checksumOf('another page') });
      check(!other.notModified, 'expected notModified: false when ifNoneMatch names another checksum, the store answered notModified');
      checkEqual(projection(other.records), projection(first.records), 'the records served when ifNoneMatch does not match');

      await store.save(runtime(), item('contact', { payload: { label: 'Changed' } }));
      const changed = await load(store, runtime(), { ifNoneMatch: checksum });
      check(
        !changed.notModified && changed.records.length === 2,
        `expected the changed page in full after a payload change, the store answered notModified: ${changed.notModified} with ${changed.records.length} records`,
      );
      const changedChecksum = checkPageChecksum(changed, 'the load after a payload change');

      await store.save(runtime(), item('contact', { payload: { label: 'Changed' }, tags: ['tagged'] }));
      const retagged = await load(store, runtime(), { ifNoneMatch: changedChecksum });
      check(
        !retagged.notModified,
        'expected notModified: false after a change of tags only (tags are in the projection), the store answered notModified',
      );
    },
  ),
  audit(
    'R16.3',
    'MUST',
    'The page checksum leaves out ids, versions and audit fields: the same items written through different histories, by different actors, give the same checksum.',
    async ({ newStore }) => {
      const one = await newStore();
      const two = await newStore();
      await seed(one, [item('account', { payload: { label: 'Account' } }), item('contact')], runtime(['acme'], 'jane@acme'));
      const bob = runtime(['acme'], 'bob@acme');
      await seed(two, [item('contact'), item('account', { payload: { label: 'Draft', extra: true } })], bob);
      await two.save(bob, item('account', { payload: { label: 'Account' } }), { onConflict: 'replace' });
      const a = checkPageChecksum(await load(one, runtime()), 'the load from the first store');
      const b = checkPageChecksum(await load(two, runtime()), 'the load from the second store');
      check(a === b, `expected equal page checksums for the same items, the stores returned ${a} and ${b}`);
      const answer = await load(two, runtime(), { ifNoneMatch: a });
      check(
        answer.notModified,
        'expected the second store to answer notModified to the first store’s checksum of the same items, it did not',
      );
    },
  ),
  audit(
    'R16.4',
    'MUST',
    'Each page of a paged load has its own checksum, and ifNoneMatch with the same cursor answers notModified for that page only.',
    async ({ newStore }) => {
      const store = await newStore();
      await seed(store, [item('account'), item('contact'), item('lead')]);
      const page1 = await load(store, runtime(), { pagination: { pageSize: 2 } });
      const c1 = checkPageChecksum(page1, 'the first page');
      check(page1.nextCursor !== undefined, 'expected a nextCursor after the first page of 2 of 3 records, there was none');
      const page2 = await load(store, runtime(), { pagination: { pageSize: 2, cursor: page1.nextCursor } });
      const c2 = checkPageChecksum(page2, 'the second page');
      check(c1 !== c2, 'expected the two pages to have different checksums, they are equal');
      const again = await load(store, runtime(), { pagination: { pageSize: 2, cursor: page1.nextCursor }, ifNoneMatch: c2 });
      check(again.notModified, 'expected notModified for the second page given its own checksum, the store served it again');
      const mismatched = await load(store, runtime(), { pagination: { pageSize: 2, cursor: page1.nextCursor }, ifNoneMatch: c1 });
      check(
        !mismatched.notModified,
        'expected the second page served when ifNoneMatch is the first page’s checksum, the store answered notModified',
      );
    },
  ),
];

/** Audits of requirements R1 to R16. */
export const auditsR01toR16: Audit[] = [...r01, ...r06, ...r07, ...r08, ...r09, ...r11, ...r12, ...r13, ...r16];
