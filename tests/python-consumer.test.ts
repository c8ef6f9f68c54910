/**
 * A real consumer outside JavaScript: Python's `jsonschema` (Debian's
 * python3-jsonschema, run with /usr/bin/python3) validates every example
 * config and every fixture against the emitted JSON Schema, and must reach
 * the verdict Zod reaches on each, for the 2020-12 files and the draft-07
 * copies alike. `scripts/ensure-python-jsonschema.sh` installs the package.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { metasourceSchemas } from '../packages/spec/src/index';
import { fileStem } from '../support/json-schema';
import { JSON_SCHEMA_DIR } from '../support/ajv';

const root = join(import.meta.dirname, '..');

interface Case {
  name: string;
  id: string;
  expectValid: boolean;
  instance: unknown;
}

function fixtureCases(kind: 'valid' | 'invalid'): Case[] {
  const dir = join(root, 'tests/fixtures', kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const { schema, instance } = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { schema: string; instance: unknown };
      return { name: `fixtures/${kind}/${file}`, id: schema, expectValid: kind === 'valid', instance };
    });
}

function exampleCases(): Case[] {
  const dir = join(root, 'examples/json');
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files.sort().map((file) => ({
    name: `examples/json/${file}`,
    id: 'MetasourceConfig',
    expectValid: true,
    instance: JSON.parse(readFileSync(join(dir, file), 'utf8')),
  }));
}

const cases = [...exampleCases(), ...fixtureCases('valid'), ...fixtureCases('invalid')];

function runPython(variant: string): Map<string, { valid: boolean; errors: string[] }> {
  const request = {
    schemaDir: join(JSON_SCHEMA_DIR, variant),
    cases: cases.map((c) => ({ name: c.name, schema: `${fileStem(c.id)}.json`, instance: c.instance })),
  };
  const out = execFileSync('/usr/bin/python3', [join(root, 'scripts/python/validate.py')], {
    input: JSON.stringify(request),
    encoding: 'utf8',
  });
  return new Map(
    out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { name: string; valid: boolean; errors: string[] })
      .map((r) => [r.name, r]),
  );
}

describe.each(['input', 'draft-07/input'])('Python jsonschema on json-schema/%s', (variant) => {
  const python = runPython(variant);
  const rows: string[] = [];

  it('judged every example and fixture', () => {
    expect(cases.length).toBeGreaterThanOrEqual(29);
    expect([...python.keys()].sort()).toEqual(cases.map((c) => c.name).sort());
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: Python and Zod agree', (_name, c) => {
    const zodSchema = metasourceSchemas().get(c.id);
    expect(zodSchema, `no schema ${c.id}`).toBeDefined();
    const zodValid = zodSchema!.safeParse(c.instance).success;
    const py = python.get(c.name)!;
    rows.push(
      `${py.valid === zodValid ? 'agree' : 'DISAGREE'}  zod=${zodValid ? 'valid' : 'invalid'}  python=${py.valid ? 'valid' : 'invalid'}  ${c.id}  ${c.name}`,
    );
    expect(zodValid, 'Zod verdict').toBe(c.expectValid);
    expect(py.valid, `Python verdict; errors: ${py.errors.join(' | ')}`).toBe(zodValid);
  });

  it('prints the table', () => {
    console.log(
      `python-consumer (${variant}):\n  ${rows.join('\n  ')}\n  ${rows.filter((r) => r.startsWith('agree')).length} of ${cases.length} agree`,
    );
    expect(rows).toHaveLength(cases.length);
  });
});
