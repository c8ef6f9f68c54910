/**
 * The code around the package keeps one direction of dependency: scripts/
 * (generators, benchmark, command-line tools) and tests/ both use support/,
 * and neither imports the other, so a test never runs a script's top-level
 * code and a script never depends on a test helper.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const FOLDERS = ['scripts', 'support', 'tests'] as const;
const FORBIDDEN: Record<(typeof FOLDERS)[number], string[]> = {
  scripts: ['tests'],
  tests: ['scripts'],
  support: ['scripts', 'tests'],
};

const THIS_FILE = relative(ROOT, import.meta.filename);

/** Source files of a folder; not this one, whose examples below are imports written in strings. */
function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(?:[cm]?[jt]s)$/.test(file) && !file.split(/[\\/]/).includes('node_modules'))
    .map((file) => join(folder, file))
    .filter((file) => file !== THIS_FILE);
}

/** Top folder of every relative module a file imports, statically or dynamically. */
function importedFolders(file: string, code = readFileSync(join(ROOT, file), 'utf8')): string[] {
  const specifiers = [...code.matchAll(/(?:\bfrom\s*|(?:^|[;\n])\s*import\s*|\bimport\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g)].map(
    (m) => m[1]!,
  );
  return specifiers.map((s) => relative(ROOT, resolve(ROOT, dirname(file), s)).split(/[\\/]/)[0]!);
}

describe('scripts/, tests/ and support/', () => {
  it.each(FOLDERS)('%s imports nothing from the folders it must not depend on', (folder) => {
    const files = sourceFiles(folder);
    expect(files.length).toBeGreaterThan(0);
    const offending = files.flatMap((file) =>
      importedFolders(file)
        .filter((target) => FORBIDDEN[folder].includes(target))
        .map((target) => `${file} imports from ${target}/`),
    );
    expect(offending).toEqual([]);
  });

  it('reads static, re-exported and dynamic imports, so the check above can fail', () => {
    const code = [
      "import { runParity } from '../scripts/parity';",
      "export { createAjv } from './support/ajv';",
      "const lib = await import('../support/json-schema');",
      "import { z } from 'zod';",
    ].join('\n');
    expect(importedFolders('tests/example.test.ts', code)).toEqual(['scripts', 'tests', 'support']);
  });
});
