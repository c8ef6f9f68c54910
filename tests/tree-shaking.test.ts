/**
 * The built package (packages/spec/dist) costs only what is used: a bundler
 * keeps the schemas an app imports and drops the rest, and importing the
 * package does nothing but register schemas, each built on its first use.
 * `pnpm test` builds the package before this runs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as spec from '@metasource/spec';
import * as shared from '@metasource/spec/shared';

const ROOT = join(import.meta.dirname, '..');
const DIST = join(ROOT, 'packages/spec/dist');

type Schema = (typeof spec)['SqlIdentifierSchema'];
const registered = [...spec.metasourceSchemas()] as [string, Schema][];

/** The schema's own description, read from the built package's metadata. */
function descriptionOf(schema: Schema): string {
  const description = (schema.meta() as { description?: unknown } | undefined)?.description;
  if (typeof description !== 'string') throw new Error('every registered schema has a description');
  return description;
}

/**
 * The longest stretch of a description that a minifier prints verbatim (no
 * quote, backslash or template character, which it may escape differently).
 */
function fingerprint(description: string): string {
  return description.split(/["'`\\$\n]/).reduce((a, b) => (b.length > a.length ? b : a), '');
}

/**
 * Ids of the registered schemas that `schema` is built from (itself included).
 * `.meta()`, `.optional()` and the like wrap or clone a schema but keep its
 * `def`, so a registered schema is recognised by its `def` wherever it is used.
 */
function dependencyIds(schema: Schema): Set<string> {
  const idOfDef = new Map<unknown, string>(registered.map(([id, s]) => [s._zod.def, id]));
  const ids = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) return value.forEach(visit);
    const def = (value as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) return Object.values(value).forEach(visit);
    const id = idOfDef.get(def);
    if (id) ids.add(id);
    for (const [key, child] of Object.entries(def)) {
      if (key === 'getter' && typeof child === 'function') visit(child());
      else visit(child);
    }
  };
  visit(schema);
  return ids;
}

