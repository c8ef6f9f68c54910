import { z } from 'zod';
import { MachineNameSchema } from '../../shared/identifier.zod';
import { batchSize, transactionSettings } from '../../shared/fields';
import { define, withRules } from '../../shared/registry';
import { MetadataTableSchemaSchema } from './metadata-table.zod';

/** Cache of loaded metadata records in the runtime. */
export const MetadataCacheConfigSchema = /* @__PURE__ */ define('MetadataCacheConfig', () =>
  z
    .strictObject({
      enabled: z.boolean().default(true).meta({ description: 'Keep loaded records in memory. Default true.' }),
      ttlSeconds: z
        .int()
        .min(1)
        .max(86_400)
        .default(300)
        .meta({
          description:
            'Seconds a cached entry is served before it is read again, 1 to 86400 (a day); default 300. There is no "never expire": a missed invalidation must heal by itself, and to stop caching set enabled to false.',
          examples: [300],
        }),
      invalidateOnWrite: z.boolean().default(true).meta({
        description: 'Drop a cached entry as soon as a write through this runtime changes the record. Default true.',
      }),
      maxEntries: z
        .int()
        .min(1)
        .max(1_000_000)
        .default(10_000)
        .meta({
          description: 'Most records kept, 1 to 1,000,000; default 10,000. Beyond it the least recently used entry is evicted.',
          examples: [10_000],
        }),
    })
    .meta({
      description:
        'In-memory cache of loaded metadata records: on by default, entries expire after ttlSeconds and on writes, LRU-bounded by maxEntries.',
      examples: [{ ttlSeconds: 600, maxEntries: 50_000 }],
    }),
);
export type MetadataCacheConfig = z.output<typeof MetadataCacheConfigSchema>;
export type MetadataCacheConfigInput = z.input<typeof MetadataCacheConfigSchema>;

function migrationConfig() {
  return withRules(
    z.strictObject({
      autoMigrate: z.boolean().default(true).meta({
        description:
          'On startup, create the table and add missing columns and indexes. Never destructive unless dropOnMigrate is set. Default true.',
      }),
      dropOnMigrate: z.boolean().default(false).meta({
        description:
          'Let migrations planned from this config (on startup or by an explicit migrate command) drop columns and indexes the config no longer names. Destructive. Default false.',
      }),
      backupBeforeMigrate: z.boolean().default(true).meta({
        description: 'Copy the table to a new backup table before any migration step that alters or drops it. Default true.',
      }),
      acknowledgeDataLoss: z.literal(true).optional().meta({
        description: 'Must be true to allow dropOnMigrate without backupBeforeMigrate, which can lose data beyond recovery.',
      }),
    }),
    [
      {
        name: 'drop_without_backup_needs_acknowledgement',
        message: 'dropOnMigrate without backupBeforeMigrate can lose data; set acknowledgeDataLoss: true to allow it',
        path: ['acknowledgeDataLoss'],
        holds: (m) => !(m.dropOnMigrate && !m.backupBeforeMigrate) || m.acknowledgeDataLoss === true,
        jsonSchema: {
          if: {
            properties: { dropOnMigrate: { const: true }, backupBeforeMigrate: { const: false } },
            required: ['dropOnMigrate', 'backupBeforeMigrate'],
          },
          then: { required: ['acknowledgeDataLoss'] },
        },
      },
    ],
    {
      description:
        'Schema migration of the metadata table: create and extend it on startup, back it up first, and drop only when told to. Dropping without a backup needs acknowledgeDataLoss.',
      examples: [{ autoMigrate: false }],
    },
  );
}

function performanceConfig() {
  return z
    .strictObject({
      batchSize: batchSize(
        'Records per statement or round trip when the runtime reads or writes many records on its own (prefetch, loads of many items, backups)',
        'A bulk operation and an import carry their own batchSize.',
      ),
      cache: MetadataCacheConfigSchema.prefault({}).meta({ description: 'In-memory cache of loaded records.' }),
      prefetchOnInit: z.boolean().default(false).meta({
        description: 'Load every served record (active and deprecated) into the cache at startup instead of on first use. Default false.',
      }),
      loadConcurrency: z
        .int()
        .min(1)
        .max(64)
        .default(4)
        .meta({
          description:
            'Most metadata types loaded at the same time (parallel loading), 1 to 64; 1 loads them one after another. Default 4.',
          examples: [4],
        }),
    })
    .meta({
      description: 'Batching, caching, prefetch and parallel loading.',
      examples: [{ batchSize: 500, cache: { ttlSeconds: 600 }, prefetchOnInit: true }],
    });
}

