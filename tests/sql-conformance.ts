/**
 * Registers the conformance kit against a SQL store, the way an implementer
 * runs it: one test per audit (registerConformanceTests), every store on a
 * table of its own in a test database made for the file and dropped after it.
 */
import { registerConformanceTests } from '@metasource/conformance';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { SqlDriver } from '../packages/store/src/sql/layout';
import { SQL_STORE_NAMES, sqlStoreFactory, type SqlStoreFactory } from '../support/sql-stores';

export function registerSqlConformance(driver: SqlDriver): void {
  let factory: SqlStoreFactory | undefined;
  const ready = () => {
    if (!factory) throw new Error('the test database is not ready');
    return factory;
  };
  beforeAll(async () => {
    factory = await sqlStoreFactory(driver, 'conformance');
  }, 60_000);
  afterAll(async () => {
    await factory?.drop();
  });
  registerConformanceTests(
    { describe, it },
    {
      name: `${SQL_STORE_NAMES[driver]} store conformance`,
      newStore: () => ready().newStore(),
      secondClient: (store) => ready().secondClient(store),
      timeoutMs: 60_000,
    },
  );
  // The feed audits again on stores that keep only the last 5 events per tenant, so the retention audits run too.
  registerConformanceTests(
    { describe, it },
    {
      name: `${SQL_STORE_NAMES[driver]} store conformance, changeFeedRetention 5`,
      filter: (audit) => audit.requirement === 'R35',
      newStore: () => ready().newStore({ changeFeedRetention: 5 }),
      secondClient: (store) => ready().secondClient(store, { changeFeedRetention: 5 }),
      timeoutMs: 60_000,
    },
  );
}
