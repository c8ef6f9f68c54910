/**
 * The committed JSON Schema files: complete, valid against their
 * meta-schemas, compilable by Ajv in strict mode, and annotated.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { generateJsonSchemaFiles, registeredIds, fileStem, ID_BASE } from '../support/json-schema';
import { RULE_ENCODINGS_KEYWORD, metasourceSchemas } from '../packages/spec/src/index';
import { JSON_SCHEMA_DIR, ajvForVariant, createAjv, readVariant } from '../support/ajv';
import { strictEncoding } from '../support/strict-encoding';

const VARIANTS = ['input', 'output', 'draft-07/input', 'draft-07/output'] as const;

describe.each(VARIANTS)('json-schema/%s', (dir) => {
  const { ajv, files } = ajvForVariant(dir);

  it('has one file per registered schema', () => {
    const stems = files.map((f) => f.file.replace(/\.json$/, '')).filter((s) => s !== 'shared-defs');
    expect(stems.sort()).toEqual(registeredIds().map(fileStem).sort());
  });

  it.each(files.map((f) => [f.file, f.schema] as const))(
    '%s is valid against its meta-schema and compiles in strict mode',
    (_file, schema) => {
      expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
      expect(() => ajv.getSchema(schema.$id)).not.toThrow();
      expect(ajv.getSchema(schema.$id)).toBeTypeOf('function');
    },
  );

  it.each(files.map((f) => [f.file, f.schema] as const))('%s has a title, a description and a versioned $id', (file, schema) => {
    expect(schema.$id).toBe(`${ID_BASE}/${dir}/${file}`);
    expect(schema.title).toEqual(expect.any(String));
    if (file !== 'shared-defs.json') expect(schema.description).toEqual(expect.any(String));
  });
});

describe('bundles', () => {
  it.each(['input', 'output'] as const)('bundle.%s.json compiles and resolves every definition', (io) => {
    const ajv = createAjv('draft-2020-12');
    const bundle = JSON.parse(readFileSync(join(JSON_SCHEMA_DIR, `bundle.${io}.json`), 'utf8'));
    ajv.addSchema(bundle);
    for (const { schema } of readVariant(io)) expect(ajv.getSchema(schema.$id), schema.$id).toBeTypeOf('function');
  });
});

describe('generator', () => {
  it('is deterministic and matches the committed files', () => {
    const first = JSON.stringify(generateJsonSchemaFiles());
    expect(JSON.stringify(generateJsonSchemaFiles())).toBe(first);
    for (const file of generateJsonSchemaFiles()) {
      expect(JSON.parse(readFileSync(join(JSON_SCHEMA_DIR, file.path), 'utf8')), file.path).toEqual(file.json);
    }
  });

  it('marks defaulted fields optional in the input variant and required in the output variant', () => {
    const input = readVariant('input').find((f) => f.file === 'metadata-record.json')!.schema;
    const output = readVariant('output').find((f) => f.file === 'metadata-record.json')!.schema;
    expect(input.required).not.toContain('version');
    expect(output.required).toContain('version');
    expect((input.properties as Record<string, { default?: unknown }>).version!.default).toBe(1);
  });
});

describe('rule encodings', () => {
  // What a schema declares in `withRules`, and what the generator publishes.
  const declared = {
    if: { properties: { locked: { const: true } }, required: ['locked', 'mode'] },
    then: {
      properties: { max: { maximum: 10 }, tags: { minItems: 1 }, name: { pattern: '^a' } },
      anyOf: [{ required: ['max'] }, { not: { properties: { mode: { enum: ['x'] } } } }],
    },
  };

  it('are made acceptable to Ajv strict mode: a type beside type-specific keywords, every required key declared', () => {
    expect(strictEncoding(declared)).toEqual({
      if: { properties: { locked: { const: true }, mode: true }, required: ['locked', 'mode'] },
      then: {
        properties: { max: { maximum: 10, type: 'number' }, tags: { minItems: 1, type: 'array' }, name: { pattern: '^a', type: 'string' } },
        anyOf: [{ required: ['max'], properties: { max: true } }, { not: { properties: { mode: { enum: ['x'] } } } }],
      },
    });
    expect(() => createAjv('draft-2020-12').compile({ type: 'object', allOf: [declared] })).toThrow(/strict mode/);
    expect(() => createAjv('draft-2020-12').compile({ type: 'object', allOf: [strictEncoding(declared)] })).not.toThrow();
  });

  it('judge every object alike before and after the rewrite', () => {
    const ajv = new Ajv2020({ strict: false });
    const before = ajv.compile({ type: 'object', allOf: [declared] });
    const after = ajv.compile({ type: 'object', allOf: [strictEncoding(declared)] });
    const objects = [
      {},
      { locked: true },
      { locked: true, mode: 'y', max: 10, tags: ['t'], name: 'ab' },
      { locked: true, mode: 'y', max: 11 },
      { locked: true, mode: 'x', tags: [] },
      { locked: true, mode: 'x', name: 'b', max: 1 },
      { locked: false, max: 99 },
    ];
    for (const value of objects) expect(after(value), JSON.stringify(value)).toBe(before(value));
  });

  it('are published as declared by each schema, made strict', () => {
    const files = new Map(readVariant('input').map((f) => [f.file, JSON.stringify(f.schema)]));
    let published = 0;
    for (const [id, schema] of metasourceSchemas()) {
      const declared = (schema.meta()?.[RULE_ENCODINGS_KEYWORD] ?? []) as Record<string, unknown>[];
      for (const encoding of declared) {
        expect(files.get(`${fileStem(id)}.json`), `${id}: ${String(encoding.$comment)}`).toContain(
          JSON.stringify(strictEncoding(encoding)),
        );
        published++;
      }
    }
    expect(published).toBeGreaterThanOrEqual(20);
  });
});

describe('rules JSON Schema does not check', () => {
  // The only place where Zod and JSON Schema may disagree. Pinned here so that
  // a rule never drops out of its JSON Schema encoding unnoticed: removing a
  // rule's `jsonSchema` moves it onto this list, and the parity suite would
  // then count its disagreements as explained.
  it('are exactly these', () => {
    const manifest = JSON.parse(readFileSync(join(JSON_SCHEMA_DIR, 'manifest.json'), 'utf8')) as {
      schemas: { uncheckedRules: { name: string }[] }[];
    };
    const names = [...new Set(manifest.schemas.flatMap((s) => s.uncheckedRules.map((r) => r.name)))].sort();
    expect(names).toEqual([
      'column_names_unique',
      'datasource_loader_uses_metadata_store',
      'datasource_names_unique',
      'events_consecutive',
      'events_of_page_tenant',
      'index_names_unique',
      'initial_delay_not_above_max',
      'items_in_request_order',
      'last_sequence_of_last_event',
      'loader_names_unique',
      'max_page_size_not_above_max_result_size',
      'metadata_datasource_declared',
      'pool_min_not_above_max',
      'source_differs_from_target',
      'table_schema_matches_target',
      'table_schema_needs_schema_support',
      'total_not_below_record_count',
      'updated_after_before_updated_before',
      'version_follows_previous_version',
      'write_tenants_readable',
    ]);
  });
});
