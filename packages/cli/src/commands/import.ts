/**
 * `metasource import SOURCE`: writes the records of a JSON Lines file or a
 * METADATA_FILE_LAYOUT tree (records, or plain payloads with --format
 * payload) into the store.
 *
 * The source is read twice. The first pass checks every record (syntax and
 * schema, each problem at its file, line and column) and collects the
 * tenants; a source with any problem writes nothing. The second pass
 * streams the records into the store's import:
 *
 * - by default per batch: each batch of --batch-size records is one store
 *   import (one transaction) and commits on its own, so memory stays flat
 *   and an interruption leaves whole batches only;
 * - --atomic: one transaction for everything (refused up front where the
 *   store cannot give it), rolled back at the first failure;
 * - --dry-run: what an import would do (created, updated, skipped, the
 *   conflicts), every item checked, nothing written.
 *
 * Ctrl-C stops reading: the running batch finishes (or the atomic import,
 * not yet writing, never starts), the report says what is committed, and
 * the exit code is 130.
 */
import {
  MetadataImportOptionsSchema,
  type MetadataConflictStrategy,
  type MetadataOperationResult,
  type MetadataRecord,
} from '@metasource/spec';
import { datasourceRef } from '../database';
import { CliError, exitCodeOf, formatProblem, hintFor, isStoreFailure, usageError, type Problem } from '../errors';
import { EXIT, type ExitCode } from '../exit-codes';
import { breathe, formatDuration, grouped, plural, type Progress } from '../output';
import { formatLocation, readRecords, type RecordFileSource, type TreeFormat } from '../records/read';
import { fileSource } from '../records/source';
import { keyString } from '../records/tree';
import type { ImportCounts, ImportResult } from '../results';
import { MAX_CONTEXT_TENANTS, byCodePoint, operatorContext, withStore, type Operator } from '../store';
import type { CommandContext, CommandOutcome } from './context';

export interface ImportOptions {
  format: TreeFormat;
  dryRun: boolean;
  atomic: boolean;
  onConflict: MetadataConflictStrategy;
  batchSize?: number;
  continueOnError: boolean;
  preserveVersions: boolean;
  tenant: string[];
}

/** Thrown from the record stream when Ctrl-C stops the reading. */
class Interrupted extends Error {
  override readonly name = 'Interrupted';
}

/** Failure codes that mean a stored item was in the way: exit 4. */
const CONFLICT_CODES: ReadonlySet<string> = new Set(['already_exists', 'version_conflict']);

function emptyCounts(): ImportCounts {
  return { created: 0, updated: 0, replaced: 0, skipped: 0, unchanged: 0, failed: 0, notAttempted: 0 };
}

/** What pass 1 found. */
interface Checked {
  records: number;
  tenants: Set<string>;
  problems: Problem[];
  warnings: Problem[];
}

/** Pass 1: every record checked, tenants collected; records of a tenant outside --tenant are problems. */
async function check(source: RecordFileSource, operator: Operator, progress: Progress, signal?: AbortSignal): Promise<Checked> {
  const checked: Checked = { records: 0, tenants: new Set(), problems: [], warnings: [] };
  const allowed = operator.tenants.length > 0 ? new Set(operator.tenants) : undefined;
  for await (const item of readRecords(source, signal)) {
    if (item.kind === 'invalid') {
      checked.problems.push(...item.problems);
      continue;
    }
    checked.warnings.push(...item.warnings);
    if (allowed && !allowed.has(item.record.tenantId)) {
      checked.problems.push({
        file: item.location.file,
        ...(item.location.line !== undefined ? { line: item.location.line, column: 1 } : {}),
        path: 'tenantId',
        message: `tenant ${item.record.tenantId} is not among the --tenant values (${operator.tenants.join(', ')})`,
        severity: 'error',
      });
      continue;
    }
    checked.records += 1;
    checked.tenants.add(item.record.tenantId);
    progress.set(checked.records);
    if (checked.records % 1000 === 0) await breathe();
  }
  return checked;
}

/** One record on its way to the store, with what the report needs to name it. */
interface Pending {
  record: MetadataRecord;
  location: string;
}

/** The report of one store import, added to the running totals; returns whether the store stopped at a failure. */
function tally(
  result: MetadataOperationResult,
  batch: readonly Pending[],
  offset: number,
  counts: ImportCounts,
  failures: ImportResult['failures'],
): { stopped: boolean; written: number } {
  let stopped = false;
  let written = 0;
  for (const item of result.items) {
    switch (item.status) {
      case 'created':
      case 'updated':
      case 'replaced':
        counts[item.status] += 1;
        written += 1;
        break;
      case 'skipped':
      case 'unchanged':
        counts[item.status] += 1;
        break;
      case 'not_attempted':
        counts.notAttempted += 1;
        stopped = true;
        break;
      case 'failed': {
        counts.failed += 1;
        const pending = batch[item.index]!;
        failures.push({ index: offset + item.index, location: pending.location, key: keyString(pending.record), error: item.error! });
        break;
      }
      case 'deleted':
        break;
    }
  }
  return { stopped, written };
}

