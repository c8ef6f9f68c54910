import { z } from 'zod';
import { SqlIdentifierSchema } from '../../shared/identifier.zod';
import { define, withRules, type CrossFieldRule } from '../../shared/registry';
import { boundedText } from '../../shared/text';
import { MetadataRecordFieldSchema } from '../metadata-record.zod';
import { MetadataIndexSchema, MetadataTableSchemaSchema } from './metadata-table.zod';

const SQL_DIALECTS = ['postgres', 'mysql', 'sqlite'] as const;

function sqlScript(description: string) {
  return z
    .strictObject({
      dialect: z.enum(SQL_DIALECTS).meta({
        description: "SQL dialect of the script; it must match the datasource's driver. MongoDB takes no SQL script.",
        examples: ['postgres'],
      }),
      sql: boundedText(1, 1_000_000).meta({
        description: 'The SQL statements, 1 to 1,000,000 characters.',
        examples: ['ALTER TABLE _framework_metadata ADD COLUMN checksum text'],
      }),
    })
    .optional()
    .meta({ description });
}

function acknowledgeDataLoss(description: string) {
  return z.literal(true).meta({ description });
}

interface MigrationCommon {
  script?: { dialect: string } | undefined;
  rollbackScript?: { dialect: string } | undefined;
}

/** A function rather than a constant, so an unused import leaves nothing behind. */
function scriptDialectsMatch(): CrossFieldRule<MigrationCommon> {
  return {
    name: 'script_dialects_match',
    message: 'rollbackScript must be in the same dialect as script',
    path: ['rollbackScript', 'dialect'],
    holds: (op) => op.script === undefined || op.rollbackScript === undefined || op.script.dialect === op.rollbackScript.dialect,
    jsonSchema: {
      allOf: SQL_DIALECTS.map((dialect) => ({
        if: { properties: { script: { properties: { dialect: { const: dialect } }, required: ['dialect'] } }, required: ['script'] },
        then: { properties: { rollbackScript: { properties: { dialect: { const: dialect } } } } },
      })),
    },
  };
}

