/**
 * Zod and JSON Schema must judge every input alike. For each registered
 * schema this draws inputs from the emitted input-variant JSON Schema (valid
 * values and mutations of them), asks Zod and Ajv, and collects every
 * disagreement not explained by a rule the manifest lists as unchecked. For
 * every input Zod accepts, Zod's output must satisfy the output variant.
 */
import fc from 'fast-check';
import type { z } from 'zod';
import { UNCHECKED_RULES_KEYWORD, metasourceSchemas } from '../packages/spec/src/index';
import { ajvForVariant } from './ajv';
import { fileStem, ID_BASE } from './json-schema';
import { SchemaStore, inputArb, type Json } from './arbitrary';

export interface ParityReport {
  id: string;
  tried: number;
  zodAccepted: number;
  explained: number;
  byMutation: Record<string, number>;
  problems: { kind: 'disagreement' | 'output'; input: Json; zod: boolean; ajv: boolean; detail: string }[];
}

type Issue = z.core.$ZodIssue;

/** True when Zod's rejection comes only from rules JSON Schema does not check. */
function explainedByUncheckedRules(issues: readonly Issue[], unchecked: ReadonlySet<string>): boolean {
  return (
    issues.length > 0 &&
    issues.every((issue) => {
      if (issue.code === 'custom') return unchecked.has(String((issue.params as { rule?: string } | undefined)?.rule));
      if (issue.code === 'invalid_union') {
        return issue.errors.some((branch) => explainedByUncheckedRules(branch, unchecked));
      }
      return false;
    })
  );
}

const input = ajvForVariant('input');
const output = ajvForVariant('output');
const store = new SchemaStore(input.files.map((f) => f.schema));
const manifest = input.files.find((f) => f.file === 'manifest.json');
if (manifest) throw new Error('manifest.json must not sit in a variant folder');

/** Every rule name the emitted schemas list under the vendor keyword. */
function uncheckedRuleNames(): Set<string> {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === UNCHECKED_RULES_KEYWORD) for (const r of v as { name: string }[]) names.add(r.name);
        else visit(v);
      }
    }
  };
  input.files.forEach((f) => visit(f.schema));
  return names;
}
export const UNCHECKED = uncheckedRuleNames();

export function schemaIds(): string[] {
  return [...metasourceSchemas().keys()];
}

type Obj = Record<string, Json>;

/**
 * Schema-specific repairs of generated values, for cross-field rules that
 * connect values by name. They only make more samples valid; mutations are
 * applied afterwards, so the rules are still probed from both sides.
 */
const REPAIRS: Record<string, (value: Json) => Json> = {
  MetasourceConfig: (value) => {
    const config = value as Obj;
    const datasources = (config.datasources ?? []) as Obj[];
    datasources.forEach((d, i) => {
      d.name = `ds_${i}`;
    });
    if (datasources.length > 0 && config.metadata && typeof config.metadata === 'object') {
      (config.metadata as Obj).datasource = 'ds_0';
    }
    ((config.loaders ?? []) as Obj[]).forEach((loader, i) => {
      loader.name = `loader_${i}`;
      if (loader.protocol === 'datasource' && loader.datasourceConfig && typeof loader.datasourceConfig === 'object') {
        (loader.datasourceConfig as Obj).datasource = 'ds_0';
      }
    });
    return config;
  },
};

export function runParity(id: string, seed: number, count: number): ParityReport {
  const zodSchema = metasourceSchemas().get(id);
  const $id = `${ID_BASE}/input/${fileStem(id)}.json`;
  const validateInput = input.ajv.getSchema($id);
  const validateOutput = output.ajv.getSchema(`${ID_BASE}/output/${fileStem(id)}.json`);
  if (!zodSchema || !validateInput || !validateOutput) throw new Error(`no schema for ${id}`);
  const report: ParityReport = { id, tried: 0, zodAccepted: 0, explained: 0, byMutation: {}, problems: [] };
  const samples = fc.sample(inputArb(store, store.get($id), REPAIRS[id]), { seed, numRuns: count });
  for (const { mutation, value } of samples) {
    report.tried++;
    report.byMutation[mutation] = (report.byMutation[mutation] ?? 0) + 1;
    const zodResult = zodSchema.safeParse(value);
    const ajvOk = validateInput(value) as boolean;
    if (zodResult.success) {
      report.zodAccepted++;
      if (!validateOutput(JSON.parse(JSON.stringify(zodResult.data)))) {
        report.problems.push({
          kind: 'output',
          input: value,
          zod: true,
          ajv: ajvOk,
          detail: JSON.stringify(validateOutput.errors?.slice(0, 3)),
        });
      }
    }
    if (zodResult.success === ajvOk) continue;
    if (!zodResult.success && ajvOk && explainedByUncheckedRules(zodResult.error.issues, UNCHECKED)) {
      report.explained++;
      continue;
    }
    report.problems.push({
      kind: 'disagreement',
      input: value,
      zod: zodResult.success,
      ajv: ajvOk,
      detail: zodResult.success
        ? `ajv: ${JSON.stringify(validateInput.errors?.slice(0, 3))}`
        : `zod: ${JSON.stringify(zodResult.error.issues.slice(0, 3))}`,
    });
  }
  return report;
}

/** Renders an input so that an own `__proto__` key shows up as it is. */
export function showInput(value: Json): string {
  const text = JSON.stringify(value);
  return text.length > 2000 ? `${text.slice(0, 2000)}... (${text.length} chars)` : text;
}
