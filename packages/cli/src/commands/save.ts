/**
 * `metasource save FILE`: creates or changes one item. FILE holds a
 * MetadataRecordWrite (JSON, or YAML by its .yaml/.yml extension): the key,
 * the payload and the envelope fields to set. The save goes through the
 * store's `save`, with --on-conflict (default update, the protocol's) and
 * --expected-version for optimistic concurrency: the save applies only if
 * the item is stored with that version. A mismatch is refused with the
 * typed version_conflict (expected and actual version) and exit 4; nothing
 * is written.
 *
 * The file is checked before the store is opened, each problem at its line
 * and column. A file may carry `expectedVersion` itself (a MetadataRecordWrite
 * field): it is then the save's expected version, and a --expected-version
 * that says otherwise is a problem, not silently one or the other.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  MetadataRecordWriteSchema,
  MetadataSaveOptionsSchema,
  type MetadataConflictStrategy,
  type MetadataRecordWrite,
  type MetadataSaveOptionsInput,
  type MetadataStoreError,
} from '@metasource/spec';
import { displayPath } from '../config';
import { datasourceRef } from '../database';
import { CliError, exitCodeOf, isStoreFailure, usageError, type Problem } from '../errors';
import { EXIT } from '../exit-codes';
import { plural } from '../output';
import { keyString } from '../records/tree';
import type { SaveResult } from '../results';
import { operatorContext, withStore } from '../store';
import { issuesToProblems, syntaxProblem } from '../text/problems';
import { TextSyntaxProblem, formatOfFile, parseText, type LocatedText } from '../text/source-text';
import type { CommandContext, CommandOutcome } from './context';

export interface SaveOptions {
  expectedVersion?: number;
  onConflict: MetadataConflictStrategy;
  tenant?: string;
  dryRun: boolean;
}

/** The store errors a save reports as its outcome (the item was refused), rather than as a failed run. */
const REFUSALS: ReadonlySet<MetadataStoreError['code']> = new Set(['version_conflict', 'already_exists', 'not_found']);

function invalidFile(display: string, problems: Problem[], what = 'is not a valid MetadataRecordWrite'): CliError {
  return new CliError(`${display} ${what} (${plural(problems.length, 'problem')})`, {
    exitCode: EXIT.failed,
    code: 'invalid_files',
    hint: 'the file holds one item to save: its key (type, name, namespace, scope, owner, tenantId), payload and envelope fields (docs/reference/metadata-record-write.md)',
    problems,
  });
}

/** Reads and checks the file as a MetadataRecordWrite. */
async function readWrite(cwd: string, file: string): Promise<{ write: MetadataRecordWrite; text: LocatedText; display: string }> {
  const path = resolve(cwd, file);
  const display = displayPath(cwd, path);
  let content: string;
  try {
    content = new TextDecoder('utf-8', { fatal: true }).decode(await readFile(path));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string')
      throw usageError(`${file} cannot be read (${code})`, 'name a JSON or YAML file holding one MetadataRecordWrite');
    throw invalidFile(display, [{ file: display, path: '', message: 'the file is not UTF-8 text', severity: 'error' }]);
  }
  let text: LocatedText;
  try {
    text = parseText(content, formatOfFile(path));
  } catch (error) {
    if (error instanceof TextSyntaxProblem) throw invalidFile(display, [syntaxProblem(error, display)]);
    throw error;
  }
  const parsed = MetadataRecordWriteSchema.safeParse(text.value);
  if (!parsed.success) throw invalidFile(display, issuesToProblems(parsed.error.issues, text, display));
  return { write: parsed.data, text, display };
}

/** A problem at a field of the file. */
function fieldProblem(text: LocatedText, display: string, field: string, message: string): Problem {
  const position = text.locate([field]);
  return { file: display, line: position.line, column: position.column, path: field, message, severity: 'error' };
}

/** The outcome of a save that was written (or, in a dry run, would be), as one line. */
function savedLine(key: string, saved: NonNullable<SaveResult['saved']>): string {
  const change =
    saved.status === 'updated' || saved.status === 'replaced'
      ? `${saved.status}, version ${saved.previousVersion} -> ${saved.version}`
      : `${saved.status}, version ${saved.version}`;
  switch (saved.status) {
    case 'created':
    case 'updated':
    case 'replaced':
      return saved.dryRun ? `Dry run: ${key} would be ${change}; nothing was written.` : `Saved ${key}: ${change}.`;
    case 'unchanged':
      return `Unchanged: ${key} is stored with this content already (version ${saved.version}); nothing was written.`;
    case 'skipped':
      return `Skipped: ${key} is stored (version ${saved.version}) and --on-conflict is skip; nothing was written.`;
  }
}

