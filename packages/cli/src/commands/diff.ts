/**
 * `metasource diff A B`: compares two sources of records, each a datasource
 * of the config, a JSON Lines export or a METADATA_FILE_LAYOUT tree. Items
 * are matched by identity key: an item only B has is added, one only A has
 * removed, one whose payload checksum or content envelope differs changed,
 * with a field-level diff as JSON Pointer paths. Exit 0 when the sources
 * are equal, 1 when they differ (as `git diff --exit-code`), so a pipeline
 * can gate on it. An entry of a file source that is not a valid record, and
 * an item a source holds twice, count as differences too.
 *
 * Memory: A's items are kept as key, checksum and where to read them again;
 * B is streamed against them; only changed items are read whole (again).
 */
import type { MetadataRecord } from '@metasource/spec';
import type { SqlStore } from '@metasource/store';
import type { LoadedConfig } from '../config';
import { differs, recordDifferences, showValue, summarize, type ItemSummary } from '../diff';
import { formatProblem, usageError, type Problem } from '../errors';
import { EXIT } from '../exit-codes';
import { breathe, plural } from '../output';
import { checksumOf } from '../records/checksum';
import { formatLocation, readRecords, rereadRecord, type RecordFileSource, type RecordLocation, type TreeFormat } from '../records/read';
import { relative, sep } from 'node:path';
import { fileSourceAt } from '../records/source';
import { keyFromTreePath, keyString } from '../records/tree';
import type { DiffResult } from '../results';
import { openDatasourceStore, operatorContext, tenantGroups, tenantsOf, type Operator } from '../store';
import type { CommandContext, CommandOutcome } from './context';

export interface DiffOptions {
  format: TreeFormat;
  tenant: string[];
}

/**
 * Where a source holds an item, as compact as it can be kept for every item
 * of A: a JSON Lines line as [line, byte offset, byte length], a tree file as
 * its path; a datasource needs none (the key finds the item).
 */
type ItemRef = readonly [number, number, number] | string | undefined;

/** One item as a source yields it. */
interface SourceItem {
  record: MetadataRecord;
  ref: ItemRef;
}

/** A side of the comparison. */
interface DiffSource {
  label: string;
  kind: DiffResult['a']['kind'];
  items(problems: Problem[], warnings: Problem[]): AsyncGenerator<SourceItem>;
  /** Where an item is, for the report: `file:line`, a tree file, `datasource NAME`. */
  locationOf(ref: ItemRef): string;
  /** The item again, whole (a changed item's field-level diff). */
  reread(key: string, ref: ItemRef): Promise<MetadataRecord | undefined>;
  close(): Promise<void>;
}

function fileDiffSource(source: RecordFileSource, tenants: ReadonlySet<string> | undefined, signal?: AbortSignal): DiffSource {
  const locationOf = (ref: ItemRef): RecordLocation =>
    typeof ref === 'string'
      ? { file: `${source.display.replace(/\/+$/, '')}/${relative(source.path, ref).split(sep).join('/')}`, path: ref }
      : ref
        ? { file: source.display, path: source.path, line: ref[0], offset: ref[1], length: ref[2] }
        : { file: source.display, path: source.path };
  return {
    label: source.display,
    kind: source.kind === 'tree' ? 'tree' : 'jsonl',
    async *items(problems, warnings) {
      for await (const item of readRecords(source, signal)) {
        if (item.kind === 'invalid') {
          problems.push(...item.problems);
          continue;
        }
        warnings.push(...item.warnings);
        if (tenants && !tenants.has(item.record.tenantId)) continue;
        const { line, offset, length, path } = item.location;
        const ref: ItemRef = line !== undefined && offset !== undefined && length !== undefined ? [line, offset, length] : path;
        yield { record: item.record, ref };
      }
    },
    locationOf: (ref) => formatLocation(locationOf(ref)),
    reread: (_key, ref) => rereadRecord(locationOf(ref), source),
    close: async () => undefined,
  };
}

