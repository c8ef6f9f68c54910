/**
 * The kit proves itself (R1 to R16): each broken store breaks one behaviour
 * a black-box audit can observe, and the kit must fail it, with at least the
 * audit named in the test title; the unbroken memory store passes the same
 * audits, so the failure is the broken behaviour's, not the audit's.
 */
import { audits, runConformance, type Audit } from '@metasource/conformance';
import { createMemoryStore } from '@metasource/store';
import { describe, expect, it } from 'vitest';
import { brokenStoresR01toR16 } from './broken-stores/r01-r16';

function auditsOf(requirement: string): Audit[] {
  return audits.filter((audit) => audit.requirement === requirement);
}

describe('broken stores for R1 to R16', () => {
  it('each breaks a requirement the kit audits, under a unique name', () => {
    const names = brokenStoresR01toR16.map((broken) => broken.name);
    expect(new Set(names).size).toBe(names.length);
    for (const broken of brokenStoresR01toR16) {
      expect(auditsOf(broken.requirement).map((audit) => audit.id)).toContain(broken.caughtBy);
    }
  });

  for (const broken of brokenStoresR01toR16) {
    it(`${broken.name} (${broken.requirement}: ${broken.breaks}) fails ${broken.caughtBy}`, async () => {
      const requirementAudits = auditsOf(broken.requirement);
      const result = await runConformance({ newStore: async () => broken.wrap(await createMemoryStore()), audits: requirementAudits });
      const failed = result.results.filter((r) => r.outcome === 'fail').map((r) => r.id);
      expect(failed).toContain(broken.caughtBy);
      expect(failed.every((id) => id.startsWith(`${broken.requirement}.`))).toBe(true);

      const sane = await runConformance({ newStore: () => createMemoryStore(), audits: requirementAudits });
      expect(sane.results.filter((r) => r.outcome !== 'pass')).toEqual([]);
    });
  }
});
