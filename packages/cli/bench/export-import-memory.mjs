#!/usr/bin/env node
/**
 * Peak memory of `metasource import` and `metasource export` (and `diff` of
 * the export against the database) on SQLite, for a small and a large
 * record count, so that flat memory shows as the same peak for both. Runs
 * the built binary (packages/cli/dist/cli.js) as a child process and reads
 * its peak resident set size (VmHWM of /proc/<pid>/status, Linux) until it
 * exits. A benchmark, not a test: it prints numbers and asserts nothing.
 *
 *   node packages/cli/bench/export-import-memory.mjs [--records 10000,100000] [--batch-size 1000] [--keep]
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index === -1 ? fallback : args[index + 1];
};
const counts = String(option('--records', '10000,100000'))
  .split(',')
  .map((value) => Number(value.replaceAll('_', '')));
const batchSize = Number(option('--batch-size', '1000'));
const keep = args.includes('--keep');

/** The peak resident set size of a process so far, in bytes (VmHWM), or undefined once it has exited. */
function peakRss(pid) {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `metasource ARGS` in `cwd`; resolves with its exit code, duration, peak RSS and last stdout line. */
function measure(cwd, commandArgs) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, ...commandArgs], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    let peak = 0;
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    const timer = setInterval(() => (peak = Math.max(peak, peakRss(child.pid) ?? 0)), 20);
    child.on('error', reject);
    child.on('exit', () => (peak = Math.max(peak, peakRss(child.pid) ?? 0)));
    child.on('close', (code) => {
      clearInterval(timer);
      const lines = stdout.trim().split('\n');
      resolve({ code, ms: Date.now() - started, peak, result: lines[lines.length - 1] });
    });
  });
}

async function writeRecords(path, count) {
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) {
    const line = JSON.stringify({
      tenantId: `tenant_${i % 7}`,
      type: ['object', 'view', 'layout', 'flow'][i % 4],
      namespace: 'bench',
      name: `item_${i}`,
      payload: {
        label: `Item ${i}`,
        description: 'A record of the memory benchmark, with a payload of a realistic size.'.repeat(2),
        fields: Object.fromEntries(
          Array.from({ length: 8 }, (_, f) => [`field_${f}`, { type: f % 2 ? 'text' : 'number', required: f === 0 }]),
        ),
      },
      tags: ['bench'],
    });
    if (!out.write(`${line}\n`)) await new Promise((resolve) => out.once('drain', resolve));
  }
  await new Promise((resolve) => out.end(resolve));
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const rows = [];
const baselineDir = mkdtempSync(join(tmpdir(), 'metasource-bench-'));
const baseline = await measure(baselineDir, ['--version']);
rmSync(baselineDir, { recursive: true, force: true });

for (const count of counts) {
  const dir = mkdtempSync(join(tmpdir(), 'metasource-bench-'));
  mkdirSync(join(dir, '.metasource'));
  writeFileSync(
    join(dir, 'metasource.json'),
    JSON.stringify({
      datasources: [{ driver: 'sqlite', name: 'bench_db', connection: { filename: './.metasource/bench.db' } }],
      metadata: { datasource: 'bench_db', performance: { cache: { enabled: false } } },
    }),
  );
  await writeRecords(join(dir, 'records.jsonl'), count);
  const runs = [
    ['import', ['import', 'records.jsonl', '--batch-size', String(batchSize), '--quiet', '--json']],
    ['export', ['export', '--out', 'export.jsonl', '--quiet', '--json']],
    ['diff', ['diff', 'export.jsonl', 'bench_db', '--quiet', '--json']],
  ];
  for (const [name, commandArgs] of runs) {
    const run = await measure(dir, commandArgs);
    if (run.code !== 0) throw new Error(`${name} of ${count} records exited with ${run.code}: ${run.result}`);
    rows.push({
      command: name,
      records: count,
      seconds: (run.ms / 1000).toFixed(1),
      perSecond: Math.round((count * 1000) / run.ms),
      peak: run.peak,
    });
  }
  rows[rows.length - 2].file = mb(statSync(join(dir, 'export.jsonl')).size);
  if (keep) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}

console.log(
  `metasource on SQLite, batches of ${batchSize}; node ${process.version}; peak RSS of \`metasource --version\`: ${mb(baseline.peak)}`,
);
console.log('');
console.log('| command | records | time | records/s | peak RSS | file |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) {
  console.log(
    `| ${row.command} | ${row.records.toLocaleString('en-US')} | ${row.seconds} s | ${row.perSecond.toLocaleString('en-US')} | ${mb(row.peak)} | ${row.file ?? ''} |`,
  );
}
