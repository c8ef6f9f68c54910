/**
 * A statement trace: while it runs, every statement any connection of this
 * process sends through the database client is recorded with its text, its
 * parameters and the time the client took (for PostgreSQL and MariaDB from
 * the call to the answer, the round trip included; for SQLite the prepare
 * and the run, which is SQLite's own work). It patches the client's
 * prototypes (clients.ts: the copies the store loads) and restores them when
 * stopped, so the timed runs of the benchmark go through unpatched clients.
 *
 * It measures what a store call costs in statements, and how much of its
 * time is spent in the database client, and it catches the statement the
 * query compiler built, for EXPLAIN.
 */
import type { SqlDriver } from '../../../packages/store/src/sql/layout';
import { mysqlModule, pgModule, sqliteModule, type SqliteStatement } from './clients';

export interface TracedStatement {
  sql: string;
  parameters: readonly unknown[];
  ms: number;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** Replaces `name` on `target` with `wrap(original)`; returns the undo. */
function patch(target: object, name: string, wrap: (original: Method) => Method): () => void {
  const holder = target as Record<string, Method>;
  const had = Object.prototype.hasOwnProperty.call(target, name);
  const original = holder[name];
  if (typeof original !== 'function') throw new Error(`trace: the client has no method ${name} to patch`);
  holder[name] = wrap(original);
  return () => {
    if (had) holder[name] = original;
    else delete holder[name];
  };
}

/** Parameters as a client receives them: one array argument (how Kysely calls every driver). */
function parametersOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

export class StatementTrace {
  readonly statements: TracedStatement[] = [];
  readonly #undo: (() => void)[] = [];

  constructor(driver: SqlDriver) {
    const record = (sql: string, parameters: readonly unknown[], ms: number) => this.statements.push({ sql, parameters, ms });
    switch (driver) {
      case 'sqlite': {
        const Database = sqliteModule();
        const probe = new Database(':memory:');
        const statementPrototype = Object.getPrototypeOf(probe.prepare('select 1')) as object;
        probe.close();
        const prepareMs = new WeakMap<object, number>();
        this.#undo.push(
          patch(
            Database.prototype,
            'prepare',
            (original) =>
              function (this: unknown, ...args: unknown[]) {
                const start = performance.now();
                const statement = original.apply(this, args) as object;
                prepareMs.set(statement, performance.now() - start);
                return statement;
              },
          ),
        );
        for (const name of ['run', 'all', 'get']) {
          this.#undo.push(
            patch(
              statementPrototype,
              name,
              (original) =>
                function (this: unknown, ...args: unknown[]) {
                  const start = performance.now();
                  try {
                    return original.apply(this, args);
                  } finally {
                    const statement = this as SqliteStatement;
                    record(statement.source, parametersOf(args[0]), performance.now() - start + (prepareMs.get(statement) ?? 0));
                  }
                },
            ),
          );
        }
        return;
      }
      case 'postgres':
        this.#undo.push(
          patch(
            pgModule().Client.prototype,
            'query',
            (original) =>
              function (this: unknown, ...args: unknown[]) {
                const start = performance.now();
                const result = original.apply(this, args);
                const sql = typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: unknown })?.text);
                const done = () => record(sql, parametersOf(args[1]), performance.now() - start);
                if (result instanceof Promise) return result.finally(done);
                done();
                return result;
              },
          ),
        );
        return;
      case 'mysql':
        this.#undo.push(
          patch(
            mysqlModule().Connection.prototype,
            'query',
            (original) =>
              function (this: unknown, ...args: unknown[]) {
                const start = performance.now();
                const callback = args[2];
                if (typeof args[0] === 'string' && typeof callback === 'function') {
                  const sql = args[0];
                  args[2] = (...results: unknown[]) => {
                    record(sql, parametersOf(args[1]), performance.now() - start);
                    return (callback as (...values: unknown[]) => unknown)(...results);
                  };
                }
                return original.apply(this, args);
              },
          ),
        );
        return;
    }
  }

  /** Restores the client; the statements stay readable. */
  stop(): TracedStatement[] {
    for (const undo of this.#undo.splice(0).reverse()) undo();
    return this.statements;
  }

  /** Milliseconds spent in the client, summed over the statements. */
  get clientMs(): number {
    return this.statements.reduce((sum, statement) => sum + statement.ms, 0);
  }
}

/** Runs `work` under a trace and returns its value with the statements it sent. */
export async function traced<T>(
  driver: SqlDriver,
  work: () => Promise<T>,
): Promise<{ value: T; statements: TracedStatement[]; clientMs: number; ms: number }> {
  const trace = new StatementTrace(driver);
  const start = performance.now();
  try {
    const value = await work();
    const ms = performance.now() - start;
    return { value, statements: trace.statements, clientMs: trace.clientMs, ms };
  } finally {
    trace.stop();
  }
}

/**
 * What a statement of a store's write does, for the statement counts: the
 * transaction's own statements by keyword, the others by what they read or
 * write of the records table `table` and its `_changes` and `_feeds` tables.
 */
export function statementKind(sql: string, table: string): string {
  const text = sql.trim().replace(/\s+/g, ' ');
  const keyword = (/^\w+/.exec(text)?.[0] ?? '?').toUpperCase();
  const target = /\b(?:into|from)\s+(?:[`"][^`"]+[`"]\.)?[`"]([^`"]+)[`"]/i.exec(text)?.[1];
  if (target === undefined) return keyword;
  if (target === `${table}_changes`) return `${keyword} events`;
  if (target === `${table}_feeds`) return keyword === 'INSERT' ? 'INSERT/UPDATE feed row' : `${keyword} feed row`;
  if (target !== table) return `${keyword} ${target}`;
  if (keyword === 'SELECT') return /^select \*/i.test(text) ? 'SELECT records by key' : 'SELECT ids';
  return `${keyword} records`;
}
