/**
 * Hostile input on each database (issue #12; R7, R18, R43, R44): every
 * string position of filters, records, keys, options and call contexts gets
 * every hostile string (tests/faults/hostile.ts: quotes, comment markers,
 * backslashes, NUL, `%`, `_`, JSON path syntax, non-BMP and very long
 * strings). Each call runs on the SQL store and on the in-memory reference
 * store, which hold the same records (imported with the same ids, the same
 * clock, the same id generator), and the two outcomes must be equal:
 *
 * - a result equal to the memory store's (cursors compared by presence, as
 *   each store signs its own);
 * - or the same typed rejection (MetadataStoreFailure, a valid
 *   MetadataStoreError, the same code and fields), never a driver error and
 *   never `unavailable`, which is what a driver error would become.
 *
 * The one difference the protocol allows: PostgreSQL refuses a payload
 * holding U+0000 with unsupported_capability nul_character (R18), where the
 * memory store (asked with dryRun, so the two keep the same records) would
 * write it. Afterwards the rows of the SQL table, read through the test's own
 * connection, are the memory store's records.
 */
import type {
  JsonObject,
  MetadataCallContextInput,
  MetadataQueryConditionInput,
  MetadataQueryOptionsInput,
  MetadataRecordInput,
  MetadataStore,
} from '@metasource/spec';
import { createMemoryStore, openStore, type MemoryStore, type SqlStore } from '@metasource/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQL_DRIVERS, createTestDatabase, type TestDatabase } from '../packages/store/src/sql/testing';
import { closeStores, readRecords, storeConfig } from './faults/database';
import { HOSTILE_STRINGS, ILL_FORMED_STRINGS, pointerSegment } from './faults/hostile';
import { Comparison, exportAll, holdsNul, idSource } from './faults/reference';

const TENANTS = ['t1', 't2'] as const;
const reader: MetadataCallContextInput = { actor: 'reader', readTenants: [...TENANTS], writeTenants: ['t1'] };
const operator: MetadataCallContextInput = {
  actor: 'ops',
  role: 'operator',
  readTenants: [...TENANTS],
  writeTenants: [...TENANTS],
  administersUsers: true,
};
const NOW = new Date('2026-01-31T09:30:00.000Z');
const STRINGS = [...HOSTILE_STRINGS, ...ILL_FORMED_STRINGS];

/** A payload with `text` as a value, as a key, and inside nested objects and arrays. */
function hostilePayload(text: string, n: number): JsonObject {
  return { v: text, [text]: n, nested: { [text]: text, list: [text, n] }, n };
}

/** The records both stores hold: one per hostile string, in two tenants and several types, scopes and owners. */
function seedRecords(withNul: boolean): MetadataRecordInput[] {
  return HOSTILE_STRINGS.flatMap((text, i) => {
    const payload = hostilePayload(text, i);
    if (!withNul && holdsNul(payload)) return [];
    const user = i % 5 === 4;
    return [
      {
        id: `seed_${String(i).padStart(3, '0')}`,
        tenantId: TENANTS[i % 2]!,
        type: i % 3 === 0 ? 'field' : 'object',
        namespace: 'crm',
        scope: user ? 'user' : 'platform',
        ...(user ? { owner: i % 10 === 4 ? 'reader' : 'other' } : {}),
        name: `h_${i}`,
        state: i % 7 === 6 ? 'archived' : 'active',
        payload,
        tags: i % 2 === 0 ? ['crm', 'core'] : ['crm'],
      },
    ];
  });
}

/** Whether the reader sees seed record `i` in a query: not archived, and not another user's. */
function visibleSeed(i: number): boolean {
  return i < HOSTILE_STRINGS.length && i % 7 !== 6 && i % 10 !== 9;
}

/** A query of one condition, every page of it (each store following its own cursors), with the total. */
async function queryAll(store: MetadataStore, options: MetadataQueryOptionsInput): Promise<unknown[]> {
  const pages: unknown[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.query(reader, { ...options, pagination: { pageSize: 40, ...(cursor !== undefined ? { cursor } : {}) } });
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== undefined && pages.length < 20);
  return pages;
}

