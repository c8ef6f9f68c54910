/**
 * Writes the conformance kit's generated documents, or with --check fails
 * when one is stale or the guide's requirements are not all accounted for:
 *
 *   tsx scripts/conformance.ts [coverage] [report] [--check]
 *
 * - coverage: docs/conformance/COVERAGE.md, every requirement of
 *   docs/METADATA_DATASOURCE.md with its audits, or the written reason
 *   (NOT_AUDITABLE) why no black-box audit can test it;
 * - report: docs/conformance/memory.md, the kit run against the memory store;
 *   a failed MUST audit there fails the script too, since the memory store is
 *   the protocol's definition (a bug in the store or in the audit);
 * - sqlite, postgres, mariadb: docs/conformance/<name>.md, the kit run
 *   against the SQL store of that database, each store on a table of its own
 *   in a test database made for the run and dropped after it (the servers of
 *   scripts/ensure-databases.sh); a failed MUST audit fails the script.
 *
 * Without a mode, both. Exit codes: 0 done (or up to date), 1 stale or
 * unaccounted for, 2 wrong arguments. Needs the built packages
 * (`pnpm run build:package`).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { audits, coverageProblems, parseRequirements, renderCoverage, renderReport, runConformance } from '@metasource/conformance';
import { createMemoryStore, type MemoryStore } from '@metasource/store';
import type { SqlDriver } from '../packages/store/src/sql/layout';
import { SQL_STORE_NAMES, sqlStoreFactory } from '../support/sql-stores';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const GUIDE = join(ROOT, 'docs/METADATA_DATASOURCE.md');
const OUT = join(ROOT, 'docs/conformance');
const MODES = ['coverage', 'report', 'sqlite', 'postgres', 'mariadb'] as const;
type Mode = (typeof MODES)[number];

const args = process.argv.slice(2);
const check = args.includes('--check');
const unknown = args.filter((arg) => arg !== '--check' && !(MODES as readonly string[]).includes(arg));
if (unknown.length > 0) {
  console.error(`conformance: unknown argument ${unknown.join(' ')}`);
  console.error('Usage: tsx scripts/conformance.ts [coverage] [report] [sqlite] [postgres] [mariadb] [--check]');
  process.exit(2);
}
const chosen = args.filter((arg): arg is Mode => (MODES as readonly string[]).includes(arg));
const modes: readonly Mode[] = chosen.length > 0 ? chosen : MODES;

async function render(mode: Mode): Promise<{ file: string; text: string; problems: string[] }> {
  if (mode === 'coverage') {
    const requirements = parseRequirements(readFileSync(GUIDE, 'utf8'));
    return { file: join(OUT, 'COVERAGE.md'), text: renderCoverage(audits, requirements), problems: coverageProblems(audits, requirements) };
  }
  if (mode !== 'report') return sqlReport(mode === 'mariadb' ? 'mysql' : mode, mode);
  const result = await runConformance({
    newStore: () => createMemoryStore(),
    secondClient: (store) => createMemoryStore({ database: (store as MemoryStore).database }),
  });
  // The memory store is the protocol's definition: a failed MUST audit on it is a bug in the store or in the audit.
  const problems = result.results
    .filter((r) => r.outcome === 'fail' && r.level === 'MUST')
    .map((r) => `the memory store fails ${r.id}: ${r.message ?? ''}`);
  return { file: join(OUT, 'memory.md'), text: renderReport(result, { storeName: 'memory store (@metasource/store)' }), problems };
}

/** The kit on a SQL store: a report page, and a problem for each failed MUST audit. */
async function sqlReport(driver: SqlDriver, name: string): Promise<{ file: string; text: string; problems: string[] }> {
  const factory = await sqlStoreFactory(driver, 'report');
  try {
    const result = await runConformance({ newStore: () => factory.newStore(), secondClient: (store) => factory.secondClient(store) });
    const problems = result.results
      .filter((r) => r.outcome === 'fail' && r.level === 'MUST')
      .map((r) => `the ${SQL_STORE_NAMES[driver]} store fails ${r.id}: ${r.message ?? ''}`);
    const text = renderReport(result, { storeName: `${SQL_STORE_NAMES[driver]} store (@metasource/store, openStore)` });
    return { file: join(OUT, `${name}.md`), text, problems };
  } finally {
    await factory.drop();
  }
}

let failed = false;
for (const mode of modes) {
  const { file, text, problems } = await render(mode);
  const name = relative(ROOT, file);
  for (const problem of problems) console.error(`${name}: ${problem}`);
  if (check) {
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (current !== text) {
      console.error(
        `${name} is ${current === undefined ? 'missing' : 'out of date'}. Run \`pnpm run conformance:write\` and commit the result.`,
      );
      failed = true;
    } else console.error(`${name} is up to date.`);
  } else {
    mkdirSync(OUT, { recursive: true });
    writeFileSync(file, text);
    console.error(`Wrote ${name}.`);
  }
  if (problems.length > 0) failed = true;
}
process.exit(failed ? 1 : 0);
