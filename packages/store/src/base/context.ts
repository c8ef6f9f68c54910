/**
 * The call context decides every access (R36 to R40, R42): which tenants a
 * caller reads and writes, which user-scope items it sees, and what its role
 * allows. Access never comes from a request's own fields or from a cursor.
 */
import { MetadataCallContextSchema, type MetadataCallContext, type MetadataCallContextInput } from '@metasource/spec';
import { describeKey, type KeyFields } from './record';
import { fail, failInvalidInput, parseInput } from './failure';

/** Parses the call context of a store call; an invalid one fails with invalid_input. */
export function parseContext(context: MetadataCallContextInput): MetadataCallContext {
  return parseInput(MetadataCallContextSchema, context, 'the call context');
}

export function canReadTenant(context: MetadataCallContext, tenantId: string): boolean {
  return context.readTenants.includes(tenantId);
}

export function canWriteTenant(context: MetadataCallContext, tenantId: string): boolean {
  return context.writeTenants.includes(tenantId);
}

/** Whether a caller may see a user-scope item of `owner`: its own, or any when it administers users (R40). */
export function mayAccessOwner(context: MetadataCallContext, owner: string | undefined): boolean {
  return context.administersUsers || owner === context.actor;
}

/** Whether a record is visible to the caller: its tenant is readable and, for user scope, the caller may access its owner. */
export function isVisible(context: MetadataCallContext, record: KeyFields): boolean {
  return canReadTenant(context, record.tenantId) && (record.scope !== 'user' || mayAccessOwner(context, record.owner));
}

/** Fails with forbidden tenant_not_writable unless the caller may write the tenant (R37). */
export function checkTenantWritable(context: MetadataCallContext, tenantId: string): void {
  if (!canWriteTenant(context, tenantId)) {
    fail({ code: 'forbidden', reason: 'tenant_not_writable', message: `tenant ${tenantId} is not writable in this context` });
  }
}

/**
 * The tenant a write goes to: the one it names, which must be writable; or,
 * when it names none, the caller's only writable tenant. No writable tenant
 * is forbidden (tenant_not_writable); several are invalid_input at `path`
 * (the write must say which).
 */
export function resolveWriteTenant(
  context: MetadataCallContext,
  tenantId: string | undefined,
  path: (string | number)[],
  what = 'the item',
): string {
  if (tenantId !== undefined) {
    checkTenantWritable(context, tenantId);
    return tenantId;
  }
  const [only, ...others] = context.writeTenants;
  if (only === undefined) {
    fail({ code: 'forbidden', reason: 'tenant_not_writable', message: 'this context may write no tenant' });
  }
  if (others.length > 0) {
    failInvalidInput(what, [
      {
        path,
        code: 'custom',
        message: 'tenantId is required when the call context may write several tenants: name the tenant to write',
      },
    ]);
  }
  return only;
}

/**
 * Fails unless the caller may write an item of this key, once its tenant is
 * writable: a runtime may not write system-scope items (R39,
 * system_scope_read_only), and a user-scope item belongs to its owner (R40,
 * not_owner) unless the caller administers users.
 */
export function checkScopeWritable(context: MetadataCallContext, key: KeyFields): void {
  if (key.scope === 'system' && context.role !== 'operator') {
    fail({
      code: 'forbidden',
      reason: 'system_scope_read_only',
      message: `${describeKey(key)} is a system-scope item: it changes by deployment or an operator's import, not at runtime`,
    });
  }
  if (key.scope === 'user' && !mayAccessOwner(context, key.owner)) {
    fail({ code: 'forbidden', reason: 'not_owner', message: `${describeKey(key)} belongs to another user` });
  }
}

/** Fails unless the caller may write this item: its tenant (R37), then its scope and owner (R39, R40). */
export function checkWritable(context: MetadataCallContext, key: KeyFields): void {
  checkTenantWritable(context, key.tenantId);
  checkScopeWritable(context, key);
}

/** Fails with forbidden operator_only unless the caller has the operator role (imports, applied migrations). */
export function requireOperator(context: MetadataCallContext, what: string): void {
  if (context.role !== 'operator') {
    fail({ code: 'forbidden', reason: 'operator_only', message: `${what} needs the operator role` });
  }
}

/**
 * The tenant whose change feed to read: the one named, which must be
 * readable (else forbidden tenant_not_readable), or the caller's only
 * readable tenant; several readable tenants and none named is invalid_input
 * at ['tenantId'].
 */
export function resolveFeedTenant(context: MetadataCallContext, tenantId: string | undefined): string {
  if (tenantId !== undefined) {
    if (!canReadTenant(context, tenantId)) {
      fail({ code: 'forbidden', reason: 'tenant_not_readable', message: `tenant ${tenantId} is not readable in this context` });
    }
    return tenantId;
  }
  const [only, ...others] = context.readTenants;
  if (only === undefined || others.length > 0) {
    failInvalidInput('the change feed options', [
      {
        path: ['tenantId'],
        code: 'custom',
        message: 'tenantId is required when the call context may read several tenants: name the feed to read',
      },
    ]);
  }
  return only;
}

/** What a cached read depends on in the context: the tenant set (as a set), the actor and whether it administers users. */
export function accessFingerprint(context: MetadataCallContext) {
  return {
    readTenants: [...context.readTenants].sort(),
    actor: context.actor,
    administersUsers: context.administersUsers,
  };
}
