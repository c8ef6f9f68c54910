/**
 * 2. Growth: Zod parse time as inputs grow by 10x and 100x. Linear growth
 * shows as a flat time per item and a growth exponent near 1
 * (log(time ratio) / log(size ratio)); 2 would be quadratic.
 *
 * A parse that keeps 100,000 output records alive is also slowed by memory:
 * each major GC traces more, and caches hold less. So GC time is measured
 * apart (PerformanceObserver 'gc' entries) and the verdict is on the
 * exponent without it, over the whole range (100x). The largest input is also
 * parsed in pieces of the next smaller size, every output kept alive: a time
 * near the whole one means the parse itself is linear, whatever memory does
 * (on a shared 2-core machine that ratio swings both ways by up to ~1.5x).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { bulkCreate, minimalRecord, typicalRecord } from './inputs';
import { type TargetResult, fmt, heading, schemaById, table } from './lib';

/**
 * Runs per size; the fastest counts (the run least disturbed by the JIT or
 * the rest of the machine, which is what a growth ratio needs). Fewer runs for
 * the largest input, which takes longest.
 */
const RUNS = (items: number) => (items >= 100_000 ? 5 : 9);
/** An exponent (without GC, over 100x) at most this high counts as linear; quadratic work would show 1.5 to 2. */
const LINEAR_LIMIT = 1.25;

interface Series {
  label: string;
  unit: string;
  sizes: number[];
  input: (n: number, offset?: number) => unknown;
  parse: (input: unknown) => unknown;
}

interface Timing {
  ms: number;
  gcMs: number;
}

let gcMs = 0;

/**
 * Best time to parse `n` items: whole (one input of `n`), or in `n / piece`
 * inputs of `piece` items each, every output kept alive until the clock stops.
 */
async function timeParse(series: Series, n: number, piece = n): Promise<Timing> {
  const inputs = Array.from({ length: n / piece }, (_, i) => series.input(piece, i * piece));
  let best: Timing = { ms: Infinity, gcMs: 0 };
  for (let i = 0; i < RUNS(n); i++) {
    // Zod does not mutate its input; a fresh copy anyway, so no run sees a warmer object than another.
    const copies = inputs.map((input) => structuredClone(input));
    const outputs: unknown[] = [];
    // Each run starts from a collected heap (the bench runs with --expose-gc), so GC debt of one run does not land in the next.
    (globalThis as { gc?: () => void }).gc?.();
    await sleep(10); // GC entries arrive asynchronously: let those of the collection above pass
    gcMs = 0;
    const start = performance.now();
    for (const copy of copies) outputs.push(series.parse(copy));
    const ms = performance.now() - start;
    await sleep(10);
    if (!outputs.every((o) => (o as { success: boolean }).success))
      throw new Error(`${series.label}: the ${n}-${series.unit} input does not parse`);
    if (ms < best.ms) best = { ms, gcMs };
  }
  return best;
}

const exponent = (a: { n: number; ms: number }, b: { n: number; ms: number }) => Math.log(b.ms / a.ms) / Math.log(b.n / a.n);

export async function benchGrowth(): Promise<TargetResult[]> {
  heading('2. Growth (Zod safeParse of the built package, best time per parse)');
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  observer.observe({ entryTypes: ['gc'] });

  const bulk = schemaById('MetadataBulkOperation');
  const record = schemaById('MetadataRecord');
  const series: Series[] = [
    {
      label: 'MetadataBulkOperation create',
      unit: 'record',
      sizes: [1_000, 10_000, 100_000],
      input: (n, offset = 0) => bulkCreate(Array.from({ length: n }, (_, i) => minimalRecord(offset + i))),
      parse: (input) => bulk.safeParse(input),
    },
    {
      label: 'MetadataRecord payload',
      unit: 'key',
      sizes: [1_000, 100_000],
      input: (n, offset = 0) => ({
        ...typicalRecord(offset),
        payload: Object.fromEntries(Array.from({ length: n }, (_, i) => [`key_${i}`, i % 2 ? `value ${i}` : i])),
      }),
      parse: (input) => record.safeParse(input),
    },
  ];

  const rows: (string | number)[][] = [];
  const results: TargetResult[] = [];
  for (const s of series) {
    // Warm-up at the second size (enough calls for the optimising JIT), so the first figure is not the JIT's.
    await timeParse(s, s.sizes[1]!);
    const points: { n: number; ms: number; own: number }[] = [];
    for (const n of s.sizes) {
      const { ms, gcMs: gc } = await timeParse(s, n);
      const point = { n, ms, own: ms - gc };
      const previous = points.at(-1);
      points.push(point);
      rows.push([
        `${s.label}, ${fmt.int(n)} ${s.unit}s`,
        fmt.ms(ms),
        fmt.ms(gc),
        `${((point.own * 1000) / n).toFixed(2)} µs`,
        previous ? `${fmt.ratio(ms / previous.ms)} for ${fmt.ratio(n / previous.n)}` : '-',
        previous ? exponent(previous, point).toFixed(2) : '-',
        previous ? exponent({ n: previous.n, ms: previous.own }, { n, ms: point.own }).toFixed(2) : '-',
      ]);
    }
    const first = points[0]!;
    const last = points.at(-1)!;
    const total = exponent(first, last);
    const own = exponent({ n: first.n, ms: first.own }, { n: last.n, ms: last.own });
    rows.push([
      `${s.label}, ${fmt.int(first.n)} -> ${fmt.int(last.n)}`,
      '',
      '',
      '',
      `${fmt.ratio(last.ms / first.ms)} for ${fmt.ratio(last.n / first.n)}`,
      total.toFixed(2),
      own.toFixed(2),
    ]);
    // The same items as the largest input, in pieces of the next smaller size.
    const piece = s.sizes.at(-2)!;
    const split = await timeParse(s, last.n, piece);
    const wholeVsSplit = last.ms / split.ms;
    rows.push([
      `${s.label}, ${fmt.int(last.n / piece)} x ${fmt.int(piece)} ${s.unit}s`,
      fmt.ms(split.ms),
      fmt.ms(split.gcMs),
      `${(((split.ms - split.gcMs) * 1000) / last.n).toFixed(2)} µs`,
      `whole / pieces ${fmt.ratio(wholeVsSplit)}`,
      '',
      '',
    ]);
    results.push({
      target: `linear growth, ${s.label}`,
      pass: own <= LINEAR_LIMIT,
      measured: `exponent ${own.toFixed(2)} (${total.toFixed(2)} with GC), whole/pieces ${fmt.ratio(wholeVsSplit)}`,
    });
  }
  observer.disconnect();
  table(['input', 'time', 'of it GC', 'per item, no GC', 'time ratio', 'exponent', 'no GC'], rows);
  console.log(
    `\nBest of ${RUNS(1)} runs (${RUNS(100_000)} at 100,000), each on a fresh structuredClone after a full GC. Exponent = log(time ratio) / log(size ratio): 1 = linear, 2 = quadratic.`,
  );
  console.log(
    `"N x M" rows: the largest input's items parsed as N inputs of M items, all outputs kept alive; whole / pieces near 1 means the parse is linear and any excess of the exponent over 1 is memory (GC, caches), not the schemas. Verdict: exponent without GC, smallest to largest, <= ${LINEAR_LIMIT}.`,
  );
  return results;
}
