/**
 * `metasource query`: prints the records a structured query selects, as a
 * table (tenant, scope, owner, type, namespace, name, version, state) or,
 * with --json, as one result holding the records and the next page's
 * cursor. The filters are the protocol's MetadataQueryFilters: --type,
 * --namespace, --name, --scope and --state (each repeatable: any of the
 * values), and --where, a MetadataQueryCondition as JSON (repeatable: all
 * of them). --sort takes `field` or `field:desc`; --page-size and --cursor
 * page through the result, and --all follows the cursors to the end.
 * --resolve reads through `load` with resolveInheritance: each item as it
 * takes effect, its `extends` chain merged.
 *
 * Everything is checked against the protocol's schemas before the store is
 * opened; a value they refuse is an invalid input (exit 1) naming the option
 * and the rule. A query that matches nothing is a success (exit 0).
 */
import {
  MetadataLoadOptionsSchema,
  MetadataQueryOptionsSchema,
  type MetadataCallContextInput,
  type MetadataLoadOptions,
  type MetadataQueryOptions,
  type MetadataRecord,
} from '@metasource/spec';
import type { z } from 'zod';
import { datasourceRef } from '../database';
import { CliError, describePath, usageError, type Problem } from '../errors';
import { EXIT } from '../exit-codes';
import { grouped, plural } from '../output';
import type { QueryResult } from '../results';
import { MAX_CONTEXT_TENANTS, operatorContext, tenantsOf, withStore } from '../store';
import { issueMessage, syntaxProblem } from '../text/problems';
import { TextSyntaxProblem, parseText, type LocatedText } from '../text/source-text';
import type { CommandContext, CommandOutcome } from './context';

export interface QueryOptions {
  type: string[];
  namespace: string[];
  name: string[];
  tenant: string[];
  scope: string[];
  state: string[];
  where: string[];
  sort: string[];
  pageSize?: number;
  cursor?: string;
  all: boolean;
  resolve: boolean;
  includeArchived: boolean;
}

/** The options a query takes to the store: a MetadataQueryOptions, or a MetadataLoadOptions with --resolve. */
type ReadOptions = MetadataQueryOptions | MetadataLoadOptions;

/** The option each filter comes from, for messages. */
const OPTION_OF_FILTER: Record<string, string> = {
  type: '--type',
  namespace: '--namespace',
  name: '--name',
  scope: '--scope',
  state: '--state',
};

/** One list of values as a filter: absent, one value, or the distinct values (any of them matches). */
function filterValue(values: readonly string[]): string | string[] | undefined {
  const distinct = [...new Set(values)];
  return distinct.length === 0 ? undefined : distinct.length === 1 ? distinct[0] : distinct;
}

/** `field` or `field:asc` / `field:desc` as a MetadataSort input; the field itself is checked by the schema. */
function sortInput(value: string, index: number): { input: { field: string; direction?: string }; problem?: Problem } {
  const colon = value.lastIndexOf(':');
  if (colon === -1) return { input: { field: value } };
  const field = value.slice(0, colon);
  const direction = value.slice(colon + 1);
  if (direction !== 'asc' && direction !== 'desc') {
    return {
      input: { field },
      problem: {
        file: `--sort #${index + 1}`,
        path: '',
        message: `${JSON.stringify(value)}: the direction after ":" must be asc or desc`,
        severity: 'error',
      },
    };
  }
  return { input: { field, direction } };
}

/** Where an issue of the parsed options comes from on the command line, and its path inside that option's value. */
function optionOf(path: readonly PropertyKey[]): { option: string; path: readonly PropertyKey[] } {
  const [group, field, ...rest] = path;
  if (group === 'filters' && field === 'conditions' && typeof rest[0] === 'number')
    return { option: `--where #${rest[0] + 1}`, path: rest.slice(1) };
  if (group === 'filters' && typeof field === 'string' && OPTION_OF_FILTER[field]) return { option: OPTION_OF_FILTER[field]!, path: rest };
  if (group === 'sort' && typeof field === 'number') return { option: `--sort #${field + 1}`, path: rest };
  if (group === 'sort') return { option: '--sort', path: [] };
  if (group === 'pagination' && field === 'pageSize') return { option: '--page-size', path: [] };
  if (group === 'pagination' && field === 'cursor') return { option: '--cursor', path: [] };
  return { option: 'the query', path };
}

/**
 * The query the options describe, checked by the protocol's schema: a
 * MetadataQueryOptions, or with --resolve a MetadataLoadOptions with
 * resolveInheritance (and no cache: a one-off read has nothing to reuse).
 * Every problem names its option (`--where #2 value ...`); a --where that is
 * not JSON, or not a condition, is shown at its line and column.
 */
