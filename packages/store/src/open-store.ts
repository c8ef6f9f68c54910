/**
 * The entry point of the stores on databases: a MetasourceConfig (or one
 * datasource and its metadata driver config) in, the store of that
 * datasource's driver out. The config is validated first, and an invalid one
 * opens nothing: every problem is reported with its path. The database client
 * is loaded only for the driver in use.
 */
import {
  DATASOURCE_CAPABILITIES,
  MAX_SAFE_COUNT,
  DatasourceSchema,
  MetadataDriverConfigSchema,
  MetasourceConfigSchema,
  type DatasourceInput,
  type MetadataDriverConfig,
  type MetadataDriverConfigInput,
  type MetasourceConfigInput,
} from '@metasource/spec';
import { z } from 'zod';
import { fail, failInvalidInput, parseInput, toInputIssue } from './base/failure';
import { ProtocolStore } from './base/protocol-store';
import { sqlLayout } from './sql/layout';
import { SqlBackend, type SqlDatasource } from './sql/sql-backend';

/** One datasource and how metadata lives in it: the two parts of a MetasourceConfig a store needs. */
export interface DatasourceStoreConfig {
  datasource: DatasourceInput;
  driver: MetadataDriverConfigInput;
}

/** What a program decides beside the config. */
export interface OpenStoreOptions {
  /** Most change events kept per tenant; default: every event (R35). */
  changeFeedRetention?: number;
  /** The clock, for audit fields, events, cache lifetimes and loadedAt. Default: `() => new Date()`. */
  now?: () => Date;
  /** Where new record ids come from (each must be an OpaqueId); default `rec_` and 32 random hex digits. */
  recordIds?: () => string;
  /** Where `env` secret references are read; default process.env. */
  env?: Record<string, string | undefined>;
}

const OpenStoreOptionsSchema = z.strictObject({
  changeFeedRetention: z.int().min(1).max(MAX_SAFE_COUNT).optional(),
  now: z.custom<() => Date>((value) => typeof value === 'function', { error: 'must be a function returning the current time' }).optional(),
  recordIds: z
    .custom<() => string>((value) => typeof value === 'function', { error: 'must be a function returning a record id' })
    .optional(),
  env: z.record(z.string(), z.string().optional()).optional(),
});

/** A store on a database: the protocol store over a SQL backend. */
export class SqlStore extends ProtocolStore {
  declare protected readonly backend: SqlBackend;

  /** The Kysely instance and server of the open store, for tools (doctor, backups) that inspect the database. */
  get connection() {
    return { db: this.backend.db, server: this.backend.server };
  }

  /**
   * Every tenant that has a record, in code point order. For an operator's
   * tools (export everything, doctor), which must then name those tenants in
   * their call context like any caller: this lists, it grants nothing.
   */
  tenants(): Promise<string[]> {
    return this.backend.tenantIds();
  }
}

function isConfig(config: MetasourceConfigInput | DatasourceStoreConfig): config is MetasourceConfigInput {
  return typeof config === 'object' && config !== null && 'datasources' in config;
}

