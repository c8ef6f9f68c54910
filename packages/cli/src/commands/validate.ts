/**
 * `metasource validate [FILES...]`: checks configuration files
 * (MetasourceConfig) and metadata files (JSON Lines of records, a single
 * record in JSON or YAML, or a METADATA_FILE_LAYOUT tree) against the
 * schemas, without touching a database. Each problem is printed as
 * `file:line:column path message`; the exit code is 1 when any file is
 * invalid. Without FILES, the config file is checked.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { checkConfigText, displayPath, findConfigFile } from '../config';
import { formatProblem, usageError, type Problem } from '../errors';
import { EXIT } from '../exit-codes';
import { grouped, plural } from '../output';
import { readRecords, type RecordFileSource, type TreeFormat } from '../records/read';
import type { ValidateResult } from '../results';
import { TextSyntaxProblem, formatOfFile, parseText } from '../text/source-text';
import type { CommandContext, CommandOutcome } from './context';

export interface ValidateOptions {
  format: TreeFormat;
}

type FileReport = ValidateResult['files'][number];

const RECORDS_FILE = /\.(jsonl|ndjson)$/i;
const CONFIG_NAME = /^metasource\.(json|ya?ml)$/i;

/** Whether a parsed value is a config rather than a record: it has the keys only a config has. */
function looksLikeConfig(value: unknown, file: string): boolean {
  if (CONFIG_NAME.test(basename(file))) return true;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return 'datasources' in value || ('metadata' in value && !('payload' in value));
}

async function checkRecordsSource(source: RecordFileSource, kind: FileReport['kind'], signal?: AbortSignal): Promise<FileReport> {
  const problems: Problem[] = [];
  let records = 0;
  for await (const item of readRecords(source, signal)) {
    if (item.kind === 'record') {
      records += 1;
      problems.push(...item.warnings);
    } else {
      problems.push(...item.problems);
    }
  }
  return { file: source.display, kind, valid: !problems.some((p) => p.severity === 'error'), records, problems };
}

async function checkFile(cwd: string, file: string, format: TreeFormat, signal?: AbortSignal): Promise<FileReport> {
  const path = resolve(cwd, file);
  const display = displayPath(cwd, path);
  if (statSync(path).isDirectory()) return checkRecordsSource({ kind: 'tree', path, display, format }, 'tree', signal);
  if (RECORDS_FILE.test(path)) return checkRecordsSource({ kind: 'jsonl', path, display }, 'records', signal);
  const text = await readFile(path, 'utf8');
  let value: unknown;
  let parsed = true;
  try {
    value = parseText(text, formatOfFile(path)).value;
  } catch (error) {
    if (!(error instanceof TextSyntaxProblem)) throw error;
    parsed = false;
  }
  if (looksLikeConfig(value, path) || (!parsed && CONFIG_NAME.test(basename(path)))) {
    const checked = checkConfigText(text, path, display);
    return { file: display, kind: 'config', valid: checked.problems.length === 0, records: 0, problems: checked.problems };
  }
  return checkRecordsSource({ kind: 'file', path, display }, 'record', signal);
}

export async function runValidate(ctx: CommandContext, files: string[], options: ValidateOptions): CommandOutcome {
  const { io, out } = ctx;
  const targets = files.length > 0 ? files : [findConfigFile(io.cwd, ctx.global.config)];
  for (const file of targets) {
    if (!existsSync(resolve(io.cwd, file))) throw usageError(`${file} does not exist`, 'name existing files or directories');
  }
  const reports: FileReport[] = [];
  for (const file of targets) {
    if (ctx.interrupted) break;
    const report = await checkFile(io.cwd, file, options.format, io.signal);
    reports.push(report);
    for (const problem of report.problems) out.line(formatProblem(problem));
  }
  const errors = reports.reduce((sum, report) => sum + report.problems.filter((p) => p.severity === 'error').length, 0);
  const warnings = reports.reduce((sum, report) => sum + report.problems.filter((p) => p.severity === 'warning').length, 0);
  const invalid = reports.filter((report) => !report.valid).length;
  const exitCode = ctx.interrupted ? EXIT.interrupted : errors > 0 ? EXIT.failed : EXIT.ok;
  const records = reports.reduce((sum, report) => sum + report.records, 0);
  out.line(
    `${plural(reports.length, 'file')} checked${records > 0 ? ` (${plural(records, 'record')})` : ''}: ` +
      `${grouped(reports.length - invalid)} valid, ${grouped(invalid)} invalid; ${plural(errors, 'error')}, ${plural(warnings, 'warning')}` +
      (ctx.interrupted ? '; interrupted before every file was checked' : ''),
  );
  const result: ValidateResult = { command: 'validate', exitCode, valid: errors === 0, files: reports, errors, warnings };
  out.result(result);
  return exitCode;
}
