/**
 * The code blocks of the prose docs (docs/*.md, but not the generated
 * docs/reference/) and of README.md are tested, so no example in them can
 * drift from the protocol.
 *
 * Conventions for authors of those files:
 *
 * - ```ts / ```typescript: every block is a module of its own; import what it
 *   uses. All blocks are type-checked together with the compiler options of
 *   tsconfig.json. The workspace packages ('@metasource/spec',
 *   '@metasource/store', '@metasource/conformance') resolve through the root
 *   node_modules to their built declarations (dist/), so run
 *   `pnpm run build:package` first; other packages (vitest, canonicalize,
 *   node:*) resolve as in any root test. A block must produce no diagnostic.
 *   Blocks are not run.
 * - ```json: must be valid JSON. A block that claims a schema is checked
 *   against it, with Zod (the registered schema) and with Ajv (the emitted
 *   input variant). A block claims a schema in one of two ways:
 *     1. an HTML comment on the line right before the opening fence,
 *        `<!-- schema: MetadataRecord -->`, naming a schema id (the ids are
 *        the page titles of docs/reference/); or
 *     2. a "$schema" key whose value ends with the file name of an emitted
 *        schema, such as "../../packages/spec/json-schema/input/metasource-config.json".
 *        A "$schema" that points at a json-schema.org meta-schema marks a
 *        JSON Schema document, not an instance, and claims nothing.
 *   Both must accept the block. `<!-- schema: MetadataRecord invalid -->`
 *   marks a deliberately invalid example: both must reject it.
 *   A JSON block with neither is an illustration and is only parsed.
 * - ```python: run with /usr/bin/python3 from the repository root; the block
 *   must exit with status 0. Keep such blocks self-contained and fast.
 * - Other languages (sql, sh, text, ...) are not checked.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { metasourceSchemas } from '../packages/spec/src/index';
import { JSON_SCHEMA_DIR, ajvForVariant } from '../support/ajv';

const ROOT = join(import.meta.dirname, '..');
const PYTHON = '/usr/bin/python3';

interface Block {
  /** Path relative to the repository root. */
  doc: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  /** The line right before the opening fence. */
  before: string;
}

const where = (b: Block) => `${b.doc}:${b.line}`;

/** docs/*.md (not docs/reference), the README and the package's README (shown on npm). */
function documents(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  const readmes = ['README.md', 'packages/spec/README.md'];
  for (const readme of readmes) expect(existsSync(join(ROOT, readme)), readme).toBe(true);
  return [...docs, ...readmes];
}

const FENCE = /^( {0,3})(`{3,}|~{3,})\s*([^`\s]*)/;

/** Every fenced code block of a Markdown file. An unclosed fence is an error, not a skipped block. */
function extractBlocks(doc: string): Block[] {
  const lines = readFileSync(join(ROOT, doc), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, info] = open;
    // As CommonMark does: a fence indented inside a list item has its indentation removed from every line.
    const dedent = new RegExp(`^ {0,${indent!.length}}`);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(lines[j]!);
      if (close && close[1]![0] === fence![0] && close[1]!.length >= fence!.length) break;
      body.push(lines[j]!.replace(dedent, ''));
    }
    if (j === lines.length) throw new Error(`${doc}:${i + 1}: code fence is never closed`);
    blocks.push({ doc, line: i + 1, lang: info!.toLowerCase(), code: body.join('\n'), before: i > 0 ? lines[i - 1]! : '' });
    i = j;
  }
  return blocks;
}

const DOCS = documents();
const BLOCKS = DOCS.flatMap(extractBlocks);
const byLang = (...langs: string[]) => BLOCKS.filter((b) => langs.includes(b.lang));
const TS_BLOCKS = byLang('ts', 'typescript');
const JSON_BLOCKS = byLang('json');
const PYTHON_BLOCKS = byLang('python', 'py');
const label = (b: Block) => [where(b), b] as const;

// ---------------------------------------------------------------------------
// TypeScript
// ---------------------------------------------------------------------------

/** Diagnostics of every TypeScript block, type-checked as one program, keyed by block. */
let tsDiagnostics: Map<Block, string[]>;
let globalDiagnostics: string[];
let tempDir: string;

