/**
 * Writing records: each with its fields in the schema's order (so two
 * exports of the same items read the same, whatever store wrote them), to a
 * JSON Lines stream or a METADATA_FILE_LAYOUT tree. A file or tree is
 * written under a temporary name beside its target and renamed into place
 * only when complete, so an interrupted or failed export never leaves a
 * file that looks whole.
 */
import { createWriteStream, existsSync, readdirSync, statSync, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { METADATA_RECORD_FIELDS, type MetadataRecord } from '@metasource/spec';
import { writeWithBackpressure } from './jsonl';
import { treeSegments } from './tree';

/** A record with its fields in METADATA_RECORD_FIELDS order. */
export function orderRecord(record: MetadataRecord): MetadataRecord {
  const ordered: Record<string, unknown> = {};
  for (const field of METADATA_RECORD_FIELDS) if (record[field] !== undefined) ordered[field] = record[field];
  return ordered as MetadataRecord;
}

/** Where an export goes. */
export interface RecordSink {
  write(record: MetadataRecord): Promise<void>;
  /** Puts the written records in place (rename); after this the target is complete. */
  commit(): Promise<void>;
  /** Removes what was written; the target is left as it was. */
  abort(): Promise<void>;
}

/** A temporary name beside `target`, unique to this process. */
function partialName(target: string): string {
  return join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
}

async function closeStream(stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}

/** A JSON Lines file, written beside its target and renamed into place. */
export function jsonlFileSink(target: string): RecordSink {
  const partial = partialName(target);
  const stream = createWriteStream(partial, { flags: 'wx' });
  let failure: unknown;
  stream.on('error', (error) => (failure ??= error));
  return {
    async write(record) {
      if (failure) throw failure;
      await writeWithBackpressure(stream, `${JSON.stringify(orderRecord(record))}\n`);
    },
    async commit() {
      await closeStream(stream);
      if (failure) throw failure;
      await rename(partial, target);
    },
    async abort() {
      await closeStream(stream).catch(() => undefined);
      await rm(partial, { force: true });
    },
  };
}

/** JSON Lines on a stream (stdout): nothing to rename or remove. */
export function jsonlStreamSink(stream: Parameters<typeof writeWithBackpressure>[0]): RecordSink {
  return {
    write: (record) => writeWithBackpressure(stream, `${JSON.stringify(orderRecord(record))}\n`),
    commit: async () => undefined,
    abort: async () => undefined,
  };
}

/** A METADATA_FILE_LAYOUT tree, one pretty-printed record per file, written beside its target and renamed into place. */
export function treeSink(target: string): RecordSink {
  const partial = partialName(target);
  const made = new Set<string>();
  return {
    async write(record) {
      const segments = treeSegments(record);
      const dir = join(partial, ...segments.slice(0, -1));
      if (!made.has(dir)) {
        await mkdir(dir, { recursive: true });
        made.add(dir);
      }
      // wx: a second record on the same path (names differing only in case, on a case-insensitive file system) fails, never overwrites.
      await writeFile(join(dir, segments[segments.length - 1]!), `${JSON.stringify(orderRecord(record), null, 2)}\n`, { flag: 'wx' });
    },
    async commit() {
      await mkdir(partial, { recursive: true });
      if (existsSync(target)) await rmdir(target);
      await rename(partial, target);
    },
    async abort() {
      await rm(partial, { recursive: true, force: true });
    },
  };
}

/** Why a target cannot be written, or undefined: a file needs --force to be replaced, a directory must be empty or absent. */
export function targetProblem(target: string, format: 'jsonl' | 'tree', force: boolean): string | undefined {
  if (!existsSync(dirname(target))) return `its directory ${dirname(target)} does not exist`;
  if (!existsSync(target)) return undefined;
  const isDirectory = statSync(target).isDirectory();
  if (format === 'jsonl') {
    if (isDirectory) return 'it is a directory: a JSON Lines export is one file (use --format tree for a directory)';
    return force ? undefined : 'it exists: pass --force to replace it';
  }
  if (!isDirectory) return 'it exists and is not a directory';
  if (readdirSync(target).length > 0) return 'the directory is not empty: a tree export never mixes with other files';
  return undefined;
}
