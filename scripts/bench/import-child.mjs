// One import-cost sample, run by scripts/bench/import-cost.ts in a fresh Node
// process: `node --expose-gc import-child.mjs <specifier> [preload]`.
// Plain JavaScript, so no TypeScript loader is in the process being measured.
// Node's own start-up is not measured: the clock and the heap baseline start
// here, right before the dynamic import. `preload` is imported first, outside
// the measurement (to see what a module costs on top of zod).
const [specifier, preload] = process.argv.slice(2);
if (preload) await import(preload);
const collect = () => {
  globalThis.gc();
  globalThis.gc();
};
collect();
const heapBefore = process.memoryUsage().heapUsed;
const start = performance.now();
await import(specifier);
const ms = performance.now() - start;
collect();
const heap = process.memoryUsage().heapUsed - heapBefore;
process.stdout.write(JSON.stringify({ ms, heap }));
