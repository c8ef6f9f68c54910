/**
 * Differential tests: a store under test must give exactly the answers of
 * the in-memory reference store (R7, R24 to R26, R28 to R30, R33 to R37).
 *
 * A run draws sequences of 3 to 15 store calls with fast-check from a fixed
 * seed. Each sequence gets a fresh MemoryStore (the reference) and runs on
 * the one store under test of the run, in tenants of its own (`d<run>_t`,
 * `d<run>_T`, `d<run>_t1`): tenancy confines every call, so sequences never
 * see each other's data. Both stores read the same clock, which stands still
 * during a call and moves between calls, and issue record ids from equal
 * counters (`d<run>_r1`, `d<run>_r2`, ...), so equal calls must give equal
 * results, audit fields and ids included.
 *
 * Every call runs on both stores with the same input and the outcomes are
 * compared: the result deep-equal (change events with their transactionId
 * replaced by the order of its first appearance, cursors by whether there is
 * one, each store following its own), or the typed error with the same code
 * and fields (the message aside). The first difference stops the run; fast-
 * check then shrinks the sequence (within a time budget) and the report
 * names the seed and path that replay it, the sequence, and the call with
 * both outcomes.
 *
 * Sequences are drawn as abstract steps (tenant 0, name 2, "the version
 * stored now", "the 3rd record by id") and made concrete against the
 * reference store's data just before each call, so a shrunk sequence still
 * means something.
 */
import fc from 'fast-check';
import type {
  JsonObject,
  JsonValue,
  MetadataBulkOperationInput,
  MetadataCallContextInput,
  MetadataChangeFeedOptionsInput,
  MetadataExportOptionsInput,
  MetadataImportOptionsInput,
  MetadataItemChangeOptionsInput,
  MetadataLoadOptionsInput,
  MetadataQueryConditionInput,
  MetadataQueryFiltersInput,
  MetadataQueryOptionsInput,
  MetadataRecordInput,
  MetadataRecordKeyInput,
  MetadataRecordWriteInput,
  MetadataSaveOptionsInput,
  MetadataSortInput,
  MetadataStore,
} from '@metasource/spec';
import { fieldValue } from '../packages/store/src/base/filter';
import { MemoryStore } from '../packages/store/src/memory/memory-store';
import type { SqlDriver } from '../packages/store/src/sql/layout';

// ---------------------------------------------------------------------------
// What sequences draw from
// ---------------------------------------------------------------------------

/** Tenant suffixes: two differ only by case, one by a trailing character. */
const TENANTS = ['t', 'T', 't1'] as const;
/** Types, namespaces and names: machine names are lower case, so these differ by a trailing character. */
const TYPES = ['object', 'objects', 'field'] as const;
const NAMESPACES = ['crm', 'crm2', 'default'] as const;
const NAMES = ['account', 'account1', 'accounts', 'contact', 'a'] as const;
/** Owners and actors: OpaqueIds, so some differ only by case. */
const OWNERS = ['jane', 'Jane', 'jane1'] as const;
const ACTORS = [...OWNERS, 'svc@ops'] as const;
/** Tags overlap between records (and may repeat within one). */
const TAGS = ['crm', 'core', 'crm1', 'x'] as const;
const SCOPES = ['system', 'platform', 'user'] as const;
const STATES = ['draft', 'active', 'archived', 'deprecated'] as const;
const MERGES = ['merge', 'replace'] as const;

const LONG_ASCII = `${'x'.repeat(2999)}y`;
const LONG_ASTRAL = `${'😀'.repeat(1000)}${'\uFFFF'.repeat(1000)}z`;
const LONG_SPECIAL = '%_\\"\''.repeat(600);

/** Strings written into payloads and compared in conditions. */
const STRINGS: readonly string[] = [
  '',
  'abc',
  'ABC',
  'Abc',
  'abc ',
  'abc  ',
  'abc\t',
  'abd',
  'ab',
  'a',
  'x',
  'xxx',
  '"',
  "it's",
  'say "hi"',
  '\\',
  'a\\b',
  'C:\\dir\\',
  '%',
  '_',
  '50%_off',
  'a_c',
  'a%c',
  '\u0000',
  'a\u0000b',
  '😀',
  '😀a',
  '\uFFFF',
  '\uFFFFa',
  '\uE000',
  '𝄞',
  '\uFFFF😀',
  '😀\uFFFF',
  'é',
  'e\u0301',
  '[1]',
  'true',
  'false',
  'null',
  '{"a":1}',
  '1',
  '1.0',
  '-0',
  '1e3',
  '[]',
  '{}',
  '2026-01-31T09:30:00.000Z',
  LONG_ASCII,
  LONG_ASTRAL,
  LONG_SPECIAL,
];

/** Strings most payloads and conditions use, so that conditions often meet a stored value. */
const COMMON_STRINGS: readonly string[] = [
  'abc',
  'ABC',
  'abc ',
  'a',
  'x',
  '%',
  '_',
  '😀',
  '𝄞',
  '\uFFFF',
  '\uE000',
  '\uFFFF😀',
  '1',
  'true',
  'a\u0000b',
];

/** Strings that order differently by code point than by UTF-16 code unit, and their neighbours: ordering conditions' values. */
const ORDER_STRINGS: readonly string[] = [
  '\uFFFF',
  '\uE000',
  '😀',
  '𝄞',
  '\uFFFF😀',
  '😀\uFFFF',
  '\uFFFFa',
  'abc',
  'ABC',
  'abc ',
  'ab',
  '%',
  'é',
  'a\u0000b',
  '\u0000',
];

/** Numbers at the edges of what JSON and the databases hold. */
const NUMBERS: readonly number[] = [0, 1, 1.5, -1e-7, 1e300, -1e300, 2 ** 53, -(2 ** 53), 2 ** 53 - 1, -1, 3, 0.1, 1e21, 5e-324];

/** Payload keys: ones the paths below name, with `/`, `~`, quotes, backslashes, wildcards, digits, astral and empty keys. */
const KEYS: readonly string[] = [
  'label',
  'Label',
  'label1',
  'n',
  'arr',
  'nested',
  'a/b',
  'a~b',
  '~1',
  '0',
  '1',
  '%',
  '_',
  '"',
  '\\',
  'é',
  '😀',
  'x y',
  '',
  'k\u0000',
];

/** Condition fields that are payload paths (JSON Pointers, escaped), some resolving through arrays, some never resolving. */
const PAYLOAD_PATHS: readonly string[] = [
  'payload/label',
  'payload/Label',
  'payload/label1',
  'payload/n',
  'payload/arr',
  'payload/arr/0',
  'payload/arr/1',
  'payload/arr/01',
  'payload/arr/-1',
  'payload/arr/0/label',
  'payload/nested',
  'payload/nested/label',
  'payload/nested/arr/0',
  'payload/nested/nested/n',
  'payload/a~1b',
  'payload/a~0b',
  'payload/~01',
  'payload/0',
  'payload/1',
  'payload/%',
  'payload/_',
  'payload/"',
  'payload/\\',
  'payload/é',
  'payload/😀',
  'payload/x y',
  'payload/label/0',
];

/** Record fields a condition may name (every field but payload). */
const ENVELOPE_FIELDS = [
  'id',
  'type',
  'name',
  'namespace',
  'scope',
  'state',
  'extends',
  'mergeStrategy',
  'owner',
  'tenantId',
  'version',
  'checksum',
  'tags',
  'createdAt',
  'createdBy',
  'updatedAt',
  'updatedBy',
] as const;
/** Record fields a sort may name (every field but payload and tags). */
const SORT_FIELDS = ENVELOPE_FIELDS.filter((field) => field !== 'tags');
const INSTANT_FIELDS: ReadonlySet<string> = new Set(['createdAt', 'updatedAt']);
/** Envelope strings conditions compare with: the pools above and near misses. */
const ENVELOPE_STRINGS: readonly string[] = [
  ...TYPES,
  ...NAMESPACES,
  ...NAMES,
  ...SCOPES,
  ...STATES,
  ...MERGES,
  ...ACTORS,
  '',
  'acc',
  'ACCOUNT',
  'account ',
  'obj',
  'j',
  '%',
  '_',
];

/** How far the clock moves before a call: not at all, a millisecond, a second, a minute, past the cache's 300 s. */
const ADVANCES_MS = [0, 1, 1, 2, 999, 60_000, 301_000] as const;
/** Where every sequence's clock starts (plus a drawn offset). */
const CLOCK_BASE = Date.parse('2026-01-31T09:30:00.000Z');
/** Most pages one paged read may follow before the run counts it as a store that never ends. */
const MAX_PAGES = 400;

// ---------------------------------------------------------------------------
// Abstract steps
// ---------------------------------------------------------------------------

type Scope = (typeof SCOPES)[number];
type State = (typeof STATES)[number];
type Merge = (typeof MERGES)[number];

/**
 * An item key: the key of the n-th stored record (by id) when `stored` is
 * given and a record is stored, else drawn by pool index; `glitch` breaks
 * the owner rule (user scope without owner, another scope with one) and
 * lets a system item extend another.
 */
interface KeySpec {
  stored?: number;
  tenant: number;
  type: number;
  namespace: number;
  scope: Scope;
  owner: number;
  name: number;
  glitch: boolean;
}

/** A call context by pool index and tenant bit masks; `ensure` makes the call's own tenant (and scope) allowed. */
interface ContextSpec {
  actor: number;
  operator: boolean;
  read: number;
  write: number;
  admin: boolean;
  reverse: boolean;
  ensure: boolean;
}

