/**
 * The metasource command line: sub-commands, options and help through
 * commander, the exit codes of exit-codes.ts, and one way to fail: a
 * one-line message and a hint on stderr (the stack trace only with
 * --verbose), and with --json an ErrorResult on stdout.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { MetadataConflictStrategySchema } from '@metasource/spec';
import { runChanges } from './commands/changes';
import { runConformance } from './commands/conformance';
import { CommandContext, type GlobalOptions } from './commands/context';
import { runDiff } from './commands/diff';
import { runDoctor } from './commands/doctor';
import { runExport } from './commands/export';
import { runImport } from './commands/import';
import { runMigrate } from './commands/migrate';
import { runQuery } from './commands/query';
import { runSave } from './commands/save';
import { runValidate } from './commands/validate';
import { formatProblem, toCliError, type CliError } from './errors';
import { EXIT, EXIT_CODES_HELP, type ExitCode } from './exit-codes';
import { Output, type CliIo } from './output';
import type { ErrorResult } from './results';

/** The package version, from package.json beside src/ and dist/. */
export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

const SUBCOMMANDS = ['validate', 'doctor', 'migrate', 'export', 'import', 'diff', 'query', 'save', 'changes', 'conformance'] as const;

/** Parses a whole number option within bounds. */
function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^[0-9]+$/.test(value)) throw new InvalidArgumentError('must be a whole number');
    const number = Number(value);
    if (number < min || number > max) throw new InvalidArgumentError(`must be ${min} to ${max}`);
    return number;
  };
}

/**
 * A sub-command's options with every flag a boolean and every repeatable
 * option a list: commander leaves an option that was not given undefined
 * (no defaults are set for them, so that help does not print "default: []").
 */
function normalized<T>(options: object, flags: readonly string[], lists: readonly string[]): T {
  const result: Record<string, unknown> = { ...options };
  for (const key of flags) result[key] = result[key] === true;
  for (const key of lists) result[key] = (result[key] as string[] | undefined) ?? [];
  return result as T;
}

/** Collects a repeatable option's values. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const LAYOUT_HELP = [
  "Directory trees (export --format tree, import DIR, diff DIR, validate DIR) follow the file loader's",
  'METADATA_FILE_LAYOUT: <tenantId>/<scope>/<type>/<namespace>/<name>.json, and',
  '<tenantId>/user/<owner>/<type>/<namespace>/<name>.json for user scope. Scope and owner are in the path',
  'because they are in the identity key: a tree without them would write one item over another.',
].join('\n');

const EXAMPLES_HELP = [
  'Examples:',
  '  metasource validate metasource.json export.jsonl',
  '  metasource doctor',
  '  metasource migrate            # print the plan',
  '  metasource migrate --apply    # run it under the migration lock',
  '  metasource export --out backup.jsonl',
  '  metasource import backup.jsonl --dry-run',
  '  metasource diff backup.jsonl metadata_db',
  '  metasource query --tenant acme --type view --sort name',
  '  metasource save account.json --expected-version 3',
  '  metasource changes --tenant acme --after 120 --follow',
].join('\n');

/** The name of the sub-command in argv, for error results of a run that failed before commander got to it. */
function commandOf(args: readonly string[]): string {
  return args.find((arg): arg is (typeof SUBCOMMANDS)[number] => (SUBCOMMANDS as readonly string[]).includes(arg)) ?? 'metasource';
}

/** The default streams and environment of the process. */
function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}

/**
 * Runs the command with `argv` (as process.argv: node, script, arguments)
 * and returns the exit code; it never exits the process. `io` replaces the
 * process's streams, working directory, environment and interrupt signal,
 * for running it in-process.
 */
