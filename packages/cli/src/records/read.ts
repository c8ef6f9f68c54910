/**
 * Reading metadata records from files: a JSON Lines file (one
 * MetadataRecord per line, as `export` writes it), a directory tree in
 * METADATA_FILE_LAYOUT (records or plain payloads, the envelope then taken
 * from the path), or a single record file (JSON or YAML). Each record is
 * validated as a MetadataRecord; every problem is reported with its file,
 * line and column and the path inside the record, and nothing is skipped.
 */
import { readFile } from 'node:fs/promises';
import { MetadataRecordSchema, type MetadataRecord } from '@metasource/spec';
import { issuesToProblems, syntaxProblem } from '../text/problems';
import { TextSyntaxProblem, formatOfFile, parseText, type LocatedText } from '../text/source-text';
import { describePath, type Problem } from '../errors';
import { checksumOf } from './checksum';
import { readLineAt, readLines } from './jsonl';
import { keyFromTreePath, walkTree, type ItemKey } from './tree';

/** What a tree's files hold: a MetadataRecord (key fields may come from the path) or only the payload. */
export type TreeFormat = 'record' | 'payload';

/** A file source of records. */
export type RecordFileSource =
  | { kind: 'jsonl'; path: string; display: string }
  | { kind: 'tree'; path: string; display: string; format: TreeFormat }
  | { kind: 'file'; path: string; display: string };

/** Where a record was read, to report it and to read it again. */
export interface RecordLocation {
  /** The file as messages show it. */
  file: string;
  /** Its absolute path. */
  path: string;
  /** JSON Lines: the line and its byte range. */
  line?: number;
  offset?: number;
  length?: number;
}

/** `file:line` or `file`. */
export function formatLocation(location: RecordLocation): string {
  return location.line !== undefined ? `${location.file}:${location.line}` : location.file;
}

/** One record read, or the problems of an entry that holds none. */
export type ReadItem =
  | { kind: 'record'; record: MetadataRecord; location: RecordLocation; warnings: Problem[] }
  | { kind: 'invalid'; location: RecordLocation; problems: Problem[] };

