import { z } from 'zod';
import { define } from './registry';

/** An opaque id of a record, tenant, user or service: ASCII, no spaces, safe in logs and URLs. */
export const OpaqueIdSchema = /* @__PURE__ */ define('OpaqueId', () =>
  z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/, {
      error: 'must be 1 to 128 characters of letters, digits and _ . : @ -, starting with a letter or digit',
    })
    .meta({
      description:
        'An opaque id (a record id, tenant id, user or service account): 1 to 128 ASCII letters, digits and `_ . : @ -`, starting with a letter or digit. UUIDs, ULIDs and e-mail-like ids fit.',
      examples: ['0192d3e4-5b6a-7c8d-9e0f-1a2b3c4d5e6f', 'acme', 'jane@acme'],
    }),
);
export type OpaqueId = z.output<typeof OpaqueIdSchema>;
export type OpaqueIdInput = z.input<typeof OpaqueIdSchema>;
