import { z } from 'zod';
import { DateTimeSchema } from '../../shared/date-time.zod';
import { MachineNameSchema } from '../../shared/identifier.zod';
import { JsonValueSchema } from '../../shared/json.zod';
import { OpaqueIdSchema } from '../../shared/opaque-id.zod';
import { define, withRules } from '../../shared/registry';
import { boundedText } from '../../shared/text';
import {
  METADATA_RECORD_FIELDS,
  MetadataRecordFieldSchema,
  MetadataScopeSchema,
  MetadataStateSchema,
  type MetadataRecordField,
} from '../metadata-record.zod';

/**
 * One RFC 6901 JSON Pointer segment naming a payload key or array index: 1 to
 * 128 characters, each any character but "/" and "~", or an escape ("~0" for
 * "~", "~1" for "/") that counts as the one character it stands for. The
 * pattern is used with the `u` flag, so a character is a code point in Zod as
 * in JSON Schema (see shared/text.ts).
 */
const POINTER_SEGMENT = '(?:[^/~]|~[01]){1,128}';
const MAX_PAYLOAD_PATH_SEGMENTS = 8;

/** Record fields that hold date-times written by the runtime: conditions on them compare instants. */
const DATE_TIME_FIELDS = ['createdAt', 'updatedAt'] as const satisfies readonly MetadataRecordField[];
/** Operators that compare a date-time field with one value, as instants. */
const INSTANT_OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte'] as const;
/** Operators that compare a date-time field with a list of values, as instants. */
const INSTANT_LIST_OPERATORS = ['in', 'not_in'] as const;
/** Operators that match text, which an instant is not. */
const TEXT_OPERATORS = ['contains', 'starts_with'] as const;

const includes = <T extends string>(list: readonly T[], value: string): value is T => (list as readonly string[]).includes(value);
const isDateTime = (value: unknown) => typeof value === 'string' && DateTimeSchema.safeParse(value).success;

/** One value of `item`, or 1 to `max` of them; a list matches any of its values. */
function oneOrMany<T extends z.ZodType>(item: T, max: number) {
  return z.union([
    item,
    z
      .array(item)
      .min(1)
      .max(max)
      .meta({ description: `1 to ${max} values; a record matches when it has any of them (OR).` }),
  ]);
}

const DOT_FORM_MESSAGE =
  'payload paths are JSON Pointers (RFC 6901) separated by "/": write payload/label instead of payload.label, and payload/fields/name instead of payload.fields.name';
const FIELD_MESSAGE = `must be a record field other than payload (such as type or updatedAt) or a payload path: "payload/" and 1 to ${MAX_PAYLOAD_PATH_SEGMENTS} JSON Pointer segments of 1 to 128 characters, with "/" in a key written ~1 and "~" written ~0 (payload/label, not payload.label)`;

/**
 * What a condition tests: a record field other than the open payload, or a
 * JSON Pointer into the payload. One pattern rather than a union of an enum
 * and a pattern, so a bad field gets one clear message (and the same in JSON
 * Schema).
 */
