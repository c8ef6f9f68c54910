/**
 * How the command fails: a CliError carries the exit code, a stable error
 * code, a one-line message, a hint that says what to do, and (for invalid
 * files) every problem found. A store's typed error becomes a CliError with
 * the exit code its meaning calls for; nothing else reaches the user as a
 * stack trace unless --verbose asks for it.
 */
import type { MetadataStoreError } from '@metasource/spec';
import { EXIT, type ExitCode } from './exit-codes';

/** One problem in a file, printed as `file:line:column path message`. */
export interface Problem {
  /** The file as the user named it (relative to the working directory when inside it). */
  file: string;
  /** 1-based line and column of the offending value, when the file has one (a directory entry has none). */
  line?: number;
  column?: number;
  /** Where inside the value: `datasources[0].connection.port`; empty for the whole value. */
  path: string;
  message: string;
  /** An error makes the file invalid; a warning (a stale checksum) does not. */
  severity: 'error' | 'warning';
}

/** A problem as one line: `file:line:column path message` (no path for a problem of the whole value, such as a syntax error). */
export function formatProblem(problem: Problem): string {
  const where = problem.line !== undefined ? `${problem.file}:${problem.line}:${problem.column ?? 1}` : problem.file;
  const prefix = problem.severity === 'warning' ? 'warning: ' : '';
  return `${where} ${problem.path === '' ? '' : `${problem.path} `}${prefix}${problem.message}`;
}

/** Where inside a value an issue is: `payload.fields[0].name`. */
export function describePath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      const text = String(segment);
      if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(text)) return index === 0 ? text : `.${text}`;
      return `[${JSON.stringify(text)}]`;
    })
    .join('');
}

export interface CliErrorOptions {
  exitCode: ExitCode;
  /** Stable code for --json: usage, config_not_found, invalid_config, invalid_files, a store error code, interrupted, internal. */
  code: string;
  hint?: string;
  problems?: Problem[];
  cause?: unknown;
}

/** A failure of the command, with everything its report needs. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: ExitCode;
  readonly code: string;
  readonly hint: string | undefined;
  readonly problems: Problem[];

  constructor(message: string, options: CliErrorOptions) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.exitCode = options.exitCode;
    this.code = options.code;
    this.hint = options.hint;
    this.problems = options.problems ?? [];
  }
}

/** A usage error: exit 2, with a hint. */
export function usageError(message: string, hint?: string): CliError {
  return new CliError(message, { exitCode: EXIT.usage, code: 'usage', ...(hint !== undefined ? { hint } : {}) });
}

/** A store's typed failure, recognised by its shape (the class may come from another copy of the package). */
export interface StoreFailureLike {
  name: 'MetadataStoreFailure';
  message: string;
  error: MetadataStoreError;
}

export function isStoreFailure(error: unknown): error is StoreFailureLike {
  const candidate = error as { name?: unknown; error?: { code?: unknown } } | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    candidate.name === 'MetadataStoreFailure' &&
    typeof candidate.error?.code === 'string'
  );
}

/** The exit code a store error calls for. */
export function exitCodeOf(error: MetadataStoreError): ExitCode {
  switch (error.code) {
    case 'unavailable':
      return EXIT.unreachable;
    case 'migration_locked':
    case 'version_conflict':
    case 'already_exists':
      return EXIT.conflict;
    default:
      return EXIT.failed;
  }
}

/** What to do about a store error, in one line. `target` names the database (driver, host and port, or the SQLite file). */
export function hintFor(error: MetadataStoreError, target: string | undefined): string | undefined {
  switch (error.code) {
    case 'unavailable':
      return `check that ${target ?? 'the database'} is running and reachable, and that its credentials are set; \`metasource doctor\` checks the connection, the tables and the migrations`;
    case 'migration_locked':
      return 'another migration holds the lock: wait for it to finish, then try again (`metasource doctor` shows whether the lock is free)';
    case 'resync_needed':
      return `reload everything (export), then follow from --after ${error.latestSequence}, the feed's latest sequence`;
    case 'invalid_input':
      return undefined;
    case 'unsupported_capability':
      return `the database cannot do this (capability ${error.capability})`;
    case 'forbidden':
      return 'the tenants of the call are the --tenant values, or every tenant of the store when none is given';
    default:
      return undefined;
  }
}

/** A store failure as a CliError: its message (which never holds a secret), the exit code and a hint; invalid_input lists its issues. */
export function fromStoreFailure(failure: StoreFailureLike, target?: string, what?: string): CliError {
  const { error } = failure;
  const problems: Problem[] =
    error.code === 'invalid_input'
      ? error.issues.map((issue) => ({
          file: what ?? 'input',
          path: describePath(issue.path),
          message: issue.rule ? `${issue.message} (rule ${issue.rule})` : issue.message,
          severity: 'error' as const,
        }))
      : [];
  const hint = hintFor(error, target);
  return new CliError(error.message, {
    exitCode: exitCodeOf(error),
    code: error.code,
    ...(hint !== undefined ? { hint } : {}),
    problems,
    cause: failure,
  });
}

/** Any thrown value as a CliError: CliErrors as they are, store failures mapped, anything else an internal error (exit 1). */
export function toCliError(error: unknown, target?: string): CliError {
  if (error instanceof CliError) return error;
  if (isStoreFailure(error)) return fromStoreFailure(error, target);
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(`unexpected error: ${message}`, {
    exitCode: EXIT.failed,
    code: 'internal',
    hint: 'run again with --verbose for the stack trace, and report it if it persists',
    cause: error,
  });
}
