/**
 * Zod/JSON Schema parity, property-based (issue #3). CI runs a fixed seed;
 * `pnpm parity --seed N --count M` runs any other.
 */
import { describe, expect, it } from 'vitest';
import { UNCHECKED, runParity, schemaIds, showInput } from '../support/parity';

const SEED = Number(process.env.PARITY_SEED ?? 20261127);
const COUNT = Number(process.env.PARITY_COUNT ?? 10_000);

describe(`Zod and JSON Schema agree (seed ${SEED}, ${COUNT} inputs per schema)`, () => {
  it.each(schemaIds())(
    '%s',
    (id) => {
      const report = runParity(id, SEED, COUNT);
      const shown = report.problems
        .slice(0, 5)
        .map((p) => `${p.kind} zod=${p.zod} ajv=${p.ajv}\n  input: ${showInput(p.input)}\n  ${p.detail}`);
      console.log(
        `parity ${id}: ${report.tried} inputs, ${report.zodAccepted} valid, ${report.explained} explained by unchecked rules, ${report.problems.length} unexplained`,
      );
      expect(report.tried).toBe(COUNT);
      // The generator must reach the valid side too, or agreement would prove little.
      expect(report.zodAccepted, 'valid samples').toBeGreaterThanOrEqual(Math.ceil(COUNT * 0.02));
      expect(report.problems, shown.join('\n')).toEqual([]);
      // 10,000 inputs of a large schema take a few seconds on a 2-core machine.
    },
    120_000,
  );

  it('lists the rules JSON Schema does not check', () => {
    console.log(`unchecked rules: ${[...UNCHECKED].sort().join(', ')}`);
    expect(UNCHECKED.size).toBeGreaterThan(0);
  });
});
