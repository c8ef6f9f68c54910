import { describe, expect, it } from 'vitest';
import { MAX_SAFE_COUNT } from './limits';

describe('MAX_SAFE_COUNT', () => {
  it('is 2^53 - 1', () => {
    expect(MAX_SAFE_COUNT).toBe(2 ** 53 - 1);
  });
});
