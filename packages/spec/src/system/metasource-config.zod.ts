import { z } from 'zod';
import { DatasourceSchema } from '../data/datasource.zod';
import { MetadataDriverConfigSchema } from '../data/driver/metadata-driver.zod';
import { define, withRules } from '../shared/registry';
import { boundedText } from '../shared/text';
import { MetadataLoaderContractSchema } from './metadata-persistence.zod';

const duplicates = (names: readonly string[]) => names.filter((name, i) => names.indexOf(name) !== i);

/** A whole Metasource configuration file: datasources, the metadata driver, and loaders. */
export const MetasourceConfigSchema = /* @__PURE__ */ define('MetasourceConfig', () =>
  withRules(
    z.strictObject({
      $schema: boundedText(1, 2048)
        .optional()
        .meta({
          description:
            'URI of the JSON Schema this file follows, for editors; ignored by runtimes. Point it at the published input variant of MetasourceConfig.',
          examples: ['./node_modules/@metasource/spec/json-schema/input/metasource-config.json'],
        }),
      datasources: z.array(DatasourceSchema).min(1).max(64).meta({
        description: 'The named datasources, 1 to 64. Everything else refers to a datasource by its name, never by driver.',
      }),
      metadata: MetadataDriverConfigSchema.meta({
        description: 'How metadata is stored: which datasource, table layout, migration, cache, batching, transactions and paging.',
      }),
      loaders: z.array(MetadataLoaderContractSchema).max(32).default([]).meta({
        description:
          'Metadata loaders, in the order their items layer (later loaders override earlier ones for the same key). Default none: metadata comes only from the metadata driver.',
      }),
    }),
    [
      {
        name: 'datasource_names_unique',
        message: 'datasource names must be unique',
        path: ['datasources'],
        holds: (config) => duplicates(config.datasources.map((d) => d.name)).length === 0,
      },
      {
        name: 'metadata_datasource_declared',
        message: 'metadata.datasource must name one of the declared datasources',
        path: ['metadata', 'datasource'],
        holds: (config) => config.datasources.some((d) => d.name === config.metadata.datasource),
      },
      {
        name: 'loader_datasources_declared',
        message: 'every datasource loader must name one of the declared datasources',
        path: ['loaders'],
        holds: (config) =>
          config.loaders.every(
            (loader) => loader.protocol !== 'datasource' || config.datasources.some((d) => d.name === loader.datasourceConfig.datasource),
          ),
      },
      {
        name: 'loader_names_unique',
        message: 'loader names must be unique',
        path: ['loaders'],
        holds: (config) => duplicates(config.loaders.map((l) => l.name)).length === 0,
      },
    ],
    {
      description:
        'A whole Metasource configuration file: the named datasources, the metadata driver that stores metadata in one of them, and the loaders that layer metadata from files, HTTP, memory or datasources. Names tie them together, so a platform is never bound to one driver.',
      examples: [
        {
          datasources: [
            {
              driver: 'postgres',
              name: 'metadata_db',
              connection: { host: 'db.internal.example.com', database: 'metasource', user: 'metasource', password: { env: 'PG_PASSWORD' } },
            },
          ],
          metadata: { datasource: 'metadata_db' },
        },
      ],
    },
  ),
);
export type MetasourceConfig = z.output<typeof MetasourceConfigSchema>;
export type MetasourceConfigInput = z.input<typeof MetasourceConfigSchema>;
