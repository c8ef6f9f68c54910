/**
 * Where the command writes: results to stdout (text, or one JSON object with
 * --json), notes, warnings, errors and progress to stderr. Progress is a
 * single updating line on a terminal and a plain line every few seconds
 * elsewhere (a log, a pipe); --quiet silences both, and the notes.
 */

/** A stream the command writes to (process.stdout, or a test's sink). */
export interface OutputStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  once?(event: 'drain', listener: () => void): unknown;
}

/** Everything the command takes from its environment, so that a test can run it in-process. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  cwd: string;
  /** Where `env` secret references are read; default process.env. */
  env: Record<string, string | undefined>;
  /** Aborted on Ctrl-C (SIGINT): long commands stop at the next safe point. */
  signal?: AbortSignal;
}

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  /** How often a plain progress line is written when stderr is not a terminal. */
  progressIntervalMs: number;
}

/** Formats a duration for people: `850 ms`, `12.3 s`, `4 min 05 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

/** A count with thousands separators: 12,345. */
export function grouped(count: number): string {
  return count.toLocaleString('en-US');
}

export function plural(count: number, word: string, words = `${word}s`): string {
  return `${grouped(count)} ${count === 1 ? word : words}`;
}

/** The command's writer. */
export class Output {
  constructor(
    readonly io: CliIo,
    readonly options: OutputOptions,
  ) {}

  get json(): boolean {
    return this.options.json;
  }

  /** A line of the text result (stdout); nothing in --json mode, where the result object says it. */
  line(text = ''): void {
    if (!this.options.json) this.io.stdout.write(`${text}\n`);
  }

  /** An informational line on stderr; silenced by --quiet. */
  note(text: string): void {
    if (!this.options.quiet) this.io.stderr.write(`${text}\n`);
  }

  /** A warning on stderr; never silenced. */
  warn(text: string): void {
    this.io.stderr.write(`warning: ${text}\n`);
  }

  /** The --json result: one object, one line, on stdout. */
  result(value: unknown): void {
    if (this.options.json) this.io.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** A progress reporter for `label` (a verb: "export", "import"), counting `unit`s. */
  progress(label: string, unit: string, total?: number): Progress {
    const enabled = !this.options.quiet;
    return new Progress(this.io.stderr, {
      enabled,
      tty: this.io.stderr.isTTY === true,
      intervalMs: this.options.progressIntervalMs,
      label,
      unit,
      total,
    });
  }
}

interface ProgressOptions {
  enabled: boolean;
  tty: boolean;
  intervalMs: number;
  label: string;
  unit: string;
  total?: number;
}

const BAR_WIDTH = 24;
/** How often the terminal line is redrawn at most. */
const TTY_REDRAW_MS = 100;

/**
 * Counts work done and shows it: `import [#########---] 6,000 / 10,000
 * records (60%), 2,412/s, 2.5 s`. On a terminal the line is redrawn in
 * place; elsewhere a line is written every intervalMs while work goes on
 * (and a last one at the end, if any was written).
 */
export class Progress {
  #count = 0;
  #label: string;
  #total: number | undefined;
  readonly #started = Date.now();
  #lastDraw = 0;
  #drawn = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly stream: OutputStream,
    readonly options: ProgressOptions,
  ) {
    this.#label = options.label;
    this.#total = options.total;
    if (options.enabled) {
      this.#timer = setInterval(() => this.#tick(), options.tty ? 1000 : options.intervalMs);
      this.#timer.unref?.();
    }
  }

  get count(): number {
    return this.#count;
  }

  /** Work done so far. */
  set(count: number): void {
    this.#count = count;
    if (this.options.tty) this.#drawTty(false);
  }

  add(count = 1): void {
    this.set(this.#count + count);
  }

  /** A new phase (`import: checking` -> `import: writing`), with its own total. */
  phase(label: string, total?: number): void {
    this.#label = label;
    this.#total = total;
    this.#count = 0;
    if (this.options.tty) this.#drawTty(true);
  }

  /** Ends the progress: clears the terminal line, or writes a last line if any was written. */
  finish(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (!this.options.enabled || !this.#drawn) return;
    if (this.options.tty) this.stream.write('\r\x1b[2K');
    else this.stream.write(`${this.#text(false)}\n`);
  }

  #tick(): void {
    if (this.options.tty) this.#drawTty(true);
    else {
      this.#drawn = true;
      this.stream.write(`${this.#text(false)}\n`);
    }
  }

  #drawTty(force: boolean): void {
    if (!this.options.enabled) return;
    const now = Date.now();
    if (!force && now - this.#lastDraw < TTY_REDRAW_MS) return;
    this.#lastDraw = now;
    this.#drawn = true;
    this.stream.write(`\r\x1b[2K${this.#text(true)}`);
  }

  #text(bar: boolean): string {
    const elapsed = Date.now() - this.#started;
    const rate = elapsed > 0 ? Math.round((this.#count * 1000) / elapsed) : 0;
    const total = this.#total;
    const parts: string[] = [this.#label];
    if (total !== undefined && total > 0) {
      const ratio = Math.min(1, this.#count / total);
      if (bar) {
        const filled = Math.round(ratio * BAR_WIDTH);
        parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`);
      }
      parts.push(`${grouped(this.#count)} / ${grouped(total)} ${this.options.unit} (${Math.floor(ratio * 100)}%)`);
    } else {
      parts.push(`${grouped(this.#count)} ${this.options.unit}`);
    }
    parts.push(`${grouped(rate)}/s`, formatDuration(elapsed));
    return parts.join(' ');
  }
}

/**
 * Lets the event loop run (timers, the SIGINT handler) before going on. A
 * store on SQLite answers synchronously, so a long import or export can run
 * as one chain of promise callbacks that never reaches the loop: Ctrl-C and
 * progress would wait until it ends.
 */
export function breathe(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