async function datasourceDiffSource(ctx: CommandContext, config: LoadedConfig, name: string, operator: Operator): Promise<DiffSource> {
  const opened = await openDatasourceStore(config.config, name, ctx.io.env);
  const store: SqlStore = opened.store;
  const tenants = await tenantsOf(store, operator);
  return {
    label: `datasource ${name}`,
    kind: 'datasource',
    async *items() {
      for (const group of tenantGroups(tenants)) {
        for await (const record of store.export(operatorContext(operator, group), { includeArchived: true, includeAudit: false })) {
          if (ctx.interrupted) return;
          yield { record, ref: undefined };
        }
      }
    },
    locationOf: () => `datasource ${name}`,
    async reread(key) {
      const parsed = keyFromTreePath(`${key}.json`.split('/'));
      if ('error' in parsed) return undefined;
      return (await store.get(operatorContext(operator, [parsed.key.tenantId]), parsed.key, { useCache: false })) ?? undefined;
    },
    close: () => store.close(),
  };
}

/** What a command-line argument names: `datasource:NAME`, a path, or a datasource of the config. */
async function resolveSource(ctx: CommandContext, argument: string, options: DiffOptions, operator: Operator): Promise<DiffSource> {
  const tenants = operator.tenants.length > 0 ? new Set(operator.tenants) : undefined;
  if (argument.startsWith('datasource:'))
    return datasourceDiffSource(ctx, await ctx.config(), argument.slice('datasource:'.length), operator);
  const file = fileSourceAt(ctx.io.cwd, argument, options.format);
  const looksLikeName = /^[a-z][a-z0-9_]*$/.test(argument);
  if (file) {
    if (looksLikeName && !argument.includes('/')) {
      const config = await ctx.config().catch(() => undefined);
      if (config?.config.datasources.some((entry) => entry.name === argument)) {
        throw usageError(
          `${argument} is both a path and a datasource of the config`,
          `write ./${argument} for the path, or datasource:${argument} for the datasource`,
        );
      }
    }
    return fileDiffSource(file, tenants, ctx.io.signal);
  }
  if (looksLikeName) {
    const config = await ctx.config();
    if (config.config.datasources.some((entry) => entry.name === argument)) return datasourceDiffSource(ctx, config, argument, operator);
    throw usageError(
      `${argument} is neither a path nor a datasource of ${config.display}`,
      `its datasources are ${config.config.datasources.map((entry) => entry.name).join(', ')}`,
    );
  }
  throw usageError(`${argument} does not exist`, 'name a datasource of the config, a JSON Lines export or a directory tree');
}

/** What is kept of each item of A while B streams past. */
interface HeldItem extends ItemSummary {
  ref: ItemRef;
  /** Whether B has the item too, and where. */
  inB: boolean;
  refB?: ItemRef;
}

