import type { MetadataCallContextInput, MetadataRecordWriteInput } from '@metasource/spec';

/** A runtime caller that may read and write `tenants` (the first is its home tenant). */
export function runtime(tenants: readonly string[] = ['acme'], actor = 'jane@acme'): MetadataCallContextInput {
  return { actor, role: 'runtime', readTenants: [...tenants], writeTenants: [...tenants] };
}

/** A runtime caller that may only read `tenants`. */
export function reader(tenants: readonly string[] = ['acme'], actor = 'reader@acme'): MetadataCallContextInput {
  return { actor, role: 'runtime', readTenants: [...tenants], writeTenants: [] };
}

/** An operator (deployment tooling) on `tenants`. */
export function operator(tenants: readonly string[] = ['acme'], actor = 'deploy-bot'): MetadataCallContextInput {
  return { actor, role: 'operator', readTenants: [...tenants], writeTenants: [...tenants] };
}

/** A platform-scope object item in tenant acme, with `overrides` on top. */
export function item(name: string, overrides: Partial<MetadataRecordWriteInput> = {}): MetadataRecordWriteInput {
  return { tenantId: 'acme', type: 'object', namespace: 'crm', name, payload: { label: name }, ...overrides };
}
