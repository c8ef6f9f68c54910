/**
 * The differential harness (support/differential.ts) is tested before its
 * verdicts on the SQL stores are believed: the memory store run against
 * itself must never differ, and each deliberately broken store below, wrong
 * in one way a SQL store plausibly could be, must be reported as a
 * divergence whose seed and path replay it.
 */
import {
  MetadataCacheConfigSchema,
  type MetadataCallContext,
  type MetadataMigrateOptions,
  type MetadataQueryCondition,
  type MetadataRecord,
  type MetadataStore,
} from '@metasource/spec';
import { describe, expect, it } from 'vitest';
import type { BackendTransaction, PageRequest, ReadScope, RecordSelection, StoreBackend } from '../packages/store/src/base/backend';
import { fieldValue, matchesCondition } from '../packages/store/src/base/filter';
import { ProtocolStore } from '../packages/store/src/base/protocol-store';
import { compareCodePoints } from '../packages/store/src/base/compare';
import { compareSortValues, positionOf, type Position, type SortValue } from '../packages/store/src/base/sort';
import { MemoryBackend } from '../packages/store/src/memory/memory-backend';
import { MemoryDatabase } from '../packages/store/src/memory/memory-database';
import {
  DIFFERENTIAL_SEEDS,
  describeValue,
  firstDifference,
  formatFailure,
  memoryTarget,
  runDifferential,
  type DifferentialTarget,
  type StoreHooks,
} from '../support/differential';

/** What a wrong matcher says about a condition: matches or not, or undefined to leave it to the protocol's meaning. */
type WrongMatch = (record: MetadataRecord, condition: MetadataQueryCondition) => boolean | undefined;

/** How a wrong store reads: conditions judged by `matches` first, sort values ordered by `compareValues`. */
interface WrongReads {
  matches?: WrongMatch;
  compareValues?: (field: string, a: SortValue, b: SortValue) => number;
}

/**
 * A memory backend that selects and orders query pages the way `wrong`
 * says, as a SQL store with a wrongly compiled condition or ORDER BY would;
 * everything else (writes, keys, feeds, cursors) is the memory backend's.
 */
class WrongReadBackend implements StoreBackend {
  readonly #inner: MemoryBackend;
  readonly #wrong: WrongReads;

  constructor(inner: MemoryBackend, wrong: WrongReads) {
    this.#inner = inner;
    this.#wrong = wrong;
  }

  get profile() {
    return this.#inner.profile;
  }

  get cursors() {
    return this.#inner.cursors;
  }

  open() {
    return this.#inner.open();
  }

  close() {
    return this.#inner.close();
  }

  migrate(context: MetadataCallContext, options: MetadataMigrateOptions) {
    return this.#inner.migrate(context, options);
  }

  recordByKey(key: Parameters<StoreBackend['recordByKey']>[0]) {
    return this.#inner.recordByKey(key);
  }

  recordById(id: string) {
    return this.#inner.recordById(id);
  }

  feed(tenantId: string, afterSequence: number, limit: number) {
    return this.#inner.feed(tenantId, afterSequence, limit);
  }

  transaction<T>(work: (tx: BackendTransaction) => Promise<{ value: T; commit: boolean }>) {
    return this.#inner.transaction(work);
  }

