/**
 * Migrations of sql/migrate.ts on real databases, each dialect: plans from
 * the layout and from explicit steps, dry runs (R11), what needs the
 * operator role and allowDataLoss, backups (R9), the applied-migration log,
 * automatic migration at open, and failed steps: rolled back with the whole
 * transaction on PostgreSQL and SQLite, undone by their rollback on MySQL
 * (R46).
 */
import { MetadataMigrationPlanSchema, type MetadataMigrationOperationInput, type MetadataMigrationPlan } from '@metasource/spec';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlLayout, type SqlLayout, type SqlServer } from './layout';
import { migrateSchema, prepareSchema, readCursorSecret, stepChecksum, type MigrationSettings } from './migrate';
import {
  DEFAULT_SETTINGS,
  freshLayout,
  insertRecords,
  migrate,
  NOW,
  options,
  record,
  rowsOf,
  schemaSnapshot,
  serverOf,
  storeError,
} from './migrate-testing';
import { createTable, inspectSchema, listTables, readTable, recordsTableSpec, tableRef } from './schema';
import { createTestDatabase, SQL_DRIVERS, type TestDatabase } from './testing';

/** A plan as MetadataStore.migrate returns it, checked against its schema. */
function checked(plan: MetadataMigrationPlan): MetadataMigrationPlan {
  const parsed = MetadataMigrationPlanSchema.safeParse(plan);
  expect(parsed.success, parsed.error?.message).toBe(true);
  return plan;
}

async function plan(db: TestDatabase, server: SqlServer, layout: SqlLayout, input = {}, settings: MigrationSettings = DEFAULT_SETTINGS) {
  return checked(await migrateSchema(db.db, server, layout, settings, options({ dryRun: true, ...input }), 'operator', NOW));
}

async function apply(db: TestDatabase, server: SqlServer, layout: SqlLayout, input = {}, settings: MigrationSettings = DEFAULT_SETTINGS) {
  return checked(await migrate(db.db, server, layout, input, settings));
}

function shape(result: MetadataMigrationPlan): string[] {
  return result.steps.map((step) => {
    const op = step.operation;
    const what =
      op.type === 'alter' ? `alter ${op.table}: ${op.changes.map((change) => change.action).join(',')}` : `${op.type} ${op.table}`;
    return `${what}${step.losesData ? ' (loses data)' : ''}`;
  });
}

async function logOf(db: TestDatabase, layout: SqlLayout) {
  const { rows } = await sql<{ id: string; checksum: string; description: string; applied_at: string; statements: string }>`
    SELECT id, checksum, description, applied_at, statements FROM ${tableRef(undefined, layout.tables.migrations)} ORDER BY id`.execute(
    db.db,
  );
  return rows;
}

/** Creates the records table of an older layout by hand: without the columns of `without`, with rows, and no runtime tables. */
async function oldTable(db: TestDatabase, server: SqlServer, layout: SqlLayout, without: readonly string[], rows: number) {
  const spec = recordsTableSpec(layout.tables.records, layout.columns);
  await createTable(server, undefined, { ...spec, columns: spec.columns.filter((column) => !without.includes(column.name)) }).execute(
    db.db,
  );
  const records = Array.from({ length: rows }, (_, n) => record(n + 1));
  await insertRecords(db.db, layout, records, without);
  return records;
}

