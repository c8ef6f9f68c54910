/**
 * Ajv set up the way the protocol expects a JSON Schema consumer to be:
 * strict mode, all errors, formats on, the vendor keyword declared, and every
 * file of one variant folder loaded so cross-file `$ref`s resolve.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { UNCHECKED_RULES_KEYWORD } from '../packages/spec/src/index';

export const JSON_SCHEMA_DIR = join(import.meta.dirname, '../packages/spec/json-schema');

export type JsonSchemaFile = { file: string; schema: Record<string, unknown> & { $id: string } };

/** Every `.json` file of one variant folder (`input`, `output`, `draft-07/input`, ...). */
export function readVariant(dir: string): JsonSchemaFile[] {
  const full = join(JSON_SCHEMA_DIR, dir);
  return readdirSync(full)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, schema: JSON.parse(readFileSync(join(full, file), 'utf8')) }));
}

export interface AjvOptions {
  /** Fill defaults into the validated data (the benchmark's fair comparison with Zod's parse). */
  useDefaults?: boolean;
}

export function createAjv(draft: 'draft-2020-12' | 'draft-07', options: AjvOptions = {}): Ajv {
  const Impl = draft === 'draft-2020-12' ? Ajv2020 : Ajv;
  const ajv = new Impl({
    strict: true,
    // zod writes a union of primitive types as `type: [...]`, which strict mode
    // accepts only with this option.
    allowUnionTypes: true,
    allErrors: true,
    useDefaults: options.useDefaults ?? false,
  });
  addFormats(ajv);
  ajv.addKeyword({ keyword: UNCHECKED_RULES_KEYWORD, schemaType: 'array' });
  return ajv;
}

/** An Ajv instance holding every file of `dir`, ready to `getSchema(<$id>)`. */
export function ajvForVariant(dir: string, options: AjvOptions = {}): { ajv: Ajv; files: JsonSchemaFile[] } {
  const draft = dir.startsWith('draft-07') ? 'draft-07' : 'draft-2020-12';
  const ajv = createAjv(draft, options);
  const files = readVariant(dir);
  for (const { schema } of files) ajv.addSchema(schema);
  return { ajv, files };
}
