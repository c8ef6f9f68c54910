import { z } from 'zod';
import { define } from './registry';

/**
 * 63 is PostgreSQL's identifier limit (NAMEDATALEN - 1); MySQL allows 64 and
 * SQLite and MongoDB more, so the smallest limit keeps a name portable.
 */
export const MAX_IDENTIFIER_LENGTH = 63;

/**
 * `[0-9]` rather than `\d`: some JSON Schema validators (Python's `re`) give
 * `\d` Unicode digits, and the emitted pattern must mean the same everywhere.
 */
const SQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const MACHINE_NAME = /^_?[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/** A table, schema, column or index name that is safe to quote into SQL. */
export const SqlIdentifierSchema = /* @__PURE__ */ define('SqlIdentifier', () =>
  z
    .string()
    .regex(SQL_IDENTIFIER, {
      error: `must be a safe SQL identifier: letters, digits and underscores, not starting with a digit, 1 to ${MAX_IDENTIFIER_LENGTH} characters`,
    })
    .meta({
      description:
        "A name that becomes a table, schema, column or index identifier. Letters, digits and underscores, not starting with a digit, at most 63 characters (PostgreSQL's limit), so it never needs escaping beyond quoting.",
      examples: ['_framework_metadata', 'metadata_type_name_idx'],
    }),
);
export type SqlIdentifier = z.output<typeof SqlIdentifierSchema>;
export type SqlIdentifierInput = z.input<typeof SqlIdentifierSchema>;

/** A snake_case machine name such as `metadata_db`. */
export const MachineNameSchema = /* @__PURE__ */ define('MachineName', () =>
  z
    .string()
    .max(MAX_IDENTIFIER_LENGTH)
    .regex(MACHINE_NAME, {
      error:
        'must be a snake_case machine name: lowercase letters, digits and single underscores, starting with a letter (one leading underscore allowed)',
    })
    .meta({
      description:
        'A snake_case machine name: lowercase letters, digits and single underscores, starting with a letter or one underscore, at most 63 characters. Used for datasource names, metadata types, names and namespaces.',
      examples: ['metadata_db', 'account', '_framework_metadata'],
    }),
);
export type MachineName = z.output<typeof MachineNameSchema>;
export type MachineNameInput = z.input<typeof MachineNameSchema>;
