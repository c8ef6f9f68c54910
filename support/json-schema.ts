/**
 * Builds the JSON Schema files of @metasource/spec from its Zod schemas, in
 * memory. scripts/generate-json-schema.ts writes or checks them; the tests and
 * the reference generator read the same result, so there is one way to build
 * them.
 */
import { z } from 'zod';
import {
  METADATA_PROTOCOL_VERSION,
  RULE_ENCODINGS_KEYWORD,
  UNCHECKED_RULES_KEYWORD,
  metasourceRegistry,
  metasourceSchemas,
} from '../packages/spec/src/index';
import type { UncheckedRule } from '../packages/spec/src/index';
import { strictEncoding } from './strict-encoding';

export type Io = 'input' | 'output';
export type Draft = 'draft-2020-12' | 'draft-07';
export type JsonSchema = { [key: string]: unknown };

export const PROTOCOL_MAJOR = METADATA_PROTOCOL_VERSION.split('.')[0]!;
/** Base of every `$id`. It names the protocol's major version only, so patch releases keep their URLs. */
export const ID_BASE = `https://metasource.dev/schemas/v${PROTOCOL_MAJOR}`;
export const IOS: readonly Io[] = ['input', 'output'];
export const DRAFTS: readonly Draft[] = ['draft-2020-12', 'draft-07'];
/** zod names the file that holds anonymous shared definitions `__shared`. */
const ZOD_SHARED_ID = '__shared';
const SHARED_FILE = 'shared-defs';

/** `MetadataRecord` -> `metadata-record`. */
export function fileStem(id: string): string {
  if (id === ZOD_SHARED_ID) return SHARED_FILE;
  return id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** Folder of a variant, relative to packages/spec/json-schema. */
export function variantDir(io: Io, draft: Draft): string {
  return draft === 'draft-2020-12' ? io : `draft-07/${io}`;
}

export function schemaId(io: Io, draft: Draft, id: string): string {
  return `${ID_BASE}/${variantDir(io, draft)}/${fileStem(id)}.json`;
}

const ACRONYMS: Record<string, string> = {
  id: 'ID',
  ids: 'IDs',
  ttl: 'TTL',
  tls: 'TLS',
  url: 'URL',
  sql: 'SQL',
  ca: 'CA',
  ddl: 'DDL',
  json: 'JSON',
};

/** `ttlSeconds` -> `TTL seconds`. */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_]+/)
    .filter(Boolean)
    .map((w) => ACRONYMS[w.toLowerCase()] ?? w.toLowerCase());
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Keywords that only annotate; anything else beside a draft-07 `$ref` would be ignored there. */
const ANNOTATIONS = new Set(['$ref', 'title', 'description', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly', '$comment']);

export class GenerationError extends Error {}

/**
 * Rewrites an ECMA-262 pattern so that regex engines outside JavaScript read
 * it the same way, without changing what it matches in JavaScript:
 * - `\d` becomes `[0-9]` (Python's `re` gives `\d` every Unicode digit);
 * - the end anchor `$` becomes `(?![\s\S])` (Python's `$` also matches
 *   before a trailing newline, so "users\n" would pass as an identifier).
 * Escapes and character classes are skipped; without the `m` flag both
 * rewrites are exact in JavaScript.
 */
export function portablePattern(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      out += next === 'd' && !inClass ? '[0-9]' : next === 'd' ? '0-9' : c + next;
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
    } else if (c === '$') {
      out += '(?![\\s\\S])';
    } else {
      out += c;
    }
  }
  return out;
}

/** True for the `allOf` entries `withRules` emits: they encode a rule, not fields. */
const isRuleEncoding = (schema: JsonSchema) => typeof schema.$comment === 'string' && schema.$comment.startsWith('rule ');

function walk(node: unknown, visit: (schema: JsonSchema, where: string, inRule: boolean) => void, where: string, inRule = false): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walk(item, visit, `${where}/${i}`, inRule));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const schema = node as JsonSchema;
  inRule ||= isRuleEncoding(schema);
  visit(schema, where, inRule);
  for (const [key, value] of Object.entries(schema)) {
    // Examples, defaults and enum/const values are data, not schemas.
    if (key === 'examples' || key === 'default' || key === 'const' || key === 'enum' || key === UNCHECKED_RULES_KEYWORD) continue;
    if (key === 'properties' || key === '$defs' || key === 'definitions' || key === 'dependentSchemas') {
      for (const [name, sub] of Object.entries(value as JsonSchema)) walk(sub, visit, `${where}/${key}/${name}`, inRule);
    } else {
      walk(value, visit, `${where}/${key}`, inRule);
    }
  }
}

