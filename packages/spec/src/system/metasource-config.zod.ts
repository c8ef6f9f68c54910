import { z } from 'zod';
import { DATASOURCE_CAPABILITIES, DatasourceSchema } from '../data/datasource.zod';
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
        description:
          'How metadata is stored: which datasource, the table, migration, cache, batching, transactions and paging. The one place for these settings; datasource loaders use them too.',
      }),
      loaders: z.array(MetadataLoaderContractSchema).max(32).default([]).meta({
        description:
          'Metadata loaders, up to 32, in the order their items layer: for the same full key the item of the later loader wins. Inheritance (extends) is resolved after layering, over the items of all loaders, so an item in the database can extend one shipped in files. Default none: metadata comes only from the metadata driver.',
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
        // One store per configuration: a datasource loader is the metadata
        // store seen as a loader (its place among the layers, its
        // capabilities), so it uses the table, cache and limits of metadata.
        name: 'datasource_loader_uses_metadata_store',
        message:
          'a datasource loader must name the metadata datasource (metadata.datasource); its table, cache and limits are those of metadata',
        path: ['loaders'],
        holds: (config) =>
          config.loaders.every(
            (loader) => loader.protocol !== 'datasource' || loader.datasourceConfig.datasource === config.metadata.datasource,
          ),
      },
      {
        name: 'loader_names_unique',
        message: 'loader names must be unique',
        path: ['loaders'],
        holds: (config) => duplicates(config.loaders.map((l) => l.name)).length === 0,
      },
      {
        // Reported only when the metadata datasource is declared; an
        // undeclared one is metadata_datasource_declared's to report.
        name: 'table_schema_needs_schema_support',
        message:
          "metadata.table.schema is not allowed on this datasource's driver (SQLite and MongoDB have no schema below the database the datasource names)",
        path: ['metadata', 'table', 'schema'],
        holds: (config) => {
          if (config.metadata.table.schema === undefined) return true;
          const datasource = config.datasources.find((d) => d.name === config.metadata.datasource);
          return datasource === undefined || DATASOURCE_CAPABILITIES[datasource.driver].tableSchemas;
        },
      },
    ],
    {
      description:
        "A whole Metasource configuration file: the named datasources, the metadata driver that stores metadata in one of them, and the loaders that layer metadata from files, memory and that store. Names tie them together, so a platform is never bound to one driver: the storage layout follows from the datasource's driver, and moving to another database changes only the datasource entry (a table schema, which SQLite and MongoDB do not have, is rejected there).",
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
