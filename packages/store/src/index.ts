/**
 * @metasource/store: metadata stores for the Metasource protocol. The memory
 * store is the reference semantics of the MetadataStore interface; the SQL
 * stores (SQLite, PostgreSQL, MySQL/MariaDB, on Kysely) are the same protocol
 * store over a database, opened from a MetasourceConfig with openStore.
 */
export { MetadataStoreFailure } from './base/failure';
export { ProtocolStore } from './base/protocol-store';
export { MemoryDatabase } from './memory/memory-database';
export { MemoryStore, createMemoryStore, type MemoryStoreOptions } from './memory/memory-store';
export { SqlStore, createStore, openStore, type DatasourceStoreConfig, type OpenStoreOptions } from './open-store';