/**
 * Rewrites zod's output into the published form and checks it, throwing on
 * anything it cannot represent faithfully:
 * - `$id` becomes absolute, `$ref`s relative to it (`./metadata-record.json`);
 * - rule encodings move into `allOf`, made acceptable to Ajv's strict mode;
 * - every schema gets a `title`, every property one from its key;
 * - every property, and every object schema, must carry a description;
 * - `\d` in patterns becomes `[0-9]` (the same under ECMA-262's `u` flag, and
 *   not widened to Unicode digits by Python's `re`);
 * - in draft-07, a `$ref` may have only annotations beside it.
 */
function publish(raw: JsonSchema, io: Io, draft: Draft, id: string, all: Record<string, JsonSchema>): JsonSchema {
  const problems: string[] = [];
  walk(
    raw,
    (schema, where, inRule) => {
      // zod writes a use site as `$ref` + siblings (2020-12) or `allOf: [..., { $ref }]` (draft-07).
      const refEntry = [schema, ...((schema.allOf as JsonSchema[] | undefined) ?? [])].find(
        (e) => typeof e.$ref === 'string' && !e.$ref.startsWith('#') && !e.$ref.startsWith('./'),
      );
      if (refEntry) dropInheritedRules(schema, all[(refEntry.$ref as string).split('#')[0]!.replace(/\.json$/, '')]);
      const encodings = schema[RULE_ENCODINGS_KEYWORD] as JsonSchema[] | undefined;
      if (encodings) {
        delete schema[RULE_ENCODINGS_KEYWORD];
        schema.allOf = [...((schema.allOf as JsonSchema[] | undefined) ?? []), ...encodings.map((encoding) => strictEncoding(encoding))];
      }
      if (draft === 'draft-07' && schema.dependentRequired !== undefined) {
        // Draft-07 spells 2019-09's dependentRequired as array-valued `dependencies`.
        schema.dependencies = schema.dependentRequired;
        delete schema.dependentRequired;
      }
      if (typeof schema.$ref === 'string') {
        const ref = schema.$ref;
        if (ref.startsWith('#') || ref.startsWith('./')) {
          // local, or already published: keep
        } else {
          const [target, fragment] = ref.split('#');
          const stem = fileStem(target!.replace(/\.json$/, ''));
          schema.$ref = `./${stem}.json${fragment !== undefined ? `#${fragment}` : ''}`;
        }
        if (draft === 'draft-07') {
          // Draft-07 ignores every keyword beside `$ref`; 2020-12 applies them
          // all. `allOf` with the `$ref` as one entry means the same in both.
          const extra = Object.keys(schema).filter((k) => !ANNOTATIONS.has(k));
          if (extra.length > 0) {
            const rest: JsonSchema = {};
            for (const k of extra) if (k !== 'allOf') rest[k] = schema[k];
            const allOf = [
              { $ref: schema.$ref },
              ...((schema.allOf as JsonSchema[] | undefined) ?? []),
              ...(Object.keys(rest).length ? [rest] : []),
            ];
            for (const k of [...extra, '$ref']) delete schema[k];
            schema.allOf = allOf;
          }
        }
      }
      if (typeof schema.pattern === 'string') schema.pattern = portablePattern(schema.pattern);
      // Rule encodings (if/then/not) describe conditions, not fields.
      if (!inRule && schema.properties && typeof schema.properties === 'object') {
        for (const [key, prop] of Object.entries(schema.properties as Record<string, JsonSchema>)) {
          if (typeof prop.description !== 'string' || prop.description.length === 0) {
            problems.push(`${where}/properties/${key}: no description`);
          }
          if (prop.title === undefined) prop.title = humanize(key);
        }
        if (typeof schema.description !== 'string' && schema.$ref === undefined) {
          problems.push(`${where}: object schema without a description`);
        }
      }
    },
    '#',
  );
  if (id !== ZOD_SHARED_ID && typeof raw.description !== 'string') problems.push('#: no description');
  if (problems.length > 0) {
    throw new GenerationError(`cannot publish ${variantDir(io, draft)}/${fileStem(id)}.json:\n  ${problems.join('\n  ')}`);
  }
  const { $schema, $id: _zodId, ...rest } = raw;
  return {
    $schema,
    $id: schemaId(io, draft, id),
    ...(id === ZOD_SHARED_ID ? { title: 'Shared definitions' } : { title: id }),
    ...rest,
  };
}

/**
 * zod copies a schema's metadata onto every clone of it (`.optional()`,
 * `.meta()` at a use site), so a `$ref` to a schema with cross-field rules
 * arrives with the same rules again beside it. The target already states
 * them: drop the copies, keep anything the use site added.
 */
