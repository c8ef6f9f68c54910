/**
 * The inputs the benchmark validates. Valid inputs start from the examples the
 * schemas carry in their own metadata (so they follow the schemas when these
 * change); invalid ones break several rules at once, so `allErrors` matters.
 * Every input is checked against both Zod and Ajv before it is timed.
 */
import { metaOf, schemaById } from './lib';

type Json = Record<string, unknown>;

function example(id: string, index = 0): Json {
  const examples = metaOf(schemaById(id)).examples;
  const value = examples?.[index] ?? examples?.[0];
  if (!value || typeof value !== 'object') throw new Error(`${id} has no object example to benchmark with`);
  return structuredClone(value) as Json;
}

/** A metadata record of typical size: the schema's example, audited, with a payload of a dozen fields. */
export function typicalRecord(i = 0): Json {
  const fields: Json = {};
  for (const [n, type] of [
    'text',
    'number',
    'date',
    'lookup',
    'select',
    'currency',
    'boolean',
    'email',
    'phone',
    'url',
    'percent',
    'textarea',
  ].entries()) {
    fields[`field_${n}`] = {
      type,
      label: `Field ${n}`,
      required: n % 3 === 0,
      maxLength: 255,
      options: type === 'select' ? ['a', 'b', 'c'] : [],
    };
  }
  return {
    ...example('MetadataRecord'),
    name: `account_${i}`,
    version: 3,
    tags: ['crm', 'core'],
    createdAt: '2026-01-31T09:30:00Z',
    createdBy: 'jane@acme',
    updatedAt: '2026-02-01T10:00:00.125+01:00',
    updatedBy: 'jane@acme',
    payload: {
      label: 'Account',
      pluralLabel: 'Accounts',
      enableHistory: true,
      fields,
      listViews: [{ name: 'all', columns: ['field_0', 'field_1'] }],
    },
  };
}

/**
 * The typical record as a write (MetadataRecordWrite), what a bulk create
 * carries: without version and audit fields, which the runtime owns.
 */
export function typicalWrite(i = 0): Json {
  const { version: _version, createdAt: _ca, createdBy: _cb, updatedAt: _ua, updatedBy: _ub, ...write } = typicalRecord(i);
  return write;
}

/** A minimal record: what a bulk import of many items carries per item. */
export function minimalRecord(i: number): Json {
  return { type: 'object', name: `item_${i}`, payload: { label: `Item ${i}` } };
}

export function bulkCreate(records: Json[]): Json {
  return { operation: 'create', records };
}

export interface Case {
  id: string;
  label: string;
  valid: Json;
  invalid: Json;
}

export function validationCases(): Case[] {
  const record = typicalRecord();
  const driver = example('MetadataDriverConfig', 1);
  const datasource = example('Datasource', 0);
  const bulk = bulkCreate(Array.from({ length: 100 }, (_, i) => typicalWrite(i)));
  const badBulk = structuredClone(bulk) as { records: Json[]; batchSize?: number };
  badBulk.records[50] = { ...badBulk.records[50], name: 'Bad Name', version: 0 };
  badBulk.batchSize = 0;
  return [
    {
      id: 'MetadataRecord',
      label: 'record, 12-field payload',
      valid: record,
      invalid: { ...record, name: 'Account Name', version: 0, tags: ['crm', 'Not OK'], typo: true },
    },
    {
      id: 'MetadataDriverConfig',
      label: 'partial config, defaults filled',
      valid: driver,
      invalid: { ...driver, migration: { autoMigrte: true }, performance: { batchSize: 0 } },
    },
    {
      id: 'Datasource',
      label: 'postgres datasource',
      valid: datasource,
      invalid: {
        ...datasource,
        name: 'Metadata DB',
        connection: { ...(datasource.connection as Json), password: 'hunter2', port: 70_000 },
      },
    },
    { id: 'MetadataBulkOperation', label: 'create, 100 records', valid: bulk, invalid: badBulk },
  ];
}
