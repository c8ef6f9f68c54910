/**
 * Writes examples/metadata/tenants/, the sample metadata set: a small CRM and
 * help desk for the tenants acme and globex, one `record`-format file per
 * item at the path METADATA_FILE_LAYOUT gives, plus the generated section
 * of examples/metadata/README.md (counts, what a load serves, every
 * extends). With --check it writes nothing and fails when a file on disk
 * differs from a fresh build, is missing, or is extra.
 *
 *   tsx scripts/generate-sample-metadata.ts           # write
 *   tsx scripts/generate-sample-metadata.ts --check   # verify, exit 1 when stale
 *
 * What the set holds is built in support/sample-metadata.ts.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  SAMPLE_README,
  SAMPLE_ROOT,
  listTree,
  readmeSection,
  readmeWithSection,
  sampleFiles,
  sampleItems,
} from '../support/sample-metadata';

async function main(): Promise<void> {
  const files = await sampleFiles();
  const readme = readFileSync(SAMPLE_README, 'utf8');
  const freshReadme = readmeWithSection(readme, readmeSection(sampleItems()));
  if (process.argv.includes('--check')) {
    const problems: string[] = [];
    for (const [path, text] of files) {
      const full = join(SAMPLE_ROOT, path);
      if (!existsSync(full)) problems.push(`missing: ${path}`);
      else if (readFileSync(full, 'utf8') !== text) problems.push(`stale:   ${path}`);
    }
    for (const path of listTree(SAMPLE_ROOT)) if (!files.has(path)) problems.push(`extra:   ${path}`);
    if (freshReadme !== readme) problems.push('stale:   README.md generated section');
    if (problems.length > 0) {
      console.error(`The sample metadata set is out of date (${problems.length}):\n  ${problems.join('\n  ')}`);
      console.error('Run `tsx scripts/generate-sample-metadata.ts` and commit the result.');
      process.exit(1);
    }
    console.log(`Sample metadata check: ${files.size} files up to date.`);
    return;
  }
  rmSync(SAMPLE_ROOT, { recursive: true, force: true });
  for (const [path, text] of files) {
    const full = join(SAMPLE_ROOT, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  writeFileSync(SAMPLE_README, freshReadme);
  console.log(`Wrote ${files.size} files to ${relative(process.cwd(), SAMPLE_ROOT) || '.'} and the README's generated section.`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
