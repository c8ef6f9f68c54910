/**
 * The built `metasource` binary end to end on PostgreSQL (a test database of
 * its own, dropped afterwards): every sub-command with its --json result
 * validated and its exit code, the migration lock seen by doctor and
 * refusing a migration (exit 4), an unreachable server and a database that
 * does not exist (exit 3, no password shown), an import with conflicts, and
 * an interrupted import leaving whole batches only.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatasourceInput } from '@metasource/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChangesResultSchema,
  ConformanceResultSchema,
  DiffResultSchema,
  DoctorResultSchema,
  ErrorResultSchema,
  ExportResultSchema,
  ImportResultSchema,
  MigrateResultSchema,
  ValidateResultSchema,
} from '../packages/cli/src/results';
import { SAMPLE_TREE, assertBuilt, jsonResult, runCli, startCli, waitFor, writeConfig, writeRecords } from '../packages/cli/src/testing';
import { postgresLockKey } from '../packages/store/src/sql/migrate-lock';
import { createTestDatabase, type TestDatabase } from '../packages/store/src/sql/testing';

const SAMPLE_RECORDS = 214;
let database: TestDatabase;
let dir: string;
const run = (args: string[], env?: Record<string, string | undefined>) => runCli(args, { cwd: dir, ...(env ? { env } : {}) });

async function countRecords(): Promise<number> {
  const row = await database.db
    .selectFrom('_framework_metadata')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

beforeAll(async () => {
  assertBuilt();
  database = await createTestDatabase('postgres', 'cli_e2e');
  dir = mkdtempSync(join(tmpdir(), 'metasource-cli-postgres-'));
  writeConfig(dir, database.datasource);
  // The same database with an extra index, and a short lock wait: a plan that has a step to run.
  writeConfig(
    dir,
    database.datasource,
    { table: { indexes: [{ name: 'cli_updated_at_idx', fields: ['updatedAt'] }] }, transactions: { timeoutMs: 500 } },
    'indexed.json',
  );
}, 60_000);

afterAll(async () => {
  await database?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('metasource on PostgreSQL', { timeout: 60_000 }, () => {
  it('doctor, migrate (plan, apply), doctor again', async () => {
    const fresh = jsonResult(await run(['doctor', '--json']), DoctorResultSchema);
    expect(fresh.exitCode).toBe(0);
    expect(fresh.server?.flavor).toBe('postgres');
    expect(fresh.server?.version).toMatch(/^\d+/);
    expect(fresh.capabilities).toMatchObject({ driver: 'postgres', transactionalDdl: true, advisoryLocks: true });
    expect(Object.fromEntries(fresh.checks.map((check) => [check.name, check.status]))).toEqual({
      config: 'pass',
      connection: 'pass',
      capabilities: 'pass',
      layout: 'warn',
      migrations: 'warn',
      lock: 'pass',
    });

    const plan = await run(['migrate']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/1 step, atomic \(one transaction/);
    expect(plan.stdout).toContain('COLLATE "C"');
    expect(plan.stdout).toContain('Dry run: nothing was run.');
    const applied = jsonResult(await run(['migrate', '--apply', '--json']), MigrateResultSchema);
    expect(applied.applied).toBe(true);
    expect(applied.plan.atomic).toBe(true);

    const doctor = await run(['doctor']);
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toMatch(/\[pass\] connection: connected to postgres \d+/);
    expect(doctor.stdout).toContain('6 checks: 6 pass, 0 warnings, 0 failed');
  });

  it('the migration lock: doctor sees it held, migrate --apply is refused (exit 4), then runs once it is free', async () => {
    const key = postgresLockKey('public', '_framework_metadata');
    await database.db.connection().execute(async (conn) => {
      await conn.selectNoFrom((eb) => eb.fn('pg_advisory_lock', [eb.cast(eb.val(key), 'bigint')]).as('locked')).execute();
      try {
        const doctor = jsonResult(await run(['--config', 'indexed.json', 'doctor', '--json']), DoctorResultSchema);
        expect(doctor.exitCode).toBe(0);
        expect(doctor.checks.find((check) => check.name === 'lock')).toMatchObject({
          status: 'warn',
          message: expect.stringMatching(/holds the migration lock/),
        });
        expect(doctor.checks.find((check) => check.name === 'migrations')).toMatchObject({ status: 'warn' });
        const refused = await run(['--config', 'indexed.json', 'migrate', '--apply', '--json']);
        expect(refused.code).toBe(4);
        expect(jsonResult(refused, ErrorResultSchema).error).toMatchObject({
          code: 'migration_locked',
          hint: expect.stringMatching(/another migration/),
        });
      } finally {
        await conn.selectNoFrom((eb) => eb.fn('pg_advisory_unlock', [eb.cast(eb.val(key), 'bigint')]).as('unlocked')).execute();
      }
    });
    const applied = jsonResult(await run(['--config', 'indexed.json', 'migrate', '--apply', '--json']), MigrateResultSchema);
    // backupBeforeMigrate (the default): the table is backed up before it is altered.
    expect(applied.plan.steps.map((step) => step.operation.type)).toEqual(['backup', 'alter']);
    expect(applied.plan.steps[1]!.statements).toEqual(['CREATE INDEX "cli_updated_at_idx" ON "_framework_metadata" ("updated_at")']);
    expect((await run(['--config', 'indexed.json', 'doctor'])).stdout).toContain('[pass] lock: ');
  });

  it('imports the sample tree, refuses it again (exit 4), and a dry run of a replace finds it unchanged', async () => {
    expect(jsonResult(await run(['validate', SAMPLE_TREE, '--json']), ValidateResultSchema).valid).toBe(true);
    const first = jsonResult(await run(['import', SAMPLE_TREE, '--batch-size', '50', '--json']), ImportResultSchema);
    expect(first).toMatchObject({
      exitCode: 0,
      counts: { created: SAMPLE_RECORDS },
      committedRecords: SAMPLE_RECORDS,
      committedBatches: 5,
    });
    expect(await countRecords()).toBe(SAMPLE_RECORDS);
    const again = await run(['import', SAMPLE_TREE]);
    expect(again.code).toBe(4);
    expect(again.stdout).toMatch(/failures:\n {2}\S+\.json: already_exists: /);
    const dry = jsonResult(await run(['import', SAMPLE_TREE, '--dry-run', '--on-conflict', 'replace', '--json']), ImportResultSchema);
    expect(dry).toMatchObject({ exitCode: 0, dryRun: true, counts: { unchanged: SAMPLE_RECORDS } });
    // update merges (RFC 7396): the payloads whose null removes a key come out changed.
    const merged = jsonResult(await run(['import', SAMPLE_TREE, '--dry-run', '--on-conflict', 'update', '--json']), ImportResultSchema);
    expect(merged.counts.unchanged + merged.counts.updated).toBe(SAMPLE_RECORDS);
    expect(await countRecords()).toBe(SAMPLE_RECORDS);
  });

  it('exports, and diffs the export and its tree against the database (equal), then a changed export (different)', async () => {
    const exported = jsonResult(await run(['export', '--out', 'export.jsonl', '--json']), ExportResultSchema);
    expect(exported.records).toBe(SAMPLE_RECORDS);
    expect(jsonResult(await run(['export', '--out', 'tree/', '--json']), ExportResultSchema).format).toBe('tree');
    for (const source of ['export.jsonl', 'tree', SAMPLE_TREE]) {
      const diff = await run(['diff', source, 'metadata_db', '--json']);
      expect(diff.code, source).toBe(0);
      expect(jsonResult(diff, DiffResultSchema).equal).toBe(true);
    }
    const lines = readFileSync(join(dir, 'export.jsonl'), 'utf8').trimEnd().split('\n');
    const first = JSON.parse(lines[0]!);
    first.payload = { ...first.payload, cli_marker: [1, { deep: true }] };
    writeFileSync(join(dir, 'changed.jsonl'), [JSON.stringify(first), ...lines.slice(2)].join('\n'));
    const diff = await run(['diff', 'metadata_db', 'changed.jsonl', '--json']);
    expect(diff.code).toBe(1);
    const result = jsonResult(diff, DiffResultSchema);
    expect(result.removed).toHaveLength(1);
    expect(result.changed).toHaveLength(1);
    expect(result.changed[0]!.differences).toEqual([{ path: '/payload/cli_marker', after: [1, { deep: true }] }]);
    expect(result.warnings).toHaveLength(1);
  });

  it('changes: the feed of a tenant as JSON', async () => {
    const result = await run(['changes', '--tenant', 'acme', '--after', '100', '--json']);
    expect(result.code).toBe(0);
    const page = jsonResult(result, ChangesResultSchema);
    expect(page.events[0]).toMatchObject({ sequence: 101, operation: 'create', actor: 'metasource-cli' });
    expect(page.lastSequence).toBe(112);
  });

  it('conformance: the kit on PostgreSQL stores a module opens', async () => {
    const store = join(import.meta.dirname, '..', 'packages', 'store', 'dist', 'index.js');
    writeFileSync(
      join(dir, 'pg-store.mjs'),
      [
        `import { openStore } from ${JSON.stringify(store)};`,
        `const datasource = ${JSON.stringify(database.datasource satisfies DatasourceInput)};`,
        'const tables = new WeakMap();',
        'let counter = 0;',
        'async function open(tableName) {',
        "  const store = await openStore({ datasource, driver: { datasource: 'metadata_db', table: { tableName } } });",
        '  tables.set(store, tableName);',
        '  return store;',
        '}',
        "export const newStore = () => open(`kit_${String(++counter).padStart(4, '0')}`);",
        'export const secondClient = (store) => open(tables.get(store));',
        '',
      ].join('\n'),
    );
    const result = await run(['conformance', './pg-store.mjs', '--only', 'R17', '--only', 'R29', '--name', 'postgres', '--json']);
    expect(result.code).toBe(0);
    const conformance = jsonResult(result, ConformanceResultSchema);
    expect(conformance.summary.errors).toBe(0);
    expect(conformance.results.map((r) => r.requirement)).toEqual(expect.arrayContaining(['R17', 'R29']));
  });

  it('an unreachable server and a missing database exit 3 naming host and port, never the password', async () => {
    const password = 'pg-e2e-Q7x!not-shown';
    const base = database.datasource as Extract<DatasourceInput, { driver: 'postgres' }>;
    const connection = base.connection as { host: string; port?: number; database: string; user: string };
    const configs = {
      closed: writeConfig(join(dir, 'closed'), {
        ...base,
        connection: {
          host: '127.0.0.1',
          port: 1,
          database: connection.database,
          user: connection.user,
          password: { env: 'METASOURCE_E2E_PG_PASSWORD' },
        },
      }),
      missing: writeConfig(join(dir, 'missing'), {
        ...base,
        connection: { ...connection, database: 'ms_cli_no_such_database', password: { env: 'METASOURCE_E2E_PG_PASSWORD' } },
      }),
    };
    for (const [name, config] of Object.entries(configs)) {
      for (const args of [
        ['doctor', '--json'],
        ['import', SAMPLE_TREE, '--json'],
        ['diff', 'metadata_db', 'export.jsonl'],
      ]) {
        const result = await run(['--config', config, ...args], { METASOURCE_E2E_PG_PASSWORD: password });
        expect(result.code, `${name}: ${args.join(' ')}`).toBe(3);
        const output = result.stdout + result.stderr;
        expect(output).toContain(name === 'closed' ? '127.0.0.1:1' : `${connection.host}:${connection.port ?? 5432}`);
        expect(output).not.toContain(password);
      }
    }
  });

  it('Ctrl-C during an import: whole batches only, and the JSON result says what is committed (exit 130)', async () => {
    writeRecords(join(dir, 'big.jsonl'), 30_000, ['bulk_a', 'bulk_b', 'bulk_c']);
    const before = await countRecords();
    const running = startCli(['import', 'big.jsonl', '--batch-size', '500', '--json'], { cwd: dir, timeoutMs: 80_000 });
    await waitFor(async () => (await countRecords()) > before, 40_000, 'the first committed batch');
    running.child.kill('SIGINT');
    const ended = await running.done;
    expect(ended.code, ended.stderr).toBe(130);
    const result = jsonResult(ended, ImportResultSchema);
    expect(result.interrupted).toBe(true);
    expect(result.committedRecords).toBeGreaterThan(0);
    expect(result.committedRecords % 500).toBe(0);
    expect(result.committedBatches).toBe(result.committedRecords / 500);
    expect(result.counts.created).toBe(result.committedRecords);
    expect(result.counts.notAttempted).toBe(30_000 - result.committedRecords);
    expect((await countRecords()) - before).toBe(result.committedRecords);
    expect(ended.stderr).toContain('interrupted; stopping at the next safe point');
  });
});
