import { z } from 'zod';
import { MachineNameSchema } from '../../shared/identifier.zod';
import { JsonObjectSchema } from '../../shared/json.zod';
import { MAX_SAFE_COUNT } from '../../shared/limits';
import { OpaqueIdSchema } from '../../shared/opaque-id.zod';
import { define, withRules, type CrossFieldRule } from '../../shared/registry';
import { excludesContinueOnError } from '../../shared/rules';
import { MetadataMergeStrategySchema, MetadataRecordSchema, MetadataStateSchema } from '../metadata-record.zod';

const MAX_BULK_ITEMS = 100_000;

function bulkOptions() {
  return {
    batchSize: z
      .int()
      .min(1)
      .max(10_000)
      .default(100)
      .meta({ description: 'Records written per statement, 1 to 10,000; default 100.', examples: [500] }),
    concurrency: z
      .int()
      .min(1)
      .max(32)
      .default(1)
      .meta({
        description: 'Batches written at the same time (parallel writes), 1 to 32; default 1. Above 1 needs transactional: false.',
        examples: [4],
      }),
    continueOnError: z.boolean().default(false).meta({
      description:
        'Keep going after a record fails and report each failure; false stops at the first failure. Needs transactional: false. Default false.',
    }),
    transactional: z.boolean().default(true).meta({
      description:
        'Write every batch in one transaction: all records or none. false commits each batch on its own, so a failure leaves earlier batches written. Default true.',
    }),
    dryRun: z.boolean().default(false).meta({
      description: 'Validate every record and check versions and conflicts, report what would happen, and write nothing. Default false.',
    }),
  };
}

interface BulkOptions {
  concurrency: number;
  continueOnError: boolean;
  transactional: boolean;
}

const BULK_RULES: readonly CrossFieldRule<BulkOptions>[] = [
  excludesContinueOnError('transactional', 'a transaction'),
  {
    name: 'transactional_is_sequential',
    message: 'concurrency above 1 needs transactional: false; one transaction runs on one connection',
    path: ['concurrency'],
    holds: (op) => op.concurrency <= 1 || !op.transactional,
    jsonSchema: {
      if: { properties: { concurrency: { minimum: 2 } }, required: ['concurrency'] },
      then: { properties: { transactional: { const: false } }, required: ['transactional'] },
    },
  },
];

function bulkOperation<O extends string>(operation: O) {
  return z.literal(operation).meta({ description: 'Kind of bulk operation.' });
}

function bulkRecords(description: string) {
  return z.array(MetadataRecordSchema).min(1).max(MAX_BULK_ITEMS).meta({ description });
}

function recordChange() {
  return z
    .strictObject({
      id: OpaqueIdSchema.meta({ description: 'Id of the record to change.' }),
      expectedVersion: z
        .int()
        .min(1)
        .max(MAX_SAFE_COUNT)
        .meta({ description: 'Version the change was based on; if the stored version differs, the change is a conflict.', examples: [3] }),
      set: withRules(
        z.strictObject({
          payload: JsonObjectSchema.optional().meta({ description: 'New payload; replaces the stored payload whole.' }),
          state: MetadataStateSchema.optional().meta({ description: 'New lifecycle state.' }),
          tags: z
            .array(MachineNameSchema)
            .max(64)
            .optional()
            .meta({ description: 'New tags, at most 64; replace the stored tags.', examples: [['crm']] }),
          extends: MachineNameSchema.nullable()
            .optional()
            .meta({ description: 'New parent item name; null removes the parent.', examples: ['account'] }),
          mergeStrategy: MetadataMergeStrategySchema.optional().meta({ description: 'New merge strategy.' }),
        }),
        [
          {
            name: 'set_not_empty',
            message: 'set must change at least one field',
            path: [],
            holds: (set) => Object.values(set).some((value) => value !== undefined),
            jsonSchema: { minProperties: 1 },
          },
        ],
        {
          description:
            'Fields to change, at least one. Only payload, state, tags, extends and mergeStrategy can change; identity fields (tenant, type, namespace, name, scope, owner) never do: delete and create instead.',
          examples: [{ state: 'deprecated' }],
        },
      ),
    })
    .meta({
      description: 'A change to one record, applied only if its stored version is expectedVersion; the write increments the version by 1.',
      examples: [{ id: 'rec_42', expectedVersion: 3, set: { state: 'archived' } }],
    });
}

