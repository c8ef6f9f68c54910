/**
 * `metasource conformance MODULE`: runs the conformance kit against the
 * store a module makes. The module (a path, or a package name resolved
 * from the working directory) exports what ConformanceOptions take:
 * `newStore()` (a new, empty, opened store per call) and optionally
 * `secondClient(store)`, and may export `close()`, called once after the
 * run (to drop a test database, say). The Markdown report goes to --out FILE
 * or stdout; exit 1 when a MUST audit fails.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MetadataStore } from '@metasource/spec';
import { displayPath } from '../config';
import { CliError, usageError } from '../errors';
import { EXIT } from '../exit-codes';
import type { ConformanceCliResult } from '../results';
import type { CommandContext, CommandOutcome } from './context';

export interface ConformanceCliOptions {
  out?: string;
  name?: string;
  only: string[];
}

interface StoreModule {
  newStore: () => Promise<MetadataStore>;
  secondClient?: (store: MetadataStore) => Promise<MetadataStore>;
  close?: () => Promise<void> | void;
}

/** The URL to import for a module argument: a path (relative to the working directory) or a package resolved from there. */
function moduleUrl(cwd: string, specifier: string): string {
  const path = resolve(cwd, specifier);
  if (specifier.startsWith('.') || isAbsolute(specifier) || existsSync(path)) {
    if (!existsSync(path)) throw usageError(`the module ${specifier} does not exist`);
    return pathToFileURL(path).href;
  }
  try {
    return pathToFileURL(createRequire(join(cwd, 'package.json')).resolve(specifier)).href;
  } catch {
    return specifier;
  }
}

async function loadStoreModule(cwd: string, specifier: string): Promise<StoreModule> {
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(moduleUrl(cwd, specifier))) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`the module ${specifier} could not be loaded: ${error instanceof Error ? error.message : String(error)}`, {
      exitCode: EXIT.usage,
      code: 'invalid_module',
      hint: 'pass a JavaScript module (a path or an installed package) that exports newStore',
      cause: error,
    });
  }
  const exported = (
    loaded.default !== null && typeof loaded.default === 'object' && !('newStore' in loaded) ? loaded.default : loaded
  ) as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof exported.newStore !== 'function') problems.push('it exports no newStore function');
  if (exported.secondClient !== undefined && typeof exported.secondClient !== 'function')
    problems.push('its secondClient is not a function');
  if (exported.close !== undefined && typeof exported.close !== 'function') problems.push('its close is not a function');
  if (problems.length > 0) {
    throw new CliError(`the module ${specifier} cannot be audited: ${problems.join('; ')}`, {
      exitCode: EXIT.usage,
      code: 'invalid_module',
      hint: 'export newStore(): a new, empty, opened MetadataStore; optionally secondClient(store) and close()',
    });
  }
  return exported as unknown as StoreModule;
}

export async function runConformance(ctx: CommandContext, specifier: string, options: ConformanceCliOptions): CommandOutcome {
  const { io, out } = ctx;
  const kit = await import('@metasource/conformance');
  const selected = [...kit.audits]
    .filter((audit) => options.only.length === 0 || options.only.some((id) => audit.id === id || audit.id.startsWith(`${id}.`)))
    .sort(kit.compareAuditIds);
  if (selected.length === 0)
    throw usageError(`--only ${options.only.join(' ')} selects no audit`, 'name audits (R17.1) or requirements (R17)');
  const module = await loadStoreModule(io.cwd, specifier);
  const storeName = options.name ?? specifier;
  const reportPath = options.out !== undefined ? resolve(io.cwd, options.out) : undefined;
  const progress = out.progress('conformance', 'audits', selected.length);
  const results: Awaited<ReturnType<typeof kit.runAudit>>[] = [];
  try {
    for (const audit of selected) {
      if (ctx.interrupted) break;
      results.push(
        await kit.runAudit(audit, { newStore: module.newStore, ...(module.secondClient ? { secondClient: module.secondClient } : {}) }),
      );
      progress.set(results.length);
    }
  } finally {
    progress.finish();
    await module.close?.();
  }
  const run = { results, summary: kit.summarize(results) };
  const report = kit.renderReport(run, { storeName });
  const interrupted = ctx.interrupted && results.length < selected.length;
  if (reportPath) await writeFile(reportPath, report);
  else if (!out.json) io.stdout.write(report);
  const line = `${kit.summaryLine(run)}${interrupted ? ` (interrupted after ${results.length} of ${selected.length} audits)` : ''}`;
  if (reportPath) out.line(`${line}; report written to ${displayPath(io.cwd, reportPath)}`);
  else out.note(line);
  const exitCode = interrupted ? EXIT.interrupted : run.summary.errors > 0 ? EXIT.failed : EXIT.ok;
  const result: ConformanceCliResult = {
    command: 'conformance',
    exitCode,
    module: specifier,
    storeName,
    summary: run.summary,
    results: results.map((r) => ({
      id: r.id,
      requirement: r.requirement,
      level: r.level,
      title: r.title,
      outcome: r.outcome,
      ...(r.message !== undefined ? { message: r.message } : {}),
    })),
    ...(reportPath ? { report: displayPath(io.cwd, reportPath) } : {}),
    interrupted,
  };
  out.result(result);
  return exitCode;
}
