/**
 * Writes docs/reference/ from the schemas, or with --check fails when the
 * committed pages differ from a fresh build.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateReferencePages } from './lib/reference';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '../docs/reference');
const pages = generateReferencePages();

if (process.argv.includes('--check')) {
  const expected = new Map(pages.map((p) => [p.path, p.text]));
  const problems: string[] = [];
  for (const [path, text] of expected) {
    const full = join(outDir, path);
    if (!existsSync(full)) problems.push(`missing: ${path}`);
    else if (readFileSync(full, 'utf8') !== text) problems.push(`stale:   ${path}`);
  }
  for (const file of existsSync(outDir) ? readdirSync(outDir) : []) if (!expected.has(file)) problems.push(`extra:   ${file}`);
  if (problems.length > 0) {
    console.error(`Reference docs are out of date (${problems.length}):\n  ${problems.join('\n  ')}`);
    console.error('Run `pnpm run generate` and commit the result.');
    process.exit(1);
  }
  console.log(`Reference check: ${pages.length} pages up to date.`);
} else {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const page of pages) writeFileSync(join(outDir, page.path), page.text);
  console.log(`Wrote ${pages.length} reference pages to docs/reference.`);
}
