import { describe, expect, it } from 'vitest';
import { issuesOf } from '../testing';
import { INLINE_SECRET_MESSAGE, SecretRefSchema } from './secret-ref.zod';

describe('SecretRefSchema', () => {
  it.each([{ env: 'PG_PASSWORD' }, { file: '/run/secrets/pg_password' }])('accepts %j', (ref) => {
    expect(SecretRefSchema.parse(ref)).toEqual(ref);
  });

  it('rejects an inline secret with a message that says how to write a reference', () => {
    const result = SecretRefSchema.safeParse('hunter2');
    expect(result.error?.issues).toMatchObject([{ path: [], code: 'invalid_union', message: INLINE_SECRET_MESSAGE }]);
    expect(JSON.stringify(result.error?.issues)).not.toContain('hunter2');
  });

  it.each([
    ['a lower-case variable name', { env: 'pg_password' }, ['env']],
    ['a variable name starting with a digit', { env: '1PW' }, ['env']],
    ['a relative file path', { file: 'secrets/pw' }, ['file']],
  ])('rejects %s', (_name, input, path) => {
    expect(issuesOf(SecretRefSchema, input)).toContainEqual(expect.objectContaining({ path, code: 'invalid_format' }));
  });

  it.each([{}, { env: 'A', file: '/b' }, { env: 'A', value: 'x' }])('rejects the malformed reference %j', (input) => {
    expect(SecretRefSchema.safeParse(input).success).toBe(false);
  });
});