describe.each(SQL_DRIVERS)('%s: hostile input in every string position', (driver) => {
  let database: TestDatabase;
  let sqlStore: SqlStore;
  let memory: MemoryStore;
  let runs: Comparison;
  const tableName = 'hostile';

  beforeAll(async () => {
    database = await createTestDatabase(driver, 'faults_hostile');
    const ids = { memory: idSource(), sql: idSource() };
    sqlStore = await openStore(storeConfig(database, tableName), { now: () => NOW, recordIds: ids.sql.next });
    memory = await createMemoryStore({ now: () => NOW, recordIds: ids.memory.next, cache: { enabled: false } });
    runs = new Comparison(driver, memory, sqlStore, ids);
    const records = seedRecords(driver !== 'postgres');
    for (const store of [memory, sqlStore]) {
      const result = await store.import(operator, records, { atomic: true });
      expect(result.committed).toBe(true);
    }
  }, 60_000);
  afterAll(async () => {
    await closeStores([sqlStore, memory]);
    await database?.drop();
  }, 60_000);

  const compare = (...args: Parameters<Comparison['compare']>) => runs.compare(...args);

  function expectNoMismatch(): void {
    expect(runs.mismatches.slice(0, 10), `${runs.mismatches.length} mismatches`).toEqual([]);
  }

  function summary(what: string, start: Comparison['stats']): string {
    const { stats } = runs;
    return `faults hostile-input ${driver} ${what}: attempts ${stats.attempts - start.attempts}, equal results ${stats.equal - start.equal}, typed rejections ${stats.rejected - start.rejected}, nul refusals ${stats.nulRefused - start.nulRefused}, mismatches ${runs.mismatches.length}`;
  }

  /** The path of the first condition of a query's filters, where its hostile part is. */
  const CONDITION: readonly (string | number)[] = ['filters', 'conditions', 0];

  it('payload conditions: every operator with every hostile value, path key and nested key', async () => {
    const start = { ...runs.stats };
    let matched = 0;
    const operators = ['eq', 'ne', 'contains', 'starts_with', 'gt', 'gte', 'lt', 'lte'] as const;
    for (const [i, text] of STRINGS.entries()) {
      const segment = pointerSegment(text);
      const conditions: [string, MetadataQueryConditionInput][] = [
        ...operators.map((operator): [string, MetadataQueryConditionInput] => [
          `payload/v ${operator}`,
          { field: 'payload/v', operator, value: text } as MetadataQueryConditionInput,
        ]),
        ['payload/v in', { field: 'payload/v', operator: 'in', value: [text, 'a'] }],
        ['payload/v not_in', { field: 'payload/v', operator: 'not_in', value: [text] }],
        ['payload/<key> exists', { field: `payload/${segment}`, operator: 'exists', value: true }],
        ['payload/<key> not exists', { field: `payload/${segment}`, operator: 'exists', value: false }],
        ['payload/<key> eq number', { field: `payload/${segment}`, operator: 'eq', value: i }],
        ['payload/<key> gte number', { field: `payload/${segment}`, operator: 'gte', value: 0 }],
        ['payload/nested/<key> eq', { field: `payload/nested/${segment}`, operator: 'eq', value: text }],
        ['payload/nested/<key> starts_with', { field: `payload/nested/${segment}`, operator: 'starts_with', value: text }],
        ['payload/nested/list contains', { field: 'payload/nested/list', operator: 'contains', value: text }],
        ['payload/nested/list eq', { field: 'payload/nested/list', operator: 'eq', value: [text, i] }],
        ['payload/nested eq object', { field: 'payload/nested', operator: 'eq', value: { [text]: text, list: [text, i] } }],
      ];
      for (const [what, condition] of conditions) {
        const { expected } = await compare(
          `string ${i} in ${what}`,
          (store) => queryAll(store, { filters: { conditions: [condition] }, includeTotal: true }),
          { path: CONDITION },
        );
        // Not a comparison of two empty answers: every stored string is found by equality with itself.
        if (what === 'payload/v eq' && visibleSeed(i) && (driver !== 'postgres' || !text.includes('\u0000'))) {
          const total = (expected.value as { total?: number }[] | undefined)?.[0]?.total ?? 0;
          expect(total, `payload/v eq string ${i}`).toBeGreaterThanOrEqual(1);
          matched += 1;
        }
      }
    }
    console.log(`${summary('payload conditions', start)}, stored strings found by equality ${matched}`);
    expectNoMismatch();
  }, 180_000);

  it('record fields, filters, sort, pagination, load, export, get, feed and call context', async () => {
    const start = { ...runs.stats };
    const fields = [
      'id',
      'tenantId',
      'type',
      'namespace',
      'scope',
      'owner',
      'name',
      'state',
      'extends',
      'mergeStrategy',
      'checksum',
      'createdBy',
      'updatedBy',
      'createdAt',
      'version',
      'tags',
    ];
    const condition = (field: string, operator: string, value: unknown) =>
      ({ filters: { conditions: [{ field, operator, value } as MetadataQueryConditionInput] } }) satisfies MetadataQueryOptionsInput;
    for (const [i, text] of STRINGS.entries()) {
      const label = (what: string) => `string ${i} in ${what}`;
      for (const field of fields) {
        await compare(label(`${field} eq`), (store) => queryAll(store, condition(field, 'eq', text)), { path: CONDITION });
      }
      for (const field of ['name', 'checksum', 'tags', 'owner']) {
        await compare(label(`${field} contains`), (store) => queryAll(store, condition(field, 'contains', text)), { path: CONDITION });
      }
      await compare(label('type starts_with'), (store) => queryAll(store, condition('type', 'starts_with', text)), { path: CONDITION });
      await compare(label('name in'), (store) => queryAll(store, condition('name', 'in', [text, 'h_1'])), { path: CONDITION });
      for (const filter of ['type', 'name', 'namespace', 'owner', 'tenantId', 'scope', 'state', 'updatedAfter', 'updatedBefore']) {
        await compare(label(`filters.${filter}`), (store) => queryAll(store, { filters: { [filter]: text } }), {
          path: ['filters', filter],
        });
      }
      for (const filter of ['type', 'name', 'namespace', 'tags']) {
        await compare(label(`filters.${filter} list`), (store) => queryAll(store, { filters: { [filter]: [text] } }), {
          path: ['filters', filter],
        });
      }
      await compare(label('sort field'), (store) => queryAll(store, { sort: [{ field: text as 'name' }] }), { path: ['sort', 0, 'field'] });
      await compare(label('sort direction'), (store) => queryAll(store, { sort: [{ field: 'name', direction: text as 'asc' }] }), {
        path: ['sort', 0, 'direction'],
      });
      await compare(label('pagination.cursor'), (store) => store.query(reader, { pagination: { cursor: text } }), {
        path: ['pagination', 'cursor'],
      });
      await compare(label('load ifNoneMatch'), (store) => store.load(reader, { ifNoneMatch: text, pagination: { pageSize: 5 } }), {
        path: ['ifNoneMatch'],
      });
      await compare(
        label('resolved load condition'),
        (store) =>
          store.load(reader, {
            resolveInheritance: true,
            filters: { tenantId: 't1', conditions: [{ field: 'payload/v', operator: 'contains', value: text }] },
          }),
        { path: CONDITION },
      );
      await compare(
        label('export condition'),
        (store) =>
          exportAll(store, reader, {
            filters: { conditions: [{ field: 'payload/v', operator: 'starts_with', value: text }] },
            includeArchived: true,
          }),
        { path: CONDITION },
      );
      for (const part of ['tenantId', 'type', 'namespace', 'scope', 'owner', 'name']) {
        const key = { tenantId: 't1', type: 'object', namespace: 'crm', name: 'h_2', [part]: text };
        await compare(label(`get key ${part}`), (store) => store.get(reader, key), { path: [part] });
      }
      await compare(label('changes tenantId'), (store) => store.changes(reader, { tenantId: text }), { path: ['tenantId'] });
      await compare(label('export format'), (store) => exportAll(store, reader, { format: text }), { path: ['format'] });
      await compare(label('import options onConflict'), (store) => store.import(operator, [], { onConflict: text as 'skip' }), {
        path: ['onConflict'],
      });
      await compare(
        label('bulk operation'),
        (store) => store.bulk(reader, { operation: text, records: [{ type: 'object', name: 'x', payload: {} }] } as never),
        { path: ['operation'] },
      );
      // Explicit migration steps, planned (dry run) on the SQL store only: the memory store has no tables to migrate.
      const migrate = (step: object) => (store: MetadataStore) =>
        store.migrate({ ...operator }, { dryRun: true, steps: [{ type: 'alter', table: tableName, ...step }] as never });
      const index = { action: 'add_index', index: { name: 'hostile_by_name', fields: ['name'] } };
      await runs.alone(label('migration step table'), migrate({ table: text, changes: [index] }), ['steps', 0, 'table']);
      await runs.alone(label('migration index name'), migrate({ changes: [{ ...index, index: { name: text, fields: ['name'] } }] }), [
        'steps',
        0,
        'changes',
        0,
        'index',
        'name',
      ]);
      // A valid name gets as far as the change itself, which the table refuses (every field has its column already).
      const isIdentifier = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(text);
      await runs.alone(
        label('migration column'),
        migrate({ changes: [{ action: 'add_column', field: 'name', column: text }] }),
        isIdentifier ? ['steps', 0, 'changes', 0] : ['steps', 0, 'changes', 0, 'column'],
      );
      await runs.alone(label('migration drop index'), migrate({ changes: [{ action: 'drop_index', name: text }] }), [
        'steps',
        0,
        'changes',
        0,
        'name',
      ]);
      for (const [what, context, path] of [
        ['context actor', { ...reader, actor: text }, ['actor']],
        ['context readTenants', { ...reader, readTenants: [text], writeTenants: [] }, ['readTenants']],
        ['context writeTenants', { ...reader, writeTenants: [text] }, ['writeTenants']],
      ] as const) {
        await compare(label(what), (store) => store.query(context as MetadataCallContextInput, {}), { path });
      }
    }
    console.log(summary('fields and options', start));
    expectNoMismatch();
  }, 180_000);

  it('writes: payloads, key fields and options of save, import, bulk and item changes', async () => {
    const start = { ...runs.stats };
    const writer: MetadataCallContextInput = { actor: 'writer', readTenants: ['t1'], writeTenants: ['t1'] };
    const keyFields = ['type', 'name', 'namespace', 'owner', 'tenantId', 'extends', 'scope', 'state', 'mergeStrategy'];
    const recordFields = [
      'id',
      'tenantId',
      'type',
      'namespace',
      'scope',
      'name',
      'state',
      'owner',
      'extends',
      'mergeStrategy',
      'checksum',
      'createdAt',
      'createdBy',
      'updatedAt',
      'updatedBy',
    ];
    for (const [i, text] of STRINGS.entries()) {
      const label = (what: string) => `string ${i} in ${what}`;
      const name = `w_${i}`;
      const payload = hostilePayload(text, i);
      await compare(label('save payload'), (store, dryRun) => store.save(writer, { type: 'object', name, payload }, { dryRun }), {
        payload,
        path: ['payload'],
      });
      await compare(label('get after save'), (store) => store.get(writer, { tenantId: 't1', type: 'object', name }));
      await compare(label('query after save'), (store) =>
        queryAll(store, { filters: { tenantId: 't1', conditions: [{ field: 'payload/v', operator: 'eq', value: text }] } }),
      );
      const update = { [text]: [text], v: `${text}!` };
      await compare(
        label('save merge patch'),
        (store, dryRun) => store.save(writer, { type: 'object', name, payload: update }, { dryRun }),
        {
          payload: update,
          path: ['payload'],
        },
      );
      for (const part of keyFields) {
        await compare(label(`save ${part}`), (store) => store.save(writer, { type: 'object', name: `k_${i}`, payload: {}, [part]: text }), {
          path: [part],
        });
      }
      await compare(label('save tags'), (store) => store.save(writer, { type: 'object', name: `k_${i}`, payload: {}, tags: [text] }), {
        path: ['tags'],
      });
      await compare(
        label('save options actor'),
        (store) => store.save(writer, { type: 'object', name: `a_${i}`, payload: { i } }, { actor: text }),
        {
          path: ['actor'],
        },
      );
      await compare(
        label('save options onConflict'),
        (store) => store.save(writer, { type: 'object', name: `a_${i}`, payload: { i } }, { onConflict: text as 'update' }),
        { path: ['onConflict'] },
      );
      const record = { tenantId: 't2', type: 'object', namespace: 'imp', name: `i_${i}`, payload: hostilePayload(text, -i) };
      await compare(label('import payload'), (store, dryRun) => store.import(operator, [record], { atomic: true, dryRun }), {
        payload: record.payload,
        path: [0, 'payload'],
      });
      for (const part of recordFields) {
        await compare(
          label(`import ${part}`),
          (store) => store.import(operator, [{ ...record, name: `j_${i}`, payload: {}, [part]: text }], { atomic: true }),
          { path: [0, part] },
        );
      }
      await compare(
        label('bulk create payload'),
        (store, dryRun) => store.bulk(writer, { operation: 'create', dryRun, records: [{ type: 'object', name: `b_${i}`, payload }] }),
        { payload, path: ['records', 0, 'payload'] },
      );
      await compare(
        label('bulk update id'),
        (store) => store.bulk(writer, { operation: 'update', changes: [{ id: text, expectedVersion: 1, set: { payload: { x: 1 } } }] }),
        { path: ['changes', 0, 'id'] },
      );
      await compare(label('bulk delete id'), (store) => store.bulk(writer, { operation: 'delete', ids: [{ id: text }] }), {
        path: ['ids', 0, 'id'],
      });
      await compare(label('archive name'), (store) => store.archive(writer, { tenantId: 't1', type: 'object', name: text }), {
        path: ['name'],
      });
      await compare(
        label('delete owner'),
        (store) => store.delete(writer, { tenantId: 't1', type: 'object', name, scope: 'user', owner: text }),
        { path: ['owner'] },
      );
    }
    await compare('the feeds after the writes', async (store) => [
      await store.changes(operator, { tenantId: 't1', limit: 1000 }),
      await store.changes(operator, { tenantId: 't2', limit: 1000 }),
    ]);
    console.log(summary('writes', start));
    expectNoMismatch();
  }, 180_000);

  it('the SQL table, read directly, holds exactly the memory store’s records', async () => {
    const rows = await readRecords(database.db, tableName);
    const expected = (await exportAll(memory, operator, { includeArchived: true, includeAudit: true })) as { id: string }[];
    expect(rows.map((row) => row.id).sort()).toEqual(expected.map((record) => record.id).sort());
    // Compared as JSON, the protocol's data: JavaScript's -0 (which the memory store keeps) is 0 in JSON.
    for (const row of rows)
      expect(JSON.parse(JSON.stringify(row))).toEqual(JSON.parse(JSON.stringify(expected.find((record) => record.id === row.id))));
    const { stats } = runs;
    console.log(
      `faults hostile-input ${driver}: attempts ${stats.attempts}, equal results ${stats.equal}, typed rejections ${stats.rejected}, nul refusals ${stats.nulRefused}, mismatches ${runs.mismatches.length}, rows checked ${rows.length}`,
    );
    expectNoMismatch();
  }, 60_000);
});
