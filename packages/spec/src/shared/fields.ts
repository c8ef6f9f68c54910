/**
 * Field builders for fields that recur across schemas with the same bounds:
 * a record version, a batch size, the transaction settings. Each place gives
 * its own description; the bounds, defaults and their wording live here once.
 * Internal: not re-exported from the package (like rules.ts).
 */
import { z } from 'zod';
import { TransactionIsolationLevelSchema } from './isolation-level.zod';
import { DEFAULT_BATCH_SIZE, DEFAULT_TRANSACTION_TIMEOUT_MS, MAX_BATCH_SIZE, MAX_SAFE_COUNT, MAX_TRANSACTION_TIMEOUT_MS } from './limits';

/** `10000` -> `10,000`, as the descriptions write numbers. */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * A record version: an integer from 1 to 2^53 - 1 (every JSON parser reads it
 * exactly). Used wherever a version is named: the record, an expected version,
 * a save result, a change event, an error. Add `.optional()` or `.default()`
 * at the use site.
 */
export function versionNumber(description: string, example = 3) {
  return z
    .int()
    .min(1)
    .max(MAX_SAFE_COUNT)
    .meta({ description, examples: [example] });
}

/**
 * Records moved per statement or round trip, 1 to MAX_BATCH_SIZE, default
 * DEFAULT_BATCH_SIZE. `what` says what is batched; the bounds sentence is
 * appended, and `note` after it.
 */
export function batchSize(what: string, note?: string) {
  return z
    .int()
    .min(1)
    .max(MAX_BATCH_SIZE)
    .default(DEFAULT_BATCH_SIZE)
    .meta({
      description: `${what}, 1 to ${grouped(MAX_BATCH_SIZE)}; default ${grouped(DEFAULT_BATCH_SIZE)}.${note ? ` ${note}` : ''}`,
      examples: [500],
    });
}

const ISOLATION_LEVEL = 'Isolation level of the transaction.';
const timeoutMs = () => `Milliseconds the transaction may run before it is rolled back, 1 to ${grouped(MAX_TRANSACTION_TIMEOUT_MS)}`;
const timeout = () => z.int().min(1).max(MAX_TRANSACTION_TIMEOUT_MS);

/**
 * The isolation level and timeout of a metadata transaction, every field
 * filled: the driver's `transactions` group.
 */
export function transactionSettings() {
  return {
    isolationLevel: TransactionIsolationLevelSchema.default('read_committed').meta({
      description: `${ISOLATION_LEVEL} Default read_committed.`,
    }),
    timeoutMs: timeout()
      .default(DEFAULT_TRANSACTION_TIMEOUT_MS)
      .meta({
        description: `${timeoutMs()}; default ${grouped(DEFAULT_TRANSACTION_TIMEOUT_MS)}.`,
        examples: [DEFAULT_TRANSACTION_TIMEOUT_MS],
      }),
  };
}

/**
 * The same fields as overrides, with the same bounds and no default: a save's
 * `transaction`. An absent field takes the driver's setting, so a default here
 * would silently replace the operator's configured one.
 */
export function transactionOverrides() {
  return {
    isolationLevel: TransactionIsolationLevelSchema.optional().meta({
      description: `${ISOLATION_LEVEL} Absent: the driver's transactions.isolationLevel.`,
      examples: ['serializable'],
    }),
    timeoutMs: timeout()
      .optional()
      .meta({
        description: `${timeoutMs()}. Absent: the driver's transactions.timeoutMs.`,
        examples: [10_000],
      }),
  };
}
