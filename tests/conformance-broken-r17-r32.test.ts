/**
 * The kit proves itself on R17 to R32: every broken store fails at least one
 * audit of the requirement it breaks, and the memory store, which they all
 * wrap, passes every MUST audit of R17 to R32.
 */
import { audits, runConformance, type Audit, type AuditResult, type ConformanceOptions } from '@metasource/conformance';
import type { MetadataStore } from '@metasource/spec';
import { MemoryDatabase, MemoryStore, type MemoryStoreOptions } from '@metasource/store';
import { describe, expect, it } from 'vitest';
import { brokenStoresR17toR32 } from './broken-stores/r17-r32';

const FIRST = 17;
const LAST = 32;
const requirementNumber = (audit: Pick<Audit, 'requirement'>) => Number(audit.requirement.slice(1));
const ours = audits.filter((audit) => requirementNumber(audit) >= FIRST && requirementNumber(audit) <= LAST);

/**
 * Limits low enough for the R26 audits to reach them with 130 items: pages
 * of more than 100 are page_too_large and a resolved load of more than 100
 * records is result_too_large. A store at the defaults (1000 and 10,000)
 * passes those audits by returning everything.
 */
const TIGHT_LIMITS: MemoryStoreOptions = { maxPageSize: 100, maxResultSize: 100 };

/**
 * Opened memory stores, wrapped by `wrap`, each with an opened second client
 * on the same MemoryDatabase (an unbroken MemoryStore: the other writer or
 * reader of the audits that need one).
 */
function memoryEnvironment(options: MemoryStoreOptions, wrap: (inner: MetadataStore) => MetadataStore = (inner) => inner) {
  const databases = new WeakMap<MetadataStore, MemoryDatabase>();
  return {
    newStore: async () => {
      const inner = new MemoryStore(options);
      const store = wrap(inner);
      databases.set(store, inner.database);
      await store.open();
      return store;
    },
    secondClient: async (store: MetadataStore) => {
      const database = databases.get(store);
      if (!database) throw new Error('secondClient: not a store of this environment');
      const client = new MemoryStore({ ...options, database });
      await client.open();
      return client;
    },
  } satisfies Pick<ConformanceOptions, 'newStore' | 'secondClient'>;
}

/** The audit that must catch each broken store (others of its requirement may fail too). */
const CAUGHT_BY: Readonly<Record<string, string>> = {
  'partial-atomic-import': 'R17.1',
  'lossy-payload': 'R18.1',
  'nul-stripped-not-refused': 'R18.1',
  'shared-read-objects': 'R18.3',
  'duplicate-keys': 'R19.1',
  'cache-ignores-caller': 'R20.1',
  'stale-after-write': 'R21.1',
  'stale-read-through': 'R22.1',
  'read-through-without-refresh': 'R22.2',
  'unstable-order': 'R24.1',
  'cursor-after-full-last-page': 'R24.1',
  'forged-cursor-accepted': 'R25.6',
  'cursor-ignores-query': 'R25.1',
  'cursor-widens-access': 'R25.8',
  'oversized-page': 'R26.1',
  'unasked-total': 'R26.3',
  'swallowed-result-too-large': 'R26.4',
  'lost-update': 'R28.1',
  'racy-version-check': 'R28.1',
  'deleted-is-conflict': 'R28.2',
  'conflict-overwrites': 'R29.1',
  'misreported-conflict': 'R29.2',
  'retries-conflicts': 'R30.1',
  'create-becomes-update': 'R30.2',
  'partial-write': 'R32.1',
};

const describeResult = (r: AuditResult) => `${r.id} ${r.outcome}${r.message ? `: ${r.message}` : ''}`;

describe('the audits of R17 to R32', () => {
  it('name the audit that catches each broken store', () => {
    expect(Object.keys(CAUGHT_BY).sort()).toEqual(brokenStoresR17toR32.map((b) => b.name).sort());
    for (const broken of brokenStoresR17toR32) expect(CAUGHT_BY[broken.name]!.startsWith(`${broken.requirement}.`)).toBe(true);
  });

  it('cover every requirement a black box can observe, R23, R27 and R31 excepted', () => {
    const covered = new Set(ours.map((audit) => audit.requirement));
    const expected = Array.from({ length: LAST - FIRST + 1 }, (_, i) => `R${FIRST + i}`).filter((r) => !['R23', 'R27', 'R31'].includes(r));
    expect([...covered].sort()).toEqual(expected.sort());
  });

  it.each([
    ['default options', {}],
    ['tight limits (maxPageSize 100, maxResultSize 100)', TIGHT_LIMITS],
  ] as const)('the memory store passes every one of them (%s)', async (_, options) => {
    const result = await runConformance({ ...memoryEnvironment(options), audits: ours });
    const notPassed = result.results.filter((r) => r.outcome !== 'pass');
    expect(notPassed.map(describeResult)).toEqual([]);
    expect(result.summary.pass).toBe(ours.length);
  });
});

describe.each(brokenStoresR17toR32.map((broken) => [`${broken.name} (${broken.requirement})`, broken] as const))(
  'broken store %s',
  (_, broken) => {
    it(`fails an audit of ${broken.requirement}`, async () => {
      const ofRequirement = ours.filter((audit) => audit.requirement === broken.requirement);
      expect(ofRequirement.length).toBeGreaterThan(0);
      const options = broken.requirement === 'R26' ? TIGHT_LIMITS : {};
      const result = await runConformance({ ...memoryEnvironment(options, broken.wrap), audits: ofRequirement });
      // Failed on what it does wrong: an audit's own verdict ("expected ..."), not a call that failed along the way.
      const failed = result.results.filter((r) => r.outcome === 'fail' && r.level === 'MUST' && /\bexpected\b/.test(r.message ?? ''));
      expect(failed.map(describeResult), `${broken.name}: ${broken.breaks}`).not.toEqual([]);
      expect(
        failed.map((r) => r.id),
        `${broken.name} is caught by ${CAUGHT_BY[broken.name]}`,
      ).toContain(CAUGHT_BY[broken.name]);
    });
  },
);
