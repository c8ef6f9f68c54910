/**
 * Finding, reading and validating the MetasourceConfig file: JSON (with an
 * optional `$schema`) or YAML. Without --config, the working directory's
 * metasource.json is used, or its metasource.yaml / metasource.yml; two of
 * them at once is ambiguous and refused. An invalid file is reported
 * problem by problem, each at its line and column; nothing is opened.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { MetasourceConfigSchema, type Datasource, type MetasourceConfig } from '@metasource/spec';
import { CliError, usageError, type Problem } from './errors';
import { EXIT } from './exit-codes';
import { issuesToProblems, syntaxProblem } from './text/problems';
import { TextSyntaxProblem, formatOfFile, parseText } from './text/source-text';

/** The config files looked for in the working directory, in this order. */
export const CONFIG_FILE_NAMES = ['metasource.json', 'metasource.yaml', 'metasource.yml'] as const;

/** A path as messages show it: relative to the working directory when inside it, else absolute. */
export function displayPath(cwd: string, file: string): string {
  const absolute = resolve(cwd, file);
  const rel = relative(cwd, absolute);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolute;
}

/** The config file to read: --config, or the one metasource.* file of the working directory. */
export function findConfigFile(cwd: string, explicit: string | undefined): string {
  if (explicit !== undefined) {
    const file = resolve(cwd, explicit);
    if (!existsSync(file))
      throw usageError(`the config file ${explicit} does not exist`, 'pass the path of a MetasourceConfig file with --config');
    return file;
  }
  const present = CONFIG_FILE_NAMES.filter((name) => existsSync(resolve(cwd, name)));
  if (present.length === 0) {
    throw usageError(
      `no config file: none of ${CONFIG_FILE_NAMES.join(', ')} is in ${cwd}`,
      'write a metasource.json (a MetasourceConfig) here, or pass one with --config FILE',
    );
  }
  if (present.length > 1) {
    throw usageError(`${present.join(' and ')} are both here; which one is meant is ambiguous`, 'pass the one to use with --config FILE');
  }
  return resolve(cwd, present[0]!);
}

/** What validating a config text found: the parsed config, or its problems. */
export interface ConfigCheck {
  config?: MetasourceConfig;
  problems: Problem[];
}

/** Parses and validates the text of a config file, mapping every problem to its line and column. */
export function checkConfigText(text: string, file: string, display: string): ConfigCheck {
  let located;
  try {
    located = parseText(text, formatOfFile(file));
  } catch (error) {
    if (error instanceof TextSyntaxProblem) return { problems: [syntaxProblem(error, display)] };
    throw error;
  }
  const result = MetasourceConfigSchema.safeParse(located.value);
  if (!result.success) return { problems: issuesToProblems(result.error.issues, located, display) };
  return { config: result.data, problems: [] };
}

/** A config file read and validated. */
export interface LoadedConfig {
  file: string;
  display: string;
  config: MetasourceConfig;
}

/** Reads and validates a config file; an invalid one fails with exit 1 and every problem. */
export async function loadConfig(cwd: string, file: string): Promise<LoadedConfig> {
  const display = displayPath(cwd, file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw usageError(`the config file ${display} cannot be read (${typeof code === 'string' ? code : 'error'})`);
  }
  const checked = checkConfigText(text, file, display);
  if (!checked.config) {
    throw new CliError(
      `the config file ${display} is invalid (${checked.problems.length} problem${checked.problems.length === 1 ? '' : 's'})`,
      {
        exitCode: EXIT.failed,
        code: 'invalid_config',
        hint: 'fix the problems listed; `metasource validate` checks the file without touching a database',
        problems: checked.problems,
      },
    );
  }
  return { file, display, config: checked.config };
}

/** The datasource a command works on: --datasource, or the config's metadata datasource. */
export function pickDatasource(config: MetasourceConfig, name: string | undefined): Datasource {
  const wanted = name ?? config.metadata.datasource;
  const datasource = config.datasources.find((entry) => entry.name === wanted);
  if (!datasource) {
    throw usageError(
      `the config has no datasource ${wanted}`,
      `its datasources are ${config.datasources.map((entry) => entry.name).join(', ')}`,
    );
  }
  return datasource;
}

/**
 * The database a datasource points at, for messages: driver, host and port
 * (and database), or the SQLite file. A URL connection is a secret and is
 * never resolved here: the message names the reference that holds it.
 */
export function describeDatasource(datasource: Datasource): string {
  switch (datasource.driver) {
    case 'sqlite':
      return `sqlite file ${datasource.connection.filename}`;
    case 'mongodb':
      return `mongodb at the URL in ${'env' in datasource.connection.url ? `environment variable ${datasource.connection.url.env}` : `file ${datasource.connection.url.file}`}`;
    case 'postgres':
    case 'mysql': {
      const { connection } = datasource;
      if ('url' in connection) {
        const ref = connection.url;
        return `${datasource.driver} at the URL in ${'env' in ref ? `environment variable ${ref.env}` : `file ${ref.file}`}`;
      }
      const host = connection.host.includes(':') ? `[${connection.host}]` : connection.host;
      return `${datasource.driver} at ${host}:${connection.port}, database ${connection.database}`;
    }
  }
}
