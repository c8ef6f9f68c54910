/**
 * Six complete Metasource configurations, one per deployment the design
 * summary names. Each is written as the author writes it (`MetasourceConfigInput`):
 * only what differs from a default is spelled out, and parsing with
 * `MetasourceConfigSchema` fills in the rest.
 *
 * Every example has a JSON twin in examples/json/<kebab-name>.json with a
 * `$schema` key for editors; tests/examples.test.ts checks that the two are
 * equal and that both validate with Zod and with the emitted JSON Schema.
 *
 * No secret appears here: passwords and connection URLs are references to an
 * environment variable ({ env }) or a mounted file ({ file }), resolved by the
 * runtime when it connects.
 */
import type { MetasourceConfigInput } from '@metasource/spec';

/**
 * The smallest useful setup: one PostgreSQL database and the defaults for
 * everything else (table `_framework_metadata`, automatic migration that
 * never drops, a 5-minute cache, TLS with full certificate verification).
 */
export const basicPostgres = {
  datasources: [
    {
      driver: 'postgres',
      name: 'metadata_db',
      connection: {
        host: 'db.internal.example.com',
        database: 'metasource',
        user: 'metasource_app',
        password: { env: 'PG_PASSWORD' },
      },
    },
  ],
  metadata: { datasource: 'metadata_db' },
} satisfies MetasourceConfigInput;

/**
 * MongoDB. The document layout follows from the driver, so nothing says it:
 * this file differs from a PostgreSQL one only in its datasource entry and
 * in what MongoDB alone has (no table schema; `id` mapped to `_id` to store
 * the record id as MongoDB's own key). The connection string names hosts,
 * replica set and credentials, so it is only ever a reference. With a replica
 * set, MongoDB can push changes (change streams), so the loader declares
 * `watch`; on a standalone server a runtime polls the change feed instead.
 */
export const mongodb = {
  datasources: [
    {
      driver: 'mongodb',
      name: 'metadata_mongo',
      connection: { url: { file: '/run/secrets/mongodb_url' }, database: 'metasource' },
      pool: { min: 1, max: 20 },
    },
  ],
  metadata: {
    datasource: 'metadata_mongo',
    table: {
      tableName: 'metadata_items',
      columnMapping: { id: '_id' },
      indexes: [
        { name: 'metadata_items_updated_at', fields: ['updatedAt'] },
        // MongoDB builds a wildcard index on payload for a gin index.
        { name: 'metadata_items_payload', fields: ['payload'], type: 'gin' },
      ],
    },
    // MongoDB runs multi-document transactions with snapshot isolation
    // whatever level is named; the level below documents intent only.
    transactions: { isolationLevel: 'serializable', maxRetries: 5 },
  },
  loaders: [
    {
      protocol: 'datasource',
      name: 'mongo_metadata',
      capabilities: { write: true, watch: true, history: true, transactions: true },
      // The loader is the metadata store as a loader: it uses metadata.table above.
      datasourceConfig: { datasource: 'metadata_mongo' },
    },
  ],
} satisfies MetasourceConfigInput;

/**
 * Production PostgreSQL with every optimisation the protocol offers: a
 * dedicated schema, indexes for the queries the platform runs, a larger
 * cache that is filled at startup, parallel loading within the pool size,
 * bigger batches, serializable transactions with bounded retries, and
 * tighter page limits. Migration stays automatic but backs up first.
 */
export const advancedPostgres = {
  datasources: [
    {
      driver: 'postgres',
      name: 'metadata_db',
      connection: {
        host: 'pg-primary.internal.example.com',
        port: 5432,
        database: 'metasource',
        user: 'metasource_app',
        password: { file: '/run/secrets/pg_password' },
      },
      pool: { min: 4, max: 32, idleTimeoutMs: 60_000, acquireTimeoutMs: 5_000 },
      tls: { mode: 'verify_full', ca: { file: '/etc/ssl/certs/pg-ca.pem' } },
      statementTimeoutMs: 15_000,
    },
  ],
  metadata: {
    datasource: 'metadata_db',
    table: {
      tableName: '_framework_metadata',
      schema: 'metadata',
      indexes: [
        // The runtime always creates the primary key and the unique identity
        // key (tenantId, type, namespace, scope, owner, name) itself; these
        // serve the platform's own queries.
        { name: 'metadata_type_state_idx', fields: ['type', 'state'] },
        { name: 'metadata_updated_at_idx', fields: ['updatedAt'] },
        { name: 'metadata_payload_gin', fields: ['payload'], type: 'gin' },
        { name: 'metadata_tags_gin', fields: ['tags'], type: 'gin' },
      ],
    },
    migration: { autoMigrate: true, backupBeforeMigrate: true },
    performance: {
      batchSize: 500,
      cache: { ttlSeconds: 900, maxEntries: 100_000 },
      prefetchOnInit: true,
      // At most the pool's max, so parallel loads never wait for a connection.
      loadConcurrency: 8,
    },
    transactions: {
      isolationLevel: 'serializable',
      timeoutMs: 10_000,
      retryOnConflict: true,
      maxRetries: 5,
      backoff: { initialDelayMs: 25, multiplier: 2, maxDelayMs: 1_000 },
    },
    query: { maxResultSize: 20_000, maxPageSize: 500 },
  },
  loaders: [
    {
      protocol: 'datasource',
      name: 'metadata_db',
      description: 'Platform and user metadata in PostgreSQL',
      capabilities: { write: true, history: true, transactions: true },
      // Table, cache and batching are set once, in metadata above.
      datasourceConfig: { datasource: 'metadata_db' },
    },
  ],
} satisfies MetasourceConfigInput;

