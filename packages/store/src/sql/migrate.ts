/**
 * Migrations of a SQL store (R9, R10, R11, R46): planning the steps that
 * bring the database to the layout (or an operator's explicit steps),
 * running them under the migration lock (sql/migrate-lock.ts), logging each
 * applied step with its checksum, and the settings the first migration
 * writes (the cursor signing secret, the layout version).
 *
 * - A plan made from the layout only adds (tables, columns, indexes),
 *   unless allowDataLoss is given: then it also replaces changed indexes,
 *   and with dropOnMigrate drops the columns and indexes the layout no
 *   longer names (R9). A step that loses data is preceded by a backup of
 *   its table; with backupBeforeMigrate so is every step that alters,
 *   drops or restores a table, unless the plan already backed it up or
 *   created it.
 * - A dry run returns the exact statements and runs none (R11); a plan with
 *   a script in another dialect than the datasource's is refused, dry run or
 *   not. A statement with bound parameters (the settings rows) shows its
 *   placeholders, never the values.
 * - PostgreSQL and SQLite run the whole plan in one transaction (atomic).
 *   MySQL/MariaDB commit DDL implicitly, so their plans are atomic false
 *   with steps that are not transactional (R46): each step runs on its own,
 *   a failed step runs its rollback (the operator's rollbackScript, or the
 *   inverse of each statement it ran, such as dropping the column it added)
 *   and the migration fails with a typed error saying what stays applied.
 * - Failures are typed (MetadataStoreFailure); a driver's own error text
 *   never reaches a message (it can quote values), only its error code.
 */
import { randomBytes } from 'node:crypto';
import {
  MetadataColumnMappingSchema,
  MetadataMigrationOperationSchema,
  type MetadataCallerRole,
  type MetadataColumnMapping,
  type MetadataMigrateOptions,
  type MetadataMigrationOperation,
  type MetadataMigrationOperationInput,
  type MetadataMigrationPlan,
  type MetadataRecordField,
} from '@metasource/spec';
import { CompiledQuery, sql, type Kysely, type RawBuilder } from 'kysely';
import { sha256Hex } from '../base/checksum';
import { fail, failInvalidInput, type InputIssue } from '../base/failure';
import { classifyDriverError, driverErrorCode, driverFailure } from './errors';
import { MAX_SQL_IDENTIFIER_LENGTH, type SqlLayout, type SqlServer } from './layout';
import {
  beginImmediate,
  checkSqliteLockRow,
  deleteSqliteLockRow,
  newHolder,
  qualifiedName,
  releaseSqliteLockRow,
  rollbackQuietly,
  takeSqliteLockRow,
  withMysqlLock,
  withoutBusyWait,
  withPostgresLock,
} from './migrate-lock';
import { ScriptError, splitSqlScript } from './migrate-script';
import {
  ADDED_COLUMN_DEFAULTS,
  addColumn,
  backupTable,
  createIndex,
  createTable,
  dropColumn,
  dropIndex,
  dropTable,
  identityIndex,
  LAYOUT_VERSION,
  listTables,
  planIndex,
  readSchemaState,
  readTable,
  recordColumn,
  recordsIndexes,
  recordsTableSpec,
  restoreTable,
  RUNTIME_TABLES,
  runtimeTableSpec,
  sameName,
  tableRef,
  type IndexInfo,
  type RuntimeTable,
  type SchemaInspection,
  type TableInfo,
} from './schema';

/** The migration settings of the driver config (MetadataDriverConfig.migration) and how long to wait for the lock. */
export interface MigrationSettings {
  autoMigrate: boolean;
  dropOnMigrate: boolean;
  backupBeforeMigrate: boolean;
  lockTimeoutMs: number;
}

/** One statement of a step and, for MySQL, what undoes it: [] nothing beyond the statements before it, null nothing can. */
export interface PlannedStatement {
  query: CompiledQuery;
  undo: CompiledQuery[] | null;
}

/** A step as the store runs it. */
export interface PlannedStep {
  operation: MetadataMigrationOperation;
  /** Its position in MetadataMigrateOptions.steps; absent for a step the store planned (from the layout, or a backup). */
  requested?: number;
  statements: PlannedStatement[];
  /** The operator's rollbackScript, split into statements. */
  rollbackScript?: CompiledQuery[];
  losesData: boolean;
  /** Only DML (a restore): on MySQL it runs in a transaction of its own, so it is undone as a whole. */
  ownTransaction: boolean;
}

/** A plan before it runs: its steps, and what it leaves out or builds differently on this dialect. */
export interface MigrationDraft {
  steps: PlannedStep[];
  warnings: string[];
}

/** The longest statement a plan step can report (MetadataMigrationPlanStep.statements). */
const MAX_STATEMENT_LENGTH = 100_000;
/** The most statements a plan step can report. */
const MAX_STEP_STATEMENTS = 1000;
/** The settings rows the first migration writes. */
export const CURSOR_SECRET_SETTING = 'cursor_secret';
export const LAYOUT_VERSION_SETTING = 'layout_version';

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/** A driver's error code for a message (SQLSTATE, ER_.../errno, SQLITE_..., a Node errno name), never its message. */
function codeOf(error: unknown): string {
  const code = driverErrorCode(error);
  return code === undefined ? 'without a code' : code;
}

/** Runs `work`, turning an untyped error of the driver into a typed one that names what failed and the error code. */
async function guarded<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw driverFailure(error, what);
  }
}

/** A statement of a step failed; carries where, for the typed error. */
class StepFailed extends Error {
  override readonly name = 'StepFailed';
  constructor(
    readonly step: number,
    readonly statement: number,
    readonly reason: unknown,
  ) {
    super(`step ${step + 1} failed`);
  }
}

function invalidOptions(path: (string | number)[], message: string): never {
  failInvalidInput('the migration options', [{ path, code: 'custom', message }]);
}

// ---------------------------------------------------------------------------
// Describing steps
// ---------------------------------------------------------------------------

function qualified(schema: string | undefined, table: string): string {
  return schema === undefined ? table : `${schema}.${table}`;
}