function conditionField() {
  const fields = METADATA_RECORD_FIELDS.filter((field) => field !== 'payload');
  return z
    .string()
    .regex(new RegExp(`^(?:${fields.join('|')}|payload(?:/${POINTER_SEGMENT}){1,${MAX_PAYLOAD_PATH_SEGMENTS}})$`, 'u'), {
      // The dot form was the path syntax before JSON Pointers; say how to rewrite it.
      error: (issue) => (typeof issue.input === 'string' && issue.input.startsWith('payload.') ? DOT_FORM_MESSAGE : FIELD_MESSAGE),
    })
    .meta({
      description: `What the condition tests: a record field other than payload (${fields.join(', ')}), named as in the record and never as a column, or a path into the payload: "payload" followed by an RFC 6901 JSON Pointer of 1 to ${MAX_PAYLOAD_PATH_SEGMENTS} segments, each 1 to 128 characters, where a "/" in a key is written ~1 and a "~" is written ~0 (an escape counts as one character). On an object a segment names a key; on an array a segment of decimal digits without a leading zero ("0", "1", "12") selects that element, and any other segment selects nothing. Arrays are never searched implicitly: payload/columns/name does not look inside the elements of columns. A path that does not resolve means the field is absent. The dot form (payload.label) is not accepted. Never SQL: the runtime decodes the segments and binds them as parameters.`,
      examples: ['type', 'updatedAt', 'payload/label', 'payload/fields/first-name', 'payload/columns/0/name', 'payload/a~1b'],
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
  withRules(
    z.discriminatedUnion('operator', [
      conditionVariant(
        ['eq', 'ne'],
        JsonValueSchema.meta({
          description:
            'Value compared by JSON equality: only a field of the same JSON type can equal it ("1" never equals 1); numbers compare numerically (1.0 equals 1), strings by Unicode code point (case-sensitive, no normalisation), objects key by key and arrays element by element in order. null matches an absent or null field, as exists: false does. On createdAt and updatedAt the value must be a date-time, compared as an instant.',
          examples: ['object', 3, { required: true }],
        }),
        'Equality: eq matches when the field equals the value; ne is its exact negation and matches every record eq does not, including one whose field is absent or of another JSON type.',
      ),
      conditionVariant(
        ['gt', 'gte', 'lt', 'lte'],
        z.union([z.string(), z.number()]).meta({
          description:
            'A string or finite number. A string matches only string fields, compared by Unicode code point (binary order, the order of UTF-8 bytes: no collation, case-sensitive, no normalisation); a number matches only number fields, compared numerically. On createdAt and updatedAt the value must be a date-time (any offset) and compares as an instant; a date-time inside the payload is a string like any other and compares as text.',
          examples: [2, '2026-01-01T00:00:00Z'],
        }),
        'Ordering: greater than, greater or equal, less than, less or equal. A record whose field is absent, null or of another JSON type than the value does not match.',
      ),
      conditionVariant(
        ['in', 'not_in'],
        z
          .array(jsonScalar())
          .min(1)
          .max(1000)
          .meta({
            description:
              '1 to 1000 JSON scalars (string, number, boolean, null), each compared as eq compares. On createdAt and updatedAt every value must be a date-time.',
            examples: [['object', 'field']],
          }),
        'Membership: in matches when the field equals (as eq) one of the values; not_in is its exact negation. A null in the list stands for an absent or null field.',
      ),
      conditionVariant(
        ['contains', 'starts_with'],
        boundedText(1, 1000).meta({
          description:
            'The text to look for, 1 to 1000 characters, compared by code point: case-sensitive, no normalisation; % and _ match themselves, not as wildcards.',
          examples: ['acc'],
        }),
        'Text match: contains matches a string field that contains the value as a substring, or an array field with an element equal (JSON equality) to the string value; starts_with matches a string field that begins with the value. Any other field, absent or null, does not match. LIKE wildcards and regular-expression characters in the value are literal, never interpreted. Not allowed on createdAt and updatedAt, which are instants.',
      ),
      conditionVariant(
        ['exists'],
        z.boolean().meta({ description: 'true: the field is present and not null; false: it is absent or null.', examples: [true] }),
        'Presence: whether the field (typically a payload path) resolves to a value other than null.',
      ),
    ]),
    [
      {
        name: 'date_time_field_needs_date_time_value',
        message:
          'a condition on createdAt or updatedAt compares instants: with eq, ne, gt, gte, lt or lte its value, and with in or not_in each value, must be a date-time with a time zone, such as 2026-01-31T09:30:00Z',
        path: ['value'],
        holds: (c) =>
          !includes(DATE_TIME_FIELDS, c.field) ||
          (includes(INSTANT_OPERATORS, c.operator)
            ? isDateTime(c.value)
            : !includes(INSTANT_LIST_OPERATORS, c.operator) || (Array.isArray(c.value) && c.value.every(isDateTime))),
        // The condition is a union, so its root has no type; Ajv's strict mode needs one beside required and properties.
        jsonSchema: {
          type: 'object',
          allOf: [
            {
              if: {
                properties: { field: { enum: [...DATE_TIME_FIELDS] }, operator: { enum: [...INSTANT_OPERATORS] } },
                required: ['field', 'operator'],
              },
              then: { properties: { value: { $ref: './date-time.json' } } },
            },
            {
              if: {
                properties: { field: { enum: [...DATE_TIME_FIELDS] }, operator: { enum: [...INSTANT_LIST_OPERATORS] } },
                required: ['field', 'operator'],
              },
              then: { properties: { value: { items: { $ref: './date-time.json' } } } },
            },
          ],
        },
      },
      {
        name: 'date_time_field_has_no_text_match',
        message:
          'createdAt and updatedAt are instants, not text: compare them with eq, ne, gt, gte, lt, lte, in or not_in, not contains or starts_with',
        path: ['operator'],
        holds: (c) => !includes(DATE_TIME_FIELDS, c.field) || !includes(TEXT_OPERATORS, c.operator),
        jsonSchema: {
          type: 'object',
          if: { properties: { field: { enum: [...DATE_TIME_FIELDS] } }, required: ['field'] },
          then: { properties: { operator: { not: { enum: [...TEXT_OPERATORS] } } } },
        },
      },
    ],
    {
      description:
        "One structured filter condition. The operator decides the value's type, so a mismatch is rejected before it reaches a database, and every driver gives the same answer: JSON types never mix, strings compare by code point, createdAt and updatedAt compare as instants, and a payload path is a JSON Pointer with no implicit array traversal. Values are always bound as query parameters; no SQL text is accepted anywhere.",
      examples: [
        { field: 'payload/label', operator: 'starts_with', value: 'Acc' },
        { field: 'payload/fields/first-name/required', operator: 'eq', value: true },
        { field: 'version', operator: 'gte', value: 2 },
        { field: 'updatedAt', operator: 'gte', value: '2026-01-01T00:00:00Z' },
        { field: 'type', operator: 'in', value: ['object', 'field'] },
      ],
    },
  ),
);
export type MetadataQueryCondition = z.output<typeof MetadataQueryConditionSchema>;
export type MetadataQueryConditionInput = z.input<typeof MetadataQueryConditionSchema>;

/** Structured filters on metadata records; every given filter must match (AND). */
export const MetadataQueryFiltersSchema = /* @__PURE__ */ define('MetadataQueryFilters', () =>
  withRules(
    z.strictObject({
      type: oneOrMany(MachineNameSchema, 100)
        .optional()
        .meta({
          description: 'Metadata type, or a list of 1 to 100 types: a record matches when its type is any of them (OR).',
          examples: ['object', ['object', 'field']],
        }),
      name: oneOrMany(MachineNameSchema, 100)
        .optional()
        .meta({
          description: 'Item name, or a list of 1 to 100 names: a record matches when its name is any of them (OR).',
          examples: ['account'],
        }),
      namespace: oneOrMany(MachineNameSchema, 100)
        .optional()
        .meta({
          description: 'Namespace, or a list of 1 to 100 namespaces: a record matches when its namespace is any of them (OR).',
          examples: ['crm'],
        }),
      scope: oneOrMany(MetadataScopeSchema, MetadataScopeSchema.options.length)
        .optional()
        .meta({
          description: 'Scope, or a list of scopes: a record matches when its scope is any of them (OR).',
          examples: [['platform', 'user']],
        }),
      state: oneOrMany(MetadataStateSchema, MetadataStateSchema.options.length)
        .optional()
        .meta({
          description:
            'Lifecycle state, or a list of states: a record matches when its state is any of them (OR). An explicit state filter overrides includeArchived.',
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
        .meta({
          description:
            '1 to 64 tags: a record matches when it has every one of them (AND), whatever the order of its tags and however often one repeats; it may have others too.',
          examples: [['crm', 'core']],
        }),
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
          description: 'Up to 50 further conditions on record fields or payload paths; all must match (AND).',
          examples: [[{ field: 'payload/label', operator: 'contains', value: 'Account' }]],
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
        'Structured filters on metadata records: every filter given must match (AND). A list given for type, name, namespace, scope or state matches a record that has any of its values (OR); tags match a record that has all of the given tags (AND). No filter takes SQL text, and every value is bound as a query parameter.',
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
        'One sort key. Strings sort by Unicode code point (binary: no collation, case-sensitive), numbers numerically, createdAt and updatedAt as instants. Absent (null) values sort first in ascending order and last in descending order on every driver; the runtime adds NULLS FIRST / NULLS LAST where the database orders them otherwise.',
      examples: [{ field: 'updatedAt', direction: 'desc' }],
    }),
);
export type MetadataSort = z.output<typeof MetadataSortSchema>;
export type MetadataSortInput = z.input<typeof MetadataSortSchema>;

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
        'Opaque cursor returned with the previous page as nextCursor: 1 to 2048 characters of unpadded base64url. Valid only with the same filters, sort and includeArchived it was issued for, and for a load the same resolveInheritance; pageSize may change from one page to the next. A runtime rejects it otherwise.',
      examples: ['eyJ1IjoiMjAyNi0wMS0zMVQwOTozMDowMFoiLCJpIjoiNDIifQ'],
    }),
);
export type MetadataCursor = z.output<typeof MetadataCursorSchema>;
export type MetadataCursorInput = z.input<typeof MetadataCursorSchema>;

/** Keyset pagination of a query or a load: how many records per page and where to continue. */
export const MetadataPaginationSchema = /* @__PURE__ */ define('MetadataPagination', () =>
  z
    .strictObject({
      pageSize: z
        .int()
        .min(1)
        .max(1000)
        .default(100)
        .meta({
          description:
            "Records per page, 1 to 1000; default 100. A runtime rejects a pageSize above its driver's query.maxPageSize rather than returning a shorter page.",
          examples: [50],
        }),
      cursor: MetadataCursorSchema.optional().meta({
        description: 'nextCursor of the previous page, to continue after it; absent for the first page.',
      }),
    })
    .meta({
      description:
        'Keyset pagination: a page size and, after the first page, the cursor returned with the previous one. There are no page numbers: skipping by offset gets slower with depth and shifts under concurrent writes, while a cursor continues after the last record returned. Default: the first page of 100 records.',
      examples: [{ pageSize: 50 }, { pageSize: 50, cursor: 'eyJ1IjoiMjAyNi0wMS0zMVQwOTozMDowMFoiLCJpIjoiNDIifQ' }],
    }),
);
export type MetadataPagination = z.output<typeof MetadataPaginationSchema>;
export type MetadataPaginationInput = z.input<typeof MetadataPaginationSchema>;

/** Filters, sort and pagination of one metadata query. */
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
            'Up to 5 sort keys, first one first. The runtime appends the record id as a final tie-breaker so that pages are stable. Default: by id only.',
          examples: [[{ field: 'type' }, { field: 'name' }]],
        }),
      pagination: MetadataPaginationSchema.prefault({}).meta({
        description:
          'Page size and cursor; default: the first page of 100 records. The result carries nextCursor while more records follow.',
      }),
      includeArchived: z.boolean().default(false).meta({
        description: 'Include archived records when the filters name no state. Default false.',
      }),
      includeTotal: z.boolean().default(false).meta({
        description:
          'Also return the total number of matching records across every page; it costs a second query. The result has a total only when this is true. Default false.',
      }),
    })
    .meta({
      description:
        'One metadata query: structured filters, sort, a page size and cursor, and whether to count. A query returns whole records (there is no field selection), so every record of a result is complete and can be written back.',
      examples: [
        {
          filters: { type: 'object', namespace: 'crm' },
          sort: [{ field: 'name' }],
          pagination: { pageSize: 50 },
          includeTotal: true,
        },
      ],
    }),
);
export type MetadataQueryOptions = z.output<typeof MetadataQueryOptionsSchema>;
export type MetadataQueryOptionsInput = z.input<typeof MetadataQueryOptionsSchema>;
