import { z } from 'zod';
import { define } from './registry';

/** SQL transaction isolation levels, weakest first. */
export const TransactionIsolationLevelSchema = /* @__PURE__ */ define('TransactionIsolationLevel', () =>
  z.enum(['read_uncommitted', 'read_committed', 'repeatable_read', 'serializable']).meta({
    description:
      'Transaction isolation level, weakest first. A driver without the requested level uses the next stronger one it has (SQLite runs every transaction as serializable; PostgreSQL runs read_uncommitted as read_committed).',
    examples: ['read_committed'],
  }),
);
export type TransactionIsolationLevel = z.output<typeof TransactionIsolationLevelSchema>;
export type TransactionIsolationLevelInput = z.input<typeof TransactionIsolationLevelSchema>;
