/**
 * `pnpm bench`: size and speed figures of the built @metasource/spec, side by
 * side with what they are compared to, in one run. Build first
 * (`pnpm run build:package`); the figures are of packages/spec/dist.
 *
 * Not a test: it prints figures and a PASS/MISS line per target, and exits 0
 * either way (a figure on a busy machine is not a failure of the code).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { benchBundle } from './bundle';
import { benchGrowth } from './growth';
import { benchImportCost } from './import-cost';
import { benchPackageSize } from './package-size';
import { ROOT, type TargetResult, heading, table } from './lib';
import { benchTypecheck } from './typecheck';
import { benchValidation } from './validation';

const dist = join(ROOT, 'packages/spec/dist/index.js');
if (!existsSync(dist)) throw new Error('packages/spec/dist is missing: run `pnpm run build:package` first');

const started = performance.now();
console.log('# @metasource/spec benchmark');
console.log(`date: ${new Date().toISOString()}`);
console.log(`node: ${process.version} (${process.platform}/${process.arch}), ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}`);
const versionOf = (name: string) =>
  (JSON.parse(readFileSync(createRequire(import.meta.url).resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
console.log(`zod ${versionOf('zod')}, ajv ${versionOf('ajv')}, esbuild ${versionOf('esbuild')}, typescript ${versionOf('typescript')}`);
console.log(`package: packages/spec/dist, built ${statSync(dist).mtime.toISOString()}; KB = 1,024 bytes`);

benchPackageSize();
const results: TargetResult[] = [];
results.push(...benchValidation());
results.push(...(await benchGrowth()));
results.push(...benchImportCost());
results.push(...(await benchBundle()));
results.push(...benchTypecheck());

heading('Summary');
table(
  ['result', 'target', 'measured'],
  results.map((r) => [r.pass ? 'PASS' : 'MISS', r.target, r.measured]),
  2,
);
console.log(
  `\n${results.filter((r) => r.pass).length} of ${results.length} targets met; run took ${((performance.now() - started) / 1000).toFixed(0)} s.`,
);
