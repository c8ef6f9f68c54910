/**
 * Imports run one way: shared <- data <- system. `shared` imports only
 * `shared`; `data` (datasource, record envelope, driver) imports `shared` and
 * `data`; `system` (persistence, metasource-config) imports all three. No
 * file-level cycle anywhere, and no shipped file imports test support.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = import.meta.dirname;
const LAYERS = ['shared', 'data', 'system'] as const;
type Layer = (typeof LAYERS)[number];

/** File (relative to src, `/`-separated) -> the src files it imports. */
type Graph = Map<string, string[]>;

/** Test support: `testing.ts` in any folder. Like `*.test.ts`, it is never exported or built. */
const isTestSupport = (file: string) => file === 'testing.ts' || file.endsWith('/testing.ts');

function sourceFiles(): string[] {
  return (readdirSync(SRC, { recursive: true, encoding: 'utf8' }) as string[])
    .map((file) => file.split(sep).join('/'))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.d.ts'))
    .sort();
}

/** `./x`, `../y/z` -> `x.ts` or `x/index.ts`, relative to src; anything else is a package, not part of the graph. */
function resolveImport(from: string, specifier: string, files: ReadonlySet<string>): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = relative(SRC, resolve(SRC, dirname(from), specifier))
    .split(sep)
    .join('/');
  const found = [`${base}.ts`, `${base}/index.ts`].find((candidate) => files.has(candidate));
  if (!found) throw new Error(`${from} imports "${specifier}", which is no .ts file under packages/spec/src`);
  return found;
}

function importGraph(): Graph {
  const files = sourceFiles();
  const known = new Set(files);
  const graph: Graph = new Map();
  for (const file of files) {
    // preProcessFile reads import, import type, export ... from, import() and require() specifiers.
    const { importedFiles } = ts.preProcessFile(readFileSync(join(SRC, file), 'utf8'), true, true);
    const targets = importedFiles.flatMap(({ fileName }) => resolveImport(file, fileName, known) ?? []);
    graph.set(file, [...new Set(targets)].sort());
  }
  return graph;
}

const layerOf = (file: string): Layer | undefined => LAYERS.find((layer) => file.startsWith(`${layer}/`));

/** Every file-level cycle, once each, as `a -> b -> a`. */
function findCycles(graph: Graph): string[] {
  const cycles = new Set<string>();
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    const onStack = stack.indexOf(file);
    if (onStack >= 0) {
      const loop = stack.slice(onStack);
      // Start each cycle at its smallest file, so one cycle reached from two places is reported once.
      const start = loop.indexOf([...loop].sort()[0]!);
      const rotated = [...loop.slice(start), ...loop.slice(0, start)];
      cycles.add([...rotated, rotated[0]].join(' -> '));
      return;
    }
    if (done.has(file)) return;
    stack.push(file);
    for (const target of graph.get(file) ?? []) visit(target);
    stack.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
  return [...cycles].sort();
}

/** Every import against shared <- data <- system, and every shipped file that imports test support. */
function forbiddenEdges(graph: Graph): string[] {
  const found: string[] = [];
  for (const [from, targets] of graph) {
    const fromLayer = layerOf(from);
    for (const to of targets) {
      if (isTestSupport(to)) {
        if (!isTestSupport(from)) found.push(`${from} -> ${to}: only tests and test support may import test support`);
        continue;
      }
      if (fromLayer === undefined) continue; // src/index.ts re-exports every layer; src/testing.ts is test support
      const toLayer = layerOf(to);
      if (toLayer === undefined) {
        found.push(`${from} -> ${to}: a ${fromLayer} file imports the package root, which re-exports every layer`);
      } else if (LAYERS.indexOf(toLayer) > LAYERS.indexOf(fromLayer)) {
        const allowed = LAYERS.slice(0, LAYERS.indexOf(fromLayer) + 1).join(' and ');
        found.push(`${from} -> ${to}: ${fromLayer} may import only ${allowed} (shared <- data <- system)`);
      }
    }
  }
  return found.sort();
}

describe('the import graph of packages/spec/src', () => {
  const graph = importGraph();

  it('is read from the files, through their imports', () => {
    expect(graph.size).toBeGreaterThan(20);
    expect(graph.get('index.ts')).toEqual(['data/index.ts', 'shared/index.ts', 'system/index.ts']);
    expect(graph.get('data/metadata-record.zod.ts')).toContain('shared/opaque-id.zod.ts');
  });

  it('has no cycle', () => {
    expect(findCycles(graph)).toEqual([]);
  });

  it('runs shared <- data <- system, and keeps test support out of shipped files', () => {
    expect(forbiddenEdges(graph)).toEqual([]);
  });
});

describe('the checks above can fail', () => {
  const graph: Graph = new Map([
    ['shared/a.zod.ts', ['data/b.zod.ts']],
    ['data/b.zod.ts', ['data/c.zod.ts', 'testing.ts']],
    ['data/c.zod.ts', ['data/b.zod.ts', 'shared/a.zod.ts', 'index.ts']],
    ['system/d.zod.ts', ['system/d.zod.ts', 'data/driver/testing.ts']],
    ['index.ts', ['system/d.zod.ts']],
    ['testing.ts', []],
    ['data/driver/testing.ts', ['testing.ts']],
  ]);

  it('names every cycle, once each', () => {
    expect(findCycles(graph)).toEqual([
      'data/b.zod.ts -> data/c.zod.ts -> data/b.zod.ts',
      'data/b.zod.ts -> data/c.zod.ts -> shared/a.zod.ts -> data/b.zod.ts',
      'system/d.zod.ts -> system/d.zod.ts',
    ]);
  });

  it('names every edge against the layers and every shipped import of test support', () => {
    expect(forbiddenEdges(graph)).toEqual([
      'data/b.zod.ts -> testing.ts: only tests and test support may import test support',
      'data/c.zod.ts -> index.ts: a data file imports the package root, which re-exports every layer',
      'shared/a.zod.ts -> data/b.zod.ts: shared may import only shared (shared <- data <- system)',
      'system/d.zod.ts -> data/driver/testing.ts: only tests and test support may import test support',
    ]);
  });
});
