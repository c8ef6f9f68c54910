/** Largest integer every JSON parser reads exactly (2^53 - 1). */
export const MAX_SAFE_COUNT = Number.MAX_SAFE_INTEGER;