/** A version to expect: none, the stored one, one above it, one below it. */
type VersionSpec = 'none' | 'right' | 'up' | 'down';

/** An extends: the item's own name (the usual override), another name by index, or null (remove). */
type ExtendsSpec = 'self' | number | null;

interface ContentSpec {
  payload: JsonObject;
  state?: State;
  tags?: string[];
  extends?: ExtendsSpec;
  mergeStrategy?: Merge;
}

/** A date-time relative to the sequence's clock: the time of call `at`, moved by `deltaMs`, written with extra digits and an offset. */
interface DateSpec {
  at: number;
  deltaMs: number;
  extraDigits: string;
  zoneMinutes: number;
  zulu: boolean;
}

/** A near miss of a stored string: a space added or the trailing blanks removed (PAD SPACE collations), the case flipped (_ci collations). */
type Tweak = 'none' | 'pad' | 'trim' | 'case';

/**
 * A condition value: a literal, or something made concrete from the data: a
 * tenant, a record's id or checksum, a date-time, or the value the
 * condition's field has in the n-th stored record (for contains and
 * starts_with, its first `cut` code points), maybe as a near miss.
 */
type ValueSpec =
  | { lit: JsonValue }
  | { from: number; cut: number; tweak: Tweak }
  | { tenant: number }
  | { id: number }
  | { checksum: number }
  | { date: DateSpec }
  | { list: ValueSpec[] };

interface ConditionSpec {
  field: string;
  operator: MetadataQueryConditionInput['operator'];
  value: ValueSpec;
}

/** One filter of a query, load or export. */
type FilterPart =
  | { key: 'type' | 'name' | 'namespace'; values: number[]; single: boolean }
  | { key: 'scope'; values: Scope[]; single: boolean }
  | { key: 'state'; values: State[]; single: boolean }
  | { key: 'owner'; owner: number }
  | { key: 'tenantId'; tenant: number }
  | { key: 'tags'; tags: string[] }
  | { key: 'updatedAfter' | 'updatedBefore'; date: DateSpec }
  | { key: 'conditions'; conditions: ConditionSpec[] };

interface ReadSpec {
  filters: FilterPart[];
  sort: { field: (typeof SORT_FIELDS)[number]; direction?: 'asc' | 'desc' }[];
  /** Page sizes, used in turn as the read follows its cursors. */
  pageSizes: number[];
  includeTotal: boolean;
  includeArchived: boolean;
  /** After the first page, present its cursor with includeArchived flipped (which must be invalid_cursor on both). */
  misuseCursor: boolean;
}

/** A record id: the n-th stored record of the sequence (by id), or an id no record has. */
type IdSpec = { existing: number } | { missing: number };

interface ImportRecordSpec {
  /** Start from the n-th stored record (by id) instead of `key`, if any is stored. */
  fromExisting?: number;
  key: KeySpec;
  content: Required<Pick<ContentSpec, 'payload'>> & { state: State; tags: string[]; extends?: ExtendsSpec; mergeStrategy: Merge };
  version: number;
  /** The id: none (a new one is issued), one of the import's own ids, or a stored record's. */
  id: 'none' | { own: number } | { existing: number };
  /** Supply audit fields and a checksum, which the store must replace with its own. */
  stale: boolean;
}

type StepSpec =
  | { kind: 'save'; ctx: ContextSpec; key: KeySpec; content: ContentSpec; omitTenant: boolean; options: SaveOptionsSpec }
  | { kind: 'archive' | 'restore' | 'delete'; ctx: ContextSpec; key: KeySpec; expected: VersionSpec; dryRun: boolean; actor?: number }
  | {
      kind: 'bulk';
      ctx: ContextSpec;
      bulk: BulkSpec;
      transactional: boolean;
      continueOnError: boolean;
      dryRun: boolean;
      batchSize: number;
      concurrency: number;
    }
  | {
      kind: 'import';
      ctx: ContextSpec;
      records: ImportRecordSpec[];
      onConflict: 'error' | 'skip' | 'update' | 'replace';
      atomic: boolean;
      continueOnError: boolean;
      dryRun: boolean;
      batchSize: number;
      preserveVersions: boolean;
    }
  | { kind: 'get'; ctx: ContextSpec; key: KeySpec; useCache: boolean }
  | { kind: 'query'; ctx: ContextSpec; read: ReadSpec }
  | { kind: 'load'; ctx: ContextSpec; read: ReadSpec; resolveInheritance: boolean; useCache: boolean; ifNoneMatch: boolean }
  | {
      kind: 'export';
      ctx: ContextSpec;
      filters: FilterPart[];
      includeArchived: boolean;
      includeAudit: boolean;
      includeHistory: boolean;
      format: 'json' | 'ndjson';
    }
  | { kind: 'changes'; ctx: ContextSpec; tenant?: number; after: 'zero' | 'latest' | 'beyond' | number; limit: number };

interface SaveOptionsSpec {
  onConflict?: 'error' | 'skip' | 'update' | 'replace';
  expected: VersionSpec;
  dryRun: boolean;
  actor?: number;
  recordHistory?: boolean;
  /** Put expectedVersion on the item instead (a save refuses it: invalid_input). */
  onItem: boolean;
}

type BulkSpec =
  | { operation: 'create'; records: { key: KeySpec; content: ContentSpec }[] }
  | { operation: 'upsert'; records: { key: KeySpec; content: ContentSpec; expected: VersionSpec }[] }
  | { operation: 'update'; changes: { target: IdSpec; expected: VersionSpec; set: Partial<ContentSpec> & { payload?: JsonObject } }[] }
  | { operation: 'delete'; ids: { target: IdSpec; expected: VersionSpec }[] };

/** A step and how far the clock moves before it. */
type Step = StepSpec & { advanceMs: number };

/** One generated sequence: where its clock starts and its steps (3 to 15). */
export interface Sequence {
  startMs: number;
  steps: Step[];
}

// ---------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------

const weighted = <T>(...options: [number, fc.Arbitrary<T>][]) => fc.oneof(...options.map(([weight, arbitrary]) => ({ weight, arbitrary })));
const chance = (percent: number) => weighted([percent, fc.constant(true)], [100 - percent, fc.constant(false)]);
const index = (pool: readonly unknown[]) => fc.nat(pool.length - 1);