export async function runDiff(ctx: CommandContext, first: string, second: string, options: DiffOptions): CommandOutcome {
  const { out } = ctx;
  const operator = ctx.operator(options.tenant);
  const opened: DiffSource[] = [];
  try {
    const a = await resolveSource(ctx, first, options, operator);
    opened.push(a);
    const b = await resolveSource(ctx, second, options, operator);
    opened.push(b);
    const problems: Problem[] = [];
    const warnings: Problem[] = [];
    const progress = out.progress(`diff: reading ${a.label}`, 'records');

    // A: every item's key, checksum and envelope, and where it is.
    const held = new Map<string, HeldItem>();
    let countA = 0;
    for await (const item of a.items(problems, warnings)) {
      const key = keyString(item.record);
      countA += 1;
      progress.set(countA);
      if (countA % 500 === 0) await breathe();
      const previous = held.get(key);
      if (previous) {
        problems.push(duplicate(a, key, a.locationOf(previous.ref), a.locationOf(item.ref)));
        continue;
      }
      held.set(key, { ...summarize(item.record, checksumOf), ref: item.ref, inB: false });
    }

    // B, streamed against A.
    progress.phase(`diff: comparing ${b.label}`);
    const added: DiffResult['added'] = [];
    const addedRefs = new Map<string, ItemRef>();
    const candidates: { key: string; a: HeldItem; b: SourceItem; checksumB: string }[] = [];
    let countB = 0;
    for await (const item of b.items(problems, warnings)) {
      const key = keyString(item.record);
      countB += 1;
      progress.set(countB);
      if (countB % 500 === 0) await breathe();
      const inA = held.get(key);
      if (inA?.inB || (!inA && addedRefs.has(key))) {
        const first = b.locationOf(inA ? inA.refB : addedRefs.get(key));
        problems.push(duplicate(b, key, first, b.locationOf(item.ref)));
        continue;
      }
      if (!inA) {
        addedRefs.set(key, item.ref);
        added.push({ key, location: b.locationOf(item.ref) });
        continue;
      }
      inA.inB = true;
      inA.refB = item.ref;
      const summary = summarize(item.record, checksumOf);
      if (differs(inA, summary)) candidates.push({ key, a: inA, b: item, checksumB: summary.checksum });
    }
    progress.finish();
    const removed: DiffResult['removed'] = [...held.entries()]
      .filter(([, item]) => !item.inB)
      .map(([key, item]) => ({ key, location: a.locationOf(item.ref) }));

    // Changed items, read whole again for the field-level diff.
    const changed: DiffResult['changed'] = [];
    for (const candidate of candidates) {
      const before = await a.reread(candidate.key, candidate.a.ref);
      const differences = before ? recordDifferences(before, candidate.b.record) : [];
      if (differences.length === 0) {
        problems.push({
          file: a.label,
          path: '',
          message: `the item ${candidate.key} changed while the diff read it again (${a.locationOf(candidate.a.ref)}): run the diff again`,
          severity: 'error',
        });
        continue;
      }
      changed.push({
        key: candidate.key,
        a: { checksum: candidate.a.checksum, location: a.locationOf(candidate.a.ref) },
        b: { checksum: candidate.checksumB, location: b.locationOf(candidate.b.ref) },
        differences,
      });
    }
    const byKey = (x: { key: string }, y: { key: string }) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0);
    added.sort(byKey);
    removed.sort(byKey);
    changed.sort(byKey);

    const interrupted = ctx.interrupted;
    const equal = added.length === 0 && removed.length === 0 && changed.length === 0 && problems.length === 0;
    const exitCode = interrupted ? EXIT.interrupted : equal ? EXIT.ok : EXIT.failed;
    out.line(`--- A: ${a.label} (${plural(countA, 'record')})`);
    out.line(`+++ B: ${b.label} (${plural(countB, 'record')})`);
    for (const problem of [...problems, ...warnings]) out.line(`! ${formatProblem(problem)}`);
    for (const item of removed) out.line(`- ${item.key}  (only in A: ${item.location})`);
    for (const item of added) out.line(`+ ${item.key}  (only in B: ${item.location})`);
    for (const item of changed) {
      out.line(`~ ${item.key}`);
      for (const difference of item.differences)
        out.line(`    ${difference.path}: ${showValue(difference.before)} -> ${showValue(difference.after)}`);
    }
    out.line(
      interrupted
        ? 'Interrupted: the comparison is incomplete.'
        : equal
          ? 'No differences.'
          : `${plural(added.length + removed.length + changed.length, 'difference')}: ${added.length} added, ${removed.length} removed, ${changed.length} changed${problems.length > 0 ? `; ${plural(problems.length, 'problem')} in the sources` : ''}.`,
    );
    const result: DiffResult = {
      command: 'diff',
      exitCode,
      equal,
      a: { source: a.label, kind: a.kind, records: countA },
      b: { source: b.label, kind: b.kind, records: countB },
      added,
      removed,
      changed,
      problems,
      warnings,
    };
    out.result(result);
    return exitCode;
  } finally {
    for (const source of opened) await source.close().catch(() => undefined);
  }
}

function duplicate(source: DiffSource, key: string, first: string, second: string): Problem {
  return {
    file: source.label,
    path: '',
    message: `holds the item ${key} twice (${first} and ${second}): a source holds each item once`,
    severity: 'error',
  };
}