/** Minified ESM bundle of a module that re-exports `names` from the built package. */
async function bundle(names: string[]): Promise<string> {
  const result = await build({
    stdin: { contents: `export { ${names.join(', ')} } from '@metasource/spec';`, resolveDir: ROOT, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    // Zod is the peer dependency every app bundles anyway; keeping it out
    // leaves only our code, so a stray description cannot hide in Zod's bulk.
    external: ['zod'],
    charset: 'utf8',
    legalComments: 'none',
    write: false,
  });
  return result.outputFiles[0]!.text;
}

describe('a bundle that imports one schema', () => {
  const fingerprints = new Map(registered.map(([id, schema]) => [id, fingerprint(descriptionOf(schema))]));

  it('can tell every registered schema by its description', () => {
    for (const [id, print] of fingerprints) {
      expect(print.length, id).toBeGreaterThanOrEqual(20);
      const holders = [...fingerprints].filter(([, p]) => p.includes(print) || print.includes(p)).map(([other]) => other);
      expect(holders, id).toEqual([id]);
    }
  });

  it.each(['SqlIdentifier', 'MetadataRecord'])('of %sSchema keeps what it is built from and drops every other schema', async (id) => {
    const schema = spec.metasourceSchemas().get(id) as Schema;
    const kept = dependencyIds(schema);
    const code = await bundle([`${id}Schema`]);

    expect(kept.has(id)).toBe(true);
    for (const keptId of kept) expect(code, `${keptId} is used by ${id}`).toContain(fingerprints.get(keptId));

    const dropped = [...fingerprints.keys()].filter((other) => !kept.has(other));
    // The example schemas named by the issue must be among those dropped.
    expect(dropped).toEqual(expect.arrayContaining(['Datasource', 'MetadataBulkOperation', 'MetadataDriverConfig']));
    for (const other of dropped) expect(code, `${other} is not used by ${id}`).not.toContain(fingerprints.get(other));
  });

  it('of every schema holds every description, so the checks above can fail', async () => {
    const all = await bundle(registered.map(([id]) => `${id}Schema`));
    for (const print of fingerprints.values()) expect(all).toContain(print);
  });
});

describe('importing the package', () => {
  it('loads nothing but zod and its own chunks', () => {
    const files = readdirSync(DIST, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(c?js)$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const code = readFileSync(join(DIST, file), 'utf8');
      // Static `from "x"` and `import "x"` (at a statement start), dynamic `import("x")`, `require("x")`;
      // not the word "import" inside a string such as a description.
      const specifiers = [
        ...code.matchAll(/(?:\bfrom\s*|(?:^|[;\n])\s*import\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']([^"']+)["']/g),
      ].map((m) => m[1]);
      for (const specifier of specifiers) expect(specifier, file).toMatch(/^(zod|\.\.?\/[\w./-]+\.c?js)$/);
    }
  });

  const MARK = '\n--probe-result--\n';

  /**
   * A fresh Node process imports zod, notes the globals and spies on timers,
   * listeners and console, then imports the package. Anything the package
   * adds beyond what zod itself does is top-level work it should not do.
   */
  function probe(kind: 'esm' | 'cjs', specifiers: string[]) {
    const load =
      kind === 'esm'
        ? `for (const s of ${JSON.stringify(specifiers)}) await import(s);`
        : `const { createRequire } = await import('node:module'); const require = createRequire(${JSON.stringify(join(ROOT, 'package.json'))}); require('zod'); for (const s of ${JSON.stringify(specifiers)}) require(s);`;
    const script = `
      const MARK = ${JSON.stringify(MARK)};
      await import('zod');
      const keys = () => new Set([...Object.getOwnPropertyNames(globalThis), ...Object.getOwnPropertySymbols(globalThis).map(String)]);
      const before = keys();
      const calls = [];
      for (const [owner, name] of [[globalThis, 'setTimeout'], [globalThis, 'setInterval'], [globalThis, 'setImmediate'], [globalThis, 'queueMicrotask'], [globalThis, 'fetch'], [process, 'on'], [process, 'once'], [process, 'emitWarning'], [console, 'log'], [console, 'warn'], [console, 'error'], [console, 'info'], [console, 'debug']]) {
        const original = owner[name];
        owner[name] = function (...args) { calls.push(name); return original.apply(this, args); };
      }
      ${load}
      const added = [...keys()].filter((k) => !before.has(k));
      process.stdout.write(MARK + JSON.stringify({ added, calls }));
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(run.status, run.stderr).toBe(0);
    const [printed, result] = run.stdout.split(MARK) as [string, string];
    return { ...(JSON.parse(result) as { added: string[]; calls: string[] }), printed: printed + run.stderr };
  }

  const entries = ['@metasource/spec', '@metasource/spec/shared', '@metasource/spec/data', '@metasource/spec/system'];

  it.each(['esm', 'cjs'] as const)('(%s) adds no global, starts no timer, registers no listener and prints nothing', (kind) => {
    expect(probe(kind, entries)).toEqual({ added: [], calls: [], printed: '' });
  });

  it.each(['esm', 'cjs'] as const)('(%s) builds no schema until it is used', (kind) => {
    const load =
      kind === 'esm'
        ? 'const load = (s) => import(s);'
        : `const { createRequire } = await import('node:module'); const load = createRequire(${JSON.stringify(join(ROOT, 'package.json'))});`;
    const script = `
      const { types } = await import('node:util');
      ${load}
      const seen = [], built = [];
      for (const entry of ${JSON.stringify(entries)}) {
        for (const [name, value] of Object.entries(await load(entry))) {
          if (!name.endsWith('Schema')) continue;
          seen.push(name);
          // Until its first use, a schema's prototype is the proxy that builds it.
          if (!types.isProxy(Object.getPrototypeOf(value))) built.push(name);
        }
      }
      process.stdout.write(JSON.stringify({ seen: seen.length, built }));
    `;
    const result = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' })) as {
      seen: number;
      built: string[];
    };
    expect(result.seen).toBeGreaterThan(40);
    expect(result.built).toEqual([]);
  });

  it('notices a module that does top-level work, so the check above can fail', () => {
    const result = probe('esm', ['data:text/javascript,globalThis.leak = 1; setTimeout(() => {}, 0); console.log("hi")']);
    expect(result).toEqual({ added: ['leak'], calls: ['setTimeout', 'log'], printed: 'hi\n' });
  });

  it('of the shared subpath registers only the shared schemas', () => {
    const script = `const m = await import('@metasource/spec/shared'); process.stdout.write(JSON.stringify([...m.metasourceSchemas().keys()]));`;
    const ids = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' }),
    ) as string[];
    const exported = Object.keys(shared)
      .filter((name) => name.endsWith('Schema'))
      .map((name) => name.slice(0, -'Schema'.length));
    expect(ids.sort()).toEqual(exported.sort());
  });
});
