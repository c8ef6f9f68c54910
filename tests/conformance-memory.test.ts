/**
 * The memory store, the protocol's executable definition, run through every
 * audit of the conformance kit the way an implementer runs it: one test per
 * audit, registered with registerConformanceTests. A failed MUST audit fails
 * its test; a failed SHOULD audit would pass with a warning, and an audit that
 * needs what the memory store does not have (a retention limit, a datasource
 * without transactions) is reported as skipped.
 */
import { audits, registerConformanceTests, runConformance, type ConformanceOptions } from '@metasource/conformance';
import { createMemoryStore, type MemoryStore } from '@metasource/store';
import { describe, expect, it } from 'vitest';

const memory: ConformanceOptions = {
  newStore: () => createMemoryStore(),
  // A second client on the same data: another MemoryStore over the first one's database, with its own cache.
  secondClient: (store) => createMemoryStore({ database: (store as MemoryStore).database }),
};

registerConformanceTests({ describe, it }, { ...memory, name: 'memory store conformance' });

describe('memory store conformance summary', () => {
  it('passes every MUST audit of the kit and fails no SHOULD audit', async () => {
    const result = await runConformance(memory);
    expect(result.results.filter((r) => r.outcome === 'fail')).toEqual([]);
    expect(result.summary.total).toBe(audits.length);
  });
});