function formatDiagnostic(d: ts.Diagnostic, block?: Block): string {
  const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (!d.file || d.start === undefined || !block) return `error TS${d.code}: ${text}`;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  // The block's first line is the line after the fence.
  return `${block.doc}:${block.line + 1 + line}:${character + 1} (block at line ${block.line}): error TS${d.code}: ${text}`;
}

beforeAll(() => {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  // Inside the repository, so '@metasource/spec' and @types/node resolve through its node_modules.
  tempDir = mkdtempSync(join(ROOT, '.tmp', 'docs-code-blocks-'));
  const files = new Map<string, Block>();
  TS_BLOCKS.forEach((block, i) => {
    const file = join(tempDir, `${String(i).padStart(3, '0')}-${basename(block.doc, '.md')}-${block.line}.ts`);
    // `export {}` makes every block a module; it comes last, so line numbers stay those of the block.
    writeFileSync(file, `${block.code}\nexport {};\n`);
    files.set(file, block);
  });
  const configPath = join(ROOT, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  if (config.error) throw new Error(formatDiagnostic(config.error));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT, undefined, configPath);
  if (parsed.errors.length > 0) throw new Error(parsed.errors.map((d) => formatDiagnostic(d)).join('\n'));
  const program = ts.createProgram({ rootNames: [...files.keys()], options: { ...parsed.options, noEmit: true } });
  tsDiagnostics = new Map(TS_BLOCKS.map((b) => [b, []]));
  globalDiagnostics = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const block = d.file ? (files.get(d.file.fileName) ?? files.get(join(d.file.fileName))) : undefined;
    if (block) tsDiagnostics.get(block)!.push(formatDiagnostic(d, block));
    else globalDiagnostics.push(d.file ? `${relative(ROOT, d.file.fileName)}: ${formatDiagnostic(d)}` : formatDiagnostic(d));
  }
}, 180_000);

afterAll(() => {
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
});

describe('documents', () => {
  it('include the protocol guide and the migration guide, each with tested blocks', () => {
    expect(DOCS).toEqual(expect.arrayContaining(['docs/METADATA_DATASOURCE.md', 'docs/METADATA_MIGRATION_GUIDE.md']));
    const guide = BLOCKS.filter((b) => b.doc === 'docs/METADATA_DATASOURCE.md');
    expect(guide.filter((b) => b.lang === 'ts').length).toBeGreaterThan(0);
    expect(guide.filter((b) => b.lang === 'json').length).toBeGreaterThan(0);
    expect(guide.filter((b) => b.lang === 'python').length).toBeGreaterThan(0);
    const claims = JSON_BLOCKS.map((b) => /<!--\s*schema:\s*\S+(\s+invalid)?/.exec(b.before)).filter((m) => m !== null);
    const invalid = claims.filter((m) => m[1] !== undefined).length;
    console.log(
      `docs-code-blocks: ${DOCS.join(', ')}: ${TS_BLOCKS.length} ts, ${JSON_BLOCKS.length} json ` +
        `(${claims.length} with a schema comment, ${invalid} of them invalid examples), ${PYTHON_BLOCKS.length} python blocks`,
    );
  });

  it('put a schema comment only right before a json block', () => {
    const misplaced = BLOCKS.filter((b) => b.lang !== 'json' && /<!--\s*schema:/.test(b.before)).map(where);
    expect(misplaced).toEqual([]);
  });
});

/** The workspace packages the TypeScript blocks import, e.g. `store` for '@metasource/store'. */
const WORKSPACE_IMPORTS = [
  ...new Set(TS_BLOCKS.flatMap((b) => [...b.code.matchAll(/from '@metasource\/([a-z-]+)(?:\/[a-z-]+)?'/g)].map((m) => m[1]!))),
].sort();

