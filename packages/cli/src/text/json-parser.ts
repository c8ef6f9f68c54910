/**
 * A JSON parser (RFC 8259) that can say where each value is. It gives the
 * same values as JSON.parse, with two differences that keep a file from
 * meaning something else than it says: a repeated key in an object is an
 * error (JSON.parse keeps the last one and drops the others silently), and
 * a syntax error names its offset with a message for people. With
 * `positions`, it also returns a tree of source nodes (where each value,
 * and each object key, starts) for mapping a schema path back to the text.
 */

/** Where a value starts in the text, and where its members are. */
export interface SourceNode {
  kind: 'object' | 'array' | 'scalar';
  /** Offset (UTF-16 code units) of the value's first character. */
  offset: number;
  /** The members of an object: each key's offset and its value. */
  entries?: Map<string, { keyOffset: number; node: SourceNode }>;
  /** The elements of an array. */
  items?: SourceNode[];
}

/** A syntax error at an offset of the text. */
export class TextSyntaxError extends Error {
  override readonly name = 'TextSyntaxError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Deepest nesting accepted; deeper text is an error rather than a stack overflow. */
export const MAX_JSON_DEPTH = 2000;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function describeChar(text: string, at: number): string {
  if (at >= text.length) return 'the end of the text';
  const code = text.codePointAt(at)!;
  if (code < 0x20 || code === 0x7f) return `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `"${String.fromCodePoint(code)}"`;
}

class Parser {
  i = 0;
  node: SourceNode | undefined;

  constructor(
    readonly text: string,
    readonly positions: boolean,
  ) {}

  fail(message: string, at = this.i): never {
    throw new TextSyntaxError(message, at);
  }

  skipSpace(): void {
    const { text } = this;
    while (this.i < text.length) {
      const c = text.charCodeAt(this.i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.i++;
      else break;
    }
  }

  value(depth: number): unknown {
    if (depth > MAX_JSON_DEPTH) this.fail(`values are nested more than ${MAX_JSON_DEPTH} levels deep`);
    this.skipSpace();
    const start = this.i;
    const c = this.text[this.i];
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"': {
        const value = this.string();
        if (this.positions) this.node = { kind: 'scalar', offset: start };
        return value;
      }
      case 't':
        return this.literal('true', true, start);
      case 'f':
        return this.literal('false', false, start);
      case 'n':
        return this.literal('null', null, start);
      default: {
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number(start);
        return this.fail(
          `expected a value (an object, array, string, number, true, false or null), found ${describeChar(this.text, start)}`,
        );
      }
    }
  }

  literal(word: string, value: unknown, start: number): unknown {
    if (!this.text.startsWith(word, start)) this.fail(`expected a value, found ${describeChar(this.text, start)}`);
    this.i = start + word.length;
    if (this.positions) this.node = { kind: 'scalar', offset: start };
    return value;
  }

  number(start: number): number {
    NUMBER.lastIndex = start;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail('expected a number: digits after an optional "-", without a leading zero or "+"', start);
    this.i = start + match[0].length;
    const next = this.text[this.i];
    if (next !== undefined && /[0-9A-Za-z.+-]/.test(next)) this.fail(`invalid number: unexpected ${describeChar(this.text, this.i)}`);
    if (this.positions) this.node = { kind: 'scalar', offset: start };
    return Number(match[0]);
  }

  string(): string {
    const { text } = this;
    const start = this.i;
    this.i++; // opening quote
    let out = '';
    let chunkStart = this.i;
    for (;;) {
      if (this.i >= text.length) this.fail('unterminated string: the closing quote is missing', start);
      const c = text.charCodeAt(this.i);
      if (c === 0x22) {
        out += text.slice(chunkStart, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail(`${describeChar(text, this.i)} must be escaped inside a string`);
      if (c === 0x5c) {
        out += text.slice(chunkStart, this.i);
        const escape = text[this.i + 1];
        if (escape === 'u') {
          const hex = text.slice(this.i + 2, this.i + 6);
          if (!/^[0-9A-Fa-f]{4}$/.test(hex)) this.fail('invalid escape: \\u must be followed by 4 hex digits');
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 6;
        } else if (escape !== undefined && ESCAPES[escape] !== undefined) {
          out += ESCAPES[escape];
          this.i += 2;
        } else {
          this.fail(`invalid escape \\${escape ?? ''}: use \\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX`);
        }
        chunkStart = this.i;
        continue;
      }
      this.i++;
    }
  }

  object(depth: number): Record<string, unknown> {
    const start = this.i;
    this.i++;
    const result: Record<string, unknown> = {};
    const entries = this.positions ? new Map<string, { keyOffset: number; node: SourceNode }>() : undefined;
    this.skipSpace();
    if (this.text[this.i] === '}') {
      this.i++;
      if (this.positions) this.node = { kind: 'object', offset: start, entries: entries! };
      return result;
    }
    for (;;) {
      this.skipSpace();
      const keyOffset = this.i;
      if (this.text[this.i] !== '"') this.fail(`expected a key in double quotes, found ${describeChar(this.text, this.i)}`);
      const key = this.string();
      if (Object.hasOwn(result, key)) this.fail(`the key ${JSON.stringify(key)} appears twice in this object`, keyOffset);
      this.skipSpace();
      if (this.text[this.i] !== ':') this.fail(`expected ":" after the key, found ${describeChar(this.text, this.i)}`);
      this.i++;
      const value = this.value(depth + 1);
      if (key === '__proto__') Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
      else result[key] = value;
      if (entries) entries.set(key, { keyOffset, node: this.node! });
      this.skipSpace();
      const next = this.text[this.i];
      if (next === ',') {
        this.i++;
        continue;
      }
      if (next === '}') {
        this.i++;
        if (this.positions) this.node = { kind: 'object', offset: start, entries: entries! };
        return result;
      }
      this.fail(`expected "," or "}" after a member of the object, found ${describeChar(this.text, this.i)}`);
    }
  }

  array(depth: number): unknown[] {
    const start = this.i;
    this.i++;
    const result: unknown[] = [];
    const items: SourceNode[] | undefined = this.positions ? [] : undefined;
    this.skipSpace();
    if (this.text[this.i] === ']') {
      this.i++;
      if (this.positions) this.node = { kind: 'array', offset: start, items: items! };
      return result;
    }
    for (;;) {
      result.push(this.value(depth + 1));
      if (items) items.push(this.node!);
      this.skipSpace();
      const next = this.text[this.i];
      if (next === ',') {
        this.i++;
        continue;
      }
      if (next === ']') {
        this.i++;
        if (this.positions) this.node = { kind: 'array', offset: start, items: items! };
        return result;
      }
      this.fail(`expected "," or "]" after an element of the array, found ${describeChar(this.text, this.i)}`);
    }
  }
}

export interface ParsedJson {
  value: unknown;
  /** The source tree, when asked for with `positions`. */
  root?: SourceNode;
}

/**
 * Parses one JSON text (whitespace around the value allowed, nothing else).
 * Throws TextSyntaxError with the offset of the first problem.
 */
export function parseJson(text: string, options: { positions?: boolean } = {}): ParsedJson {
  const parser = new Parser(text, options.positions === true);
  parser.skipSpace();
  if (parser.i >= text.length) parser.fail('the text is empty: expected a JSON value');
  const value = parser.value(0);
  parser.skipSpace();
  if (parser.i < text.length) parser.fail(`unexpected ${describeChar(text, parser.i)} after the JSON value`);
  return parser.positions ? { value, root: parser.node! } : { value };
}
