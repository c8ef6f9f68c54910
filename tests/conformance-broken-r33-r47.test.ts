/**
 * The kit proves itself on R33 to R47: the memory store passes every audit
 * of these requirements, and each broken store fails at least one audit of
 * the requirement it breaks (the one named below, at least).
 */
import type { MetadataStore } from '@metasource/spec';
import { audits, runAudit, type Audit } from '@metasource/conformance';
import { createMemoryStore, type MemoryStoreOptions } from '@metasource/store';
import { describe, expect, it } from 'vitest';
import { brokenStoresR33toR47 } from './broken-stores/r33-r47';

/** The kit's audits of R33 to R47. */
const auditsR33toR47 = audits.filter((audit) => Number(audit.requirement.slice(1)) >= 33);

/** Runs one audit with the kit's runner, which closes every store the audit made. */
async function runOne(audit: Audit, newStore: () => Promise<MetadataStore>): Promise<{ outcome: string; message?: string }> {
  const { outcome, message } = await runAudit(audit, { newStore });
  return message === undefined ? { outcome } : { outcome, message };
}

/** A new, opened memory store, as the kit's runner expects. */
const memory =
  (options: MemoryStoreOptions = {}) =>
  () =>
    createMemoryStore(options);

/** A retention small enough for R35.3 to write past it in one bulk create. */
const RETENTION = { changeFeedRetention: 5 };

/** Audits the default memory store skips, and why. */
const SKIPPED_ON_MEMORY: Record<string, string> = {
  'R35.3': 'no changeFeedRetention by default (run below with one)',
  'R35.4': 'no changeFeedRetention by default (run below with one)',
  'R46.1': 'the memory store imports atomically',
  'R46.2': 'the memory store runs transactional bulk operations',
  'R46.3': 'the memory store has no capability profile (no DDL)',
};

/** The audit each broken store must fail, at least. */
const MUST_FAIL: Record<string, string> = {
  'missing-change-event': 'R33.1',
  'event-for-unchanged-write': 'R33.4',
  'event-for-dry-run-save': 'R33.5',
  'event-for-rolled-back-bulk': 'R33.7',
  'no-event-without-history': 'R33.3',
  'event-for-failed-save': 'R33.6',
  'one-event-per-bulk': 'R33.8',
  'gapped-sequence': 'R34.1',
  'sequence-not-in-commit-order': 'R34.1',
  'global-sequence-shared-across-tenants': 'R34.2',
  'transaction-id-per-event': 'R34.5',
  'feed-page-reports-no-more': 'R34.4',
  'feed-leaks-tenants': 'R35.1',
  'feed-merges-readable-tenants': 'R35.2',
  'feed-continues-past-retention': 'R35.3',
  'feed-keeps-less-than-retention': 'R35.4',
  'tenant-filter-widens': 'R36.1',
  'skips-tenant-check-on-write': 'R37.1',
  'import-moves-record-by-id': 'R37.6',
  'no-inheritance-merge': 'R38.1',
  'deep-merge-keeps-null': 'R38.2',
  'dangling-extends-served': 'R38.6',
  'resolved-item-keeps-own-checksum': 'R38.5',
  'runtime-writes-system-scope': 'R39.1',
  'runtime-imports': 'R39.4',
  'operator-cannot-write-system-scope': 'R39.5',
  'user-items-visible-to-all': 'R40.1',
  'writes-other-users-items': 'R40.3',
  'ignores-administers-users': 'R40.2',
  'runtime-applies-migration': 'R42.1',
  'secret-in-error': 'R43.1',
  'plan-quotes-connection-url': 'R43.2',
  'error-echoes-payload': 'R44.1',
  'error-echoes-filter': 'R44.2',
  'error-echoes-cursor': 'R44.3',
  'memory-pretends-to-migrate': 'R45.2',
  'profile-names-another-protocol-version': 'R45.1',
  'atomic-import-silently-downgraded': 'R46.1',
  'transactional-bulk-silently-downgraded': 'R46.2',
  'plan-claims-atomic-without-transactional-ddl': 'R46.3',
};

/** Options of the memory store a broken store wraps: the retention one needs a retention to break. */
const innerOptions = (name: string): MemoryStoreOptions =>
  name === 'feed-continues-past-retention' || name === 'feed-keeps-less-than-retention' ? RETENTION : {};

describe('the audits of R33 to R47 on the memory store', () => {
  it.each(auditsR33toR47.map((audit) => [audit.id, audit] as const))('%s passes', async (id, audit) => {
    const result = await runOne(audit, memory());
    expect(result).toEqual(id in SKIPPED_ON_MEMORY ? { outcome: 'skipped', message: expect.any(String) } : { outcome: 'pass' });
  });

  it.each(['R35.3', 'R35.4'])('%s passes on a memory store with a change feed retention', async (id) => {
    const audit = auditsR33toR47.find((entry) => entry.id === id)!;
    expect(await runOne(audit, memory(RETENTION))).toEqual({ outcome: 'pass' });
  });

  it('has well-formed ids, requirements and titles', () => {
    const ids = auditsR33toR47.map((audit) => audit.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const audit of auditsR33toR47) {
      expect(audit.id).toMatch(/^R(3[3-9]|4[0-7])\.[1-9][0-9]*$/);
      expect(audit.id.startsWith(`${audit.requirement}.`)).toBe(true);
      expect(audit.title).toMatch(/^[A-Z].*\.$/);
    }
  });
});

describe('the broken stores of R33 to R47', () => {
  it('are named once each, in kebab-case, and each has its expected failing audit', () => {
    const names = brokenStoresR33toR47.map((broken) => broken.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    expect(Object.keys(MUST_FAIL).sort()).toEqual([...names].sort());
    for (const broken of brokenStoresR33toR47) expect(MUST_FAIL[broken.name]!.startsWith(`${broken.requirement}.`)).toBe(true);
  });

  it.each(brokenStoresR33toR47.map((broken) => [broken.name, broken] as const))(
    '%s fails an audit of its requirement',
    async (name, broken) => {
      const audits = auditsR33toR47.filter((audit) => audit.requirement === broken.requirement);
      expect(audits.length).toBeGreaterThan(0);
      const failed: string[] = [];
      for (const audit of audits) {
        const result = await runOne(audit, async () => broken.wrap(await createMemoryStore(innerOptions(name))));
        if (result.outcome === 'fail') failed.push(audit.id);
      }
      expect(failed).toContain(MUST_FAIL[name]);
    },
  );
});
