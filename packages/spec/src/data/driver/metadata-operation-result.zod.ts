import { z } from 'zod';
import { MAX_SAFE_COUNT } from '../../shared/limits';
import { OpaqueIdSchema } from '../../shared/opaque-id.zod';
import { define, withRules } from '../../shared/registry';
import { boundedText } from '../../shared/text';

/** Why one item of a write failed. */
export const MetadataOperationErrorCodeSchema = /* @__PURE__ */ define('MetadataOperationErrorCode', () =>
  z.enum(['version_conflict', 'already_exists', 'not_found', 'invalid', 'constraint_violation', 'timeout', 'unavailable']).meta({
    description:
      'Why an item failed. version_conflict: the stored version is not the expected one (never retried, never overwritten; HTTP 409); already_exists: a create met an item with the same key; not_found: an update or delete named no stored item; invalid: the item failed validation; constraint_violation: the database refused it (a unique index, say); timeout: the statement or transaction timed out; unavailable: the datasource could not be reached.',
    examples: ['version_conflict'],
  }),
);
export type MetadataOperationErrorCode = z.output<typeof MetadataOperationErrorCodeSchema>;
export type MetadataOperationErrorCodeInput = z.input<typeof MetadataOperationErrorCodeSchema>;

const version = (description: string) =>
  z
    .int()
    .min(1)
    .max(MAX_SAFE_COUNT)
    .meta({ description, examples: [3] });

/** The error of one failed item: a code, a message safe to show, and for conflicts the two versions. */
export const MetadataOperationErrorSchema = /* @__PURE__ */ define('MetadataOperationError', () =>
  withRules(
    z.strictObject({
      code: MetadataOperationErrorCodeSchema.meta({ description: 'What went wrong.' }),
      message: boundedText(1, 2000).meta({
        description:
          'What went wrong, for people, at most 2000 characters. Never holds a secret, a connection string or a resolved secret reference.',
        examples: ['stored version is 4, the change was based on version 3'],
      }),
      path: z
        .array(z.union([z.string(), z.int().min(0)]))
        .max(32)
        .optional()
        .meta({ description: 'Path of the offending field inside the item, for invalid items.', examples: [['payload', 'fields']] }),
      expectedVersion: version('Version the write was based on; present on version_conflict.').optional(),
      actualVersion: version('Version found in the store; present on version_conflict.').optional(),
    }),
    [
      {
        name: 'version_conflict_names_both_versions',
        message: 'a version_conflict error names expectedVersion and actualVersion',
        path: ['actualVersion'],
        holds: (e) => e.code !== 'version_conflict' || (e.expectedVersion !== undefined && e.actualVersion !== undefined),
        jsonSchema: {
          if: { properties: { code: { const: 'version_conflict' } }, required: ['code'] },
          then: { required: ['expectedVersion', 'actualVersion'] },
        },
      },
    ],
    {
      description:
        'The error of one failed item. A version conflict names the version the write was based on and the version stored, so a client can reload and retry deliberately.',
      examples: [
        {
          code: 'version_conflict',
          message: 'stored version is 4, the change was based on version 3',
          expectedVersion: 3,
          actualVersion: 4,
        },
      ],
    },
  ),
);
export type MetadataOperationError = z.output<typeof MetadataOperationErrorSchema>;
export type MetadataOperationErrorInput = z.input<typeof MetadataOperationErrorSchema>;

/** What happened to one item of a bulk operation or import. */
export const MetadataItemResultSchema = /* @__PURE__ */ define('MetadataItemResult', () =>
  withRules(
    z.strictObject({
      index: z
        .int()
        .min(0)
        .max(MAX_SAFE_COUNT)
        .meta({ description: 'Position of the item in the request, from 0.', examples: [0] }),
      id: OpaqueIdSchema.optional().meta({ description: 'Id of the stored item, when one exists or was created.' }),
      status: z.enum(['created', 'updated', 'replaced', 'deleted', 'skipped', 'unchanged', 'failed', 'not_attempted']).meta({
        description:
          'Outcome. In a dry run the status says what would have happened. not_attempted: the operation stopped (or rolled back) before this item, because an earlier item failed without continueOnError.',
        examples: ['updated'],
      }),
      version: version('Version of the item after the write (or that it would have).').optional(),
      error: MetadataOperationErrorSchema.optional().meta({ description: 'Why the item failed; present exactly when status is failed.' }),
    }),
    [
      {
        name: 'failed_item_has_error',
        message: 'error is present exactly when status is "failed"',
        path: ['error'],
        holds: (item) => (item.status === 'failed') === (item.error !== undefined),
        jsonSchema: {
          if: { properties: { status: { const: 'failed' } }, required: ['status'] },
          then: { required: ['error'] },
          else: { not: { required: ['error'] } },
        },
      },
    ],
    {
      description: 'What happened to one item of a bulk operation or an import, by its position in the request.',
      examples: [{ index: 0, id: 'r1', status: 'updated', version: 4 }],
    },
  ),
);
export type MetadataItemResult = z.output<typeof MetadataItemResultSchema>;
export type MetadataItemResultInput = z.input<typeof MetadataItemResultSchema>;

/** The report of a bulk operation or an import: one result per item, and whether anything was written. */
export const MetadataOperationResultSchema = /* @__PURE__ */ define('MetadataOperationResult', () =>
  withRules(
    z.strictObject({
      dryRun: z.boolean().meta({ description: 'True when nothing was written: the statuses say what would have happened.' }),
      committed: z.boolean().meta({
        description:
          'True when the writes were made durable. False for a dry run, and for a transactional (atomic) operation that was rolled back: then no item was written, whatever the item statuses before the failure.',
      }),
      items: z
        .array(MetadataItemResultSchema)
        .max(100_000)
        .meta({ description: 'One result per item of the request, in request order, at most 100,000.' }),
    }),
    [
      {
        name: 'dry_run_commits_nothing',
        message: 'a dry run has committed: false',
        path: ['committed'],
        holds: (r) => !(r.dryRun && r.committed),
        jsonSchema: {
          if: { properties: { dryRun: { const: true } }, required: ['dryRun'] },
          then: { properties: { committed: { const: false } } },
        },
      },
      {
        name: 'items_in_request_order',
        message: 'items[i].index must be i: one result per request item, in order',
        path: ['items'],
        holds: (r) => r.items.every((item, i) => item.index === i),
      },
    ],
    {
      description:
        'The report of a bulk operation or an import: whether it was a dry run, whether anything was committed, and the outcome of each item in request order, with an error on each failed item.',
      examples: [
        {
          dryRun: false,
          committed: true,
          items: [
            { index: 0, id: 'r1', status: 'updated', version: 4 },
            {
              index: 1,
              id: 'r2',
              status: 'failed',
              error: {
                code: 'version_conflict',
                message: 'stored version is 4, the change was based on version 3',
                expectedVersion: 3,
                actualVersion: 4,
              },
            },
          ],
        },
      ],
    },
  ),
);
export type MetadataOperationResult = z.output<typeof MetadataOperationResultSchema>;
export type MetadataOperationResultInput = z.input<typeof MetadataOperationResultSchema>;
