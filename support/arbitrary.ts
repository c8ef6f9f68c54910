/**
 * Builds fast-check arbitraries from the emitted JSON Schema (input variant):
 * values the schema describes, and mutations of them that probe every rule.
 * Generation reads only the JSON Schema, so it shares no code with the Zod
 * schemas it tests.
 */
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: unknown } | boolean;
type SchemaObject = { [key: string]: unknown };

export class SchemaStore {
  private readonly byId = new Map<string, SchemaObject>();
  constructor(schemas: SchemaObject[]) {
    for (const s of schemas) this.byId.set(s.$id as string, s);
  }

  /** Resolves `$ref` against the `$id` of the document that holds it. */
  resolve(ref: string, base: string): { schema: Schema; base: string } {
    const url = new URL(ref, base);
    const fragment = url.hash;
    url.hash = '';
    const doc = this.byId.get(url.href);
    if (!doc) throw new Error(`unresolved $ref ${ref} from ${base}`);
    let node: unknown = doc;
    if (fragment.length > 1) {
      for (const part of fragment.slice(2).split('/')) node = (node as SchemaObject)[decodeURIComponent(part)];
    }
    if (node === undefined) throw new Error(`unresolved fragment ${ref} from ${base}`);
    return { schema: node as Schema, base: url.href };
  }

  get(id: string): SchemaObject {
    const s = this.byId.get(id);
    if (!s) throw new Error(`no schema ${id}`);
    return s;
  }
}

const MAX_DEPTH = 4;
const MAX_ITEMS = 3;

function patternsOf(s: SchemaObject): RegExp[] {
  const out: RegExp[] = [];
  if (typeof s.pattern === 'string') out.push(new RegExp(s.pattern, 'u'));
  for (const sub of (s.allOf as SchemaObject[] | undefined) ?? []) {
    if (typeof sub.pattern === 'string') out.push(new RegExp(sub.pattern, 'u'));
  }
  return out;
}

const codePoints = (s: string) => [...s].length;
const END_ANCHOR = '(?![\\s\\S])';
/** A pattern that only bounds the length (`boundedText`), shown as min/max length instead. */
export const LENGTH_ONLY = /^\^\[\\s\\S\]\{[0-9]+,[0-9]+\}(?:\$|\(\?!\[\\s\\S\]\))$/;

function stringArb(s: SchemaObject): fc.Arbitrary<string> {
  const patterns = patternsOf(s);
  const min = (s.minLength as number | undefined) ?? 0;
  const max = (s.maxLength as number | undefined) ?? Infinity;
  const fits = (v: string) => codePoints(v) >= min && codePoints(v) <= max && patterns.every((p) => p.test(v));
  let base: fc.Arbitrary<string>;
  // Generate from the most specific pattern (one that is not only a length bound), filter by the rest.
  const specific = patterns.filter((p) => !LENGTH_ONLY.test(p.source));
  const lead = specific[specific.length - 1];
  if (lead) {
    try {
      // The published end anchor `(?![\s\S])` means `$` in JavaScript; fast-check reads only the latter.
      base = fc.stringMatching(new RegExp(lead.source.replaceAll(END_ANCHOR, '$')), { size: 'small' });
    } catch {
      base = fc.string({ size: 'small' });
    }
  } else {
    base = fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 40) });
  }
  return base.filter(fits);
}

function numberArb(s: SchemaObject, integer: boolean): fc.Arbitrary<number> {
  const lo = (s.minimum as number | undefined) ?? (s.exclusiveMinimum as number | undefined) ?? -1e9;
  const hi = (s.maximum as number | undefined) ?? (s.exclusiveMaximum as number | undefined) ?? 1e9;
  const inRange = (n: number) =>
    (s.exclusiveMinimum === undefined || n > (s.exclusiveMinimum as number)) &&
    (s.exclusiveMaximum === undefined || n < (s.exclusiveMaximum as number));
  if (integer) {
    const small = fc.integer({ min: Math.max(lo, -1_000_000), max: Math.min(hi, Math.max(lo, -1_000_000) + 2_000_000) });
    return fc.oneof(small, fc.constantFrom(Math.ceil(lo), Math.floor(hi))).filter(inRange);
  }
  return fc
    .oneof(fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }), fc.constantFrom(lo, hi))
    .filter(inRange)
    .map((n) => (Object.is(n, -0) ? 0 : n));
}

