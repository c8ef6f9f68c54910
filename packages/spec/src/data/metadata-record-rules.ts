/**
 * Cross-field rules on an item's key and inheritance, written once and used
 * by every schema that carries those fields: MetadataRecord,
 * MetadataRecordWrite and MetadataRecordKey. Internal: not re-exported.
 */
import type { CrossFieldRule } from '../shared/registry';

/** JSON Schema condition "scope is given and equals `scope`". */
const scopeIs = (scope: string) => ({ properties: { scope: { const: scope } }, required: ['scope'] });

/**
 * `user_scope_requires_owner` and `owner_only_for_user_scope`: an owner
 * exactly when the scope is user. The owner is part of the unique key, so an
 * owner on a shared item would silently make it a second, differently keyed
 * item, and a user item without one would belong to nobody.
 */
export function ownerByScopeRules(): CrossFieldRule<{ scope: string; owner?: string | undefined }>[] {
  return [
    {
      name: 'user_scope_requires_owner',
      message: 'owner is required when scope is "user"',
      path: ['owner'],
      holds: (item) => item.scope !== 'user' || item.owner !== undefined,
      jsonSchema: { if: scopeIs('user'), then: { required: ['owner'] } },
    },
    {
      name: 'owner_only_for_user_scope',
      message: 'owner is only allowed when scope is "user"',
      path: ['owner'],
      holds: (item) => item.scope === 'user' || item.owner === undefined,
      jsonSchema: { if: scopeIs('user'), else: { not: { required: ['owner'] } } },
    },
  ];
}

/**
 * `system_scope_cannot_extend`: `extends` names an item in an earlier scope,
 * and no scope comes before system. An `extends` of null (a write removing a
 * parent) is rejected too: a system item never has a parent to remove.
 */
export function systemScopeCannotExtend(): CrossFieldRule<{ scope: string; extends?: string | null | undefined }> {
  return {
    name: 'system_scope_cannot_extend',
    message: 'a system-scope item cannot extend another item; no scope comes before system',
    path: ['extends'],
    holds: (item) => item.scope !== 'system' || item.extends === undefined,
    jsonSchema: { if: scopeIs('system'), then: { not: { required: ['extends'] } } },
  };
}
