/**
 * Small helpers shared by the benchmark sections: paths, the built package,
 * Ajv set up like a JSON Schema consumer, medians and table printing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
// The built package (dist), resolved through its `exports` map like any user's import.
import * as spec from '@metasource/spec';

export { spec };
export const ROOT = join(import.meta.dirname, '../..');
export const JSON_SCHEMA_DIR = join(ROOT, 'packages/spec/json-schema');

export type Schema = (typeof spec)['MetadataRecordSchema'] | (typeof spec)['SqlIdentifierSchema'];

/** A registered schema of the built package, by id (`MetadataRecord`). */
export function schemaById(id: string): Schema {
  const schema = spec.metasourceSchemas().get(id);
  if (!schema) throw new Error(`no schema registered as ${id}`);
  return schema as Schema;
}

/** The metadata (description, examples) the built package attached to a schema. */
export function metaOf(schema: Schema): { description?: string; examples?: unknown[] } {
  return (schema.meta() ?? {}) as { description?: string; examples?: unknown[] };
}

/**
 * Ajv as the protocol expects a JSON Schema consumer to run it: strict mode,
 * formats, the vendor keyword declared, every file of the draft 2020-12 INPUT
 * variant loaded so cross-file `$ref`s resolve. `allErrors` and `useDefaults`
 * on, so Ajv does what Zod's `safeParse` does: report every issue and fill
 * every default. One exception, which Ajv's design forces: Ajv never fills a
 * default inside an `anyOf`/`oneOf` branch (a connection's `port` in the host
 * form), and strict mode refuses such a schema under `useDefaults`. So
 * `strictSchema` only logs, and the messages are kept in `ajvNotes` for the
 * report: there Zod does a little more work than Ajv. (The tests compile the
 * same files with strict mode fully on.)
 */
export const ajvNotes = new Set<string>();

export function inputAjv(): Ajv2020 {
  const note = (...args: unknown[]) => void ajvNotes.add(args.join(' '));
  const ajv = new Ajv2020({
    strict: true,
    strictSchema: 'log',
    logger: { log: note, warn: note, error: note },
    allowUnionTypes: true,
    allErrors: true,
    useDefaults: true,
  });
  addFormats(ajv);
  ajv.addKeyword({ keyword: spec.UNCHECKED_RULES_KEYWORD, schemaType: 'array' });
  const dir = join(JSON_SCHEMA_DIR, 'input');
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    ajv.addSchema(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  }
  return ajv;
}

/** `$id` of a schema's file in the draft 2020-12 input variant. */
export function inputSchemaId(id: string): string {
  const manifest = JSON.parse(readFileSync(join(JSON_SCHEMA_DIR, 'manifest.json'), 'utf8')) as {
    idBase: string;
    schemas: { id: string; file: string }[];
  };
  const entry = manifest.schemas.find((s) => s.id === id);
  if (!entry) throw new Error(`json-schema/manifest.json lists no schema ${id}`);
  return `${manifest.idBase}/input/${entry.file}`;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Prints rows as a text table: the first `left` columns aligned left, the rest (figures) right. */
export function table(header: string[], rows: (string | number)[][], left = 1): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i < left ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(cells[0]!));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells.slice(1)) console.log(line(r));
}

export const fmt = {
  int: (n: number) => Math.round(n).toLocaleString('en-US'),
  ms: (n: number) => `${n.toFixed(n < 10 ? 2 : 1)} ms`,
  kb: (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`,
  ratio: (n: number) => `${n.toFixed(2)}x`,
};

/** One line of the closing summary. */
export interface TargetResult {
  target: string;
  pass: boolean;
  measured: string;
}

export function heading(title: string): void {
  console.log(`\n## ${title}\n`);
}