/** A strict migration step of `type`: the common fields and the variant's own. */
function migrationStep<T extends string, S extends z.ZodRawShape>(type: T, shape: S) {
  return z.strictObject({
    type: z.literal(type).meta({ description: 'Kind of migration step.' }),
    table: SqlIdentifierSchema.meta({ description: 'Table (or collection) the step acts on.', examples: ['_framework_metadata'] }),
    schema: SqlIdentifierSchema.optional().meta({
      description: "PostgreSQL schema or MySQL database of the table; absent: the connection's default.",
      examples: ['metadata'],
    }),
    dryRun: z
      .boolean()
      .default(false)
      .meta({ description: 'Plan the step and report its statements without running them. Default false.' }),
    script: sqlScript(
      'SQL to run for this step instead of the statements the runtime would generate. Trusted operator input: it runs as written, so it must never be built from user data.',
    ),
    rollbackScript: sqlScript(
      'SQL that undoes this step, run if the step fails part way (needed where DDL is not transactional, as on MySQL). Trusted operator input, never built from user data.',
    ),
    ...shape,
  });
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function alterChange() {
  return z
    .discriminatedUnion('action', [
      z
        .strictObject({
          action: z.literal('add_column').meta({ description: 'Add a column.' }),
          field: MetadataRecordFieldSchema.meta({
            description: 'Record field the new column stores; it decides the column type.',
            examples: ['checksum'],
          }),
          column: SqlIdentifierSchema.meta({ description: 'Name of the new column.', examples: ['checksum'] }),
        })
        .meta({ description: 'Add the column of a record field (on MongoDB nothing to do: documents gain the field on write).' }),
      z
        .strictObject({
          action: z.literal('drop_column').meta({ description: 'Drop a column.' }),
          column: SqlIdentifierSchema.meta({ description: 'Column to drop.', examples: ['legacy_notes'] }),
          acknowledgeDataLoss: acknowledgeDataLoss('Must be true: dropping a column deletes its data.'),
        })
        .meta({ description: 'Drop a column and its data (on MongoDB: unset the field in every document).' }),
      z
        .strictObject({
          action: z.literal('add_index').meta({ description: 'Create an index.' }),
          index: MetadataIndexSchema.meta({ description: 'The index to create.' }),
        })
        .meta({ description: 'Create an index.' }),
      z
        .strictObject({
          action: z.literal('drop_index').meta({ description: 'Drop an index.' }),
          name: SqlIdentifierSchema.meta({ description: 'Name of the index to drop.', examples: ['metadata_updated_at_idx'] }),
        })
        .meta({ description: 'Drop an index; no data is lost.' }),
    ])
    .meta({
      description: 'One change to the table: add or drop a column or an index.',
      examples: [{ action: 'drop_index', name: 'metadata_updated_at_idx' }],
    });
}

/** One step of a metadata table migration: create, alter, drop, backup or restore. */
export const MetadataMigrationOperationSchema = /* @__PURE__ */ define('MetadataMigrationOperation', () =>
  z
    .discriminatedUnion('type', [
      withRules(
        migrationStep('create', {
          tableSchema: MetadataTableSchemaSchema.prefault({}).meta({
            description:
              "Layout of the new table: its columns and indexes (the storage layout follows the datasource's driver). Its tableName and schema must be the step's table and schema.",
          }),
        }),
        [
          scriptDialectsMatch(),
          {
            name: 'table_schema_matches_target',
            message: "tableSchema.tableName and tableSchema.schema must equal the step's table and schema",
            path: ['tableSchema', 'tableName'],
            holds: (op) => op.tableSchema.tableName === op.table && op.tableSchema.schema === op.schema,
          },
        ],
        {
          description: 'Create the metadata table (or collection) with its columns and indexes. Fails if it exists.',
          examples: [{ type: 'create', table: '_framework_metadata' }],
        },
      ),
      withRules(
        migrationStep('alter', {
          changes: z.array(alterChange()).min(1).max(64).meta({ description: '1 to 64 changes, applied in order.' }),
        }),
        [scriptDialectsMatch()],
        {
          description:
            'Change an existing table: add or drop columns and indexes. Dropping a column needs acknowledgeDataLoss on that change.',
          examples: [
            { type: 'alter', table: '_framework_metadata', changes: [{ action: 'add_column', field: 'checksum', column: 'checksum' }] },
          ],
        },
      ),
      withRules(
        migrationStep('drop', {
          acknowledgeDataLoss: acknowledgeDataLoss('Must be true: dropping the table deletes every record in it.'),
        }),
        [scriptDialectsMatch()],
        {
          description: 'Drop the table (or collection) and every record in it.',
          examples: [{ type: 'drop', table: '_framework_metadata_old', acknowledgeDataLoss: true }],
        },
      ),
      withRules(
        migrationStep('backup', {
          backupTable: SqlIdentifierSchema.meta({
            description: 'New table the records are copied to, in the same schema; it must not exist (a backup never overwrites).',
            examples: ['_framework_metadata_bak_20260131'],
          }),
        }),
        [
          scriptDialectsMatch(),
          {
            name: 'source_differs_from_target',
            message: 'backupTable must differ from table, ignoring case',
            path: ['backupTable'],
            holds: (op) => !sameName(op.table, op.backupTable),
          },
        ],
        {
          description: 'Copy every record of the table to a new backup table.',
          examples: [{ type: 'backup', table: '_framework_metadata', backupTable: '_framework_metadata_bak_20260131' }],
        },
      ),
      withRules(
        migrationStep('restore', {
          fromTable: SqlIdentifierSchema.meta({
            description: 'Backup table to restore from, in the same schema.',
            examples: ['_framework_metadata_bak_20260131'],
          }),
          acknowledgeDataLoss: acknowledgeDataLoss('Must be true: restoring replaces every record in the table.'),
        }),
        [
          scriptDialectsMatch(),
          {
            name: 'source_differs_from_target',
            message: 'fromTable must differ from table, ignoring case',
            path: ['fromTable'],
            holds: (op) => !sameName(op.table, op.fromTable),
          },
        ],
        {
          description: 'Replace every record of the table with the records of a backup table.',
          examples: [
            { type: 'restore', table: '_framework_metadata', fromTable: '_framework_metadata_bak_20260131', acknowledgeDataLoss: true },
          ],
        },
      ),
    ])
    .meta({
      description:
        'One step of a metadata table migration. Steps that lose data (drop, restore, and dropping a column) require acknowledgeDataLoss: true. Raw SQL appears only in script and rollbackScript, which are trusted operator input.',
      examples: [{ type: 'backup', table: '_framework_metadata', backupTable: '_framework_metadata_bak_20260131' }],
    }),
);
export type MetadataMigrationOperation = z.output<typeof MetadataMigrationOperationSchema>;
export type MetadataMigrationOperationInput = z.input<typeof MetadataMigrationOperationSchema>;
