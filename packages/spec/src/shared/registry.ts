import { z } from 'zod';
import { lazySchema } from './lazy-schema';

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
 * Declares a schema and registers it under `id`.
 *
 * Every exported schema is declared as
 * `export const XSchema = /* @__PURE__ *\/ define('X', () => ...)`: the call
 * takes only a string and a function, so a bundler may drop it whole when the
 * export is unused, and importing one schema does not pull in the others.
 *
 * `build` runs on the schema's first use, not at import (see
 * `lazy-schema.ts`): importing the package registers every id and builds
 * nothing. The returned object is the schema from the start, so identity,
 * `instanceof`, the registry and `$ref`s in JSON Schema are as if it had been
 * built at once.
 */
export function define<T extends z.ZodType>(id: string, build: () => T): T {
  if (metasourceRegistry._idmap.has(id)) {
    throw new Error(`Metasource schema id "${id}" is registered twice`);
  }
  const schema = lazySchema(`${id}Schema`, build);
  metasourceRegistry.add(schema, { id });
  return schema;
}

/**
 * Every registered schema by id, in the order of definition: `MetadataRecord`
 * maps to `MetadataRecordSchema`. A fresh map on each call, so changing it
 * changes nothing else. Use it to list or look up schemas instead of the
 * registry's internal maps; pass {@link metasourceRegistry} itself to
 * `z.toJSONSchema` to convert them all.
 *
 * ```ts
 * const schema = metasourceSchemas().get('MetadataRecord');
 * ```
 */
export function metasourceSchemas(): ReadonlyMap<string, z.ZodType> {
  return new Map(metasourceRegistry._idmap);
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
   * absent. Leave it out when no exact encoding exists. Write it plainly: the
   * generator adds what Ajv's strict mode wants (a `type` beside
   * type-specific keywords, a `properties` entry for each `required` key).
   */
  jsonSchema?: Record<string, unknown>;
}

/**
 * Metadata key under which `withRules` keeps the JSON Schema encodings of its
 * rules, each as declared, with a `$comment` naming the rule. The JSON Schema
 * generator moves them into `allOf` (rewritten so that Ajv's strict mode
 * accepts them); they are not put there directly because zod uses `allOf`
 * itself (draft-07 `$ref` wrapping, several patterns) and would merge the two.
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
    rule.jsonSchema ? [{ $comment: `rule ${rule.name}: ${rule.message}`, ...rule.jsonSchema }] : [],
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
