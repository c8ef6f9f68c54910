/**
 * The export comparison script of the migration guide (step 6), taken from
 * the guide as written and run on the small exports in
 * tests/fixtures/compare-exports/. docs-code-blocks.test.ts only runs its
 * self-check; this test runs it the way the guide tells a reader to.
 *
 * - files.ndjson: what a file loader exports: defaulted envelope fields left
 *   out, numbers spelled 1.0, 100.0, -0.0, 1e2, 1e-7, 1e21.
 * - database.ndjson: the same items as a database exports them: every field
 *   filled, other key and line orders, the same numbers spelled 1, 100, 0,
 *   100, 0.0000001, 1000000000000000000000, and a checksum on each record.
 * - changed.ndjson: database.ndjson with an item lost, one added and some
 *   fields changed.
 * - broken.ndjson: lines that are not records, a repeated key, a wrong checksum.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const PYTHON = '/usr/bin/python3';
const GUIDE = 'docs/METADATA_MIGRATION_GUIDE.md';
const FIXTURES = join(ROOT, 'tests/fixtures/compare-exports');

/** The Python block of the guide that defines `compare`, with the list item's indentation removed. */
function scriptFromGuide(): string {
  const lines = readFileSync(join(ROOT, GUIDE), 'utf8').split('\n');
  const scripts: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)```python\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const end = lines.findIndex((line, j) => j > i && line.trim() === '```');
    if (end === -1) throw new Error(`${GUIDE}:${i + 1}: code fence is never closed`);
    const body = lines.slice(i + 1, end).map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)));
    if (body.some((line) => line.startsWith('def compare('))) scripts.push(body.join('\n'));
    i = end;
  }
  if (scripts.length !== 1) throw new Error(`${GUIDE}: expected one Python block defining compare(), found ${scripts.length}`);
  return `${scripts[0]}\n`;
}

let tempDir: string;
let script: string;

beforeAll(() => {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  tempDir = mkdtempSync(join(ROOT, '.tmp', 'compare-exports-'));
  script = join(tempDir, 'compare_exports.py');
  writeFileSync(script, scriptFromGuide());
});

afterAll(() => {
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
});

