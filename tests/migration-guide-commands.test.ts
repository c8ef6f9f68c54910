/**
 * The migration guide's steps, run as written: every `sh` block of
 * docs/METADATA_MIGRATION_GUIDE.md marked `<!-- step: sqlite -->` runs in
 * the guide's order, with bash -euo pipefail, in a temporary directory that
 * holds the sample set (examples/metadata/tenants) as `metadata/`, with
 * `metasource` on the PATH (the built command); the hybrid setup's blocks
 * (`<!-- step: hybrid -->`) run in a second directory after the guide's
 * configure and create-the-tables steps. Each block must exit 0, and what it
 * did is checked: its output, and the files and the database it leaves. An
 * `sh` block that is not a step must say why it is not run
 * (`<!-- not run: ... -->`). Needs the built packages (packages/cli/dist).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetadataRecordSchema } from '@metasource/spec';
import { QueryResultSchema } from '../packages/cli/src/results';
import { BIN, SAMPLE_TREE, assertBuilt, jsonResult, runCli, sqliteRowCount } from '../packages/cli/src/testing';

const ROOT = join(import.meta.dirname, '..');
const GUIDE = 'docs/METADATA_MIGRATION_GUIDE.md';
const TABLE = '_framework_metadata';
const SAMPLE_RECORDS = 214;

interface ShellBlock {
  /** 1-based line of the opening fence. */
  line: number;
  /** The `## ` heading the block is under. */
  section: string;
  /** sqlite or hybrid for a step; the reason for a block that is not run. */
  marker: { step: 'sqlite' | 'hybrid' } | { notRun: string } | undefined;
  code: string;
}

/** Every sh block of the guide, with its section and marker; list items' indentation removed. */
function shellBlocks(): ShellBlock[] {
  const lines = readFileSync(join(ROOT, GUIDE), 'utf8').split('\n');
  const blocks: ShellBlock[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const heading = /^## (.+)$/.exec(lines[i]!);
    if (heading) section = heading[1]!;
    const open = /^( *)```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((line, j) => j > i && line.trim() === '```');
    if (end === -1) throw new Error(`${GUIDE}:${i + 1}: code fence is never closed`);
    if (open[2] === 'sh') {
      const before = (lines[i - 1] ?? '').trim();
      const step = /^<!-- step: (sqlite|hybrid) -->$/.exec(before);
      const notRun = /^<!-- not run: (.+) -->$/.exec(before);
      const indent = open[1]!.length;
      blocks.push({
        line: i + 1,
        section,
        marker: step ? { step: step[1] as 'sqlite' | 'hybrid' } : notRun ? { notRun: notRun[1]! } : undefined,
        code: lines
          .slice(i + 1, end)
          .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
          .join('\n'),
      });
    }
    i = end;
  }
  return blocks;
}

interface StepRun {
  block: ShellBlock;
  code: number | null;
  output: string;
}

/** A directory to run the guide in: the sample as metadata/, and bin/metasource running the built command. */
function workspace(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'metasource-guide-'));
  cpSync(SAMPLE_TREE, join(dir, 'metadata'), { recursive: true });
  const bin = join(dir, '.bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'metasource'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`);
  chmodSync(join(bin, 'metasource'), 0o755);
  return { dir, env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, NO_COLOR: '1' } };
}

