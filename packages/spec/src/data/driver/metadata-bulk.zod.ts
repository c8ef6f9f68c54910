import { z } from 'zod';
import { MachineNameSchema } from '../../shared/identifier.zod';
import { JsonObjectSchema } from '../../shared/json.zod';
import { batchSize, versionNumber } from '../../shared/fields';
import { OpaqueIdSchema } from '../../shared/opaque-id.zod';
import { define, withRules, type CrossFieldRule } from '../../shared/registry';
import { excludesContinueOnError } from '../../shared/rules';
import { MetadataMergeStrategySchema, MetadataRecordWriteSchema, MetadataStateSchema } from '../metadata-record.zod';

const MAX_BULK_ITEMS = 100_000;

function bulkOptions() {
  return {
    batchSize: batchSize('Records written per statement'),
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

function bulkWrites(description: string) {
  return z.array(MetadataRecordWriteSchema).min(1).max(MAX_BULK_ITEMS).meta({ description });
}

function recordChange() {
  return z
    .strictObject({
      id: OpaqueIdSchema.meta({ description: 'Id of the record to change.' }),
      expectedVersion: versionNumber(
        'Version the change was based on. A different stored version is a version_conflict; no record with this id (even one deleted since it was read) is not_found.',
      ),
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
      expectedVersion: versionNumber(
        'Delete only if the stored version is this one (a different one is a version_conflict); absent deletes whatever the version. No record with this id is not_found either way.',
      ).optional(),
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
          records: bulkWrites(
            '1 to 100,000 items to create, none with expectedVersion. An item whose key (tenant, type, namespace, scope, owner, name) is already stored fails with already_exists. Absent content fields take the record defaults (state active, no tags, no extends, mergeStrategy merge).',
          ),
          ...bulkOptions(),
        }),
        [
          ...BULK_RULES,
          {
            // A version check needs a stored item, and a create expects none.
            name: 'create_has_no_expected_version',
            message: 'a create cannot carry expectedVersion: the item must not exist yet, so it has no version to check',
            path: ['records'],
            holds: (op) => op.records.every((write) => write.expectedVersion === undefined),
            jsonSchema: { properties: { records: { items: { not: { required: ['expectedVersion'] } } } } },
          },
        ],
        {
          description: 'Create items.',
          examples: [{ operation: 'create', records: [{ type: 'object', name: 'account', payload: { label: 'Account' } }] }],
        },
      ),
      withRules(
        z.strictObject({
          operation: bulkOperation('upsert'),
          records: bulkWrites(
            '1 to 100,000 items. One whose key is not stored is created (absent content fields take the record defaults). One that is stored gets a new version: its payload replaced whole by the given one, and each given envelope field replacing the stored one (an absent one is kept), as onConflict replace does. With expectedVersion, the write applies only if the stored version equals it: a different one is a version_conflict, and no stored item is not_found.',
          ),
          ...bulkOptions(),
        }),
        BULK_RULES,
        {
          description: 'Create or replace items by key, each guarded by its expectedVersion when given.',
          examples: [
            { operation: 'upsert', records: [{ type: 'object', name: 'account', payload: { label: 'Account' }, expectedVersion: 3 }] },
          ],
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
        'A batch of writes of one kind, written batchSize records per statement. create and upsert take MetadataRecordWrite items; update and delete name records by id. transactional (the default) writes all or nothing, one batch after another; otherwise each batch commits on its own, batches may run concurrently, and continueOnError keeps going past failed records. A version mismatch is a version_conflict, never an overwrite; the report (MetadataOperationResult) gives each item its outcome.',
      examples: [{ operation: 'delete', ids: [{ id: 'rec_42' }] }],
    }),
);
export type MetadataBulkOperation = z.output<typeof MetadataBulkOperationSchema>;
export type MetadataBulkOperationInput = z.input<typeof MetadataBulkOperationSchema>;