/** An arbitrary of values the schema describes (it may still break an `if`/`then` rule; those count as invalid samples). */
export function valueArb(store: SchemaStore, schema: Schema, base: string, depth = 0): fc.Arbitrary<Json> {
  if (schema === true) return fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;
  if (schema === false) throw new Error('cannot generate for schema false');
  const s = schema;
  if (typeof s.$ref === 'string') {
    const r = store.resolve(s.$ref, base);
    return valueArb(store, r.schema, r.base, depth + 1);
  }
  if ('const' in s) return fc.constant(s.const as Json);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as Json[]));
  const branches = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (branches) {
    let options = branches;
    if (depth >= MAX_DEPTH) {
      const flat = branches.filter((b) => typeof b === 'object' && !('$ref' in b) && b.type !== 'array' && b.type !== 'object');
      if (flat.length > 0) options = flat;
    }
    return fc.oneof(...options.map((b) => valueArb(store, b, base, depth + 1)));
  }
  const type = s.type as string | undefined;
  switch (type) {
    case 'string':
      return stringArb(s);
    case 'integer':
      return numberArb(s, true);
    case 'number':
      return numberArb(s, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const item = s.items ? valueArb(store, s.items as Schema, base, depth + 1) : (fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json>);
      const minLength = (s.minItems as number | undefined) ?? 0;
      const maxLength = Math.max(
        minLength,
        Math.min((s.maxItems as number | undefined) ?? MAX_ITEMS, depth >= MAX_DEPTH ? minLength : MAX_ITEMS),
      );
      return s.uniqueItems
        ? fc.uniqueArray(item, { minLength, maxLength, selector: (v) => JSON.stringify(v) })
        : fc.array(item, { minLength, maxLength });
    }
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, Schema>;
      const required = (s.required ?? []) as string[];
      const model: Record<string, fc.Arbitrary<Json>> = {};
      for (const [key, sub] of Object.entries(props)) model[key] = valueArb(store, sub, base, depth + 1);
      let arb: fc.Arbitrary<Record<string, Json>> = fc.record(model, { requiredKeys: required, noNullPrototype: true }) as fc.Arbitrary<
        Record<string, Json>
      >;
      const extra = s.additionalProperties;
      if (extra && extra !== false && Object.keys(props).length === 0) {
        const keyArb = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== '__proto__');
        const valueOf = valueArb(store, extra as Schema, base, depth + 1);
        const minKeys = (s.minProperties as number | undefined) ?? 0;
        arb = fc.dictionary(keyArb, valueOf, { minKeys, maxKeys: depth >= MAX_DEPTH ? minKeys : MAX_ITEMS, noNullPrototype: true });
      }
      return arb as fc.Arbitrary<Json>;
    }
    default:
      return fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;
  }
}

/** A location inside a value, with the schema that describes it. */
interface Site {
  path: (string | number)[];
  schema: SchemaObject;
  base: string;
}