/** A refused save, typed, as the lines that explain it. */
function refusalLines(key: string, error: MetadataStoreError, expectedVersion: number | undefined): string[] {
  switch (error.code) {
    case 'version_conflict':
      return [
        `Refused: version_conflict: ${key} is stored with version ${error.actualVersion}; this save expected version ${error.expectedVersion}.`,
        `  expected version  ${error.expectedVersion}`,
        `  actual version    ${error.actualVersion}`,
        'Nothing was written.',
        `hint: someone saved it since version ${error.expectedVersion} was read: read it again (metasource query), apply the change to version ${error.actualVersion}, and save with --expected-version ${error.actualVersion}`,
      ];
    case 'already_exists':
      return [
        `Refused: already_exists: ${key} is stored already (version ${error.actualVersion}, id ${error.existingId}).`,
        'Nothing was written.',
        'hint: --on-conflict update merges the payload into it, replace replaces it, skip leaves it',
      ];
    case 'not_found':
      return [
        `Refused: not_found: ${key} is not stored${expectedVersion !== undefined ? `, so there is no version ${expectedVersion} to save over` : ''}.`,
        'Nothing was written.',
        'hint: leave out --expected-version (and expectedVersion in the file) to create it',
      ];
    default:
      return [`Refused: ${error.code}: ${error.message}`, 'Nothing was written.'];
  }
}

export async function runSave(ctx: CommandContext, file: string, options: SaveOptions): CommandOutcome {
  const { io, out } = ctx;
  const { write: read, text, display } = await readWrite(io.cwd, file);
  const { expectedVersion: fileVersion, ...write } = read;
  if (fileVersion !== undefined && options.expectedVersion !== undefined && fileVersion !== options.expectedVersion) {
    throw invalidFile(
      display,
      [
        fieldProblem(
          text,
          display,
          'expectedVersion',
          `is ${fileVersion}, but --expected-version says ${options.expectedVersion}; give the expected version once, or the same in both`,
        ),
      ],
      'disagrees with the command line',
    );
  }
  const expectedVersion = options.expectedVersion ?? fileVersion;
  if (options.tenant !== undefined && write.tenantId !== undefined && write.tenantId !== options.tenant) {
    throw invalidFile(
      display,
      [fieldProblem(text, display, 'tenantId', `is ${write.tenantId}, but --tenant says ${options.tenant}; a save writes one tenant`)],
      'disagrees with the command line',
    );
  }
  const tenantId = write.tenantId ?? options.tenant;
  if (tenantId === undefined) {
    throw usageError(
      `${display} names no tenantId, and no --tenant was given`,
      'name the tenant to write: tenantId in the file, or --tenant',
    );
  }
  const operator = ctx.operator([tenantId]);
  const saveOptions: MetadataSaveOptionsInput = {
    onConflict: options.onConflict,
    ...(expectedVersion !== undefined ? { expectedVersion } : {}),
    dryRun: options.dryRun,
  };
  const checked = MetadataSaveOptionsSchema.safeParse(saveOptions);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw usageError(
      `--on-conflict ${options.onConflict} with an expected version: ${issue.message}`,
      'an expected version names a stored version to overwrite: use --on-conflict update or replace',
    );
  }
  const item = { ...write, tenantId };
  const key = keyString({
    tenantId,
    type: write.type,
    namespace: write.namespace,
    scope: write.scope,
    ...(write.owner !== undefined ? { owner: write.owner } : {}),
    name: write.name,
  });
  const loaded = await ctx.config();
  return withStore(loaded.config, ctx.global.datasource, io.env, async ({ store, datasource }) => {
    const base = {
      datasource: datasourceRef(datasource),
      file: display,
      key,
      tenantId,
      onConflict: options.onConflict,
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      dryRun: options.dryRun,
    };
    try {
      const saved = await store.save(operatorContext(operator, [tenantId]), item, saveOptions);
      out.line(savedLine(key, saved));
      const result: SaveResult = { command: 'save', exitCode: EXIT.ok, ...base, saved };
      out.result(result);
      return EXIT.ok;
    } catch (error) {
      if (!isStoreFailure(error) || !REFUSALS.has(error.error.code)) throw error;
      const exitCode = exitCodeOf(error.error);
      for (const line of refusalLines(key, error.error, expectedVersion)) out.line(line);
      const result: SaveResult = { command: 'save', exitCode, ...base, error: error.error };
      out.result(result);
      return exitCode;
    }
  });
}