function deleteTarget() {
  return z
    .strictObject({
      id: OpaqueIdSchema.meta({ description: 'Id of the record to delete.' }),
      expectedVersion: z
        .int()
        .min(1)
        .max(MAX_SAFE_COUNT)
        .optional()
        .meta({
          description: 'Delete only if the stored version is this one (a mismatch is a conflict); absent deletes whatever the version.',
          examples: [3],
        }),
    })
    .meta({ description: 'A record to delete, optionally guarded by its version.', examples: [{ id: 'rec_42', expectedVersion: 3 }] });
}

/** A batch of record writes: create, upsert, update or delete. */
export const MetadataBulkOperationSchema = /* @__PURE__ */ define('MetadataBulkOperation', () =>
  z
    .discriminatedUnion('operation', [
      withRules(
        z.strictObject({
          operation: bulkOperation('create'),
          records: bulkRecords(
            '1 to 100,000 records to create. A record whose identity (tenant, type, namespace, scope, owner, name) exists is a conflict.',
          ),
          ...bulkOptions(),
        }),
        BULK_RULES,
        {
          description: 'Create records.',
          examples: [{ operation: 'create', records: [{ type: 'object', name: 'account', payload: { label: 'Account' } }] }],
        },
      ),
      withRules(
        z.strictObject({
          operation: bulkOperation('upsert'),
          records: bulkRecords(
            "1 to 100,000 records. One whose identity does not exist is created; one that exists is replaced if its stored version equals the record's version, and is a conflict otherwise.",
          ),
          ...bulkOptions(),
        }),
        BULK_RULES,
        {
          description: 'Create or replace records by identity, guarded by version.',
          examples: [{ operation: 'upsert', records: [{ type: 'object', name: 'account', version: 3, payload: { label: 'Account' } }] }],
        },
      ),
      withRules(
        z.strictObject({
          operation: bulkOperation('update'),
          changes: z
            .array(recordChange())
            .min(1)
            .max(MAX_BULK_ITEMS)
            .meta({ description: '1 to 100,000 changes, each to one record by id and guarded by its version.' }),
          ...bulkOptions(),
        }),
        BULK_RULES,
        {
          description: 'Change mutable fields of existing records.',
          examples: [{ operation: 'update', changes: [{ id: 'rec_42', expectedVersion: 3, set: { state: 'archived' } }] }],
        },
      ),
      withRules(
        z.strictObject({
          operation: bulkOperation('delete'),
          ids: z.array(deleteTarget()).min(1).max(MAX_BULK_ITEMS).meta({
            description:
              '1 to 100,000 records to delete, each by id with an optional version guard: the caller wants the record gone whatever its version, but may name the version it read to avoid deleting a change it has not seen.',
          }),
          ...bulkOptions(),
        }),
        BULK_RULES,
        {
          description: 'Delete records by id.',
          examples: [{ operation: 'delete', ids: [{ id: 'rec_42', expectedVersion: 3 }, { id: 'rec_43' }] }],
        },
      ),
    ])
    .meta({
      description:
        'A batch of writes of one kind, written batchSize records per statement. transactional (the default) writes all or nothing, one batch after another; otherwise each batch commits on its own, batches may run concurrently, and continueOnError keeps going past failed records. Version mismatches are conflicts, never overwrites.',
      examples: [{ operation: 'delete', ids: [{ id: 'rec_42' }] }],
    }),
);
export type MetadataBulkOperation = z.output<typeof MetadataBulkOperationSchema>;
export type MetadataBulkOperationInput = z.input<typeof MetadataBulkOperationSchema>;
