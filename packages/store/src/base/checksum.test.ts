import { createHash } from 'node:crypto';
import type { MetadataRecord } from '@metasource/spec';
import { describe, expect, it } from 'vitest';
import { canonicalJson, contentProjection, pageChecksum, payloadChecksum } from './checksum';

const record = (overrides: Partial<MetadataRecord> = {}): MetadataRecord => ({
  id: 'rec_1',
  type: 'object',
  name: 'account',
  namespace: 'crm',
  scope: 'platform',
  state: 'active',
  payload: { label: 'Account' },
  mergeStrategy: 'merge',
  tenantId: 'acme',
  version: 1,
  tags: [],
  ...overrides,
});

describe('payloadChecksum (R13)', () => {
  it('gives the guide worked example', () => {
    const payload = JSON.parse('{ "label": "Accounts", "pageSize": 50.0, "columns": ["name", "industry"] }');
    expect(canonicalJson(payload)).toBe('{"columns":["name","industry"],"label":"Accounts","pageSize":50}');
    expect(payloadChecksum(payload)).toBe('sha256:ede567b76d61dd52e34b85166e0659c9d6d7b64b7e2d0bcb850fed36023360c8');
    expect(payloadChecksum({ columns: ['industry', 'name'], label: 'Accounts', pageSize: 50 })).toBe(
      'sha256:74a17d51a161f8cbbb8a7fe34b55fd3f242a0cbfe8e50cf365c63d7c061c0eb5',
    );
  });

  it('ignores key order and number spelling', () => {
    expect(payloadChecksum({ a: 1, b: { c: 1.0 } })).toBe(payloadChecksum({ b: { c: 1 }, a: 1 }));
  });
});

describe('pageChecksum (R16)', () => {
  it('hashes the content projection array in result order', () => {
    const records = [record(), record({ name: 'contact', scope: 'user', owner: 'jane@acme', extends: 'contact', tags: ['crm'] })];
    const projection = [
      {
        key: { tenantId: 'acme', type: 'object', namespace: 'crm', scope: 'platform', name: 'account' },
        state: 'active',
        tags: [],
        mergeStrategy: 'merge',
        checksum: payloadChecksum({ label: 'Account' }),
      },
      {
        key: { tenantId: 'acme', type: 'object', namespace: 'crm', scope: 'user', owner: 'jane@acme', name: 'contact' },
        state: 'active',
        tags: ['crm'],
        extends: 'contact',
        mergeStrategy: 'merge',
        checksum: payloadChecksum({ label: 'Account' }),
      },
    ];
    expect(records.map(contentProjection)).toEqual(projection);
    const expected = `sha256:${createHash('sha256').update(canonicalJson(projection)).digest('hex')}`;
    expect(pageChecksum(records)).toBe(expected);
    expect(pageChecksum([...records].reverse())).not.toBe(expected);
  });

  it('leaves out id, version and audit fields, so two stores agree', () => {
    const a = record();
    const b = record({
      id: 'other',
      version: 7,
      checksum: 'sha256:' + '0'.repeat(64),
      createdAt: '2026-01-01T00:00:00.000Z',
      createdBy: 'x',
      updatedAt: '2026-01-02T00:00:00.000Z',
      updatedBy: 'y',
    });
    expect(pageChecksum([a])).toBe(pageChecksum([b]));
  });

  it('covers state, tags, extends, mergeStrategy and the payload', () => {
    const base = pageChecksum([record()]);
    for (const change of [
      { state: 'draft' as const },
      { tags: ['x'] },
      { extends: 'account' },
      { mergeStrategy: 'replace' as const },
      { payload: { label: 'Other' } },
    ]) {
      expect(pageChecksum([record(change)])).not.toBe(base);
    }
  });

  it('of an empty page is the checksum of []', () => {
    expect(pageChecksum([])).toBe(`sha256:${createHash('sha256').update('[]').digest('hex')}`);
  });
});
