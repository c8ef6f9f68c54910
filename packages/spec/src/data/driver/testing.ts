/**
 * Fixtures shared by the driver's schema tests (table, driver config,
 * migration). Test support only: never exported from an index, so never built.
 */
import { expect } from 'vitest';
import type { z } from 'zod';
import type { MetadataColumnMapping, MetadataTableSchema } from './metadata-table.zod';

/** Parses, checks the result equals `input` exactly, and that parsing the result again changes nothing. */
export function expectRoundTrip(schema: z.ZodType, input: unknown): void {
  const parsed = schema.parse(input);
  expect(parsed).toEqual(input);
  expect(schema.parse(parsed)).toEqual(parsed);
}

/** Identifiers that must never reach SQL, each rejected by the safe-identifier pattern. */
export const BAD_IDENTIFIERS: [string, string][] = [
  ['SQL text', 'meta; DROP TABLE x'],
  ['a hyphen', 'a-b'],
  ['a leading digit', '1abc'],
  ['64 characters', 'a'.repeat(64)],
  ['10_000 characters', 'a'.repeat(10_000)],
  ['an empty string', ''],
  ['a quote', 'meta"'],
  ['a dot', 'public.meta'],
  ['a space', 'meta data'],
  ['non-ASCII', 'métadonnées'],
];

/** The column mapping a parse fills in when none is given. */
export const DEFAULT_COLUMNS: MetadataColumnMapping = {
  id: 'id',
  type: 'type',
  name: 'name',
  namespace: 'namespace',
  scope: 'scope',
  state: 'state',
  payload: 'payload',
  extends: 'extends',
  mergeStrategy: 'merge_strategy',
  owner: 'owner',
  tenantId: 'tenant_id',
  version: 'version',
  checksum: 'checksum',
  tags: 'tags',
  createdAt: 'created_at',
  createdBy: 'created_by',
  updatedAt: 'updated_at',
  updatedBy: 'updated_by',
};

/** The table schema a parse fills in when none is given. */
export const DEFAULT_TABLE: MetadataTableSchema = {
  tableName: '_framework_metadata',
  primaryKey: 'id',
  columnMapping: DEFAULT_COLUMNS,
  indexes: [],
};
