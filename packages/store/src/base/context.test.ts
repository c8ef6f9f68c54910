import type { MetadataCallContextInput, MetadataStoreError } from '@metasource/spec';
import { describe, expect, it } from 'vitest';
import {
  accessFingerprint,
  checkScopeWritable,
  checkWritable,
  isVisible,
  parseContext,
  requireOperator,
  resolveFeedTenant,
  resolveWriteTenant,
} from './context';
import { MetadataStoreFailure } from './failure';

const ctx = (input: Partial<MetadataCallContextInput> = {}) =>
  parseContext({ actor: 'jane@acme', readTenants: ['acme', 'globex'], writeTenants: ['acme'], ...input });

function errorOf(run: () => unknown): MetadataStoreError {
  try {
    run();
  } catch (thrown) {
    expect(thrown).toBeInstanceOf(MetadataStoreFailure);
    return (thrown as MetadataStoreFailure).error;
  }
  throw new Error('expected a MetadataStoreFailure');
}

const platformKey = { tenantId: 'acme', type: 'object', namespace: 'crm', scope: 'platform' as const, name: 'account' };

describe('parseContext', () => {
  it('fills the defaults and checks the rules', () => {
    expect(parseContext({ actor: 'a', readTenants: ['acme'] })).toEqual({
      actor: 'a',
      role: 'runtime',
      readTenants: ['acme'],
      writeTenants: [],
      administersUsers: false,
    });
    expect(errorOf(() => ctx({ writeTenants: ['initech'] }))).toMatchObject({
      code: 'invalid_input',
      issues: [{ path: ['writeTenants'], rule: 'write_tenants_readable' }],
    });
  });
});

describe('visibility (R36, R40)', () => {
  it('shows readable tenants only, and user items only to their owner or an administrator', () => {
    expect(isVisible(ctx(), platformKey)).toBe(true);
    expect(isVisible(ctx(), { ...platformKey, tenantId: 'initech' })).toBe(false);
    const mine = { ...platformKey, scope: 'user' as const, owner: 'jane@acme' };
    const bobs = { ...mine, owner: 'bob@acme' };
    expect(isVisible(ctx(), mine)).toBe(true);
    expect(isVisible(ctx(), bobs)).toBe(false);
    expect(isVisible(ctx({ administersUsers: true }), bobs)).toBe(true);
  });
});

describe('resolveWriteTenant (R37)', () => {
  it('takes a named writable tenant and refuses any other', () => {
    expect(resolveWriteTenant(ctx(), 'acme', ['tenantId'])).toBe('acme');
    expect(errorOf(() => resolveWriteTenant(ctx(), 'globex', ['tenantId']))).toMatchObject({
      code: 'forbidden',
      reason: 'tenant_not_writable',
    });
  });

  it('takes the only writable tenant when none is named', () => {
    expect(resolveWriteTenant(ctx(), undefined, ['tenantId'])).toBe('acme');
  });

  it('is forbidden without a writable tenant and invalid with several', () => {
    expect(errorOf(() => resolveWriteTenant(ctx({ writeTenants: [] }), undefined, ['tenantId']))).toMatchObject({
      code: 'forbidden',
      reason: 'tenant_not_writable',
    });
    expect(
      errorOf(() => resolveWriteTenant(ctx({ writeTenants: ['acme', 'globex'] }), undefined, ['records', 2, 'tenantId'])),
    ).toMatchObject({
      code: 'invalid_input',
      issues: [{ path: ['records', 2, 'tenantId'], code: 'custom' }],
    });
  });
});

describe('scope and role (R39, R40, R42)', () => {
  it('lets only an operator write system-scope items', () => {
    const key = { ...platformKey, scope: 'system' as const };
    expect(errorOf(() => checkScopeWritable(ctx(), key))).toMatchObject({ code: 'forbidden', reason: 'system_scope_read_only' });
    expect(() => checkScopeWritable(ctx({ role: 'operator' }), key)).not.toThrow();
  });

  it("refuses another user's item unless the caller administers users", () => {
    const key = { ...platformKey, scope: 'user' as const, owner: 'bob@acme' };
    expect(errorOf(() => checkScopeWritable(ctx(), key))).toMatchObject({ code: 'forbidden', reason: 'not_owner' });
    expect(() => checkScopeWritable(ctx({ administersUsers: true }), key)).not.toThrow();
    expect(() => checkScopeWritable(ctx(), { ...key, owner: 'jane@acme' })).not.toThrow();
  });

  it('checks the tenant before the scope', () => {
    expect(errorOf(() => checkWritable(ctx(), { ...platformKey, tenantId: 'globex', scope: 'system' }))).toMatchObject({
      reason: 'tenant_not_writable',
    });
  });

  it('needs the operator role where asked', () => {
    expect(errorOf(() => requireOperator(ctx(), 'an import'))).toMatchObject({ code: 'forbidden', reason: 'operator_only' });
    expect(() => requireOperator(ctx({ role: 'operator' }), 'an import')).not.toThrow();
  });
});

describe('resolveFeedTenant (R35)', () => {
  it('reads a named readable tenant, refuses another, and needs a name among several', () => {
    expect(resolveFeedTenant(ctx(), 'globex')).toBe('globex');
    expect(errorOf(() => resolveFeedTenant(ctx(), 'initech'))).toMatchObject({ code: 'forbidden', reason: 'tenant_not_readable' });
    expect(errorOf(() => resolveFeedTenant(ctx(), undefined))).toMatchObject({ code: 'invalid_input', issues: [{ path: ['tenantId'] }] });
    expect(resolveFeedTenant(ctx({ readTenants: ['acme'] }), undefined)).toBe('acme');
  });
});

describe('accessFingerprint', () => {
  it('treats the tenant set as a set', () => {
    expect(accessFingerprint(ctx({ readTenants: ['globex', 'acme'] }))).toEqual(accessFingerprint(ctx()));
    expect(accessFingerprint(ctx({ actor: 'bob@acme' }))).not.toEqual(accessFingerprint(ctx()));
  });
});
