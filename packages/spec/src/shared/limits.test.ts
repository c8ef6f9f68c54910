import { describe, expect, it } from 'vitest';
import { DEFAULT_BATCH_SIZE, DEFAULT_TRANSACTION_TIMEOUT_MS, MAX_BATCH_SIZE, MAX_SAFE_COUNT, MAX_TRANSACTION_TIMEOUT_MS } from './limits';

describe('MAX_SAFE_COUNT', () => {
  it('is 2^53 - 1', () => {
    expect(MAX_SAFE_COUNT).toBe(2 ** 53 - 1);
  });
});

describe('batch and transaction limits', () => {
  it('bound a batch at 10,000 records with 100 by default', () => {
    expect([DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE]).toEqual([100, 10_000]);
  });

  it('bound a transaction at one hour with 30 seconds by default', () => {
    expect([DEFAULT_TRANSACTION_TIMEOUT_MS, MAX_TRANSACTION_TIMEOUT_MS]).toEqual([30_000, 3_600_000]);
  });
});
