/**
 * A record as a row and back, as sql/layout.ts describes the encoding: the
 * same on every dialect except how a driver hands numbers and JSON back.
 */
import type { MetadataRecordField } from '@metasource/spec';
import type { StoredRecord } from '../base/record';
import { EMPTY_WHEN_ABSENT_FIELDS, JSON_FIELDS, NUMBER_FIELDS, RECORD_FIELDS, type SqlLayout } from './layout';

/** A row as the driver reads or writes it, by column name. */
export type Row = Record<string, unknown>;

/** The row that stores a record: every column set (absent owner and extends as ''). */
export function toRow(layout: SqlLayout, record: StoredRecord): Row {
  const row: Row = {};
  for (const field of RECORD_FIELDS) {
    const value = record[field];
    const column = layout.columns[field];
    if (JSON_FIELDS.has(field)) row[column] = JSON.stringify(value);
    else if (EMPTY_WHEN_ABSENT_FIELDS.has(field)) row[column] = value ?? '';
    else row[column] = value;
  }
  return row;
}

/** The record a row stores, with its fields in the schema's order and the absent ones left out. */
export function fromRow(layout: SqlLayout, row: Row): StoredRecord {
  const record: Record<string, unknown> = {};
  for (const field of RECORD_FIELDS) {
    const value = readColumn(field, row[layout.columns[field]]);
    if (value !== undefined) record[field] = value;
  }
  return record as StoredRecord;
}

function readColumn(field: MetadataRecordField, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (JSON_FIELDS.has(field)) return typeof value === 'string' ? JSON.parse(value) : value;
  if (EMPTY_WHEN_ABSENT_FIELDS.has(field)) return value === '' ? undefined : value;
  if (NUMBER_FIELDS.has(field)) return typeof value === 'number' ? value : Number(value);
  return value;
}
