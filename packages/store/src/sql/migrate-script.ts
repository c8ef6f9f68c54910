/**
 * An operator's migration script (MetadataMigrationOperation `script` and
 * `rollbackScript`, trusted input that runs as written) as the statements a
 * driver runs one at a time: better-sqlite3 prepares one statement per call,
 * node-postgres sends bound queries one at a time, and mysql2 runs one unless
 * its connection allows several.
 *
 * A script splits at each semicolon outside string literals, quoted
 * identifiers and comments, in the dialect's own lexical rules:
 * - `'...'` strings with `''` for a quote; MySQL strings (and PostgreSQL's
 *   `E'...'`) also take backslash escapes; MySQL quotes strings with `"` too;
 * - identifiers in `"..."` (PostgreSQL, SQLite), backticks (MySQL, SQLite)
 *   and `[...]` (SQLite);
 * - `--` comments (MySQL: followed by white space), `#` comments (MySQL) and
 *   block comments, which nest on PostgreSQL;
 * - PostgreSQL dollar quotes (`$$...$$`, `$tag$...$tag$`);
 * - a body between BEGIN and END (a SQLite trigger, a PostgreSQL
 *   `BEGIN ATOMIC` function) stays one statement up to the semicolon after
 *   its END. A statement inside such a body that itself ends with END (a
 *   CASE expression) ends the body early: write such a body as one
 *   statement of its own script.
 *
 * The store runs a script inside its own transaction (PostgreSQL, SQLite),
 * so a statement that starts, ends or marks a transaction is refused.
 */
import type { SqlDriver } from './layout';

/** Why a script cannot be split, for a message. */
export class ScriptError extends Error {
  override readonly name = 'ScriptError';
}

const TRANSACTION_CONTROL = /^(?:BEGIN|COMMIT|ROLLBACK|START\s+TRANSACTION|SAVEPOINT|RELEASE|END|ABORT)\b/i;
const BODY_START = /^CREATE\s+(?:TEMP\s+|TEMPORARY\s+)?TRIGGER\b|\bBEGIN\s+ATOMIC\b/i;
const BODY_END = /\bEND\s*$/i;
const IDENTIFIER_CHAR = /[A-Za-z0-9_$]/;
const DOLLAR_TAG = /\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/y;

/** The end (exclusive) of a quoted run starting at `start`: a doubled quote continues it; with `backslash`, so does an escaped one. */
function skipQuoted(text: string, start: number, quote: string, backslash: boolean): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (backslash && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (text[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  throw new ScriptError(`a ${quote} quote opened at character ${start + 1} is never closed`);
}

function skipBlockComment(text: string, start: number, nests: boolean): number {
  let depth = 1;
  let i = start + 2;
  while (i < text.length) {
    if (text.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else if (nests && text.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else i++;
  }
  throw new ScriptError(`a comment opened at character ${start + 1} is never closed`);
}

/**
 * The statements of a script in `driver`'s dialect, each trimmed, comments
 * inside a statement kept, empty ones (and those holding only comments)
 * left out. Throws a ScriptError naming the character where a quote or
 * comment is left open, or the statement that controls transactions.
 */
export function splitSqlScript(script: string, driver: SqlDriver): string[] {
  const statements: string[] = [];
  // Where the statement's first token (not white space, not a comment) begins; -1 before it.
  let codeStart = -1;
  let i = 0;
  const code = (at: number) => {
    if (codeStart < 0) codeStart = at;
  };
  const finish = (end: number) => {
    if (codeStart >= 0) {
      const statement = script.slice(codeStart, end).trim();
      if (TRANSACTION_CONTROL.test(statement)) {
        throw new ScriptError(
          `statement ${statements.length + 1} controls a transaction (${statement.split(/\s/, 1)[0]!.toUpperCase()}); the store runs the script in its own`,
        );
      }
      statements.push(statement);
    }
    codeStart = -1;
  };
  while (i < script.length) {
    const c = script[i]!;
    const next = script[i + 1];
    if (c === "'") {
      code(i);
      const escaped =
        driver === 'mysql' || (driver === 'postgres' && /[Ee]/.test(script[i - 1] ?? '') && !IDENTIFIER_CHAR.test(script[i - 2] ?? ''));
      i = skipQuoted(script, i, "'", escaped);
    } else if (c === '"') {
      code(i);
      i = skipQuoted(script, i, '"', driver === 'mysql');
    } else if (c === '`' && driver !== 'postgres') {
      code(i);
      i = skipQuoted(script, i, '`', false);
    } else if (c === '[' && driver === 'sqlite') {
      code(i);
      const close = script.indexOf(']', i + 1);
      if (close < 0) throw new ScriptError(`a [ opened at character ${i + 1} is never closed`);
      i = close + 1;
    } else if (c === '-' && next === '-' && (driver !== 'mysql' || /\s/.test(script[i + 2] ?? '\n'))) {
      const end = script.indexOf('\n', i);
      i = end < 0 ? script.length : end + 1;
    } else if (c === '#' && driver === 'mysql') {
      const end = script.indexOf('\n', i);
      i = end < 0 ? script.length : end + 1;
    } else if (c === '/' && next === '*') {
      i = skipBlockComment(script, i, driver === 'postgres');
    } else if (c === '$' && driver === 'postgres' && !IDENTIFIER_CHAR.test(script[i - 1] ?? '')) {
      DOLLAR_TAG.lastIndex = i;
      const tag = DOLLAR_TAG.exec(script);
      if (tag) {
        code(i);
        const close = script.indexOf(tag[0], i + tag[0].length);
        if (close < 0) throw new ScriptError(`a ${tag[0]} quote opened at character ${i + 1} is never closed`);
        i = close + tag[0].length;
      } else {
        code(i);
        i++;
      }
    } else if (c === ';') {
      const sofar = codeStart >= 0 ? script.slice(codeStart, i) : '';
      if (BODY_START.test(sofar) && !BODY_END.test(sofar)) i++;
      else {
        finish(i);
        i++;
      }
    } else {
      if (!/\s/.test(c)) code(i);
      i++;
    }
  }
  if (codeStart >= 0) finish(script.length);
  return statements;
}
