/**
 * Renders docs/reference/ from the emitted JSON Schema (which is itself built
 * from the Zod schemas), so the reference cannot drift from either.
 */
import * as data from '../../packages/spec/src/data/index';
import * as shared from '../../packages/spec/src/shared/index';
import * as system from '../../packages/spec/src/system/index';
import { UNCHECKED_RULES_KEYWORD, METADATA_PROTOCOL_VERSION } from '../../packages/spec/src/index';
import { fileStem, generateJsonSchemaFiles, ID_BASE, type JsonSchema } from '../../support/json-schema';

type S = JsonSchema;
export interface ReferencePage {
  path: string;
  text: string;
}

const DOMAINS: [string, Record<string, unknown>][] = [
  ['shared', shared],
  ['data', data],
  ['system', system],
];

function subpathOf(id: string): string {
  const found = DOMAINS.find(([, mod]) => `${id}Schema` in mod);
  if (!found) throw new Error(`${id}Schema is exported from no domain subpath`);
  return `@metasource/spec/${found[0]}`;
}

const esc = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (v: unknown) => `\`${esc(JSON.stringify(v))}\``;

/** `./metadata-record.json` -> link to that schema's page. */
function refLink(ref: string): string {
  const [file, fragment] = ref.replace(/^\.\//, '').split('#');
  const stem = file!.replace(/\.json$/, '');
  if (stem === 'shared-defs') return '[JsonValue](json-value.md)';
  const id = stem.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
  return fragment ? `[${id}](${stem}.md)` : `[${id}](${stem}.md)`;
}

function typeOf(s: S): string {
  if (typeof s.$ref === 'string') return refLink(s.$ref);
  if ('const' in s) return code(s.const);
  if (Array.isArray(s.enum)) return (s.enum as unknown[]).map(code).join(' \\| ');
  const branches = (s.anyOf ?? s.oneOf) as S[] | undefined;
  if (branches) return branches.map((b, i) => (b.type === 'object' && b.properties && !b.$ref ? `form ${i + 1}` : typeOf(b))).join(' \\| ');
  switch (s.type) {
    case 'array':
      return `array of ${s.items ? typeOf(s.items as S) : 'any'}`;
    case 'object':
      return s.properties ? 'object' : s.additionalProperties ? `map of ${typeOf(s.additionalProperties as S)}` : 'object';
    case undefined:
      return 'any';
    default:
      return String(s.type);
  }
}

function constraintsOf(s: S): string {
  const c: string[] = [];
  const add = (k: string, label: string) => {
    if (s[k] !== undefined) c.push(`${label} ${s[k]}`);
  };
  add('minimum', '≥');
  add('exclusiveMinimum', '>');
  add('maximum', '≤');
  add('exclusiveMaximum', '<');
  add('minLength', 'min length');
  add('maxLength', 'max length');
  add('minItems', 'min items');
  add('maxItems', 'max items');
  add('minProperties', 'min properties');
  if (s.uniqueItems) c.push('items unique');
  if (typeof s.format === 'string') c.push(`format ${s.format}`);
  const patterns = [s.pattern, ...((s.allOf as S[] | undefined) ?? []).map((a) => a.pattern)].filter(
    (p): p is string => typeof p === 'string',
  );
  // A length-only pattern is already shown as min/max length.
  for (const p of patterns)
    if (!/^\^\[\\s\\S\]\{[0-9]+,[0-9]+\}(?:\$|\(\?!\[\\s\\S\]\))$/.test(p)) c.push(`pattern \`${esc(p.replaceAll('(?![\\s\\S])', '$'))}\``);
  if (s.type === 'array' && s.items && typeof s.items === 'object') {
    const inner = constraintsOf(s.items as S);
    if (inner) c.push(`each item: ${inner}`);
  }
  return c.join('; ');
}

interface Row {
  field: string;
  note?: string;
  schema: S;
  required: boolean;
}

/** Flattens inline nested objects into dotted rows; `$ref`d objects link to their own page. */
function rows(s: S, prefix = ''): Row[] {
  const out: Row[] = [];
  const props = (s.properties ?? {}) as Record<string, S>;
  const required = new Set((s.required ?? []) as string[]);
  for (const [key, prop] of Object.entries(props)) {
    const field = `${prefix}${key}`;
    out.push({ field, schema: prop, required: required.has(key) });
    if (prop.type === 'object' && prop.properties && prop.$ref === undefined) out.push(...rows(prop, `${field}.`));
    // Inline alternatives (a page form or a cursor form, say): one block of rows per form.
    const forms = (prop.anyOf ?? prop.oneOf) as S[] | undefined;
    forms?.forEach((form, i) => {
      if (form.type === 'object' && form.properties && form.$ref === undefined) {
        out.push(...rows(form, `${field}.`).map((r) => ({ ...r, note: ` (form ${i + 1})` })));
      }
    });
  }
  return out;
}

function fieldTable(input: S, output: S): string[] {
  const inRows = rows(input);
  if (inRows.length === 0) return [];
  const outRequired = new Map(rows(output).map((r) => [r.field, r.required]));
  const lines = ['| Field | Type | Required | Default | Constraints | Description |', '| --- | --- | --- | --- | --- | --- |'];
  for (const r of inRows) {
    const req = r.required ? 'yes' : outRequired.get(r.field) ? 'no (defaulted)' : 'no';
    const def = r.schema.default !== undefined ? code(r.schema.default) : '';
    lines.push(
      `| \`${r.field}\`${r.note ?? ''} | ${typeOf(r.schema)} | ${req} | ${def} | ${esc(constraintsOf(r.schema))} | ${esc(String(r.schema.description ?? ''))} |`,
    );
  }
  return lines;
}

function collectRules(s: unknown, checked: string[], unchecked: { name: string; message: string }[]): void {
  if (Array.isArray(s)) return s.forEach((x) => collectRules(x, checked, unchecked));
  if (!s || typeof s !== 'object') return;
  for (const [k, v] of Object.entries(s)) {
    if (k === UNCHECKED_RULES_KEYWORD) unchecked.push(...(v as { name: string; message: string }[]));
    else if (k === '$comment' && typeof v === 'string' && v.startsWith('rule ')) checked.push(v.slice(5));
    else if (k !== 'examples' && k !== 'default') collectRules(v, checked, unchecked);
  }
}

function variants(input: S): string[] {
  const branches = (input.anyOf ?? input.oneOf) as S[] | undefined;
  if (!branches || input.type !== undefined) return [];
  const lines = ['## Variants', '', `A value matches exactly one of these${input.oneOf ? '' : ' (any one suffices)'}:`, ''];
  branches.forEach((b, i) => {
    lines.push(`${i + 1}. ${typeOf(b)}${typeof b.description === 'string' ? `: ${esc(b.description)}` : ''}`);
  });
  lines.push('');
  branches.forEach((b, i) => {
    if (b.$ref !== undefined || !b.properties) return;
    lines.push(`### Variant ${i + 1}`, '', ...fieldTable(b, b), '');
  });
  return lines;
}

export function generateReferencePages(): ReferencePage[] {
  const files = generateJsonSchemaFiles();
  const byPath = new Map(files.map((f) => [f.path, f.json]));
  const manifest = byPath.get('manifest.json') as { schemas: { id: string; file: string }[] };
  const pages: ReferencePage[] = [];
  const index: string[] = [];
  for (const { id, file } of [...manifest.schemas].sort((a, b) => a.id.localeCompare(b.id))) {
    const input = byPath.get(`input/${file}`)!;
    const output = byPath.get(`output/${file}`)!;
    const stem = fileStem(id);
    const checked: string[] = [];
    const unchecked: { name: string; message: string }[] = [];
    collectRules(input, checked, unchecked);
    const lines = [
      `# ${id}`,
      '',
      '<!-- Generated by scripts/generate-reference.ts from the Zod schemas. Do not edit; run `pnpm run generate`. -->',
      '',
      String(input.description ?? ''),
      '',
      `- Zod: \`${id}Schema\` from \`@metasource/spec\` or \`${subpathOf(id)}\``,
      `- Types: \`${id}\` (parsed output, what a runtime receives), \`${id}Input\` (what an author writes)`,
      `- JSON Schema: [input](../../packages/spec/json-schema/input/${file}) (\`${ID_BASE}/input/${file}\`), [output](../../packages/spec/json-schema/output/${file}); draft-07 copies under \`json-schema/draft-07/\``,
      '',
    ];
    if (input.type !== undefined && input.type !== 'object') {
      lines.push(`**Type:** ${typeOf(input)}${constraintsOf(input) ? `; ${esc(constraintsOf(input))}` : ''}`, '');
    } else if (input.$ref !== undefined) {
      lines.push(`**Type:** ${typeOf(input)}`, '');
    }
    const table = fieldTable(input, output);
    if (table.length > 0) lines.push('## Fields', '', ...table, '');
    lines.push(...variants(input));
    if (checked.length + unchecked.length > 0) {
      lines.push('## Rules across fields', '');
      for (const r of checked) lines.push(`- ${esc(r)} (checked by Zod and by JSON Schema)`);
      for (const r of unchecked)
        lines.push(`- ${r.name}: ${esc(r.message)} (checked by Zod only; listed under \`${UNCHECKED_RULES_KEYWORD}\`)`);
      lines.push('');
    }
    const examples = (input.examples ?? []) as unknown[];
    if (examples.length > 0) {
      lines.push('## Example', '', '```json', JSON.stringify(examples[0], null, 2), '```', '');
    }
    pages.push({
      path: `${stem}.md`,
      text: `${lines
        .join('\n')
        .replace(/\n{3,}/g, '\n\n')
        .trimEnd()}\n`,
    });
    index.push(
      `| [${id}](${stem}.md) | \`${subpathOf(id)}\` | ${esc(
        String(input.description ?? '')
          .split('. ')[0]!
          .replace(/\.$/, ''),
      )}. |`,
    );
  }
  pages.push({
    path: 'README.md',
    text: [
      `# Schema reference (protocol ${METADATA_PROTOCOL_VERSION})`,
      '',
      '<!-- Generated by scripts/generate-reference.ts from the Zod schemas. Do not edit; run `pnpm run generate`. -->',
      '',
      'One page per exported schema. Every Zod schema `XSchema` has a page `X`, JSON Schema files in `packages/spec/json-schema/{input,output}/`, and the types `X` and `XInput`.',
      '',
      '| Schema | Subpath | Summary |',
      '| --- | --- | --- |',
      ...index,
      '',
    ].join('\n'),
  });
  return pages;
}