/** One line for people: the step's type, table and changes. */
export function describeOperation(op: MetadataMigrationOperation): string {
  const table = qualified(op.schema, op.table);
  const script = op.script ? ' (by script)' : '';
  switch (op.type) {
    case 'create':
      return `create ${table}${script}`;
    case 'drop':
      return `drop ${table}${script}`;
    case 'backup':
      return `backup ${table} to ${op.backupTable}${script}`;
    case 'restore':
      return `restore ${table} from ${op.fromTable}${script}`;
    case 'alter':
      return `alter ${table}: ${op.changes
        .map((change) => {
          switch (change.action) {
            case 'add_column':
            case 'drop_column':
              return `${change.action} ${change.column}`;
            case 'add_index':
              return `add_index ${change.index.name}`;
            case 'drop_index':
              return `drop_index ${change.name}`;
          }
        })
        .join(', ')}${script}`;
  }
}

/** Whether an operation can lose data: drop, restore, and an alter that drops a column or an index. */
function operationLosesData(op: MetadataMigrationOperation): boolean {
  return (
    op.type === 'drop' ||
    op.type === 'restore' ||
    (op.type === 'alter' && op.changes.some((change) => change.action === 'drop_column' || change.action === 'drop_index'))
  );
}

/** The checksum a step is logged with: `sha256:` and the hex SHA-256 of its statements joined by newlines. */
export function stepChecksum(statements: readonly string[]): string {
  return `sha256:${sha256Hex(statements.join('\n'))}`;
}

/** The plan as MetadataStore.migrate reports it. */
export function toMigrationPlan(server: SqlServer, draft: MigrationDraft, applied: boolean): MetadataMigrationPlan {
  const transactionalDdl = server.driver !== 'mysql';
  return {
    steps: draft.steps.map((step) => ({
      operation: step.operation,
      statements: step.statements.map((statement) => statement.query.sql),
      losesData: step.losesData,
      reversible:
        transactionalDdl ||
        step.ownTransaction ||
        step.rollbackScript !== undefined ||
        step.statements.every((statement) => statement.undo !== null),
      transactional: transactionalDdl,
    })),
    atomic: transactionalDdl,
    applied: applied && draft.steps.length > 0,
  };
}

function operation(input: MetadataMigrationOperationInput): MetadataMigrationOperation {
  return MetadataMigrationOperationSchema.parse(input);
}

// ---------------------------------------------------------------------------
// Planning
// ---------------------------------------------------------------------------

/** Builds a step's statements, compiled for the dialect of `db`. */
class StatementList {
  readonly statements: PlannedStatement[] = [];
  constructor(private readonly db: Kysely<any>) {}

  compile(query: RawBuilder<unknown>): CompiledQuery {
    return query.compile(this.db);
  }

  add(query: RawBuilder<unknown>, undo: RawBuilder<unknown>[] | null): void {
    this.statements.push({ query: this.compile(query), undo: undo === null ? null : undo.map((item) => this.compile(item)) });
  }
}

/** The settings rows of a new settings table: a fresh cursor secret (32 random bytes, hex) and the layout version, bound as parameters. */
function settingsRows(layout: SqlLayout): RawBuilder<unknown> {
  const secret = randomBytes(32).toString('hex');
  const settings = tableRef(layout.tables.schema, layout.tables.settings);
  const columns = sql.join([sql.id('name'), sql.id('value')]);
  return sql`INSERT INTO ${settings} (${columns}) VALUES (${CURSOR_SECRET_SETTING}, ${secret}), (${LAYOUT_VERSION_SETTING}, ${LAYOUT_VERSION})`;
}

/** Adds the statements that create a runtime table (and, for settings, its rows). */
function addRuntimeTable(list: StatementList, server: SqlServer, layout: SqlLayout, role: RuntimeTable): void {
  const spec = runtimeTableSpec(layout, role);
  const schema = layout.tables.schema;
  list.add(createTable(server, schema, spec), [dropTable(schema, spec.name)]);
  if (role === 'settings') list.add(settingsRows(layout), []);
}

async function hasRows(db: Kysely<any>, schema: string | undefined, table: string): Promise<boolean> {
  const { rows } = await sql`SELECT 1 AS found FROM ${tableRef(schema, table)} LIMIT 1`.execute(db);
  return rows.length > 0;
}

/**
 * The default an added column gets: the field's value that is valid for every
 * row; for a field without one, `needsEmptyTable` (the column can be added
 * only to a table without rows) and no default (PostgreSQL and MySQL add a
 * NOT NULL column without one to an empty table) or, on SQLite, which takes
 * no NOT NULL column without a default, a placeholder no row ever holds.
 */
function addedColumnFill(server: SqlServer, field: MetadataRecordField): { fill?: string | number; needsEmptyTable: boolean } {
  const fill = ADDED_COLUMN_DEFAULTS[field];
  if (fill !== undefined) return { fill, needsEmptyTable: false };
  if (server.driver === 'sqlite') return { fill: field === 'version' ? 0 : '', needsEmptyTable: true };
  return { needsEmptyTable: true };
}

/** The statements that recreate an index as the catalog describes it (to undo its drop on MySQL), or null when they cannot. */
function recreateIndex(
  server: SqlServer,
  schema: string | undefined,
  table: string,
  index: IndexInfo | undefined,
): RawBuilder<unknown> | null {
  if (!index || index.partial) return null;
  const gin = index.keys.every((key) => /^jsonb\(.+\)$/.test(key));
  if (!gin && index.keys.some((key) => key === 'expression' || key.includes('('))) return null;
  const columns = gin ? index.keys.map((key) => key.slice('jsonb('.length, -1)) : index.keys;
  const method = gin ? 'gin' : index.method === 'hash' && server.driver === 'postgres' ? 'hash' : 'btree';
  return createIndex(server, schema, table, { name: index.name, unique: index.unique, method, columns });
}

/** Lists the problems that keep a plan from the layout from bringing the database to it. */
function blockedBy(problems: readonly string[], layout: SqlLayout): never {
  const shown = problems.slice(0, 8).join('; ');
  const more = problems.length > 8 ? ` (and ${problems.length - 8} more)` : '';
  fail({
    code: 'unsupported_capability',
    message: `the tables of ${qualifiedName(layout)} cannot be brought to the configured layout by adding to them: ${shown}${more}`.slice(
      0,
      2000,
    ),
    capability: 'automatic_migration',
  });
}

