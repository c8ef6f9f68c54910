/**
 * Writes packages/spec/json-schema/ from the Zod schemas, or with --check
 * fails when the committed files differ from a fresh build.
 *
 *   tsx scripts/generate-json-schema.ts           # write
 *   tsx scripts/generate-json-schema.ts --check   # verify, exit 1 when stale
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateJsonSchemaFiles, serialize } from '../support/json-schema';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '../packages/spec/json-schema');

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(outDir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

const files = generateJsonSchemaFiles();
if (process.argv.includes('--check')) {
  const expected = new Map(files.map((f) => [f.path, serialize(f.json)]));
  const problems: string[] = [];
  for (const [path, text] of expected) {
    const full = join(outDir, path);
    if (!existsSync(full)) problems.push(`missing: ${path}`);
    else if (readFileSync(full, 'utf8') !== text) problems.push(`stale:   ${path}`);
  }
  for (const path of listFiles(outDir)) if (!expected.has(path)) problems.push(`extra:   ${path}`);
  if (problems.length > 0) {
    console.error(`JSON Schema files are out of date (${problems.length}):\n  ${problems.join('\n  ')}`);
    console.error('Run `pnpm run generate` and commit the result.');
    process.exit(1);
  }
  console.log(`JSON Schema check: ${files.length} files up to date.`);
} else {
  rmSync(outDir, { recursive: true, force: true });
  for (const file of files) {
    const full = join(outDir, file.path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, serialize(file.json));
  }
  console.log(`Wrote ${files.length} JSON Schema files to ${relative(process.cwd(), outDir) || '.'}.`);
}