  /** The visible records the filters select, the conditions judged the wrong way where `matches` says. */
  async #matching(scope: ReadScope, selection: RecordSelection) {
    const conditions = selection.filters.conditions ?? [];
    const all = await this.#inner.query(
      scope,
      { ...selection, filters: { ...selection.filters, conditions: [] } },
      { sort: [], limit: Number.MAX_SAFE_INTEGER },
    );
    const matches = this.#wrong.matches ?? (() => undefined);
    return all.records.filter((record) => conditions.every((c) => matches(record, c) ?? matchesCondition(record, c)));
  }

  /** Orders positions by the sort keys (values by `compareValues`), then by id. */
  #compare(sort: PageRequest['sort'], a: Position, b: Position): number {
    const compareValues = this.#wrong.compareValues ?? compareSortValues;
    for (const [k, { field, direction }] of sort.entries()) {
      const c = compareValues(field, a.values[k] ?? null, b.values[k] ?? null);
      if (c !== 0) return direction === 'desc' ? -c : c;
    }
    return compareCodePoints(a.id, b.id);
  }

  async query(scope: ReadScope, selection: RecordSelection, page: PageRequest) {
    const sorted = (await this.#matching(scope, selection))
      .map((record) => ({ record, position: positionOf(record, page.sort) }))
      .sort((a, b) => this.#compare(page.sort, a.position, b.position));
    const after = page.after;
    const start = after ? sorted.findIndex(({ position }) => this.#compare(page.sort, position, after) > 0) : 0;
    if (start < 0) return { records: [], hasMore: false };
    return { records: sorted.slice(start, start + page.limit).map(({ record }) => record), hasMore: start + page.limit < sorted.length };
  }

  async count(scope: ReadScope, selection: RecordSelection) {
    return (await this.#matching(scope, selection)).length;
  }
}

/** A target whose store is the protocol store over a memory backend that reads the `wrong` way. */
function wrongReadTarget(name: string, wrong: WrongReads): DifferentialTarget {
  return {
    name,
    storesNul: true,
    async open(hooks: StoreHooks) {
      const store = new ProtocolStore(new WrongReadBackend(new MemoryBackend(new MemoryDatabase(), hooks.recordIds), wrong), {
        label: name,
        cache: MetadataCacheConfigSchema.parse({}),
        maxPageSize: 1000,
        maxResultSize: 10_000,
        now: hooks.now,
        retry: { maxRetries: 0, initialDelayMs: 0, multiplier: 1, maxDelayMs: 0 },
        exportPageSize: 1000,
      });
      await store.open();
      return store;
    },
  };
}

/** A memory store with some calls replaced (each gets the working store first). */
function wrappedTarget(name: string, overrides: (inner: MetadataStore) => Partial<MetadataStore>): DifferentialTarget {
  return memoryTarget(name, (inner) => {
    const replaced = overrides(inner);
    return new Proxy(inner, {
      get(target, property, receiver) {
        if (Object.hasOwn(replaced, property)) return replaced[property as keyof MetadataStore];
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  });
}

/** A field's string value, if it holds a string; undefined for createdAt and updatedAt, which compare as instants. */
const stringOf = (record: MetadataRecord, field: string) => {
  const value = fieldValue(record, field);
  return typeof value === 'string' && field !== 'createdAt' && field !== 'updatedAt' ? value : undefined;
};

/**
 * Stores each wrong in one way, as a SQL store could be, and a clue the
 * reported divergence must show (matched against its call, path and input),
 * so that the harness is seen to report this wrong behaviour and not another.
 */
const BROKEN: readonly { name: string; target: DifferentialTarget; clue: RegExp }[] = [
  {
    name: 'drops the last record of every page of two or more',
    target: wrappedTarget('a store that drops the last record of a page', (inner) => ({
      query: async (context, options) => {
        const page = await inner.query(context, options);
        return page.records.length >= 2 ? { ...page, records: page.records.slice(0, -1) } : page;
      },
    })),
    clue: /^query page \d+ \$\.ok\.records\[/,
  },
  {
    name: 'lets ne and not_in skip absent and null fields (SQL <> and NOT IN)',
    target: wrongReadTarget('a store whose ne skips NULL', {
      matches: (record, c) =>
        (c.operator === 'ne' || c.operator === 'not_in') && (fieldValue(record, c.field) ?? null) === null ? false : undefined,
    }),
    clue: /"operator":"(ne|not_in)"/,
  },
  {
    name: 'orders strings by UTF-16 code units in gt, gte, lt and lte',
    target: wrongReadTarget('a store that compares UTF-16 code units', {
      matches: (record, c) => {
        const actual = stringOf(record, c.field);
        if (actual === undefined || typeof c.value !== 'string') return undefined;
        if (c.operator !== 'gt' && c.operator !== 'gte' && c.operator !== 'lt' && c.operator !== 'lte') return undefined;
        const order = actual < c.value ? -1 : actual > c.value ? 1 : 0;
        return { gt: order > 0, gte: order >= 0, lt: order < 0, lte: order <= 0 }[c.operator];
      },
    }),
    clue: /"operator":"(gt|gte|lt|lte)"/,
  },
  {
    name: 'ignores trailing spaces in string equality (a PAD SPACE collation)',
    target: wrongReadTarget('a store with PAD SPACE equality', {
      matches: (record, c) => {
        const actual = stringOf(record, c.field);
        if (actual === undefined || (c.operator !== 'eq' && c.operator !== 'ne') || typeof c.value !== 'string') return undefined;
        const equal = actual.replace(/ +$/, '') === c.value.replace(/ +$/, '');
        return c.operator === 'eq' ? equal : !equal;
      },
    }),
    clue: /"operator":"(eq|ne)"/,
  },
  {
    name: 'reads % and _ in contains and starts_with as LIKE wildcards',
    target: wrongReadTarget('a store with unescaped LIKE', {
      matches: (record, c) => {
        const actual = stringOf(record, c.field);
        if (actual === undefined || (c.operator !== 'contains' && c.operator !== 'starts_with')) return undefined;
        const pattern = [...c.value]
          .map((ch) => (ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')))
          .join('');
        return new RegExp(`${c.operator === 'starts_with' ? '^' : ''}${pattern}`, 'su').test(actual);
      },
    }),
    clue: /"operator":"(contains|starts_with)","value":"[^"]*[%_]/,
  },
  {
    name: 'compares strings case-insensitively in eq and ne (a _ci collation)',
    target: wrongReadTarget('a store with case-insensitive equality', {
      matches: (record, c) => {
        const actual = stringOf(record, c.field);
        if (actual === undefined || (c.operator !== 'eq' && c.operator !== 'ne') || typeof c.value !== 'string') return undefined;
        const equal = actual.toLowerCase() === c.value.toLowerCase();
        return c.operator === 'eq' ? equal : !equal;
      },
    }),
    clue: /"operator":"(eq|ne)"/,
  },
  {
    name: "sorts absent values last in ascending order (PostgreSQL's default NULLS LAST)",
    target: wrongReadTarget('a store that sorts NULLS LAST', {
      compareValues: (field, a, b) => (a === null || b === null ? (a === b ? 0 : a === null ? 1 : -1) : compareSortValues(field, a, b)),
    }),
    clue: /"sort":\[[^\]]*"field":"(owner|extends)"/,
  },
  {
    name: 'gives each change event a transaction of its own',
    target: wrappedTarget('a store that splits transactions', (inner) => {
      let next = 0;
      return {
        changes: async (context, options) => {
          const page = await inner.changes(context, options);
          return { ...page, events: page.events.map((event) => ({ ...event, transactionId: `tx_split_${++next}` })) };
        },
      };
    }),
    clue: /^changes page \d+ \$\.ok\.events\[\d+\]\.transactionId/,
  },
];

describe('the differential harness', () => {
  it('finds no difference between the memory store and itself', async () => {
    const report = await runDifferential(memoryTarget(), { seed: DIFFERENTIAL_SEEDS.memory, sequences: 400 });
    expect(report.failure, report.failure && formatFailure(report)).toBeUndefined();
    expect(report.counts.sequences).toBe(400);
    // Every kind of call ran, and the runs compared pages with records on them.
    for (const kind of ['save', 'archive', 'restore', 'delete', 'bulk.create', 'bulk.upsert', 'bulk.update', 'bulk.delete']) {
      expect(report.counts.operations[kind], kind).toBeGreaterThan(0);
    }
    for (const kind of ['import', 'import.atomic', 'get', 'query', 'load', 'load.resolved', 'export', 'changes']) {
      expect(report.counts.operations[kind], kind).toBeGreaterThan(0);
    }
    expect(report.counts.comparedRecords).toBeGreaterThan(report.counts.sequences);
    for (const code of ['ok', 'not_found', 'version_conflict', 'already_exists', 'forbidden', 'invalid_input', 'invalid_cursor']) {
      expect(report.counts.outcomes[code], code).toBeGreaterThan(0);
    }
  }, 60_000);

  it('finds no difference between memory stores that keep only 4 change events per tenant', async () => {
    const report = await runDifferential(memoryTarget(), { seed: DIFFERENTIAL_SEEDS.memory + 1, sequences: 150, changeFeedRetention: 4 });
    expect(report.failure, report.failure && formatFailure(report)).toBeUndefined();
    expect(report.counts.outcomes.resync_needed).toBeGreaterThan(0);
  }, 60_000);

  it.each(BROKEN)(
    'reports a store that $name, with a seed and path that replay it',
    async ({ target, clue }) => {
      const report = await runDifferential(target, { seed: DIFFERENTIAL_SEEDS.memory, sequences: 2000, shrinkBudgetMs: 3_000 });
      const failure = report.failure;
      expect(failure, `${target.name} was not caught`).toBeDefined();
      expect(failure!.divergence, failure!.error).toBeDefined();
      expect(failure!.seed).toBe(DIFFERENTIAL_SEEDS.memory);
      expect(failure!.path).toMatch(/^\d+(:\d+)*$/);
      expect(formatFailure(report)).toContain(`seed: ${failure!.seed}`);
      const { call, path, input } = failure!.divergence!;
      expect(`${call} ${path} ${describeValue(input)}`).toMatch(clue);

      // The seed and path alone run the reported sequence again, to the same difference.
      const replay = await runDifferential(target, { seed: failure!.seed, sequences: 1, path: failure!.path, shrinkBudgetMs: 0 });
      expect(replay.counts.sequences).toBe(1);
      expect(firstDifference(replay.failure?.sequence, failure!.sequence)).toBeUndefined();
      expect(replay.failure?.divergence?.call).toBe(failure!.divergence!.call);
      expect(replay.failure?.divergence?.path).toBe(failure!.divergence!.path);
      expect(replay.failure?.divergence?.step).toBe(failure!.divergence!.step);
    },
    120_000,
  );
});