/**
 * The steps that bring the database to the layout: create what is missing,
 * add missing columns and indexes; with allowDataLoss also replace indexes
 * whose definition changed and, with dropOnMigrate, drop the columns and
 * indexes the layout no longer names. What the plan cannot do fails with
 * unsupported_capability (automatic_migration), naming each problem.
 */
export async function planFromLayout(
  db: Kysely<any>,
  server: SqlServer,
  layout: SqlLayout,
  settings: MigrationSettings,
  allowDataLoss: boolean,
): Promise<MigrationDraft> {
  const state = await readSchemaState(db, server, layout);
  const { inspection, tables } = state;
  const schema = layout.tables.schema;
  const records = layout.tables.records;
  const warnings = [...inspection.notes];
  const blocked: string[] = [];
  const steps: PlannedStep[] = [];

  if (inspection.layoutVersion !== undefined && inspection.layoutVersion !== LAYOUT_VERSION) {
    blocked.push(
      `the settings table holds layout_version ${inspection.layoutVersion}, and this runtime knows layout ${LAYOUT_VERSION} only`,
    );
  }
  // An extra column that would fail every insert is no obstacle when this plan drops it.
  const dropsExtras = settings.dropOnMigrate && allowDataLoss;
  for (const mismatch of inspection.mismatchedColumns) {
    if (dropsExtras && inspection.extraColumns.includes(mismatch.column)) continue;
    blocked.push(`column ${mismatch.column} of ${mismatch.table}: ${mismatch.problem}`);
  }
  for (const missing of inspection.missingColumns) {
    if (missing.field === undefined)
      blocked.push(`${missing.table} lacks its column ${missing.column}; it was not created by this runtime`);
  }

  const missingRuntime = RUNTIME_TABLES.filter((role) => !tables[role]);
  const recordsInfo = tables.records;
  if (!recordsInfo) {
    const list = new StatementList(db);
    list.add(createTable(server, schema, recordsTableSpec(records, layout.columns)), [dropTable(schema, records)]);
    for (const index of state.indexes) list.add(createIndex(server, schema, records, index), []);
    for (const role of missingRuntime) addRuntimeTable(list, server, layout, role);
    steps.push({
      operation: operation({
        type: 'create',
        table: records,
        ...(schema !== undefined ? { schema } : {}),
        tableSchema: {
          tableName: records,
          ...(schema !== undefined ? { schema } : {}),
          columnMapping: layout.columns,
          indexes: layout.indexes,
        },
      }),
      statements: list.statements,
      losesData: false,
      ownTransaction: false,
    });
  } else {
    for (const role of missingRuntime) {
      const list = new StatementList(db);
      addRuntimeTable(list, server, layout, role);
      const name = layout.tables[role];
      steps.push({
        operation: operation({
          type: 'create',
          table: name,
          ...(schema !== undefined ? { schema } : {}),
          tableSchema: { tableName: name, ...(schema !== undefined ? { schema } : {}) },
        }),
        statements: list.statements,
        losesData: false,
        ownTransaction: false,
      });
    }

    // Adding: the missing columns, then the missing indexes (identity first).
    const adds = new StatementList(db);
    const addChanges: Extract<MetadataMigrationOperationInput, { type: 'alter' }>['changes'] = [];
    const missingFields = inspection.missingColumns.filter((missing) => missing.field !== undefined);
    const rowsExist = missingFields.length > 0 ? await hasRows(db, schema, recordsInfo.name) : false;
    for (const missing of missingFields) {
      const field = missing.field!;
      const { fill, needsEmptyTable } = addedColumnFill(server, field);
      if (needsEmptyTable && rowsExist) {
        blocked.push(
          `${records} lacks the column ${missing.column} of ${field} and holds rows: no value is valid for every row, so add it with an explicit alter step whose script fills it`,
        );
        continue;
      }
      adds.add(addColumn(server, schema, recordsInfo.name, recordColumn(field, missing.column), fill), [
        dropColumn(schema, recordsInfo.name, missing.column),
      ]);
      addChanges.push({ action: 'add_column', field, column: missing.column });
    }
    for (const index of state.indexes) {
      if (!inspection.missingIndexes.includes(index.name)) continue;
      adds.add(createIndex(server, schema, recordsInfo.name, index), [dropIndex(server, schema, recordsInfo.name, index.name)]);
      addChanges.push({ action: 'add_index', index: index.source });
    }
    if (addChanges.length > 0) {
      steps.push({
        operation: operation({ type: 'alter', table: records, ...(schema !== undefined ? { schema } : {}), changes: addChanges }),
        statements: adds.statements,
        losesData: false,
        ownTransaction: false,
      });
    }

    // Losing: replacing changed indexes, dropping what the layout no longer names.
    const changed = state.indexes.filter((index) => inspection.changedIndexes.some((change) => change.name === index.name));
    const dropIndexes = settings.dropOnMigrate ? inspection.extraIndexes : [];
    const dropColumns = settings.dropOnMigrate ? inspection.extraColumns : [];
    if (!allowDataLoss) {
      for (const change of inspection.changedIndexes) {
        blocked.push(
          `index ${change.name} is ${change.actual} and the layout defines ${change.expected}: replacing it drops it first, which needs allowDataLoss`,
        );
      }
      for (const name of dropIndexes) warnings.push(`index ${name} of ${records} is not in the layout; dropping it needs allowDataLoss`);
      for (const name of dropColumns) warnings.push(`column ${name} of ${records} stores no record field; dropping it needs allowDataLoss`);
    } else if (changed.length + dropIndexes.length + dropColumns.length > 0) {
      const drops = new StatementList(db);
      const dropChanges: Extract<MetadataMigrationOperationInput, { type: 'alter' }>['changes'] = [];
      for (const name of [...changed.map((index) => index.name), ...dropIndexes]) {
        const existing = recordsInfo.indexes.find((index) => sameName(server, index.name, name));
        const undo = recreateIndex(server, schema, recordsInfo.name, existing);
        drops.add(dropIndex(server, schema, recordsInfo.name, existing?.name ?? name), undo ? [undo] : null);
        dropChanges.push({ action: 'drop_index', name });
      }
      for (const name of dropColumns) {
        drops.add(dropColumn(schema, recordsInfo.name, name), null);
        dropChanges.push({ action: 'drop_column', column: name, acknowledgeDataLoss: true });
      }
      for (const index of changed) {
        drops.add(createIndex(server, schema, recordsInfo.name, index), [dropIndex(server, schema, recordsInfo.name, index.name)]);
        dropChanges.push({ action: 'add_index', index: index.source });
      }
      steps.push({
        operation: operation({ type: 'alter', table: records, ...(schema !== undefined ? { schema } : {}), changes: dropChanges }),
        statements: drops.statements,
        losesData: true,
        ownTransaction: false,
      });
    }
    if (!settings.dropOnMigrate) {
      for (const name of inspection.extraIndexes)
        warnings.push(`index ${name} of ${records} is not in the layout; kept (dropOnMigrate is false)`);
      for (const name of inspection.extraColumns) {
        warnings.push(`column ${name} of ${records} stores no record field; kept (dropOnMigrate is false)`);
      }
    }
  }
  if (blocked.length > 0) blockedBy(blocked, layout);
  const tablesBySchema = new Map<string, string[]>([[schema ?? '', state.allTables]]);
  return { steps: await withBackups(db, server, settings, steps, tablesBySchema), warnings };
}

