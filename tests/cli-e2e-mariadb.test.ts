/**
 * The built `metasource` binary on MariaDB (a test database of its own):
 * doctor (the named migration lock read with IS_FREE_LOCK), migrate (a plan
 * that is not atomic, run step by step), import, export and diff, and a lock
 * held elsewhere refusing a migration (exit 4).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DiffResultSchema,
  DoctorResultSchema,
  ErrorResultSchema,
  ImportResultSchema,
  MigrateResultSchema,
} from '../packages/cli/src/results';
import { SAMPLE_TREE, assertBuilt, jsonResult, runCli, writeConfig } from '../packages/cli/src/testing';
import { mysqlLockName } from '../packages/store/src/sql/migrate-lock';
import { createTestDatabase, type TestDatabase } from '../packages/store/src/sql/testing';

let database: TestDatabase;
let dir: string;
const run = (args: string[]) => runCli(args, { cwd: dir });

beforeAll(async () => {
  assertBuilt();
  database = await createTestDatabase('mysql', 'cli_e2e');
  dir = mkdtempSync(join(tmpdir(), 'metasource-cli-mariadb-'));
  writeConfig(dir, database.datasource, { transactions: { timeoutMs: 500 } });
}, 60_000);

afterAll(async () => {
  await database?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('metasource on MariaDB', { timeout: 60_000 }, () => {
  it('doctor sees the named lock held; migrate is refused under it (exit 4), then plans and applies step by step', async () => {
    const lock = mysqlLockName(database.name, '_framework_metadata');
    await database.db.connection().execute(async (conn) => {
      await conn.selectNoFrom((eb) => eb.fn('GET_LOCK', [eb.val(lock), eb.lit(0)]).as('got')).execute();
      try {
        const doctor = jsonResult(await run(['doctor', '--json']), DoctorResultSchema);
        expect(doctor.server?.flavor).toBe('mariadb');
        expect(doctor.checks.find((check) => check.name === 'lock')).toMatchObject({
          status: 'warn',
          message: expect.stringMatching(/holds the migration lock/),
        });
        const refused = await run(['migrate', '--apply', '--json']);
        expect(refused.code).toBe(4);
        expect(jsonResult(refused, ErrorResultSchema).error.code).toBe('migration_locked');
      } finally {
        await conn.selectNoFrom((eb) => eb.fn('RELEASE_LOCK', [eb.val(lock)]).as('released')).execute();
      }
    });
    const plan = await run(['migrate']);
    expect(plan.stdout).toMatch(/not atomic \(each step commits as it runs\)/);
    expect(plan.stdout).toContain('[not transactional]');
    expect(plan.stdout).toContain('utf8mb4');
    const applied = jsonResult(await run(['migrate', '--apply', '--json']), MigrateResultSchema);
    expect(applied).toMatchObject({ applied: true, plan: { atomic: false } });
    const doctor = await run(['doctor']);
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toContain('6 checks: 6 pass, 0 warnings, 0 failed');
  });

  it('imports the sample, exports it, and the export, the tree and the database are equal', async () => {
    const imported = jsonResult(await run(['import', SAMPLE_TREE, '--json']), ImportResultSchema);
    expect(imported).toMatchObject({ exitCode: 0, counts: { created: 214 } });
    expect((await run(['export', '--out', 'export.jsonl'])).code).toBe(0);
    for (const [a, b] of [
      ['export.jsonl', 'metadata_db'],
      [SAMPLE_TREE, 'metadata_db'],
    ]) {
      expect(jsonResult(await run(['diff', a!, b!, '--json']), DiffResultSchema)).toMatchObject({ exitCode: 0, equal: true });
    }
    expect((await run(['import', 'export.jsonl', '--atomic'])).code).toBe(4);
  });
});
