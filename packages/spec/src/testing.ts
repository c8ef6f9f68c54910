/**
 * Helpers shared by the schema tests. Not exported from the package entry
 * points, so it is never built into dist.
 */
import { expect } from 'vitest';
import type { z } from 'zod';

export type Path = (string | number)[];

export interface SeenIssue {
  path: PropertyKey[];
  code: string;
  rule?: unknown;
}

/** The distinct (path, code, rule) triples of a failed parse; fails the test when the parse succeeds. */
export function issuesOf(schema: z.ZodType, input: unknown): SeenIssue[] {
  const result = schema.safeParse(input);
  expect(result.success, `expected ${JSON.stringify(input)?.slice(0, 200)} to be rejected`).toBe(false);
  const seen = new Map<string, SeenIssue>();
  for (const issue of result.error?.issues ?? []) {
    const entry: SeenIssue = { path: issue.path, code: issue.code };
    if (issue.code === 'custom' && issue.params?.rule !== undefined) entry.rule = issue.params.rule;
    seen.set(JSON.stringify(entry), entry);
  }
  return [...seen.values()];
}