/** Runs the script in the fixtures folder, so the file names it prints are the fixtures' names. */
function run(...args: string[]) {
  const result = spawnSync(PYTHON, [script, ...args], { cwd: FIXTURES, encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw new Error(`could not run ${PYTHON}: ${result.error.message}`);
  return { status: result.status, stdout: result.stdout.split('\n').slice(0, -1), stderr: result.stderr };
}

const records = (file: string) =>
  readFileSync(join(FIXTURES, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown> & { payload: unknown });

/** RFC 8785 as its reference implementation does it: JavaScript's own number and string serialisation, keys in UTF-16 order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    return `{${Object.keys(object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(object[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const checksum = (payload: unknown) => `sha256:${createHash('sha256').update(canonical(payload), 'utf8').digest('hex')}`;

const COUNTS = [
  'tenant_id\ttype\tscope\tstate\trecords',
  'acme\tflow\tplatform\tdraft\t1',
  'default\tobject\tsystem\tactive\t2',
  'default\tview\tsystem\tactive\t1',
  'default\tview\tuser\tactive\t1',
];

describe('the migration guide’s compare_exports.py', () => {
  it('finds two exports of the same items the same, whatever the defaults left out and the spelling of numbers', () => {
    // The fixtures hold the cases the script exists for.
    const files = readFileSync(join(FIXTURES, 'files.ndjson'), 'utf8');
    const database = readFileSync(join(FIXTURES, 'database.ndjson'), 'utf8');
    expect(files).toContain('"ratio": 1.0');
    expect(database).toContain('"ratio": 1,');
    expect(records('files.ndjson').filter((r) => !('state' in r) && !('tenantId' in r) && !('mergeStrategy' in r))).toHaveLength(4);

    expect(run('files.ndjson', 'database.ndjson')).toEqual({
      status: 0,
      stdout: ['files.ndjson: 5 items, database.ndjson: 5 items; 5 the same, 0 different, 0 missing, 0 unexpected, 0 problems'],
      stderr: '',
    });
  });

  it('prints one line per difference, with where each item is, then a summary, and exits with 1', () => {
    expect(run('files.ndjson', 'changed.ndjson')).toEqual({
      status: 1,
      stdout: [
        'differs: acme/flow/default/platform/onboarding at extends: absent before (files.ndjson:5), "base_onboarding" after (changed.ndjson:1)',
        'unexpected: default/object/crm/platform/account (changed.ndjson:5)',
        'missing: default/object/crm/system/account (files.ndjson:1)',
        'differs: default/object/crm/system/contact at payload/label: "Contact" before (files.ndjson:2), "Contacts" after (changed.ndjson:4)',
        'differs: default/object/crm/system/contact at payload/limits/max: 100 before (files.ndjson:2), 101 after (changed.ndjson:4)',
        'differs: default/view/crm/system/account_list at state: "active" before (files.ndjson:3), "deprecated" after (changed.ndjson:3)',
        'differs: default/view/crm/system/account_list at tags: ["crm"] before (files.ndjson:3), ["crm","core"] after (changed.ndjson:3)',
        'files.ndjson: 5 items, changed.ndjson: 5 items; 1 the same, 3 different, 1 missing, 1 unexpected, 0 problems',
      ],
      stderr: '',
    });
  });

  it('summarises one export: each item’s RFC 8785 checksum (as computed here) and the counts the guide’s SQL query gives', () => {
    const database = records('database.ndjson');
    // The fixture's checksums are RFC 8785 checksums; the first record's payload is the protocol guide's example.
    for (const record of database) expect(record.checksum, JSON.stringify(record.payload)).toBe(checksum(record.payload));
    expect(database.map((r) => r.checksum)).toContain('sha256:f0016b077410accb57e1c639d110bbffaaef4755e6cce559ed85856d78cb0857');

    const label = (r: Record<string, unknown>) =>
      [r.tenantId ?? 'default', r.type, r.namespace ?? 'default', r.scope ?? 'platform', r.owner, r.name].filter(Boolean).join('/');
    const expected = (file: string) => [
      ...records(file)
        .map((r) => [label(r), `${checksum(r.payload)}  ${label(r)}`] as const)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, line]) => line),
      ...COUNTS,
      `${file}: 5 items in 4 groups, 0 problems`,
    ];
    expect(run('database.ndjson')).toEqual({ status: 0, stdout: expected('database.ndjson'), stderr: '' });
    // The file export spells its numbers differently and leaves defaults out, yet has the same checksums.
    expect(run('files.ndjson')).toEqual({ status: 0, stdout: expected('files.ndjson'), stderr: '' });
    expect(expected('files.ndjson').slice(0, -1)).toEqual(expected('database.ndjson').slice(0, -1));
  });

  it('reports lines that are not records, a repeated identity key and a wrong checksum, and exits with 1', () => {
    const { status, stdout } = run('broken.ndjson');
    expect(status).toBe(1);
    expect(stdout.slice(0, 6)).toEqual([
      expect.stringMatching(/^broken\.ndjson:1: not a JSON object: /),
      expect.stringMatching(/^broken\.ndjson:2: not a JSON object: /),
      'broken.ndjson:3: not a record, it has no payload',
      'broken.ndjson:4: not a JSON object: NaN is not JSON',
      'broken.ndjson:7: default/object/default/platform/twice again, first at broken.ndjson:6',
      `broken.ndjson:8: default/object/default/platform/wrong_checksum: checksum sha256:${'0'.repeat(64)}, but its payload's is ${checksum({ n: 1 })}`,
    ]);
    expect(stdout.at(-1)).toBe('broken.ndjson: 2 items in 1 groups, 6 problems');
  });

  it('answers a usage error and a missing file with one line on stderr and status 2', () => {
    expect(run('a', 'b', 'c')).toEqual({
      status: 2,
      stdout: [],
      stderr: 'usage: compare_exports.py EXPORT | compare_exports.py BEFORE AFTER\n',
    });
    const missing = run('missing.ndjson');
    expect(missing).toMatchObject({ status: 2, stdout: [] });
    expect(missing.stderr).toMatch(/^compare_exports: .*No such file or directory: 'missing\.ndjson'\n$/);
  });

  it('fills the envelope defaults of MetadataRecord’s JSON Schema, all but version, which an import assigns', () => {
    const probe = spawnSync(
      PYTHON,
      ['-c', 'import json, sys; sys.path.insert(0, sys.argv[1]); import compare_exports as c; print(json.dumps(c.DEFAULTS))', tempDir],
      { encoding: 'utf8' },
    );
    expect(probe.status, probe.stderr).toBe(0);
    const schema = JSON.parse(readFileSync(join(ROOT, 'packages/spec/json-schema/input/metadata-record.json'), 'utf8')) as {
      properties: Record<string, { default?: unknown }>;
    };
    const defaults = Object.fromEntries(
      Object.entries(schema.properties).flatMap(([field, property]) => ('default' in property ? [[field, property.default]] : [])),
    );
    const { version, ...filled } = defaults;
    expect(version).toBe(1);
    expect(JSON.parse(probe.stdout)).toEqual(filled);
  });
});