function dropInheritedRules(node: JsonSchema, target: JsonSchema | undefined): void {
  if (!target) return;
  const targetComments = new Set(((target[RULE_ENCODINGS_KEYWORD] as JsonSchema[] | undefined) ?? []).map((e) => e.$comment));
  const encodings = node[RULE_ENCODINGS_KEYWORD] as JsonSchema[] | undefined;
  if (encodings) {
    const kept = encodings.filter((e) => !targetComments.has(e.$comment));
    if (kept.length > 0) node[RULE_ENCODINGS_KEYWORD] = kept;
    else delete node[RULE_ENCODINGS_KEYWORD];
  }
  const targetUnchecked = new Set(((target[UNCHECKED_RULES_KEYWORD] as UncheckedRule[] | undefined) ?? []).map((r) => r.name));
  const unchecked = node[UNCHECKED_RULES_KEYWORD] as UncheckedRule[] | undefined;
  if (unchecked) {
    const kept = unchecked.filter((r) => !targetUnchecked.has(r.name));
    if (kept.length > 0) node[UNCHECKED_RULES_KEYWORD] = kept;
    else delete node[UNCHECKED_RULES_KEYWORD];
  }
}

export interface GeneratedFile {
  /** Path relative to packages/spec/json-schema. */
  path: string;
  json: JsonSchema;
}

export interface ManifestEntry {
  id: string;
  file: string;
  uncheckedRules: UncheckedRule[];
}

function uncheckedRulesOf(schema: unknown): UncheckedRule[] {
  const rules: UncheckedRule[] = [];
  walk(
    schema,
    (node) => {
      const list = node[UNCHECKED_RULES_KEYWORD];
      if (Array.isArray(list)) rules.push(...(list as UncheckedRule[]));
    },
    '#',
  );
  return rules;
}

export function registeredIds(): string[] {
  return [...metasourceSchemas().keys()];
}

/** Emits every variant of every registered schema, plus one bundle per io and a manifest. */
export function generateJsonSchemaFiles(): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  const manifest: ManifestEntry[] = [];
  for (const draft of DRAFTS) {
    for (const io of IOS) {
      const { schemas } = z.toJSONSchema(metasourceRegistry, {
        io,
        target: draft,
        unrepresentable: 'throw',
        cycles: 'ref',
        uri: (id) => `${id}.json`,
      }) as { schemas: Record<string, JsonSchema> };
      const published: Record<string, JsonSchema> = {};
      for (const [id, raw] of Object.entries(schemas)) {
        // zod shares one JSON object between every place a subschema recurs; publish edits in place, so unshare first.
        const json = publish(JSON.parse(JSON.stringify(raw)) as JsonSchema, io, draft, id, schemas);
        published[id] = json;
        files.push({ path: `${variantDir(io, draft)}/${fileStem(id)}.json`, json });
        if (draft === 'draft-2020-12' && io === 'input' && id !== ZOD_SHARED_ID) {
          manifest.push({ id, file: `${fileStem(id)}.json`, uncheckedRules: uncheckedRulesOf(json) });
        }
      }
      if (draft === 'draft-2020-12') {
        // A compound document (JSON Schema 2020-12, section 9.3): each embedded
        // resource keeps its own $id, so the relative $refs inside it resolve.
        files.push({
          path: `bundle.${io}.json`,
          json: {
            $schema: 'https://json-schema.org/draft/2020-12/schema',
            $id: `${ID_BASE}/bundle.${io}.json`,
            title: `Metasource protocol ${METADATA_PROTOCOL_VERSION}, ${io} variant`,
            description: `Every Metasource schema (${io} variant) in one file. Validate against one of them with "$ref": "${ID_BASE}/${io}/<file>.json" or this file's "#/$defs/<Id>".`,
            $defs: Object.fromEntries(Object.entries(published).map(([id, json]) => [id === ZOD_SHARED_ID ? 'SharedDefs' : id, json])),
          },
        });
      }
    }
  }
  files.push({
    path: 'manifest.json',
    json: {
      protocolVersion: METADATA_PROTOCOL_VERSION,
      idBase: ID_BASE,
      variants: IOS.flatMap((io) => DRAFTS.map((draft) => ({ io, draft, dir: variantDir(io, draft) }))),
      uncheckedRulesKeyword: UNCHECKED_RULES_KEYWORD,
      schemas: manifest,
    },
  });
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

export function serialize(json: JsonSchema): string {
  return `${JSON.stringify(json, null, 2)}\n`;
}
