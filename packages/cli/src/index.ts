/**
 * @metasource/cli: the metasource command, for programs too. `main(argv,
 * io)` runs it in-process and returns its exit code; the result schemas
 * describe what `--json` prints, one object per run.
 */
export { main, VERSION } from './main';
export { EXIT, EXIT_CODES_HELP, type ExitCode } from './exit-codes';
export type { CliIo, OutputStream } from './output';
export * from './results';
