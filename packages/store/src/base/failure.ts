/**
 * How a store call fails: always with a MetadataStoreFailure whose `error` is
 * a MetadataStoreError (R1, R43, R44), never with an untyped exception for a
 * condition the error codes describe.
 */
import type { MetadataStoreError, MetadataStoreFailure as MetadataStoreFailureContract } from '@metasource/spec';
import type { z } from 'zod';

/** One issue of an invalid_input error. */
export type InputIssue = Extract<MetadataStoreError, { code: 'invalid_input' }>['issues'][number];

/** The error a store call rejects with: `error` says what went wrong, in a shape a caller can act on. */
export class MetadataStoreFailure extends Error implements MetadataStoreFailureContract {
  override readonly name = 'MetadataStoreFailure' as const;
  readonly error: MetadataStoreError;

  constructor(error: MetadataStoreError) {
    super(error.message);
    this.error = error;
  }
}

/** Throws a MetadataStoreFailure carrying `error`. */
export function fail(error: MetadataStoreError): never {
  throw new MetadataStoreFailure(error);
}

const MAX_ISSUES = 100;
const MAX_PATH_LENGTH = 64;
const MAX_PATH_SEGMENT = 256;
const MAX_ISSUE_MESSAGE = 1000;
const MAX_MESSAGE = 2000;
const MAX_ISSUE_CODE = 64;
const RULE_NAME = /^_?[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
/** A lone surrogate: with the u flag, a surrogate pair is one code point and does not match. */
const LONE_SURROGATE = /\p{Cs}/u;
/** A key the message may name: it looks like a field name, so it is not a value a caller typed in (R44). */
const NAMEABLE_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]{0,63}$/;

function truncate(text: string, max: number): string {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max - 3).join('')}...`;
}

function issuePath(path: readonly PropertyKey[]): (string | number)[] {
  return path
    .slice(0, MAX_PATH_LENGTH)
    .map((segment) =>
      typeof segment === 'number' && Number.isSafeInteger(segment) && segment >= 0 ? segment : truncate(String(segment), MAX_PATH_SEGMENT),
    );
}

/** Where an issue is, for a message: `pagination.pageSize`, `records[3].name`, or `(root)`. */
export function describePath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(root)';
  return path.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`)).join('');
}

/**
 * Zod's messages say what was expected, not what was given, with one
 * exception: unrecognized_keys lists the keys. Those are names in a strict
 * object, normally field names; a key that does not look like one is counted
 * rather than quoted, so no typed-in text reaches a message.
 */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const named = issue.keys.filter((key) => NAMEABLE_KEY.test(key));
    const others = issue.keys.length - named.length;
    const parts = [...named.map((key) => `"${key}"`), ...(others > 0 ? [`${others} other key${others === 1 ? '' : 's'}`] : [])];
    return `unknown key${issue.keys.length === 1 ? '' : 's'} ${parts.join(', ')}: this object accepts no other keys`;
  }
  return truncate(issue.message || 'invalid value', MAX_ISSUE_MESSAGE);
}

/** A Zod issue in the store error's form: path, code, rule (for a cross-field rule) and a message without input values. */
export function toInputIssue(issue: z.core.$ZodIssue): InputIssue {
  const rule = issue.code === 'custom' ? (issue.params as { rule?: unknown } | undefined)?.rule : undefined;
  return {
    path: issuePath(issue.path),
    code: truncate(issue.code, MAX_ISSUE_CODE),
    ...(typeof rule === 'string' && RULE_NAME.test(rule) && rule.length <= 63 ? { rule } : {}),
    message: issueMessage(issue),
  };
}

/** Fails with invalid_input: `what` (such as "the save options") and its issues, the first 100 of them. */
export function failInvalidInput(what: string, issues: readonly InputIssue[]): never {
  const first = issues[0];
  const summary = first ? `: ${describePath(first.path)}: ${first.message}` : '';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more issue${issues.length === 2 ? '' : 's'})` : '';
  fail({
    code: 'invalid_input',
    message: truncate(`${what} ${what.endsWith('s') ? 'are' : 'is'} invalid${summary}${more}`, MAX_MESSAGE),
    issues: (issues.length > 0 ? issues : [{ path: [], code: 'custom', message: 'invalid input' }]).slice(0, MAX_ISSUES),
  });
}

/** The message of an issue on text that is not well-formed Unicode. */
export const ILL_FORMED_MESSAGE = 'must be well-formed Unicode text: a lone surrogate has no UTF-8 form and no RFC 8785 serialisation';

/**
 * The path of the first string (value or object key) in `value` that is not
 * well-formed Unicode (a lone surrogate), or undefined. Such a string has no
 * UTF-8 form, so no database stores it and RFC 8785 cannot canonicalise it
 * (no checksum, no cursor fingerprint); the store refuses it as input.
 */
export function findIllFormedString(value: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = findIllFormedString(value[index], [...path, index]);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      if (LONE_SURROGATE.test(key)) return [...path, key];
      const found = findIllFormedString((value as Record<string, unknown>)[key], [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Parses one input of a store call with its spec schema, before the call does
 * anything else. `what` names the input in the message ("the call context",
 * "the query options"). An invalid input fails with invalid_input, whose
 * issues give each path, Zod's issue code, the cross-field rule's name (from
 * `params.rule`) and a message that never repeats an input value.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) failInvalidInput(what, result.error.issues.map(toInputIssue));
  const illFormed = findIllFormedString(result.data);
  if (illFormed) {
    failInvalidInput(what, [
      {
        path: issuePath(illFormed),
        code: 'invalid_format',
        message: ILL_FORMED_MESSAGE,
      },
    ]);
  }
  return result.data;
}
