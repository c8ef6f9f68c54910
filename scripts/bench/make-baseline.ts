/**
 * Writes the type-check baseline of the benchmark (section 5):
 *
 * - fixtures/baseline-schemas.ts declares, with Zod directly, schemas of the
 *   same shape as the ones fixtures/consumer.ts imports from the package. It
 *   is generated from the built schemas themselves (their `_zod.def` trees), so
 *   it has exactly the same fields, nesting, unions, optionals, defaults,
 *   checks, refinements (as no-op `.superRefine`) and `.meta()` calls, and
 *   shares a sub-schema wherever the package shares one (a named const per
 *   registered schema). JSON values are declared as in the package: a
 *   recursive `z.lazy` typed `z.ZodType<JsonValue>`.
 * - fixtures/baseline.ts is fixtures/consumer.ts with its import from
 *   '@metasource/spec' pointed at './baseline-schemas', so both files do the
 *   same type work on top of their schemas.
 *
 * `tsx scripts/bench/make-baseline.ts` writes both; `--check` fails if they
 * are stale. It fails loudly on any schema kind it cannot write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spec } from './lib';

export const FIXTURES = join(import.meta.dirname, 'fixtures');
const PACKAGE_IMPORT = /from '@metasource\/spec';/;

type Node = { _zod: { def: Def } };
type Def = Record<string, unknown> & { type: string; checks?: { _zod: { def: Record<string, unknown> } }[] };

const registered = new Map<unknown, string>([...spec.metasourceSchemas()].map(([id, s]) => [(s as unknown as Node)._zod.def, id]));

/** Schemas the consumer fixture imports: the names in its import from the package. */
function importedIds(consumer: string): string[] {
  const match = /import\s*\{([^}]*)\}\s*from '@metasource\/spec';/.exec(consumer);
  if (!match) throw new Error("fixtures/consumer.ts must import its schemas with one `import { ... } from '@metasource/spec'`");
  return match[1]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.endsWith('Schema'))
    .map((s) => s.slice(0, -'Schema'.length));
}

const JSON_DECLARATIONS = (meta: (id: string) => string) => `
type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };
const JsonValueInner: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(JsonValueInner), z.record(z.string(), JsonValueInner)]),
);
const JsonValueSchema = (z.preprocess((value) => value, JsonValueInner) as unknown as z.ZodType<JsonValue>).meta(${meta('JsonValue')});
const JsonObjectSchema = (z.preprocess((value) => value, z.record(z.string(), JsonValueInner)) as unknown as z.ZodType<JsonObject>).meta(${meta('JsonObject')});
`;