function runStep(block: ShellBlock, dir: string, env: NodeJS.ProcessEnv): StepRun {
  const run = spawnSync('bash', ['-euo', 'pipefail', '-c', block.code], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  if (run.error) throw run.error;
  return { block, code: run.status, output: run.stdout + run.stderr };
}

const where = (block: ShellBlock) => `${GUIDE}:${block.line} (${block.section})`;

/** What each sqlite step must have done, in the guide's order; `runs` must be part of the step's code. */
const SQLITE_CHECKS: { runs: string; check: (run: StepRun, dir: string) => void }[] = [
  {
    runs: 'tar -czf metadata-',
    check: (_run, dir) => {
      const archives = readdirSync(dir).filter((name) => /^metadata-\d{8}T\d{6}Z\.tar\.gz$/.test(name));
      expect(archives).toHaveLength(1);
      expect(readFileSync(join(dir, 'metadata-archive.sha256'), 'utf8')).toMatch(new RegExp(`^[0-9a-f]{64}  ${archives[0]}\\n$`));
      const verify = spawnSync('sha256sum', ['-c', 'metadata-archive.sha256'], { cwd: dir, encoding: 'utf8' });
      expect(verify.status, verify.stdout + verify.stderr).toBe(0);
      const listing = spawnSync('tar', ['-tzf', archives[0]!], { cwd: dir, encoding: 'utf8' });
      expect(listing.stdout.split('\n').filter((name) => name.endsWith('.json'))).toHaveLength(SAMPLE_RECORDS);
    },
  },
  {
    runs: 'metasource validate metadata',
    check: (run) => expect(run.output).toContain(`1 file checked (${SAMPLE_RECORDS} records): 1 valid, 0 invalid; 0 errors, 0 warnings`),
  },
  {
    runs: 'metasource validate metasource.json',
    check: (run, dir) => {
      expect(run.output).toContain('1 file checked: 1 valid, 0 invalid; 0 errors, 0 warnings');
      const config = JSON.parse(readFileSync(join(dir, 'metasource.json'), 'utf8'));
      expect(config.datasources).toEqual([{ driver: 'sqlite', name: 'metadata_db', connection: { filename: './metadata.db' } }]);
      expect(config.loaders.map((loader: { protocol: string }) => loader.protocol)).toEqual(['file', 'datasource']);
    },
  },
  {
    runs: 'metasource migrate --apply',
    check: (run, dir) => {
      expect(run.output).toContain('[WARN] connection: the SQLite file ./metadata.db does not exist yet');
      expect(run.output).toContain('Dry run: nothing was run.');
      expect(run.output).toMatch(/1 step applied in \d+ ms\./);
      expect(run.output).toContain('[pass] layout: the tables of _framework_metadata match the config');
      expect(run.output).toContain('6 checks: 6 pass, 0 warnings, 0 failed');
      expect(existsSync(join(dir, 'metadata.db'))).toBe(true);
    },
  },
  {
    runs: 'metasource import metadata --atomic',
    check: (run, dir) => {
      expect(run.output).toContain('Dry run: nothing was written; the counts say what an import would do.');
      expect(run.output).toContain(`Committed: ${SAMPLE_RECORDS} records written in one transaction.`);
      expect(sqliteRowCount(join(dir, 'metadata.db'), TABLE)).toBe(SAMPLE_RECORDS);
    },
  },
  {
    runs: 'metasource diff metadata metadata_db',
    check: (run) => {
      expect(run.output).toContain(
        `--- A: metadata (${SAMPLE_RECORDS} records)\n+++ B: datasource metadata_db (${SAMPLE_RECORDS} records)`,
      );
      expect(run.output).toContain('No differences.');
    },
  },
  {
    runs: '--resolve --json > all_accounts.json',
    check: (run, dir) => {
      expect(run.output).toMatch(/^acme +platform +- +object +crm +account +1 +active$/m);
      const result = QueryResultSchema.parse(JSON.parse(readFileSync(join(dir, 'all_accounts.json'), 'utf8')));
      expect(result).toMatchObject({ resolveInheritance: true, total: 1 });
      // acme's view as it takes effect: its own columns and description over the built-in's label.
      expect(result.records[0]!.payload).toMatchObject({
        label: 'All Accounts',
        columns: ['name', 'customer_tier', 'region', 'arr', 'owner'],
        description: 'Every account the user can see.',
      });
    },
  },
  {
    runs: 'metasource save change.json --expected-version 1',
    check: (run) => {
      expect(run.output).toContain('Saved acme/platform/queue/crm/lead_intake: updated, version 1 -> 2.');
      expect(run.output).toMatch(/^ {3}113 {2}update {3}acme\/platform\/queue\/crm\/lead_intake {2}v2 {2}metasource-cli {2}\d{4}-/m);
      expect(run.output).toContain('1 event of tenant acme after sequence 112; last sequence 113');
      expect(run.output).toContain('Saved acme/platform/queue/crm/lead_intake: updated, version 2 -> 3.');
      expect(run.output).toContain('No differences.');
    },
  },
  {
    runs: 'metasource export --out backup.jsonl',
    check: (run, dir) => {
      expect(run.output).toMatch(new RegExp(`Exported ${SAMPLE_RECORDS} records of 2 tenants to backup\\.jsonl in \\d+ ms\\.`));
      const records = readFileSync(join(dir, 'backup.jsonl'), 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => MetadataRecordSchema.parse(JSON.parse(line)));
      expect(records).toHaveLength(SAMPLE_RECORDS);
      expect(records.find((record) => record.tenantId === 'acme' && record.name === 'lead_intake')).toMatchObject({
        version: 3,
        payload: { reassignAfterHours: 24 },
      });
    },
  },
  {
    runs: 'metasource diff metadata rollback-tree',
    check: (run, dir) => {
      expect(run.output).toContain('No differences.');
      const item = JSON.parse(readFileSync(join(dir, 'rollback-tree/acme/platform/queue/crm/lead_intake.json'), 'utf8'));
      expect(item).toMatchObject({ version: 3, payload: { reassignAfterHours: 24 } });
      expect(item.createdAt).toBeUndefined();
    },
  },
  {
    runs: 'metasource import backup.jsonl --atomic --preserve-versions',
    check: (run, dir) => {
      expect(existsSync(join(dir, 'metadata.db.broken'))).toBe(true);
      expect(run.output).toContain(`Committed: ${SAMPLE_RECORDS} records written in one transaction.`);
      expect(run.output).toContain('No differences.');
      expect(sqliteRowCount(join(dir, 'metadata.db'), TABLE)).toBe(SAMPLE_RECORDS);
    },
  },
];

const BLOCKS = shellBlocks();
const stepsOf = (kind: 'sqlite' | 'hybrid') =>
  BLOCKS.filter((block) => block.marker && 'step' in block.marker && block.marker.step === kind);
const SQLITE = stepsOf('sqlite');
const HYBRID = stepsOf('hybrid');

let main: { dir: string; env: NodeJS.ProcessEnv };
let hybrid: { dir: string; env: NodeJS.ProcessEnv };
const runs: StepRun[] = [];

beforeAll(() => {
  assertBuilt();
  main = workspace();
  hybrid = workspace();
});

afterAll(() => {
  for (const space of [main, hybrid]) if (space) rmSync(space.dir, { recursive: true, force: true });
});

describe('the migration guide’s commands', { timeout: 60_000 }, () => {
  it('marks every sh block as a step, or says why it is not run', () => {
    expect(BLOCKS.filter((block) => block.marker === undefined).map(where)).toEqual([]);
    expect(SQLITE.length).toBe(SQLITE_CHECKS.length);
    expect(HYBRID.length).toBeGreaterThan(0);
    SQLITE.forEach((block, index) => expect(block.code, where(block)).toContain(SQLITE_CHECKS[index]!.runs));
  });

  it('no longer holds the Python export comparison: diff compares the files with the database', () => {
    const guide = readFileSync(join(ROOT, GUIDE), 'utf8');
    expect(guide).not.toContain('compare_exports');
    expect(guide).toContain('metasource diff metadata metadata_db');
  });

  it('runs each sqlite step in order, each exiting 0 and doing what the guide says', () => {
    for (const [index, block] of SQLITE.entries()) {
      const run = runStep(block, main.dir, main.env);
      runs.push(run);
      expect(run.code, `${where(block)} exited with ${run.code}:\n${run.output}`).toBe(0);
      SQLITE_CHECKS[index]!.check(run, main.dir);
    }
    expect(runs).toHaveLength(SQLITE.length);
  });

  it('leaves a restored store that keeps the versions of the backup', async () => {
    expect(runs).toHaveLength(SQLITE.length);
    const query = await runCli(['query', '--tenant', 'acme', '--type', 'queue', '--name', 'lead_intake', '--json'], {
      cwd: main.dir,
    });
    expect(jsonResult(query, QueryResultSchema).records.map((record) => record.version)).toEqual([3]);
  });

  it('moves only the platform and user scopes in the hybrid setup, after the configure and create-the-tables steps', () => {
    const setup = SQLITE.filter((block) => /^[34]\. /.test(block.section));
    expect(setup.map((block) => block.section)).toEqual(['3. Configure the datasource and the loaders', '4. Create the tables']);
    for (const block of [...setup, ...HYBRID]) {
      const run = runStep(block, hybrid.dir, hybrid.env);
      expect(run.code, `${where(block)} exited with ${run.code}:\n${run.output}`).toBe(0);
      if (block.marker && 'step' in block.marker && block.marker.step === 'hybrid') expect(run.output).toContain('No differences.');
    }
    const sample = readdirSync(SAMPLE_TREE, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.json'));
    const moved = sample.filter((file) => file.split(/[\\/]/)[1] !== 'system');
    expect(moved.length).toBeLessThan(sample.length);
    expect(sqliteRowCount(join(hybrid.dir, 'metadata.db'), TABLE)).toBe(moved.length);
    expect(readdirSync(join(hybrid.dir, 'customisations', 'acme')).sort()).toEqual(['platform', 'user']);
  });
});