/** Tables as a plan changes them: those the database holds, with the plan's creates, backups and drops applied in order. */
class TableCatalog {
  readonly #listed = new Map<string, string[]>();
  readonly #created = new Map<string, boolean>();

  constructor(
    private readonly db: Kysely<any>,
    private readonly server: SqlServer,
    listed?: Map<string, string[]>,
  ) {
    if (listed) for (const [schema, tables] of listed) this.#listed.set(schema, tables);
  }

  #key(schema: string | undefined, table: string): string {
    return `${schema ?? ''}\u0000${this.server.driver === 'postgres' ? table : table.toLowerCase()}`;
  }

  /** The tables the database holds in a schema now (before the plan). */
  async listed(schema: string | undefined): Promise<string[]> {
    let tables = this.#listed.get(schema ?? '');
    if (!tables) {
      tables = await listTables(this.db, this.server, schema);
      this.#listed.set(schema ?? '', tables);
    }
    return tables;
  }

  /** Whether the table exists at this point of the plan. */
  async has(schema: string | undefined, table: string): Promise<boolean> {
    const planned = this.#created.get(this.#key(schema, table));
    if (planned !== undefined) return planned;
    return (await this.listed(schema)).some((name) => sameName(this.server, name, table));
  }

  /** Whether the plan created (or dropped) the table before this point, so the database's copy is not what the step sees. */
  changedByPlan(schema: string | undefined, table: string): boolean {
    return this.#created.has(this.#key(schema, table));
  }

  set(schema: string | undefined, table: string, exists: boolean): void {
    this.#created.set(this.#key(schema, table), exists);
  }

  /**
   * A backup table name, `<table>_bak_<n>` with the first n that names no
   * table of the database and none the plan creates or drops, within the
   * identifier limit.
   */
  async backupName(schema: string | undefined, table: string): Promise<string> {
    const listed = await this.listed(schema);
    for (let n = 1; ; n++) {
      const suffix = `_bak_${n}`;
      const name = `${table.slice(0, MAX_SQL_IDENTIFIER_LENGTH - suffix.length)}${suffix}`;
      if (!this.changedByPlan(schema, name) && !listed.some((existing) => sameName(this.server, existing, name))) return name;
    }
  }
}

/**
 * Puts a backup step before each step that needs one: a step that loses
 * data, and with backupBeforeMigrate every alter, drop and restore; unless
 * the plan created the table or backed it up before.
 */
async function withBackups(
  db: Kysely<any>,
  server: SqlServer,
  settings: MigrationSettings,
  steps: PlannedStep[],
  listed?: Map<string, string[]>,
  catalog = new TableCatalog(db, server, listed),
): Promise<PlannedStep[]> {
  const result: PlannedStep[] = [];
  const safe = new Set<string>();
  const key = (schema: string | undefined, table: string) =>
    `${schema ?? ''}\u0000${server.driver === 'postgres' ? table : table.toLowerCase()}`;
  for (const step of steps) {
    const op = step.operation;
    const target = key(op.schema, op.table);
    const wanted = step.losesData || (settings.backupBeforeMigrate && (op.type === 'alter' || op.type === 'drop' || op.type === 'restore'));
    if (wanted && !safe.has(target)) {
      const backup = await catalog.backupName(op.schema, op.table);
      result.push(backupStep(db, server, op.schema, op.table, backup));
      catalog.set(op.schema, backup, true);
      safe.add(target);
    }
    if (op.type === 'create') safe.add(target);
    if (op.type === 'backup') {
      safe.add(target);
      catalog.set(op.schema, op.backupTable, true);
    }
    result.push(step);
  }
  return result;
}

function backupStep(db: Kysely<any>, server: SqlServer, schema: string | undefined, table: string, backup: string): PlannedStep {
  const list = new StatementList(db);
  backupTable(server, schema, table, backup).forEach((statement, position) =>
    list.add(statement, position === 0 ? [dropTable(schema, backup)] : []),
  );
  return {
    operation: operation({ type: 'backup', table, ...(schema !== undefined ? { schema } : {}), backupTable: backup }),
    statements: list.statements,
    losesData: false,
    ownTransaction: false,
  };
}

/** Checks explicit steps before anything is planned: script dialects (R11), step-level dry runs, schemas on SQLite, script syntax. */
function checkExplicitSteps(server: SqlServer, options: MetadataMigrateOptions): void {
  (options.steps ?? []).forEach((op, position) => {
    for (const which of ['script', 'rollbackScript'] as const) {
      const script = op[which];
      if (script && script.dialect !== server.driver) {
        invalidOptions(
          ['steps', position, which, 'dialect'],
          `the ${which} is in the ${script.dialect} dialect, and this datasource's driver is ${server.driver}`,
        );
      }
    }
    if (op.dryRun && !options.dryRun) {
      invalidOptions(
        ['steps', position, 'dryRun'],
        'a step cannot be a dry run in a migration that is applied: a plan runs whole; plan it with dryRun true instead',
      );
    }
    if (op.schema !== undefined && server.driver === 'sqlite') {
      invalidOptions(['steps', position, 'schema'], 'SQLite has no schemas: the datasource names the database');
    }
  });
}

