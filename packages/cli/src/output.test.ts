import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Output, formatDuration, type CliIo } from './output';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, write: (chunk: string) => chunks.push(chunk) > 0 } };
}

function output(tty: boolean, options: { quiet?: boolean; json?: boolean } = {}) {
  const stdout = sink(false);
  const stderr = sink(tty);
  const io: CliIo = { stdout: stdout.stream, stderr: stderr.stream, cwd: '/', env: {} };
  const out = new Output(io, { json: options.json ?? false, quiet: options.quiet ?? false, verbose: false, progressIntervalMs: 1000 });
  return { out, stdout: stdout.chunks, stderr: stderr.chunks };
}

describe('progress', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('redraws one line in place on a terminal, with a bar, counts, percentage, rate and elapsed time, and clears it at the end', () => {
    const { out, stderr } = output(true);
    const progress = out.progress('import', 'records', 2000);
    vi.advanceTimersByTime(500);
    progress.set(500);
    vi.advanceTimersByTime(50);
    progress.set(600); // within the redraw interval: not drawn
    vi.advanceTimersByTime(300);
    progress.set(1000);
    expect(stderr).toEqual([
      `\r\x1b[2Kimport [######------------------] 500 / 2,000 records (25%) 1,000/s 500 ms`,
      `\r\x1b[2Kimport [############------------] 1,000 / 2,000 records (50%) 1,176/s 850 ms`,
    ]);
    // Once a second the line is redrawn, so the elapsed time moves while the count does not.
    vi.advanceTimersByTime(150);
    expect(stderr[2]).toBe(`\r\x1b[2Kimport [############------------] 1,000 / 2,000 records (50%) 1,000/s 1.0 s`);
    progress.finish();
    expect(stderr[stderr.length - 1]).toBe('\r\x1b[2K');
  });

  it('writes a plain line every interval elsewhere, and a last one at the end', () => {
    const { out, stderr } = output(false);
    const progress = out.progress('export', 'records');
    progress.set(10);
    expect(stderr).toEqual([]);
    vi.advanceTimersByTime(1000);
    progress.set(2500);
    vi.advanceTimersByTime(1000);
    progress.finish();
    expect(stderr).toEqual([
      'export 10 records 10/s 1.0 s\n',
      'export 2,500 records 1,250/s 2.0 s\n',
      'export 2,500 records 1,250/s 2.0 s\n',
    ]);
  });

  it('writes nothing for a run shorter than the interval, and nothing at all with --quiet', () => {
    const short = output(false);
    const progress = short.out.progress('export', 'records');
    progress.set(5);
    progress.finish();
    expect(short.stderr).toEqual([]);
    const quiet = output(true, { quiet: true });
    const silent = quiet.out.progress('import', 'records', 10);
    silent.set(5);
    vi.advanceTimersByTime(5000);
    silent.finish();
    quiet.out.note('a note');
    expect(quiet.stderr).toEqual([]);
  });
});

describe('output', () => {
  it('prints text results on stdout, or only the JSON result with --json', () => {
    const text = output(false);
    text.out.line('hello');
    text.out.result({ command: 'x' });
    expect(text.stdout).toEqual(['hello\n']);
    const json = output(false, { json: true });
    json.out.line('hello');
    json.out.result({ command: 'x' });
    expect(json.stdout).toEqual(['{"command":"x"}\n']);
  });

  it('formats durations for people', () => {
    expect(formatDuration(12)).toBe('12 ms');
    expect(formatDuration(12_345)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
  });
});
