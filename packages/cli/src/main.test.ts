import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main';
import { CliResultSchema, ErrorResultSchema, ValidateResultSchema } from './results';

const dir = mkdtempSync(join(tmpdir(), 'metasource-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the command in-process with captured streams. */
async function run(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'metasource', ...args], {
    cwd: dir,
    env: {},
    stdout: { write: (chunk: string) => ((stdout += chunk), true) },
    stderr: { write: (chunk: string) => ((stderr += chunk), true) },
  });
  return { code, stdout, stderr };
}

describe('main, in-process', () => {
  it('returns the exit code instead of exiting, and writes only to the given streams', async () => {
    writeFileSync(
      join(dir, 'metasource.json'),
      JSON.stringify({
        datasources: [{ driver: 'sqlite', name: 'db', connection: { filename: ':memory:' } }],
        metadata: { datasource: 'db' },
      }),
    );
    const valid = await run('validate', '--json');
    expect(valid.code).toBe(0);
    expect(ValidateResultSchema.parse(JSON.parse(valid.stdout))).toMatchObject({
      valid: true,
      files: [{ file: 'metasource.json', kind: 'config' }],
    });
    expect(valid.stderr).toBe('');
  });

  it('reports a usage error with exit 2, the message on stderr and an ErrorResult with --json', async () => {
    const result = await run('diff', 'only-one', '--json');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/missing required argument 'b'/);
    const error = ErrorResultSchema.parse(JSON.parse(result.stdout));
    expect(error).toMatchObject({ command: 'diff', exitCode: 2, error: { code: 'usage' } });
    expect(CliResultSchema.safeParse(error).success).toBe(true);
  });

  it('rejects a bad option value naming the option', async () => {
    const result = await run('import', 'x.jsonl', '--batch-size', 'many');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/option '--batch-size <n>' argument 'many' is invalid\. must be a whole number/);
    const onConflict = await run('import', 'x.jsonl', '--on-conflict', 'overwrite');
    expect(onConflict.code).toBe(2);
    expect(onConflict.stderr).toMatch(/Allowed choices are error, skip, update, replace/);
  });

  it('shows a one-line message and a hint, and the stack trace only with --verbose', async () => {
    const config = join(dir, 'closed.json');
    writeFileSync(
      config,
      JSON.stringify({
        datasources: [
          {
            driver: 'postgres',
            name: 'db',
            connection: { host: '127.0.0.1', port: 1, database: 'd', user: 'u' },
            tls: { mode: 'disable' },
          },
        ],
        metadata: { datasource: 'db' },
      }),
    );
    const plain = await run('--config', config, 'migrate');
    expect(plain.code).toBe(3);
    expect(plain.stderr).toMatch(
      /^metasource migrate: error: connecting to datasource db \(PostgreSQL at 127\.0\.0\.1:1, database d\) failed/,
    );
    expect(plain.stderr).toMatch(/\nhint: check that datasource db \(postgres at 127\.0\.0\.1:1, database d\) is running/);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const verbose = await run('--config', config, 'migrate', '--verbose');
    expect(verbose.code).toBe(3);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });
});
