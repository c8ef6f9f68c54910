/**
 * `@metasource/store/sql`: the parts of the SQL stores below the
 * MetadataStore interface that operators' tools need (the `metasource`
 * command's doctor and migrate): connecting without opening a store (opening
 * migrates when autoMigrate is on), the table layout of a config, the
 * inspection of what a database holds against it, migration planning with
 * its warnings, and what the migration lock is keyed on. Applications use
 * openStore from the main entry instead.
 */
export { connect, type ConnectOptions, type SqlConnection, type SqlDatasource } from './connect';
export { sqlLayout, type SqlLayout, type SqlServer, type SqlDriver } from './layout';
export { LAYOUT_VERSION, inspectSchema } from './schema';
export { describeInspection, describeOperation, migrateSchema, planMigration, type MigrationSettings } from './migrate';
export { LOCK_ROW_EXPIRY_MS, LOCK_ROW_NAME, mysqlLockName, postgresLockKey, qualifiedName } from './migrate-lock';
