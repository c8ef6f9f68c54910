/**
 * JSON Lines files: read line by line as a stream (memory stays flat
 * however long the file is), each line with its number and byte range so
 * that one record can be read again later; written with backpressure.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { OutputStream } from '../output';

/** One line of a JSON Lines file. */
export interface JsonlLine {
  /** The line's text, without its line break (and without a leading byte order mark). */
  text: string;
  /** 1-based line number. */
  line: number;
  /** Where the line's bytes start in the file, and how many there are (without the line break). */
  offset: number;
  length: number;
  /** Set when the line's bytes are not UTF-8: the text is then empty. */
  notUtf8?: true;
}

const LF = 0x0a;
const CR = 0x0d;

/** Every line of a file, in order; a final line without a line break counts too. */
export async function* readLines(file: string, signal?: AbortSignal): AsyncGenerator<JsonlLine> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let offset = 0;
  let line = 0;
  const emit = (bytes: Buffer): JsonlLine => {
    line += 1;
    let length = bytes.length;
    if (length > 0 && bytes[length - 1] === CR) length -= 1;
    const start = offset;
    offset += bytes.length + 1;
    try {
      // A byte order mark at the start of a line (the file's first, or files joined together) is dropped (ignoreBOM: false).
      const text = decoder.decode(bytes.subarray(0, length));
      return { text, line, offset: start, length };
    } catch {
      return { text: '', line, offset: start, length, notUtf8: true };
    }
  };
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (signal?.aborted) return;
      let start = 0;
      for (;;) {
        const end = chunk.indexOf(LF, start);
        if (end === -1) break;
        const piece = chunk.subarray(start, end);
        const bytes = pending.length > 0 ? Buffer.concat([...pending, piece], pendingLength + piece.length) : piece;
        pending = [];
        pendingLength = 0;
        yield emit(bytes);
        start = end + 1;
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingLength += chunk.length - start;
      }
    }
    if (pendingLength > 0) yield emit(Buffer.concat(pending, pendingLength));
  } finally {
    stream.destroy();
  }
}

/** The bytes of one line again (for a diff's field-level comparison), as text. */
export async function readLineAt(file: string, offset: number, length: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await handle.read(buffer, read, length - read, offset + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, read));
  } finally {
    await handle.close();
  }
}

/** Writes a chunk, waiting for the stream to drain when its buffer is full (backpressure). */
export async function writeWithBackpressure(stream: OutputStream, chunk: string): Promise<void> {
  if (stream.write(chunk)) return;
  if (!stream.once) return;
  await new Promise<void>((resolve) => stream.once!('drain', resolve));
}