/** The arbitraries of one run; `nul` says whether written text may hold U+0000. */
function arbitraries(nul: boolean) {
  const strings = STRINGS.filter((s) => nul || !s.includes('\u0000'));
  const keys = KEYS.filter((k) => nul || !k.includes('\u0000'));
  const common = COMMON_STRINGS.filter((s) => nul || !s.includes('\u0000'));
  const scalar: fc.Arbitrary<JsonValue> = weighted<JsonValue>(
    [3, fc.constantFrom(...common)],
    [3, fc.constantFrom(...strings)],
    [3, fc.constantFrom(...NUMBERS)],
    [1, fc.boolean()],
    [1, fc.constant(null)],
  );
  const { value } = fc.letrec<{ value: JsonValue; array: JsonValue[]; object: JsonObject }>((tie) => ({
    value: fc.oneof({ depthSize: 'small', maxDepth: 3 }, scalar, tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 3 }),
    object: fc.dictionary(fc.constantFrom(...keys), tie('value'), { maxKeys: 3, noNullPrototype: true }),
  }));
  // The keys the payload paths name most often, then any keys of the pool.
  const payload: fc.Arbitrary<JsonObject> = fc
    .tuple(
      fc.record(
        { label: scalar, n: fc.constantFrom(...NUMBERS), arr: fc.array(value, { maxLength: 3 }), nested: value },
        { requiredKeys: [], noNullPrototype: true },
      ),
      fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 4, noNullPrototype: true }),
    )
    .map(([named, any]) => ({ ...any, ...named }));

  const key: fc.Arbitrary<KeySpec> = fc.record(
    {
      stored: fc.nat(40),
      tenant: index(TENANTS),
      type: index(TYPES),
      namespace: index(NAMESPACES),
      scope: weighted<Scope>([2, fc.constant('system')], [5, fc.constant('platform')], [3, fc.constant('user')]),
      owner: index(OWNERS),
      name: index(NAMES),
      glitch: chance(3),
    },
    { requiredKeys: ['tenant', 'type', 'namespace', 'scope', 'owner', 'name', 'glitch'], noNullPrototype: true },
  );

  const ctx = (operatorPercent: number): fc.Arbitrary<ContextSpec> =>
    fc.record({
      actor: index(ACTORS),
      operator: chance(operatorPercent),
      read: weighted([3, fc.constant(7)], [2, fc.integer({ min: 1, max: 7 })]),
      write: fc.integer({ min: 0, max: 7 }),
      admin: chance(50),
      reverse: fc.boolean(),
      ensure: chance(85),
    });

  const extendsSpec: fc.Arbitrary<ExtendsSpec> = weighted<ExtendsSpec>([3, fc.constant('self')], [2, index(NAMES)], [1, fc.constant(null)]);
  const tags = fc.array(fc.constantFrom(...TAGS), { maxLength: 4 });
  const content: fc.Arbitrary<ContentSpec> = fc.record(
    {
      payload,
      state: fc.constantFrom(...STATES),
      tags,
      extends: extendsSpec,
      mergeStrategy: fc.constantFrom(...MERGES),
    },
    { requiredKeys: ['payload'], noNullPrototype: true },
  );
  const version: fc.Arbitrary<VersionSpec> = weighted<VersionSpec>(
    [4, fc.constant('none')],
    [4, fc.constant('right')],
    [1, fc.constant('up')],
    [1, fc.constant('down')],
  );
  const dryRun = chance(15);
  const advanceMs = fc.constantFrom(...ADVANCES_MS);

  const save: fc.Arbitrary<StepSpec> = fc.record({
    kind: fc.constant('save' as const),
    ctx: ctx(30),
    key,
    content,
    omitTenant: chance(15),
    options: fc.record(
      {
        onConflict: fc.constantFrom('error', 'skip', 'update', 'replace'),
        expected: version,
        dryRun,
        actor: index(ACTORS),
        recordHistory: fc.boolean(),
        onItem: chance(3),
      },
      { requiredKeys: ['expected', 'dryRun', 'onItem'], noNullPrototype: true },
    ),
  });

  const itemChange: fc.Arbitrary<StepSpec> = fc.record(
    {
      kind: fc.constantFrom('archive' as const, 'archive' as const, 'restore' as const, 'delete' as const),
      ctx: ctx(30),
      key,
      expected: version,
      dryRun,
      actor: index(ACTORS),
    },
    { requiredKeys: ['kind', 'ctx', 'key', 'expected', 'dryRun'], noNullPrototype: true },
  );

  const idSpec: fc.Arbitrary<IdSpec> = weighted<IdSpec>([6, fc.record({ existing: fc.nat(40) })], [1, fc.record({ missing: fc.nat(2) })]);
  // An empty set is a schema error (set_not_empty): one in 20.
  const set = fc
    .tuple(
      fc.record(
        { payload, state: fc.constantFrom(...STATES), tags, extends: extendsSpec, mergeStrategy: fc.constantFrom(...MERGES) },
        { requiredKeys: [], noNullPrototype: true },
      ),
      chance(95),
    )
    .map(([fields, fill]) => (Object.keys(fields).length === 0 && fill ? { state: 'deprecated' as const } : fields));
  const bulkSpec: fc.Arbitrary<BulkSpec> = weighted<BulkSpec>(
    [
      3,
      fc.record({
        operation: fc.constant('create' as const),
        records: fc.array(fc.record({ key, content }), { minLength: 1, maxLength: 5 }),
      }),
    ],
    [
      3,
      fc.record({
        operation: fc.constant('upsert' as const),
        records: fc.array(fc.record({ key, content, expected: version }), { minLength: 1, maxLength: 5 }),
      }),
    ],
    [
      2,
      fc.record({
        operation: fc.constant('update' as const),
        changes: fc.array(fc.record({ target: idSpec, expected: version, set }), { minLength: 1, maxLength: 4 }),
      }),
    ],
    [
      2,
      fc.record({
        operation: fc.constant('delete' as const),
        ids: fc.array(fc.record({ target: idSpec, expected: version }), { minLength: 1, maxLength: 4 }),
      }),
    ],
  );
  // continueOnError or concurrency above 1 with transactional is a schema error: kept in one bulk in 20.
  const bulk: fc.Arbitrary<StepSpec> = fc
    .tuple(
      fc.record({
        kind: fc.constant('bulk' as const),
        ctx: ctx(30),
        bulk: bulkSpec,
        transactional: fc.boolean(),
        continueOnError: fc.boolean(),
        dryRun,
        batchSize: fc.integer({ min: 1, max: 3 }),
        concurrency: weighted([4, fc.constant(1)], [1, fc.constant(2)]),
      }),
      chance(95),
    )
    .map(([step, valid]) => (valid && step.transactional ? { ...step, continueOnError: false, concurrency: 1 } : step));

  const importRecord: fc.Arbitrary<ImportRecordSpec> = fc.record(
    {
      fromExisting: fc.nat(40),
      key,
      content: fc.record({
        payload,
        state: fc.constantFrom(...STATES),
        tags,
        extends: extendsSpec,
        mergeStrategy: fc.constantFrom(...MERGES),
      }),
      version: fc.integer({ min: 1, max: 4 }),
      id: weighted<ImportRecordSpec['id']>(
        [4, fc.constant('none' as const)],
        [2, fc.record({ own: fc.nat(3) })],
        [1, fc.record({ existing: fc.nat(40) })],
      ),
      stale: chance(30),
    },
    { requiredKeys: ['key', 'content', 'version', 'id', 'stale'], noNullPrototype: true },
  );
  // continueOnError with atomic, or preserveVersions with update or replace, is a schema error: kept in one import in 20.
  const importStep: fc.Arbitrary<StepSpec> = fc
    .tuple(
      fc.record({
        kind: fc.constant('import' as const),
        ctx: ctx(90),
        records: fc.array(importRecord, { minLength: 1, maxLength: 5 }),
        onConflict: fc.constantFrom('error' as const, 'skip' as const, 'update' as const, 'replace' as const),
        atomic: fc.boolean(),
        continueOnError: fc.boolean(),
        dryRun,
        batchSize: fc.integer({ min: 1, max: 3 }),
        preserveVersions: chance(25),
      }),
      chance(95),
    )
    .map(([step, valid]) => {
      if (!valid) return step;
      const continueOnError = step.continueOnError && !step.atomic;
      const onConflict =
        step.preserveVersions && (step.onConflict === 'update' || step.onConflict === 'replace') ? 'skip' : step.onConflict;
      return { ...step, continueOnError, onConflict };
    });

  const get: fc.Arbitrary<StepSpec> = fc.record({ kind: fc.constant('get' as const), ctx: ctx(20), key, useCache: fc.boolean() });

  const date: fc.Arbitrary<DateSpec> = fc.record({
    at: fc.nat(15),
    deltaMs: fc.constantFrom(-1, 0, 0, 1, 1000),
    extraDigits: fc.constantFrom('', '', '0', '000', '0001', '9'),
    zoneMinutes: fc.constantFrom(0, 0, 60, -330, 840, -720),
    zulu: fc.boolean(),
  });
  const literal = (pool: fc.Arbitrary<JsonValue>): fc.Arbitrary<ValueSpec> => pool.map((lit) => ({ lit }));
  // Condition values are never written, so they hold U+0000 on every store.
  const conditionScalar: fc.Arbitrary<JsonValue> = weighted<JsonValue>(
    [3, fc.constantFrom(...COMMON_STRINGS)],
    [3, fc.constantFrom(...STRINGS)],
    [3, fc.constantFrom(...NUMBERS)],
    [1, fc.boolean()],
    [1, fc.constant(null)],
  );
  const anyJson: fc.Arbitrary<JsonValue> = weighted<JsonValue>([6, conditionScalar], [1, value]);
  const text = (field: string): fc.Arbitrary<string> =>
    field.startsWith('payload/')
      ? fc.constantFrom(...STRINGS.filter((s) => s.length > 0 && [...s].length <= 1000))
      : fc.constantFrom(...ENVELOPE_STRINGS.filter((s) => s.length > 0), ...TAGS, 'x', '😀');
  /** A value that fits the field, most of the time, so conditions match something. */
  const fieldScalar = (field: string): fc.Arbitrary<ValueSpec> => {
    if (INSTANT_FIELDS.has(field)) return weighted<ValueSpec>([20, date.map((d) => ({ date: d }))], [1, literal(conditionScalar)]);
    switch (field) {
      case 'tenantId':
        return weighted<ValueSpec>([5, index(TENANTS).map((tenant) => ({ tenant }))], [1, literal(conditionScalar)]);
      case 'id':
        return weighted<ValueSpec>([5, fc.nat(40).map((id) => ({ id }))], [1, literal(conditionScalar)]);
      case 'checksum':
        return weighted<ValueSpec>([5, fc.nat(40).map((checksum) => ({ checksum }))], [1, literal(conditionScalar)]);
      case 'version':
        return literal(weighted<JsonValue>([5, fc.constantFrom(1, 2, 3, 1.5, 0)], [1, fc.constantFrom('1', null, true)]));
      case 'tags':
        return literal(weighted<JsonValue>([3, fc.constantFrom(...TAGS)], [1, tags], [1, fc.constant(null)]));
      default:
        return field.startsWith('payload/')
          ? literal(conditionScalar)
          : literal(weighted<JsonValue>([8, fc.constantFrom(...ENVELOPE_STRINGS)], [1, conditionScalar]));
    }
  };
  const stored = fc.record({
    from: fc.nat(40),
    cut: fc.integer({ min: 1, max: 4 }),
    tweak: weighted<Tweak>([4, fc.constant('none')], [1, fc.constant('pad')], [1, fc.constant('trim')], [1, fc.constant('case')]),
  });
  const conditionFor = (field: string): fc.Arbitrary<ConditionSpec> => {
    const instant = INSTANT_FIELDS.has(field);
    const ordered: fc.Arbitrary<ValueSpec> = instant
      ? fieldScalar(field)
      : field === 'version' || field.startsWith('payload/')
        ? weighted<ValueSpec>(
            [1, literal(fc.constantFrom(...NUMBERS))],
            [2, literal(fc.constantFrom(...ORDER_STRINGS))],
            [1, literal(text(field))],
          )
        : literal(text(field));
    const variants: [number, fc.Arbitrary<ConditionSpec>][] = [
      [
        40,
        fc.record({
          field: fc.constant(field),
          operator: fc.constantFrom('eq' as const, 'ne' as const),
          value: weighted<ValueSpec>([4, stored], [3, fieldScalar(field)], [1, literal(anyJson)]),
        }),
      ],
      [
        40,
        fc.record({
          field: fc.constant(field),
          operator: fc.constantFrom('gt' as const, 'gte' as const, 'lt' as const, 'lte' as const),
          value: weighted<ValueSpec>([3, stored], [2, ordered]),
        }),
      ],
      [
        20,
        fc.record({
          field: fc.constant(field),
          operator: fc.constantFrom('in' as const, 'not_in' as const),
          value: fc
            .array(weighted<ValueSpec>([3, stored], [3, fieldScalar(field)], [1, literal(fc.constant(null))]), {
              minLength: 1,
              maxLength: 4,
            })
            .map((list) => ({ list })),
        }),
      ],
      [10, fc.record({ field: fc.constant(field), operator: fc.constant('exists' as const), value: literal(fc.boolean()) })],
    ];
    // contains and starts_with are refused on instants (date_time_field_has_no_text_match): keep that mistake rare.
    variants.push([
      instant ? 1 : 20,
      fc.record({
        field: fc.constant(field),
        operator: fc.constantFrom('contains' as const, 'starts_with' as const),
        value: weighted<ValueSpec>([3, stored], [2, literal(text(field))]),
      }),
    ]);
    return weighted(...variants);
  };
  const condition: fc.Arbitrary<ConditionSpec> = weighted<string>(
    [3, fc.constantFrom(...ENVELOPE_FIELDS)],
    [2, fc.constant('payload/label')],
    [3, fc.constantFrom(...PAYLOAD_PATHS)],
  ).chain(conditionFor);

  const manyOf = <T>(pool: readonly T[]) => fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 3 });
  const filterPart: fc.Arbitrary<FilterPart> = weighted<FilterPart>(
    [1, fc.record({ key: fc.constantFrom('type' as const), values: manyOf([0, 1, 2]), single: fc.boolean() })],
    [1, fc.record({ key: fc.constantFrom('namespace' as const), values: manyOf([0, 1, 2]), single: fc.boolean() })],
    [1, fc.record({ key: fc.constantFrom('name' as const), values: manyOf([0, 1, 2, 3, 4]), single: fc.boolean() })],
    [1, fc.record({ key: fc.constant('scope' as const), values: manyOf(SCOPES), single: fc.boolean() })],
    [1, fc.record({ key: fc.constant('state' as const), values: manyOf(STATES), single: fc.boolean() })],
    [1, fc.record({ key: fc.constant('owner' as const), owner: index(OWNERS) })],
    [1, fc.record({ key: fc.constant('tenantId' as const), tenant: index(TENANTS) })],
    [1, fc.record({ key: fc.constant('tags' as const), tags: fc.array(fc.constantFrom(...TAGS), { minLength: 1, maxLength: 2 }) })],
    [1, fc.record({ key: fc.constantFrom('updatedAfter' as const, 'updatedBefore' as const), date })],
    [
      10,
      fc.record({
        key: fc.constant('conditions' as const),
        conditions: weighted([3, condition.map((c) => [c])], [1, fc.array(condition, { minLength: 2, maxLength: 3 })]),
      }),
    ],
  );
  const filters = fc.array(filterPart, { maxLength: 2 });
  const read: fc.Arbitrary<ReadSpec> = fc.record({
    filters,
    sort: fc.array(
      fc.record(
        { field: fc.constantFrom(...SORT_FIELDS), direction: fc.constantFrom('asc' as const, 'desc' as const) },
        { requiredKeys: ['field'] },
      ),
      { maxLength: 3 },
    ),
    pageSizes: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 3 }),
    includeTotal: fc.boolean(),
    includeArchived: chance(30),
    misuseCursor: chance(10),
  });
  const query: fc.Arbitrary<StepSpec> = fc.record({ kind: fc.constant('query' as const), ctx: ctx(20), read });
  const load: fc.Arbitrary<StepSpec> = fc.record({
    kind: fc.constant('load' as const),
    ctx: ctx(20),
    read,
    resolveInheritance: chance(60),
    useCache: chance(70),
    ifNoneMatch: chance(25),
  });
  const exportStep: fc.Arbitrary<StepSpec> = fc.record({
    kind: fc.constant('export' as const),
    ctx: ctx(20),
    filters,
    includeArchived: chance(40),
    includeAudit: chance(70),
    includeHistory: chance(5),
    format: fc.constantFrom('json' as const, 'ndjson' as const),
  });
  const changes: fc.Arbitrary<StepSpec> = fc.record(
    {
      kind: fc.constant('changes' as const),
      ctx: ctx(20),
      tenant: index(TENANTS),
      after: weighted<'zero' | 'latest' | 'beyond' | number>(
        [3, fc.constant('zero' as const)],
        [2, fc.constant('latest' as const)],
        [1, fc.constant('beyond' as const)],
        [3, fc.integer({ min: 1, max: 12 })],
      ),
      limit: fc.integer({ min: 1, max: 7 }),
    },
    { requiredKeys: ['kind', 'ctx', 'after', 'limit'], noNullPrototype: true },
  );

  const withClock = (arbitrary: fc.Arbitrary<StepSpec>): fc.Arbitrary<Step> =>
    fc.tuple(arbitrary, advanceMs).map(([step, ms]) => ({ ...step, advanceMs: ms }) as Step);
  /** A first step that writes several items, so the reads after it have something to page through. */
  const opening = withClock(
    fc.record({
      kind: fc.constant('bulk' as const),
      ctx: ctx(40).map((c) => ({ ...c, ensure: true })),
      bulk: fc.record({
        operation: fc.constantFrom('create' as const, 'upsert' as const),
        records: fc.array(fc.record({ key, content, expected: fc.constant('none' as const) }), { minLength: 4, maxLength: 10 }),
      }),
      transactional: fc.constant(false),
      continueOnError: fc.constant(true),
      dryRun: fc.constant(false),
      batchSize: fc.integer({ min: 1, max: 4 }),
      concurrency: fc.constant(1),
    }),
  );
  const step = withClock(
    weighted<StepSpec>(
      [6, save],
      [2, itemChange],
      [3, bulk],
      [2, importStep],
      [2, get],
      [4, query],
      [3, load],
      [1, exportStep],
      [2, changes],
    ),
  );
  const sequence: fc.Arbitrary<Sequence> = fc
    .record({ startMs: fc.integer({ min: 0, max: 86_400_000 }), first: opening, rest: fc.array(step, { minLength: 2, maxLength: 14 }) })
    .map(({ startMs, first, rest }) => ({ startMs, steps: [first, ...rest] }));
  return { sequence };
}