export function queryOptions(options: QueryOptions): ReadOptions {
  const problems: Problem[] = [];
  const conditionTexts: (LocatedText | undefined)[] = [];
  const conditions: unknown[] = [];
  options.where.forEach((text, index) => {
    const option = `--where #${index + 1}`;
    try {
      const located = parseText(text, 'json');
      conditionTexts.push(located);
      conditions.push(located.value);
    } catch (error) {
      if (!(error instanceof TextSyntaxProblem)) throw error;
      problems.push(syntaxProblem(error, option));
      conditionTexts.push(undefined);
      conditions.push(null);
    }
  });
  const sort = options.sort.map((value, index) => {
    const { input, problem } = sortInput(value, index);
    if (problem) problems.push(problem);
    return input;
  });
  if (problems.length > 0) throw invalidQuery(problems);

  const filters: Record<string, unknown> = {};
  for (const field of ['type', 'namespace', 'name', 'scope', 'state'] as const) {
    const value = filterValue(options[field]);
    if (value !== undefined) filters[field] = value;
  }
  if (conditions.length > 0) filters.conditions = conditions;
  const input = {
    filters,
    sort,
    pagination: {
      ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
      ...(options.cursor ? { cursor: options.cursor } : {}),
    },
    includeArchived: options.includeArchived,
  };
  const schema: z.ZodType<ReadOptions> = options.resolve ? MetadataLoadOptionsSchema : MetadataQueryOptionsSchema;
  const parsed = schema.safeParse(options.resolve ? { ...input, resolveInheritance: true, useCache: false } : input);
  if (parsed.success) return parsed.data;
  throw invalidQuery(
    parsed.error.issues.map((issue) => {
      const { option, path } = optionOf(issue.path);
      const where = /^--where #(\d+)$/.exec(option);
      const text = where ? conditionTexts[Number(where[1]) - 1] : undefined;
      const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
      const position = text?.locate(path, key);
      return {
        file: option,
        ...(position ? { line: position.line, column: position.column } : {}),
        path: describePath(path),
        message: issueMessage(issue),
        severity: 'error' as const,
      };
    }),
  );
}

function invalidQuery(problems: Problem[]): CliError {
  return new CliError(`the query is invalid (${plural(problems.length, 'problem')})`, {
    exitCode: EXIT.failed,
    code: 'invalid_input',
    hint: 'filters, --where conditions and --sort fields are those of MetadataQueryOptions (docs/reference/metadata-query-options.md)',
    problems,
  });
}

/** The columns of the text table. */
const COLUMNS = ['TENANT', 'SCOPE', 'OWNER', 'TYPE', 'NAMESPACE', 'NAME', 'VERSION', 'STATE'] as const;

/** One record as a row of the table; `-` where a user-scope owner does not apply. */
function row(record: MetadataRecord): string[] {
  return [
    record.tenantId,
    record.scope,
    record.owner ?? '-',
    record.type,
    record.namespace,
    record.name,
    String(record.version),
    record.state,
  ];
}

/** Rows as aligned columns under their headings (two spaces apart, no trailing blanks). */
export function formatTable(rows: readonly string[][]): string[] {
  const widths = COLUMNS.map((heading, column) => Math.max(heading.length, ...rows.map((cells) => cells[column]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS), ...rows.map(line)];
}

export async function runQuery(ctx: CommandContext, options: QueryOptions): CommandOutcome {
  const { io, out } = ctx;
  const operator = ctx.operator(options.tenant);
  if (options.all && options.cursor !== undefined) throw usageError('--all reads every page from the first; it takes no --cursor');
  const read = queryOptions(options);
  const loaded = await ctx.config();
  return withStore(loaded.config, ctx.global.datasource, io.env, async ({ store, datasource, target }) => {
    const tenants = await tenantsOf(store, operator);
    if (tenants.length > MAX_CONTEXT_TENANTS) {
      throw usageError(
        `${target} holds ${grouped(tenants.length)} tenants; one query reads at most ${MAX_CONTEXT_TENANTS}`,
        'name the tenants to read with --tenant',
      );
    }
    const records: MetadataRecord[] = [];
    let nextCursor: string | undefined;
    let total: number | undefined;
    let pages = 0;
    // A store holding no tenant yet holds no record: there is nothing to ask it (a context names at least one tenant).
    if (tenants.length > 0) {
      const context: MetadataCallContextInput = operatorContext(operator, tenants);
      let cursor = read.pagination.cursor;
      do {
        // The total is counted once, with the first page read; it costs the store a second query.
        const pageOptions = {
          ...read,
          includeTotal: pages === 0,
          pagination: { ...read.pagination, ...(cursor !== undefined ? { cursor } : {}) },
        };
        const page = options.resolve
          ? await store.load(context, pageOptions as MetadataLoadOptions)
          : await store.query(context, pageOptions as MetadataQueryOptions);
        pages += 1;
        records.push(...page.records);
        total ??= page.total;
        nextCursor = page.nextCursor;
        cursor = nextCursor;
      } while (options.all && nextCursor !== undefined && !ctx.interrupted);
    }
    const interrupted = options.all && nextCursor !== undefined && ctx.interrupted;
    const exitCode = interrupted ? EXIT.interrupted : EXIT.ok;

    if (records.length === 0) {
      out.line(tenants.length === 0 ? `No records: ${target} holds none yet.` : 'No records match.');
    } else {
      for (const line of formatTable(records.map(row))) out.line(line);
      const what = options.resolve ? 'as they take effect (inheritance resolved)' : 'as stored';
      if (interrupted) out.line(`Interrupted after ${plural(records.length, 'record')} in ${plural(pages, 'page')}; more follow.`);
      else if (nextCursor !== undefined)
        out.line(
          `${grouped(records.length)} of ${plural(total ?? records.length, 'record')}, ${what}; the next page: --cursor ${nextCursor} (or --all for every page)`,
        );
      else out.line(`${plural(records.length, 'record')}, ${what}.`);
    }
    const result: QueryResult = {
      command: 'query',
      exitCode,
      datasource: datasourceRef(datasource),
      tenants,
      resolveInheritance: options.resolve,
      records,
      ...(nextCursor !== undefined ? { nextCursor } : {}),
      total: total ?? 0,
      pages,
      interrupted,
    };
    out.result(result);
    return exitCode;
  });
}
