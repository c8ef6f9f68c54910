/**
 * `metasource export`: streams every record the filters select (type,
 * namespace, scope, state; tenants with --tenant) to a JSON Lines file, to
 * stdout, or to a METADATA_FILE_LAYOUT tree, in the store's export order
 * (tenant, type, namespace, scope, owner, name: stable), each record with
 * its checksum and, unless --no-audit, its audit fields. Archived items are
 * exported too unless --exclude-archived: an export that dropped them would
 * not be the whole store. The store reads page by page and each record is
 * written before the next is read, so memory stays flat.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { MetadataQueryFiltersSchema, type MetadataQueryFiltersInput } from '@metasource/spec';
import { displayPath } from '../config';
import { datasourceRef } from '../database';
import { describePath, usageError } from '../errors';
import { EXIT } from '../exit-codes';
import { breathe, formatDuration, plural } from '../output';
import { jsonlFileSink, jsonlStreamSink, targetProblem, treeSink, type RecordSink } from '../records/write';
import type { ExportResult } from '../results';
import { operatorContext, tenantGroups, tenantsOf, withStore } from '../store';
import type { CommandContext, CommandOutcome } from './context';

export interface ExportOptions {
  out?: string;
  format?: 'jsonl' | 'tree';
  tenant: string[];
  type: string[];
  namespace: string[];
  scope: string[];
  state: string[];
  excludeArchived: boolean;
  audit: boolean;
  force: boolean;
}

const OPTION_OF_FILTER: Record<string, string> = { type: '--type', namespace: '--namespace', scope: '--scope', state: '--state' };

/** The filters of the options, checked as MetadataQueryFilters; a bad value is a usage error naming its option. */
export function exportFilters(options: Pick<ExportOptions, 'type' | 'namespace' | 'scope' | 'state'>): MetadataQueryFiltersInput {
  const filters: Record<string, string | string[]> = {};
  for (const field of ['type', 'namespace', 'scope', 'state'] as const) {
    const values = [...new Set(options[field])];
    if (values.length === 1) filters[field] = values[0]!;
    else if (values.length > 1) filters[field] = values;
  }
  const parsed = MetadataQueryFiltersSchema.safeParse(filters);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const option = OPTION_OF_FILTER[String(issue.path[0])] ?? describePath(issue.path);
    throw usageError(`${option}: ${issue.message}`, 'see `metasource export --help` for the values each filter takes');
  }
  return filters as MetadataQueryFiltersInput;
}

/** The format and target of an export: --format, or what the path says. */
function resolveTarget(ctx: CommandContext, options: ExportOptions): { format: 'jsonl' | 'tree'; path?: string; display: string } {
  if (options.out === undefined || options.out === '-') {
    if (options.format === 'tree') throw usageError('a tree export needs a directory', 'pass --out DIR');
    if (ctx.global.json) throw usageError('--json prints the result on stdout, where the records would go', 'pass --out FILE with --json');
    return { format: 'jsonl', display: '-' };
  }
  const path = resolve(ctx.io.cwd, options.out);
  let format = options.format;
  if (format === undefined) {
    if (/\.(jsonl|ndjson)$/i.test(path)) format = 'jsonl';
    else if (/[\\/]$/.test(options.out) || (existsSync(path) && statSync(path).isDirectory())) format = 'tree';
    else
      throw usageError(
        `cannot tell from ${options.out} whether to write a file or a directory`,
        'name a .jsonl file, or pass --format jsonl or --format tree',
      );
  }
  const problem = targetProblem(path, format, options.force);
  if (problem) throw usageError(`cannot export to ${options.out}: ${problem}`);
  return { format, path, display: displayPath(ctx.io.cwd, path) };
}

export async function runExport(ctx: CommandContext, options: ExportOptions): CommandOutcome {
  const { io, out } = ctx;
  const operator = ctx.operator(options.tenant);
  const filters = exportFilters(options);
  const target = resolveTarget(ctx, options);
  const loaded = await ctx.config();
  const started = Date.now();
  return withStore(loaded.config, ctx.global.datasource, io.env, async ({ store, datasource, target: where }) => {
    const tenants = await tenantsOf(store, operator);
    const exportOptions = { filters, includeArchived: !options.excludeArchived, includeAudit: options.audit };
    let total = 0;
    for (const group of tenantGroups(tenants)) {
      const page = await store.query(operatorContext(operator, group), {
        filters,
        includeArchived: exportOptions.includeArchived,
        pagination: { pageSize: 1 },
        includeTotal: true,
      });
      total += page.total ?? 0;
    }
    const sink: RecordSink =
      target.path === undefined
        ? jsonlStreamSink(io.stdout)
        : target.format === 'jsonl'
          ? jsonlFileSink(target.path)
          : treeSink(target.path);
    out.note(
      `Exporting ${plural(total, 'record')} of ${where} to ${target.display === '-' ? 'stdout' : target.display} (${target.format === 'jsonl' ? 'JSON Lines' : 'directory tree'})`,
    );
    const progress = out.progress('export', 'records', total);
    let records = 0;
    let interrupted = false;
    try {
      outer: for (const group of tenantGroups(tenants)) {
        for await (const record of store.export(operatorContext(operator, group), exportOptions)) {
          if (ctx.interrupted) {
            interrupted = true;
            break outer;
          }
          await sink.write(record);
          records += 1;
          progress.set(records);
          if (records % 500 === 0) await breathe();
        }
      }
      if (ctx.interrupted) interrupted = true;
      progress.finish();
      if (interrupted) await sink.abort();
      else await sink.commit();
    } catch (error) {
      progress.finish();
      await sink.abort();
      throw error;
    }
    const durationMs = Date.now() - started;
    const exitCode = interrupted ? EXIT.interrupted : EXIT.ok;
    if (interrupted) {
      const left =
        target.path === undefined
          ? 'the output on stdout is incomplete'
          : `nothing was written to ${target.display} (the partial export was removed)`;
      out.warn(`export interrupted after ${plural(records, 'record')}: ${left}`);
    } else {
      const summary = `Exported ${plural(records, 'record')} of ${plural(tenants.length, 'tenant')} to ${target.display === '-' ? 'stdout' : target.display} in ${formatDuration(durationMs)}.`;
      if (target.path === undefined) out.note(summary);
      else out.line(summary);
    }
    const result: ExportResult = {
      command: 'export',
      exitCode,
      datasource: datasourceRef(datasource),
      format: target.format,
      target: target.display,
      records,
      tenants,
      interrupted,
      durationMs,
    };
    out.result(result);
    return exitCode;
  });
}
