/**
 * 1. Validation: Zod `safeParse` of the built package against Ajv compiled
 *    from the emitted INPUT JSON Schema, on one valid and one invalid input.
 *
 * Fairness: Ajv's `useDefaults` writes defaults into the object it validates,
 * so every call, on both sides, gets its own fresh deep copy of the input.
 * The copies are made with `structuredClone` in batches BEFORE the clock
 * starts; only the validation calls are timed. Both sides report every issue
 * (Zod always does; Ajv has `allErrors`) and fill defaults; Ajv cannot fill a
 * default inside an `anyOf`/`oneOf` branch, and cannot check the cross-field
 * rules the emitted files list as unchecked: the report says where either
 * applies (there Zod does more work than Ajv).
 *
 * A third column shows `z.compile(schema)` (zod 4.6's ahead-of-time compiler,
 * which a consumer can opt into); it refuses schemas that contain a reference
 * cycle, such as the open JSON payload of a record.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { type Case, validationCases } from './inputs';
import {
  JSON_SCHEMA_DIR,
  type Schema,
  type TargetResult,
  ajvNotes,
  fmt,
  heading,
  inputAjv,
  inputSchemaId,
  median,
  schemaById,
  spec,
  table,
} from './lib';

/** Warm-up per validator and input, then ROUNDS alternating rounds of ROUND_MS each; the median round counts. */
const WARM_UP_MS = 200;
const ROUNDS = 5;
const ROUND_MS = 80;
/** Aim for batches this long, so clock reads are a small share. */
const BATCH_MS = 5;

type Run = (input: unknown) => boolean;

/**
 * ops/s of each validator on `input`. Rounds alternate between the
 * validators, so a slow moment of a shared machine hits all of them alike.
 */
function opsPerSecond(runs: Run[], input: unknown): number[] {
  const copies = (n: number) => Array.from({ length: n }, () => structuredClone(input));
  let sink = 0;
  const round = (run: Run, ms: number, batch: number, grow: boolean) => {
    let ops = 0;
    let time = 0;
    while (time < ms) {
      const pool = copies(batch);
      const start = performance.now();
      for (let i = 0; i < pool.length; i++) if (run(pool[i])) sink++;
      const elapsed = performance.now() - start;
      time += elapsed;
      ops += batch;
      if (grow && elapsed < BATCH_MS) batch *= 2;
    }
    return { rate: (ops / time) * 1000, batch };
  };
  const batches = runs.map((run) => round(run, WARM_UP_MS, 1, true).batch);
  const rates: number[][] = runs.map(() => []);
  for (let r = 0; r < ROUNDS; r++) runs.forEach((run, i) => rates[i]!.push(round(run, ROUND_MS, batches[i]!, false).rate));
  if (sink < 0) console.log(sink);
  return rates.map(median);
}

/**
 * Names of the cross-field rules that JSON Schema cannot express, listed in
 * the emitted files under the vendor keyword: Zod checks them, Ajv cannot.
 * Follows `$ref`s from the schema's input file through the other files.
 */
function rulesOnlyZodChecks(id: string): string[] {
  const file = inputSchemaId(id).split('/').pop()!;
  const names = new Set<string>();
  const seenFiles = new Set<string>();
  const visitFile = (name: string) => {
    if (seenFiles.has(name)) return;
    seenFiles.add(name);
    visit(JSON.parse(readFileSync(join(JSON_SCHEMA_DIR, 'input', name), 'utf8')));
  };
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === spec.UNCHECKED_RULES_KEYWORD) for (const rule of value as { name: string }[]) names.add(rule.name);
      else if (key === '$ref' && typeof value === 'string' && value.startsWith('./')) visitFile(value.slice(2).split('#')[0]!);
      else visit(value);
    }
  };
  visitFile(file);
  return [...names].sort();
}

interface Validators {
  zod: (input: unknown) => boolean;
  compiled: ((input: unknown) => boolean) | string;
  ajv: (input: unknown) => boolean;
  issues: (input: unknown) => { zod: number; ajv: number };
  /** Whether Zod's parsed value equals the object Ajv filled with defaults. */
  sameOutput: (input: unknown) => boolean;
}

