/**
 * The DDL and the inspection of sql/schema.ts on real databases, each
 * dialect: what the first migration creates, how its columns compare, and
 * what inspectSchema reports for tables that differ from the layout.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDENTITY_FIELDS, RECORD_FIELDS, sqlLayout, type SqlServer } from './layout';
import { DEFAULT_SETTINGS, freshLayout, insertRecords, migrate, record, serverOf, storeError } from './migrate-testing';
import {
  checkIndexNames,
  columnType,
  createIndex,
  createTable,
  inspectSchema,
  planIndex,
  readTable,
  recordsTableSpec,
  runtimeTableSpec,
  tableRef,
  type TableSpec,
} from './schema';
import { createTestDatabase, SQL_DRIVERS, type TestDatabase } from './testing';

/** Creates a records table by hand from `spec` (an old layout), without the runtime's tables. */
async function createByHand(database: TestDatabase, server: SqlServer, spec: TableSpec) {
  await createTable(server, undefined, spec).execute(database.db);
}

for (const driver of SQL_DRIVERS) {
  describe(`schema on ${driver}`, () => {
    let database: TestDatabase;
    let server: SqlServer;

    beforeAll(async () => {
      database = await createTestDatabase(driver, 'schema');
      server = await serverOf(database);
    });
    afterAll(async () => {
      await database?.drop();
    });

    it('creates every table, the identity index, the config indexes and the settings rows, and then inspects as up to date', async () => {
      const layout = freshLayout('fresh', {
        indexes: [
          { name: 'fresh_updated_idx', fields: ['updatedAt'] },
          { name: 'fresh_name_hash', fields: ['name'], type: 'hash' },
          { name: 'fresh_payload_gin', fields: ['payload', 'tags'], type: 'gin' },
          { name: 'fresh_tenant_type', fields: ['tenantId', 'type', 'version'], unique: true },
        ],
      });
      const before = await inspectSchema(database.db, server, layout);
      expect(before.upToDate).toBe(false);
      expect(before.missingTables).toEqual([
        layout.tables.records,
        layout.tables.changes,
        layout.tables.feeds,
        layout.tables.settings,
        layout.tables.migrations,
        layout.tables.lock,
      ]);

      const plan = await migrate(database.db, server, layout);
      expect(plan.applied).toBe(true);
      expect(plan.steps.map((step) => step.operation.type)).toEqual(['create']);

      const records = (await readTable(database.db, server, undefined, layout.tables.records))!;
      expect(records.columns.map((column) => column.name)).toEqual(RECORD_FIELDS.map((field) => layout.columns[field]));
      expect(records.columns.every((column) => !column.nullable)).toBe(true);
      expect(records.primaryKey).toEqual(['id']);
      const indexes = Object.fromEntries(records.indexes.map((index) => [index.name, index]));
      expect(indexes[layout.identityIndex]).toMatchObject({ unique: true, keys: IDENTITY_FIELDS.map((field) => layout.columns[field]) });
      expect(indexes.fresh_updated_idx).toMatchObject({ unique: false, method: 'btree', keys: ['updated_at'] });
      expect(indexes.fresh_tenant_type).toMatchObject({ unique: true, method: 'btree', keys: ['tenant_id', 'type', 'version'] });
      if (driver === 'postgres') {
        expect(indexes.fresh_name_hash).toMatchObject({ method: 'hash', keys: ['name'] });
        expect(indexes.fresh_payload_gin).toMatchObject({ method: 'gin', keys: ['jsonb(payload)', 'jsonb(tags)'] });
      } else {
        // No hash index on InnoDB or SQLite: a btree; no GIN at all: skipped.
        expect(indexes.fresh_name_hash).toMatchObject({ method: 'btree', keys: ['name'] });
        expect(indexes.fresh_payload_gin).toBeUndefined();
      }

      for (const role of ['changes', 'feeds', 'settings', 'migrations', 'lock'] as const) {
        const info = (await readTable(database.db, server, undefined, layout.tables[role]))!;
        const spec = runtimeTableSpec(layout, role);
        expect(info.columns.map((column) => column.name)).toEqual(spec.columns.map((column) => column.name));
        expect(info.primaryKey).toEqual(spec.primaryKey);
      }
      const settings = await sql<{
        name: string;
        value: string;
      }>`SELECT name, value FROM ${tableRef(undefined, layout.tables.settings)} ORDER BY name`.execute(database.db);
      expect(settings.rows.map((row) => row.name)).toEqual(['cursor_secret', 'layout_version']);
      expect(settings.rows[0]!.value).toMatch(/^[0-9a-f]{64}$/);
      expect(settings.rows[1]!.value).toBe('1');

      const after = await inspectSchema(database.db, server, layout);
      expect(after).toMatchObject({
        upToDate: true,
        missingTables: [],
        missingColumns: [],
        missingIndexes: [],
        changedIndexes: [],
        mismatchedColumns: [],
        extraColumns: [],
        extraIndexes: [],
        layoutVersion: '1',
      });
      expect(after.notes).toEqual(
        driver === 'postgres'
          ? []
          : [
              `index fresh_name_hash (hash) on ${layout.tables.records} is built as a btree: ${server.flavor} has no hash index`,
              `index fresh_payload_gin (gin) on ${layout.tables.records} is skipped: ${server.flavor} has no GIN index`,
            ],
      );
    });

    it('compares every string by code point, trailing spaces included, in the identity index and in ORDER BY', async () => {
      const layout = freshLayout('collation');
      await migrate(database.db, server, layout);
      const names = ['b', 'B', 'a ', 'a', '\u00e9', '\uFFFF', '\u{1F600}', 'A'];
      // Equal keys but for the name: a padding collation would find 'a' and 'a ' equal and refuse the second.
      await insertRecords(
        database.db,
        layout,
        names.map((name, n) => record(n, { name })),
      );
      const { rows } = await sql<{
        name: string;
      }>`SELECT name FROM ${tableRef(undefined, layout.tables.records)} ORDER BY name, id`.execute(database.db);
      const byCodePoint = [...names].sort((x, y) => {
        const a = Array.from(x).map((c) => c.codePointAt(0)!);
        const b = Array.from(y).map((c) => c.codePointAt(0)!);
        for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
        return a.length - b.length;
      });
      expect(rows.map((row) => row.name)).toEqual(byCodePoint);
      expect(byCodePoint).toEqual(['A', 'B', 'a', 'a ', 'b', '\u00e9', '\uFFFF', '\u{1F600}']);
      // The identity index refuses a second row with exactly the same key.
      await expect(insertRecords(database.db, layout, [record(99, { name: 'a ' })])).rejects.toThrow();
    });

    it('keeps JSON text as written, and checks it is JSON where the dialect has a check (SQLite stores TEXT unchecked)', async () => {
      const layout = freshLayout('json');
      await migrate(database.db, server, layout);
      await insertRecords(database.db, layout, [record(1, { payload: { b: 1, a: [2, { d: null, c: 'x' }] } })]);
      const { rows } = await sql<{ payload: unknown }>`SELECT payload FROM ${tableRef(undefined, layout.tables.records)}`.execute(
        database.db,
      );
      const text = typeof rows[0]!.payload === 'string' ? rows[0]!.payload : JSON.stringify(rows[0]!.payload);
      expect(text).toBe('{"b":1,"a":[2,{"d":null,"c":"x"}]}');
      const invalid = sql`UPDATE ${tableRef(undefined, layout.tables.records)} SET payload = ${'not json'}`.execute(database.db);
      if (driver === 'sqlite') await expect(invalid).resolves.toBeDefined();
      else await expect(invalid).rejects.toThrow();
    });

    it('reports what an old table lacks and holds besides the layout', async () => {
      const layout = freshLayout('old', { indexes: [{ name: 'old_updated_idx', fields: ['updatedAt'] }] });
      const records = layout.tables.records;
      const spec = recordsTableSpec(records, layout.columns);
      await createByHand(database, server, {
        ...spec,
        columns: [...spec.columns.filter((column) => column.name !== 'tags'), { name: 'legacy_notes', kind: 'string', length: 40 }],
      });
      // legacy_notes is NOT NULL without a default: every insert of the store would fail.
      const changed = planIndex(server, records, layout.columns, {
        name: 'old_updated_idx',
        fields: ['createdAt'],
        unique: false,
        type: 'btree',
      });
      if (!('index' in changed)) throw new Error('expected a btree index');
      await createIndex(server, undefined, records, changed.index).execute(database.db);
      await sql`CREATE INDEX ${sql.id('old_extra_idx')} ON ${tableRef(undefined, records)} (${sql.id('legacy_notes')})`.execute(
        database.db,
      );

      const inspection = await inspectSchema(database.db, server, layout);
      expect(inspection.upToDate).toBe(false);
      expect(inspection.missingTables).toEqual([
        layout.tables.changes,
        layout.tables.feeds,
        layout.tables.settings,
        layout.tables.migrations,
        layout.tables.lock,
      ]);
      expect(inspection.missingColumns).toEqual([{ table: records, column: 'tags', field: 'tags' }]);
      expect(inspection.missingIndexes).toEqual([layout.identityIndex]);
      expect(inspection.changedIndexes).toEqual([
        { name: 'old_updated_idx', expected: 'btree (updated_at)', actual: 'btree (created_at)' },
      ]);
      expect(inspection.extraColumns).toEqual(['legacy_notes']);
      expect(inspection.extraIndexes).toEqual(['old_extra_idx']);
      expect(inspection.mismatchedColumns).toEqual([
        {
          table: records,
          column: 'legacy_notes',
          problem: 'it stores no record field, is NOT NULL and has no default, so every insert would fail',
        },
      ]);
    });

    it("flags columns whose type, nullability or collation (PostgreSQL, MySQL) is not the layout's", async () => {
      const layout = freshLayout('wrong');
      const records = layout.tables.records;
      const spec = recordsTableSpec(records, layout.columns);
      await createByHand(database, server, spec);
      // Replace three columns by hand: version as text, updated_by nullable, name with a collation that is not binary.
      const table = tableRef(undefined, records);
      const collated = {
        postgres: sql`VARCHAR(63) COLLATE ${sql.id('und-x-icu')} NOT NULL`,
        mysql: sql`VARCHAR(63) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL`,
        sqlite: sql`VARCHAR(63) NOT NULL DEFAULT ''`,
      }[driver];
      await sql`ALTER TABLE ${table} DROP COLUMN ${sql.id('version')}`.execute(database.db);
      await sql`ALTER TABLE ${table} ADD COLUMN ${sql.id('version')} VARCHAR(20) NOT NULL DEFAULT '1'`.execute(database.db);
      await sql`ALTER TABLE ${table} DROP COLUMN ${sql.id('updated_by')}`.execute(database.db);
      await sql`ALTER TABLE ${table} ADD COLUMN ${sql.id('updated_by')} ${columnType(server, { name: 'updated_by', kind: 'string', length: 128 })}`.execute(
        database.db,
      );
      if (driver !== 'sqlite') {
        await sql`ALTER TABLE ${table} DROP COLUMN ${sql.id('name')}`.execute(database.db);
        await sql`ALTER TABLE ${table} ADD COLUMN ${sql.id('name')} ${collated}`.execute(database.db);
      }
      const inspection = await inspectSchema(database.db, server, layout);
      const problems = Object.fromEntries(inspection.mismatchedColumns.map((mismatch) => [mismatch.column, mismatch.problem]));
      expect(problems.version).toMatch(driver === 'sqlite' ? /no INTEGER affinity/ : /expected bigint/);
      expect(problems.updated_by).toBe('it allows NULL (expected NOT NULL)');
      if (driver === 'postgres') expect(problems.name).toBe('its collation is und-x-icu (expected "C", code-point order)');
      if (driver === 'mysql') {
        expect(problems.name).toBe(
          `its collation is utf8mb4_general_ci (expected ${server.flavor === 'mariadb' ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin'}, binary and NO PAD)`,
        );
      }
      expect(Object.keys(problems).sort()).toEqual(driver === 'sqlite' ? ['updated_by', 'version'] : ['name', 'updated_by', 'version']);
      expect(inspection.upToDate).toBe(false);
      // prepareSchema cannot repair them, so the store does not open.
      const error = await storeError(migrate(database.db, server, layout));
      expect(error).toMatchObject({ code: 'unsupported_capability', capability: 'automatic_migration' });
      expect(error.message).toContain('column version of');
    });

    it('refuses a btree index on a JSON column where the dialect cannot build one, and a MySQL key above 3072 bytes', async () => {
      const json = planIndex.bind(null, server, 'docs', sqlLayout().columns, {
        name: 'docs_payload',
        fields: ['payload'],
        unique: false,
        type: 'btree',
      });
      if (driver === 'sqlite') expect(json()).toMatchObject({ index: { method: 'btree', columns: ['payload'] } });
      else {
        const error = await storeError(Promise.resolve().then(json));
        expect(error).toMatchObject({ code: 'unsupported_capability', capability: 'json_btree_index' });
      }
      // 5 fields of 128 characters and 3 of 63, 4 bytes each: 3316 bytes, above InnoDB's limit.
      const wide = {
        name: 'wide_idx',
        fields: ['id', 'tenantId', 'owner', 'createdBy', 'updatedBy', 'type', 'name', 'namespace'] as const,
      };
      const layout = freshLayout('wide', { indexes: [{ ...wide, fields: [...wide.fields] }] });
      if (driver === 'mysql') {
        const error = await storeError(migrate(database.db, server, layout));
        expect(error).toMatchObject({ code: 'unsupported_capability', capability: 'index_key_length' });
        expect(error.message).toContain('3316 bytes');
      } else {
        await migrate(database.db, server, layout);
        expect((await inspectSchema(database.db, server, layout)).upToDate).toBe(true);
      }
    });

    it("refuses a config index named like the identity index, a store table or a primary key's index", async () => {
      for (const name of ['named_1_identity', 'named_1_changes', 'named_1_pkey', 'PRIMARY']) {
        const layout = sqlLayout({
          tableName: 'named_1',
          indexes: [
            { name: 'fine_idx', fields: ['name'] },
            { name, fields: ['name'] },
          ],
        });
        const error = await storeError(Promise.resolve().then(() => checkIndexNames(layout)));
        expect(error).toMatchObject({ code: 'invalid_input', issues: [{ path: ['table', 'indexes', 1, 'name'] }] });
      }
      expect(() =>
        checkIndexNames(sqlLayout({ tableName: 'named_1', indexes: [{ name: 'named_1_idx', fields: ['name'] }] })),
      ).not.toThrow();
    });

    it('creates and inspects the tables in the configured schema (PostgreSQL schema, MySQL database); SQLite has none', async () => {
      if (driver === 'sqlite') {
        const error = await storeError(
          migrate(database.db, server, sqlLayout(), {
            steps: [{ type: 'drop', table: 'anything', schema: 'other', acknowledgeDataLoss: true }],
          }),
        );
        expect(error).toMatchObject({ code: 'invalid_input', issues: [{ path: ['steps', 0, 'schema'] }] });
        return;
      }
      const schema = `${database.name}_side`.slice(0, 63);
      await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(database.db);
      try {
        const layout = sqlLayout({ tableName: 'placed', schema, indexes: [{ name: 'placed_name_idx', fields: ['name'] }] });
        await migrate(database.db, server, layout);
        const inspection = await inspectSchema(database.db, server, layout);
        expect(inspection.upToDate).toBe(true);
        expect(await readTable(database.db, server, undefined, 'placed')).toBeUndefined();
        const placed = (await readTable(database.db, server, schema, 'placed'))!;
        expect(placed.indexes.map((index) => index.name).sort()).toEqual(['placed_identity', 'placed_name_idx']);
        await insertRecords(database.db, layout, [record(1)]);
        expect((await migrate(database.db, server, layout)).steps).toEqual([]);
      } finally {
        if (driver === 'mysql') await sql`DROP DATABASE ${sql.id(schema)}`.execute(database.db);
      }
    });

    it('sees an index of the layout whose definition changed (uniqueness) as changed, not as up to date', async () => {
      const layout = freshLayout('uniq', { indexes: [{ name: 'uniq_name_idx', fields: ['name'], unique: true }] });
      const loose = sqlLayout({ tableName: layout.tables.records, indexes: [{ name: 'uniq_name_idx', fields: ['name'] }] });
      await migrate(database.db, server, loose, {}, DEFAULT_SETTINGS);
      const inspection = await inspectSchema(database.db, server, layout);
      expect(inspection.changedIndexes).toEqual([{ name: 'uniq_name_idx', expected: 'unique btree (name)', actual: 'btree (name)' }]);
      expect(inspection.upToDate).toBe(false);
    });
  });
}