describe('TypeScript blocks type-check', () => {
  it('against the built workspace packages they import', () => {
    // A missing build would show as "Cannot find module" in every block; say what to do instead.
    for (const name of WORKSPACE_IMPORTS) {
      const declarations = join(ROOT, 'packages', name, 'dist', 'index.d.ts');
      expect(
        existsSync(declarations),
        `@metasource/${name} is not built: run pnpm run build:package (${relative(ROOT, declarations)})`,
      ).toBe(true);
    }
    expect(WORKSPACE_IMPORTS).toEqual(expect.arrayContaining(['conformance', 'spec', 'store']));
  });

  it('with no diagnostic outside the blocks (configuration, resolution)', () => {
    expect(globalDiagnostics, globalDiagnostics.join('\n')).toEqual([]);
  });

  it.each(TS_BLOCKS.map(label))('%s', (_where, block) => {
    const diagnostics = tsDiagnostics.get(block)!;
    expect(diagnostics, diagnostics.join('\n')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------

interface Manifest {
  schemas: { id: string; file: string }[];
}

const manifest = JSON.parse(readFileSync(join(JSON_SCHEMA_DIR, 'manifest.json'), 'utf8')) as Manifest;
const { ajv } = ajvForVariant('input');

interface Claim {
  id: string;
  invalid: boolean;
}

/** The schema a JSON block claims, if any; throws on a claim that names no schema. */
function claimOf(block: Block, value: unknown): Claim | undefined {
  const comment = /^\s*<!--\s*schema:\s*([A-Za-z0-9]+)(\s+invalid)?\s*-->\s*$/.exec(block.before);
  if (/<!--\s*schema:/.test(block.before) && !comment) {
    throw new Error(`${where(block)}: malformed schema comment ${JSON.stringify(block.before.trim())}`);
  }
  let fromKey: string | undefined;
  const $schema =
    value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as { $schema?: unknown }).$schema : undefined;
  if (typeof $schema === 'string' && !/^https?:\/\/json-schema\.org\//.test($schema)) {
    const file = basename($schema.split(/[?#]/)[0]!);
    const entry = manifest.schemas.find((s) => s.file === file);
    if (!entry) throw new Error(`${where(block)}: "$schema": ${JSON.stringify($schema)} names no emitted schema file`);
    fromKey = entry.id;
  }
  if (comment && fromKey && comment[1] !== fromKey) {
    throw new Error(`${where(block)}: the schema comment says ${comment[1]} but "$schema" says ${fromKey}`);
  }
  const id = comment?.[1] ?? fromKey;
  return id === undefined ? undefined : { id, invalid: comment?.[2] !== undefined };
}

function zodSchema(id: string): z.ZodType {
  const schema = metasourceSchemas().get(id);
  if (!schema) throw new Error(`no schema registered under the id ${id}`);
  return schema;
}

function ajvValidator(id: string) {
  const entry = manifest.schemas.find((s) => s.id === id);
  if (!entry) throw new Error(`no emitted schema for the id ${id}`);
  const { $id } = JSON.parse(readFileSync(join(JSON_SCHEMA_DIR, 'input', entry.file), 'utf8')) as { $id: string };
  const validate = ajv.getSchema($id);
  if (!validate) throw new Error(`Ajv has no schema ${$id}`);
  return validate;
}

describe('JSON blocks', () => {
  it.each(JSON_BLOCKS.map(label))('%s', (at, block) => {
    let value: unknown;
    try {
      value = JSON.parse(block.code);
    } catch (error) {
      throw new Error(`${at}: not valid JSON: ${(error as Error).message}`);
    }
    const claim = claimOf(block, value);
    if (!claim) return;
    const zod = zodSchema(claim.id).safeParse(value);
    const validate = ajvValidator(claim.id);
    const ajvValid = validate(value) as boolean;
    if (claim.invalid) {
      expect(zod.success, `${at}: marked invalid, but Zod accepts it as ${claim.id}`).toBe(false);
      expect(ajvValid, `${at}: marked invalid, but Ajv accepts it as ${claim.id}`).toBe(false);
    } else {
      expect(zod.success, `${at}: Zod rejects it as ${claim.id}: ${JSON.stringify(zod.error?.issues)}`).toBe(true);
      expect(ajvValid, `${at}: Ajv rejects it as ${claim.id}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------
// Python
// ---------------------------------------------------------------------------

describe('Python blocks run', () => {
  it.each(PYTHON_BLOCKS.map(label))(
    '%s',
    (at, block) => {
      const run = spawnSync(PYTHON, ['-'], { cwd: ROOT, input: block.code, encoding: 'utf8', timeout: 60_000 });
      if (run.error) throw new Error(`${at}: could not run ${PYTHON}: ${run.error.message}`);
      expect(run.status, `${at}: exit status ${run.status}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`).toBe(0);
    },
    90_000,
  );
});