/**
 * Hybrid: the metadata shipped with the platform (system scope) stays in
 * files that are versioned and deployed with the code, one item per file at
 * `<tenantId>/system/<type>/<namespace>/<name>.json` under rootDir, and what
 * administrators and users change (platform and user scope) lives in the
 * database. Loaders layer in order, so the datasource loader, listed last,
 * wins for the same full key; inheritance is resolved after layering, so a
 * platform item in the database can extend a system item from the files.
 */
export const hybrid = {
  datasources: [
    {
      driver: 'postgres',
      name: 'metadata_db',
      connection: { url: { env: 'DATABASE_URL' } },
    },
  ],
  metadata: { datasource: 'metadata_db' },
  loaders: [
    {
      protocol: 'file',
      name: 'system_metadata',
      description: 'System metadata shipped with the platform; read-only',
      rootDir: '/srv/app/metadata',
    },
    {
      protocol: 'datasource',
      name: 'user_metadata',
      description: 'Platform and user customisations',
      capabilities: { write: true, history: true, transactions: true },
      datasourceConfig: { datasource: 'metadata_db' },
    },
  ],
} satisfies MetasourceConfigInput;

/**
 * Many tenants in one database. Tenancy is part of the record itself: every
 * record carries a `tenantId`, and the identity key the runtime enforces as
 * unique is (tenantId, type, namespace, scope, owner, name), so two tenants
 * can each have an `object` named `account` without ever seeing each other's.
 * The runtime confines every read and write to the tenants its caller may
 * use (a tenantId filter only narrows that set), keys its cache by tenant,
 * and records the tenant in every change event. The extra indexes below lead
 * with tenantId so that each tenant's queries read only its own index range.
 */
export const multiTenant = {
  datasources: [
    {
      driver: 'postgres',
      name: 'tenant_metadata',
      connection: {
        host: 'pg-tenants.internal.example.com',
        database: 'metasource',
        user: 'metasource_app',
        password: { env: 'PG_PASSWORD' },
      },
      pool: { min: 2, max: 40 },
    },
  ],
  metadata: {
    datasource: 'tenant_metadata',
    table: {
      schema: 'metadata',
      indexes: [
        { name: 'metadata_tenant_type_idx', fields: ['tenantId', 'type', 'state'] },
        { name: 'metadata_tenant_updated_idx', fields: ['tenantId', 'updatedAt'] },
        { name: 'metadata_tenant_owner_idx', fields: ['tenantId', 'owner'] },
      ],
    },
    performance: {
      // Many tenants share one cache: a bigger bound, a shorter life.
      cache: { ttlSeconds: 120, maxEntries: 200_000 },
      loadConcurrency: 8,
    },
    transactions: { isolationLevel: 'repeatable_read' },
    query: { maxPageSize: 200 },
  },
  loaders: [
    {
      protocol: 'datasource',
      name: 'tenant_metadata',
      capabilities: { write: true, history: true, transactions: true },
      datasourceConfig: { datasource: 'tenant_metadata' },
    },
  ],
} satisfies MetasourceConfigInput;

/**
 * Local development on SQLite: one file next to the project, no server, no
 * credentials. The cache is off so that a change made with another tool
 * shows up at once, and a memory loader holds test fixtures.
 */
export const sqliteDevelopment = {
  datasources: [
    {
      driver: 'sqlite',
      name: 'local_metadata',
      connection: { filename: './.data/metadata.db' },
      busyTimeoutMs: 10_000,
      journalMode: 'wal',
    },
  ],
  metadata: {
    datasource: 'local_metadata',
    // A development database can be rebuilt from files at any time, so the
    // migration may drop what the config no longer names; it still backs up.
    migration: { autoMigrate: true, dropOnMigrate: true },
    performance: { cache: { enabled: false } },
  },
  loaders: [
    {
      protocol: 'memory',
      name: 'fixtures',
      description: 'Test fixtures registered by the test suite',
      capabilities: { write: true },
    },
    {
      protocol: 'datasource',
      name: 'local_metadata',
      capabilities: { write: true, history: true, transactions: true },
      datasourceConfig: { datasource: 'local_metadata' },
    },
  ],
} satisfies MetasourceConfigInput;

/**
 * PostgreSQL on a developer's machine or a CI runner: the whole connection
 * URL comes from an environment variable (it names the host, the database and
 * any password), and TLS is off because the server listens on the loopback
 * address only. The store creates its tables on first open.
 */
export const localPostgres = {
  datasources: [
    {
      driver: 'postgres',
      name: 'metadata_db',
      connection: { url: { env: 'METASOURCE_PG_URL' } },
      tls: { mode: 'disable' },
    },
  ],
  metadata: { datasource: 'metadata_db' },
} satisfies MetasourceConfigInput;

/** MariaDB (or MySQL) on a developer's machine or a CI runner, the same way: the URL from the environment, TLS off on loopback. */
export const localMariadb = {
  datasources: [
    {
      driver: 'mysql',
      name: 'metadata_db',
      connection: { url: { env: 'METASOURCE_MYSQL_URL' } },
      tls: { mode: 'disable' },
    },
  ],
  metadata: { datasource: 'metadata_db' },
} satisfies MetasourceConfigInput;

/** Every example by name; the JSON twin of `name` is examples/json/<name in kebab-case>.json. */
export const examples = {
  basicPostgres,
  mongodb,
  advancedPostgres,
  hybrid,
  multiTenant,
  sqliteDevelopment,
  localPostgres,
  localMariadb,
} satisfies Record<string, MetasourceConfigInput>;
