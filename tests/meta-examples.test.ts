/**
 * Every `examples` value that the schemas declare in `.meta()` is valid where
 * it is declared. The committed input-variant JSON Schema files (draft
 * 2020-12 and draft-07) are searched for the `examples` keyword at any depth
 * (top level, properties, items, variants, $defs, ...), and each example is
 * validated by Ajv against the subschema at that exact location, compiled
 * from the whole file (`<$id>#<JSON Pointer>`) so its `$ref`s resolve. The
 * examples of each top-level schema are also parsed by the Zod schema
 * registered under the file's title, from the built package.
 *
 * The search knows which keywords hold subschemas and fails on a keyword it
 * does not know, so no example can hide where it does not look.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { metasourceSchemas } from '@metasource/spec';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { JSON_SCHEMA_DIR, createAjv, readVariant, type JsonSchemaFile } from '../support/ajv';

const VARIANTS = ['input', 'draft-07/input'] as const;
type Variant = (typeof VARIANTS)[number];

/** Keywords whose value is one subschema. */
const SCHEMA_KEYWORDS = new Set([
  'not',
  'if',
  'then',
  'else',
  'items',
  'additionalItems',
  'additionalProperties',
  'unevaluatedItems',
  'unevaluatedProperties',
  'propertyNames',
  'contains',
]);
/** Keywords whose value is an array of subschemas (and `items` in draft-07's tuple form). */
const SCHEMA_ARRAY_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items']);
/** Keywords whose value maps names to subschemas. */
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
/** Keywords whose value is data, an annotation or a reference: never a subschema. `x-` vendor keywords hold data too. */
const DATA_KEYWORDS = new Set([
  '$schema',
  '$id',
  '$ref',
  '$comment',
  '$anchor',
  'title',
  'description',
  'default',
  'examples',
  'const',
  'enum',
  'type',
  'format',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minContains',
  'maxContains',
  'minProperties',
  'maxProperties',
  'required',
  'dependentRequired',
  'readOnly',
  'writeOnly',
  'deprecated',
  'contentEncoding',
  'contentMediaType',
]);

interface Example {
  /** `<variant>/<file>`, as a failure names it. */
  file: string;
  $id: string;
  /** JSON Pointer of the schema that declares the example ('' for the top level). */
  pointer: string;
  index: number;
  value: unknown;
}

const escapeSegment = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Every example declared anywhere in one schema file, in document order. */
function findExamples(variant: string, { file, schema }: JsonSchemaFile): Example[] {
  const found: Example[] = [];
  const at = (pointer: string) => `${variant}/${file}#${pointer}`;
  function visit(node: unknown, pointer: string): void {
    if (typeof node === 'boolean') return;
    if (!isObject(node)) throw new Error(`${at(pointer)}: a schema must be an object or a boolean`);
    for (const [keyword, value] of Object.entries(node)) {
      const here = `${pointer}/${escapeSegment(keyword)}`;
      if (keyword === 'examples') {
        if (!Array.isArray(value)) throw new Error(`${at(here)}: examples must be an array`);
        value.forEach((example, index) => found.push({ file: `${variant}/${file}`, $id: schema.$id, pointer, index, value: example }));
      } else if (SCHEMA_ARRAY_KEYWORDS.has(keyword) && Array.isArray(value)) {
        value.forEach((sub, i) => visit(sub, `${here}/${i}`));
      } else if (SCHEMA_KEYWORDS.has(keyword)) {
        visit(value, here);
      } else if (SCHEMA_MAP_KEYWORDS.has(keyword)) {
        if (!isObject(value)) throw new Error(`${at(here)}: ${keyword} must be an object`);
        for (const [name, sub] of Object.entries(value)) visit(sub, `${here}/${escapeSegment(name)}`);
      } else if (keyword === 'dependencies') {
        // draft-07: each value is either a list of property names or a subschema.
        if (!isObject(value)) throw new Error(`${at(here)}: dependencies must be an object`);
        for (const [name, sub] of Object.entries(value)) if (!Array.isArray(sub)) visit(sub, `${here}/${escapeSegment(name)}`);
      } else if (!DATA_KEYWORDS.has(keyword) && !keyword.startsWith('x-')) {
        throw new Error(`${at(here)}: unknown keyword ${JSON.stringify(keyword)}; teach meta-examples.test.ts whether it holds subschemas`);
      }
    }
  }
  visit(schema, '');
  return found;
}

/** The URI of the subschema at a JSON Pointer, each segment percent-encoded as a URI fragment requires. */
const locationOf = (example: Example) =>
  `${example.$id}#${example.pointer
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/')}`;

const shown = (value: unknown) => {
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
};

/**
 * One line per example that Ajv rejects at its location: file, pointer, index, the example and Ajv's errors.
 * `files` is the whole variant, so cross-file `$ref`s resolve.
 */
function invalidExamples(variant: Variant, files: JsonSchemaFile[], examples: Example[]): string[] {
  const ajv = createAjv(variant.startsWith('draft-07') ? 'draft-07' : 'draft-2020-12');
  for (const { schema } of files) ajv.addSchema(schema);
  const failures: string[] = [];
  for (const example of examples) {
    const where = `${example.file}#${example.pointer} examples[${example.index}]`;
    const validate = ajv.getSchema(locationOf(example));
    if (!validate) {
      failures.push(`${where}: Ajv finds no schema at ${locationOf(example)}`);
      continue;
    }
    if (!validate(example.value)) {
      failures.push(`${where} = ${shown(example.value)}: ${ajv.errorsText(validate.errors, { dataVar: 'example' })}`);
    }
  }
  return failures;
}