/** A script as compiled statements; an invalid one fails with invalid_input at `path`. */
function scriptStatements(script: string, server: SqlServer, path: (string | number)[]): CompiledQuery[] {
  let statements: string[];
  try {
    statements = splitSqlScript(script, server.driver);
  } catch (error) {
    if (error instanceof ScriptError) invalidOptions(path, error.message);
    throw error;
  }
  if (statements.length === 0) invalidOptions(path, 'the script holds no statement');
  if (statements.length > MAX_STEP_STATEMENTS)
    invalidOptions(path, `the script holds ${statements.length} statements, at most ${MAX_STEP_STATEMENTS}`);
  statements.forEach((statement, position) => {
    if (statement.length > MAX_STATEMENT_LENGTH) {
      invalidOptions(
        path,
        `statement ${position + 1} of the script is ${statement.length} characters long, at most ${MAX_STATEMENT_LENGTH}`,
      );
    }
  });
  return statements.map((statement) => CompiledQuery.raw(statement, []));
}

/** Whether a step acts on the store's records table. */
function isRecordsTable(server: SqlServer, layout: SqlLayout, schema: string | undefined, table: string): boolean {
  return (
    sameName(server, table, layout.tables.records) &&
    (schema === layout.tables.schema ||
      (schema !== undefined && layout.tables.schema !== undefined && sameName(server, schema, layout.tables.schema)))
  );
}

const DEFAULT_COLUMNS: MetadataColumnMapping = MetadataColumnMappingSchema.parse({});

/** The steps an operator gave, with their statements, and the backups they need. */
export async function planExplicit(
  db: Kysely<any>,
  server: SqlServer,
  layout: SqlLayout,
  settings: MigrationSettings,
  operations: readonly MetadataMigrationOperation[],
): Promise<MigrationDraft> {
  const catalog = new TableCatalog(db, server);
  const mappings = new Map<string, MetadataColumnMapping>();
  const mappingKey = (schema: string | undefined, table: string) =>
    `${schema ?? ''}\u0000${server.driver === 'postgres' ? table : table.toLowerCase()}`;
  const steps: PlannedStep[] = [];
  const warnings: string[] = [];

  for (const [position, op] of operations.entries()) {
    const at = ['steps', position];
    const { schema, table } = op;
    const name = qualified(schema, table);
    const exists = await catalog.has(schema, table);
    const list = new StatementList(db);
    const losesData = operationLosesData(op);
    const store = isRecordsTable(server, layout, schema, table);
    // The catalog's description of the table as it is before the plan, when the plan has not replaced it.
    const current = async (): Promise<TableInfo | undefined> =>
      exists && !catalog.changedByPlan(schema, table) ? readTable(db, server, schema, table) : undefined;

    if (op.script) {
      const statements = scriptStatements(op.script.sql, server, [...at, 'script', 'sql']);
      const rollback = op.rollbackScript ? scriptStatements(op.rollbackScript.sql, server, [...at, 'rollbackScript', 'sql']) : undefined;
      if (op.type === 'create') catalog.set(schema, table, true);
      if (op.type === 'drop') catalog.set(schema, table, false);
      if (op.type === 'backup') catalog.set(schema, op.backupTable, true);
      steps.push({
        operation: op,
        requested: position,
        statements: statements.map((query) => ({ query, undo: null })),
        ...(rollback ? { rollbackScript: rollback } : {}),
        losesData,
        ownTransaction: false,
      });
      continue;
    }
    if (op.rollbackScript) {
      invalidOptions(
        [...at, 'rollbackScript'],
        'a rollbackScript undoes a script: the store plans the inverse of its own statements itself',
      );
    }
    if (op.type !== 'create' && !exists) invalidOptions([...at, 'table'], `table ${name} does not exist`);

    switch (op.type) {
      case 'create': {
        if (exists) invalidOptions([...at, 'table'], `table ${name} exists: a create never replaces a table`);
        const identity = identityIndex(table);
        if (identity.name.length > MAX_SQL_IDENTIFIER_LENGTH) {
          invalidOptions(
            [...at, 'table'],
            `the identity index ${identity.name} would be longer than ${MAX_SQL_IDENTIFIER_LENGTH} characters: use a shorter table name`,
          );
        }
        op.tableSchema.indexes.forEach((index, which) => {
          if (index.name.toLowerCase() === identity.name.toLowerCase()) {
            invalidOptions([...at, 'tableSchema', 'indexes', which, 'name'], `${index.name} is the name of the identity key's index`);
          }
        });
        const columns = op.tableSchema.columnMapping;
        list.add(createTable(server, schema, recordsTableSpec(table, columns)), [dropTable(schema, table)]);
        const { indexes, notes } = recordsIndexes(server, table, columns, op.tableSchema.indexes);
        for (const index of indexes) list.add(createIndex(server, schema, table, index), []);
        warnings.push(...notes);
        catalog.set(schema, table, true);
        mappings.set(mappingKey(schema, table), columns);
        break;
      }
      case 'alter': {
        const info = await current();
        const columns = mappings.get(mappingKey(schema, table)) ?? (store ? layout.columns : DEFAULT_COLUMNS);
        for (const [which, change] of op.changes.entries()) {
          const path = [...at, 'changes', which];
          switch (change.action) {
            case 'add_column': {
              if (info?.columns.some((column) => sameName(server, column.name, change.column))) {
                invalidOptions([...path, 'column'], `column ${change.column} of ${name} exists`);
              }
              const { fill, needsEmptyTable } = addedColumnFill(server, change.field);
              if (needsEmptyTable && exists && (await hasRows(db, schema, table))) {
                invalidOptions(
                  path,
                  `${name} holds rows and no value of ${change.field} is valid for every row: add the column with a script that fills it`,
                );
              }
              list.add(addColumn(server, schema, table, recordColumn(change.field, change.column), fill), [
                dropColumn(schema, table, change.column),
              ]);
              break;
            }
            case 'drop_column': {
              const field = Object.entries(layout.columns).find(([, column]) => sameName(server, column, change.column))?.[0];
              if (store && field !== undefined) {
                invalidOptions(
                  [...path, 'column'],
                  `column ${change.column} stores the record field ${field}: the store cannot work without it`,
                );
              }
              if (info && !info.columns.some((column) => sameName(server, column.name, change.column))) {
                invalidOptions([...path, 'column'], `${name} has no column ${change.column}`);
              }
              list.add(dropColumn(schema, table, change.column), null);
              break;
            }
            case 'add_index': {
              if (info?.indexes.some((index) => sameName(server, index.name, change.index.name))) {
                invalidOptions([...path, 'index', 'name'], `index ${change.index.name} of ${name} exists`);
              }
              const planned = planIndex(server, table, columns, change.index);
              if ('skipped' in planned) warnings.push(planned.skipped);
              else {
                if (planned.note) warnings.push(planned.note);
                list.add(createIndex(server, schema, table, planned.index), [dropIndex(server, schema, table, change.index.name)]);
              }
              break;
            }
            case 'drop_index': {
              if (store && sameName(server, change.name, layout.identityIndex)) {
                invalidOptions([...path, 'name'], `${change.name} is the identity key's index: the store relies on it`);
              }
              const existing = info?.indexes.find((index) => sameName(server, index.name, change.name));
              if (info && !existing) invalidOptions([...path, 'name'], `${name} has no index ${change.name}`);
              const undo = recreateIndex(server, schema, table, existing);
              list.add(dropIndex(server, schema, table, existing?.name ?? change.name), undo ? [undo] : null);
              break;
            }
          }
        }
        break;
      }
      case 'drop':
        list.add(dropTable(schema, table), null);
        catalog.set(schema, table, false);
        break;
      case 'backup': {
        if (await catalog.has(schema, op.backupTable)) {
          invalidOptions([...at, 'backupTable'], `table ${qualified(schema, op.backupTable)} exists: a backup never overwrites`);
        }
        backupTable(server, schema, table, op.backupTable).forEach((statement, which) =>
          list.add(statement, which === 0 ? [dropTable(schema, op.backupTable)] : []),
        );
        catalog.set(schema, op.backupTable, true);
        break;
      }
      case 'restore': {
        if (!(await catalog.has(schema, op.fromTable))) {
          invalidOptions([...at, 'fromTable'], `table ${qualified(schema, op.fromTable)} does not exist`);
        }
        const info = await current();
        for (const statement of restoreTable(
          schema,
          table,
          op.fromTable,
          info?.columns.map((column) => column.name),
        ))
          list.add(statement, null);
        break;
      }
    }
    if (list.statements.length === 0) {
      warnings.push(`step ${position + 1} (${describeOperation(op)}) is left out: it has nothing to do on ${server.flavor}`);
      continue;
    }
    steps.push({ operation: op, requested: position, statements: list.statements, losesData, ownTransaction: op.type === 'restore' });
  }
  return { steps: await withBackups(db, server, settings, steps, undefined, catalog), warnings };
}