export async function runImport(ctx: CommandContext, sourcePath: string, options: ImportOptions): CommandOutcome {
  const { io, out } = ctx;
  if (options.atomic && options.continueOnError) {
    throw usageError(
      '--atomic and --continue-on-error exclude each other',
      'an atomic import stops at the first failure and writes nothing',
    );
  }
  if (options.preserveVersions && options.onConflict !== 'error' && options.onConflict !== 'skip') {
    throw usageError(
      '--preserve-versions needs --on-conflict error or skip',
      'overwriting a stored item with an imported version could move its version backwards',
    );
  }
  const parsedOptions = MetadataImportOptionsSchema.safeParse({
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
  });
  if (!parsedOptions.success) throw usageError(`--batch-size: ${parsedOptions.error.issues[0]!.message}`);
  const batchSize = parsedOptions.data.batchSize;
  const operator = ctx.operator(options.tenant);
  const source = fileSource(io.cwd, sourcePath, options.format);
  if (source.kind !== 'jsonl' && source.kind !== 'tree')
    throw usageError(`${sourcePath}: import reads a JSON Lines file or a directory tree`);
  const loaded = await ctx.config();
  const started = Date.now();

  return withStore(loaded.config, ctx.global.datasource, io.env, async ({ store, datasource, target }) => {
    if (options.atomic && !store.profile.atomicImport) {
      throw new CliError(`${target} cannot import in one transaction, so --atomic is refused before anything is read`, {
        exitCode: EXIT.failed,
        code: 'unsupported_capability',
        hint: 'import without --atomic: each batch then commits on its own',
      });
    }
    const base = {
      command: 'import' as const,
      datasource: datasourceRef(datasource),
      source: { path: source.display, kind: source.kind, ...(source.kind === 'tree' ? { format: source.format } : {}) },
      dryRun: options.dryRun,
      atomic: options.atomic,
      onConflict: options.onConflict,
      batchSize,
    };
    const mode = options.dryRun ? 'a dry run' : options.atomic ? 'one transaction' : `batches of ${grouped(batchSize)}`;
    out.line(`Import of ${source.display} into ${target} (${mode}, on conflict: ${options.onConflict})`);

    // Pass 1: check everything before anything is written.
    const checking = out.progress('import: checking', 'records');
    let checked: Checked;
    try {
      checked = await check(source, operator, checking, io.signal);
    } finally {
      checking.finish();
    }
    const finish = (exitCode: ExitCode, fields: Partial<ImportResult>, lines: string[]): ExitCode => {
      for (const line of lines) out.line(line);
      const result: ImportResult = {
        ...base,
        exitCode,
        read: checked.records,
        counts: emptyCounts(),
        committedRecords: 0,
        committedBatches: 0,
        interrupted: false,
        failures: [],
        problems: [],
        warnings: checked.warnings,
        durationMs: Date.now() - started,
        ...fields,
      };
      out.result(result);
      return exitCode;
    };
    for (const warning of checked.warnings) out.line(formatProblem(warning));
    if (ctx.interrupted) {
      return finish(EXIT.interrupted, { interrupted: true }, ['Interrupted while checking the source: nothing was written.']);
    }
    if (checked.problems.length > 0) {
      return finish(EXIT.failed, { problems: checked.problems }, [
        ...checked.problems.map(formatProblem),
        `${source.display}: ${plural(checked.problems.length, 'problem')}; nothing was imported. Fix them (\`metasource validate ${source.display}\` checks again).`,
      ]);
    }

    // The call context: the --tenant values, or every tenant of the store and of the records.
    const recordTenants = [...checked.tenants].sort(byCodePoint);
    const contextTenants =
      operator.tenants.length > 0 ? operator.tenants : [...new Set([...(await store.tenants()), ...recordTenants])].sort(byCodePoint);
    const wholeContext = contextTenants.length <= MAX_CONTEXT_TENANTS ? contextTenants : undefined;
    if (!wholeContext && (options.atomic || options.dryRun)) {
      throw new CliError(
        `the records belong to ${grouped(recordTenants.length)} tenants; one call context names at most ${MAX_CONTEXT_TENANTS}`,
        {
          exitCode: EXIT.failed,
          code: 'too_many_tenants',
          hint: 'import the tenants in groups (--tenant), or without --atomic and --dry-run',
        },
      );
    }
    const importOptions = {
      onConflict: options.onConflict,
      batchSize,
      preserveVersions: options.preserveVersions,
    };
    const counts = emptyCounts();
    const failures: ImportResult['failures'] = [];
    const total = checked.records;

    if (options.atomic || options.dryRun) {
      // One store call: the store reads the stream to its end, then writes it in one transaction (or checks it, dry run).
      const pendings: Pending[] = [];
      const progress = out.progress(options.dryRun ? 'import: checking against the store' : 'import: reading', 'records', total);
      let reading = true;
      async function* stream(): AsyncGenerator<MetadataRecord> {
        for await (const item of readRecords(source, io.signal)) {
          if (ctx.interrupted) throw new Interrupted('interrupted while reading');
          if (item.kind === 'invalid') {
            throw new CliError(
              `${formatLocation(item.location)} changed while it was imported: ${item.problems[0]?.message ?? 'invalid'}`,
              {
                exitCode: EXIT.failed,
                code: 'source_changed',
                problems: item.problems,
              },
            );
          }
          pendings.push({ record: item.record, location: formatLocation(item.location) });
          progress.set(pendings.length);
          if (pendings.length % 1000 === 0) await breathe();
          yield item.record;
        }
        if (ctx.interrupted) throw new Interrupted('interrupted while reading');
        reading = false;
        if (!options.dryRun) progress.phase(`import: writing ${plural(pendings.length, 'record')} in one transaction`);
      }
      let result: MetadataOperationResult;
      try {
        result = await store.import(operatorContext(operator, wholeContext!), stream(), {
          ...importOptions,
          dryRun: options.dryRun,
          atomic: !options.dryRun,
          continueOnError: options.dryRun,
        });
      } catch (error) {
        progress.finish();
        if (error instanceof Interrupted || (reading && ctx.interrupted)) {
          return finish(EXIT.interrupted, { interrupted: true }, [
            options.dryRun
              ? 'Interrupted: the dry run stopped; nothing was written.'
              : 'Interrupted before the atomic import began writing: nothing was written.',
          ]);
        }
        if (!isStoreFailure(error)) throw error;
        const hint = hintFor(error.error, target);
        return finish(
          exitCodeOf(error.error),
          { error: { code: error.error.code, message: error.error.message, ...(hint ? { hint } : {}) } },
          [
            `The store refused the import: ${error.error.code}: ${error.error.message}`,
            ...(hint ? [`hint: ${hint}`] : []),
            'Nothing was written.',
          ],
        );
      }
      progress.finish();
      const { written } = tally(result, pendings, 0, counts, failures);
      const committed = result.committed && !options.dryRun;
      const interrupted = ctx.interrupted;
      const conflicts = failures.some((failure) => CONFLICT_CODES.has(failure.error.code));
      const exitCode = interrupted ? EXIT.interrupted : conflicts ? EXIT.conflict : failures.length > 0 ? EXIT.failed : EXIT.ok;
      const outcome = options.dryRun
        ? 'Dry run: nothing was written; the counts say what an import would do.'
        : committed
          ? `Committed: ${plural(written, 'record')} written in one transaction.`
          : 'Nothing was committed: the atomic import rolled back at the first failure.';
      return finish(
        exitCode,
        {
          counts,
          failures,
          committedRecords: committed ? written : 0,
          committedBatches: committed ? 1 : 0,
          interrupted,
        },
        [
          ...report(counts, failures, source.kind === 'tree'),
          outcome,
          ...(interrupted ? ['Ctrl-C came after the transaction had started; it ran to its end as reported above.'] : []),
          `(${formatDuration(Date.now() - started)})`,
        ],
      );
    }

    // Batch by batch: each batch one store import, committed on its own.
    const progress = out.progress('import', 'records', total);
    let processed = 0;
    let committedRecords = 0;
    let committedBatches = 0;
    let stopped = false;
    let refusedAt: { first: string; last: string } | undefined;
    let refusedExit: ExitCode | undefined;
    let batch: Pending[] = [];
    let batchTenants = new Set<string>();
    let refused: ImportResult['error'];
    const flush = async () => {
      if (batch.length === 0) return;
      const tenants = wholeContext ?? [...batchTenants].sort(byCodePoint);
      let result: MetadataOperationResult;
      try {
        result = await store.import(
          operatorContext(operator, tenants),
          batch.map((pending) => pending.record),
          { ...importOptions, atomic: false, continueOnError: options.continueOnError, dryRun: false },
        );
      } catch (error) {
        if (!isStoreFailure(error)) throw error;
        // The store refused the whole batch: it wrote none of it; the batches before it stay committed.
        const hint = hintFor(error.error, target);
        refused = { code: error.error.code, message: error.error.message, ...(hint ? { hint } : {}) };
        refusedAt = { first: batch[0]!.location, last: batch[batch.length - 1]!.location };
        refusedExit = exitCodeOf(error.error);
        stopped = true;
        return;
      }
      const outcome = tally(result, batch, processed, counts, failures);
      processed += batch.length;
      committedRecords += outcome.written;
      if (result.committed && outcome.written > 0) committedBatches += 1;
      stopped = outcome.stopped;
      batch = [];
      batchTenants = new Set();
      progress.set(processed);
    };
    try {
      for await (const item of readRecords(source, io.signal)) {
        if (ctx.interrupted || stopped) break;
        if (item.kind === 'invalid') {
          throw new CliError(`${formatLocation(item.location)} changed while it was imported: ${item.problems[0]?.message ?? 'invalid'}`, {
            exitCode: EXIT.failed,
            code: 'source_changed',
            problems: item.problems,
          });
        }
        if (!wholeContext && !batchTenants.has(item.record.tenantId) && batchTenants.size === MAX_CONTEXT_TENANTS) await flush();
        batch.push({ record: item.record, location: formatLocation(item.location) });
        batchTenants.add(item.record.tenantId);
        if (batch.length >= batchSize) {
          await flush();
          await breathe();
          if (ctx.interrupted || stopped) break;
        }
      }
      if (!ctx.interrupted && !stopped) await flush();
    } finally {
      progress.finish();
    }
    const interrupted = ctx.interrupted && processed < total;
    counts.notAttempted += total - processed;
    const conflicts = failures.some((failure) => CONFLICT_CODES.has(failure.error.code));
    const exitCode: ExitCode = refusedExit
      ? refusedExit
      : interrupted
        ? EXIT.interrupted
        : conflicts
          ? EXIT.conflict
          : failures.length > 0
            ? EXIT.failed
            : EXIT.ok;
    const lines = [...report(counts, failures, source.kind === 'tree')];
    if (refused && refusedAt) {
      lines.push(
        `Stopped: the store refused the batch ${refusedAt.first} to ${refusedAt.last}: ${refused.code}: ${refused.message}`,
        ...(refused.hint ? [`hint: ${refused.hint}`] : []),
        `Committed before it: ${plural(committedRecords, 'record')} in ${plural(committedBatches, 'batch', 'batches')}; ${plural(total - processed, 'record')} from that batch on were not imported.`,
      );
    } else if (interrupted) {
      lines.push(
        `Interrupted: ${plural(committedRecords, 'record')} written in ${plural(committedBatches, 'committed batch', 'committed batches')} ` +
          `(whole batches of up to ${grouped(batchSize)}); ${plural(total - processed, 'record')} after them were not imported.`,
      );
    } else {
      if (stopped)
        lines.push(
          `Stopped at the first failure (--continue-on-error keeps going); ${plural(counts.notAttempted, 'record')} were not attempted.`,
        );
      lines.push(
        committedRecords === 0
          ? 'Nothing was written.'
          : `Committed: ${plural(committedRecords, 'record')} written in ${plural(committedBatches, 'batch', 'batches')} of up to ${grouped(batchSize)}.`,
      );
    }
    lines.push(`(${formatDuration(Date.now() - started)})`);
    return finish(
      exitCode,
      { counts, failures, committedRecords, committedBatches, interrupted, ...(refused ? { error: refused } : {}) },
      lines,
    );
  });
}

/** The counts and the failures, as the text report shows them; a tree file's path names its item, a line of JSON Lines does not. */
function report(counts: ImportCounts, failures: ImportResult['failures'], namedByPath: boolean): string[] {
  const rows: [string, number][] = [
    ['created', counts.created],
    ['updated', counts.updated],
    ['replaced', counts.replaced],
    ['skipped', counts.skipped],
    ['unchanged', counts.unchanged],
    ['failed', counts.failed],
    ['not attempted', counts.notAttempted],
  ];
  const width = Math.max(...rows.map(([, value]) => grouped(value).length));
  const lines = rows.map(([label, value]) => `  ${label.padEnd(14)}${grouped(value).padStart(width)}`);
  if (failures.length > 0) {
    lines.push('failures:');
    for (const failure of failures) {
      const error = failure.error;
      const detail = error.code === 'already_exists' ? ` (stored id ${error.existingId})` : '';
      lines.push(`  ${failure.location}${namedByPath ? '' : ` ${failure.key}`}: ${error.code}: ${error.message}${detail}`);
    }
  }
  return lines;
}
