/**
 * The exit codes of the metasource command. They are part of its interface:
 * scripts and pipelines branch on them, so a code keeps its meaning from one
 * version to the next (README.md lists them, and so does `metasource --help`).
 */

/** Every exit code the command uses, by meaning. */
export const EXIT = Object.freeze({
  /** The command did what was asked: files valid, sources equal, import complete, checks passed. */
  ok: 0,
  /** Validation failures or differences: an invalid file or config, a diff that found differences, a failed check or audit. */
  failed: 1,
  /** The command line is wrong: an unknown option, a missing argument, a config file that does not exist. */
  usage: 2,
  /** The database cannot be reached (or cannot be used: a missing client package, a schema that is not up to date). */
  unreachable: 3,
  /** Refused by a conflict: an import or a save met stored items (already_exists, version_conflict), a migration met the lock. */
  conflict: 4,
  /** Interrupted by Ctrl-C (SIGINT), after saying what was committed. */
  interrupted: 130,
} as const);

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The table of exit codes, as `--help` and the README print it. */
export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0    success',
  '  1    validation failures or differences (invalid files, diff found differences, a check or MUST audit failed)',
  '  2    usage error (unknown option, missing argument, no config file)',
  '  3    database unreachable (the message names driver, host and port, or the SQLite file; never a password or URL)',
  '  4    conflicts (an import or a save refused by stored items or a version conflict, a migration refused by the lock)',
  '  130  interrupted (Ctrl-C), after saying what was committed',
].join('\n');