/**
 * Plans a migration: the operator's steps when the options name some, else
 * the steps from the layout. Runs nothing; `db` may be a transaction.
 */
export async function planMigration(
  db: Kysely<any>,
  server: SqlServer,
  layout: SqlLayout,
  settings: MigrationSettings,
  options: MetadataMigrateOptions,
): Promise<MigrationDraft> {
  const explicit = options.steps !== undefined && options.steps.length > 0;
  return explicit
    ? planExplicit(db, server, layout, settings, options.steps!)
    : planFromLayout(db, server, layout, settings, options.allowDataLoss);
}

// ---------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------

/** The ids of the applied-migration log so far. */
async function loggedIds(db: Kysely<any>, layout: SqlLayout, tableExists: boolean): Promise<number> {
  if (!tableExists) return 0;
  const { rows } = await sql<{
    id: unknown;
  }>`SELECT ${sql.id('id')} AS id FROM ${tableRef(layout.tables.schema, layout.tables.migrations)}`.execute(db);
  return rows.reduce<number>((highest, row) => {
    const match = /^(\d+)_/.exec(String(row.id));
    return match ? Math.max(highest, Number(match[1])) : highest;
  }, 0);
}

/** The log row of an applied step: `<6-digit sequence>_<type>_<table>`, the checksum, a description and the statements. */
function logRow(layout: SqlLayout, sequence: number, step: PlannedStep, now: Date): RawBuilder<unknown> {
  const statements = step.statements.map((statement) => statement.query.sql);
  const id = `${String(sequence).padStart(6, '0')}_${step.operation.type}_${step.operation.table}`.slice(0, 128);
  const columns = sql.join(['id', 'checksum', 'description', 'applied_at', 'statements'].map((column) => sql.id(column)));
  const values = sql.join([id, stepChecksum(statements), describeOperation(step.operation), now.toISOString(), JSON.stringify(statements)]);
  return sql`INSERT INTO ${tableRef(layout.tables.schema, layout.tables.migrations)} (${columns}) VALUES (${values})`;
}

/** Runs a step's statements in order; a failure is a StepFailed naming the statement. */
async function runStatements(db: Kysely<any>, stepIndex: number, statements: readonly PlannedStatement[]): Promise<void> {
  for (const [index, statement] of statements.entries()) {
    try {
      await db.executeQuery(statement.query);
    } catch (error) {
      throw new StepFailed(stepIndex, index, error);
    }
  }
}

/**
 * Runs every step and logs it inside the caller's transaction (PostgreSQL,
 * SQLite); a failed statement fails the call, and the caller's transaction
 * rolls everything back.
 */
async function runAtomically(
  trx: Kysely<any>,
  server: SqlServer,
  layout: SqlLayout,
  draft: MigrationDraft,
  options: ApplyOptions,
  now: Date,
): Promise<void> {
  if (draft.steps.length === 0) return;
  const logExists = await checkRunnable(trx, server, layout, draft, options);
  const logged = await loggedIds(trx, layout, logExists);
  try {
    for (const [index, step] of draft.steps.entries()) await runStatements(trx, index, step.statements);
  } catch (error) {
    if (error instanceof StepFailed) {
      stepFailure(server, draft, error, '; the migration runs in one transaction, which rolled back: nothing was applied');
    }
    throw error;
  }
  for (const [index, step] of draft.steps.entries()) await logRow(layout, logged + index + 1, step, now).execute(trx);
}

