import { describe, expect, expectTypeOf, it } from 'vitest';
import { DatasourceSchema } from '../data/datasource.zod';
import { MetadataDriverConfigSchema } from '../data/driver/metadata-driver.zod';
import { issuesOf } from '../testing';
import { MetasourceConfigSchema, type MetasourceConfig, type MetasourceConfigInput } from './metasource-config.zod';

const sqlite = { driver: 'sqlite', name: 'metadata_db', connection: { filename: ':memory:' } } as const;
const minimal = { datasources: [sqlite], metadata: { datasource: 'metadata_db' } } as const;
const catalog = { driver: 'sqlite', name: 'catalog_db', connection: { filename: '/var/lib/catalog.db' } } as const;

describe('MetasourceConfigSchema', () => {
  it('parses the minimal config to the complete value, nested defaults included', () => {
    expect(MetasourceConfigSchema.parse(minimal)).toEqual({
      datasources: [DatasourceSchema.parse(sqlite)],
      metadata: MetadataDriverConfigSchema.parse({ datasource: 'metadata_db' }),
      loaders: [],
    });
  });

  it('accepts a $schema key for editors, and loaders that name declared datasources', () => {
    const full = {
      $schema: './node_modules/@metasource/spec/json-schema/input/metasource-config.json',
      datasources: [sqlite, catalog],
      metadata: { datasource: 'metadata_db' },
      loaders: [
        { protocol: 'file', name: 'builtin', rootDir: '/srv/app/metadata' },
        { protocol: 'datasource', name: 'catalog', datasourceConfig: { datasource: 'catalog_db' } },
      ],
    };
    const parsed = MetasourceConfigSchema.parse(full);
    expect(parsed.$schema).toBe(full.$schema);
    expect(parsed.loaders.map((l) => l.name)).toEqual(['builtin', 'catalog']);
  });

  it('rejects duplicate datasource names (datasource_names_unique)', () => {
    expect(issuesOf(MetasourceConfigSchema, { ...minimal, datasources: [sqlite, sqlite] })).toEqual([
      { path: ['datasources'], code: 'custom', rule: 'datasource_names_unique' },
    ]);
  });

  it('rejects a metadata datasource that is not declared (metadata_datasource_declared)', () => {
    expect(issuesOf(MetasourceConfigSchema, { ...minimal, metadata: { datasource: 'other_db' } })).toEqual([
      { path: ['metadata', 'datasource'], code: 'custom', rule: 'metadata_datasource_declared' },
    ]);
  });

  it('rejects a datasource loader naming an undeclared datasource (loader_datasources_declared)', () => {
    const loaders = [{ protocol: 'datasource', name: 'catalog', datasourceConfig: { datasource: 'catalog_db' } }];
    expect(issuesOf(MetasourceConfigSchema, { ...minimal, loaders })).toEqual([
      { path: ['loaders'], code: 'custom', rule: 'loader_datasources_declared' },
    ]);
  });

  it('rejects duplicate loader names (loader_names_unique)', () => {
    const loader = { protocol: 'memory', name: 'fixtures' };
    expect(issuesOf(MetasourceConfigSchema, { ...minimal, loaders: [loader, loader] })).toEqual([
      { path: ['loaders'], code: 'custom', rule: 'loader_names_unique' },
    ]);
  });

  it.each([
    ['no datasources', { metadata: { datasource: 'metadata_db' } }, ['datasources'], 'invalid_type'],
    ['an empty datasource list', { ...minimal, datasources: [] }, ['datasources'], 'too_small'],
    ['no metadata driver', { datasources: [sqlite] }, ['metadata'], 'invalid_type'],
    ['an unknown key', { ...minimal, datasource: 'metadata_db' }, [], 'unrecognized_keys'],
    ['an empty $schema', { ...minimal, $schema: '' }, ['$schema'], 'invalid_format'],
    [
      'an inline password deep inside',
      {
        ...minimal,
        datasources: [
          { driver: 'postgres', name: 'metadata_db', connection: { host: 'db', database: 'm', user: 'm', password: 'hunter2' } },
        ],
      },
      ['datasources', 0, 'connection', 'password'],
      'invalid_union',
    ],
  ])('rejects %s', (_name, input, path, code) => {
    expect(issuesOf(MetasourceConfigSchema, input)).toContainEqual(expect.objectContaining({ path, code }));
  });

  it('types loaders as optional for authors and present after parsing', () => {
    expectTypeOf<MetasourceConfigInput['loaders']>().toEqualTypeOf<MetasourceConfigInput['loaders'] | undefined>();
    expectTypeOf<MetasourceConfig['loaders']>().toBeArray();
  });
});
