/**
 * `metasource doctor`: connects to the datasource and checks what a store
 * needs: the server and its version, the capability profile the store acts
 * on, whether the tables match the config's layout, whether migrations are
 * pending, and whether the migration lock is free. Each check passes, warns
 * or fails, with a hint. Nothing is created or changed. Exit 0 when no check
 * fails, 3 when the database cannot be reached, 1 when a check fails.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DATASOURCE_CAPABILITIES, MetadataMigrateOptionsSchema } from '@metasource/spec';
import { connectDirect, directDatabase } from '../database';
import { CliError, isStoreFailure } from '../errors';
import { EXIT } from '../exit-codes';
import { migrationLockState } from '../lock-state';
import { plural } from '../output';
import type { DoctorCheck, DoctorResult } from '../results';
import {
  LAYOUT_VERSION,
  describeInspection,
  inspectSchema,
  migrateSchema,
  planMigration,
  qualifiedName,
  type SqlConnection,
} from '../store-internals';
import type { CommandContext, CommandOutcome } from './context';

const MARK: Record<DoctorCheck['status'], string> = { pass: 'pass', warn: 'WARN', fail: 'FAIL' };

function printCheck(ctx: CommandContext, check: DoctorCheck): void {
  ctx.out.line(`[${MARK[check.status]}] ${check.name}: ${check.message}`);
  if (check.hint && check.status !== 'pass') ctx.out.line(`       hint: ${check.hint}`);
}

/** A check that threw: a store failure's message is safe to show; anything else is reported by its message. */
function failedCheck(name: DoctorCheck['name'], error: unknown, hint: string): DoctorCheck {
  const message = isStoreFailure(error) ? error.error.message : error instanceof Error ? error.message : String(error);
  return { name, status: 'fail', message, hint };
}