const manifest = JSON.parse(readFileSync(join(JSON_SCHEMA_DIR, 'manifest.json'), 'utf8')) as { schemas: { id: string; file: string }[] };

/** The registered Zod schema of a JSON Schema file: its title is the schema id. */
function zodSchemaOf({ file, schema }: JsonSchemaFile): z.ZodType {
  const entry = manifest.schemas.find((s) => s.file === file);
  if (!entry) throw new Error(`${file}: not in manifest.json, so it names no registered schema`);
  expect(schema.title, `${file}: the title is the schema id`).toBe(entry.id);
  const zod = metasourceSchemas().get(entry.id);
  if (!zod) throw new Error(`${file}: no Zod schema registered under the id ${entry.id}`);
  return zod;
}

const FOUND = Object.fromEntries(
  VARIANTS.map((variant) => {
    const files = readVariant(variant);
    return [variant, { files, examples: files.flatMap((f) => findExamples(variant, f)) }];
  }),
) as Record<Variant, { files: JsonSchemaFile[]; examples: Example[] }>;

describe.each(VARIANTS)('json-schema/%s', (variant) => {
  const { files, examples } = FOUND[variant];
  const nested = examples.filter((e) => e.pointer !== '').length;

  it(`declares ${examples.length} examples (${examples.length - nested} top-level, ${nested} nested), at least 300`, () => {
    expect(examples.length).toBeGreaterThanOrEqual(300);
    expect(nested).toBeGreaterThan(0);
  });

  it(`has all ${examples.length} examples valid against the subschema that declares them (Ajv)`, () => {
    const failures = invalidExamples(variant, files, examples);
    expect(failures, `${failures.length} invalid examples:\n${failures.join('\n')}`).toEqual([]);
  });
});

describe('the two drafts', () => {
  it('declare the same examples in each file', () => {
    // Compared per file, not per pointer: the drafts may nest a $ref differently.
    const perFile = (variant: Variant) => {
      const files = new Map<string, string[]>();
      for (const e of FOUND[variant].examples) {
        const file = e.file.slice(variant.length + 1);
        files.set(file, [...(files.get(file) ?? []), JSON.stringify(e.value)].sort());
      }
      return files;
    };
    expect(perFile('draft-07/input')).toEqual(perFile('input'));
  });
});

describe('top-level examples parse with the registered Zod schema', () => {
  const topLevel = FOUND.input.files
    .map((file) => [file, FOUND.input.examples.filter((e) => e.pointer === '' && e.file === `input/${file.file}`)] as const)
    .filter(([, examples]) => examples.length > 0);

  it(`covers ${topLevel.reduce((n, [, examples]) => n + examples.length, 0)} examples of ${topLevel.length} schemas`, () => {
    expect(topLevel.length).toBeGreaterThan(0);
  });

  it.each(topLevel.map(([file, examples]) => [file.file, file, examples] as const))('%s', (_name, file, examples) => {
    const zod = zodSchemaOf(file);
    const failures = examples.flatMap((example) => {
      const result = zod.safeParse(example.value);
      return result.success
        ? []
        : [`${example.file} examples[${example.index}] = ${shown(example.value)}: ${JSON.stringify(result.error.issues)}`];
    });
    expect(failures, failures.join('\n')).toEqual([]);
  });
});

describe('the check bites', () => {
  it.each(VARIANTS)(
    'in %s, reports a bad nested example with its file, pointer, index and Ajv error, checked through its $ref',
    (variant) => {
      // A copy of the variant in which one nested example, of a property that
      // refers to MachineName, is no longer a machine name.
      const files = structuredClone(FOUND[variant].files);
      const record = files.find((f) => f.file === 'metadata-record.json')!;
      const type = (record.schema.properties as Record<string, { examples?: unknown[] }>).type!;
      // Whether the generator writes the reference beside the keywords or inside allOf, it is a reference.
      expect(JSON.stringify(type)).toContain('"$ref":"./machine-name.json"');
      expect(type.examples).toEqual(['object']);
      type.examples = ['object', 'Not A Machine Name'];

      const examples = files.flatMap((f) => findExamples(variant, f));
      expect(examples).toHaveLength(FOUND[variant].examples.length + 1);
      const pattern = files.find((f) => f.file === 'machine-name.json')!.schema.pattern as string;
      expect(invalidExamples(variant, files, examples)).toEqual([
        `${variant}/metadata-record.json#/properties/type examples[1] = "Not A Machine Name": example must match pattern "${pattern}"`,
      ]);
    },
  );

  it('fails on a keyword it does not know, rather than skip what it holds', () => {
    const file: JsonSchemaFile = {
      file: 'made-up.json',
      schema: { $id: 'https://example.com/made-up.json', type: 'object', madeUp: { examples: [1] } },
    };
    expect(() => findExamples('input', file)).toThrow('input/made-up.json#/madeUp: unknown keyword "madeUp"');
  });
});
