/**
 * The JSON examples for the three SQL databases open a working store as
 * written, with credentials from the environment: sqlite-development.json
 * (a file under ./.data), local-postgres.json and local-mariadb.json (the
 * whole URL from METASOURCE_PG_URL / METASOURCE_MYSQL_URL), each pointed at a
 * database made for this test and dropped after it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@metasource/store';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, mysqlSettings, postgresSettings, type TestDatabase } from '../packages/store/src/sql/testing';

const readExample = (file: string) => JSON.parse(readFileSync(join(import.meta.dirname, '../examples/json', file), 'utf8'));
const context = { actor: 'example-test', readTenants: ['default'], writeTenants: ['default'] };

/** A user and password for a URL, percent-encoded. */
function credentials(user: string, password: string | undefined): string {
  return encodeURIComponent(user) + (password === undefined ? '' : `:${encodeURIComponent(password)}`);
}

const made: TestDatabase[] = [];
afterAll(async () => {
  for (const database of made) await database.drop();
});

async function roundTrip(config: unknown, env?: Record<string, string>) {
  const store = await openStore(config as never, env ? { env } : {});
  try {
    const saved = await store.save(context, { type: 'object', name: 'account', payload: { label: 'Account' } });
    expect(saved).toMatchObject({ status: 'created', version: 1 });
    expect(await store.get(context, { type: 'object', name: 'account' })).toMatchObject({ payload: { label: 'Account' } });
  } finally {
    await store.close();
  }
}

describe('the JSON examples open a store on their database', () => {
  it('sqlite-development.json, relative to the working directory', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'metasource-example-'));
    const cwd = process.cwd();
    try {
      process.chdir(directory);
      mkdirSync('.data');
      await roundTrip(readExample('sqlite-development.json'));
    } finally {
      process.chdir(cwd);
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('local-postgres.json, with the URL from METASOURCE_PG_URL', async () => {
    const database = await createTestDatabase('postgres', 'example');
    made.push(database);
    const { host, port, user, password } = postgresSettings();
    await roundTrip(readExample('local-postgres.json'), {
      METASOURCE_PG_URL: `postgres://${credentials(user, password)}@${host}:${port}/${database.name}`,
    });
  });

  it('local-mariadb.json, with the URL from METASOURCE_MYSQL_URL', async () => {
    const database = await createTestDatabase('mysql', 'example');
    made.push(database);
    const { host, port, user, password } = mysqlSettings();
    await roundTrip(readExample('local-mariadb.json'), {
      METASOURCE_MYSQL_URL: `mysql://${credentials(user, password)}@${host}:${port}/${database.name}`,
    });
  });
});