export function generateBaseline(consumer: string): { schemas: string; baseline: string } {
  const roots = importedIds(consumer);
  const declared = new Map<string, string>();
  const order: string[] = [];
  let usesJson = false;

  const metaArg = (node: unknown): string | undefined => {
    const description = ((node as { meta: () => { description?: string } | undefined }).meta() ?? {}).description;
    return description === undefined ? undefined : `{ description: ${JSON.stringify(description)} }`;
  };
  const metaOfId = (id: string) => metaArg(spec.metasourceSchemas().get(id)) ?? '{}';

  /** The expression for a schema; `top` is true for the registered schema being declared itself. */
  const expr = (node: unknown, top = false): string => {
    const def = (node as Node)._zod.def;
    const id = registered.get(def);
    if (id && !top) {
      declare(id);
      const meta = metaArg(node);
      const own = spec.metasourceSchemas().get(id) === node;
      return own || meta === undefined || meta === metaOfId(id) ? `${id}Schema` : `${id}Schema.meta(${meta})`;
    }
    const base = build(def);
    const meta = metaArg(node);
    return meta === undefined ? base : `${base}.meta(${meta})`;
  };

  const checks = (def: Def): string =>
    (def.checks ?? [])
      .map(({ _zod: { def: c } }) => {
        switch (c.check) {
          case 'greater_than':
            return `.${c.inclusive ? 'min' : 'gt'}(${c.value})`;
          case 'less_than':
            return `.${c.inclusive ? 'max' : 'lt'}(${c.value})`;
          case 'min_length':
            return `.min(${c.minimum})`;
          case 'max_length':
            return `.max(${c.maximum})`;
          case 'string_format':
            if (c.format !== 'regex') throw new Error(`cannot write string format ${String(c.format)}`);
            return `.regex(${String(c.pattern)})`;
          case 'custom':
            return '.superRefine((value) => void value)';
          default:
            throw new Error(`cannot write check ${String(c.check)}`);
        }
      })
      .join('');

  const build = (def: Def): string => {
    switch (def.type) {
      case 'string':
        if (def.format === 'datetime')
          return `z.iso.datetime({ offset: ${def.offset}, local: ${def.local}, precision: ${def.precision} })${checks(def)}`;
        if (def.format !== undefined) throw new Error(`cannot write string format ${String(def.format)}`);
        return `z.string()${checks(def)}`;
      case 'number':
        if (def.format !== undefined && def.format !== 'safeint') throw new Error(`cannot write number format ${String(def.format)}`);
        return `${def.format === 'safeint' ? 'z.int()' : 'z.number()'}${checks(def)}`;
      case 'boolean':
      case 'null':
      case 'unknown':
        return `z.${def.type}()${checks(def)}`;
      case 'enum':
        return `z.enum(${JSON.stringify(Object.values(def.entries as object))})${checks(def)}`;
      case 'literal': {
        const values = def.values as unknown[];
        return `z.literal(${JSON.stringify(values.length === 1 ? values[0] : values)})${checks(def)}`;
      }
      case 'object': {
        const catchall = (def.catchall as Node | undefined)?._zod.def.type;
        const factory =
          catchall === undefined ? 'object' : catchall === 'never' ? 'strictObject' : catchall === 'unknown' ? 'looseObject' : undefined;
        if (!factory) throw new Error(`cannot write an object with a ${catchall} catchall`);
        const fields = Object.entries(def.shape as Record<string, unknown>).map(([key, value]) => `${JSON.stringify(key)}: ${expr(value)}`);
        return `z.${factory}({ ${fields.join(', ')} })${checks(def)}`;
      }
      case 'optional':
      case 'nullable':
        return `${expr(def.innerType)}.${def.type}()${checks(def)}`;
      case 'default':
      case 'prefault':
        return `${expr(def.innerType)}.${def.type}(${JSON.stringify(def.defaultValue)})${checks(def)}`;
      case 'union': {
        const options = (def.options as unknown[]).map((o) => expr(o)).join(', ');
        return def.discriminator === undefined
          ? `z.union([${options}])${checks(def)}`
          : `z.discriminatedUnion(${JSON.stringify(def.discriminator)}, [${options}])${checks(def)}`;
      }
      case 'array':
        return `z.array(${expr(def.element)})${checks(def)}`;
      case 'record':
        return `z.record(${expr(def.keyType)}, ${expr(def.valueType)})${checks(def)}`;
      case 'lazy':
        return `z.lazy(() => ${expr((def.getter as () => unknown)())})${checks(def)}`;
      case 'pipe': {
        // A preprocess step: its input type is the target's input, as the package declares it.
        if ((def.in as Node)._zod.def.type !== 'transform') throw new Error('cannot write a pipe that is not a preprocess');
        return `preprocessed(${expr(def.out)})${checks(def)}`;
      }
      default:
        throw new Error(`cannot write a ${def.type} schema`);
    }
  };

  const declare = (id: string): void => {
    if (declared.has(id)) return;
    if (id === 'JsonValue' || id === 'JsonObject') {
      usesJson = true;
      declared.set(id, '');
      return;
    }
    declared.set(id, ''); // placeholder: breaks cycles through z.lazy
    const code = expr(spec.metasourceSchemas().get(id), true);
    declared.set(id, `${roots.includes(id) ? 'export ' : ''}const ${id}Schema = ${code};`);
    order.push(id);
  };
  for (const id of roots) declare(id);

  const schemas = [
    '// Generated by scripts/bench/make-baseline.ts from the built @metasource/spec: do not edit.',
    '// The same schemas as the package, declared with Zod directly (the type-check baseline).',
    "import { z } from 'zod';",
    '',
    "/** A preprocess step whose input type is its target's input, as in the package. */",
    'const preprocessed = <T extends z.ZodType>(schema: T) => z.preprocess((value: z.input<T>) => value, schema);',
    ...(usesJson ? [JSON_DECLARATIONS(metaOfId)] : []),
    ...order.map((id) => declared.get(id)!),
    '',
  ].join('\n');
  const baseline = [
    '// Generated by scripts/bench/make-baseline.ts from consumer.ts: do not edit.',
    consumer.replace(PACKAGE_IMPORT, "from './baseline-schemas';"),
  ].join('\n');
  return { schemas, baseline };
}

/** Generated files, by name, for the consumer fixture as it is on disk. */
export function baselineFiles(): Record<string, string> {
  const { schemas, baseline } = generateBaseline(readFileSync(join(FIXTURES, 'consumer.ts'), 'utf8'));
  return { 'baseline-schemas.ts': schemas, 'baseline.ts': baseline };
}

/** Names of the generated files that differ from what is on disk. */
export function staleBaselineFiles(): string[] {
  return Object.entries(baselineFiles())
    .filter(([name, text]) => {
      try {
        return readFileSync(join(FIXTURES, name), 'utf8') !== text;
      } catch {
        return true;
      }
    })
    .map(([name]) => name);
}

if (process.argv[1] === import.meta.filename) {
  if (process.argv.includes('--check')) {
    const stale = staleBaselineFiles();
    if (stale.length > 0) {
      console.error(`stale: ${stale.join(', ')}; run tsx scripts/bench/make-baseline.ts`);
      process.exit(1);
    }
  } else {
    for (const [name, text] of Object.entries(baselineFiles())) writeFileSync(join(FIXTURES, name), text);
  }
}