function transactionsConfig() {
  return z
    .strictObject({
      // Shared with a save's transaction override, which has the same bounds and no defaults.
      ...transactionSettings(),
      retryOnConflict: z.boolean().default(true).meta({
        description:
          'Retry a transaction the database aborted with a serialization failure or a deadlock, with exponential backoff. An optimistic-concurrency version mismatch is never retried; it is returned to the caller as a version_conflict (and a missing item as not_found). Default true.',
      }),
      maxRetries: z
        .int()
        .min(0)
        .max(10)
        .default(3)
        .meta({
          description: 'Retries after the first attempt, 0 to 10; default 3. Used only when retryOnConflict is true.',
          examples: [3],
        }),
      backoff: withRules(
        z.strictObject({
          initialDelayMs: z
            .int()
            .min(1)
            .max(60_000)
            .default(50)
            .meta({ description: 'Milliseconds before the first retry, 1 to 60,000; default 50.', examples: [50] }),
          multiplier: z
            .number()
            .min(1)
            .max(10)
            .default(2)
            .meta({ description: 'Factor applied to the delay after each retry, 1 to 10; default 2.', examples: [2] }),
          maxDelayMs: z
            .int()
            .min(1)
            .max(600_000)
            .default(2_000)
            .meta({ description: 'Largest delay between retries in milliseconds, 1 to 600,000; default 2,000.', examples: [2_000] }),
        }),
        [
          {
            name: 'initial_delay_not_above_max',
            message: 'initialDelayMs must not be above maxDelayMs',
            path: ['maxDelayMs'],
            holds: (b) => b.initialDelayMs <= b.maxDelayMs,
          },
        ],
        {
          description:
            'Exponential backoff with full jitter: the n-th retry waits a random time between 0 and min(initialDelayMs * multiplier^(n-1), maxDelayMs) milliseconds.',
          examples: [{ initialDelayMs: 100, multiplier: 2, maxDelayMs: 5_000 }],
        },
      ).prefault({}),
    })
    .meta({
      description:
        'Transactions for metadata writes: isolation level, timeout, and retries of serialization failures and deadlocks. A save may override the isolation level and timeout for itself (MetadataSaveOptions.transaction); every other write uses these. MongoDB transactions use snapshot isolation whatever the level.',
      examples: [{ isolationLevel: 'serializable', maxRetries: 5 }],
    });
}

function queryConfig() {
  return withRules(
    z.strictObject({
      maxResultSize: z
        .int()
        .min(100)
        .max(100_000)
        .default(10_000)
        .meta({
          description:
            'Most records one unpaged internal read may return, 100 to 100,000; default 10,000. Queries and loads are always paged (MetadataPagination), so this caps only the reads a runtime makes on its own without a page, such as a prefetch of one type at startup. A read that would return more fails instead of being cut short (R26).',
          examples: [10_000],
        }),
      maxPageSize: z
        .int()
        .min(100)
        .max(1000)
        .default(1000)
        .meta({
          description:
            'Largest MetadataPagination.pageSize a query or load may ask for, 100 to 1000; default 1000. A larger pageSize is rejected (R26), never shortened to fit; the floor of 100 (the default pageSize) keeps a query or load that names no pageSize valid.',
          examples: [200],
        }),
    }),
    [
      {
        name: 'max_page_size_not_above_max_result_size',
        message: 'maxPageSize must not be above maxResultSize',
        path: ['maxPageSize'],
        holds: (q) => q.maxPageSize <= q.maxResultSize,
      },
    ],
    {
      description:
        'Limits on reads: the largest page a query or load may ask for (maxPageSize caps MetadataPagination.pageSize) and the largest unpaged internal read, such as a prefetch (maxResultSize).',
      examples: [{ maxResultSize: 5_000, maxPageSize: 200 }],
    },
  );
}

/** How metadata is stored in a datasource: table, migration, performance, transactions, query limits. */
export const MetadataDriverConfigSchema = /* @__PURE__ */ define('MetadataDriverConfig', () =>
  z
    .strictObject({
      datasource: MachineNameSchema.meta({ description: 'Name of the Datasource that holds the metadata.', examples: ['metadata_db'] }),
      table: MetadataTableSchemaSchema.prefault({}).meta({ description: 'Table (or collection) layout; every part has a default.' }),
      migration: migrationConfig().prefault({}),
      performance: performanceConfig().prefault({}),
      transactions: transactionsConfig().prefault({}),
      query: queryConfig().prefault({}),
    })
    .meta({
      description:
        'How metadata lives in one datasource: the table layout, schema migration, batching and caching, transactions and query limits. Only datasource is required; parsing fills every other setting.',
      examples: [
        { datasource: 'metadata_db' },
        { datasource: 'metadata_db', table: { schema: 'metadata' }, performance: { cache: { ttlSeconds: 600 } } },
      ],
    }),
);
export type MetadataDriverConfig = z.output<typeof MetadataDriverConfigSchema>;
export type MetadataDriverConfigInput = z.input<typeof MetadataDriverConfigSchema>;
