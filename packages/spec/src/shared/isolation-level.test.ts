import { describe, expect, it } from 'vitest';
import { issuesOf } from '../testing';
import { TransactionIsolationLevelSchema } from './isolation-level.zod';

describe('TransactionIsolationLevelSchema', () => {
  it('lists the four SQL levels, weakest first', () => {
    expect(TransactionIsolationLevelSchema.options).toEqual(['read_uncommitted', 'read_committed', 'repeatable_read', 'serializable']);
  });

  it.each(['READ COMMITTED', 'read-committed', 'snapshot', ''])('rejects %j', (level) => {
    expect(issuesOf(TransactionIsolationLevelSchema, level)).toEqual([{ path: [], code: 'invalid_value' }]);
  });
});
