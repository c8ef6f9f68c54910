import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { issuesOf } from '../testing';
import { DateTimeSchema } from './date-time.zod';

describe('DateTimeSchema', () => {
  it.each(['2026-01-31T09:30:00Z', '2026-01-31T10:30:00.125+01:00', '2024-02-29T00:00:00Z', '2026-12-31T23:59:59-12:00'])(
    'accepts %s',
    (input) => {
      expect(DateTimeSchema.parse(input)).toBe(input);
    },
  );

  it.each<[string, unknown, string]>([
    ['an impossible date', '2026-02-30T00:00:00Z', 'invalid_format'],
    ['Feb 29 outside a leap year', '2026-02-29T00:00:00Z', 'invalid_format'],
    ['month 13', '2026-13-01T00:00:00Z', 'invalid_format'],
    ['a date only', '2026-01-01', 'invalid_format'],
    ['no time zone', '2026-01-01T10:00:00', 'invalid_format'],
    ['a space instead of T', '2026-01-01 10:00:00Z', 'invalid_format'],
    ['no seconds', '2026-01-01T10:00Z', 'invalid_format'],
    ['an offset without a colon', '2026-01-01T10:00:00+0100', 'invalid_format'],
    ['hour 24', '2026-01-01T24:00:00Z', 'invalid_format'],
    ['empty', '', 'invalid_format'],
    ['a timestamp number', 1767225600000, 'invalid_type'],
  ])('rejects %s', (_label, input, code) => {
    expect(issuesOf(DateTimeSchema, input)).toEqual([{ path: [], code }]);
  });

  it('types', () => {
    expectTypeOf<z.output<typeof DateTimeSchema>>().toEqualTypeOf<string>();
  });
});
