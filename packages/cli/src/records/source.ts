/**
 * Naming a file source of records on the command line: a JSON Lines file
 * (.jsonl or .ndjson) or a directory in METADATA_FILE_LAYOUT.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { displayPath } from '../config';
import { usageError } from '../errors';
import type { RecordFileSource, TreeFormat } from './read';

/** Whether a path names a JSON Lines file by its extension. */
export function isJsonlPath(path: string): boolean {
  return /\.(jsonl|ndjson)$/i.test(path);
}

/** The source a path names, or undefined when nothing is there. */
export function fileSourceAt(cwd: string, path: string, format: TreeFormat): RecordFileSource | undefined {
  const absolute = resolve(cwd, path);
  if (!existsSync(absolute)) return undefined;
  const display = displayPath(cwd, absolute);
  if (statSync(absolute).isDirectory()) return { kind: 'tree', path: absolute, display, format };
  if (isJsonlPath(absolute)) return { kind: 'jsonl', path: absolute, display };
  throw usageError(
    `${path} is neither a JSON Lines file (.jsonl, .ndjson) nor a directory`,
    'records are read from a JSON Lines file (one MetadataRecord per line) or a METADATA_FILE_LAYOUT directory tree',
  );
}

/** The source a path names; a path where nothing is is a usage error. */
export function fileSource(cwd: string, path: string, format: TreeFormat): RecordFileSource {
  const source = fileSourceAt(cwd, path, format);
  if (!source) throw usageError(`${path} does not exist`, 'name a JSON Lines file or a directory tree');
  return source;
}