const KEY_FIELDS = ['tenantId', 'scope', 'owner', 'type', 'namespace', 'name'] as const;
/** A lone surrogate: text with one has no UTF-8 form, and no store can hold it. */
const LONE_SURROGATE = /\p{Cs}/u;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The path of the first string (or key) holding a lone surrogate, if any. */
function illFormedPath(value: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = illFormedPath(item, [...path, index]);
      if (found) return found;
    }
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (LONE_SURROGATE.test(key)) return [...path, key];
      const found = illFormedPath(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

interface CheckContext {
  text: LocatedText;
  file: string;
  /** The key a tree path gives, and what the file holds. */
  fromPath?: { key: ItemKey; format: TreeFormat };
}

/** Validates a parsed value as a record (filling the key from a tree path); returns the record or the problems. */
export function checkRecordValue(
  value: unknown,
  context: CheckContext,
): { record?: MetadataRecord; problems: Problem[]; warnings: Problem[] } {
  const { text, file, fromPath } = context;
  const at = (path: readonly PropertyKey[], key?: string) => text.locate(path, key);
  const problem = (path: (string | number)[], message: string, locatePath: readonly PropertyKey[] = path): Problem => {
    const position = at(locatePath);
    return { file, line: position.line, column: position.column, path: describePath(path), message, severity: 'error' };
  };
  if (!isObject(value)) {
    const what = fromPath?.format === 'payload' ? 'a payload file holds a JSON object (the payload)' : 'a record is a JSON object';
    return { problems: [problem([], `expected an object: ${what}`)], warnings: [] };
  }
  let input: Record<string, unknown> = value;
  const problems: Problem[] = [];
  if (fromPath) {
    const { key, format } = fromPath;
    if (format === 'payload') {
      input = { ...key, payload: value };
    } else {
      input = { ...value };
      for (const field of KEY_FIELDS) {
        const fromKey = key[field];
        if (fromKey === undefined) continue;
        if (Object.hasOwn(value, field)) {
          if (value[field] !== fromKey)
            problems.push(problem([field], `must equal the path's ${field} ${JSON.stringify(fromKey)}, or be left out`));
        } else {
          input[field] = fromKey;
        }
      }
    }
  }
  // In a payload file the payload is the whole text: a payload path is located without its leading "payload".
  const locatePrefix = fromPath?.format === 'payload' ? 'payload' : undefined;
  const result = MetadataRecordSchema.safeParse(input);
  if (!result.success) {
    const mapped = result.error.issues.map((issue) => {
      if (locatePrefix === undefined) return issuesToProblems([issue], text, file)[0]!;
      const inPayload = issue.path[0] === locatePrefix;
      const located = { ...text, locate: (path: readonly PropertyKey[], key?: string) => text.locate(inPayload ? path.slice(1) : [], key) };
      return issuesToProblems([issue], located, file)[0]!;
    });
    return { problems: [...problems, ...mapped], warnings: [] };
  }
  const illFormed = illFormedPath(result.data);
  if (illFormed) {
    problems.push(
      problem(
        illFormed,
        'must be well-formed Unicode text: a lone surrogate (an unpaired \\uD800-\\uDFFF escape) has no UTF-8 form',
        locatePrefix && illFormed[0] === locatePrefix ? illFormed.slice(1) : illFormed,
      ),
    );
  }
  if (problems.length > 0) return { problems, warnings: [] };
  const record = result.data;
  const warnings: Problem[] = [];
  if (record.checksum !== undefined && record.checksum !== checksumOf(record.payload)) {
    const position = at(['checksum']);
    warnings.push({
      file,
      line: position.line,
      column: position.column,
      path: 'checksum',
      message: 'is not the checksum of the payload (the payload was changed after export?); an import computes it anew',
      severity: 'warning',
    });
  }
  return { record, problems: [], warnings };
}

/** Parses and checks one text (a line, a file) as a record. */
function checkText(
  content: string,
  format: 'json' | 'yaml',
  file: string,
  firstLine: number,
  fromPath?: CheckContext['fromPath'],
): { record?: MetadataRecord; problems: Problem[]; warnings: Problem[] } {
  let text: LocatedText;
  try {
    text = parseText(content, format, firstLine);
  } catch (error) {
    if (error instanceof TextSyntaxProblem) return { problems: [syntaxProblem(error, file)], warnings: [] };
    throw error;
  }
  return checkRecordValue(text.value, { text, file, ...(fromPath ? { fromPath } : {}) });
}

function item(checked: ReturnType<typeof checkText>, location: RecordLocation): ReadItem {
  return checked.record
    ? { kind: 'record', record: checked.record, location, warnings: checked.warnings }
    : { kind: 'invalid', location, problems: checked.problems };
}

/** Every record of a source, in file order (a tree: depth first, by code point), each checked. */
export async function* readRecords(source: RecordFileSource, signal?: AbortSignal): AsyncGenerator<ReadItem> {
  switch (source.kind) {
    case 'jsonl':
      for await (const line of readLines(source.path, signal)) {
        const location: RecordLocation = {
          file: source.display,
          path: source.path,
          line: line.line,
          offset: line.offset,
          length: line.length,
        };
        if (line.notUtf8) {
          yield {
            kind: 'invalid',
            location,
            problems: [
              { file: source.display, line: line.line, column: 1, path: '', message: 'the line is not UTF-8 text', severity: 'error' },
            ],
          };
          continue;
        }
        // A blank line holds no record (a file's final line break leaves none).
        if (line.text.trim() === '') continue;
        yield item(checkText(line.text, 'json', source.display, line.line), location);
      }
      return;
    case 'tree':
      for await (const entry of walkTree(source.path, [], signal)) {
        const display = `${source.display.replace(/\/+$/, '')}/${entry.segments.join('/')}`;
        const location: RecordLocation = { file: display, path: entry.path };
        if (entry.kind === 'problem') {
          yield { kind: 'invalid', location, problems: [{ file: display, path: '', message: entry.message, severity: 'error' }] };
          continue;
        }
        const content = await readUtf8(entry.path);
        if (content === undefined) {
          yield {
            kind: 'invalid',
            location,
            problems: [{ file: display, path: '', message: 'the file is not UTF-8 text', severity: 'error' }],
          };
          continue;
        }
        yield item(checkText(content, 'json', display, 1, { key: entry.key, format: source.format }), location);
      }
      return;
    case 'file': {
      const location: RecordLocation = { file: source.display, path: source.path };
      const content = await readUtf8(source.path);
      if (content === undefined) {
        yield {
          kind: 'invalid',
          location,
          problems: [{ file: source.display, path: '', message: 'the file is not UTF-8 text', severity: 'error' }],
        };
        return;
      }
      yield item(checkText(content, formatOfFile(source.path), source.display, 1), location);
      return;
    }
  }
}

/** A file's text, or undefined when it is not UTF-8 (a leading byte order mark is dropped). */
async function readUtf8(path: string): Promise<string | undefined> {
  const bytes = await readFile(path);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Reads one record again from where it was read (a diff's field-level comparison); undefined if it no longer parses. */
export async function rereadRecord(location: RecordLocation, source: RecordFileSource): Promise<MetadataRecord | undefined> {
  if (location.offset !== undefined && location.length !== undefined) {
    const text = await readLineAt(location.path, location.offset, location.length);
    return checkText(text, 'json', location.file, location.line ?? 1).record;
  }
  const content = await readUtf8(location.path);
  if (content === undefined) return undefined;
  if (source.kind === 'tree') {
    const segments = location.path
      .slice(source.path.length)
      .split(/[\\/]+/)
      .filter((part) => part !== '');
    const parsed = keyFromTreePath(segments);
    if ('error' in parsed) return undefined;
    return checkText(content, 'json', location.file, 1, { key: parsed.key, format: source.format }).record;
  }
  return checkText(content, formatOfFile(location.path), location.file, 1).record;
}