/** The arbitrary of sequences: `nul` false leaves U+0000 out of everything written (PostgreSQL cannot store it). */
export function sequenceArbitrary(nul: boolean): fc.Arbitrary<Sequence> {
  return arbitraries(nul).sequence;
}

// ---------------------------------------------------------------------------
// Making steps concrete
// ---------------------------------------------------------------------------

type StoredRecord = ReturnType<MemoryStore['database']['records']>[number];
type KeyFields = { tenantId: string; type: string; namespace: string; scope: Scope; owner?: string; name: string };

const bit = (tenant: number) => 1 << (tenant % TENANTS.length);
const ZERO_CHECKSUM = `sha256:${'0'.repeat(64)}`;

/** A sequence's names and the reference store's data, which its abstract steps are made concrete against. */
class SequenceWorld {
  /** The clock reading of the start and of every step so far: what date-time filters are drawn around. */
  readonly times: number[];

  constructor(
    readonly prefix: string,
    readonly reference: MemoryStore,
    start: number,
  ) {
    this.times = [start];
  }

  tenant(index: number): string {
    return `${this.prefix}_${TENANTS[index % TENANTS.length]}`;
  }

  /** The sequence's stored records (the reference's), by id. */
  stored(): StoredRecord[] {
    return this.reference.database.records().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  storedAt(index: number): StoredRecord | undefined {
    const records = this.stored();
    return records.length === 0 ? undefined : records[index % records.length];
  }

  key(spec: KeySpec): KeyFields {
    const stored = spec.stored === undefined ? undefined : this.storedAt(spec.stored);
    if (stored) {
      const { tenantId, type, namespace, scope, owner, name } = stored;
      return { tenantId, type, namespace, scope, ...(owner !== undefined ? { owner } : {}), name };
    }
    const hasOwner = (spec.scope === 'user') !== spec.glitch;
    return {
      tenantId: this.tenant(spec.tenant),
      type: TYPES[spec.type]!,
      namespace: NAMESPACES[spec.namespace]!,
      scope: spec.scope,
      ...(hasOwner ? { owner: OWNERS[spec.owner]! } : {}),
      name: NAMES[spec.name]!,
    };
  }

  /** The version stored under a key now, if any. */
  versionOf(key: KeyFields): number | undefined {
    return this.reference.database.recordByKey({ ...key, owner: key.scope === 'user' ? key.owner : undefined })?.version;
  }

  /** The pool index of a tenant of this sequence, or -1. */
  tenantIndex(tenantId: string | undefined): number {
    return TENANTS.findIndex((_, i) => this.tenant(i) === tenantId);
  }

  /**
   * The call context: the drawn tenants, role and actor; with `ensure`, also
   * what the call needs: the tenants of `keys` and `tenants` readable (and
   * writable for a write; the only ones with `onlyTenant`, for a call that
   * names no tenant), the operator role for a system-scope write, and a
   * user-scope key's owner as the actor (unless it administers users; the
   * keys of several owners make it an administrator).
   */
  context(
    spec: ContextSpec,
    need: { keys?: readonly KeyFields[]; tenants?: readonly number[]; write: boolean; onlyTenant?: boolean },
  ): MetadataCallContextInput {
    let read = spec.read;
    let write = spec.write;
    let operator = spec.operator;
    let admin = spec.admin;
    let actor: string = ACTORS[spec.actor]!;
    if (spec.ensure) {
      const keys = need.keys ?? [];
      const indexes = [...(need.tenants ?? []), ...keys.map((key) => this.tenantIndex(key.tenantId))].filter((i) => i >= 0);
      const wanted = indexes.reduce((mask, tenant) => mask | bit(tenant), 0);
      if (need.onlyTenant && wanted !== 0) {
        if (need.write) write = wanted;
        else read = wanted;
      }
      read |= wanted;
      if (need.write) write |= wanted;
      if (need.write && keys.some((key) => key.scope === 'system')) operator = true;
      const owners = [...new Set(keys.flatMap((key) => (key.scope === 'user' && key.owner !== undefined ? [key.owner] : [])))];
      if (owners.length > 1) admin = true;
      else if (owners.length === 1 && !admin) actor = owners[0]!;
    }
    write &= read;
    const tenants = (mask: number) => TENANTS.map((_, i) => i).filter((i) => (mask & (1 << i)) !== 0);
    const readTenants = tenants(read).map((i) => this.tenant(i));
    if (spec.reverse) readTenants.reverse();
    return {
      actor,
      role: operator ? 'operator' : 'runtime',
      readTenants,
      writeTenants: tenants(write).map((i) => this.tenant(i)),
      administersUsers: admin,
    };
  }

  /** An extends value: a system item names none unless the key is drawn to break rules. */
  extendsOf(spec: ExtendsSpec | undefined, key: KeyFields, glitch: boolean): string | null | undefined {
    if (spec === undefined || (key.scope === 'system' && !glitch)) return undefined;
    if (spec === null) return null;
    return spec === 'self' ? key.name : NAMES[spec % NAMES.length]!;
  }

  write(keySpec: KeySpec, content: ContentSpec, omitTenant: boolean): MetadataRecordWriteInput {
    const { tenantId, ...key } = this.key(keySpec);
    const parent = this.extendsOf(content.extends, { tenantId, ...key }, keySpec.glitch);
    return {
      ...key,
      ...(omitTenant ? {} : { tenantId }),
      payload: content.payload,
      ...(content.state !== undefined ? { state: content.state } : {}),
      ...(content.tags !== undefined ? { tags: content.tags } : {}),
      ...(parent !== undefined ? { extends: parent } : {}),
      ...(content.mergeStrategy !== undefined ? { mergeStrategy: content.mergeStrategy } : {}),
    };
  }

  id(spec: IdSpec): string {
    if ('missing' in spec) return `${this.prefix}_m${spec.missing}`;
    return this.storedAt(spec.existing)?.id ?? `${this.prefix}_m0`;
  }

  importRecord(spec: ImportRecordSpec): MetadataRecordInput {
    const base = spec.fromExisting !== undefined ? this.storedAt(spec.fromExisting) : undefined;
    const id = spec.id === 'none' ? undefined : 'own' in spec.id ? `${this.prefix}_i${spec.id.own}` : this.storedAt(spec.id.existing)?.id;
    const stale = spec.stale
      ? {
          checksum: ZERO_CHECKSUM,
          createdAt: '2020-01-01T00:00:00Z',
          createdBy: 'someone',
          updatedAt: '2020-01-02T00:00:00.5+01:00',
          updatedBy: 'someone',
        }
      : {};
    if (base) {
      // An exported record, changed: its id, key and version as exported, the drawn payload and state.
      const { checksum: _c, createdAt: _ca, createdBy: _cb, updatedAt: _ua, updatedBy: _ub, ...record } = base;
      return { ...record, payload: spec.content.payload, state: spec.content.state, ...stale, ...(spec.id === 'none' ? {} : { id }) };
    }
    const { tenantId, ...key } = this.key(spec.key);
    const parent = this.extendsOf(spec.content.extends ?? undefined, { tenantId, ...key }, spec.key.glitch);
    return {
      ...(id !== undefined ? { id } : {}),
      ...key,
      tenantId,
      payload: spec.content.payload,
      state: spec.content.state,
      tags: spec.content.tags,
      ...(typeof parent === 'string' ? { extends: parent } : {}),
      mergeStrategy: spec.content.mergeStrategy,
      version: spec.version,
      ...stale,
    };
  }

  /** A date-time around the time of step `at`, with extra fraction digits and an offset. */
  date(spec: DateSpec): string {
    const instant = this.times[spec.at % this.times.length]! + spec.deltaMs;
    const local = new Date(instant + spec.zoneMinutes * 60_000).toISOString().slice(0, 23);
    if (spec.zoneMinutes === 0 && spec.zulu) return `${local}${spec.extraDigits}Z`;
    const sign = spec.zoneMinutes < 0 ? '-' : '+';
    const minutes = Math.abs(spec.zoneMinutes);
    const zone = `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    return `${local}${spec.extraDigits}${zone}`;
  }

  /** A condition value, made concrete for its field and operator. */
  value(spec: ValueSpec, field: string, operator: MetadataQueryConditionInput['operator']): JsonValue {
    if ('lit' in spec) return spec.lit;
    if ('from' in spec) return this.storedValue(spec, field, operator);
    if ('tenant' in spec) return this.tenant(spec.tenant);
    if ('id' in spec) return this.storedAt(spec.id)?.id ?? `${this.prefix}_m0`;
    if ('checksum' in spec) return this.storedAt(spec.checksum)?.checksum ?? ZERO_CHECKSUM;
    if ('date' in spec) return this.date(spec.date);
    return spec.list.map((item) => this.value(item, field, operator));
  }

  /**
   * The value `field` has in a stored record (the n-th, or the next one
   * that has the field), as `operator` can take it: a
   * scalar for in and not_in, a string or number for an ordering, a prefix
   * (or an array's string element) for contains and starts_with. What does
   * not fit (or no stored record) falls back to a plain string.
   */
  storedValue(
    spec: { from: number; cut: number; tweak: Tweak },
    field: string,
    operator: MetadataQueryConditionInput['operator'],
  ): JsonValue {
    // The n-th stored record that has the field, if any has it.
    const records = this.stored();
    const holder = records.map((_, i) => records[(spec.from + i) % records.length]!).find((r) => fieldValue(r, field) !== undefined);
    const found = holder ? fieldValue(holder, field) : undefined;
    const value = typeof found === 'string' ? nearMiss(found, spec.tweak) : found === undefined ? null : found;
    switch (operator) {
      case 'eq':
      case 'ne':
        return value;
      case 'in':
      case 'not_in':
        return value === null || typeof value !== 'object' ? value : 'abc';
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        return typeof value === 'string' || typeof value === 'number' ? value : 'abc';
      case 'contains':
      case 'starts_with': {
        const text = Array.isArray(value) ? value.find((element) => typeof element === 'string') : value;
        return typeof text === 'string' && text.length > 0 ? [...text].slice(0, spec.cut).join('') : 'abc';
      }
      case 'exists':
        return value !== null;
    }
  }

  filters(parts: readonly FilterPart[]): MetadataQueryFiltersInput {
    const filters: Record<string, unknown> = {};
    const conditions: MetadataQueryConditionInput[] = [];
    const pick = <T>(pool: readonly T[], values: readonly number[], single: boolean) =>
      single ? pool[values[0]! % pool.length] : values.map((v) => pool[v % pool.length]);
    for (const part of parts) {
      switch (part.key) {
        case 'type':
          filters.type = pick(TYPES, part.values, part.single);
          break;
        case 'namespace':
          filters.namespace = pick(NAMESPACES, part.values, part.single);
          break;
        case 'name':
          filters.name = pick(NAMES, part.values, part.single);
          break;
        case 'scope':
        case 'state':
          filters[part.key] = part.single ? part.values[0] : part.values;
          break;
        case 'owner':
          filters.owner = OWNERS[part.owner];
          break;
        case 'tenantId':
          filters.tenantId = this.tenant(part.tenant);
          break;
        case 'tags':
          filters.tags = part.tags;
          break;
        case 'updatedAfter':
        case 'updatedBefore':
          filters[part.key] = this.date(part.date);
          break;
        case 'conditions':
          for (const c of part.conditions)
            conditions.push({
              field: c.field,
              operator: c.operator,
              value: this.value(c.value, c.field, c.operator),
            } as MetadataQueryConditionInput);
          break;
      }
    }
    if (conditions.length > 0) filters.conditions = conditions;
    return filters as MetadataQueryFiltersInput;
  }
}

/** A string as given, with a space added, without its trailing blanks, or with its case flipped. */
function nearMiss(text: string, tweak: Tweak): string {
  switch (tweak) {
    case 'none':
      return text;
    case 'pad':
      return `${text} `;
    case 'trim':
      return text.replace(/[ \t]+$/, '');
    case 'case': {
      const flipped = [...text].map((ch) => (ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase())).join('');
      return flipped;
    }
  }
}

/** A version to expect, from the stored one: the right one (none when nothing is stored), one above or below it. */
function versionFor(spec: VersionSpec, stored: number | undefined): number | undefined {
  switch (spec) {
    case 'none':
      return undefined;
    case 'right':
      return stored;
    case 'up':
      return (stored ?? 1) + 1;
    case 'down':
      return Math.max(1, (stored ?? 2) - 1);
  }
}

// ---------------------------------------------------------------------------
// Comparing outcomes
// ---------------------------------------------------------------------------

/** What one call did: its result, its typed error (without the message), or an untyped exception. */
type Outcome = { ok: unknown } | { error: Record<string, unknown> } | { untyped: string };

async function outcomeOf(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: await call() };
  } catch (thrown) {
    const failure = thrown as { name?: unknown; error?: unknown; message?: unknown };
    if (failure?.name === 'MetadataStoreFailure' && failure.error !== null && typeof failure.error === 'object') {
      const { message: _message, ...fields } = failure.error as Record<string, unknown>;
      return { error: fields };
    }
    return { untyped: thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown) };
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The path of the first difference between two JSON-like values, or
 * undefined when they are equal: numbers by Object.is (so -0 is not 0),
 * arrays element by element, objects key by key in any key order, a key
 * holding undefined as an absent key.
 */
export function firstDifference(a: unknown, b: unknown, path = '$'): string | undefined {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) ? undefined : path;
  if (a === b) return undefined;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length || i >= b.length) return `${path}[${i}]`;
      const found = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== undefined || b[k] !== undefined).sort();
    for (const key of keys) {
      const found = firstDifference(a[key], b[key], `${path}.${key}`);
      if (found) return found;
    }
    return undefined;
  }
  return path;
}

/** JSON for reports: long strings shortened (their length kept), so a divergence stays readable. */
export function describeValue(value: unknown, maxString = 80): string {
  return (
    JSON.stringify(value, (_key, inner: unknown) => {
      if (typeof inner === 'string' && inner.length > maxString)
        return `${inner.slice(0, maxString / 2)}… (${[...inner].length} code points)`;
      if (typeof inner === 'number' && Object.is(inner, -0)) return '-0';
      return inner;
    }) ?? 'undefined'
  );
}

/** Where two stores first answered a call differently. */
export interface Divergence {
  /** Index of the step in its sequence (0-based). */
  step: number;
  /** The call, e.g. `query page 3` or `bulk.update`. */
  call: string;
  /** The call's concrete input (context, options, records). */
  input: unknown;
  /** Where the outcomes first differ, e.g. `$.ok.records[2].name`. */
  path: string;
  reference: Outcome;
  subject: Outcome;
  /**
   * A read (query, load, get, export, change feed) is asked of the subject a
   * second time: whether it gave the same wrong answer again tells a
   * deterministic difference from a flaky one.
   */
  subjectAgain?: Outcome;
}

class DivergenceError extends Error {
  constructor(readonly divergence: Divergence) {
    super(`${divergence.call} (step ${divergence.step}) differs at ${divergence.path}`);
  }
}

/** Counts of what a run compared. */
export interface DifferentialCounts {
  /** Sequences run to the end (or to their divergence). */
  sequences: number;
  /** Steps run, by kind: save, archive, bulk.create, import.atomic, query, load.resolved, changes, ... */
  operations: Record<string, number>;
  /** Store calls compared (each on both stores). */
  comparedCalls: number;
  /** Pages compared: query and load pages, change feed pages, whole exports. */
  comparedPages: number;
  /** Records and events on the pages compared. */
  comparedRecords: number;
  /** The reference's outcomes: `ok` or the error code. */
  outcomes: Record<string, number>;
}

const emptyCounts = (): DifferentialCounts => ({
  sequences: 0,
  operations: {},
  comparedCalls: 0,
  comparedPages: 0,
  comparedRecords: 0,
  outcomes: {},
});

function addCounts(into: DifferentialCounts, from: DifferentialCounts): void {
  into.sequences += from.sequences;
  into.comparedCalls += from.comparedCalls;
  into.comparedPages += from.comparedPages;
  into.comparedRecords += from.comparedRecords;
  for (const [k, v] of Object.entries(from.operations)) into.operations[k] = (into.operations[k] ?? 0) + v;
  for (const [k, v] of Object.entries(from.outcomes)) into.outcomes[k] = (into.outcomes[k] ?? 0) + v;
}

/** Runs calls on both stores of a sequence and compares what they did. */
class Comparer {
  /** Each store's transaction ids, numbered in order of first appearance: events committed together must share one. */
  readonly #transactions = [new Map<string, string>(), new Map<string, string>()] as const;
  step = 0;

  constructor(
    readonly stores: readonly [reference: MetadataStore, subject: MetadataStore],
    readonly counts: DifferentialCounts,
  ) {}

  /**
   * Runs `call` on the reference, then on the subject, and compares the
   * outcomes as `shape` makes them comparable; returns the outcomes as the
   * stores gave them (with their cursors), once they agree. `page` counts
   * the call as a compared page; a `read` is asked again on a difference.
   */
  async compare(
    label: string,
    input: unknown,
    call: (store: MetadataStore, side: 0 | 1) => Promise<unknown>,
    shape: (result: unknown, side: 0 | 1) => unknown = (result) => result,
    page = false,
    read = page,
  ): Promise<[Outcome, Outcome]> {
    const raw: Outcome[] = [];
    const shaped: Outcome[] = [];
    for (const side of [0, 1] as const) {
      const outcome = await outcomeOf(() => call(this.stores[side], side));
      raw.push(outcome);
      shaped.push('ok' in outcome ? { ok: shape(outcome.ok, side) } : outcome);
    }
    const [reference, subject] = shaped as [Outcome, Outcome];
    this.counts.comparedCalls++;
    if (page) this.counts.comparedPages++;
    if (page && 'ok' in reference) this.counts.comparedRecords += itemsOf(reference.ok);
    const code = 'ok' in reference ? 'ok' : 'error' in reference ? String(reference.error.code) : 'untyped';
    this.counts.outcomes[code] = (this.counts.outcomes[code] ?? 0) + 1;
    const path = firstDifference(reference, subject);
    if (path !== undefined) {
      const divergence: Divergence = { step: this.step, call: label, input, path, reference, subject };
      if (read) {
        const again = await outcomeOf(() => call(this.stores[1], 1));
        divergence.subjectAgain = 'ok' in again ? { ok: shape(again.ok, 1) } : again;
      }
      throw new DivergenceError(divergence);
    }
    return raw as [Outcome, Outcome];
  }

  /** A change feed page with each transaction id replaced by its store's ordinal for it. */
  feedPage(result: unknown, side: 0 | 1): unknown {
    const page = result as { events: { transactionId?: string }[] };
    const ids = this.#transactions[side];
    return {
      ...page,
      events: page.events.map((event) => {
        if (event.transactionId === undefined) return event;
        if (!ids.has(event.transactionId)) ids.set(event.transactionId, `tx${ids.size + 1}`);
        return { ...event, transactionId: ids.get(event.transactionId) };
      }),
    };
  }
}

/** How many records (or events) a page holds: an export's array, or a page's records or events. */
function itemsOf(page: unknown): number {
  if (Array.isArray(page)) return page.length;
  const { records, events } = page as { records?: unknown[]; events?: unknown[] };
  return (records ?? events ?? []).length;
}

/** A bulk or import report, its item errors without their messages. */
function operationReport(result: unknown): unknown {
  const report = result as { items: { error?: Record<string, unknown> }[] };
  return {
    ...report,
    items: report.items.map((item) => {
      if (!item.error) return item;
      const { message: _message, ...error } = item.error;
      return { ...item, error };
    }),
  };
}

/** A query page as compared: its records and total, and whether it has a next cursor (each store follows its own). */
function queryPage(result: unknown): unknown {
  const { nextCursor, ...page } = result as { nextCursor?: string };
  return { ...page, hasNext: nextCursor !== undefined };
}

const count = (counts: DifferentialCounts, kind: string) => {
  counts.operations[kind] = (counts.operations[kind] ?? 0) + 1;
};

// ---------------------------------------------------------------------------
// Running steps
// ---------------------------------------------------------------------------

async function runStep(step: Step, world: SequenceWorld, cmp: Comparer): Promise<void> {
  const { counts } = cmp;
  switch (step.kind) {
    case 'save': {
      const key = world.key(step.key);
      const item = world.write(step.key, step.content, step.omitTenant);
      const expectedVersion = versionFor(step.options.expected, world.versionOf(key));
      // expectedVersion needs onConflict update or replace; a drawn error or skip is dropped, unless the key breaks rules anyway.
      const onConflict =
        expectedVersion !== undefined && (step.options.onConflict === 'error' || step.options.onConflict === 'skip') && !step.key.glitch
          ? undefined
          : step.options.onConflict;
      const options: MetadataSaveOptionsInput = {
        ...(onConflict !== undefined ? { onConflict } : {}),
        ...(expectedVersion !== undefined && !step.options.onItem ? { expectedVersion } : {}),
        dryRun: step.options.dryRun,
        ...(step.options.actor !== undefined ? { actor: ACTORS[step.options.actor] } : {}),
        ...(step.options.recordHistory !== undefined ? { recordHistory: step.options.recordHistory } : {}),
      };
      const written: MetadataRecordWriteInput = step.options.onItem ? { ...item, expectedVersion: expectedVersion ?? 1 } : item;
      const context = world.context(step.ctx, { keys: [key], write: true, onlyTenant: step.omitTenant });
      count(counts, 'save');
      await cmp.compare('save', { context, item: written, options }, (store) => store.save(context, written, options));
      return;
    }
    case 'archive':
    case 'restore':
    case 'delete': {
      const key = world.key(step.key);
      const expectedVersion = versionFor(step.expected, world.versionOf(key));
      const options: MetadataItemChangeOptionsInput = {
        ...(expectedVersion !== undefined ? { expectedVersion } : {}),
        dryRun: step.dryRun,
        ...(step.actor !== undefined ? { actor: ACTORS[step.actor] } : {}),
      };
      const context = world.context(step.ctx, { keys: [key], write: true });
      count(counts, step.kind);
      await cmp.compare(step.kind, { context, key, options }, (store) => store[step.kind](context, key, options));
      return;
    }
    case 'bulk': {
      const { bulk } = step;
      const common = {
        transactional: step.transactional,
        continueOnError: step.continueOnError,
        dryRun: step.dryRun,
        batchSize: step.batchSize,
        concurrency: step.concurrency,
      };
      let operation: MetadataBulkOperationInput;
      let keys: KeyFields[] = [];
      switch (bulk.operation) {
        case 'create':
          keys = bulk.records.map((r) => world.key(r.key));
          operation = { operation: 'create', records: bulk.records.map((r) => world.write(r.key, r.content, false)), ...common };
          break;
        case 'upsert':
          keys = bulk.records.map((r) => world.key(r.key));
          operation = {
            operation: 'upsert',
            records: bulk.records.map((r, i) => {
              const expectedVersion = versionFor(r.expected, world.versionOf(keys[i]!));
              return { ...world.write(r.key, r.content, false), ...(expectedVersion !== undefined ? { expectedVersion } : {}) };
            }),
            ...common,
          };
          break;
        case 'update':
        case 'delete': {
          const targets = bulk.operation === 'update' ? bulk.changes : bulk.ids;
          const resolved = targets.map((t) => {
            const id = world.id(t.target);
            const stored = world.reference.database.recordById(id);
            return { id, stored, expected: versionFor(t.expected, stored?.version) };
          });
          if (bulk.operation === 'update') {
            operation = {
              operation: 'update',
              changes: bulk.changes.map((change, i) => {
                const { id, stored, expected } = resolved[i]!;
                const parent =
                  change.set.extends === undefined
                    ? undefined
                    : change.set.extends === null
                      ? null
                      : change.set.extends === 'self'
                        ? (stored?.name ?? 'account')
                        : NAMES[change.set.extends]!;
                const { extends: _e, ...set } = change.set;
                return {
                  id,
                  expectedVersion: expected ?? stored?.version ?? 1,
                  set: { ...set, ...(parent !== undefined ? { extends: parent } : {}) },
                };
              }),
              ...common,
            };
          } else {
            operation = {
              operation: 'delete',
              ids: resolved.map(({ id, expected }) => ({ id, ...(expected !== undefined ? { expectedVersion: expected } : {}) })),
              ...common,
            };
          }
          // Writable only for who may write the stored records: a user-scope record's owner (or an administrator).
          keys = resolved.flatMap((r) => (r.stored ? [r.stored as KeyFields] : []));
          break;
        }
      }
      const context = world.context(step.ctx, { keys, write: true });
      count(counts, `bulk.${bulk.operation}`);
      await cmp.compare(`bulk.${bulk.operation}`, { context, operation }, (store) => store.bulk(context, operation), operationReport);
      return;
    }
    case 'import': {
      const records = step.records.map((r) => world.importRecord(r));
      const options: MetadataImportOptionsInput = {
        onConflict: step.onConflict,
        atomic: step.atomic,
        continueOnError: step.continueOnError,
        dryRun: step.dryRun,
        batchSize: step.batchSize,
        preserveVersions: step.preserveVersions,
      };
      const keys = records.map((r) => ({ ...r, tenantId: r.tenantId ?? '', namespace: r.namespace ?? '', scope: r.scope ?? 'platform' }));
      const context = world.context(step.ctx, { keys, write: true });
      count(counts, step.atomic ? 'import.atomic' : 'import');
      // Each store gets its own copy: an import must not depend on its input staying untouched.
      await cmp.compare(
        'import',
        { context, records, options },
        (store) => store.import(context, structuredClone(records), options),
        operationReport,
      );
      return;
    }
    case 'get': {
      const key = world.key(step.key);
      const context = world.context(step.ctx, { keys: [key], write: false });
      count(counts, 'get');
      await cmp.compare(
        'get',
        { context, key, useCache: step.useCache },
        (store) => store.get(context, key, { useCache: step.useCache }),
        undefined,
        false,
        true,
      );
      return;
    }
    case 'query':
    case 'load': {
      const filters = world.filters(step.read.filters);
      const context = world.context(step.ctx, { tenants: [0, 1, 2], write: false });
      const base = {
        filters,
        sort: step.read.sort as MetadataSortInput[],
        includeTotal: step.read.includeTotal,
        includeArchived: step.read.includeArchived,
        ...(step.kind === 'load' ? { resolveInheritance: step.resolveInheritance, useCache: step.useCache } : {}),
      };
      const read = (store: MetadataStore, options: MetadataQueryOptionsInput & MetadataLoadOptionsInput) =>
        step.kind === 'query' ? store.query(context, options) : store.load(context, options);
      count(counts, step.kind === 'load' && step.resolveInheritance ? 'load.resolved' : step.kind);
      await followPages(step.kind, cmp, context, base, step.read, read);
      if (step.kind === 'load' && step.ifNoneMatch) {
        // The first page again, conditional on the checksum each store gave it.
        const first = { ...base, pagination: { pageSize: step.read.pageSizes[0]! } };
        const [reference, subject] = await cmp.compare(
          'load first page',
          { context, options: first },
          (store) => store.load(context, first),
          queryPage,
          true,
        );
        if ('ok' in reference && 'ok' in subject) {
          const checksums = [(reference.ok as { checksum: string }).checksum, (subject.ok as { checksum: string }).checksum];
          await cmp.compare(
            'load ifNoneMatch',
            { context, options: first },
            (store, side) => store.load(context, { ...first, ifNoneMatch: checksums[side] }),
            queryPage,
            true,
          );
        }
      }
      return;
    }
    case 'export': {
      const context = world.context(step.ctx, { tenants: [0, 1, 2], write: false });
      const options: MetadataExportOptionsInput = {
        filters: world.filters(step.filters),
        includeArchived: step.includeArchived,
        includeAudit: step.includeAudit,
        includeHistory: step.includeHistory,
        format: step.format,
      };
      count(counts, 'export');
      await cmp.compare(
        'export',
        { context, options },
        async (store) => {
          const records: unknown[] = [];
          for await (const record of store.export(context, options)) records.push(record);
          return records;
        },
        undefined,
        true,
      );
      return;
    }
    case 'changes': {
      const named = step.tenant !== undefined;
      const context = world.context(step.ctx, { tenants: [step.tenant ?? 0], write: false, onlyTenant: !named });
      const feedTenant = named ? world.tenant(step.tenant!) : context.readTenants.length === 1 ? context.readTenants[0]! : undefined;
      const latest = feedTenant === undefined ? 0 : world.reference.database.feed(feedTenant).latestSequence;
      let afterSequence =
        step.after === 'zero'
          ? 0
          : step.after === 'latest'
            ? latest
            : step.after === 'beyond'
              ? latest + 1
              : Math.max(0, latest - step.after);
      count(counts, 'changes');
      for (let page = 1; ; page++) {
        const options: MetadataChangeFeedOptionsInput = { ...(named ? { tenantId: feedTenant } : {}), afterSequence, limit: step.limit };
        const [reference] = await cmp.compare(
          `changes page ${page}`,
          { context, options },
          (store) => store.changes(context, options),
          (result, side) => cmp.feedPage(result, side),
          true,
        );
        if (!('ok' in reference)) return;
        const feed = reference.ok as { hasMore: boolean; lastSequence: number };
        if (!feed.hasMore) return;
        if (page >= MAX_PAGES) throw new Error(`the change feed did not end after ${MAX_PAGES} pages`);
        afterSequence = feed.lastSequence;
      }
    }
  }
}

/**
 * Reads every page of a query or load on both stores, each following its
 * own cursors, comparing page by page; with misuseCursor, also presents the
 * first cursor with includeArchived flipped (invalid_cursor on both).
 */
async function followPages(
  kind: 'query' | 'load',
  cmp: Comparer,
  context: MetadataCallContextInput,
  base: MetadataLoadOptionsInput,
  spec: ReadSpec,
  read: (store: MetadataStore, options: MetadataQueryOptionsInput & MetadataLoadOptionsInput) => Promise<unknown>,
): Promise<void> {
  let cursors: [string | undefined, string | undefined] = [undefined, undefined];
  for (let page = 0; ; page++) {
    const pageSize = spec.pageSizes[page % spec.pageSizes.length]!;
    const options = (side: 0 | 1) => ({
      ...base,
      pagination: { pageSize, ...(cursors[side] !== undefined ? { cursor: cursors[side] } : {}) },
    });
    const [reference, subject] = await cmp.compare(
      `${kind} page ${page + 1}`,
      { context, options: { ...base, pagination: { pageSize, cursor: page === 0 ? undefined : '(each store its own)' } } },
      (store, side) => read(store, options(side)),
      queryPage,
      true,
    );
    if (!('ok' in reference) || !('ok' in subject)) return;
    const next: [string | undefined, string | undefined] = [
      (reference.ok as { nextCursor?: string }).nextCursor,
      (subject.ok as { nextCursor?: string }).nextCursor,
    ];
    if (next[0] === undefined || next[1] === undefined) return;
    cursors = next;
    if (page === 0 && spec.misuseCursor) {
      const flipped = (side: 0 | 1) => ({
        ...options(side),
        includeArchived: !spec.includeArchived,
        pagination: { pageSize, cursor: cursors[side] },
      });
      await cmp.compare(
        `${kind} with a cursor of another query`,
        { context, options: flipped(0) },
        (store, side) => read(store, flipped(side)),
        queryPage,
        true,
      );
    }
    if (page + 1 >= MAX_PAGES) throw new Error(`the ${kind} did not end after ${MAX_PAGES} pages`);
  }
}

// ---------------------------------------------------------------------------
// Runs
// ---------------------------------------------------------------------------

/** The clock and record ids the runner gives a store: the same as the reference's, call for call. */
export interface StoreHooks {
  now: () => Date;
  recordIds: () => string;
  /** Most change events kept per tenant, when the run limits them (R35); pass it on to the store. */
  changeFeedRetention?: number;
}

/** The store under test. */
export interface DifferentialTarget {
  /** How reports name it: `SQLite`, `PostgreSQL`, `a store that drops records`. */
  name: string;
  /** Whether written text may hold U+0000; false leaves it out of every write (PostgreSQL refuses it, with a typed error). */
  storesNul: boolean;
  /** Opens the store every sequence of a run uses (sequences keep to tenants of their own), on the runner's clock and ids. */
  open(hooks: StoreHooks): Promise<MetadataStore>;
}

export interface DifferentialOptions {
  /** The fast-check seed: the same seed draws the same sequences. */
  seed: number;
  /** Sequences to draw and run. */
  sequences: number;
  /** Replays one sequence: the path a report gave with this seed. */
  path?: string;
  /** Time to spend shrinking a divergence to a smaller sequence; default 60,000 ms; 0 reports the first one as drawn. */
  shrinkBudgetMs?: number;
  /** Most change events both stores keep per tenant (R35); default: every event. */
  changeFeedRetention?: number;
}

/** A divergence as reported: how to replay it, the sequence, and the call where the stores differ. */
export interface DivergenceReport {
  seed: number;
  /** fast-check's counterexample path: with the seed, it replays this sequence (`path` option). */
  path: string;
  /** Sequences shrunk on the way to this one. */
  shrinks: number;
  sequence: Sequence | undefined;
  /** The call where the stores differ; absent when the run failed otherwise (`error`). */
  divergence?: Divergence;
  /** An exception outside any compared call (a bug of the harness, a lost connection). */
  error?: string;
}

export interface DifferentialReport {
  target: string;
  seed: number;
  counts: DifferentialCounts;
  durationMs: number;
  /** Set when the stores differed (or the run failed): what replays it. */
  failure?: DivergenceReport;
}

/**
 * Runs `options.sequences` sequences drawn from `options.seed` on the
 * reference and on the target's store, and reports what was compared and
 * the first divergence (shrunk, with its replay).
 */
export async function runDifferential(target: DifferentialTarget, options: DifferentialOptions): Promise<DifferentialReport> {
  const started = Date.now();
  const budget = options.shrinkBudgetMs ?? 60_000;
  const clock = { now: CLOCK_BASE };
  const subjectIds = { prefix: 'd0', next: 0 };
  const retention = options.changeFeedRetention !== undefined ? { changeFeedRetention: options.changeFeedRetention } : {};
  const subject = await target.open({
    now: () => new Date(clock.now),
    recordIds: () => `${subjectIds.prefix}_r${++subjectIds.next}`,
    ...retention,
  });
  const counts = emptyCounts();
  let run = 0;
  let failedAt: number | undefined;
  let last: Divergence | undefined;
  try {
    const property = fc.asyncProperty(sequenceArbitrary(target.storesNul), async (sequence) => {
      // Once the shrink budget is spent, every further candidate passes at once, which ends shrinking.
      if (failedAt !== undefined && Date.now() - failedAt > budget) return;
      const shrinking = failedAt !== undefined;
      const prefix = `d${++run}`;
      subjectIds.prefix = prefix;
      subjectIds.next = 0;
      let referenceIds = 0;
      clock.now = CLOCK_BASE + sequence.startMs;
      const reference = new MemoryStore({ now: () => new Date(clock.now), recordIds: () => `${prefix}_r${++referenceIds}`, ...retention });
      await reference.open();
      const sequenceCounts = emptyCounts();
      const world = new SequenceWorld(prefix, reference, clock.now);
      const comparer = new Comparer([reference, subject], sequenceCounts);
      try {
        for (const [i, step] of sequence.steps.entries()) {
          clock.now += step.advanceMs;
          world.times.push(clock.now);
          comparer.step = i;
          await runStep(step, world, comparer);
        }
      } catch (error) {
        if (error instanceof DivergenceError) last = error.divergence;
        failedAt ??= Date.now();
        throw error;
      } finally {
        await reference.close();
        sequenceCounts.sequences = 1;
        if (!shrinking) addCounts(counts, sequenceCounts);
      }
    });
    const details = await fc.check(property, {
      seed: options.seed,
      numRuns: options.sequences,
      ...(options.path !== undefined ? { path: options.path } : {}),
      endOnFailure: budget === 0,
    });
    const report: DifferentialReport = { target: target.name, seed: options.seed, counts, durationMs: Date.now() - started };
    if (details.failed) {
      const error = details.errorInstance;
      report.failure = {
        seed: details.seed,
        path: details.counterexamplePath ?? '',
        shrinks: details.numShrinks,
        sequence: details.counterexample?.[0],
        ...(error instanceof DivergenceError ? { divergence: error.divergence } : last && !error ? { divergence: last } : {}),
        ...(error instanceof DivergenceError ? {} : { error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      };
    }
    return report;
  } finally {
    await subject.close();
  }
}

/** A report's failure as text: the replay (seed and path), the call, its input, both outcomes and the sequence. */
export function formatFailure(report: DifferentialReport): string {
  const failure = report.failure;
  if (!failure) return `${report.target}: no divergence in ${report.counts.sequences} sequences (seed ${report.seed})`;
  const lines = [
    `${report.target} differs from the memory store.`,
    `Replay: runDifferential(target, { seed: ${failure.seed}, sequences: 1, path: ${JSON.stringify(failure.path)} }) (after ${failure.shrinks} shrinks)`,
  ];
  if (failure.divergence) {
    const d = failure.divergence;
    lines.push(
      `Step ${d.step}, ${d.call}: first difference at ${d.path}`,
      `  input:     ${describeValue(d.input)}`,
      `  reference: ${describeValue(d.reference)}`,
      `  subject:   ${describeValue(d.subject)}`,
    );
    if (d.subjectAgain) {
      const same = firstDifference(d.subject, d.subjectAgain) === undefined;
      lines.push(`  asked again, the subject ${same ? 'gave the same answer' : `answered ${describeValue(d.subjectAgain)}`}`);
    }
  }
  if (failure.error) lines.push(`Error: ${failure.error}`);
  lines.push(`Sequence: ${describeValue(failure.sequence, 40)}`);
  return lines.join('\n');
}

/** The memory store as a target (a harness check: it must never differ from itself), optionally wrapped to break it. */
export function memoryTarget(name = 'memory store', wrap: (store: MetadataStore) => MetadataStore = (store) => store): DifferentialTarget {
  return {
    name,
    storesNul: true,
    async open(hooks) {
      const store = new MemoryStore(hooks);
      await store.open();
      return wrap(store);
    },
  };
}

/** A SQL store as a target, named `name`: each run opens a new store (a table of its own) with `newStore`. */
export function sqlTarget(name: string, driver: SqlDriver, newStore: (hooks: StoreHooks) => Promise<MetadataStore>): DifferentialTarget {
  return { name, storesNul: driver !== 'postgres', open: (hooks) => newStore(hooks) };
}

/** The fixed seed of each dialect's differential test. */
export const DIFFERENTIAL_SEEDS: Readonly<Record<SqlDriver | 'memory', number>> = {
  memory: 20_260_200,
  sqlite: 20_260_201,
  postgres: 20_260_202,
  mysql: 20_260_203,
};

/**
 * Runs `sequences` sequences on a fresh test database of `driver` (or on a
 * memory store) and returns the report: the counts the note quotes, and the
 * failure if the stores differed. The seed defaults to the dialect's test
 * seed; the database is dropped afterwards.
 */
export async function differentialRun(
  driver: SqlDriver | 'memory',
  sequences: number,
  options: { seed?: number; changeFeedRetention?: number } = {},
): Promise<DifferentialReport> {
  const run: DifferentialOptions = {
    seed: options.seed ?? DIFFERENTIAL_SEEDS[driver],
    sequences,
    ...(options.changeFeedRetention !== undefined ? { changeFeedRetention: options.changeFeedRetention } : {}),
  };
  if (driver === 'memory') return runDifferential(memoryTarget(), run);
  // Loaded here, so that the memory runs never load the SQL stores.
  const { SQL_STORE_NAMES, sqlStoreFactory } = await import('./sql-stores');
  const factory = await sqlStoreFactory(driver, 'differential');
  try {
    return await runDifferential(
      sqlTarget(SQL_STORE_NAMES[driver], driver, (hooks) => factory.newStore(hooks)),
      run,
    );
  } finally {
    await factory.drop();
  }
}