for (const driver of SQL_DRIVERS) {
  describe(`migrations on ${driver}`, () => {
    let db: TestDatabase;
    let server: SqlServer;
    const transactionalDdl = driver !== 'mysql';

    beforeAll(async () => {
      db = await createTestDatabase(driver, 'migrate');
      server = await serverOf(db);
    });
    afterAll(async () => {
      await db?.drop();
    });

    it('a dry run returns the exact statements and changes nothing; applying runs and logs exactly those; then nothing is left to plan', async () => {
      const layout = freshLayout('dry', { indexes: [{ name: 'dry_updated_idx', fields: ['updatedAt'] }] });
      const before = await schemaSnapshot(db.db, server, layout);
      const first = await plan(db, server, layout);
      expect(first.applied).toBe(false);
      expect(first.atomic).toBe(transactionalDdl);
      expect(first.steps.every((step) => step.transactional === transactionalDdl && step.reversible && !step.losesData)).toBe(true);
      expect(shape(first)).toEqual([`create ${layout.tables.records}`]);
      expect(first.steps[0]!.statements).toHaveLength(9);
      expect(first.steps[0]!.statements[0]).toMatch(/^CREATE TABLE /);
      // The settings rows are bound: the plan shows placeholders, never the secret.
      expect(first.steps[0]!.statements.find((statement) => statement.startsWith('INSERT'))).toMatch(
        driver === 'postgres' ? /\$4\)$/ : /\?\)$/,
      );
      expect(await schemaSnapshot(db.db, server, layout)).toEqual(before);
      // Planning again gives the same plan, and a runtime caller may plan.
      expect(checked(await migrateSchema(db.db, server, layout, DEFAULT_SETTINGS, options(), 'runtime', NOW))).toEqual(first);

      const applied = await apply(db, server, layout);
      expect(applied).toEqual({ ...first, applied: true });
      const log = await logOf(db, layout);
      expect(log).toHaveLength(1);
      expect(log[0]).toEqual({
        id: `000001_create_${layout.tables.records}`,
        checksum: stepChecksum(first.steps[0]!.statements),
        description: `create ${layout.tables.records}`,
        applied_at: NOW.toISOString(),
        statements: JSON.stringify(first.steps[0]!.statements),
      });
      expect(stepChecksum(first.steps[0]!.statements)).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect((await inspectSchema(db.db, server, layout)).upToDate).toBe(true);

      expect(await apply(db, server, layout)).toEqual({ steps: [], atomic: transactionalDdl, applied: false });
      expect(await plan(db, server, layout)).toEqual({ steps: [], atomic: transactionalDdl, applied: false });
      expect(await logOf(db, layout)).toHaveLength(1);
      expect(await readCursorSecret(db.db, layout)).toHaveLength(32);
    });

    it('applying a migration needs the operator role; planning does not', async () => {
      const layout = freshLayout('role');
      const error = await storeError(migrateSchema(db.db, server, layout, DEFAULT_SETTINGS, options({ dryRun: false }), 'runtime', NOW));
      expect(error).toMatchObject({ code: 'forbidden', reason: 'operator_only' });
      expect(await listTables(db.db, server, undefined)).not.toContain(layout.tables.records);
    });

    it('refuses a script or rollbackScript in another dialect than the driver, dry run or not (R11)', async () => {
      const layout = freshLayout('dialect');
      await apply(db, server, layout);
      const foreign = driver === 'postgres' ? 'mysql' : 'postgres';
      const change = { action: 'add_index' as const, index: { name: 'dialect_probe_idx', fields: ['name' as const] } };
      const cases: [MetadataMigrationOperationInput, (string | number)[]][] = [
        [
          {
            type: 'alter',
            table: layout.tables.records,
            changes: [change],
            script: { dialect: foreign, sql: 'CREATE INDEX dialect_probe_idx ON t (name)' },
          },
          ['steps', 0, 'script', 'dialect'],
        ],
        [
          {
            type: 'alter',
            table: layout.tables.records,
            changes: [change],
            rollbackScript: { dialect: foreign, sql: 'DROP INDEX dialect_probe_idx' },
          },
          ['steps', 0, 'rollbackScript', 'dialect'],
        ],
      ];
      for (const dryRun of [true, false]) {
        for (const [step, path] of cases) {
          const error = await storeError(
            migrateSchema(db.db, server, layout, DEFAULT_SETTINGS, options({ dryRun, steps: [step] }), 'operator', NOW),
          );
          expect(error).toMatchObject({ code: 'invalid_input', issues: [{ path }] });
        }
      }
      expect((await readTable(db.db, server, undefined, layout.tables.records))!.indexes.map((index) => index.name)).not.toContain(
        'dialect_probe_idx',
      );
    });

    it('adds an index, then drops it only with allowDataLoss and the operator role, after a backup', async () => {
      const noBackups = { ...DEFAULT_SETTINGS, backupBeforeMigrate: false };
      const base = freshLayout('idx');
      const withIndex = sqlLayout({ tableName: base.tables.records, indexes: [{ name: 'idx_state_idx', fields: ['state', 'name'] }] });
      await apply(db, server, base);
      const records = [record(1), record(2), record(3)];
      await insertRecords(db.db, base, records);

      // Adding: planned, then applied; without backupBeforeMigrate no backup for a step that loses nothing.
      const adding = await plan(db, server, withIndex, {}, noBackups);
      expect(shape(adding)).toEqual([`alter ${base.tables.records}: add_index`]);
      expect(await apply(db, server, withIndex, {}, noBackups)).toEqual({ ...adding, applied: true });
      expect((await inspectSchema(db.db, server, withIndex)).upToDate).toBe(true);

      // The index is extra for the base layout: kept without dropOnMigrate, and without allowDataLoss.
      const dropping = { ...noBackups, dropOnMigrate: true };
      expect((await plan(db, server, base, {}, noBackups)).steps).toEqual([]);
      expect((await plan(db, server, base, {}, dropping)).steps).toEqual([]);
      expect((await apply(db, server, base, {}, dropping)).steps).toEqual([]);
      const planned = await plan(db, server, base, { allowDataLoss: true }, dropping);
      expect(shape(planned)).toEqual([`backup ${base.tables.records}`, `alter ${base.tables.records}: drop_index (loses data)`]);
      const backupName = `${base.tables.records}_bak_1`;
      expect(planned.steps[0]!.operation).toMatchObject({ type: 'backup', backupTable: backupName });

      const forbidden = await storeError(
        migrateSchema(db.db, server, base, dropping, options({ dryRun: false, allowDataLoss: true }), 'runtime', NOW),
      );
      expect(forbidden).toMatchObject({ code: 'forbidden', reason: 'operator_only' });
      expect(await apply(db, server, base, { allowDataLoss: true }, dropping)).toEqual({ ...planned, applied: true });
      expect((await readTable(db.db, server, undefined, base.tables.records))!.indexes.map((index) => index.name)).toEqual([
        base.identityIndex,
      ]);
      expect(await rowsOf(db.db, undefined, backupName)).toEqual(await rowsOf(db.db, undefined, base.tables.records));
      expect((await logOf(db, base)).map((row) => row.description)).toEqual([
        `create ${base.tables.records}`,
        `alter ${base.tables.records}: add_index idx_state_idx`,
        `backup ${base.tables.records} to ${backupName}`,
        `alter ${base.tables.records}: drop_index idx_state_idx`,
      ]);
    });

    it('an explicit step that loses data is planned in a dry run but applied only with allowDataLoss', async () => {
      const layout = freshLayout('explicit', { indexes: [{ name: 'explicit_name_idx', fields: ['name'] }] });
      await apply(db, server, layout);
      const steps: MetadataMigrationOperationInput[] = [
        { type: 'alter', table: layout.tables.records, changes: [{ action: 'drop_index', name: 'explicit_name_idx' }] },
      ];
      const planned = await plan(db, server, layout, { steps });
      expect(shape(planned)).toEqual([`backup ${layout.tables.records}`, `alter ${layout.tables.records}: drop_index (loses data)`]);
      expect(planned.steps.map((step) => step.reversible)).toEqual([true, true]);
      const error = await storeError(migrate(db.db, server, layout, { steps }));
      expect(error).toMatchObject({ code: 'invalid_input', issues: [{ path: ['allowDataLoss'] }] });
      expect(await listTables(db.db, server, undefined)).not.toContain(`${layout.tables.records}_bak_1`);
      expect((await apply(db, server, layout, { steps, allowDataLoss: true })).applied).toBe(true);
      expect((await inspectSchema(db.db, server, layout)).missingIndexes).toEqual(['explicit_name_idx']);
    });

    it('a backup and a restore round-trip every row, and the restore is itself preceded by a backup', async () => {
      const layout = freshLayout('restore');
      await apply(db, server, layout);
      await insertRecords(
        db.db,
        layout,
        Array.from({ length: 12 }, (_, n) => record(n + 1, n % 3 === 0 ? { owner: 'jane', scope: 'user', extends: 'base' } : {})),
      );
      const table = layout.tables.records;
      const original = await rowsOf(db.db, undefined, table);
      const copy = `${table}_copy`;
      const backed = await apply(db, server, layout, { steps: [{ type: 'backup', table, backupTable: copy }] });
      expect(shape(backed)).toEqual([`backup ${table}`]);
      expect(await rowsOf(db.db, undefined, copy)).toEqual(original);

      await sql`DELETE FROM ${tableRef(undefined, table)} WHERE id IN (${'rec_0001'}, ${'rec_0002'})`.execute(db.db);
      await sql`UPDATE ${tableRef(undefined, table)} SET version = ${77}, tags = ${'["changed"]'} WHERE id = ${'rec_0005'}`.execute(db.db);
      await insertRecords(db.db, layout, [record(40)]);
      const changed = await rowsOf(db.db, undefined, table);
      expect(changed).not.toEqual(original);

      const restore: MetadataMigrationOperationInput = { type: 'restore', table, fromTable: copy, acknowledgeDataLoss: true };
      const restored = await apply(db, server, layout, { steps: [restore], allowDataLoss: true });
      expect(shape(restored)).toEqual([`backup ${table}`, `restore ${table} (loses data)`]);
      expect(await rowsOf(db.db, undefined, table)).toEqual(original);
      expect(await rowsOf(db.db, undefined, `${table}_bak_1`)).toEqual(changed);
      expect((await inspectSchema(db.db, server, layout)).upToDate).toBe(true);
    });

    it('brings an old table with rows up to date at open (autoMigrate): adds tags with [], the identity index and the runtime tables, after a backup, losing no row', async () => {
      const layout = freshLayout('legacy', { indexes: [{ name: 'legacy_updated_idx', fields: ['updatedAt'] }] });
      const records = await oldTable(db, server, layout, ['tags'], 5);
      const planned = await plan(db, server, layout);
      const table = layout.tables.records;
      expect(shape(planned)).toEqual([
        `create ${layout.tables.changes}`,
        `create ${layout.tables.feeds}`,
        `create ${layout.tables.settings}`,
        `create ${layout.tables.migrations}`,
        `create ${layout.tables.lock}`,
        `backup ${table}`,
        `alter ${table}: add_column,add_index,add_index`,
      ]);

      await prepareSchema(db.db, server, layout, DEFAULT_SETTINGS, NOW);
      expect((await inspectSchema(db.db, server, layout)).upToDate).toBe(true);
      const rows = await rowsOf(db.db, undefined, table);
      expect(rows.map((row) => row.id)).toEqual(records.map((item) => item.id));
      expect(rows.map((row) => row.tags)).toEqual(records.map(() => '[]'));
      expect(rows.map((row) => row.name)).toEqual(records.map((item) => item.name));
      expect((await rowsOf(db.db, undefined, `${table}_bak_1`)).map((row) => row.id)).toEqual(records.map((item) => item.id));
      expect((await logOf(db, layout)).map((row) => row.id)).toEqual([
        `000001_create_${layout.tables.changes}`,
        `000002_create_${layout.tables.feeds}`,
        `000003_create_${layout.tables.settings}`,
        `000004_create_${layout.tables.migrations}`,
        `000005_create_${layout.tables.lock}`,
        `000006_backup_${table}`,
        `000007_alter_${table}`,
      ]);
      // Open again: nothing to do.
      await prepareSchema(db.db, server, layout, DEFAULT_SETTINGS, NOW);
      expect(await logOf(db, layout)).toHaveLength(7);
    });

    it('without autoMigrate, open fails on a missing or old schema, saying what is missing and what to run', async () => {
      const layout = freshLayout('manual');
      const manual = { ...DEFAULT_SETTINGS, autoMigrate: false };
      const missing = await storeError(prepareSchema(db.db, server, layout, manual, NOW));
      expect(missing.code).toBe('unavailable');
      expect(missing.message).toContain(`table ${layout.tables.records} is missing`);
      expect(missing.message).toContain('migration.autoMigrate is false: run migrate with dryRun false as an operator');
      expect(await listTables(db.db, server, undefined)).not.toContain(layout.tables.records);

      const old = freshLayout('manual_old');
      await oldTable(db, server, old, ['tags'], 1);
      const behind = await storeError(prepareSchema(db.db, server, old, manual, NOW));
      expect(behind.message).toContain(`${old.tables.records} lacks column tags`);
      await prepareSchema(db.db, server, layout, DEFAULT_SETTINGS, NOW);
      await expect(prepareSchema(db.db, server, layout, manual, NOW)).resolves.toBeUndefined();
    });

    it('does not add a column that no value fits in every row (checksum) to a table with rows; adds it to an empty one', async () => {
      const full = freshLayout('nochecksum');
      await oldTable(db, server, full, ['checksum'], 2);
      const error = await storeError(prepareSchema(db.db, server, full, DEFAULT_SETTINGS, NOW));
      expect(error).toMatchObject({ code: 'unsupported_capability', capability: 'automatic_migration' });
      expect(error.message).toContain('lacks the column checksum of checksum and holds rows');
      expect(await listTables(db.db, server, undefined)).not.toContain(full.tables.migrations);

      const empty = freshLayout('nochecksum_empty');
      await oldTable(db, server, empty, ['checksum'], 0);
      await prepareSchema(db.db, server, empty, DEFAULT_SETTINGS, NOW);
      expect((await inspectSchema(db.db, server, empty)).upToDate).toBe(true);
    });

    it('drops a column the layout no longer names only with dropOnMigrate and allowDataLoss, keeping the rows', async () => {
      const layout = freshLayout('extra');
      await apply(db, server, layout);
      await insertRecords(db.db, layout, [record(1), record(2)]);
      await sql`ALTER TABLE ${tableRef(undefined, layout.tables.records)} ADD COLUMN ${sql.id('legacy_notes')} VARCHAR(40)`.execute(db.db);
      const dropping = { ...DEFAULT_SETTINGS, dropOnMigrate: true };
      expect((await plan(db, server, layout, { allowDataLoss: true })).steps).toEqual([]);
      expect((await plan(db, server, layout, {}, dropping)).steps).toEqual([]);
      const applied = await apply(db, server, layout, { allowDataLoss: true }, dropping);
      expect(shape(applied)).toEqual([`backup ${layout.tables.records}`, `alter ${layout.tables.records}: drop_column (loses data)`]);
      expect(applied.steps[1]!.reversible).toBe(transactionalDdl);
      const inspection = await inspectSchema(db.db, server, layout);
      expect(inspection.extraColumns).toEqual([]);
      expect((await rowsOf(db.db, undefined, layout.tables.records)).map((row) => row.id)).toEqual(['rec_0001', 'rec_0002']);
    });

    it('an extra NOT NULL column without a default blocks the store, unless the plan drops it (dropOnMigrate and allowDataLoss)', async () => {
      const layout = freshLayout('blocking');
      const spec = recordsTableSpec(layout.tables.records, layout.columns);
      await createTable(server, undefined, {
        ...spec,
        columns: [...spec.columns, { name: 'legacy_required', kind: 'string', length: 10 }],
      }).execute(db.db);
      const blocked = await storeError(prepareSchema(db.db, server, layout, DEFAULT_SETTINGS, NOW));
      expect(blocked).toMatchObject({ code: 'unsupported_capability', capability: 'automatic_migration' });
      expect(blocked.message).toContain('column legacy_required of');
      expect(blocked.message).toContain('every insert would fail');
      const applied = await apply(db, server, layout, { allowDataLoss: true }, { ...DEFAULT_SETTINGS, dropOnMigrate: true });
      expect(shape(applied).slice(-3)).toEqual([
        `backup ${layout.tables.records}`,
        `alter ${layout.tables.records}: add_index`,
        `alter ${layout.tables.records}: drop_column (loses data)`,
      ]);
      expect((await inspectSchema(db.db, server, layout)).upToDate).toBe(true);
      await insertRecords(db.db, layout, [record(1)]);
    });

    it('replaces an index whose definition changed only with allowDataLoss', async () => {
      const loose = freshLayout('changed', { indexes: [{ name: 'changed_name_idx', fields: ['name'] }] });
      const strict = sqlLayout({
        tableName: loose.tables.records,
        indexes: [{ name: 'changed_name_idx', fields: ['name', 'type'], unique: true }],
      });
      await apply(db, server, loose);
      const refused = await storeError(plan(db, server, strict));
      expect(refused).toMatchObject({ code: 'unsupported_capability', capability: 'automatic_migration' });
      expect(refused.message).toContain('index changed_name_idx is btree (name) and the layout defines unique btree (name, type)');
      const applied = await apply(db, server, strict, { allowDataLoss: true });
      expect(shape(applied)).toEqual([
        `backup ${loose.tables.records}`,
        `alter ${loose.tables.records}: drop_index,add_index (loses data)`,
      ]);
      expect((await inspectSchema(db.db, server, strict)).upToDate).toBe(true);
    });

    it('checks explicit steps against the tables: a missing table, an existing backup, a mapped column, the identity index', async () => {
      const layout = freshLayout('checks');
      await apply(db, server, layout);
      const table = layout.tables.records;
      const cases: [MetadataMigrationOperationInput, (string | number)[]][] = [
        [{ type: 'drop', table: 'no_such_table', acknowledgeDataLoss: true }, ['steps', 0, 'table']],
        [{ type: 'backup', table, backupTable: layout.tables.settings }, ['steps', 0, 'backupTable']],
        [
          { type: 'alter', table, changes: [{ action: 'drop_column', column: 'payload', acknowledgeDataLoss: true }] },
          ['steps', 0, 'changes', 0, 'column'],
        ],
        [{ type: 'alter', table, changes: [{ action: 'drop_index', name: layout.identityIndex }] }, ['steps', 0, 'changes', 0, 'name']],
        [
          { type: 'alter', table, changes: [{ action: 'add_column', field: 'tags', column: 'tags' }] },
          ['steps', 0, 'changes', 0, 'column'],
        ],
        [{ type: 'create', table, tableSchema: { tableName: table } }, ['steps', 0, 'table']],
        [{ type: 'restore', table, fromTable: 'no_such_table', acknowledgeDataLoss: true }, ['steps', 0, 'fromTable']],
      ];
      for (const [step, path] of cases) {
        const error = await storeError(plan(db, server, layout, { steps: [step], allowDataLoss: true }));
        expect(error, JSON.stringify(step)).toMatchObject({ code: 'invalid_input', issues: [{ path }] });
      }
      // A step-level dry run inside an applied migration is refused rather than half run.
      const half = await storeError(
        migrate(db.db, server, layout, { steps: [{ type: 'backup', table, backupTable: `${table}_x`, dryRun: true }] }),
      );
      expect(half).toMatchObject({ code: 'invalid_input', issues: [{ path: ['steps', 0, 'dryRun'] }] });
    });

    it('plans the conformance probe (create then drop a table) honestly: atomic only with transactional DDL, no backup of a table the plan creates', async () => {
      const steps: MetadataMigrationOperationInput[] = [
        { type: 'create', table: 'conformance_probe', tableSchema: { tableName: 'conformance_probe' } },
        { type: 'drop', table: 'conformance_probe', acknowledgeDataLoss: true },
      ];
      const probe = await plan(db, server, sqlLayout(), { steps });
      expect(shape(probe)).toEqual(['create conformance_probe', 'drop conformance_probe (loses data)']);
      expect(probe.atomic).toBe(transactionalDdl);
      expect(probe.steps.map((step) => step.transactional)).toEqual([transactionalDdl, transactionalDdl]);
      expect(probe.steps.map((step) => step.reversible)).toEqual([true, transactionalDdl]);
      expect(await listTables(db.db, server, undefined)).not.toContain('conformance_probe');
    });

    it(
      transactionalDdl
        ? 'a failed step rolls the whole migration back: nothing applied, nothing logged'
        : 'a failed step runs its rollback (the inverse statements) and fails typed; earlier steps stay applied and logged',
      async () => {
        const layout = freshLayout('failing');
        await apply(db, server, layout);
        const table = layout.tables.records;
        // Two records of one type: a unique index on type cannot be built.
        await insertRecords(db.db, layout, [record(1), record(2)]);
        const before = await schemaSnapshot(db.db, server, layout);
        const rows = await rowsOf(db.db, undefined, table);
        const steps: MetadataMigrationOperationInput[] = [
          {
            type: 'alter',
            table,
            changes: [
              { action: 'add_column', field: 'tags', column: 'probe_tags' },
              { action: 'add_index', index: { name: 'failing_type_unique', fields: ['type'], unique: true } },
            ],
          },
        ];
        const planned = await plan(db, server, layout, { steps });
        expect(shape(planned)).toEqual([`backup ${table}`, `alter ${table}: add_column,add_index`]);
        expect(planned.steps.map((step) => step.reversible)).toEqual([true, true]);

        const error = await storeError(migrate(db.db, server, layout, { steps }));
        expect(error).toMatchObject({ code: 'invalid_input', issues: [{ path: ['steps', 0], code: 'migration_step_failed' }] });
        expect(error.message).toContain(
          `step 2 of 2 (alter ${table}: add_column probe_tags, add_index failing_type_unique) failed at statement 2 of 2`,
        );
        expect(error.message).not.toMatch(/Duplicate|duplicate|rec_000/);
        const after = await schemaSnapshot(db.db, server, layout);
        expect(after[table]).toEqual(before[table]);
        expect(await rowsOf(db.db, undefined, table)).toEqual(rows);
        if (transactionalDdl) {
          expect(error.message).toContain('the migration runs in one transaction, which rolled back: nothing was applied');
          expect(after).toEqual(before);
          expect(await logOf(db, layout)).toHaveLength(1);
        } else {
          expect(error.message).toContain('the 1 statement that had taken effect was undone; steps 1 to 1 stay applied');
          expect(Object.keys(after).sort()).toEqual([...Object.keys(before), `${table}_bak_1`].sort());
          expect((await logOf(db, layout)).map((row) => row.description)).toEqual([`create ${table}`, `backup ${table} to ${table}_bak_1`]);
        }
      },
    );

    it('runs an operator script statement by statement, and on failure its rollbackScript (MySQL) or the transaction rollback', async () => {
      const layout = freshLayout('script');
      await apply(db, server, layout);
      const table = layout.tables.records;
      await insertRecords(db.db, layout, [record(1), record(2)]);
      const before = await schemaSnapshot(db.db, server, layout);
      const q = (name: string) => (driver === 'mysql' ? `\`${name}\`` : `"${name}"`);
      const addColumn = `ALTER TABLE ${q(table)} ADD COLUMN ${q('probe_note')} VARCHAR(10) /* inline; comment */ DEFAULT 'a;b'`;
      const failing = `CREATE UNIQUE INDEX ${q('script_type_unique')} ON ${q(table)} (${q('type')})`;
      const step: MetadataMigrationOperationInput = {
        type: 'alter',
        table,
        changes: [{ action: 'add_column', field: 'tags', column: 'probe_note' }],
        script: { dialect: driver, sql: `-- first a column; then an index\n${addColumn};\n/* the index; it fails */ ${failing};` },
        rollbackScript: { dialect: driver, sql: `ALTER TABLE ${q(table)} DROP COLUMN ${q('probe_note')}` },
      };
      const planned = await plan(db, server, layout, { steps: [step] }, { ...DEFAULT_SETTINGS, backupBeforeMigrate: false });
      expect(planned.steps.map((item) => item.statements)).toEqual([[addColumn, failing]]);
      expect(planned.steps[0]!.reversible).toBe(true);
      const error = await storeError(
        migrate(db.db, server, layout, { steps: [step] }, { ...DEFAULT_SETTINGS, backupBeforeMigrate: false }),
      );
      expect(error.message).toContain('failed at statement 2 of 2');
      expect(error.message).toContain(
        transactionalDdl ? 'rolled back: nothing was applied' : 'its rollbackScript ran; no earlier step was applied',
      );
      expect(await schemaSnapshot(db.db, server, layout)).toEqual(before);

      // The same script without the failing statement applies.
      const fine = { ...step, script: { dialect: driver, sql: `${addColumn};` } };
      expect((await apply(db, server, layout, { steps: [fine] }, { ...DEFAULT_SETTINGS, backupBeforeMigrate: false })).applied).toBe(true);
      expect((await readTable(db.db, server, undefined, table))!.columns.map((column) => column.name)).toContain('probe_note');
    });
  });
}