/** Walks a value alongside its schema and lists every node with the schema that applies to it. */
function sitesOf(store: SchemaStore, value: Json, schema: Schema, base: string, path: (string | number)[], out: Site[], depth = 0): void {
  if (typeof schema !== 'object' || depth > 12) return;
  if (typeof schema.$ref === 'string') {
    const r = store.resolve(schema.$ref, base);
    sitesOf(store, value, r.schema, r.base, path, out, depth + 1);
    return;
  }
  const branches = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (branches) {
    // The first branch whose type fits the value; good enough to find sub-sites.
    for (const b of branches) {
      const resolved = typeof b === 'object' && typeof b.$ref === 'string' ? store.resolve(b.$ref, base) : { schema: b, base };
      const t = typeof resolved.schema === 'object' ? resolved.schema.type : undefined;
      const kind = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value === 'object' ? 'object' : typeof value;
      if (t === kind || (t === 'integer' && kind === 'number') || t === undefined) {
        sitesOf(store, value, resolved.schema, resolved.base, path, out, depth + 1);
        return;
      }
    }
    out.push({ path, schema, base });
    return;
  }
  out.push({ path, schema, base });
  if (Array.isArray(value) && schema.items) {
    value.forEach((v, i) => sitesOf(store, v, schema.items as Schema, base, [...path, i], out, depth + 1));
  } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const [k, v] of Object.entries(value)) {
      const sub = props[k] ?? (typeof schema.additionalProperties === 'object' ? (schema.additionalProperties as Schema) : undefined);
      if (sub) sitesOf(store, v, sub, base, [...path, k], out, depth + 1);
    }
  }
}

const clone = (v: Json): Json => JSON.parse(JSON.stringify(v));

function getAt(root: Json, path: (string | number)[]): Json {
  let node: Json = root;
  for (const p of path) node = (node as Record<string, Json>)[p as string]!;
  return node;
}

function setAt(root: Json, path: (string | number)[], value: Json): Json {
  if (path.length === 0) return value;
  const parent = getAt(root, path.slice(0, -1)) as Record<string, Json>;
  parent[path[path.length - 1] as string] = value;
  return root;
}

