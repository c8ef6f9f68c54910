import { MetadataQueryFiltersSchema, type MetadataQueryFiltersInput, type MetadataRecord } from '@metasource/spec';
import { describe, expect, it } from 'vitest';
import { payloadChecksum } from './checksum';
import { MetadataStoreFailure } from './failure';
import { earlierScopes, effectiveItems, parentLookup, resolveItem, selectWinners } from './inheritance';

const item = (id: string, overrides: Partial<MetadataRecord>): MetadataRecord => ({
  id,
  type: 'object',
  name: 'account',
  namespace: 'crm',
  scope: 'platform',
  state: 'active',
  payload: {},
  mergeStrategy: 'merge',
  tenantId: 'acme',
  version: 1,
  tags: [],
  ...overrides,
});

const system = item('sys', {
  scope: 'system',
  payload: { label: 'Account', fields: { name: { type: 'text', required: true }, legacy: { type: 'text' } }, columns: ['name'] },
});
const platform = item('plat', {
  extends: 'account',
  payload: { label: 'Customer account', fields: { legacy: null, region: { type: 'text' } } },
});
const user = item('usr', {
  scope: 'user',
  owner: 'jane@acme',
  extends: 'account',
  payload: { columns: ['name', 'region'], fields: { name: { required: false } } },
});

const effective = (records: MetadataRecord[], filters: MetadataQueryFiltersInput = {}, actor = 'jane@acme', includeArchived = false) =>
  effectiveItems(records, { actor, filters: MetadataQueryFiltersSchema.parse(filters), includeArchived });

function inconsistent(run: () => unknown) {
  try {
    run();
  } catch (thrown) {
    expect(thrown).toBeInstanceOf(MetadataStoreFailure);
    return (thrown as MetadataStoreFailure).error;
  }
  throw new Error('expected inconsistent_inheritance');
}

describe('earlierScopes', () => {
  it('searches the nearest earlier scope first; system has none', () => {
    expect(earlierScopes('user')).toEqual(['platform', 'system']);
    expect(earlierScopes('platform')).toEqual(['system']);
    expect(earlierScopes('system')).toEqual([]);
  });
});

describe('resolveItem (R38)', () => {
  const lookup = parentLookup([system, platform, user]);

  it('resolves a chain user -> platform -> system, the parent first, as JSON Merge Patch', () => {
    const resolved = resolveItem(user, lookup);
    const payload = {
      label: 'Customer account',
      fields: { name: { type: 'text', required: false }, region: { type: 'text' } },
      columns: ['name', 'region'],
    };
    expect(resolved.payload).toEqual(payload);
    // The child's envelope, the effective payload's checksum.
    expect(resolved).toEqual({ ...user, payload, checksum: payloadChecksum(payload) });
  });

  it('takes the child payload whole with replace, still requiring the parent', () => {
    const replacing = item('p2', { extends: 'account', mergeStrategy: 'replace', payload: { label: 'Only', legacy: null } });
    expect(resolveItem(replacing, lookup).payload).toEqual({ label: 'Only', legacy: null });
    const dangling = item('p3', { extends: 'ghost', mergeStrategy: 'replace', payload: {} });
    expect(inconsistent(() => resolveItem(dangling, lookup))).toMatchObject({ code: 'inconsistent_inheritance', extends: 'ghost' });
  });

  it('reports a dangling extends with the key of the item that dangles', () => {
    const error = inconsistent(() => resolveItem(user, parentLookup([item('plat', { extends: 'gone', payload: {} }), user])));
    expect(error).toEqual({
      code: 'inconsistent_inheritance',
      message: 'object crm/account (platform, tenant acme) extends gone, which no earlier scope holds',
      key: { tenantId: 'acme', type: 'object', namespace: 'crm', scope: 'platform', name: 'account' },
      extends: 'gone',
    });
  });

  it('skips an archived parent for the next earlier scope, and fails when none is left', () => {
    const archivedPlatform = { ...platform, state: 'archived' as const };
    expect(resolveItem(user, parentLookup([system, archivedPlatform])).payload).toEqual({
      label: 'Account',
      fields: { name: { type: 'text', required: false }, legacy: { type: 'text' } },
      columns: ['name', 'region'],
    });
    expect(inconsistent(() => resolveItem(user, parentLookup([archivedPlatform])))).toMatchObject({
      key: { scope: 'user', owner: 'jane@acme' },
      extends: 'account',
    });
  });

  it('may extend another name, only in the same tenant, type and namespace', () => {
    const partner = item('partner', { name: 'partner_account', extends: 'account', payload: { label: 'Partner' } });
    expect(resolveItem(partner, parentLookup([system])).payload).toMatchObject({ label: 'Partner', columns: ['name'] });
    for (const other of [{ tenantId: 'globex' }, { type: 'view' }, { namespace: 'sales' }]) {
      expect(() => resolveItem(partner, parentLookup([{ ...system, ...other }]))).toThrow(MetadataStoreFailure);
    }
  });

  it('never takes a user item, or a later scope, as a parent', () => {
    const otherUser = item('u2', { scope: 'user', owner: 'bob@acme', payload: { label: 'Bob' } });
    const platformOnly = item('p', { extends: 'account', payload: {} });
    expect(() => resolveItem(platformOnly, parentLookup([otherUser, platformOnly]))).toThrow(MetadataStoreFailure);
  });
});

describe('selectWinners', () => {
  it('keeps the latest scope per tenant, type, namespace and name', () => {
    const other = item('other', { name: 'contact', scope: 'system' });
    expect(
      selectWinners([user, system, platform, other])
        .map((r) => r.id)
        .sort(),
    ).toEqual(['other', 'usr']);
    expect(selectWinners([system, platform]).map((r) => r.id)).toEqual(['plat']);
  });
});

describe('effectiveItems', () => {
  it('serves the caller its own user item, resolved', () => {
    const [only] = effective([system, platform, user]);
    expect(only).toMatchObject({ id: 'usr', payload: { label: 'Customer account' } });
  });

  it("serves another caller the platform item: other users' items are not in its view", () => {
    expect(effective([system, platform, user], {}, 'bob@acme').map((r) => r.id)).toEqual(['plat']);
  });

  it('does not let an archived user item hide the platform item unless archived items are asked for', () => {
    const archived = { ...user, state: 'archived' as const };
    expect(effective([system, platform, archived]).map((r) => r.id)).toEqual(['plat']);
    expect(effective([system, platform, archived], {}, 'jane@acme', true).map((r) => r.id)).toEqual(['usr']);
    expect(effective([system, platform, archived], { state: 'archived' }).map((r) => r.id)).toEqual(['usr']);
  });

  it('applies payload conditions to the resolved payload', () => {
    expect(effective([system, platform], { conditions: [{ field: 'payload/columns/0', operator: 'eq', value: 'name' }] })).toHaveLength(1);
    expect(
      effective([system, platform], { conditions: [{ field: 'payload/fields/legacy', operator: 'exists', value: true }] }),
    ).toHaveLength(0);
  });

  it('does not fail on a dangling extends the envelope filters leave out', () => {
    const broken = item('broken', { type: 'view', name: 'list', extends: 'missing' });
    expect(effective([system, broken], { type: 'object' }).map((r) => r.id)).toEqual(['sys']);
    expect(() => effective([system, broken])).toThrow(MetadataStoreFailure);
  });
});