export async function main(argv: readonly string[] = process.argv, io: Partial<CliIo> = {}): Promise<ExitCode> {
  const env: CliIo = { ...processIo(), ...io };
  const args = argv.slice(2);
  const wantsJson = args.includes('--json');
  const command = commandOf(args);
  let exitCode: ExitCode = EXIT.ok;
  let output: Output | undefined;

  const program = new Command('metasource');
  program
    .description(
      'Validate, migrate, export, import, diff and follow Metasource metadata in SQLite, PostgreSQL and MySQL/MariaDB.\n' +
        'Reads a MetasourceConfig: --config FILE, or metasource.json (metasource.yaml, .yml) in the working directory.',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print help')
    .option('--config <file>', 'the MetasourceConfig file (JSON or YAML); default ./metasource.json, .yaml or .yml')
    .option('--datasource <name>', "the datasource to work on; default the config's metadata.datasource")
    .option('--json', 'print one machine-readable result object on stdout instead of text')
    .option('-q, --quiet', 'no progress and no notes on stderr')
    .option('--verbose', 'show stack traces of unexpected errors')
    .option('--actor <name>', 'who the store records as making the changes (an OpaqueId)', 'metasource-cli')
    .addOption(
      new Option('--progress-interval-ms <ms>', 'how often a progress line is written when stderr is not a terminal')
        .argParser(wholeNumber(100, 3_600_000))
        .default(5000),
    )
    .exitOverride()
    .configureOutput({ writeOut: (text) => env.stdout.write(text), writeErr: (text) => env.stderr.write(text) })
    .showHelpAfterError('(metasource --help shows the usage)')
    .addHelpText('after', `\n${EXIT_CODES_HELP}\n\n${LAYOUT_HELP}\n\n${EXAMPLES_HELP}\n`);

  /** The context of a sub-command run, from its options merged with the globals. */
  const contextOf = (name: string, cmd: Command): CommandContext => {
    const opts = cmd.optsWithGlobals() as GlobalOptions;
    const global: GlobalOptions = {
      ...(opts.config !== undefined ? { config: opts.config } : {}),
      ...(opts.datasource !== undefined ? { datasource: opts.datasource } : {}),
      json: opts.json === true,
      quiet: opts.quiet === true,
      verbose: opts.verbose === true,
      actor: opts.actor,
      progressIntervalMs: opts.progressIntervalMs,
    };
    output = new Output(env, {
      json: global.json,
      quiet: global.quiet,
      verbose: global.verbose,
      progressIntervalMs: global.progressIntervalMs,
    });
    return new CommandContext(name, env, output, global);
  };

  program
    .command('validate')
    .description(
      'check config files and metadata files (JSON Lines of records, a record .json or .yaml, a directory tree) against the schemas; touches no database',
    )
    .argument('[files...]', 'files and directories to check; default the config file')
    .addOption(new Option('--format <format>', 'what the files of a directory tree hold').choices(['record', 'payload']).default('record'))
    .addHelpText('after', '\nEach problem is printed as `file:line:column path message`. Exit 1 when any file is invalid.')
    .action(async (files: string[], opts: { format: 'record' | 'payload' }, cmd: Command) => {
      exitCode = await runValidate(contextOf('validate', cmd), files, opts);
    });

  program
    .command('doctor')
    .description(
      'connect and check the database: version, capability profile, tables against the config, pending migrations, migration lock',
    )
    .addHelpText('after', '\nExit 0 when no check fails, 1 when one fails, 3 when the database cannot be reached.')
    .action(async (_opts: unknown, cmd: Command) => {
      exitCode = await runDoctor(contextOf('doctor', cmd));
    });

  program
    .command('migrate')
    .description('print the migration plan (every statement, what loses data, what cannot be rolled back); --apply runs it under the lock')
    .option('--apply', 'run the plan (default: print it and run nothing)')
    .option('--allow-data-loss', 'plan and allow steps that can lose data; each is preceded by a backup of its table')
    .option('--steps <file>', 'plan these steps (a JSON or YAML array of MetadataMigrationOperation) instead of the config layout')
    .action(async (opts: object, cmd: Command) => {
      exitCode = await runMigrate(contextOf('migrate', cmd), normalized(opts, ['apply', 'allowDataLoss'], []));
    });

  program
    .command('export')
    .description('stream records to a JSON Lines file (or stdout) or a directory tree, in a stable order, each with its checksum')
    .option('--out <path>', 'the .jsonl file or the directory to write; default stdout (JSON Lines)')
    .addOption(
      new Option('--format <format>', 'jsonl or tree; default from --out (.jsonl/.ndjson: jsonl, a directory: tree)').choices([
        'jsonl',
        'tree',
      ]),
    )
    .option('--tenant <id>', 'export this tenant (repeatable); default every tenant', collect)
    .option('--type <type>', 'only this type (repeatable)', collect)
    .option('--namespace <namespace>', 'only this namespace (repeatable)', collect)
    .option('--scope <scope>', 'only this scope: system, platform, user (repeatable)', collect)
    .option('--state <state>', 'only this state: draft, active, deprecated, archived (repeatable)', collect)
    .option('--exclude-archived', 'leave archived items out (default: every item is exported)')
    .option('--no-audit', 'leave out createdAt, createdBy, updatedAt and updatedBy')
    .option('--force', 'replace an existing .jsonl file')
    .addHelpText('after', `\n${LAYOUT_HELP}`)
    .action(async (opts: object, cmd: Command) => {
      const lists = ['tenant', 'type', 'namespace', 'scope', 'state'];
      exitCode = await runExport(contextOf('export', cmd), normalized(opts, ['excludeArchived', 'force'], lists));
    });

  program
    .command('import')
    .description('write the records of a JSON Lines file or a directory tree into the store, per batch or atomically, with a report')
    .argument('<source>', 'a .jsonl/.ndjson file or a directory tree')
    .addOption(new Option('--format <format>', 'what the files of a directory tree hold').choices(['record', 'payload']).default('record'))
    .option('--dry-run', 'report what would be created, updated, skipped or conflict, and write nothing')
    .option('--atomic', 'all or nothing, in one transaction (refused up front where the database cannot)')
    .addOption(
      new Option('--on-conflict <mode>', 'what to do with an item already stored')
        .choices([...MetadataConflictStrategySchema.options])
        .default('error'),
    )
    .option('--batch-size <n>', 'records per batch (one transaction each); default the protocol default', wholeNumber(1))
    .option('--continue-on-error', 'keep going after a failed item (not with --atomic)')
    .option('--preserve-versions', 'keep the imported versions (restoring a backup); needs --on-conflict error or skip')
    .option(
      '--tenant <id>',
      'the tenants the import may write (repeatable); default every tenant of the store and of the records',
      collect,
      [],
    )
    .addHelpText(
      'after',
      `\nThe source is checked whole first; a source with any problem writes nothing. Ctrl-C lets the running batch\nfinish, says what is committed and exits 130.\n\n${LAYOUT_HELP}`,
    )
    .action(async (source: string, opts: object, cmd: Command) => {
      const flags = ['dryRun', 'atomic', 'continueOnError', 'preserveVersions'];
      exitCode = await runImport(contextOf('import', cmd), source, normalized(opts, flags, ['tenant']));
    });

  program
    .command('diff')
    .description('compare two sources (a datasource of the config, a .jsonl export, a directory tree): added, removed, changed items')
    .argument('<a>', 'the first source (datasource:NAME forces a datasource)')
    .argument('<b>', 'the second source')
    .addOption(new Option('--format <format>', 'what the files of a directory tree hold').choices(['record', 'payload']).default('record'))
    .option('--tenant <id>', 'compare only this tenant (repeatable)', collect)
    .addHelpText('after', '\nExit 0 when the sources are equal, 1 when they differ (as git diff --exit-code).')
    .action(async (a: string, b: string, opts: object, cmd: Command) => {
      exitCode = await runDiff(contextOf('diff', cmd), a, b, normalized(opts, [], ['tenant']));
    });

  program
    .command('query')
    .description('print the records a structured query selects (a table, or --json), page by page or --all; --resolve: as they take effect')
    .option('--type <type>', 'only this type (repeatable: any of them)', collect)
    .option('--namespace <namespace>', 'only this namespace (repeatable)', collect)
    .option('--name <name>', 'only this name (repeatable)', collect)
    .option('--tenant <id>', 'read this tenant (repeatable); default every tenant of the store', collect)
    .option('--scope <scope>', 'only this scope: system, platform, user (repeatable)', collect)
    .option('--state <state>', 'only this state: draft, active, deprecated, archived (repeatable)', collect)
    .option(
      '--where <json>',
      'a MetadataQueryCondition as JSON, e.g. \'{"field":"payload/label","operator":"starts_with","value":"Acc"}\' (repeatable: all of them)',
      collect,
    )
    .option('--sort <field[:desc]>', 'sort by a record field, ascending or with :desc descending (repeatable, at most 5)', collect)
    .option('--page-size <n>', 'records per page, 1 to 1000; default 100', wholeNumber(1, 1000))
    .option('--cursor <cursor>', 'continue after the page that printed this cursor (same filters and sort)')
    .option('--all', 'follow the cursors and print every page')
    .option('--include-archived', 'include archived items when no --state is given')
    .option('--resolve', 'each item as it takes effect: load with resolveInheritance (extends merged), not as stored')
    .addHelpText(
      'after',
      '\nExit 0 when the query ran, even when nothing matches; 1 when a filter, condition or sort is invalid; 3 when the database cannot be reached.',
    )
    .action(async (opts: object, cmd: Command) => {
      const flags = ['all', 'resolve', 'includeArchived'];
      const lists = ['type', 'namespace', 'name', 'tenant', 'scope', 'state', 'where', 'sort'];
      exitCode = await runQuery(contextOf('query', cmd), normalized(opts, flags, lists));
    });

  program
    .command('save')
    .description('create or change one item from a MetadataRecordWrite file (JSON or YAML), version-checked with --expected-version')
    .argument('<file>', 'a .json, .yaml or .yml file holding one MetadataRecordWrite')
    .option('--expected-version <n>', 'save only if the item is stored with this version (optimistic concurrency)', wholeNumber(1))
    .addOption(
      new Option('--on-conflict <mode>', 'what to do when the item is stored: merge the payload (update), replace it, skip, or error')
        .choices([...MetadataConflictStrategySchema.options])
        .default('update'),
    )
    .option('--tenant <id>', 'the tenant to write when the file has no tenantId (if it has one, they must agree)')
    .option('--dry-run', 'check the key, version and conflict, report what would happen, and write nothing')
    .addHelpText(
      'after',
      '\nExit 0 when saved (or unchanged, or skipped); 4 when refused by a version_conflict or already_exists; 1 for an invalid file or not_found.',
    )
    .action(async (file: string, opts: object, cmd: Command) => {
      exitCode = await runSave(contextOf('save', cmd), file, normalized(opts, ['dryRun'], []));
    });

  program
    .command('changes')
    .description("print a tenant's change feed after a sequence number; --follow keeps polling until Ctrl-C")
    .option('--tenant <id>', "the tenant whose feed to read; default the store's only tenant", collect)
    .option('--after <sequence>', 'print events after this sequence', wholeNumber(0), 0)
    .option('--limit <n>', 'print at most this many events', wholeNumber(1, 1000))
    .option('--follow', 'keep polling for new events until Ctrl-C')
    .option('--interval-ms <ms>', 'how often --follow polls', wholeNumber(10, 3_600_000), 1000)
    .action(async (opts: object, cmd: Command) => {
      exitCode = await runChanges(contextOf('changes', cmd), normalized(opts, ['follow'], ['tenant']));
    });

  program
    .command('conformance')
    .description('run the conformance kit against the store a module exports (newStore, optionally secondClient and close)')
    .argument('<module>', 'a module path or package name')
    .option('--out <file>', 'write the Markdown report here (default stdout)')
    .option('--name <name>', 'the store name the report shows; default the module')
    .option('--only <id>', 'run only this audit (R17.1) or requirement (R17); repeatable', collect)
    .addHelpText('after', '\nExit 1 when a MUST audit fails.')
    .action(async (module: string, opts: object, cmd: Command) => {
      exitCode = await runConformance(contextOf('conformance', cmd), module, normalized(opts, [], ['only']));
    });

  try {
    await program.parseAsync([...argv], { from: 'node' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
      const message = error.code === 'commander.help' ? 'no sub-command given' : error.message.replace(/^error: /, '');
      if (wantsJson) writeErrorResult(env, command, EXIT.usage, { code: 'usage', message, problems: [] });
      return EXIT.usage;
    }
    const failure = toCliError(error);
    report(env, output, command, failure, args.includes('--verbose'), wantsJson);
    return failure.exitCode;
  }
}

function writeErrorResult(io: CliIo, command: string, exitCode: ExitCode, error: ErrorResult['error']): void {
  const result: ErrorResult = { command, exitCode, error };
  io.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Reports a failure: the message, the problems and the hint on stderr (the stack with --verbose); with --json the ErrorResult on stdout. */
function report(io: CliIo, output: Output | undefined, command: string, failure: CliError, verbose: boolean, json: boolean): void {
  const lines = [`metasource ${command === 'metasource' ? '' : `${command}: `}error: ${failure.message}`];
  for (const problem of failure.problems) lines.push(`  ${formatProblem(problem)}`);
  if (failure.hint) lines.push(`hint: ${failure.hint}`);
  if (verbose && failure.cause !== undefined) {
    const cause = failure.cause as { stack?: unknown };
    lines.push(typeof cause.stack === 'string' ? cause.stack : String(failure.cause));
  }
  io.stderr.write(`${lines.join('\n')}\n`);
  if (json || output?.json) {
    writeErrorResult(io, command, failure.exitCode, {
      code: failure.code,
      message: failure.message,
      ...(failure.hint !== undefined ? { hint: failure.hint } : {}),
      problems: failure.problems,
    });
  }
}
