import { z } from 'zod';
import { define } from './registry';

/** An ISO 8601 / RFC 3339 date-time with a time zone. */
export const DateTimeSchema = /* @__PURE__ */ define('DateTime', () =>
  z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone, such as 2026-01-31T09:30:00Z' }).meta({
    description: 'An ISO 8601 (RFC 3339) date-time with seconds and a time zone (Z or an offset).',
    examples: ['2026-01-31T09:30:00Z', '2026-01-31T10:30:00.125+01:00'],
  }),
);
export type DateTime = z.output<typeof DateTimeSchema>;
export type DateTimeInput = z.input<typeof DateTimeSchema>;
