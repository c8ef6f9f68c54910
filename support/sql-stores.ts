/**
 * SQL stores for the conformance kit and the differential tests: one test
 * database per run (its own name, dropped at the end), and in it one table
 * per store the kit asks for, so that no two audits share data. A second
 * client opens the same table through a second connection pool.
 */
import { openStore, type OpenStoreOptions, type SqlStore } from '@metasource/store';
import type { MetadataStore } from '@metasource/spec';
import { createTestDatabase, type TestDatabase } from '../packages/store/src/sql/testing';
import type { SqlDriver } from '../packages/store/src/sql/layout';

/** The three SQL dialects with the names reports and tests give them. */
export const SQL_STORE_NAMES: Readonly<Record<SqlDriver, string>> = {
  sqlite: 'SQLite',
  postgres: 'PostgreSQL',
  mysql: 'MariaDB',
};

export interface SqlStoreFactory {
  database: TestDatabase;
  /** A new, empty, opened store on a table of its own. */
  newStore(options?: OpenStoreOptions): Promise<SqlStore>;
  /** A second opened client on the table of `store`. */
  secondClient(store: MetadataStore, options?: OpenStoreOptions): Promise<SqlStore>;
  /** Drops the test database. */
  drop(): Promise<void>;
}

/** Creates a test database for `driver` and returns a factory of stores in it. */
export async function sqlStoreFactory(driver: SqlDriver, label: string): Promise<SqlStoreFactory> {
  const database = await createTestDatabase(driver, label);
  const tables = new WeakMap<MetadataStore, string>();
  let counter = 0;
  const open = async (tableName: string, options?: OpenStoreOptions) => {
    const store = await openStore(
      { datasource: database.datasource, driver: { datasource: 'metadata_db', table: { tableName } } },
      options,
    );
    tables.set(store, tableName);
    return store;
  };
  return {
    database,
    newStore: (options) => open(`m${String(++counter).padStart(4, '0')}`, options),
    secondClient: (store, options) => {
      const tableName = tables.get(store);
      if (tableName === undefined) throw new Error('secondClient: not a store of this factory');
      return open(tableName, options);
    },
    drop: () => database.drop(),
  };
}
