/**
 * Parsing the files the command reads (JSON, YAML, one line of JSON Lines)
 * so that a problem can be shown where it is: `file:line:column`. A schema
 * reports a path (`datasources[0].connection.port`); `locate` maps it back
 * to the line and column of that value in the text, or of the nearest
 * enclosing value when the path names something the file does not have (a
 * missing required key is reported at the object that lacks it).
 *
 * JSON goes through json-parser.ts (the exact JSON.parse values, duplicate
 * keys refused); YAML through the `yaml` package's document model, whose
 * nodes carry their ranges. Positions are worked out only when a problem
 * needs one: a valid file is parsed once, without them.
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { TextSyntaxError, parseJson, type SourceNode } from './json-parser';

export type TextFormat = 'json' | 'yaml';

/** A 1-based line and column (columns count Unicode code points). */
export interface TextPosition {
  line: number;
  column: number;
}

/** A syntax error with the position it was found at. */
export class TextSyntaxProblem extends Error {
  override readonly name = 'TextSyntaxProblem';
  constructor(
    message: string,
    readonly position: TextPosition,
  ) {
    super(message);
  }
}

/** Line starts of a text, for turning offsets into lines and columns. */
export class LineIndex {
  readonly #starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0x0a) this.#starts.push(i + 1);
  }

  /** The 1-based line and column of an offset in UTF-16 code units. */
  position(offset: number): TextPosition {
    const starts = this.#starts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    const lineStart = starts[low]!;
    const column = Array.from(this.text.slice(lineStart, Math.min(offset, this.text.length))).length + 1;
    return { line: low + 1, column };
  }
}

/** A parsed text that can say where a value is. */
export interface LocatedText {
  value: unknown;
  /**
   * Where the value at `path` starts (or, given `key`, where that key of the
   * object at `path` is written). A path the text does not have all of
   * resolves to the deepest value it does have.
   */
  locate(path: readonly PropertyKey[], key?: string): TextPosition;
}

/** Walks a source tree along a path as far as it goes; returns the offset of the value reached, or of the named key. */
export function offsetOf(root: SourceNode, path: readonly PropertyKey[], key?: string): number {
  let node = root;
  let complete = true;
  for (const segment of path) {
    const next =
      node.kind === 'object'
        ? node.entries?.get(String(segment))?.node
        : node.kind === 'array' && typeof segment === 'number'
          ? node.items?.[segment]
          : undefined;
    if (!next) {
      complete = false;
      break;
    }
    node = next;
  }
  if (complete && key !== undefined && node.kind === 'object') {
    const entry = node.entries?.get(key);
    if (entry) return entry.keyOffset;
  }
  return node.offset;
}

/**
 * Parses a text. `firstLine` is the line the text starts on in its file
 * (a line of JSON Lines), so positions are the file's. Throws
 * TextSyntaxProblem for a text that is not valid JSON or YAML.
 */
export function parseText(text: string, format: TextFormat, firstLine = 1): LocatedText {
  return format === 'json' ? parseJsonText(text, firstLine) : parseYamlText(text, firstLine);
}

function shift(position: TextPosition, firstLine: number): TextPosition {
  return { line: position.line + firstLine - 1, column: position.column };
}

function parseJsonText(text: string, firstLine: number): LocatedText {
  let lines: LineIndex | undefined;
  const index = () => (lines ??= new LineIndex(text));
  let value: unknown;
  try {
    value = parseJson(text).value;
  } catch (error) {
    if (error instanceof TextSyntaxError) throw new TextSyntaxProblem(error.message, shift(index().position(error.offset), firstLine));
    throw error;
  }
  let root: SourceNode | undefined;
  return {
    value,
    locate(path, key) {
      root ??= parseJson(text, { positions: true }).root!;
      return shift(index().position(offsetOf(root, path, key)), firstLine);
    },
  };
}

/** A YAML node as a source tree (built only when a position is asked for). */
function yamlTree(node: unknown): SourceNode {
  const offset = (node as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
  if (isMap(node)) {
    const entries = new Map<string, { keyOffset: number; node: SourceNode }>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const keyOffset = (pair.key as { range?: [number, number, number] } | null)?.range?.[0] ?? offset;
      entries.set(key, { keyOffset, node: pair.value ? yamlTree(pair.value) : { kind: 'scalar', offset: keyOffset } });
    }
    return { kind: 'object', offset, entries };
  }
  if (isSeq(node)) return { kind: 'array', offset, items: node.items.map((item) => yamlTree(item)) };
  return { kind: 'scalar', offset };
}

function parseYamlText(text: string, firstLine: number): LocatedText {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true, strict: true });
  const position = (offset: number): TextPosition => {
    const { line, col } = counter.linePos(offset);
    // LineCounter counts code units; recount the column in code points.
    const lineStart = offset - (col - 1);
    return shift({ line, column: Array.from(text.slice(lineStart, offset)).length + 1 }, firstLine);
  };
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw new TextSyntaxProblem(`YAML: ${problem.message.split('\n')[0]}`, position(problem.pos[0]));
  if (doc.contents === null) throw new TextSyntaxProblem('the text is empty: expected a YAML value', { line: firstLine, column: 1 });
  const value = doc.toJS({ maxAliasCount: 100 });
  let root: SourceNode | undefined;
  return {
    value,
    locate(path, key) {
      root ??= yamlTree(doc.contents as YamlNode);
      return position(offsetOf(root, path, key));
    },
  };
}

/** The format of a file by its extension: .yaml and .yml are YAML, everything else JSON. */
export function formatOfFile(file: string): TextFormat {
  return /\.ya?ml$/i.test(file) ? 'yaml' : 'json';
}
