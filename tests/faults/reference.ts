/**
 * Running the same calls on a SQL store and on the in-memory reference
 * store, and judging the pair: equal results (as JSON, cursors by presence,
 * transaction ids by order of appearance), or the same typed rejection.
 * Every rejection must be a MetadataStoreFailure carrying a valid
 * MetadataStoreError, and never `unavailable`, which is what a driver
 * error becomes: bad input must be refused before it reaches a database.
 * The one difference allowed is PostgreSQL's refusal of U+0000 in a payload
 * (unsupported_capability nul_character, R18); the memory store is then
 * asked with dryRun, so that both keep the same records.
 */
import { isDeepStrictEqual } from 'node:util';
import { MetadataStoreErrorSchema, type MetadataCallContextInput, type MetadataStore } from '@metasource/spec';
import { MetadataStoreFailure } from '@metasource/store';
import type { SqlDriver } from '../../packages/store/src/sql/layout';
import { settle, type Outcome } from './database';

/** A resettable id generator, so that two stores issue the same ids for the same call. */
export function idSource() {
  let prefix = 'id';
  let n = 0;
  return {
    next: () => `${prefix}_${++n}`,
    reset(to: string) {
      prefix = to;
      n = 0;
    },
  };
}

/** Whether a JSON value holds U+0000 in a string or a key. */
export function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([key, inner]) => key.includes('\u0000') || holdsNul(inner));
  }
  return false;
}

/**
 * An outcome as compared: a value as JSON (the protocol's data: a
 * JavaScript -0 is 0), with cursors by presence (each store signs its own)
 * and transaction ids by the order of their first appearance (each store
 * draws its own); a typed error without its message, which names the
 * store, except invalid_input, whose message and issues come from the same
 * schema.
 */
export function comparable(outcome: Outcome<unknown>): unknown {
  if (outcome.error !== undefined) {
    if (!(outcome.error instanceof MetadataStoreFailure)) return { untyped: String(outcome.error) };
    const { message: _message, ...error } = outcome.error.error;
    return { error: outcome.error.error.code === 'invalid_input' ? outcome.error.error : error };
  }
  const transactions = new Map<unknown, string>();
  return JSON.parse(
    JSON.stringify(outcome.value ?? null, (key, value: unknown) => {
      if (key === 'nextCursor') return '<cursor>';
      if (key === 'transactionId') {
        if (!transactions.has(value)) transactions.set(value, `tx${transactions.size + 1}`);
        return transactions.get(value);
      }
      return value;
    }),
  );
}

/** A value for a failure message: long strings cut, the whole cut at 600 characters. */
export function show(value: unknown): string {
  const text = JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === 'string' && inner.length > 60 ? `${inner.slice(0, 60)}...(${inner.length})` : inner,
  );
  return text === undefined ? String(value) : text.length > 600 ? `${text.slice(0, 600)}...` : text;
}

/** Every record an export yields, read to the end. */
export async function exportAll(store: MetadataStore, context: MetadataCallContextInput, options: object): Promise<unknown[]> {
  const records: unknown[] = [];
  for await (const record of store.export(context, options)) records.push(record);
  return records;
}

/** What is wrong with a rejection, if anything: untyped, not a MetadataStoreError, or `unavailable` (a driver error). */
export function untypedRejection(outcome: Outcome<unknown>): string | undefined {
  if (outcome.error === undefined) return undefined;
  const error = outcome.error;
  if (!(error instanceof MetadataStoreFailure)) return `an untyped error: ${String(error)}`;
  if (!MetadataStoreErrorSchema.safeParse(error.error).success) return `an error that is not a MetadataStoreError: ${show(error.error)}`;
  if (error.error.code === 'unavailable') return `unavailable, which a driver error becomes: ${error.error.message}`;
  return undefined;
}

/** Counts of a comparison run, for the summary line. */
export interface ComparisonStats {
  attempts: number;
  equal: number;
  rejected: number;
  nulRefused: number;
}

/** The two stores, their id generators, and what the comparisons found. */
export class Comparison {
  readonly stats: ComparisonStats = { attempts: 0, equal: 0, rejected: 0, nulRefused: 0 };
  readonly mismatches: string[] = [];
  #calls = 0;