export async function runDoctor(ctx: CommandContext): CommandOutcome {
  const { out, io } = ctx;
  const loaded = await ctx.config();
  const database = directDatabase(loaded.config, ctx.global.datasource);
  const checks: DoctorCheck[] = [];
  const add = (check: DoctorCheck) => {
    checks.push(check);
    printCheck(ctx, check);
  };
  out.line(`metasource doctor: ${database.target}, config ${loaded.display}`);
  add({ name: 'config', status: 'pass', message: `${loaded.display} is a valid MetasourceConfig` });

  let connection: SqlConnection | undefined;
  let unreachable = false;
  const { datasource } = database;
  const filename = datasource.driver === 'sqlite' ? datasource.connection.filename : undefined;
  const sqliteFile = filename !== undefined && filename !== ':memory:' ? resolve(io.cwd, filename) : undefined;
  if (sqliteFile !== undefined && !existsSync(sqliteFile)) {
    // Opening it would create it: the doctor changes nothing.
    add({
      name: 'connection',
      status: 'warn',
      message: `the SQLite file ${filename} does not exist yet`,
      hint: existsSync(dirname(sqliteFile))
        ? 'the store creates it when it first opens; `metasource migrate --apply` creates it with its tables'
        : `its directory ${dirname(sqliteFile)} does not exist: create it first`,
    });
  } else
    try {
      connection = await connectDirect(database, io.env);
      add({
        name: 'connection',
        status: 'pass',
        message: `connected to ${connection.server.flavor} ${connection.server.version} (${database.ref.target})`,
      });
    } catch (error) {
      unreachable = error instanceof CliError && error.exitCode === EXIT.unreachable;
      add({
        name: 'connection',
        status: 'fail',
        message: error instanceof Error ? error.message : String(error),
        hint:
          error instanceof CliError && error.hint !== undefined
            ? error.hint
            : 'check the datasource entry of the config and that the database is running',
      });
    }

  const capabilities = { ...DATASOURCE_CAPABILITIES[database.datasource.driver] };
  if (connection) {
    const { server, db } = connection;
    const { layout, settings } = database;
    const lacking = Object.entries(capabilities)
      .filter(([name, value]) => value === false && name !== 'driver')
      .map(([name]) => name);
    add({
      name: 'capabilities',
      status: 'pass',
      message: `${server.flavor}: ${Object.entries(capabilities)
        .filter(([name]) => name !== 'driver')
        .map(([name, value]) => `${name} ${String(value)}`)
        .join(', ')}`,
      ...(lacking.length > 0 ? { hint: `without ${lacking.join(', ')} the store uses the fallbacks of docs/METADATA_DATASOURCE.md` } : {}),
    });

    try {
      const inspection = await inspectSchema(db, server, layout);
      const table = qualifiedName(layout);
      const createHint = settings.autoMigrate
        ? 'the store creates them when it first opens (autoMigrate), or run `metasource migrate --apply` now'
        : 'autoMigrate is off: run `metasource migrate` to see the plan, then `metasource migrate --apply`';
      if (inspection.layoutVersion !== undefined && inspection.layoutVersion !== LAYOUT_VERSION) {
        add({
          name: 'layout',
          status: 'fail',
          message: `the tables of ${table} have layout_version ${inspection.layoutVersion}, which this version does not know`,
          hint: 'upgrade metasource to the version that wrote them',
        });
      } else if (inspection.mismatchedColumns.length > 0) {
        add({
          name: 'layout',
          status: 'fail',
          message: `the tables of ${table} cannot be brought to the config by adding to them: ${describeInspection(inspection)}`,
          hint: 'a column with another type or collation needs a manual migration (see docs/METADATA_MIGRATION_GUIDE.md)',
        });
      } else if (inspection.missingTables.includes(layout.tables.records)) {
        add({ name: 'layout', status: 'warn', message: `the table ${table} does not exist yet`, hint: createHint });
      } else if (!inspection.upToDate) {
        add({
          name: 'layout',
          status: 'warn',
          message: `the tables of ${table} are behind the config: ${describeInspection(inspection)}`,
          hint: createHint,
        });
      } else if (inspection.extraColumns.length > 0 || inspection.extraIndexes.length > 0) {
        const extras = [...inspection.extraColumns.map((c) => `column ${c}`), ...inspection.extraIndexes.map((i) => `index ${i}`)];
        add({
          name: 'layout',
          status: 'warn',
          message: `the tables of ${table} match the config, and also hold ${extras.join(', ')}, which the config does not name`,
          hint: 'they are kept; with dropOnMigrate, `metasource migrate --allow-data-loss` plans dropping them',
        });
      } else {
        add({ name: 'layout', status: 'pass', message: `the tables of ${table} match the config` });
      }
    } catch (error) {
      add(failedCheck('layout', error, 'the tables could not be read: check the user may read the catalog'));
    }

    try {
      const options = MetadataMigrateOptionsSchema.parse({ dryRun: true });
      const plan = await migrateSchema(db, server, layout, settings, options, 'operator', new Date());
      const { warnings } = await planMigration(db, server, layout, settings, options);
      const statements = plan.steps.reduce((sum, step) => sum + step.statements.length, 0);
      if (plan.steps.length === 0) {
        add({
          name: 'migrations',
          status: 'pass',
          message: `no pending migrations${warnings.length > 0 ? `; notes: ${warnings.join('; ')}` : ''}`,
        });
      } else {
        add({
          name: 'migrations',
          status: 'warn',
          message: `${plural(plan.steps.length, 'pending step')} (${plural(statements, 'statement')})${plan.atomic ? '' : ', not atomic on this database'}`,
          hint: '`metasource migrate` prints the plan, `metasource migrate --apply` runs it',
        });
      }
    } catch (error) {
      add(failedCheck('migrations', error, 'the plan could not be made: see the message, and docs/METADATA_MIGRATION_GUIDE.md'));
    }

    try {
      const lock = await migrationLockState(connection, layout);
      add(
        lock.free
          ? { name: 'lock', status: 'pass', message: lock.message }
          : {
              name: 'lock',
              status: 'warn',
              message: lock.message,
              hint: 'wait for the migration to finish; a second one would wait for the lock',
            },
      );
    } catch (error) {
      add(failedCheck('lock', error, 'the lock could not be read'));
    }
    await connection.close().catch(() => undefined);
  }

  const failed = checks.filter((check) => check.status === 'fail').length;
  const warned = checks.filter((check) => check.status === 'warn').length;
  const exitCode = unreachable ? EXIT.unreachable : failed > 0 ? EXIT.failed : EXIT.ok;
  out.line(`${plural(checks.length, 'check')}: ${checks.length - failed - warned} pass, ${plural(warned, 'warning')}, ${failed} failed`);
  const result: DoctorResult = {
    command: 'doctor',
    exitCode,
    ok: failed === 0,
    config: loaded.display,
    datasource: database.ref,
    ...(connection ? { server: { flavor: connection.server.flavor, version: connection.server.version } } : {}),
    ...(connection ? { capabilities } : {}),
    checks,
  };
  out.result(result);
  return exitCode;
}
