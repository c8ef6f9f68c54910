/**
 * `metasource migrate`: without --apply, prints the plan that brings the
 * tables to the config (or the steps of --steps FILE): every statement,
 * the steps that lose data, those that cannot be rolled back on this
 * database, and those that run outside a transaction; nothing is run.
 * `--apply` runs it under the migration lock. A step that loses data needs
 * --allow-data-loss, and the store backs its table up first (the backup is
 * a step of the plan).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MetadataMigrateOptionsSchema, type MetadataMigrateOptions, type MetadataMigrationPlan } from '@metasource/spec';
import { displayPath } from '../config';
import { connectDirect, directDatabase } from '../database';
import { CliError, fromStoreFailure, isStoreFailure, usageError } from '../errors';
import { EXIT } from '../exit-codes';
import { formatDuration, plural } from '../output';
import type { MigrateResult } from '../results';
import { describeOperation, migrateSchema, planMigration } from '../store-internals';
import { issuesToProblems, syntaxProblem } from '../text/problems';
import { TextSyntaxProblem, formatOfFile, parseText } from '../text/source-text';
import type { CommandContext, CommandOutcome } from './context';

export interface MigrateOptions {
  apply: boolean;
  allowDataLoss: boolean;
  steps?: string;
}

/** Reads explicit steps from a JSON or YAML file holding an array of MetadataMigrationOperations. */
async function readSteps(cwd: string, file: string): Promise<unknown[]> {
  const path = resolve(cwd, file);
  const display = displayPath(cwd, path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw usageError(`the steps file ${file} cannot be read`, 'pass a JSON or YAML file holding an array of migration operations');
  }
  let located;
  try {
    located = parseText(text, formatOfFile(path));
  } catch (error) {
    if (error instanceof TextSyntaxProblem) {
      throw new CliError(`the steps file ${display} is not valid ${formatOfFile(path).toUpperCase()}`, {
        exitCode: EXIT.failed,
        code: 'invalid_files',
        problems: [syntaxProblem(error, display)],
      });
    }
    throw error;
  }
  const parsed = MetadataMigrateOptionsSchema.safeParse({ steps: located.value });
  if (!parsed.success) {
    const problems = issuesToProblems(
      parsed.error.issues.map((issue) => ({ ...issue, path: issue.path.slice(1) })),
      located,
      display,
    );
    throw new CliError(`the steps file ${display} is invalid (${plural(problems.length, 'problem')})`, {
      exitCode: EXIT.failed,
      code: 'invalid_files',
      hint: 'each step is a MetadataMigrationOperation (docs/METADATA_DATASOURCE.md, MetadataMigrationOperation)',
      problems,
    });
  }
  return located.value as unknown[];
}

function printPlan(ctx: CommandContext, plan: MetadataMigrationPlan, warnings: readonly string[], target: string, applied: boolean): void {
  const { out } = ctx;
  if (plan.steps.length === 0) {
    out.line(`Nothing to migrate on ${target}: the tables match the config.`);
  } else {
    out.line(
      `Migration plan for ${target}: ${plural(plan.steps.length, 'step')}, ${
        plan.atomic ? 'atomic (one transaction: a failure leaves nothing applied)' : 'not atomic (each step commits as it runs)'
      }`,
    );
    for (const [index, step] of plan.steps.entries()) {
      const flags = [
        step.losesData ? 'LOSES DATA' : undefined,
        step.reversible ? undefined : 'cannot be rolled back on this database',
        step.transactional ? undefined : 'not transactional',
      ].filter((flag): flag is string => flag !== undefined);
      out.line('');
      out.line(`step ${index + 1}: ${describeOperation(step.operation)}${flags.length > 0 ? `  [${flags.join('; ')}]` : ''}`);
      for (const statement of step.statements) out.line(`  ${statement.replace(/\s*\n\s*/g, ' ')};`);
    }
  }
  if (warnings.length > 0) {
    out.line('');
    out.line('notes:');
    for (const warning of warnings) out.line(`  - ${warning}`);
  }
  if (plan.steps.length > 0) {
    out.line('');
    out.line(applied ? 'Applied.' : 'Dry run: nothing was run. `metasource migrate --apply` runs this plan under the migration lock.');
  }
}

export async function runMigrate(ctx: CommandContext, options: MigrateOptions): CommandOutcome {
  const { io, out } = ctx;
  const loaded = await ctx.config();
  const database = directDatabase(loaded.config, ctx.global.datasource);
  const steps = options.steps !== undefined ? await readSteps(io.cwd, options.steps) : undefined;
  const connection = await connectDirect(database, io.env);
  const started = Date.now();
  try {
    const { db, server } = connection;
    const dryRun: MetadataMigrateOptions = MetadataMigrateOptionsSchema.parse({
      dryRun: true,
      allowDataLoss: options.allowDataLoss,
      ...(steps ? { steps } : {}),
    });
    const plan = await migrateSchema(db, server, database.layout, database.settings, dryRun, 'operator', new Date());
    const { warnings } = await planMigration(db, server, database.layout, database.settings, dryRun);
    let finalPlan = plan;
    if (options.apply && plan.steps.length > 0) {
      const losing = plan.steps.filter((step) => step.losesData);
      if (losing.length > 0 && !options.allowDataLoss) {
        printPlan(ctx, plan, warnings, database.target, false);
        throw usageError(
          `${plural(losing.length, 'step')} of the plan can lose data (${losing.map((step) => describeOperation(step.operation)).join('; ')})`,
          'check the plan, then run again with --allow-data-loss (each such step is preceded by a backup of its table)',
        );
      }
      const progress = out.progress(`migrate: applying ${plural(plan.steps.length, 'step')}`, 'steps done', plan.steps.length);
      try {
        finalPlan = await migrateSchema(
          db,
          server,
          database.layout,
          database.settings,
          { ...dryRun, dryRun: false },
          'operator',
          new Date(),
        );
      } finally {
        progress.finish();
      }
    }
    const applied = finalPlan.applied;
    printPlan(ctx, finalPlan, warnings, database.target, applied);
    if (applied) out.line(`${plural(finalPlan.steps.length, 'step')} applied in ${formatDuration(Date.now() - started)}.`);
    const result: MigrateResult = {
      command: 'migrate',
      exitCode: EXIT.ok,
      datasource: database.ref,
      applied,
      plan: finalPlan,
      warnings,
      durationMs: Date.now() - started,
    };
    out.result(result);
    return EXIT.ok;
  } catch (error) {
    if (isStoreFailure(error)) throw fromStoreFailure(error, database.target);
    throw error;
  } finally {
    await connection.close().catch(() => undefined);
  }
}