/** Undoes a failed MySQL step: its rollback script, or the inverses of the statements it ran, last first. Returns what happened, for the message. */
async function undoStep(db: Kysely<any>, step: PlannedStep, ran: number): Promise<string> {
  if (step.rollbackScript) {
    try {
      for (const query of step.rollbackScript) await db.executeQuery(query);
      return 'its rollbackScript ran';
    } catch (error) {
      return `its rollbackScript failed too (error ${codeOf(error)}): the step may be partly applied`;
    }
  }
  if (ran === 0) return 'none of its statements had taken effect';
  const done = step.statements.slice(0, ran);
  if (done.some((statement) => statement.undo === null)) {
    return `${ran} of its statements had taken effect and cannot be undone: the step is partly applied`;
  }
  try {
    for (const statement of [...done].reverse()) for (const query of statement.undo!) await db.executeQuery(query);
    return `the ${ran} statement${ran === 1 ? '' : 's'} that had taken effect ${ran === 1 ? 'was' : 'were'} undone`;
  } catch (error) {
    return `undoing the ${ran} statements that had taken effect failed (error ${codeOf(error)}): the step may be partly applied`;
  }
}

/** Runs the steps one by one (MySQL), logging each; a failed step is undone before the typed error. */
async function runStepByStep(
  db: Kysely<any>,
  server: SqlServer,
  layout: SqlLayout,
  draft: MigrationDraft,
  logExists: boolean,
  now: Date,
): Promise<void> {
  const logged = await loggedIds(db, layout, logExists);
  // Steps applied before the log table exists (the plan creates it) are logged as soon as it does.
  const unlogged: number[] = [];
  let canLog = logExists;
  for (const [index, step] of draft.steps.entries()) {
    try {
      if (step.ownTransaction) await db.transaction().execute((trx) => runStatements(trx, index, step.statements));
      else await runStatements(db, index, step.statements);
    } catch (error) {
      if (!(error instanceof StepFailed)) throw error;
      const outcome = step.ownTransaction ? 'its transaction rolled back' : await undoStep(db, step, error.statement);
      const applied = index === 0 ? 'no earlier step was applied' : `steps 1 to ${index} stay applied (MySQL commits DDL as it runs)`;
      stepFailure(server, draft, error, `; ${outcome}; ${applied}`);
    }
    unlogged.push(index);
    if (!canLog) {
      const tables = await listTables(db, server, layout.tables.schema);
      canLog = tables.some((name) => sameName(server, name, layout.tables.migrations));
    }
    if (canLog) {
      for (const done of unlogged) await logRow(layout, logged + done + 1, draft.steps[done]!, now).execute(db);
      unlogged.length = 0;
    }
  }
}

/** The typed error of a failed step: where it failed, the driver's error code, and what the database holds now. */
function stepFailure(server: SqlServer, draft: MigrationDraft, failure: StepFailed, outcome: string): never {
  const step = draft.steps[failure.step]!;
  const message =
    `step ${failure.step + 1} of ${draft.steps.length} (${describeOperation(step.operation)}) failed at statement ${failure.statement + 1} of ${step.statements.length}: ` +
    `${server.flavor} refused it with error ${codeOf(failure.reason)}${outcome}`;
  // A lost connection, a timeout or a lost race may pass when tried again; anything else is the step itself.
  if (classifyDriverError(failure.reason) !== 'unique_violation' && classifyDriverError(failure.reason) !== 'other') {
    fail({ code: 'unavailable', message: message.slice(0, 2000) });
  }
  const issue: InputIssue = {
    path: step.requested !== undefined ? ['steps', step.requested] : [],
    code: 'migration_step_failed',
    message: message.slice(0, 1000),
  };
  fail({ code: 'invalid_input', message: message.slice(0, 2000), issues: [issue] });
}

interface ApplyOptions {
  allowDataLoss: boolean;
  /** The plan runs an operator's steps, which never create the store's tables: the log table must exist. */
  explicit: boolean;
}

/** Checks a plan before it runs: losing steps need allowDataLoss; explicit steps need the log table. */
async function checkRunnable(
  db: Kysely<any>,
  server: SqlServer,
  layout: SqlLayout,
  draft: MigrationDraft,
  options: ApplyOptions,
): Promise<boolean> {
  const losing = draft.steps.find((step) => step.losesData);
  if (losing && !options.allowDataLoss) {
    invalidOptions(
      ['allowDataLoss'],
      `the step ${describeOperation(losing.operation)} can lose data: applying it needs allowDataLoss true`,
    );
  }
  const tables = await listTables(db, server, layout.tables.schema);
  const logExists = tables.some((name) => sameName(server, name, layout.tables.migrations));
  if (options.explicit && !logExists) {
    invalidOptions(
      ['steps'],
      `the store's tables (${layout.tables.migrations} among them) do not exist yet, so the steps could not be logged: migrate without explicit steps first`,
    );
  }
  return logExists;
}

/**
 * Plans and applies under the migration lock (R10) on one connection of
 * `db`: `plan` runs once the lock is held, so the plan is the one applied.
 */
async function applyUnderLock(
  db: Kysely<any>,
  server: SqlServer,
  layout: SqlLayout,
  settings: MigrationSettings,
  now: Date,
  plan: (conn: Kysely<any>) => Promise<MigrationDraft>,
  options: ApplyOptions,
): Promise<MigrationDraft> {
  const timeoutMs = Math.max(0, settings.lockTimeoutMs);
  return db.connection().execute(async (conn) => {
    switch (server.driver) {
      case 'postgres':
        return withPostgresLock(conn, layout, timeoutMs, () =>
          conn.transaction().execute(async (trx) => {
            const draft = await plan(trx);
            await runAtomically(trx, server, layout, draft, options, now);
            return draft;
          }),
        );
      case 'mysql':
        return withMysqlLock(conn, layout, timeoutMs, async () => {
          const draft = await plan(conn);
          if (draft.steps.length === 0) return draft;
          const logExists = await checkRunnable(conn, server, layout, draft, options);
          await runStepByStep(conn, server, layout, draft, logExists, now);
          return draft;
        });
      case 'sqlite':
        return withoutBusyWait(conn, () => runSqlite(conn, server, layout, timeoutMs, now, plan, options));
    }
  });
}

