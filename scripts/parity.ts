/**
 * Zod/JSON Schema parity on demand, with any seed and count:
 *
 *   pnpm parity                          # seed 20261127, 10,000 inputs per schema (what CI runs)
 *   pnpm parity --seed 7 --count 100000  # another seed, more inputs
 *   pnpm parity --schema MetadataRecord  # one schema (repeat the flag for more)
 *
 * Prints one line per schema and every unexplained disagreement with its
 * input; exits 1 when there is any.
 */
import { parseArgs } from 'node:util';
import { runParity, schemaIds, showInput, UNCHECKED } from '../support/parity';

// `pnpm run parity -- --seed 7` passes the `--` on; it separates pnpm's options from ours, not ours from positionals.
const args = process.argv.slice(2);
const { values } = parseArgs({
  args: args[0] === '--' ? args.slice(1) : args,
  options: {
    seed: { type: 'string', default: '20261127' },
    count: { type: 'string', default: '10000' },
    schema: { type: 'string', multiple: true },
  },
});
const seed = Number(values.seed);
const count = Number(values.count);
if (!Number.isInteger(seed) || !Number.isInteger(count) || count < 1) {
  console.error('--seed and --count take whole numbers (count at least 1)');
  process.exit(2);
}
const ids = values.schema ?? schemaIds();
const unknown = ids.filter((id) => !schemaIds().includes(id));
if (unknown.length > 0) {
  console.error(`unknown schema id(s): ${unknown.join(', ')}; known: ${schemaIds().join(', ')}`);
  process.exit(2);
}

console.log(`parity: seed ${seed}, ${count} inputs per schema, ${ids.length} schemas`);
console.log(`rules JSON Schema does not check: ${[...UNCHECKED].sort().join(', ')}`);
let problems = 0;
let total = 0;
const started = performance.now();
for (const id of ids) {
  const report = runParity(id, seed, count);
  total += report.tried;
  problems += report.problems.length;
  console.log(
    `${id.padEnd(28)} ${String(report.tried).padStart(7)} inputs  ${String(report.zodAccepted).padStart(7)} valid  ${String(report.explained).padStart(6)} explained  ${report.problems.length} unexplained`,
  );
  for (const p of report.problems.slice(0, 10)) {
    console.log(`  ${p.kind}: zod=${p.zod} ajv=${p.ajv}\n    input: ${showInput(p.input)}\n    ${p.detail}`);
  }
}
console.log(`parity: ${total} inputs in ${((performance.now() - started) / 1000).toFixed(1)} s, ${problems} unexplained disagreements`);
process.exit(problems > 0 ? 1 : 0);
