/** Largest integer every JSON parser reads exactly (2^53 - 1). */
export const MAX_SAFE_COUNT = Number.MAX_SAFE_INTEGER;

/** Most records one statement or round trip may move (a batch size's upper bound). */
export const MAX_BATCH_SIZE = 10_000;
/** Records per statement or round trip when a batch size is not given. */
export const DEFAULT_BATCH_SIZE = 100;

/** Longest a metadata transaction may run, in milliseconds (one hour). */
export const MAX_TRANSACTION_TIMEOUT_MS = 3_600_000;
/** A metadata transaction's timeout when none is configured, in milliseconds. */
export const DEFAULT_TRANSACTION_TIMEOUT_MS = 30_000;
