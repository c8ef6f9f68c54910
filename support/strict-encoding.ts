/**
 * Ajv's strict mode, which the protocol expects JSON Schema consumers to run,
 * refuses a type-specific keyword without a `type` beside it and a `required`
 * key that `properties` does not declare. Rule encodings are written plainly
 * in the schemas (`withRules`); the generator passes each through
 * `strictEncoding` when it moves it into `allOf`. Only the generator needs
 * this, so it lives here rather than in the package.
 */

type Node = Record<string, unknown>;

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
export function strictEncoding(node: Node, top = true): Node {
  const out: Node = { ...node };
  if (!top && out.type === undefined && out.const === undefined && out.enum === undefined) {
    const types = KEYWORD_TYPES.filter(([, keys]) => keys.some((k) => k in out)).map(([t]) => t);
    if (types.length === 1) out.type = types[0];
  }
  if (Array.isArray(out.required)) {
    const properties = { ...((out.properties as Node | undefined) ?? {}) };
    for (const key of out.required as string[]) if (!(key in properties)) properties[key] = true;
    out.properties = properties;
  }
  if (out.properties && typeof out.properties === 'object') {
    out.properties = Object.fromEntries(
      Object.entries(out.properties).map(([k, v]) => [k, v && typeof v === 'object' ? strictEncoding(v as Node, false) : v]),
    );
  }
  for (const key of SUBSCHEMAS) {
    const sub = out[key];
    // if/then/else/not apply at the same location: they keep `top`.
    const sameLocation = key === 'if' || key === 'then' || key === 'else' || key === 'not';
    if (sub && typeof sub === 'object') out[key] = strictEncoding(sub as Node, sameLocation ? top : false);
  }
  for (const key of SUBSCHEMA_LISTS) {
    const list = out[key];
    if (Array.isArray(list)) out[key] = list.map((sub) => (sub && typeof sub === 'object' ? strictEncoding(sub as Node, top) : sub));
  }
  return out;
}
