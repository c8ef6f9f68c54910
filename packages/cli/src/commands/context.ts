/**
 * What every sub-command gets: the streams and environment, the writer
 * (text or --json), the global options, and the config, read on first use
 * (validate and conformance never need one).
 */
import { loadConfig, findConfigFile, type LoadedConfig } from '../config';
import type { ExitCode } from '../exit-codes';
import type { CliIo, Output } from '../output';
import { operatorOf, type Operator } from '../store';

/** The options every sub-command takes. */
export interface GlobalOptions {
  config?: string;
  datasource?: string;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  actor: string;
  progressIntervalMs: number;
}

export class CommandContext {
  #config: Promise<LoadedConfig> | undefined;

  constructor(
    readonly command: string,
    readonly io: CliIo,
    readonly out: Output,
    readonly global: GlobalOptions,
  ) {}

  /** The config file, read and validated once. */
  config(): Promise<LoadedConfig> {
    this.#config ??= (async () => loadConfig(this.io.cwd, findConfigFile(this.io.cwd, this.global.config)))();
    return this.#config;
  }

  /** The operator the store is called as: --actor and the --tenant values. */
  operator(tenants: readonly string[] = []): Operator {
    return operatorOf(this.global.actor, tenants);
  }

  /** Whether Ctrl-C was pressed. */
  get interrupted(): boolean {
    return this.io.signal?.aborted === true;
  }
}

/** What a sub-command returns: its exit code (it has printed its result). */
export type CommandOutcome = Promise<ExitCode>;
