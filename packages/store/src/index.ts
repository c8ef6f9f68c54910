/**
 * @metasource/store: metadata stores for the Metasource protocol. The memory
 * store is the reference semantics of the MetadataStore interface; stores on
 * databases (SQLite, PostgreSQL, MySQL) follow with the same behaviour.
 */
export { MetadataStoreFailure } from './base/failure';
export { MemoryDatabase } from './memory/memory-database';
export { MemoryStore, createMemoryStore, type MemoryStoreOptions } from './memory/memory-store';
