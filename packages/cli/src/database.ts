/**
 * A direct connection to a datasource's database, for the operator commands
 * that must see the tables as they are (doctor, migrate): opening a store
 * would run the automatic migration (autoMigrate), or refuse to open when
 * it is off and the tables are behind. Nothing is created or changed here.
 */
import type { Datasource, MetasourceConfig } from '@metasource/spec';
import { describeDatasource, pickDatasource } from './config';
import { CliError, fromStoreFailure, isStoreFailure } from './errors';
import { EXIT } from './exit-codes';
import type { DatasourceRef } from './results';
import { connect, sqlLayout, type MigrationSettings, type SqlConnection, type SqlDatasource, type SqlLayout } from './store-internals';

/** The datasource a command worked on, named without secrets. */
export function datasourceRef(datasource: Datasource): DatasourceRef {
  return { name: datasource.name, driver: datasource.driver, target: describeDatasource(datasource) };
}

/** What doctor and migrate work with. */
export interface DirectDatabase {
  datasource: SqlDatasource;
  ref: DatasourceRef;
  /** `datasource NAME (driver at host:port, database D)`, for messages. */
  target: string;
  layout: SqlLayout;
  settings: MigrationSettings;
}

/** The table layout and migration settings of a datasource, as the store would use them. */
export function directDatabase(config: MetasourceConfig, datasourceName: string | undefined): DirectDatabase {
  const datasource = pickDatasource(config, datasourceName);
  const ref = datasourceRef(datasource);
  const target = `datasource ${datasource.name} (${ref.target})`;
  if (datasource.driver === 'mongodb') {
    throw new CliError(`${target} uses the mongodb driver, which has no store yet`, {
      exitCode: EXIT.failed,
      code: 'unsupported_capability',
      hint: 'use a sqlite, postgres or mysql datasource',
    });
  }
  let layout: SqlLayout;
  try {
    layout = sqlLayout(config.metadata.table);
  } catch (error) {
    throw new CliError(`the metadata table of the config is invalid: ${(error as Error).message}`, {
      exitCode: EXIT.failed,
      code: 'invalid_config',
    });
  }
  const { migration, transactions } = config.metadata;
  return {
    datasource,
    ref,
    target,
    layout,
    settings: {
      autoMigrate: migration.autoMigrate,
      dropOnMigrate: migration.dropOnMigrate,
      backupBeforeMigrate: migration.backupBeforeMigrate,
      lockTimeoutMs: transactions.timeoutMs,
    },
  };
}

/** Connects to the database (secret references resolved now); unreachable is exit 3, naming the target. */
export async function connectDirect(database: DirectDatabase, env: Record<string, string | undefined>): Promise<SqlConnection> {
  try {
    return await connect(database.datasource, { env });
  } catch (error) {
    if (isStoreFailure(error)) {
      const failure = fromStoreFailure(error, database.target);
      throw new CliError(error.error.message, {
        exitCode: failure.exitCode,
        code: failure.code,
        ...(failure.hint !== undefined ? { hint: failure.hint } : {}),
        cause: error,
      });
    }
    throw error;
  }
}
