import { z } from 'zod';

/**
 * Version of the Metasource protocol described by this package.
 * Emitted JSON Schema `$id`s carry only its major part, so a patch or minor
 * release does not rewrite every schema URL.
 */
export const METADATA_PROTOCOL_VERSION = '1.0.0' as const;

/** Metadata the Metasource registry keeps for each exported schema. */
export interface MetasourceSchemaMeta {
  /** Stable id: the schema's name without the `Schema` suffix, e.g. `MetadataRecord`. */
  id: string;
}

/**
 * Registry of every exported schema, keyed by stable id. The JSON Schema
 * generator emits one file per entry and turns references between entries
 * into `$ref`s. A dedicated registry (rather than Zod's global one) keeps our
 * ids out of the way of a consumer's own ids.
 */
export const metasourceRegistry = z.registry<MetasourceSchemaMeta, z.ZodType>();

/**
 * Builds a schema and registers it under `id`.
 *
 * Every exported schema is declared as
 * `export const XSchema = /* @__PURE__ *\/ define('X', () => ...)`: the call
 * takes only a string and a function, so a bundler may drop it whole when the
 * export is unused, and importing one schema does not pull in the others.
 */
export function define<T extends z.ZodType>(id: string, build: () => T): T {
  const schema = build();
  if (metasourceRegistry._idmap.has(id)) {
    throw new Error(`Metasource schema id "${id}" is registered twice`);
  }
  metasourceRegistry.add(schema, { id });
  return schema;
}

/**
 * A rule that spans several fields of one object (for example "pool.min is
 * not above pool.max"). Zod enforces every rule; JSON Schema enforces a rule
 * only when `jsonSchema` gives an exact encoding of it. Every other rule is
 * listed by name in the emitted schema under `x-metasource-unchecked-rules`,
 * which is the only place where Zod and JSON Schema may disagree.
 */
export interface CrossFieldRule<T> {
  /** Stable snake_case name, listed in JSON Schema and in the docs. */
  name: string;
  /** Error message Zod reports, also listed in JSON Schema. */
  message: string;
  /** Path of the field the issue is reported on, relative to the object. */
  path: readonly (string | number)[];
  /** True when the parsed value satisfies the rule. */
  holds: (value: T) => boolean;
  /**
   * A JSON Schema fragment (added to `allOf`) that accepts exactly the inputs
   * the rule accepts, for the input variant where defaulted fields may be
   * absent. Leave it out when no exact encoding exists.
   */
  jsonSchema?: Record<string, unknown>;
}

/**
 * Metadata key under which `withRules` keeps the JSON Schema encodings of its
 * rules. The generator moves them into `allOf`; they are not put there
 * directly because zod uses `allOf` itself (draft-07 `$ref` wrapping, several
 * patterns) and would merge the two.
 */
export const RULE_ENCODINGS_KEYWORD = 'x-metasource-rule-encodings' as const;

/** Vendor keyword listing the rules a JSON Schema validator does not check. */
export const UNCHECKED_RULES_KEYWORD = 'x-metasource-unchecked-rules' as const;

/** Entry of {@link UNCHECKED_RULES_KEYWORD}: the rule's name and message. */
export interface UncheckedRule {
  name: string;
  message: string;
}

/**
 * Adds cross-field rules to an object schema, then its metadata. The rules
 * and their JSON Schema form are declared once, here; `.meta()` stays last in
 * the chain.
 */
export function withRules<T extends z.ZodType>(schema: T, rules: readonly CrossFieldRule<z.output<T>>[], meta: z.core.GlobalMeta): T {
  // `$comment` names the rule beside its encoding, for readers and the reference docs.
  const encoded = rules.flatMap((rule) =>
    rule.jsonSchema ? [{ $comment: `rule ${rule.name}: ${rule.message}`, ...strictEncoding(rule.jsonSchema) }] : [],
  );
  const unchecked: UncheckedRule[] = rules.filter((rule) => !rule.jsonSchema).map(({ name, message }) => ({ name, message }));
  return schema
    .superRefine((value, ctx) => {
      for (const rule of rules) {
        if (!rule.holds(value)) {
          ctx.addIssue({ code: 'custom', path: [...rule.path], message: rule.message, params: { rule: rule.name } });
        }
      }
    })
    .meta({
      ...meta,
      ...(encoded.length > 0 ? { [RULE_ENCODINGS_KEYWORD]: encoded } : {}),
      ...(unchecked.length > 0 ? { [UNCHECKED_RULES_KEYWORD]: unchecked } : {}),
    });
}

const KEYWORD_TYPES: [string, readonly string[]][] = [
  ['number', ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf']],
  ['string', ['pattern', 'minLength', 'maxLength', 'format']],
  ['array', ['items', 'minItems', 'maxItems', 'uniqueItems', 'contains']],
  ['object', ['properties', 'required', 'additionalProperties', 'minProperties', 'maxProperties', 'dependentRequired']],
];
const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];
const SUBSCHEMAS = ['if', 'then', 'else', 'not', 'items', 'contains', 'additionalProperties'];

/**
 * Returns a rule encoding that Ajv's strict mode accepts, with the same
 * verdict on every input the surrounding schema accepts: a subschema that
 * uses type-specific keywords gets that `type`, and every `required` key is
 * declared in `properties` (as `true`). Both only differ from the original
 * on values of the wrong type, which the field's own schema rejects anyway.
 * `top` is the object the rule is attached to, already typed by its schema.
 */
function strictEncoding(node: Record<string, unknown>, top = true): Record<string, unknown> {
  const out: Record<string, unknown> = { ...node };
  if (!top && out.type === undefined && out.const === undefined && out.enum === undefined) {
    const types = KEYWORD_TYPES.filter(([, keys]) => keys.some((k) => k in out)).map(([t]) => t);
    if (types.length === 1) out.type = types[0];
  }
  if (Array.isArray(out.required)) {
    const properties = { ...((out.properties as Record<string, unknown> | undefined) ?? {}) };
    for (const key of out.required as string[]) if (!(key in properties)) properties[key] = true;
    out.properties = properties;
  }
  if (out.properties && typeof out.properties === 'object') {
    out.properties = Object.fromEntries(
      Object.entries(out.properties).map(([k, v]) => [
        k,
        v && typeof v === 'object' ? strictEncoding(v as Record<string, unknown>, false) : v,
      ]),
    );
  }
  for (const key of SUBSCHEMAS) {
    const sub = out[key];
    // if/then/else/not apply at the same location: they keep `top`.
    const sameLocation = key === 'if' || key === 'then' || key === 'else' || key === 'not';
    if (sub && typeof sub === 'object') out[key] = strictEncoding(sub as Record<string, unknown>, sameLocation ? top : false);
  }
  for (const key of SUBSCHEMA_LISTS) {
    const list = out[key];
    if (Array.isArray(list))
      out[key] = list.map((sub) => (sub && typeof sub === 'object' ? strictEncoding(sub as Record<string, unknown>, top) : sub));
  }
  return out;
}
