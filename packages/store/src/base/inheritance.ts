/**
 * Inheritance (decisions item 10, R38): the item a caller sees for a name is
 * the one of the latest scope it can see; its `extends` names an item of the
 * nearest earlier scope, resolved first; `merge` applies the child as a JSON
 * Merge Patch, `replace` takes the child's payload; the result has the
 * child's envelope and the checksum of its effective payload.
 */
import type { JsonObject, MetadataQueryFilters, MetadataRecord, MetadataScope } from '@metasource/spec';
import { payloadChecksum } from './checksum';
import { fail } from './failure';
import { admitsState, matchesFilters } from './filter';
import { mergePatchObject } from './merge-patch';
import { describeKey, keyId, keyOf } from './record';

/** Layer order: a later scope overrides an earlier one. */
export const SCOPE_RANK: Readonly<Record<MetadataScope, number>> = { system: 0, platform: 1, user: 2 };

/** The scopes an item of `scope` may extend, nearest first: user -> platform, system; platform -> system; system -> none. */
export function earlierScopes(scope: MetadataScope): MetadataScope[] {
  if (scope === 'user') return ['platform', 'system'];
  if (scope === 'platform') return ['system'];
  return [];
}

/** The item identity layering works on: one item per tenant, type, namespace and name. */
function layerKey(record: MetadataRecord): string {
  return JSON.stringify([record.tenantId, record.type, record.namespace, record.name]);
}

/** For each tenant, type, namespace and name, the record of the latest scope (user > platform > system). */
export function selectWinners<R extends MetadataRecord>(records: readonly R[]): R[] {
  const winners = new Map<string, R>();
  for (const record of records) {
    const key = layerKey(record);
    const current = winners.get(key);
    if (current === undefined || SCOPE_RANK[record.scope] > SCOPE_RANK[current.scope]) winners.set(key, record);
  }
  return [...winners.values()];
}

/** Finds a possible parent: the record of this tenant, type, namespace, scope and name, if any. */
export type ParentLookup = (
  tenantId: string,
  type: string,
  namespace: string,
  scope: MetadataScope,
  name: string,
) => MetadataRecord | undefined;

/**
 * A parent lookup over `records`: platform and system items that are not
 * archived (an archived item is not served, so nothing inherits from it).
 * User items are never parents.
 */
export function parentLookup(records: readonly MetadataRecord[]): ParentLookup {
  const byKey = new Map<string, MetadataRecord>();
  for (const record of records) {
    if (record.scope === 'user' || record.state === 'archived') continue;
    byKey.set(keyId({ ...record, owner: undefined }), record);
  }
  return (tenantId, type, namespace, scope, name) => byKey.get(keyId({ tenantId, type, namespace, scope, name, owner: undefined }));
}

/** The parent `extends` names: the item of that name in the nearest earlier scope that has one. */
export function findParent(item: MetadataRecord, lookup: ParentLookup): MetadataRecord | undefined {
  if (item.extends === undefined) return undefined;
  for (const scope of earlierScopes(item.scope)) {
    const parent = lookup(item.tenantId, item.type, item.namespace, scope, item.extends);
    if (parent) return parent;
  }
  return undefined;
}

/**
 * The effective payload of an item: its own without `extends`; with it, the
 * parent's effective payload (resolved first) patched by the item's
 * (`merge`, RFC 7396) or the item's own (`replace`). Only earlier scopes are
 * searched, so the chain has at most three links and no cycle. A parent that
 * is missing, here or further up, fails with inconsistent_inheritance naming
 * the item whose `extends` found nothing.
 */
export function effectivePayload(item: MetadataRecord, lookup: ParentLookup): JsonObject {
  if (item.extends === undefined) return item.payload;
  const parent = findParent(item, lookup);
  if (!parent) {
    fail({
      code: 'inconsistent_inheritance',
      message: `${describeKey(item)} extends ${item.extends}, which no earlier scope holds`,
      key: keyOf(item),
      extends: item.extends,
    });
  }
  const inherited = effectivePayload(parent, lookup);
  return item.mergeStrategy === 'replace' ? item.payload : mergePatchObject(inherited, item.payload);
}

/** The item as it takes effect: its envelope, its effective payload and that payload's checksum (R13). */
export function resolveItem<R extends MetadataRecord>(item: R, lookup: ParentLookup): R {
  if (item.extends === undefined) return item;
  const payload = effectivePayload(item, lookup);
  return { ...item, payload, checksum: payloadChecksum(payload) };
}

export interface EffectiveItemsOptions {
  /** The caller: its own user-scope items take part, no other user's. */
  actor: string;
  filters: MetadataQueryFilters;
  includeArchived: boolean;
}

/**
 * The items of a resolved load, before sorting and paging, from the records
 * the caller may see:
 *
 * 1. Candidates: the caller's own user-scope items and every platform and
 *    system item, that the state rule admits (the state filter, else not
 *    archived unless includeArchived). An archived user item therefore does
 *    not hide the platform item it customised. Other users' items (visible
 *    to an administrator) are not part of the caller's view.
 * 2. For each tenant, type, namespace and name the candidate of the latest
 *    scope wins.
 * 3. Winners that fail a filter on their envelope are dropped unresolved
 *    (the resolved item has the same envelope); the others are resolved,
 *    failing with inconsistent_inheritance on a missing parent, and then
 *    filtered again with the conditions on payload and checksum.
 */
export function effectiveItems<R extends MetadataRecord>(visible: readonly R[], options: EffectiveItemsOptions): R[] {
  const { actor, filters, includeArchived } = options;
  const candidates = visible.filter(
    (record) => (record.scope !== 'user' || record.owner === actor) && admitsState(record, filters, includeArchived),
  );
  const lookup = parentLookup(visible);
  const items: R[] = [];
  for (const winner of selectWinners(candidates)) {
    if (!matchesFilters(winner, filters, { includeArchived, envelopeOnly: true })) continue;
    const resolved = resolveItem(winner, lookup);
    if (matchesFilters(resolved, filters, { includeArchived })) items.push(resolved);
  }
  return items;
}