/** Defines an own, enumerable key, even `__proto__`, as JSON.parse would. */
function defineKey(obj: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export const MUTATIONS = [
  'drop_required',
  'wrong_type',
  'out_of_range',
  'fractional',
  'break_pattern',
  'unknown_key',
  'proto_key',
  'constructor_key',
  'non_ascii',
  'long_string',
  'wrong_discriminator',
  'empty_string',
] as const;
export type Mutation = (typeof MUTATIONS)[number];

const WRONG_TYPES: Json[] = ['10', 10, 1.5, true, null, [], {}, 'x'];
const BROKEN_STRINGS = ['meta; DROP TABLE x', 'a-b', '1abc', 'a'.repeat(64), '', ' ', 'UPPER', 'é', 'a\nb', 'sha256:XYZ'];
const NON_ASCII = ['naïve', 'Ünïcödé', '数据', '😀', '😀'.repeat(40), 'e\u0301', '\u0000', 'ÿ'.repeat(70)];

/**
 * Applies one mutation to a clone of `value` at the site picked by `pick`.
 * Returns undefined when the mutation has no site in this value.
 */
export function mutate(store: SchemaStore, root: SchemaObject, value: Json, kind: Mutation, pick: number): Json | undefined {
  const out = clone(value);
  const sites: Site[] = [];
  sitesOf(store, out, root, root.$id as string, [], sites);
  const choose = <T>(list: T[]): T | undefined => (list.length === 0 ? undefined : list[pick % list.length]);
  const isObj = (v: Json) => v !== null && typeof v === 'object' && !Array.isArray(v);
  switch (kind) {
    case 'drop_required': {
      const site = choose(
        sites.filter((x) => isObj(getAt(out, x.path)) && Array.isArray(x.schema.required) && (x.schema.required as string[]).length > 0),
      );
      if (!site) return undefined;
      const req = site.schema.required as string[];
      delete (getAt(out, site.path) as Record<string, Json>)[req[pick % req.length]!];
      return out;
    }
    case 'wrong_type': {
      const site = choose(sites);
      if (!site) return undefined;
      return setAt(out, site.path, WRONG_TYPES[pick % WRONG_TYPES.length]!);
    }
    case 'out_of_range': {
      const site = choose(sites.filter((x) => x.schema.type === 'integer' || x.schema.type === 'number'));
      if (!site) return undefined;
      const s = site.schema;
      const candidates = [
        typeof s.maximum === 'number' ? s.maximum + 1 : 1e21,
        typeof s.minimum === 'number' ? s.minimum - 1 : -1e21,
        1e21,
        2 ** 53,
        -1,
        0,
      ];
      return setAt(out, site.path, candidates[pick % candidates.length]!);
    }
    case 'fractional': {
      const site = choose(sites.filter((x) => x.schema.type === 'integer'));
      if (!site) return undefined;
      const n = getAt(out, site.path);
      return setAt(out, site.path, (typeof n === 'number' ? n : 1) + 0.5);
    }
    case 'break_pattern': {
      const site = choose(sites.filter((x) => x.schema.type === 'string'));
      if (!site) return undefined;
      const cur = getAt(out, site.path);
      const variants = [...BROKEN_STRINGS, `${String(cur)}-`, `9${String(cur)}`, `${String(cur)} `, String(cur).toUpperCase()];
      return setAt(out, site.path, variants[pick % variants.length]!);
    }
    case 'unknown_key':
    case 'proto_key':
    case 'constructor_key': {
      const site = choose(sites.filter((x) => isObj(getAt(out, x.path))));
      if (!site) return undefined;
      const key =
        kind === 'unknown_key'
          ? ['autoMigrte', 'extra', 'Type', 'password'][pick % 4]!
          : kind === 'proto_key'
            ? '__proto__'
            : 'constructor';
      defineKey(getAt(out, site.path) as Record<string, Json>, key, pick % 2 === 0 ? { polluted: true } : 1);
      return out;
    }
    case 'non_ascii':
    case 'long_string':
    case 'empty_string': {
      const site = choose(sites.filter((x) => x.schema.type === 'string' || typeof getAt(out, x.path) === 'string'));
      if (!site) return undefined;
      const cur = String(getAt(out, site.path));
      const next =
        kind === 'empty_string'
          ? ''
          : kind === 'non_ascii'
            ? [cur + NON_ASCII[pick % NON_ASCII.length]!, NON_ASCII[pick % NON_ASCII.length]!][pick % 2]!
            : [cur + 'x'.repeat(5000), '😀'.repeat(2048 + (pick % 3)), 'a'.repeat(4097), 'é'.repeat(1001), cur + '😀'.repeat(64)][
                pick % 5
              ]!;
      return setAt(out, site.path, next);
    }
    case 'wrong_discriminator': {
      const site = choose(
        sites.filter((x) => {
          const v = getAt(out, x.path);
          return isObj(v) && ['driver', 'operation', 'type', 'protocol', 'kind', 'action', 'mode'].some((k) => k in (v as object));
        }),
      );
      if (!site) return undefined;
      const obj = getAt(out, site.path) as Record<string, Json>;
      const key = ['driver', 'operation', 'type', 'protocol', 'kind', 'action', 'mode'].find((k) => k in obj)!;
      obj[key] = ['oracle', 'UPSERT', 'truncate', 'ftp', '', 'postgres', 'delete', 'create'][pick % 8]!;
      return out;
    }
  }
}

/** Valid-looking values and their mutations, as JSON (what a validator of a config file sees). */
export function inputArb(
  store: SchemaStore,
  root: SchemaObject,
  repair: (value: Json) => Json = (value) => value,
): fc.Arbitrary<{ mutation: Mutation | 'none'; value: Json }> {
  // `repair` lets a schema whose rules tie fields together by name (which a
  // schema-blind generator never hits by chance) start from a valid value.
  const valid = valueArb(store, root, root.$id as string).map((value) => repair(clone(value)));
  return fc.tuple(valid, fc.integer({ min: 0, max: MUTATIONS.length * 3 }), fc.nat()).map(([value, which, pick]) => {
    // About a quarter are left as generated.
    if (which >= MUTATIONS.length * 2 + Math.floor(MUTATIONS.length / 2)) return { mutation: 'none' as const, value: clone(value) };
    const kind = MUTATIONS[which % MUTATIONS.length]!;
    const mutated = mutate(store, root, value, kind, pick);
    return mutated === undefined ? { mutation: 'none' as const, value: clone(value) } : { mutation: kind, value: mutated };
  });
}
