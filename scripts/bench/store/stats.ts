/**
 * Figures of the store benchmark: percentiles, growth exponents, a seeded
 * random order, memory, and the progress lines a long run prints.
 */
import { median } from '../lib';

export { median };

/** The nearest-rank percentile (p in 0..100) of some values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Median and 99th percentile of latencies given in milliseconds, in microseconds. */
export interface Latency {
  samples: number;
  medianUs: number;
  p99Us: number;
}

export function latency(ms: readonly number[]): Latency {
  return { samples: ms.length, medianUs: median([...ms]) * 1000, p99Us: percentile(ms, 99) * 1000 };
}

/** log(time ratio) / log(size ratio): 1 when the time grows as the size does, 2 when as its square. */
export function growthExponent(from: { records: number; ms: number }, to: { records: number; ms: number }): number {
  return Math.log(to.ms / from.ms) / Math.log(to.records / from.records);
}

/** A seeded pseudo-random generator (mulberry32): the same keys every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A full garbage collection (the benchmark runs with --expose-gc), twice, so weak and finalised objects go too. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (pnpm bench:store does): memory figures need a full collection');
  gc();
  gc();
}

export const MB = 1024 * 1024;

/** Prints a progress line, with the seconds the step took once it is done. */
export async function step<T>(label: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  process.stdout.write(`  ${label} ... `);
  try {
    const value = await work();
    process.stdout.write(`${((performance.now() - start) / 1000).toFixed(1)} s\n`);
    return value;
  } catch (error) {
    process.stdout.write('failed\n');
    throw error;
  }
}

/** Records per second. */
export const rate = (records: number, ms: number) => (records / ms) * 1000;
