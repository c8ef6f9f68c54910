/**
 * 3. Import cost: a fresh `node --expose-gc` process per sample imports one
 * entry point of the built package (ESM) or zod alone; the child
 * (import-child.mjs) times the dynamic import and measures the heap retained
 * after GC, against a baseline taken just before. Samples of all targets are
 * interleaved, so a busy moment of the machine does not hit one target only.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { type TargetResult, ROOT, fmt, heading, median, table } from './lib';

const RUNS = 15;
const CHILD = join(import.meta.dirname, 'import-child.mjs');

interface Target {
  label: string;
  specifier: string;
  preload?: string;
}

const TARGETS: Target[] = [
  { label: 'zod alone', specifier: 'zod' },
  { label: '@metasource/spec (root)', specifier: '@metasource/spec' },
  { label: '@metasource/spec/shared', specifier: '@metasource/spec/shared' },
  { label: '@metasource/spec/data', specifier: '@metasource/spec/data' },
  { label: '@metasource/spec/system', specifier: '@metasource/spec/system' },
  { label: 'root, zod already loaded', specifier: '@metasource/spec', preload: 'zod' },
];

function sample(target: Target): { ms: number; heap: number } {
  const args = ['--expose-gc', CHILD, target.specifier, ...(target.preload ? [target.preload] : [])];
  return JSON.parse(execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' })) as { ms: number; heap: number };
}

export function benchImportCost(): TargetResult[] {
  heading(`3. Import cost (fresh node process per sample, ESM from dist, median of ${RUNS})`);
  const samples = TARGETS.map(() => ({ ms: [] as number[], heap: [] as number[] }));
  // One throw-away round, so the file system cache is warm for every target alike.
  TARGETS.forEach(sample);
  for (let run = 0; run < RUNS; run++) {
    TARGETS.forEach((target, i) => {
      const { ms, heap } = sample(target);
      samples[i]!.ms.push(ms);
      samples[i]!.heap.push(heap);
    });
  }
  const medians = samples.map((s) => ({ ms: median(s.ms), heap: median(s.heap) }));
  const zod = medians[0]!;
  table(
    ['import', 'time', 'vs zod', 'heap after GC', 'vs zod'],
    TARGETS.map((target, i) => {
      const m = medians[i]!;
      const relative = !target.preload;
      return [
        target.label,
        fmt.ms(m.ms),
        relative ? fmt.ratio(m.ms / zod.ms) : `+${((m.ms / zod.ms) * 100).toFixed(0)}%`,
        fmt.kb(m.heap),
        relative ? fmt.ratio(m.heap / zod.heap) : `+${((m.heap / zod.heap) * 100).toFixed(0)}%`,
      ];
    }),
  );
  console.log(
    '\nTime: performance.now() around `await import()` in the child; heap: heapUsed after two gc() calls minus the same before the import.',
  );
  console.log('"zod already loaded": the package\'s own share, imported after zod (outside the measurement) in the same process.');
  const root = medians[1]!;
  return [
    { target: 'root import time <= 1.3x zod', pass: root.ms / zod.ms <= 1.3, measured: fmt.ratio(root.ms / zod.ms) },
    { target: 'root import heap <= 1.3x zod', pass: root.heap / zod.heap <= 1.3, measured: fmt.ratio(root.heap / zod.heap) },
  ];
}
