import { z } from 'zod';
import { DateTimeSchema } from '../../shared/date-time.zod';
import { MachineNameSchema } from '../../shared/identifier.zod';
import { JsonValueSchema } from '../../shared/json.zod';
import { MAX_SAFE_COUNT } from '../../shared/limits';
import { OpaqueIdSchema } from '../../shared/opaque-id.zod';
import { define, withRules } from '../../shared/registry';
import { boundedText } from '../../shared/text';
import { METADATA_RECORD_FIELDS, MetadataRecordFieldSchema, MetadataScopeSchema, MetadataStateSchema } from '../metadata-record.zod';

/** A payload path segment: a safe identifier, so a path maps to a JSON path or key array without escaping. */
const PAYLOAD_SEGMENT = '[A-Za-z_][A-Za-z0-9_]{0,62}';

/** One value of `item`, or 1 to `max` of them; a list matches any of its values. */
function oneOrMany<T extends z.ZodType>(item: T, max: number) {
  return z.union([
    item,
    z
      .array(item)
      .min(1)
      .max(max)
      .meta({ description: `1 to ${max} values; a record matches when it has any of them.` }),
  ]);
}

/**
 * What a condition tests: a record field other than the open payload, or a
 * path into the payload. One pattern rather than a union of an enum and a
 * pattern, so a bad field gets one clear message (and the same in JSON Schema).
 */
function conditionField() {
  const fields = METADATA_RECORD_FIELDS.filter((field) => field !== 'payload');
  return z
    .string()
    .regex(new RegExp(`^(?:${fields.join('|')}|payload(?:\\.${PAYLOAD_SEGMENT}){1,8})$`), {
      error:
        'must be a record field other than payload (such as type or updatedAt) or a payload path: "payload." and 1 to 8 dot-separated segments of letters, digits and underscores, not starting with a digit',
    })
    .meta({
      description: `What the condition tests: a record field other than payload (${fields.join(', ')}), named as in the record and never as a column, or a path into the payload: "payload." and 1 to 8 dot-separated segments, each letters, digits and underscores not starting with a digit, at most 63 characters. Never SQL; the runtime maps it to a column or a bound JSON path itself.`,
      examples: ['type', 'updatedAt', 'payload.label', 'payload.fields.name'],
    });
}

/** A JSON scalar, for `in` / `not_in` lists. */
function jsonScalar() {
  return z.union([z.string(), z.number(), z.boolean(), z.null()]);
}

/** One condition variant: the field, the operator literal(s) and the value schema. */
function conditionVariant<const O extends readonly [string, ...string[]], V extends z.ZodType>(
  operators: O,
  value: V,
  description: string,
) {
  return z
    .strictObject({
      field: conditionField(),
      operator: z.enum(operators).meta({ description: `Comparison: ${operators.join(' or ')}.` }),
      value,
    })
    .meta({ description });
}

/** One structured filter condition: a field, an operator and a value that fits the operator. */
export const MetadataQueryConditionSchema = /* @__PURE__ */ define('MetadataQueryCondition', () =>
  z
    .discriminatedUnion('operator', [
      conditionVariant(
        ['eq', 'ne'],
        JsonValueSchema.meta({
          description:
            'Value compared by JSON equality (objects key by key, arrays element by element). null matches an absent or null field, as exists: false does.',
          examples: ['object', 3, { required: true }],
        }),
        'Equality: eq matches when the field equals the value, ne when it does not; an absent field is not equal to any value but null.',
      ),
      conditionVariant(
        ['gt', 'gte', 'lt', 'lte'],
        z.union([z.string(), z.number()]).meta({
          description:
            "A string or finite number to compare with. Strings compare in the database's collation; give date-times as ISO 8601 strings in UTC (Z) so they compare as instants.",
          examples: [2, '2026-01-01T00:00:00Z'],
        }),
        'Ordering: greater than, greater or equal, less than, less or equal. A record whose field is absent or of another JSON type does not match.',
      ),
      conditionVariant(
        ['in', 'not_in'],
        z
          .array(jsonScalar())
          .min(1)
          .max(1000)
          .meta({ description: '1 to 1000 JSON scalars (string, number, boolean, null).', examples: [['object', 'field']] }),
        'Membership: in matches when the field equals one of the values, not_in when it equals none of them; a null in the list stands for an absent or null field.',
      ),
      conditionVariant(
        ['contains', 'starts_with'],
        boundedText(1, 1000).meta({
          description: 'The text to look for, 1 to 1000 characters, compared case-sensitively; % and _ match themselves, not as wildcards.',
          examples: ['acc'],
        }),
        'Text match: contains matches a string field that contains the value, or an array field with an element equal to it; starts_with matches a string field that begins with the value. LIKE wildcards in the value are escaped, never interpreted.',
      ),
      conditionVariant(
        ['exists'],
        z.boolean().meta({ description: 'true: the field is present and not null; false: it is absent or null.', examples: [true] }),
        'Presence: whether the field (typically a payload path) is present and not null.',
      ),
    ])
    .meta({
      description:
        "One structured filter condition. The operator decides the value's type, so a mismatch is rejected before it reaches a database. Values are always bound as query parameters; no SQL text is accepted anywhere.",
      examples: [
        { field: 'payload.label', operator: 'starts_with', value: 'Acc' },
        { field: 'version', operator: 'gte', value: 2 },
        { field: 'type', operator: 'in', value: ['object', 'field'] },
      ],
    }),
);
export type MetadataQueryCondition = z.output<typeof MetadataQueryConditionSchema>;
export type MetadataQueryConditionInput = z.input<typeof MetadataQueryConditionSchema>;