/** Validates a config and picks the metadata datasource and its driver config. */
function resolveConfig(config: MetasourceConfigInput | DatasourceStoreConfig) {
  if (isConfig(config)) {
    const parsed = parseInput(MetasourceConfigSchema, config, 'the Metasource config');
    const datasource = parsed.datasources.find((entry) => entry.name === parsed.metadata.datasource);
    // The config's own rules guarantee it; checked again so a type cannot lie.
    if (!datasource)
      failInvalidInput('the Metasource config', [{ path: ['metadata', 'datasource'], code: 'custom', message: 'names no datasource' }]);
    return { datasource, driver: parsed.metadata };
  }
  const issues = [];
  const datasource = DatasourceSchema.safeParse(config?.datasource);
  if (!datasource.success)
    issues.push(...datasource.error.issues.map((issue) => toInputIssue({ ...issue, path: ['datasource', ...issue.path] })));
  const driver = MetadataDriverConfigSchema.safeParse(config?.driver);
  if (!driver.success) issues.push(...driver.error.issues.map((issue) => toInputIssue({ ...issue, path: ['driver', ...issue.path] })));
  if (!datasource.success || !driver.success) failInvalidInput('the store config', issues);
  if (driver.data.datasource !== datasource.data.name) {
    failInvalidInput('the store config', [
      {
        path: ['driver', 'datasource'],
        code: 'custom',
        message: `names ${driver.data.datasource}, not the datasource given (${datasource.data.name})`,
      },
    ]);
  }
  if (driver.data.table.schema !== undefined && !DATASOURCE_CAPABILITIES[datasource.data.driver].tableSchemas) {
    failInvalidInput('the store config', [
      {
        path: ['driver', 'table', 'schema'],
        code: 'custom',
        rule: 'table_schema_needs_schema_support',
        message: `a ${datasource.data.driver} datasource has no schemas: leave table.schema out`,
      },
    ]);
  }
  return { datasource: datasource.data, driver: driver.data };
}

/**
 * Creates the store of a config's metadata datasource, not yet open. An
 * invalid config fails with invalid_input listing every problem; a MongoDB
 * datasource fails with unsupported_capability (no MongoDB store yet).
 */
export function createStore(config: MetasourceConfigInput | DatasourceStoreConfig, options: OpenStoreOptions = {}): SqlStore {
  const { datasource, driver } = resolveConfig(config);
  const opts = parseInput(OpenStoreOptionsSchema, options, 'the store options');
  if (datasource.driver === 'mongodb') {
    fail({
      code: 'unsupported_capability',
      message: `the datasource ${datasource.name} uses the mongodb driver, which has no store yet (not implemented); use sqlite, postgres or mysql`,
      capability: 'mongodb_store',
    });
  }
  const now = opts.now ?? (() => new Date());
  return new SqlStore(
    new SqlBackend({
      datasource: datasource as SqlDatasource,
      layout: layoutOf(driver),
      migration: {
        autoMigrate: driver.migration.autoMigrate,
        dropOnMigrate: driver.migration.dropOnMigrate,
        backupBeforeMigrate: driver.migration.backupBeforeMigrate,
        lockTimeoutMs: driver.transactions.timeoutMs,
      },
      isolationLevel: driver.transactions.isolationLevel,
      now,
      ...(opts.recordIds ? { recordIds: opts.recordIds } : {}),
      ...(opts.env ? { connectOptions: { env: opts.env } } : {}),
    }),
    {
      label: `the ${datasource.driver} store of ${datasource.name}`,
      cache: driver.performance.cache,
      maxPageSize: driver.query.maxPageSize,
      maxResultSize: driver.query.maxResultSize,
      ...(opts.changeFeedRetention !== undefined ? { changeFeedRetention: opts.changeFeedRetention } : {}),
      now,
      retry: {
        maxRetries: driver.transactions.retryOnConflict ? driver.transactions.maxRetries : 0,
        ...driver.transactions.backoff,
      },
      exportPageSize: driver.performance.batchSize,
    },
  );
}

/** The SQL layout of a driver config; a table name too long for the runtime's own tables is invalid_input. */
function layoutOf(driver: MetadataDriverConfig) {
  try {
    return sqlLayout(driver.table);
  } catch (error) {
    failInvalidInput('the store config', [
      { path: ['metadata', 'table', 'tableName'], code: 'custom', rule: 'runtime_table_names_fit', message: (error as Error).message },
    ]);
  }
}

/** Creates the store of a config's metadata datasource and opens it (connecting, and migrating when autoMigrate). */
export async function openStore(config: MetasourceConfigInput | DatasourceStoreConfig, options?: OpenStoreOptions): Promise<SqlStore> {
  const store = createStore(config, options);
  await store.open();
  return store;
}
