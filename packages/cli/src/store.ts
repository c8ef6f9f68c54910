/**
 * Opening the store of a configured datasource and calling it as an
 * operator. The call context is `{ actor, role: 'operator', readTenants,
 * writeTenants }`, whose tenants are the --tenant values or, when none is
 * given, every tenant the store holds (a context names at most 1000, so
 * more are taken in groups of 1000). A store that cannot be opened fails
 * with the database named by driver, host and port (or its SQLite file),
 * never by a resolved URL or password.
 */
import { OpaqueIdSchema, type Datasource, type MetadataCallContextInput, type MetasourceConfig } from '@metasource/spec';
import { createStore, type SqlStore } from '@metasource/store';
import { describeDatasource, pickDatasource } from './config';
import { CliError, fromStoreFailure, isStoreFailure, usageError } from './errors';
import { EXIT } from './exit-codes';

/** The most tenants one call context may name (MetadataCallContext.readTenants). */
export const MAX_CONTEXT_TENANTS = 1000;

/** The operator's settings every store call takes. */
export interface Operator {
  actor: string;
  /** The --tenant values, in the order given; empty: every tenant of the store. */
  tenants: string[];
}

/** Checks --actor and --tenant values: each an OpaqueId, the tenants each once. */
export function operatorOf(actor: string, tenants: readonly string[]): Operator {
  if (!OpaqueIdSchema.safeParse(actor).success) {
    throw usageError(
      `--actor ${JSON.stringify(actor)} is not an OpaqueId`,
      'use a letter or digit, then letters, digits and _ . : @ -, at most 128',
    );
  }
  for (const tenant of tenants) {
    if (!OpaqueIdSchema.safeParse(tenant).success) {
      throw usageError(
        `--tenant ${JSON.stringify(tenant)} is not a tenant id (an OpaqueId)`,
        'use a letter or digit, then letters, digits and _ . : @ -, at most 128',
      );
    }
  }
  const unique = [...new Set(tenants)];
  if (unique.length > MAX_CONTEXT_TENANTS)
    throw usageError(`--tenant is given ${unique.length} times; at most ${MAX_CONTEXT_TENANTS} tenants`);
  return { actor, tenants: unique };
}

/**
 * The operator's call context for these tenants (at most 1000). An operator's
 * tool moves every item, users' own ones too, so it administers users.
 */
export function operatorContext(operator: Operator, tenants: readonly string[]): MetadataCallContextInput {
  return { actor: operator.actor, role: 'operator', readTenants: [...tenants], writeTenants: [...tenants], administersUsers: true };
}

/** Tenants in groups a call context can hold, in order. */
export function tenantGroups(tenants: readonly string[]): string[][] {
  const groups: string[][] = [];
  for (let start = 0; start < tenants.length; start += MAX_CONTEXT_TENANTS) groups.push(tenants.slice(start, start + MAX_CONTEXT_TENANTS));
  return groups;
}

/** By code point, as the store orders tenants. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The tenants a command works on: the --tenant values, or every tenant of the store; sorted by code point. */
export async function tenantsOf(store: SqlStore, operator: Operator): Promise<string[]> {
  const tenants = operator.tenants.length > 0 ? [...operator.tenants] : await store.tenants();
  return tenants.sort(byCodePoint);
}

/** An open store, and how its database is named in messages. */
export interface OpenedStore {
  store: SqlStore;
  datasource: Datasource;
  /** Driver, host and port (or the SQLite file): never a URL or password. */
  target: string;
}

/** Opens the store of a datasource of the config (the metadata datasource by default) with the config's metadata driver settings. */
export async function openDatasourceStore(
  config: MetasourceConfig,
  datasourceName: string | undefined,
  env: Record<string, string | undefined>,
): Promise<OpenedStore> {
  const datasource = pickDatasource(config, datasourceName);
  const target = `datasource ${datasource.name} (${describeDatasource(datasource)})`;
  let store: SqlStore;
  try {
    store = createStore({ datasource, driver: { ...config.metadata, datasource: datasource.name } }, { env: { ...env } });
  } catch (error) {
    if (isStoreFailure(error)) throw fromStoreFailure(error, target, 'the config');
    throw error;
  }
  try {
    await store.open();
  } catch (error) {
    await store.close().catch(() => undefined);
    if (isStoreFailure(error)) {
      const failure = fromStoreFailure(error, target);
      if (failure.exitCode === EXIT.unreachable) {
        throw new CliError(error.error.message, {
          exitCode: EXIT.unreachable,
          code: failure.code,
          ...(failure.hint !== undefined ? { hint: failure.hint } : {}),
          cause: error,
        });
      }
      throw failure;
    }
    throw error;
  }
  return { store, datasource, target };
}

/** Runs `work` on an open store and closes it, whatever happens. */
export async function withStore<T>(
  config: MetasourceConfig,
  datasourceName: string | undefined,
  env: Record<string, string | undefined>,
  work: (opened: OpenedStore) => Promise<T>,
): Promise<T> {
  const opened = await openDatasourceStore(config, datasourceName, env);
  try {
    return await work(opened);
  } catch (error) {
    if (isStoreFailure(error)) throw fromStoreFailure(error, opened.target);
    throw error;
  } finally {
    await opened.store.close().catch(() => undefined);
  }
}
