import { z } from 'zod';
import { versionNumber } from '../../shared/fields';
import { MAX_SAFE_COUNT } from '../../shared/limits';
import { OpaqueIdSchema } from '../../shared/opaque-id.zod';
import { define, withRules } from '../../shared/registry';
import { boundedText } from '../../shared/text';

/** Why one item of a write failed. */
export const MetadataOperationErrorCodeSchema = /* @__PURE__ */ define('MetadataOperationErrorCode', () =>
  z.enum(['version_conflict', 'already_exists', 'not_found', 'invalid', 'constraint_violation', 'timeout', 'unavailable']).meta({
    description:
      'Why an item failed. version_conflict: the item is stored with another version than the expected one (never retried, never overwritten; HTTP 409); already_exists: a create met a stored item with the same key; not_found: an update, delete or save named an item that is not stored, even one named with an expectedVersion that has since been deleted (not a version conflict; HTTP 404); invalid: the item failed validation; constraint_violation: the database refused it (a unique index, say); timeout: the statement or transaction timed out; unavailable: the datasource could not be reached.',
    examples: ['version_conflict'],
  }),
);
export type MetadataOperationErrorCode = z.output<typeof MetadataOperationErrorCodeSchema>;
export type MetadataOperationErrorCodeInput = z.input<typeof MetadataOperationErrorCodeSchema>;

/** The fields of every error variant but the ones its code adds. */
function errorFields<const C extends MetadataOperationErrorCode>(codes: readonly [C, ...C[]], meaning: string) {
  return {
    code: MetadataOperationErrorCodeSchema.extract(codes).meta({ description: meaning }),
    message: boundedText(1, 2000).meta({
      description:
        'What went wrong, for people, 1 to 2000 characters. Never holds a secret, a connection string or a resolved secret reference.',
      examples: ['stored version is 4, the change was based on version 3'],
    }),
  };
}

/** The error of one failed item: one shape per code, each with exactly the fields a client needs to act on it. */
export const MetadataOperationErrorSchema = /* @__PURE__ */ define('MetadataOperationError', () =>
  z
    .discriminatedUnion('code', [
      z
        .strictObject({
          ...errorFields(['version_conflict'], 'version_conflict: the item is stored, with another version than the write expected.'),
          expectedVersion: versionNumber('Version the write was based on.'),
          actualVersion: versionNumber('Version stored now.', 4),
        })
        .meta({
          description:
            'The item is stored and its version is not the one the write expected: nothing was written. Names both versions, so a client can reload and decide.',
          examples: [
            {
              code: 'version_conflict',
              message: 'stored version is 4, the change was based on version 3',
              expectedVersion: 3,
              actualVersion: 4,
            },
          ],
        }),
      z
        .strictObject({
          ...errorFields(['not_found'], 'not_found: the item the write named is not stored.'),
          expectedVersion: versionNumber('Version the write was based on, when it named one.').optional(),
        })
        .meta({
          description:
            'An update, delete or save named an item (by id or by key) that is not stored, including an item read at expectedVersion and deleted since. Not a version conflict: there is no stored version to compare.',
          examples: [{ code: 'not_found', message: 'no item rec_42', expectedVersion: 3 }],
        }),
      z
        .strictObject({
          ...errorFields(['already_exists'], 'already_exists: a create met a stored item with the same key.'),
          existingId: OpaqueIdSchema.meta({ description: 'Storage id of the stored item with the same key.', examples: ['rec_42'] }),
          actualVersion: versionNumber('Version of the stored item.', 4),
        })
        .meta({
          description:
            'A create (a bulk create, a save or an import with onConflict error) met a stored item with the same key. Names the stored item and its version, so a client can update it deliberately instead.',
          examples: [{ code: 'already_exists', message: 'object crm.account already exists', existingId: 'rec_42', actualVersion: 4 }],
        }),
      z
        .strictObject({
          ...errorFields(['invalid'], 'invalid: the item failed validation.'),
          path: z
            .array(z.union([z.string(), z.int().min(0)]))
            .max(32)
            .optional()
            .meta({
              description: 'Path of the offending field inside the item, when one field is at fault.',
              examples: [['payload', 'fields']],
            }),
        })
        .meta({
          description: 'The item failed validation; path names the offending field when one is at fault.',
          examples: [{ code: 'invalid', message: 'payload.fields must be an object', path: ['payload', 'fields'] }],
        }),
      z
        .strictObject({
          ...errorFields(
            ['constraint_violation', 'timeout', 'unavailable'],
            'constraint_violation: the database refused the item; timeout: the statement or transaction timed out; unavailable: the datasource could not be reached.',
          ),
        })
        .meta({
          description: 'A failure of the database or the connection: the code and a message, nothing more.',
          examples: [{ code: 'timeout', message: 'transaction exceeded 30000 ms' }],
        }),
    ])
    .meta({
      description:
        'The error of one failed item, one shape per code. version_conflict names expectedVersion and actualVersion; not_found names the expectedVersion the write gave, if any; already_exists names the stored item (existingId) and its actualVersion; invalid may name the offending path; constraint_violation, timeout and unavailable carry only the message. Every variant has a code and a message safe to show; no other key is accepted.',
      examples: [
        {
          code: 'version_conflict',
          message: 'stored version is 4, the change was based on version 3',
          expectedVersion: 3,
          actualVersion: 4,
        },
      ],
    }),
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
      version: versionNumber('Version of the item after the write (or that it would have).', 4).optional(),
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