/** Structured filters on metadata records; every given filter must match (AND). */
export const MetadataQueryFiltersSchema = /* @__PURE__ */ define('MetadataQueryFilters', () =>
  withRules(
    z.strictObject({
      type: oneOrMany(MachineNameSchema, 100)
        .optional()
        .meta({ description: 'Metadata type, or a list of 1 to 100 types (any of them).', examples: ['object', ['object', 'field']] }),
      name: oneOrMany(MachineNameSchema, 100)
        .optional()
        .meta({ description: 'Item name, or a list of 1 to 100 names (any of them).', examples: ['account'] }),
      namespace: oneOrMany(MachineNameSchema, 100)
        .optional()
        .meta({ description: 'Namespace, or a list of 1 to 100 namespaces (any of them).', examples: ['crm'] }),
      scope: oneOrMany(MetadataScopeSchema, MetadataScopeSchema.options.length)
        .optional()
        .meta({ description: 'Scope, or a list of scopes (any of them).', examples: [['platform', 'user']] }),
      state: oneOrMany(MetadataStateSchema, MetadataStateSchema.options.length)
        .optional()
        .meta({
          description: 'Lifecycle state, or a list of states (any of them). An explicit state filter overrides includeArchived.',
          examples: ['active'],
        }),
      owner: OpaqueIdSchema.optional().meta({ description: 'Owner of user-scope items.', examples: ['jane@acme'] }),
      tenantId: OpaqueIdSchema.optional().meta({
        description:
          'Tenant. A runtime always confines a query to the tenants its caller may read; this filter narrows within them and never widens them.',
        examples: ['acme'],
      }),
      tags: z
        .array(MachineNameSchema)
        .min(1)
        .max(64)
        .optional()
        .meta({ description: '1 to 64 tags; a record matches when it has all of them.', examples: [['crm', 'core']] }),
      updatedAfter: DateTimeSchema.optional().meta({
        description: 'Matches records whose updatedAt is strictly after this instant.',
        examples: ['2026-01-01T00:00:00Z'],
      }),
      updatedBefore: DateTimeSchema.optional().meta({
        description: 'Matches records whose updatedAt is strictly before this instant.',
        examples: ['2026-02-01T00:00:00Z'],
      }),
      conditions: z
        .array(MetadataQueryConditionSchema)
        .max(50)
        .optional()
        .meta({
          description: 'Up to 50 further conditions on record fields or payload paths; all must match.',
          examples: [[{ field: 'payload.label', operator: 'contains', value: 'Account' }]],
        }),
    }),
    [
      {
        name: 'updated_after_before_updated_before',
        message: 'updatedAfter must be earlier than updatedBefore',
        path: ['updatedBefore'],
        // Compared as instants, so offsets do not matter; an unparsable date-time is reported by its own field.
        holds: (f) =>
          f.updatedAfter === undefined || f.updatedBefore === undefined || !(Date.parse(f.updatedAfter) >= Date.parse(f.updatedBefore)),
      },
    ],
    {
      description:
        'Structured filters on metadata records: every filter given must match (AND); a list inside one filter matches any of its values (OR). No filter takes SQL text, and every value is bound as a query parameter.',
      examples: [{ type: 'object', namespace: 'crm', state: ['active', 'deprecated'], tags: ['core'] }],
    },
  ),
);
export type MetadataQueryFilters = z.output<typeof MetadataQueryFiltersSchema>;
export type MetadataQueryFiltersInput = z.input<typeof MetadataQueryFiltersSchema>;