  constructor(
    readonly driver: SqlDriver,
    readonly memory: MetadataStore,
    readonly sql: MetadataStore,
    readonly ids: { memory: ReturnType<typeof idSource>; sql: ReturnType<typeof idSource> },
  ) {}

  /**
   * Runs a call on both stores, memory first, and records any difference.
   * `payload`, when the call writes one: on PostgreSQL a payload with
   * U+0000 must be refused with nul_character, and the memory store is
   * asked with dryRun (the call's second argument). `path`, where the
   * call's one unusual value is: an invalid_input must name that path (every
   * issue under it), so a rejection is about that value and not about a
   * call that was malformed elsewhere. Returns both outcomes.
   */
  async compare(
    label: string,
    call: (store: MetadataStore, dryRun: boolean) => Promise<unknown>,
    { payload, path }: { payload?: unknown; path?: readonly (string | number)[] } = {},
  ): Promise<{ expected: Outcome<unknown>; actual: Outcome<unknown> }> {
    this.#calls += 1;
    this.ids.memory.reset(`c${this.#calls}`);
    this.ids.sql.reset(`c${this.#calls}`);
    this.stats.attempts += 1;
    const refusesNul = this.driver === 'postgres' && payload !== undefined && holdsNul(payload);
    const expected = await settle(call(this.memory, refusesNul));
    const actual = await settle(call(this.sql, false));
    for (const [store, outcome] of [
      ['the memory store', expected],
      [`the ${this.driver} store`, actual],
    ] as const) {
      const problem = untypedRejection(outcome);
      if (problem) this.mismatches.push(`${label}: ${store} failed with ${problem}`);
      const error = outcome.error instanceof MetadataStoreFailure ? outcome.error.error : undefined;
      if (path !== undefined && error?.code === 'invalid_input') {
        const elsewhere = error.issues.filter((issue) => !path.every((segment, index) => issue.path[index] === segment));
        if (elsewhere.length > 0)
          this.mismatches.push(`${label}: ${store} names ${show(elsewhere.map((issue) => issue.path))}, not ${show(path)}`);
      }
    }
    if (refusesNul && expected.error === undefined) {
      const error = actual.error instanceof MetadataStoreFailure ? actual.error.error : undefined;
      if (error?.code === 'unsupported_capability' && error.capability === 'nul_character') this.stats.nulRefused += 1;
      else
        this.mismatches.push(`${label}: PostgreSQL should refuse U+0000 in a payload with nul_character, got ${show(comparable(actual))}`);
      return { expected, actual };
    }
    const [want, got] = [comparable(expected), comparable(actual)];
    if (!isDeepStrictEqual(want, got)) this.mismatches.push(`${label}: memory ${show(want)} but ${this.driver} ${show(got)}`);
    else if (actual.error !== undefined) this.stats.rejected += 1;
    else this.stats.equal += 1;
    return { expected, actual };
  }

  /**
   * Runs a call on the SQL store alone, where the memory store answers
   * otherwise by design (explicit migration steps, which it refuses as
   * unsupported): a rejection must still be typed, and an invalid_input
   * must name `path`.
   */
  async alone(
    label: string,
    call: (store: MetadataStore) => Promise<unknown>,
    path: readonly (string | number)[],
  ): Promise<Outcome<unknown>> {
    this.stats.attempts += 1;
    const actual = await settle(call(this.sql));
    const before = this.mismatches.length;
    this.#judge(label, `the ${this.driver} store`, actual, path);
    if (this.mismatches.length === before) {
      if (actual.error !== undefined) this.stats.rejected += 1;
      else this.stats.equal += 1;
    }
    return actual;
  }

  /** Records what is wrong with one store's outcome: an untyped rejection, or an invalid_input about another path. */
  #judge(label: string, store: string, outcome: Outcome<unknown>, path: readonly (string | number)[] | undefined): void {
    const problem = untypedRejection(outcome);
    if (problem) this.mismatches.push(`${label}: ${store} failed with ${problem}`);
    const error = outcome.error instanceof MetadataStoreFailure ? outcome.error.error : undefined;
    if (path !== undefined && error?.code === 'invalid_input') {
      const elsewhere = error.issues.filter((issue) => !path.every((segment, index) => issue.path[index] === segment));
      if (elsewhere.length > 0)
        this.mismatches.push(`${label}: ${store} names ${show(elsewhere.map((issue) => issue.path))}, not ${show(path)}`);
    }
  }
}
