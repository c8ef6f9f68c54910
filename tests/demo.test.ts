/**
 * The README's demo (scripts/demo.sh), run the way the README's command runs
 * it, in a temporary copy of what it needs: the script and the sample tree
 * copied, packages/ and node_modules/ linked (the built command and its
 * dependencies). Every step is checked: its heading, its commands, their
 * output and exit codes, and what they leave behind (the database, the
 * export). The output the README shows must be what a fresh run prints,
 * durations aside; a second run over a left-over ./.metasource/ prints the
 * same; and a step that does not do what it announces stops the demo with a
 * non-zero exit. Needs the built packages (packages/cli/dist).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetadataRecordSchema } from '@metasource/spec';
import { assertBuilt, sqliteRowCount } from '../packages/cli/src/testing';

const ROOT = join(import.meta.dirname, '..');
const README_COMMAND =
  'npx --yes pnpm@12.4.2 install --frozen-lockfile && npx --yes pnpm@12.4.2 run build && npx --yes pnpm@12.4.2 run demo';

/** A copy of the files the demo needs, in a new temporary directory: its repository root. */
function demoCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'metasource-demo-'));
  mkdirSync(join(dir, 'scripts'));
  cpSync(join(ROOT, 'scripts', 'demo.sh'), join(dir, 'scripts', 'demo.sh'));
  cpSync(join(ROOT, 'examples', 'metadata', 'tenants'), join(dir, 'examples', 'metadata', 'tenants'), { recursive: true });
  symlinkSync(join(ROOT, 'packages'), join(dir, 'packages'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** Runs the demo as `bash scripts/demo.sh` from another working directory: it must find its root itself. */
function runDemo(dir: string) {
  const run = spawnSync('bash', [join(dir, 'scripts', 'demo.sh')], {
    cwd: tmpdir(),
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 60_000,
  });
  if (run.error) throw run.error;
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The output with what differs from run to run replaced: durations, record ids, timestamps; progress lines dropped. */
function normalise(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^(?:import|export|diff|migrate)\S* .*\d[\d,]*\/s \d/.test(line))
    .join('\n')
    .replace(/\b\d+ min \d+ s\b/g, '<duration>')
    .replace(/\b\d+(?:\.\d+)? (?:ms|s)\b/g, '<duration>')
    .replace(/\brec_[0-9a-f]{32}\b/g, 'rec_<id>')
    .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b/g, '<time>')
    .trimEnd();
}

/** The output the README shows: the text block right after `<!-- demo-output -->`. */
function readmeOutput(): string {
  const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n');
  const marker = lines.indexOf('<!-- demo-output -->');
  expect(marker, 'README.md has no <!-- demo-output --> marker').toBeGreaterThan(-1);
  expect(lines[marker + 1]).toBe('```text');
  const end = lines.indexOf('```', marker + 2);
  expect(end, 'the demo output block of README.md is never closed').toBeGreaterThan(marker);
  return lines.slice(marker + 2, end).join('\n');
}

/** The part of the output from one step's heading to the next. */
function stepText(output: string, step: number): string {
  const start = output.indexOf(`== Step ${step} of 8: `);
  expect(start, `step ${step}`).toBeGreaterThan(-1);
  const next = output.indexOf(`== Step ${step + 1} of 8: `, start);
  return output.slice(start, next === -1 ? undefined : next);
}

const COMMANDS = [
  '$ cat .metasource/metasource.json',
  '$ metasource validate .metasource/metasource.json examples/metadata/tenants',
  '$ metasource migrate --apply',
  '$ metasource import examples/metadata/tenants',
  '$ metasource query --tenant acme --type queue --sort name',
  `$ metasource query --type view --scope platform --where '{"field":"payload/object","operator":"eq","value":"crm.lead"}' --sort tenantId --sort name`,
  '$ cat .metasource/ana.json',
  '$ metasource save .metasource/ana.json --expected-version 1',
  '$ cat .metasource/ben.json',
  '$ metasource save .metasource/ben.json --expected-version 1',
  '$ metasource export --out .metasource/export.jsonl',
  '$ metasource diff .metasource/export.jsonl metadata_db',
  '$ metasource diff examples/metadata/tenants metadata_db',
];

let dir: string;
let first: ReturnType<typeof runDemo>;

beforeAll(() => {
  assertBuilt();
  dir = demoCopy();
  first = runDemo(dir);
}, 90_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the README demo (scripts/demo.sh)', { timeout: 90_000 }, () => {
  it('runs every step to its end and exits 0, saying so', () => {
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    expect([...first.stdout.matchAll(/^== Step (\d) of 8: (.+) ==$/gm)].map((match) => Number(match[1]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(first.stdout.split('\n').filter((line) => line.startsWith('$ '))).toEqual(COMMANDS);
    expect(first.stdout.trimEnd().split('\n').at(-1)).toMatch(/^Demo complete: every step did what it announced\./);
  });

  it('writes its config into ./.metasource/ and validates it and the sample before touching a database', () => {
    const config = JSON.parse(readFileSync(join(dir, '.metasource', 'metasource.json'), 'utf8'));
    expect(config).toMatchObject({
      datasources: [{ driver: 'sqlite', name: 'metadata_db', connection: { filename: './.metasource/demo.db' } }],
      metadata: { datasource: 'metadata_db', migration: { autoMigrate: false } },
    });
    expect(stepText(first.stdout, 2)).toContain('2 files checked (214 records): 2 valid, 0 invalid; 0 errors, 0 warnings');
  });

  it('creates the tables, imports the 214 sample records and queries them', () => {
    expect(stepText(first.stdout, 3)).toMatch(/CREATE TABLE "_framework_metadata" \([\s\S]*Applied\.\n1 step applied in \d+ ms\./);
    expect(stepText(first.stdout, 4)).toMatch(/ created {7}214\n[\s\S]* failed {10}0\n/);
    const query = stepText(first.stdout, 5);
    expect(query).toContain(
      [
        'TENANT  SCOPE     OWNER  TYPE   NAMESPACE  NAME            VERSION  STATE',
        'acme    platform  -      queue  crm        lead_intake     1        active',
        'acme    platform  -      queue  help_desk  tier_1_support  1        active',
        'acme    platform  -      queue  help_desk  tier_2_support  1        active',
        '3 records, as stored.',
      ].join('\n'),
    );
    expect(query).toContain(
      [
        'TENANT  SCOPE     OWNER  TYPE  NAMESPACE  NAME              VERSION  STATE',
        'acme    platform  -      view  crm        all_leads         1        active',
        'acme    platform  -      view  crm        hot_leads         1        active',
        'acme    platform  -      view  crm        open_leads        1        active',
        'acme    platform  -      view  crm        unassigned_leads  1        active',
        'globex  platform  -      view  crm        all_leads         1        active',
        'globex  platform  -      view  crm        trade_show_leads  1        active',
        '6 records, as stored.',
      ].join('\n'),
    );
  });

  it('accepts the first save based on version 1 and refuses the second with version_conflict, exit 4', () => {
    const conflict = stepText(first.stdout, 6);
    expect(conflict).toContain('Saved acme/platform/queue/crm/lead_intake: updated, version 1 -> 2.');
    expect(conflict).toContain(
      [
        'Refused: version_conflict: acme/platform/queue/crm/lead_intake is stored with version 2; this save expected version 1.',
        '  expected version  1',
        '  actual version    2',
        'Nothing was written.',
      ].join('\n'),
    );
    expect(conflict).toMatch(/save with --expected-version 2\n\(exit status 4\)\n/);
  });

  it('exports what the database holds (the first save in, the refused one not), and diff agrees', () => {
    expect(stepText(first.stdout, 7)).toMatch(/Exported 214 records of 2 tenants to \.metasource\/export\.jsonl in \d+ ms\./);
    expect(sqliteRowCount(join(dir, '.metasource', 'demo.db'), '_framework_metadata')).toBe(214);
    const records = readFileSync(join(dir, '.metasource', 'export.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => MetadataRecordSchema.parse(JSON.parse(line)));
    expect(records).toHaveLength(214);
    const queue = records.find((record) => record.tenantId === 'acme' && record.type === 'queue' && record.name === 'lead_intake')!;
    expect(queue.version).toBe(2);
    expect(queue.payload).toMatchObject({ reassignAfterHours: 8, routing: 'manual' });

    const diffs = stepText(first.stdout, 8);
    expect(diffs).toContain(
      [
        '$ metasource diff .metasource/export.jsonl metadata_db',
        '--- A: .metasource/export.jsonl (214 records)',
        '+++ B: datasource metadata_db (214 records)',
        'No differences.',
      ].join('\n'),
    );
    expect(diffs).toContain(
      [
        '~ acme/platform/queue/crm/lead_intake',
        '    /payload/reassignAfterHours: 24 -> 8',
        '1 difference: 0 added, 0 removed, 1 changed.',
        '(exit status 1)',
      ].join('\n'),
    );
  });

  it('prints what the README shows, durations aside', () => {
    expect(normalise(first.stdout)).toBe(normalise(readmeOutput()));
  });

  it('runs again over what a run left behind, and prints the same', () => {
    writeFileSync(join(dir, '.metasource', 'demo.db'), 'not a database');
    writeFileSync(join(dir, '.metasource', 'left-over.txt'), 'x');
    const again = runDemo(dir);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(normalise(again.stdout)).toBe(normalise(first.stdout));
    expect(() => readFileSync(join(dir, '.metasource', 'left-over.txt'))).toThrow(/ENOENT/);
  });

  it('stops with demo: FAILED and exit 1 when a step does not do what it announces', () => {
    // With the sample already holding Ana's change, her save writes nothing ("unchanged"), which step 6 does not announce.
    const broken = demoCopy();
    try {
      const file = join(broken, 'examples/metadata/tenants/acme/platform/queue/crm/lead_intake.json');
      writeFileSync(file, readFileSync(file, 'utf8').replace('"reassignAfterHours": 24', '"reassignAfterHours": 8'));
      const run = runDemo(broken);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('Unchanged: acme/platform/queue/crm/lead_intake is stored with this content already (version 1)');
      expect(run.stderr).toMatch(/^\ndemo: FAILED at step 6: metasource save did not print: Saved acme\/platform\/queue\/crm\/lead_intake/);
      expect(run.stdout).not.toContain('== Step 7 of 8');
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('is what the README command runs: package.json runs scripts/demo.sh; git and prettier leave ./.metasource/ alone', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`\n${README_COMMAND}\n`);
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.demo).toBe('bash scripts/demo.sh');
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n')).toContain('.metasource/');
    // The demo's files are not formatted for the repository's `prettier --check .`, which a run in the checkout would otherwise fail.
    expect(readFileSync(join(ROOT, '.prettierignore'), 'utf8').split('\n')).toContain('.metasource/');
  });
});