/** One sort key of a metadata query. */
export const MetadataSortSchema = /* @__PURE__ */ define('MetadataSort', () =>
  z
    .strictObject({
      field: MetadataRecordFieldSchema.exclude(['payload', 'tags']).meta({
        description: 'Record field to sort by; any field but payload and tags, which have no order.',
        examples: ['updatedAt'],
      }),
      direction: z
        .enum(['asc', 'desc'])
        .default('asc')
        .meta({ description: 'asc: smallest first; desc: largest first. Default asc.', examples: ['desc'] }),
    })
    .meta({
      description:
        'One sort key. Absent (null) values sort first in ascending order and last in descending order on every driver; the runtime adds NULLS FIRST / NULLS LAST where the database orders them otherwise.',
      examples: [{ field: 'updatedAt', direction: 'desc' }],
    }),
);
export type MetadataSort = z.output<typeof MetadataSortSchema>;
export type MetadataSortInput = z.input<typeof MetadataSortSchema>;

function pageSize() {
  return z
    .int()
    .min(1)
    .max(1000)
    .default(100)
    .meta({ description: 'Records per page, 1 to 1000; default 100.', examples: [50] });
}

/** An opaque page cursor issued by a runtime, passed back to continue a query or load. */
export const MetadataCursorSchema = /* @__PURE__ */ define('MetadataCursor', () =>
  z
    .string()
    // Unpadded base64url: ASCII, free of SQL metacharacters, safe in URLs.
    .regex(/^[A-Za-z0-9_-]{1,2048}$/, {
      error: 'must be an opaque cursor returned by a previous page (unpadded base64url, 1 to 2048 characters)',
    })
    .meta({
      description:
        'Opaque cursor returned with the previous page: 1 to 2048 characters of unpadded base64url. Valid only with the same filters and sort it was issued for; a runtime rejects it otherwise.',
      examples: ['eyJ1IjoiMjAyNi0wMS0zMVQwOTozMDowMFoiLCJpIjoiNDIifQ'],
    }),
);
export type MetadataCursor = z.output<typeof MetadataCursorSchema>;
export type MetadataCursorInput = z.input<typeof MetadataCursorSchema>;

function pagination() {
  return z
    .union(
      [
        z
          .strictObject({
            page: z
              .int()
              .min(1)
              .max(MAX_SAFE_COUNT)
              .default(1)
              .meta({ description: 'Page number, counting from 1; default 1.', examples: [2] }),
            pageSize: pageSize(),
          })
          .meta({ description: 'Offset pagination by page number.', examples: [{ page: 2, pageSize: 50 }] }),
        z
          .strictObject({
            cursor: MetadataCursorSchema.meta({ description: 'Cursor returned with the previous page of this query.' }),
            pageSize: pageSize(),
          })
          .meta({
            description: 'Keyset pagination from a cursor: stable while records are written, and as fast on the last page as on the first.',
            examples: [{ cursor: 'eyJpIjoiNDIifQ', pageSize: 100 }],
          }),
      ],
      { error: 'must be either { page, pageSize } or { cursor, pageSize }, never both' },
    )
    .meta({
      description: 'Either a page number or a cursor, never both. Default: page 1 of 100 records.',
      examples: [{ page: 1, pageSize: 100 }],
    });
}

/** Filters, sort, pagination and field selection of one metadata query. */
export const MetadataQueryOptionsSchema = /* @__PURE__ */ define('MetadataQueryOptions', () =>
  z
    .strictObject({
      filters: MetadataQueryFiltersSchema.prefault({}).meta({
        description: 'Filters; none by default, which matches every record the caller may read.',
      }),
      sort: z
        .array(MetadataSortSchema)
        .max(5)
        .default([])
        .meta({
          description:
            'Up to 5 sort keys, first one first. The runtime appends the primary key as a final tie-breaker so that pages are stable. Default: by primary key only.',
          examples: [[{ field: 'type' }, { field: 'name' }]],
        }),
      pagination: pagination().prefault({}),
      fields: z
        .array(MetadataRecordFieldSchema)
        .min(1)
        .max(METADATA_RECORD_FIELDS.length)
        .optional()
        .meta({
          description: 'Record fields to return; absent returns them all. id is always returned, so a result can be written back.',
          examples: [['id', 'type', 'name', 'version']],
        }),
      includeArchived: z.boolean().default(false).meta({
        description: 'Include archived records when the filters name no state. Default false.',
      }),
      includeTotal: z.boolean().default(false).meta({
        description: 'Also return the total number of matching records; it costs a second query. Default false.',
      }),
    })
    .meta({
      description: 'One metadata query: structured filters, sort, page or cursor, the fields to return, and whether to count.',
      examples: [
        {
          filters: { type: 'object', namespace: 'crm' },
          sort: [{ field: 'name' }],
          pagination: { page: 1, pageSize: 50 },
          includeTotal: true,
        },
      ],
    }),
);
export type MetadataQueryOptions = z.output<typeof MetadataQueryOptionsSchema>;
export type MetadataQueryOptionsInput = z.input<typeof MetadataQueryOptionsSchema>;
