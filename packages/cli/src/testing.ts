/**
 * Helpers of the command's end-to-end tests (tests/cli-e2e-*.test.ts): run
 * the built binary as a child process, parse and validate its --json
 * result, write configs and record files. Not part of the package's entry
 * point: tests import it by path.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatasourceInput } from '@metasource/spec';
import type { z } from 'zod';
import { CliResultSchema } from './results';

/** The package directory, its built binary, and the repository's sample metadata tree. */
export const CLI_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(CLI_ROOT, 'dist', 'cli.js');
export const SAMPLE_TREE = join(CLI_ROOT, '..', '..', 'examples', 'metadata', 'tenants');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    // Tests and this file are not part of the build.
    if (entry.isFile() && (entry.name.endsWith('.test.ts') || entry.name === 'testing.ts')) continue;
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Fails unless dist/cli.js exists and is newer than every source file: the tests run the built binary. */
export function assertBuilt(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} does not exist: build it first (cd packages/cli && npx tsup)`);
  const sources = newestMtime(join(CLI_ROOT, 'src'));
  if (statSync(BIN).mtimeMs < sources) throw new Error(`${BIN} is older than packages/cli/src: rebuild it (cd packages/cli && npx tsup)`);
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

/** A running command: the child, what it wrote so far, and its end. */
export interface RunningCli {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  done: Promise<RunResult>;
}

/** Starts `metasource ARGS` (node dist/cli.js) in `cwd`; killed after timeoutMs (default 60 s). */
export function startCli(args: readonly string[], options: RunOptions): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const done = new Promise<RunResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, output: () => ({ stdout, stderr }), done };
}

/** Runs `metasource ARGS` to its end. */
export function runCli(args: readonly string[], options: RunOptions): Promise<RunResult> {
  return startCli(args, options).done;
}

/**
 * The --json result of a run: the last line of stdout, which must be one
 * JSON object valid against CliResultSchema and against `schema`, with the
 * exit code the process ended with.
 */
export function jsonResult<S extends z.ZodType>(run: RunResult, schema: S): z.output<S> {
  const lines = run.stdout.split('\n').filter((line) => line.trim() !== '');
  const last = lines[lines.length - 1];
  if (last === undefined) throw new Error(`no JSON result on stdout; stderr: ${run.stderr}`);
  const value: unknown = JSON.parse(last);
  CliResultSchema.parse(value);
  const result = schema.parse(value) as z.output<S> & { exitCode: number };
  if (result.exitCode !== run.code) throw new Error(`the result says exit code ${result.exitCode}, the process exited with ${run.code}`);
  return result;
}

/** Writes a metasource.json with one datasource (named as the datasource entry says) and its metadata driver. */
export function writeConfig(
  dir: string,
  datasource: DatasourceInput,
  metadata: Record<string, unknown> = {},
  file = 'metasource.json',
): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  const config = {
    $schema: './node_modules/@metasource/spec/json-schema/input/metasource-config.json',
    datasources: [datasource],
    metadata: { datasource: datasource.name, ...metadata },
  };
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}

/** Writes `count` small records as JSON Lines, spread over `tenants`, names `item_<n>`. */
export function writeRecords(path: string, count: number, tenants: readonly string[] = ['acme', 'globex']): void {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(
      JSON.stringify({
        tenantId: tenants[i % tenants.length],
        type: i % 3 === 0 ? 'view' : 'object',
        namespace: 'bulk',
        name: `item_${i}`,
        payload: {
          label: `Item ${i}`,
          fields: { name: { type: 'text', required: true }, amount: { type: 'currency', scale: 2 } },
          rank: i,
        },
        tags: ['bulk'],
      }),
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** Waits until `check` holds, polling every 20 ms, up to timeoutMs. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Rows of a table of a SQLite file, read by a connection of its own (read-only); 0 when the file or table does not exist. */
export function sqliteRowCount(file: string, table: string): number {
  if (!existsSync(file)) return 0;
  // The two calls needed here, typed by hand: the package's types are a dev dependency of the store, not of the command.
  const Database = createRequire(import.meta.url)('better-sqlite3') as new (
    file: string,
    options: { readonly: boolean; fileMustExist: boolean },
  ) => { prepare(sql: string): { get(...params: unknown[]): unknown }; close(): void };
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const found = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
    return found ? (db.prepare(`SELECT count(*) AS n FROM "${table.replaceAll('"', '""')}"`).get() as { n: number }).n : 0;
  } finally {
    db.close();
  }
}
