/**
 * Schema issues as problems in a file: each Zod issue's path is mapped back
 * to the line and column of the value it names (source-text.ts), and its
 * message kept as the schema wrote it, with the name of the cross-field rule
 * when a rule failed.
 */
import type { z } from 'zod';
import { describePath, type Problem } from '../errors';
import { TextSyntaxProblem, type LocatedText } from './source-text';

/** The message of one issue, with its rule's name when a cross-field rule failed. */
export function issueMessage(issue: z.core.$ZodIssue): string {
  const rule = issue.code === 'custom' ? (issue.params as { rule?: unknown } | undefined)?.rule : undefined;
  const message = issue.message || 'invalid value';
  return typeof rule === 'string' ? `${message} (rule ${rule})` : message;
}

/** The issues of a failed parse as problems of `file`; `prefix` is where the parsed value sits inside the text's value. */
export function issuesToProblems(
  issues: readonly z.core.$ZodIssue[],
  text: LocatedText | undefined,
  file: string,
  prefix: readonly PropertyKey[] = [],
): Problem[] {
  return issues.map((issue) => {
    const path = [...prefix, ...issue.path];
    const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const position = text?.locate(path, key);
    return {
      file,
      ...(position ? { line: position.line, column: position.column } : {}),
      path: describePath(issue.path),
      message: issueMessage(issue),
      severity: 'error' as const,
    };
  });
}

/** A syntax error as a problem at its line and column. */
export function syntaxProblem(error: TextSyntaxProblem, file: string): Problem {
  return { file, line: error.position.line, column: error.position.column, path: '', message: error.message, severity: 'error' };
}