/** SQLite: the lock row (when the lock table exists), then the whole plan in one BEGIN IMMEDIATE transaction. */
async function runSqlite(
  conn: Kysely<any>,
  server: SqlServer,
  layout: SqlLayout,
  timeoutMs: number,
  now: Date,
  plan: (conn: Kysely<any>) => Promise<MigrationDraft>,
  options: ApplyOptions,
): Promise<MigrationDraft> {
  const holder = newHolder();
  const deadline = Date.now() + timeoutMs;
  const rowTaken = await takeSqliteLockRow(conn, layout, holder, deadline, timeoutMs);
  let released = !rowTaken;
  try {
    await beginImmediate(conn, layout, deadline, timeoutMs);
    try {
      if (rowTaken) await checkSqliteLockRow(conn, layout, holder, timeoutMs);
      const draft = await plan(conn);
      await runAtomically(conn, server, layout, draft, options, now);
      if (rowTaken) await deleteSqliteLockRow(conn, layout, holder);
      await sql`COMMIT`.execute(conn);
      released = true;
      return draft;
    } catch (error) {
      await rollbackQuietly(conn);
      throw error;
    }
  } finally {
    if (!released) await releaseSqliteLockRow(conn, layout, holder);
  }
}

// ---------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------

/**
 * Migrate as MetadataStore.migrate does, after the store checked the
 * context: options parsed (MetadataMigrateOptions); role is the caller's
 * role. Dry run: the exact statements, nothing run (R11). Apply: operator
 * role (else forbidden operator_only), under the migration lock (R10), a
 * backup step before any step that loses data, steps that lose data only
 * with allowDataLoss (R9), every applied step logged with its checksum.
 * PostgreSQL and SQLite: one transaction, atomic true. MySQL/MariaDB: atomic
 * false and transactional false on every step (R46); a failed step runs its
 * rollback and the migration fails with a typed error.
 */
export async function migrateSchema(
  db: Kysely<any>,
  server: SqlServer,
  layout: SqlLayout,
  settings: MigrationSettings,
  options: MetadataMigrateOptions,
  role: MetadataCallerRole,
  now: Date,
): Promise<MetadataMigrationPlan> {
  checkExplicitSteps(server, options);
  if (!options.dryRun && role !== 'operator') {
    fail({ code: 'forbidden', reason: 'operator_only', message: 'applying a migration needs the operator role' });
  }
  const plan = (conn: Kysely<any>) => planMigration(conn, server, layout, settings, options);
  if (options.dryRun) {
    const draft = await guarded(`planning the migration of ${qualifiedName(layout)}`, () => plan(db));
    return toMigrationPlan(server, draft, false);
  }
  const explicit = options.steps !== undefined && options.steps.length > 0;
  const draft = await guarded(`the migration of ${qualifiedName(layout)}`, () =>
    applyUnderLock(db, server, layout, settings, now, plan, { allowDataLoss: options.allowDataLoss, explicit }),
  );
  return toMigrationPlan(server, draft, true);
}

/** What a schema lacks or holds wrongly, for a message. */
export function describeInspection(inspection: SchemaInspection): string {
  const parts = [
    ...inspection.missingTables.map((table) => `table ${table} is missing`),
    ...inspection.missingColumns.map((missing) => `${missing.table} lacks column ${missing.column}`),
    ...inspection.missingIndexes.map((index) => `index ${index} is missing`),
    ...inspection.changedIndexes.map((change) => `index ${change.name} is ${change.actual}, the layout defines ${change.expected}`),
    ...inspection.mismatchedColumns.map((mismatch) => `column ${mismatch.column} of ${mismatch.table}: ${mismatch.problem}`),
  ];
  const shown = parts.slice(0, 8).join('; ');
  return parts.length > 8 ? `${shown} (and ${parts.length - 8} more)` : shown;
}

/**
 * At open with autoMigrate: create what is missing (tables, columns,
 * indexes), adding only, under the lock. Without autoMigrate: fail with
 * unavailable when the schema is missing or behind, saying what to run.
 * A schema written by a newer runtime (layout_version above this one's)
 * fails either way.
 */
export async function prepareSchema(
  db: Kysely<any>,
  server: SqlServer,
  layout: SqlLayout,
  settings: MigrationSettings,
  now: Date,
): Promise<void> {
  const name = qualifiedName(layout);
  const state = await guarded(`reading the schema of ${name}`, () => readSchemaState(db, server, layout));
  const version = state.inspection.layoutVersion;
  if (version !== undefined && version !== LAYOUT_VERSION) {
    fail({
      code: 'unavailable',
      message: `the tables of ${name} have layout_version ${version}, and this runtime knows layout ${LAYOUT_VERSION} only: upgrade the runtime`,
    });
  }
  if (state.inspection.upToDate) return;
  if (!settings.autoMigrate) {
    fail({
      code: 'unavailable',
      message:
        `the tables of ${name} are not up to date (${describeInspection(state.inspection)}) and migration.autoMigrate is false: run migrate with dryRun false as an operator`.slice(
          0,
          2000,
        ),
    });
  }
  await guarded(`the automatic migration of ${name}`, () =>
    applyUnderLock(db, server, layout, settings, now, (conn) => planFromLayout(conn, server, layout, settings, false), {
      allowDataLoss: false,
      explicit: false,
    }),
  );
  const after = await guarded(`reading the schema of ${name}`, () => readSchemaState(db, server, layout));
  if (!after.inspection.upToDate) {
    fail({
      code: 'unsupported_capability',
      message:
        `after the automatic migration the tables of ${name} are still not up to date: ${describeInspection(after.inspection)}`.slice(
          0,
          2000,
        ),
      capability: 'automatic_migration',
    });
  }
}

/** The cursor signing secret from the settings table (the same for every client of the database). */
export async function readCursorSecret(db: Kysely<any>, layout: SqlLayout): Promise<Buffer> {
  const table = qualified(layout.tables.schema, layout.tables.settings);
  const rows = await guarded(`reading the cursor secret from ${table}`, async () => {
    const result = await sql<{
      value: unknown;
    }>`SELECT ${sql.id('value')} AS value FROM ${tableRef(layout.tables.schema, layout.tables.settings)}
                                                 WHERE ${sql.id('name')} = ${CURSOR_SECRET_SETTING}`.execute(db);
    return result.rows;
  });
  const value = rows[0]?.value;
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) {
    fail({
      code: 'unavailable',
      message:
        value === undefined
          ? `${table} holds no ${CURSOR_SECRET_SETTING}: the store's first migration writes it`
          : `the ${CURSOR_SECRET_SETTING} in ${table} is not 64 lowercase hex digits`,
    });
  }
  return Buffer.from(value, 'hex');
}
