import { MetasourceConfigSchema } from '@metasource/spec';
import { describe, expect, it } from 'vitest';
import { issuesToProblems } from './problems';
import { LineIndex, TextSyntaxProblem, parseText } from './source-text';

/** The 1-based position of the first occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string, from = 0): { line: number; column: number } {
  const offset = text.indexOf(needle, from);
  if (offset === -1) throw new Error(`${needle} not in text`);
  return new LineIndex(text).position(offset);
}

function syntaxError(text: string, format: 'json' | 'yaml', firstLine = 1): TextSyntaxProblem {
  try {
    parseText(text, format, firstLine);
  } catch (error) {
    if (error instanceof TextSyntaxProblem) return error;
    throw error;
  }
  throw new Error('no syntax error');
}

const JSON_TEXT = `{
  "datasources": [
    { "driver": "sqlite", "name": "a", "connection": { "filename": "a.db" } },
    {
      "driver": "postgres",
      "name": "b",
      "connection": { "host": "db", "database": "d", "user": "u", "port": 70000 }
    }
  ],
  "matrix": [[1, 2], [3, [4, 5]]],
  "metadata": { "datasource": "a" }
}
`;

const YAML_TEXT = `datasources:
  - driver: sqlite
    name: a
    connection: { filename: a.db }
  - driver: postgres
    name: b
    connection:
      host: db
      database: d
      user: u
      port: 70000
matrix:
  - [1, 2]
  - - 3
    - [4, 5]
metadata:
  datasource: a
`;

describe('position mapping', () => {
  it('maps a path into nested objects and arrays of JSON to the value it names', () => {
    const text = parseText(JSON_TEXT, 'json');
    expect(text.locate(['datasources', 1, 'connection', 'port'])).toEqual(positionOf(JSON_TEXT, '70000'));
    expect(text.locate(['datasources', 0, 'connection', 'filename'])).toEqual(positionOf(JSON_TEXT, '"a.db"'));
    expect(text.locate(['matrix', 1, 1, 0])).toEqual(positionOf(JSON_TEXT, '4, 5'));
    expect(text.locate(['matrix', 1, 1])).toEqual(positionOf(JSON_TEXT, '[4, 5]'));
    expect(text.locate([])).toEqual({ line: 1, column: 1 });
  });

  it('maps the same paths in YAML, block and flow style', () => {
    const text = parseText(YAML_TEXT, 'yaml');
    expect(text.locate(['datasources', 1, 'connection', 'port'])).toEqual(positionOf(YAML_TEXT, '70000'));
    expect(text.locate(['datasources', 0, 'connection', 'filename'])).toEqual(positionOf(YAML_TEXT, 'a.db'));
    expect(text.locate(['matrix', 1, 1, 0])).toEqual(positionOf(YAML_TEXT, '4, 5'));
    expect(text.locate(['matrix', 0, 1])).toEqual(positionOf(YAML_TEXT, '2]'));
  });

  it('stops at the deepest value present when the path goes further (a missing key is reported at its object)', () => {
    const text = parseText(JSON_TEXT, 'json');
    expect(text.locate(['datasources', 1, 'connection', 'password'])).toEqual(positionOf(JSON_TEXT, '{ "host"'));
    expect(text.locate(['datasources', 7, 'name'])).toEqual(positionOf(JSON_TEXT, '['));
    const yaml = parseText(YAML_TEXT, 'yaml');
    expect(yaml.locate(['metadata', 'table'])).toEqual(positionOf(YAML_TEXT, 'datasource: a'));
  });

  it('points at a named key rather than the object when asked (an unknown key)', () => {
    const text = parseText(JSON_TEXT, 'json');
    expect(text.locate(['datasources', 1], 'name')).toEqual(positionOf(JSON_TEXT, '"name": "b"'));
    const yaml = parseText(YAML_TEXT, 'yaml');
    expect(yaml.locate(['datasources', 1], 'name')).toEqual(positionOf(YAML_TEXT, 'name: b'));
  });

  it('maps schema issues to file:line:column, an unknown key at the key itself', () => {
    const bad = JSON_TEXT.replace('"name": "a",', '"name": "a", "colour": "red",');
    const text = parseText(bad, 'json');
    const result = MetasourceConfigSchema.safeParse(text.value);
    expect(result.success).toBe(false);
    const problems = issuesToProblems(result.error!.issues, text, 'metasource.json');
    const port = problems.find((problem) => problem.path === 'datasources[1].connection.port');
    expect(port).toMatchObject({ file: 'metasource.json', ...positionOf(bad, '70000'), severity: 'error' });
    const unknown = problems.find((problem) => problem.message.includes('colour'));
    expect(unknown).toMatchObject({ path: 'datasources[0]', ...positionOf(bad, '"colour"') });
  });

  it('counts columns in code points and shifts lines by the first line of the text (a line of JSON Lines)', () => {
    const line = '{"label": "😀😀", "n": tru}';
    const error = syntaxError(line, 'json', 42);
    // Two astral characters are 4 UTF-16 units but 2 columns.
    expect(error.position).toEqual({ line: 42, column: Array.from(line.slice(0, line.indexOf('tru'))).length + 1 });
    expect(parseText('{"a": [1, {"b": 2}]}', 'json', 7).locate(['a', 1, 'b'])).toEqual({ line: 7, column: 17 });
  });
});

describe('syntax errors', () => {
  it('reports a JSON syntax error at its line and column', () => {
    const text = '{\n  "a": 1,\n  "b": [1, 2,]\n}';
    const error = syntaxError(text, 'json');
    expect(error.position).toEqual({ line: 3, column: 14 });
    expect(error.message).toMatch(/expected a value/);
  });

  it('reports a missing comma, a trailing comma in an object, an unterminated string and trailing text', () => {
    expect(syntaxError('{"a": 1 "b": 2}', 'json').position).toEqual({ line: 1, column: 9 });
    expect(syntaxError('{"a": 1,\n}', 'json').position).toEqual({ line: 2, column: 1 });
    expect(syntaxError('["abc', 'json').position).toEqual({ line: 1, column: 2 });
    expect(syntaxError('{} {}', 'json').position).toEqual({ line: 1, column: 4 });
    expect(syntaxError('', 'json').message).toMatch(/empty/);
  });

  it('refuses a key given twice instead of keeping the last one', () => {
    const error = syntaxError('{\n  "a": 1,\n  "a": 2\n}', 'json');
    expect(error.position).toEqual({ line: 3, column: 3 });
    expect(error.message).toMatch(/"a" appears twice/);
    expect(syntaxError('a: 1\nb: 2\na: 3\n', 'yaml').position).toEqual({ line: 3, column: 1 });
  });

  it('reports a YAML syntax error at its line and column', () => {
    const error = syntaxError('a: 1\nb: [1, 2\nc: 3\n', 'yaml');
    expect(error.position.line).toBeGreaterThanOrEqual(2);
    expect(error.message).toMatch(/^YAML: /);
    expect(syntaxError('a:\n  - x\n - y\n', 'yaml').position.line).toBe(3);
  });
});
