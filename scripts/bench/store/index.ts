/**
 * `pnpm bench:store`: the SQL stores (SQLite file, PostgreSQL, MariaDB)
 * against the same database clients with no store, on this machine's
 * servers (scripts/ensure-databases.sh). Build first (`pnpm run
 * build:package`): the stores are packages/store/dist, as a user imports
 * them. Each database gets a test database of its own, dropped at the end.
 *
 * Sections per database: bulk import (1,000, 10,000 and 100,000 records),
 * get by key (cache miss and hit), a cursor-paged query through the largest
 * table with its plan, and export (rate and memory). It prints progress and
 * figures, then a line per target (MET or MISSED) and, for a missed one,
 * the measured figures that limit it. Not a test: it exits 0 either way.
 *
 * Flags:
 *   --quick           small counts (100, 300, 1,000 records): a check that everything runs
 *   --only=a,b        some of sqlite, postgres, mysql (a partial run cannot --write)
 *   --batch-size=N    the import's batchSize (default 100, the option's own default)
 *   --out-dir=DIR     write results.json, import-rate.svg and report.md there
 *   --write           write docs/benchmarks/{results.json,import-rate.svg} and the figures of docs/BENCHMARKS.md
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import type { SqlDriver } from '../../../packages/store/src/sql/layout';
import { SQL_DRIVERS } from '../../../packages/store/src/sql/testing';
import { ROOT, heading } from '../lib';
import { storePackageVersion } from './clients';
import { benchQuery } from './cursor';
import { benchExport } from './export';
import { benchGet } from './get';
import { BenchDatabase } from './harness';
import { benchImport } from './import';
import { evaluate, printDatabase, printTargets, renderReport, type BenchResults, type DatabaseResult } from './report';
import { importRateChart } from './svg';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'batch-size': { type: 'string', default: '100' },
    'out-dir': { type: 'string' },
    write: { type: 'boolean', default: false },
  },
  strict: true,
});

const drivers: SqlDriver[] = flags.only === undefined ? [...SQL_DRIVERS] : flags.only.split(',').map((name) => name.trim() as SqlDriver);
for (const driver of drivers) {
  if (!SQL_DRIVERS.includes(driver)) throw new Error(`--only: ${driver} is not one of ${SQL_DRIVERS.join(', ')}`);
}
if (flags.write && (flags.quick || drivers.length !== SQL_DRIVERS.length)) {
  throw new Error('--write records the figures of a full run: leave out --quick and --only');
}
const batchSize = Number(flags['batch-size']);
if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
  throw new Error('--batch-size must be a whole number from 1 to 10,000');

const settings = flags.quick
  ? { sizes: [100, 300, 1000], runs: 1, traceRecords: 300, getKeys: 100 }
  : { sizes: [1000, 10_000, 100_000], runs: 3, traceRecords: 10_000, getKeys: 2000 };

const command = ['pnpm bench:store', ...process.argv.slice(2)].join(' ');
const started = performance.now();
const cpu = cpus();
const results: BenchResults = {
  date: new Date().toISOString(),
  command,
  quick: flags.quick,
  machine: {
    cpu: `${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}`,
    memoryGb: totalmem() / 1024 ** 3,
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    loadAverage: { start: loadavg()[0]!, end: 0 },
  },
  versions: Object.fromEntries(['kysely', 'better-sqlite3', 'pg', 'mysql2'].map((name) => [name, storePackageVersion(name)])),
  settings: { ...settings, batchSize },
  databases: [],
  seconds: 0,
};

console.log('# @metasource/store benchmark');
console.log(`date: ${results.date}`);
console.log(
  `machine: ${results.machine.cpu}, ${results.machine.memoryGb.toFixed(1)} GB, node ${results.machine.node} (${results.machine.platform}), load average ${results.machine.loadAverage.start.toFixed(2)}`,
);
console.log(
  `clients: ${Object.entries(results.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ')}`,
);
console.log(`command: ${command}`);

for (const driver of drivers) {
  const db = await BenchDatabase.create(driver);
  heading(`${db.name}`);
  try {
    const imported = await benchImport(db, { sizes: settings.sizes, runs: settings.runs, batchSize, traceRecords: settings.traceRecords });
    const largest = Math.max(...settings.sizes);
    const second = settings.sizes[settings.sizes.length - 2]!;
    const tables = { store: imported.storeTable, baseline: imported.baselineTable, records: largest };
    // As an operator does after a bulk load: fresh planner statistics, for the store's table and the baseline's.
    await db.analyze(tables.store);
    await db.analyze(tables.baseline);
    const get = await benchGet(db, tables, settings.getKeys);
    const query = await benchQuery(db, tables.store, largest);
    const exported = await benchExport(db, [
      { store: `store_${second}_1`, baseline: `base_${second}_1`, records: second },
      { store: tables.store, baseline: tables.baseline, records: largest },
    ]);
    const result: DatabaseResult = {
      driver,
      name: db.name,
      version: db.version,
      import: imported,
      get,
      query,
      export: exported,
      targets: [],
    };
    result.targets = evaluate(result);
    results.databases.push(result);
    printDatabase(result);
  } finally {
    await db.drop();
  }
}

results.seconds = (performance.now() - started) / 1000;
results.machine.loadAverage.end = loadavg()[0]!;
printTargets(results);

const outputs: { dir: string; report: 'file' | 'doc' }[] = [];
if (flags['out-dir'] !== undefined) outputs.push({ dir: flags['out-dir'], report: 'file' });
if (flags.write) outputs.push({ dir: join(ROOT, 'docs/benchmarks'), report: 'doc' });
for (const output of outputs) {
  mkdirSync(output.dir, { recursive: true });
  const json = join(output.dir, 'results.json');
  // Formatted as the repository's Prettier config wants it (pnpm check runs prettier --check).
  writeFileSync(json, await prettier.format(JSON.stringify(results), { ...(await prettier.resolveConfig(json)), filepath: json }));
  writeFileSync(join(output.dir, 'import-rate.svg'), importRateChart(results));
  const report = renderReport(results, 'benchmarks/import-rate.svg');
  if (output.report === 'file') {
    writeFileSync(join(output.dir, 'report.md'), report);
  } else {
    const doc = join(ROOT, 'docs/BENCHMARKS.md');
    writeFileSync(doc, replaceFigures(readFileSync(doc, 'utf8'), report));
  }
  console.log(
    `wrote ${relative(process.cwd(), output.dir) || '.'}: results.json, import-rate.svg${output.report === 'doc' ? ', and the figures of docs/BENCHMARKS.md' : ', report.md'}`,
  );
}

/** The doc with the text between its figure markers replaced by the report. */
function replaceFigures(doc: string, report: string): string {
  const begin = '<!-- figures:begin (written by pnpm bench:store --write) -->';
  const end = '<!-- figures:end -->';
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/BENCHMARKS.md has no ${begin} ... ${end} block to write the figures into`);
  return `${doc.slice(0, from + begin.length)}\n\n${report.trim()}\n\n${doc.slice(to)}`;
}
