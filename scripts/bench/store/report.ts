/**
 * The store benchmark's results: their shape (results.json), the verdict on
 * each target of issue #12 with, for a missed one, the measured figures that
 * limit it, the printed tables, and the Markdown of docs/BENCHMARKS.md's
 * figures.
 */
import type { SqlDriver } from '../../../packages/store/src/sql/layout';
import { fmt, table } from '../lib';
import type { QueryResult } from './cursor';
import { EXPORT_PAGE_SIZE } from './data';
import type { ExportResult } from './export';
import type { GetResult } from './get';
import type { ImportResult } from './import';
import type { Latency } from './stats';

export interface DatabaseResult {
  driver: SqlDriver;
  name: string;
  version: string;
  import: ImportResult;
  get: GetResult;
  query: QueryResult;
  export: ExportResult;
  targets: Target[];
}

export interface BenchResults {
  date: string;
  command: string;
  quick: boolean;
  /** loadAverage: the 1-minute load average when the run started and when it ended (the machine may be shared). */
  machine: { cpu: string; memoryGb: number; node: string; platform: string; loadAverage: { start: number; end: number } };
  versions: Record<string, string>;
  settings: { sizes: number[]; runs: number; traceRecords: number; getKeys: number; batchSize: number };
  databases: DatabaseResult[];
  seconds: number;
}

export interface Target {
  target: string;
  met: boolean;
  measured: string;
  /** For a missed target: what limits it, in measured figures. */
  limit?: string;
}

/** The bars of issue #12. */
export const BARS = {
  importRatio: 0.5,
  /** A growth exponent up to this is linear (a rate at 100,000 records at least 63% of the rate at 1,000)... */
  linearExponent: 1.1,
  /** ...or, whatever it is, no more than the baseline's on the same database plus this (the database's own growth). */
  baselineExponentMargin: 0.05,
  getRatio: 1.5,
  /** The median page time of a cursor walk's slowest tenth over its first pages': above this a page got slower as it went deeper. */
  pageRatio: 1.25,
  exportHeapMb: 64,
} as const;

