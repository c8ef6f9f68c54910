import { describe, expect, expectTypeOf, it } from 'vitest';
import { DatasourceSchema } from '../data/datasource.zod';
import { MetadataDriverConfigSchema } from '../data/driver/metadata-driver.zod';
import { STORAGE_LAYOUT_BY_DRIVER } from '../data/driver/metadata-table.zod';
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

  it('accepts a $schema key for editors, and a datasource loader over the metadata store', () => {
    const full = {
      $schema: './node_modules/@metasource/spec/json-schema/input/metasource-config.json',
      datasources: [sqlite, catalog],
      metadata: { datasource: 'metadata_db' },
      loaders: [
        { protocol: 'file', name: 'builtin', rootDir: '/srv/app/metadata' },
        { protocol: 'datasource', name: 'store', datasourceConfig: { datasource: 'metadata_db' } },
      ],
    };
    const parsed = MetasourceConfigSchema.parse(full);
    expect(parsed.$schema).toBe(full.$schema);
    expect(parsed.loaders.map((l) => l.name)).toEqual(['builtin', 'store']);
  });

  it('switches the metadata store from PostgreSQL to MongoDB by changing only the datasource entry', () => {
    const postgres = {
      driver: 'postgres',
      name: 'metadata_db',
      connection: { host: 'db.internal.example.com', database: 'metasource', user: 'metasource', password: { env: 'PG_PASSWORD' } },
    } as const;
    const mongodb = {
      driver: 'mongodb',
      name: 'metadata_db',
      connection: { url: { env: 'MONGODB_URL' }, database: 'metasource' },
    } as const;
    const rest = {
      metadata: {
        datasource: 'metadata_db',
        table: { tableName: 'metadata_items', indexes: [{ name: 'metadata_items_updated_at', fields: ['updatedAt'] }] },
        performance: { cache: { ttlSeconds: 600 } },
      },
      loaders: [
        { protocol: 'file', name: 'system_metadata', rootDir: '/srv/app/metadata' },
        { protocol: 'datasource', name: 'store', capabilities: { write: true }, datasourceConfig: { datasource: 'metadata_db' } },
      ],
    } satisfies Omit<MetasourceConfigInput, 'datasources'>;
    const before = MetasourceConfigSchema.parse({ datasources: [postgres], ...rest });
    const after = MetasourceConfigSchema.parse({ datasources: [mongodb], ...rest });
    expect(after.metadata).toEqual(before.metadata);
    expect(after.loaders).toEqual(before.loaders);
    expect(after.datasources).toEqual([DatasourceSchema.parse(mongodb)]);
    expect([before, after].map((config) => STORAGE_LAYOUT_BY_DRIVER[config.datasources[0]!.driver])).toEqual(['relational', 'document']);
  });

  it('accepts a table schema where the driver has schemas (postgres, mysql)', () => {
    const servers = [
      { driver: 'postgres', name: 'metadata_db', connection: { url: { env: 'DATABASE_URL' } } },
      { driver: 'mysql', name: 'metadata_db', connection: { url: { env: 'DATABASE_URL' } } },
    ];
    for (const server of servers) {
      const parsed = MetasourceConfigSchema.parse({
        datasources: [server],
        metadata: { datasource: 'metadata_db', table: { schema: 'metadata' } },
      });
      expect(parsed.metadata.table.schema).toBe('metadata');
    }
  });

  // One test per rule: each test breaks exactly one rule, and no other test depends on a rule.

  it('rejects duplicate datasource names (datasource_names_unique)', () => {
    expect(issuesOf(MetasourceConfigSchema, { ...minimal, datasources: [sqlite, sqlite] })).toEqual([
      { path: ['datasources'], code: 'custom', rule: 'datasource_names_unique' },
    ]);
  });

  it('rejects a metadata datasource that is not declared (metadata_datasource_declared), and reports nothing else for it', () => {
    expect(issuesOf(MetasourceConfigSchema, { ...minimal, metadata: { datasource: 'other_db' } })).toEqual([
      { path: ['metadata', 'datasource'], code: 'custom', rule: 'metadata_datasource_declared' },
    ]);
    // An undeclared datasource has no driver, so its table schema is not judged as well.
    expect(issuesOf(MetasourceConfigSchema, { ...minimal, metadata: { datasource: 'other_db', table: { schema: 'metadata' } } })).toEqual([
      { path: ['metadata', 'datasource'], code: 'custom', rule: 'metadata_datasource_declared' },
    ]);
  });

  it('rejects a datasource loader that names another datasource than metadata.datasource (datasource_loader_uses_metadata_store)', () => {
    for (const other of ['catalog_db', 'undeclared_db']) {
      const loaders = [{ protocol: 'datasource', name: 'catalog', datasourceConfig: { datasource: other } }];
      expect(issuesOf(MetasourceConfigSchema, { ...minimal, datasources: [sqlite, catalog], loaders })).toEqual([
        { path: ['loaders'], code: 'custom', rule: 'datasource_loader_uses_metadata_store' },
      ]);
    }
  });

  it('rejects duplicate loader names (loader_names_unique)', () => {
    const loader = { protocol: 'memory', name: 'fixtures' };
    expect(issuesOf(MetasourceConfigSchema, { ...minimal, loaders: [loader, loader] })).toEqual([
      { path: ['loaders'], code: 'custom', rule: 'loader_names_unique' },
    ]);
  });

  it('rejects a table schema on a SQLite or MongoDB metadata datasource (table_schema_needs_schema_support)', () => {
    const mongodb = { driver: 'mongodb', name: 'metadata_db', connection: { url: { env: 'MONGODB_URL' }, database: 'metasource' } };
    for (const datasource of [sqlite, mongodb]) {
      const config = { datasources: [datasource], metadata: { datasource: 'metadata_db', table: { schema: 'metadata' } } };
      expect(issuesOf(MetasourceConfigSchema, config)).toEqual([
        { path: ['metadata', 'table', 'schema'], code: 'custom', rule: 'table_schema_needs_schema_support' },
      ]);
    }
  });

  it.each([
    ['no datasources', { metadata: { datasource: 'metadata_db' } }, ['datasources'], 'invalid_type'],
    ['an empty datasource list', { ...minimal, datasources: [] }, ['datasources'], 'too_small'],
    ['no metadata driver', { datasources: [sqlite] }, ['metadata'], 'invalid_type'],
    ['an unknown key', { ...minimal, datasource: 'metadata_db' }, [], 'unrecognized_keys'],
    [
      'table settings in a datasource loader',
      { ...minimal, loaders: [{ protocol: 'datasource', name: 'store', datasourceConfig: { datasource: 'metadata_db', table: 'y' } }] },
      ['loaders', 0, 'datasourceConfig'],
      'unrecognized_keys',
    ],
    [
      'an http loader',
      { ...minimal, loaders: [{ protocol: 'http', name: 'central', baseUrl: 'https://x.example' }] },
      ['loaders', 0, 'protocol'],
      'invalid_union',
    ],
    [
      'a table layout',
      { ...minimal, metadata: { datasource: 'metadata_db', table: { layout: 'document' } } },
      ['metadata', 'table'],
      'unrecognized_keys',
    ],
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