function validators(c: Case, ajvFor: (id: string) => (input: unknown) => boolean): Validators {
  const schema: Schema = schemaById(c.id);
  const ajv = ajvFor(c.id) as ((input: unknown) => boolean) & { errors?: unknown[] | null };
  let compiled: Validators['compiled'];
  try {
    const fast = z.compile(schema, { strict: true });
    compiled = (input) => fast.safeParse(input).success;
  } catch (error) {
    compiled = (error as Error).message.includes('reference cycle') ? 'n/a: cycle' : 'n/a';
  }
  return {
    zod: (input) => schema.safeParse(input).success,
    compiled,
    ajv,
    issues: (input) => {
      const zodIssues = schema.safeParse(structuredClone(input)).error?.issues.length ?? 0;
      ajv(structuredClone(input));
      return { zod: zodIssues, ajv: ajv.errors?.length ?? 0 };
    },
    sameOutput: (input) => {
      const filled = structuredClone(input);
      ajv(filled);
      return isDeepStrictEqual(schema.safeParse(structuredClone(input)).data, filled);
    },
  };
}

export function benchValidation(): TargetResult[] {
  heading('1. Validation (ops/s, higher is better; Zod = dist, Ajv = json-schema/input, allErrors + useDefaults)');
  const ajv = inputAjv();
  const ajvFor = (id: string) => {
    const validate = ajv.getSchema(inputSchemaId(id));
    if (!validate) throw new Error(`Ajv has no schema for ${id}`);
    return validate as (input: unknown) => boolean;
  };

  const rows: (string | number)[][] = [];
  const results: TargetResult[] = [];
  const cases = validationCases();
  for (const c of cases) {
    const v = validators(c, ajvFor);
    for (const [kind, input, expected] of [
      ['valid', c.valid, true],
      ['invalid', c.invalid, false],
    ] as const) {
      // Both must agree with the expectation before anything is timed.
      const verdicts = { zod: v.zod(structuredClone(input)), ajv: v.ajv(structuredClone(input)) };
      if (verdicts.zod !== expected || verdicts.ajv !== expected) {
        throw new Error(`${c.id} ${kind} input: expected ${expected}, got Zod ${verdicts.zod}, Ajv ${verdicts.ajv}`);
      }
      const runs = [v.zod, v.ajv, ...(typeof v.compiled === 'function' ? [v.compiled] : [])];
      const [zodOps, ajvOps, compiledOps] = opsPerSecond(runs, input) as [number, number, number | undefined];
      const issues = kind === 'invalid' ? v.issues(input) : undefined;
      rows.push([
        `${c.id} (${c.label})`,
        kind + (issues ? ` (${issues.zod}/${issues.ajv} issues)` : ` (${v.sameOutput(input) ? 'same' : 'other'} output)`),
        fmt.int(zodOps),
        compiledOps === undefined ? (v.compiled as string) : fmt.int(compiledOps),
        fmt.int(ajvOps),
        fmt.ratio(zodOps / ajvOps),
        compiledOps === undefined ? '-' : fmt.ratio(compiledOps / ajvOps),
      ]);
      if (kind === 'valid') {
        const ratio = zodOps / ajvOps;
        results.push({ target: `Zod >= 0.3x Ajv, valid ${c.id}`, pass: ratio >= 0.3, measured: fmt.ratio(ratio) });
      }
    }
  }
  table(['schema (input)', 'input', 'Zod', 'z.compile', 'Ajv', 'Zod/Ajv', 'compile/Ajv'], rows, 2);
  console.log(
    `\nEach figure: median of ${ROUNDS} rounds of ${ROUND_MS} ms, rounds alternating between validators, after ${WARM_UP_MS} ms of warm-up each.`,
  );
  console.log('Every call gets its own structuredClone of the input, made before the clock starts (Ajv useDefaults mutates its input).');
  console.log(
    "Output column: whether Zod's parsed value deep-equals the object Ajv filled with defaults ('other': Ajv skipped defaults, see below).",
  );
  for (const c of cases) {
    const rules = rulesOnlyZodChecks(c.id);
    if (rules.length > 0) console.log(`${c.id}: Zod also checks ${rules.length} rule(s) JSON Schema cannot express: ${rules.join(', ')}.`);
  }
  if (ajvNotes.size > 0) console.log(`Ajv (strictSchema: log) noted: ${[...ajvNotes].join('; ')}`);
  console.log(
    'Issues column: issues Zod reports / errors Ajv reports for the invalid input (Ajv counts each failed keyword, e.g. both anyOf branches).',
  );
  return results;
}
