/**
 * The parts of the SQL stores that `doctor` and `migrate` need below the
 * MetadataStore interface, from the store's `sql` entry point: connecting
 * without opening a store (opening would migrate when autoMigrate is on,
 * and fail when it is off and the tables are behind), the table layout of a
 * config, the inspection of what the database holds against it, migration
 * planning with its warnings, and what the migration lock is keyed on.
 */
export {
  LAYOUT_VERSION,
  LOCK_ROW_EXPIRY_MS,
  LOCK_ROW_NAME,
  connect,
  describeInspection,
  describeOperation,
  inspectSchema,
  migrateSchema,
  mysqlLockName,
  planMigration,
  postgresLockKey,
  qualifiedName,
  sqlLayout,
  type MigrationSettings,
  type SqlConnection,
  type SqlDatasource,
  type SqlLayout,
} from '@metasource/store/sql';
