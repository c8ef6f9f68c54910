import { z } from 'zod';
import { SqlIdentifierSchema } from '../../shared/identifier.zod';
import { define, withRules, type CrossFieldRule } from '../../shared/registry';
import type { DatasourceDriver } from '../datasource.zod';
import { METADATA_RECORD_FIELDS, MetadataRecordFieldSchema, type MetadataRecordField } from '../metadata-record.zod';

/** Default name of the table (or MongoDB collection) that holds metadata records. */
export const DEFAULT_METADATA_TABLE_NAME = '_framework_metadata';

/** `tenantId` -> `tenant_id`: the default column of a record field. */
function snakeCase(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Lower-cased, because MySQL compares column, index and (on some systems) table names without case. */
function hasDuplicates(names: readonly string[]): boolean {
  return new Set(names.map((name) => name.toLowerCase())).size !== names.length;
}

/** How records are laid out in the store; follows from the datasource's driver. */
export const MetadataStorageLayoutSchema = /* @__PURE__ */ define('MetadataStorageLayout', () =>
  z.enum(['relational', 'document']).meta({
    description:
      "How records are stored. relational: one row per record and one column per record field (postgres, mysql, sqlite); document: one document per record (mongodb). Not configured: it follows from the datasource's driver (STORAGE_LAYOUT_BY_DRIVER), so moving to another driver changes only the datasource entry.",
    examples: ['relational'],
  }),
);
export type MetadataStorageLayout = z.output<typeof MetadataStorageLayoutSchema>;
export type MetadataStorageLayoutInput = z.input<typeof MetadataStorageLayoutSchema>;

/**
 * The storage layout of each driver. A layout is not a capability (nothing
 * falls back when it differs), so it is kept beside the layout enum rather
 * than in the capability profiles.
 */
export const STORAGE_LAYOUT_BY_DRIVER: Readonly<Record<DatasourceDriver, MetadataStorageLayout>> = /* @__PURE__ */ Object.freeze({
  postgres: 'relational',
  mysql: 'relational',
  sqlite: 'relational',
  mongodb: 'document',
});

type ColumnMappingShape = { [K in MetadataRecordField]: z.ZodDefault<typeof SqlIdentifierSchema> };

/** Column (or document field) that stores each record field. */
export const MetadataColumnMappingSchema = /* @__PURE__ */ define('MetadataColumnMapping', () =>
  withRules(
    z.strictObject(
      Object.fromEntries(
        METADATA_RECORD_FIELDS.map((field) => [
          field,
          SqlIdentifierSchema.default(snakeCase(field)).meta({
            description: `Column that stores the record's ${field}. Default ${snakeCase(field)}.`,
          }),
        ]),
      ) as ColumnMappingShape,
    ),
    [
      {
        name: 'column_names_unique',
        message: 'two record fields are mapped to the same column (names compare without case)',
        path: [],
        holds: (mapping) => !hasDuplicates(Object.values(mapping)),
      },
    ],
    {
      description:
        "Column that stores each record field, one key per field, each defaulting to the field's snake_case name (tenantId -> tenant_id). In the document layout these are document field names (map id to _id to use MongoDB's own key). No two fields may share a column, ignoring case.",
      examples: [{ payload: 'definition', tenantId: 'org_id' }],
    },
  ),
);
export type MetadataColumnMapping = z.output<typeof MetadataColumnMappingSchema>;
export type MetadataColumnMappingInput = z.input<typeof MetadataColumnMappingSchema>;

type IndexType = 'btree' | 'hash' | 'gin';

/**
 * The rule "an index of this type cannot be unique", for each type that has
 * no unique form. `type` has a default (btree), so the JSON Schema encoding
 * applies only when the type is given.
 */
function indexTypeNotUnique(type: Exclude<IndexType, 'btree'>, why?: string): CrossFieldRule<{ type: IndexType; unique: boolean }> {
  return {
    name: `${type}_index_not_unique`,
    message: `a ${type} index cannot be unique${why ? ` (${why})` : ''}; use btree`,
    path: ['unique'],
    holds: (index) => !(index.type === type && index.unique),
    jsonSchema: {
      if: { properties: { type: { const: type } }, required: ['type'] },
      then: { properties: { unique: { const: false } } },
    },
  };
}

/** An extra index on the metadata table or collection. */
export const MetadataIndexSchema = /* @__PURE__ */ define('MetadataIndex', () =>
  withRules(
    z.strictObject({
      name: SqlIdentifierSchema.meta({ description: 'Index name.', examples: ['metadata_type_name_idx'] }),
      fields: z
        .array(MetadataRecordFieldSchema)
        .min(1)
        .max(8)
        .meta({
          description: 'Record fields indexed, in order, 1 to 8, each at most once; named as record fields, never as columns.',
          examples: [['tenantId', 'type', 'name']],
        }),
      unique: z.boolean().default(false).meta({ description: 'Reject two records with equal values in these fields. Default false.' }),
      type: z
        .enum(['btree', 'hash', 'gin'])
        .default('btree')
        .meta({
          description:
            'Index method; default btree. btree: every driver (MongoDB: an ordinary ascending index). hash: equality lookups on one field; PostgreSQL hash index, MongoDB hashed index; MySQL (InnoDB) and SQLite build btree instead. gin: containment and key lookups in payload (JSON) and tags (array) on PostgreSQL; MongoDB builds a wildcard index on payload and a multikey index on tags; MySQL and SQLite skip it with a warning.',
          examples: ['btree'],
        }),
    }),
    [
      {
        name: 'index_fields_unique',
        message: 'an index names each field at most once',
        path: ['fields'],
        holds: (index) => new Set(index.fields).size === index.fields.length,
        jsonSchema: { properties: { fields: { uniqueItems: true } } },
      },
      indexTypeNotUnique('hash', 'PostgreSQL and MongoDB have no unique hash index'),
      {
        name: 'hash_index_single_field',
        message: 'a hash index takes exactly one field',
        path: ['fields'],
        holds: (index) => index.type !== 'hash' || index.fields.length === 1,
        jsonSchema: {
          if: { properties: { type: { const: 'hash' } }, required: ['type'] },
          then: { properties: { fields: { maxItems: 1 } } },
        },
      },
      indexTypeNotUnique('gin'),
      {
        name: 'gin_index_on_json_fields',
        message: 'a gin index takes only the payload and tags fields',
        path: ['fields'],
        holds: (index) => index.type !== 'gin' || index.fields.every((field) => field === 'payload' || field === 'tags'),
        jsonSchema: {
          if: { properties: { type: { const: 'gin' } }, required: ['type'] },
          then: { properties: { fields: { items: { enum: ['payload', 'tags'] } } } },
        },
      },
    ],
    {
      description:
        "An extra index on the metadata table or collection. The runtime always creates the primary key and the unique key of the record's identity itself; list here only indexes for your own queries. Only btree indexes can be unique.",
      examples: [
        { name: 'metadata_updated_at_idx', fields: ['updatedAt'] },
        { name: 'metadata_payload_gin', fields: ['payload'], type: 'gin' },
      ],
    },
  ),
);
export type MetadataIndex = z.output<typeof MetadataIndexSchema>;
export type MetadataIndexInput = z.input<typeof MetadataIndexSchema>;

/** Table (or collection) that holds metadata records: name, schema, key, columns, indexes. */
export const MetadataTableSchemaSchema = /* @__PURE__ */ define('MetadataTableSchema', () =>
  withRules(
    z.strictObject({
      tableName: SqlIdentifierSchema.default(DEFAULT_METADATA_TABLE_NAME).meta({
        description: 'Table that holds the records; the collection name on MongoDB. Default _framework_metadata.',
        examples: ['_framework_metadata'],
      }),
      schema: SqlIdentifierSchema.optional().meta({
        description:
          "PostgreSQL schema or MySQL database of the table; absent: the connection's default. Only for drivers whose capability profile has tableSchemas (postgres, mysql): on SQLite and MongoDB, where the datasource names the database, MetasourceConfig rejects it (rule table_schema_needs_schema_support), and so does a runtime given the table and its datasource separately.",
        examples: ['metadata'],
      }),
      primaryKey: z
        .literal('id')
        .default('id')
        .meta({
          description:
            'Record field that is the primary key: always id, the only field that identifies one record by itself and never changes (type, name and the rest are shared between records or change on write). Its column is columnMapping.id.',
          examples: ['id'],
        }),
      columnMapping: MetadataColumnMappingSchema.prefault({}).meta({
        description: "Column (or document field) of each record field; every column defaults to the field's snake_case name.",
      }),
      indexes: z
        .array(MetadataIndexSchema)
        .max(32)
        .default([])
        .meta({ description: 'Up to 32 extra indexes, beyond the primary and identity keys the runtime always creates. Default none.' }),
    }),
    [
      {
        name: 'index_names_unique',
        message:
          'index names must be unique and differ from the table name, ignoring case (PostgreSQL keeps tables and indexes in one namespace)',
        path: ['indexes'],
        holds: (table) => !hasDuplicates([table.tableName, ...table.indexes.map((index) => index.name)]),
      },
    ],
    {
      description:
        "The table (or MongoDB collection) that holds metadata records: its name and schema, primary key, the column of each record field and extra indexes. Every name is a safe SQL identifier. The storage layout is not set here: it follows from the datasource's driver (STORAGE_LAYOUT_BY_DRIVER), so the same table schema serves any driver, except that a schema is refused on SQLite and MongoDB.",
      examples: [
        { tableName: '_framework_metadata', schema: 'metadata', indexes: [{ name: 'metadata_updated_at_idx', fields: ['updatedAt'] }] },
      ],
    },
  ),
);
export type MetadataTableSchema = z.output<typeof MetadataTableSchemaSchema>;
export type MetadataTableSchemaInput = z.input<typeof MetadataTableSchemaSchema>;