const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)}%`;
/** A duration: milliseconds below 10 seconds, seconds above. */
const time = (ms: number): string => (ms < 10_000 ? fmt.ms(ms) : `${(ms / 1000).toFixed(2)} s`);
const us = (value: number) => `${value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US')} µs`;
const count = (n: number) => n.toLocaleString('en-US');
const statements = (n: number) => (Number.isInteger(n) ? `${n} ${n === 1 ? 'statement' : 'statements'}` : `${n.toFixed(2)} statements`);

/** Statements per record of the traced import, by kind, largest first. */
function statementsPerRecord(result: ImportResult): string {
  const { trace } = result;
  const kinds = Object.entries(trace.byKind)
    .sort((a, b) => (trace.msByKind[b[0]] ?? 0) - (trace.msByKind[a[0]] ?? 0))
    .map(([kind, n]) => `${kind} ${count(n)} (${time(trace.msByKind[kind] ?? 0)})`)
    .join(', ');
  return `${count(trace.statements)} statements for ${count(trace.records)} records, ${(trace.statements / trace.records).toFixed(3)} per record: ${kinds}`;
}

/** Where the traced import's time went. */
function importSplit(result: ImportResult): string {
  const { trace } = result;
  const other = trace.ms - trace.clientMs - trace.validationMs;
  return (
    `traced import of ${count(trace.records)} records: ${time(trace.ms)}, of it ${time(trace.clientMs)} (${pct(trace.clientMs, trace.ms)}) in the database client, ` +
    `${time(trace.validationMs)} (${pct(trace.validationMs, trace.ms)}) validating the records with Zod (timed alone), ` +
    `${time(other)} (${pct(other, trace.ms)}) the rest of the store's work (checksums, plans, rows, events, Kysely compiling the statements)`
  );
}

export function evaluate(result: DatabaseResult): Target[] {
  const { import: imported, get, query } = result;
  const targets: Target[] = [];

  const worst = imported.points.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  const importMet = imported.points.every((point) => point.ratio >= BARS.importRatio);
  const baselineAtWorst = worst.baseline.ms;
  targets.push({
    target: `import at least ${BARS.importRatio}x the baseline`,
    met: importMet,
    measured: imported.points.map((point) => `${fmt.ratio(point.ratio)} at ${count(point.records)}`).join(', '),
    ...(importMet
      ? {}
      : {
          limit:
            `${statementsPerRecord(imported)}; ${importSplit(imported)}. ` +
            `The baseline writes ${count(worst.records)} records in ${time(baselineAtWorst)} (${us((baselineAtWorst * 1000) / worst.records)} per record); ` +
            `the store's validation alone takes ${us((imported.trace.validationMs * 1000) / imported.trace.records)} per record.`,
        }),
  });

  const { store: growth, baseline: baseGrowth } = imported.growth;
  const linear = growth <= BARS.linearExponent || growth <= baseGrowth + BARS.baselineExponentMargin;
  const first = imported.points[0]!;
  const last = imported.points[imported.points.length - 1]!;
  targets.push({
    target: `import grows linearly from ${count(first.records)} to ${count(last.records)} records`,
    met: linear,
    measured: `exponent ${growth.toFixed(2)} (baseline ${baseGrowth.toFixed(2)}); ${fmt.int(first.store.rate)} -> ${fmt.int(last.store.rate)} records/s`,
    ...(linear
      ? {}
      : {
          limit: `above both ${BARS.linearExponent} and the baseline's exponent + ${BARS.baselineExponentMargin}: the store's time per record grows with the table beyond what the database's own does`,
        }),
  });

  const getMet = get.missRatio.median <= BARS.getRatio;
  const fastest = get.baselineFastest === 'prepared' ? get.baselineByKey : get.baselineUnprepared;
  targets.push({
    target: `uncached get within ${BARS.getRatio}x the baseline`,
    met: getMet,
    measured: `median ${fmt.ratio(get.missRatio.median)} (${us(get.storeMiss.medianUs)} vs ${us(fastest.medianUs)}, ${get.baselineFastest}), p99 ${fmt.ratio(get.missRatio.p99)}`,
    ...(getMet
      ? {}
      : {
          limit:
            `${statements(get.trace.statements)} per miss and ${statements(get.trace.hitStatements)} per hit (${us(get.storeHit.medianUs)}). The bare client reads the same row in ${us(get.baselineUnprepared.medianUs)} with the SELECT prepared anew, ` +
            `as Kysely's drivers send every statement, and in ${us(get.baselineByKey.medianUs)} with it prepared once: ` +
            `the store's own work on a miss (parsing the call context, key and options, building and compiling the SELECT with Kysely, the connection pool, decoding the row, ` +
            `a deep copy for the cache and one for the caller) adds ${us(get.storeMiss.medianUs - get.baselineUnprepared.medianUs)} to the first, ` +
            (get.baselineUnprepared.medianUs >= get.baselineByKey.medianUs
              ? `and preparing the statement anew costs ${us(get.baselineUnprepared.medianUs - get.baselineByKey.medianUs)} more than the second`
              : `and here preparing anew is the faster way, by ${us(get.baselineByKey.medianUs - get.baselineUnprepared.medianUs)}`),
        }),
  });

  const worstTenth = Math.max(...query.tenthsMs);
  const deepest = query.tenthsMs.indexOf(worstTenth) + 1;
  const pagesMet = worstTenth <= BARS.pageRatio * query.startMs && query.indexUsed;
  targets.push({
    target: 'cursor pages as fast deep in the walk as at its start, on the configured index',
    met: pagesMet,
    measured:
      `median page ${time(query.startMs)} over the first ${query.edgePages} pages, ${time(worstTenth)} over the slowest tenth of the walk (tenth ${deepest}, ${fmt.ratio(worstTenth / query.startMs)}), ` +
      `${time(query.endMs)} over the last ${query.edgePages}; index ${query.index} ${query.indexUsed ? 'used' : 'NOT used'}`,
    ...(pagesMet
      ? {}
      : {
          limit: query.indexUsed
            ? `the keyset condition after the cursor is an OR of one term per sort key ((name > ?) OR (name = ? AND id > ?)), which no plan uses as one index range starting at the cursor, ` +
              `so a page reads more rows than its own, more or fewer by where it is in the walk (the slowest tenth's median page is ${fmt.ratio(worstTenth / query.startMs)} the first pages'); ` +
              `the plan of the slowest page (page ${count(query.slowestPage)}, ${time(query.slowestMs)}) is shown with the figures`
            : `the last page's plan (below) does not use ${query.index}`,
        }),
  });

  const largest = result.export.points[result.export.points.length - 1]!;
  const exportMet = largest.liveHeapPeakMb < BARS.exportHeapMb;
  targets.push({
    target: `export memory flat (live heap growth under ${BARS.exportHeapMb} MB)`,
    met: exportMet,
    measured:
      result.export.points.map((point) => `${point.liveHeapPeakMb.toFixed(1)} MB at ${count(point.records)}`).join(', ') +
      ` (peak with uncollected garbage ${result.export.points.map((point) => `${point.heapPeakMb.toFixed(1)} MB`).join(', ')})`,
    ...(exportMet
      ? {}
      : { limit: `the live heap grows by ${largest.liveHeapPeakMb.toFixed(1)} MB over the export of ${count(largest.records)} records` }),
  });
  return targets;
}

const latencyCells = (value: Latency) => [us(value.medianUs), us(value.p99Us)];
const signedMb = (mb: number) => `${mb >= 0 ? '+' : ''}${mb.toFixed(1)} MB`;

/** Prints one database's figures. */
export function printDatabase(result: DatabaseResult): void {
  const { import: imported, get, query } = result;
  console.log(
    `\n${result.name} ${result.version}; import batchSize ${imported.batchSize}, payloads ${Math.round(imported.payloadBytes)} bytes of JSON on average\n`,
  );
  table(
    ['import', 'store', 'store rec/s', 'baseline', 'baseline rec/s', 'store/baseline'],
    imported.points.map((point) => [
      `${count(point.records)} records${point.runs > 1 ? ` (best of ${point.runs})` : ''}`,
      time(point.store.ms),
      fmt.int(point.store.rate),
      time(point.baseline.ms),
      fmt.int(point.baseline.rate),
      fmt.ratio(point.ratio),
    ]),
  );
  console.log(`growth exponent: store ${imported.growth.store.toFixed(2)}, baseline ${imported.growth.baseline.toFixed(2)} (1 = linear)`);
  console.log(`${statementsPerRecord(imported)}`);
  console.log(`${importSplit(imported)}\n`);
  table(
    ['get', 'median', 'p99'],
    [
      [`store, cache miss (${count(get.keys)} keys)`, ...latencyCells(get.storeMiss)],
      ['store, cache hit', ...latencyCells(get.storeHit)],
      ['baseline, by key (identity index)', ...latencyCells(get.baselineByKey)],
      ['baseline, by key, unprepared', ...latencyCells(get.baselineUnprepared)],
      ['baseline, by id (primary key)', ...latencyCells(get.baselineById)],
      [`store miss / baseline by key, ${get.baselineFastest}`, fmt.ratio(get.missRatio.median), fmt.ratio(get.missRatio.p99)],
    ],
  );
  console.log(
    `traced misses: ${get.trace.statements.toFixed(2)} statements per get, ${us(get.trace.clientUs)} in the client of ${us(get.trace.callUs)} per call; ` +
      `hits: ${get.trace.hitStatements.toFixed(2)} statements per get\n`,
  );
  console.log(
    `query: ${count(query.records)} records in ${count(query.pages)} pages of ${query.pageSize}; median of ${query.edgePages} pages: ` +
      `${time(query.startMs)} at the start, ${time(query.endMs)} at the end (${fmt.ratio(query.ratio)}), slowest ${time(query.slowestMs)} (page ${count(query.slowestPage)}); ` +
      `index ${query.index} ${query.indexUsed ? 'used' : 'NOT used'}`,
  );
  console.log(`median page time by tenth of the pages: ${query.tenthsMs.map((ms) => ms.toFixed(2)).join(', ')} ms`);
  console.log(`plan of the slowest page (${count(query.slowestPage)}):`);
  for (const line of query.slowestPlan) console.log(`  ${line}`);
  console.log('plan of the last page:');
  for (const line of query.lastPlan) console.log(`  ${line}`);
  console.log('');
  table(
    ['export', 'time', 'records/s', 'live heap', 'heap peak', 'RSS peak', 'heap after'],
    [
      ...result.export.points.map((point) => [
        `store, ${count(point.records)} records`,
        time(point.ms),
        fmt.int(point.rate),
        signedMb(point.liveHeapPeakMb),
        signedMb(point.heapPeakMb),
        signedMb(point.rssPeakMb),
        signedMb(point.heapAfterMb),
      ]),
      [
        `baseline, ${count(result.export.baseline.records)} records`,
        time(result.export.baseline.ms),
        fmt.int(result.export.baseline.rate),
        '',
        '',
        '',
        '',
      ],
    ],
  );
  console.log('plan of the last export page:');
  for (const line of result.export.points[result.export.points.length - 1]!.plan) console.log(`  ${line}`);
}

/** Prints every target's verdict, with the limit of a missed one. */
export function printTargets(results: BenchResults): void {
  console.log('\n## Targets\n');
  for (const database of results.databases) {
    for (const target of database.targets) {
      console.log(`${target.met ? 'MET   ' : 'MISSED'}  ${database.name}: ${target.target}: ${target.measured}`);
      if (target.limit) console.log(`        limited by: ${target.limit}`);
    }
  }
  const all = results.databases.flatMap((database) => database.targets);
  console.log(
    `\n${all.filter((target) => target.met).length} of ${all.length} targets met; run took ${results.seconds.toFixed(0)} s; ` +
      `load average ${results.machine.loadAverage.start.toFixed(2)} at the start, ${results.machine.loadAverage.end.toFixed(2)} at the end.`,
  );
}

/** A Markdown table. */
function markdownTable(header: string[], rows: (string | number)[][], rightFrom = 1): string {
  const align = header.map((_, index) => (index < rightFrom ? '---' : '---:'));
  return [header, align, ...rows.map((row) => row.map(String))].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

/** The figures of docs/BENCHMARKS.md: machine, versions, command, tables, chart, targets and plans. */
export function renderReport(results: BenchResults, chartPath: string): string {
  const { machine, databases } = results;
  const lines: string[] = [];
  lines.push(`Run of ${results.date.slice(0, 16).replace('T', ' ')} UTC, ${results.seconds.toFixed(0)} s, with \`${results.command}\`.`);
  lines.push('');
  lines.push(
    markdownTable(
      ['machine', ''],
      [
        ['CPU', machine.cpu],
        ['memory', `${machine.memoryGb.toFixed(1)} GB`],
        ['Node.js', `${machine.node} (${machine.platform})`],
        ['load average (1 min)', `${machine.loadAverage.start.toFixed(2)} at the start, ${machine.loadAverage.end.toFixed(2)} at the end`],
        ...databases.map((database) => [database.name, database.version]),
        [
          'clients',
          Object.entries(results.versions)
            .map(([name, version]) => `${name} ${version}`)
            .join(', '),
        ],
        [
          'import',
          `atomic, batchSize ${results.settings.batchSize}; payloads of ${Math.round(databases[0]?.import.payloadBytes ?? 0)} bytes of JSON on average`,
        ],
      ],
      2,
    ),
  );
  lines.push('', '### Import', '');
  lines.push(`![Import rate against record count](${chartPath})`, '');
  lines.push(
    markdownTable(
      ['database', 'records', 'store', 'store records/s', 'baseline', 'baseline records/s', 'store / baseline'],
      databases.flatMap((database) =>
        database.import.points.map((point) => [
          database.name,
          `${count(point.records)}${point.runs > 1 ? ` (best of ${point.runs})` : ''}`,
          time(point.store.ms),
          fmt.int(point.store.rate),
          time(point.baseline.ms),
          fmt.int(point.baseline.rate),
          fmt.ratio(point.ratio),
        ]),
      ),
      2,
    ),
  );
  lines.push('');
  lines.push(
    markdownTable(
      ['database', 'growth exponent, store', 'baseline', 'statements per record', 'time in the client', 'Zod validation'],
      databases.map((database) => {
        const { trace, growth } = database.import;
        return [
          database.name,
          growth.store.toFixed(2),
          growth.baseline.toFixed(2),
          (trace.statements / trace.records).toFixed(3),
          pct(trace.clientMs, trace.ms),
          pct(trace.validationMs, trace.ms),
        ];
      }),
    ),
  );
  lines.push('');
  lines.push(
    `Growth exponent: log(time ratio) / log(size ratio) from ${count(results.settings.sizes[0]!)} to ${count(results.settings.sizes[results.settings.sizes.length - 1]!)} records (1 = linear). ` +
      `The last three columns are of a traced import of ${count(results.settings.traceRecords)} records: statements sent per record, the share of its time spent in the database client, and the share that validating the same records with Zod takes alone.`,
  );
  lines.push('', 'Statements of the traced import, by kind, with the time the client spent on them:', '');
  for (const database of databases) lines.push(`- ${database.name}: ${statementsPerRecord(database.import)}.`);
  lines.push('', '### Get by key', '');
  lines.push(
    markdownTable(
      [
        'database',
        'store, miss',
        'store, hit',
        'baseline by key, prepared',
        'baseline by key, unprepared',
        'baseline by id',
        'miss / faster baseline by key',
        'client time of a miss',
      ],
      databases.map((database) => {
        const { get } = database;
        return [
          database.name,
          `${us(get.storeMiss.medianUs)} (p99 ${us(get.storeMiss.p99Us)})`,
          `${us(get.storeHit.medianUs)} (p99 ${us(get.storeHit.p99Us)})`,
          `${us(get.baselineByKey.medianUs)} (p99 ${us(get.baselineByKey.p99Us)})`,
          `${us(get.baselineUnprepared.medianUs)} (p99 ${us(get.baselineUnprepared.p99Us)})`,
          `${us(get.baselineById.medianUs)} (p99 ${us(get.baselineById.p99Us)})`,
          `${fmt.ratio(get.missRatio.median)} (p99 ${fmt.ratio(get.missRatio.p99)}), ${get.baselineFastest}`,
          `${us(get.trace.clientUs)} of ${us(get.trace.callUs)}`,
        ];
      }),
    ),
  );
  lines.push(
    '',
    `Medians (99th percentiles) of ${count(databases[0]?.get.keys ?? 0)} keys read one after another. The store is held to the faster of the baseline's two reads by key. ` +
      'The last column: of a traced miss (traced calls run slower than the others), the median time from handing the statement to the client to its answer being taken, which includes any wait for the event loop, and of the whole call.',
  );
  lines.push('', '### Cursor-paged query', '');
  lines.push(
    markdownTable(
      ['database', 'records', 'pages', 'first pages', 'slowest tenth', 'last pages', 'slowest page', 'index'],
      databases.map((database) => {
        const { query } = database;
        return [
          database.name,
          count(query.records),
          count(query.pages),
          time(query.startMs),
          `${time(Math.max(...query.tenthsMs))} (${fmt.ratio(Math.max(...query.tenthsMs) / query.startMs)})`,
          time(query.endMs),
          `${time(query.slowestMs)} (page ${count(query.slowestPage)})`,
          `${query.index} ${query.indexUsed ? 'used' : 'not used'}`,
        ];
      }),
    ),
  );
  lines.push(
    '',
    `${count(databases[0]?.query.pageSize ?? 0)} records per page. First and last pages: the median time of the first and of the last ${databases[0]?.query.edgePages ?? 0} full pages; ` +
      'slowest tenth: the median page time of the tenth of the walk where pages are slowest (the verdict compares it with the first pages).',
  );
  lines.push('', 'Median page time by tenth of the pages, first to last:', '');
  for (const database of databases) lines.push(`- ${database.name}: ${database.query.tenthsMs.map((ms) => ms.toFixed(2)).join(', ')} ms`);
  for (const database of databases) {
    const { query } = database;
    lines.push(
      '',
      `${database.name}, the statement of a page (as the store sent it), the plan of the slowest page (${count(query.slowestPage)}) and of the last page:`,
      '',
    );
    lines.push('```sql', query.statement, '```', '');
    lines.push('```text', ...query.slowestPlan, '```', '');
    lines.push('```text', ...query.lastPlan, '```');
  }
  lines.push('', '### Export', '');
  lines.push(
    markdownTable(
      ['database', 'records', 'time', 'records/s', 'live heap', 'heap peak', 'RSS peak', 'heap after', 'baseline records/s'],
      databases.flatMap((database) =>
        database.export.points.map((point, index) => [
          database.name,
          count(point.records),
          time(point.ms),
          fmt.int(point.rate),
          signedMb(point.liveHeapPeakMb),
          signedMb(point.heapPeakMb),
          signedMb(point.rssPeakMb),
          signedMb(point.heapAfterMb),
          index === database.export.points.length - 1 ? fmt.int(database.export.baseline.rate) : '',
        ]),
      ),
      2,
    ),
  );
  lines.push(
    '',
    `Growth over a collected heap before the export: live heap, the peak right after a full collection at each tenth of the records (a second, untimed pass); ` +
      `heap peak and RSS peak, sampled every 100 records of the timed pass (the heap's peak includes garbage not yet collected); heap after, once the export is done and collected. ` +
      `Pages of ${count(EXPORT_PAGE_SIZE)} records (performance.batchSize); the baseline reads pages of 1,000 rows by primary key.`,
  );
  for (const database of databases) {
    const largest = database.export.points[database.export.points.length - 1]!;
    lines.push('', `${database.name}, the plan of the last export page:`, '');
    lines.push('```text', ...largest.plan, '```');
  }
  lines.push('', '### Targets', '');
  lines.push(
    markdownTable(
      ['database', 'target', 'verdict', 'measured'],
      databases.flatMap((database) =>
        database.targets.map((target) => [database.name, target.target, target.met ? 'met' : '**missed**', target.measured]),
      ),
      4,
    ),
  );
  const missed = databases.flatMap((database) => database.targets.filter((target) => !target.met).map((target) => ({ database, target })));
  if (missed.length > 0) {
    lines.push('', 'What limits each missed target, as measured in this run:', '');
    for (const { database, target } of missed) lines.push(`- ${database.name}, ${target.target}: ${target.limit}`);
  }
  return `${lines.join('\n')}\n`;
}
