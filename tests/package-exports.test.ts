/**
 * The built package (packages/spec/dist), loaded the way users load it:
 * by name, through the `exports` map, as ESM and as CommonJS.
 * `pnpm test` builds the package before this runs.
 */
import { createRequire } from 'node:module';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as root from '@metasource/spec';
import * as data from '@metasource/spec/data';
import * as shared from '@metasource/spec/shared';
import * as system from '@metasource/spec/system';
import type { MetadataDriverConfig, MetadataDriverConfigInput, MetadataRecord, MetadataRecordInput } from '@metasource/spec';

const require = createRequire(import.meta.url);
const cjs = {
  root: require('@metasource/spec') as Record<string, unknown>,
  shared: require('@metasource/spec/shared') as Record<string, unknown>,
  data: require('@metasource/spec/data') as Record<string, unknown>,
  system: require('@metasource/spec/system') as Record<string, unknown>,
};
const esm = { root, shared, data, system } as unknown as typeof cjs;

/** Every schema the protocol names, by domain (issue #2). */
const NAMED: Record<'shared' | 'data' | 'system', string[]> = {
  shared: [
    'SqlIdentifierSchema',
    'MachineNameSchema',
    'SecretRefSchema',
    'TransactionIsolationLevelSchema',
    'OpaqueIdSchema',
    'DateTimeSchema',
  ],
  data: [
    'DatasourceSchema',
    'DatasourceCapabilitiesSchema',
    'MetadataScopeSchema',
    'MetadataStateSchema',
    'MetadataRecordSchema',
    'MetadataTableSchemaSchema',
    'MetadataDriverConfigSchema',
    'MetadataQueryFiltersSchema',
    'MetadataQueryOptionsSchema',
    'MetadataBulkOperationSchema',
    'MetadataMigrationOperationSchema',
  ],
  system: [
    'MetadataDatasourceConfigSchema',
    'MetadataLoaderContractSchema',
    'MetadataLoadOptionsSchema',
    'MetadataSaveOptionsSchema',
    'MetadataLoadResultSchema',
    'MetadataSaveResultSchema',
    'MetadataChangeEventSchema',
    'MetadataExportOptionsSchema',
    'MetadataImportOptionsSchema',
  ],
};

const schemaNames = (mod: Record<string, unknown>) =>
  Object.keys(mod)
    .filter((k) => k.endsWith('Schema'))
    .sort();

describe.each([
  ['ESM', esm],
  ['CJS', cjs],
] as const)('%s build', (_format, mods) => {
  it.each(Object.entries(NAMED))('exports every %s schema from the root and from its subpath', (domain, names) => {
    for (const name of names) {
      expect(mods.root, name).toHaveProperty(name);
      expect(mods[domain as keyof typeof mods], name).toHaveProperty(name);
      // The same object, not a copy: code shared by several entries lives in one chunk.
      expect(mods[domain as keyof typeof mods][name], name).toBe(mods.root[name]);
    }
  });

  it('exports from the root exactly the union of its subpaths', () => {
    const union = [...new Set([...schemaNames(mods.shared), ...schemaNames(mods.data), ...schemaNames(mods.system)])].sort();
    expect(schemaNames(mods.root)).toEqual(union);
  });

  it('exports each schema from exactly one subpath', () => {
    const all = [...schemaNames(mods.shared), ...schemaNames(mods.data), ...schemaNames(mods.system)];
    expect(all.filter((name, i) => all.indexOf(name) !== i)).toEqual([]);
  });

  it('exports every registered schema as <id>Schema', () => {
    const schemas = (mods.root.metasourceSchemas as typeof root.metasourceSchemas)();
    expect(schemas.size).toBeGreaterThan(20);
    for (const [id, schema] of schemas) expect(mods.root[`${id}Schema`], id).toBe(schema);
  });

  it('exports the protocol version', () => {
    expect(mods.root.METADATA_PROTOCOL_VERSION).toMatch(/^[0-9]+\.[0-9]+\.[0-9]+$/);
  });
});

describe('ESM and CJS builds', () => {
  it('export the same names', () => {
    for (const key of Object.keys(cjs) as (keyof typeof cjs)[]) {
      expect(Object.keys(esm[key]).sort()).toEqual(Object.keys(cjs[key]).sort());
    }
  });

  it('parse alike', () => {
    const input = { datasource: 'metadata_db' };
    const viaEsm = (esm.root.MetadataDriverConfigSchema as typeof root.MetadataDriverConfigSchema).parse(input);
    const viaCjs = (cjs.root.MetadataDriverConfigSchema as typeof root.MetadataDriverConfigSchema).parse(input);
    expect(viaCjs).toEqual(viaEsm);
  });
});

describe('types through the exports map', () => {
  it('distinguish what authors write from what runtimes receive', () => {
    expectTypeOf<MetadataDriverConfigInput>().toHaveProperty('datasource').toEqualTypeOf<string>();
    expectTypeOf<MetadataDriverConfigInput['migration']>().toEqualTypeOf<MetadataDriverConfigInput['migration'] | undefined>();
    expectTypeOf<MetadataDriverConfig['migration']['autoMigrate']>().toEqualTypeOf<boolean>();
    expectTypeOf<MetadataRecordInput['version']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<MetadataRecord['version']>().toEqualTypeOf<number>();
  });

  it('resolve package subpaths to the same declarations', () => {
    expectTypeOf(data.MetadataDriverConfigSchema).toEqualTypeOf(root.MetadataDriverConfigSchema);
    expectTypeOf(data.MetadataRecordSchema).toEqualTypeOf(root.MetadataRecordSchema);
    expectTypeOf(system.MetadataLoadOptionsSchema).toEqualTypeOf(root.MetadataLoadOptionsSchema);
    expectTypeOf(shared.SecretRefSchema).toEqualTypeOf(root.SecretRefSchema);
  });
});
