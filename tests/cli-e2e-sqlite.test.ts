/**
 * The built `metasource` binary end to end on SQLite, as a child process in
 * a temporary directory: every sub-command, each --json result validated
 * against its schema (packages/cli/src/results.ts) and its exit code, and
 * the bad inputs: an invalid config, a metadata file with a syntax error, an
 * unreachable database (no password shown), an import with conflicts, an
 * interrupted import. Needs the built packages (packages/cli/dist).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChangesResultSchema,
  ConformanceResultSchema,
  DiffResultSchema,
  DoctorResultSchema,
  ErrorResultSchema,
  ExportResultSchema,
  ImportResultSchema,
  MigrateResultSchema,
  ValidateResultSchema,
} from '../packages/cli/src/results';
import {
  SAMPLE_TREE,
  assertBuilt,
  jsonResult,
  runCli,
  sqliteRowCount,
  startCli,
  waitFor,
  writeConfig,
  writeRecords,
} from '../packages/cli/src/testing';
import { MetadataChangeEventSchema, MetadataRecordSchema } from '@metasource/spec';

const SAMPLE_RECORDS = 214;
let dir: string;
const run = (args: string[], env?: Record<string, string | undefined>) => runCli(args, { cwd: dir, ...(env ? { env } : {}) });
const dbFile = () => join(dir, '.metasource', 'demo.db');

/** Rows of the records table, read beside the command. */
const countRecords = () => sqliteRowCount(dbFile(), '_framework_metadata');

beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'metasource-cli-sqlite-'));
  mkdirSync(join(dir, '.metasource'));
  writeConfig(
    dir,
    { driver: 'sqlite', name: 'metadata_db', connection: { filename: './.metasource/demo.db' } },
    { migration: { autoMigrate: false } },
  );
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('metasource on SQLite', { timeout: 60_000 }, () => {
  it('prints help with the exit codes and the tree layout, and its version', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes:\n  0 +success/);
    expect(help.stdout).toContain('130  interrupted');
    expect(help.stdout).toContain('<tenantId>/user/<owner>/<type>/<namespace>/<name>.json');
    for (const command of ['validate', 'doctor', 'migrate', 'export', 'import', 'diff', 'changes', 'conformance'])
      expect(help.stdout).toContain(command);
    const version = await run(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('exits 2 on a usage error, with an ErrorResult under --json and no stack trace', async () => {
    const unknown = await run(['export', '--bogus', '--json']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--bogus'/);
    expect(jsonResult(unknown, ErrorResultSchema).error.code).toBe('usage');
    const missing = await run(['import']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing required argument 'source'/);
    const empty = mkdtempSync(join(tmpdir(), 'metasource-cli-empty-'));
    try {
      const noConfig = await runCli(['doctor', '--json'], { cwd: empty });
      expect(noConfig.code).toBe(2);
      const error = jsonResult(noConfig, ErrorResultSchema).error;
      expect(error.message).toMatch(/no config file/);
      expect(error.hint).toMatch(/--config/);
      expect(noConfig.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('validates the config and the sample tree without touching a database', async () => {
    const result = await run(['validate', 'metasource.json', SAMPLE_TREE, '--json']);
    expect(result.code).toBe(0);
    const validated = jsonResult(result, ValidateResultSchema);
    expect(validated.valid).toBe(true);
    expect(validated.files.map((file) => [file.kind, file.records])).toEqual([
      ['config', 0],
      ['tree', SAMPLE_RECORDS],
    ]);
    expect(existsSync(dbFile())).toBe(false);
  });

  it('reports each problem of an invalid config as file:line:column path message, exit 1', async () => {
    writeFileSync(
      join(dir, 'broken.yaml'),
      [
        'datasources:',
        '  - driver: postgres',
        '    name: metadata_db',
        '    connection:',
        '      host: db.internal',
        '      database: metasource',
        '      user: metasource',
        '      password: hunter2',
        '      port: 99999',
        'metadata:',
        '  datasource: metadata_db',
        '  colour: blue',
        '',
      ].join('\n'),
    );
    const text = await run(['validate', 'broken.yaml']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('broken.yaml:9:13 datasources[0].connection.port Too big');
    expect(text.stdout).toMatch(/broken\.yaml:8:17 datasources\[0\]\.connection\.password secrets are not accepted inline/);
    expect(text.stdout).toMatch(/broken\.yaml:12:3 metadata .*colour/);
    const json = jsonResult(await run(['validate', 'broken.yaml', '--json']), ValidateResultSchema);
    expect(json.valid).toBe(false);
    expect(json.errors).toBe(3);
    // Every other command refuses the invalid config before connecting, with the same problems.
    const doctor = await run(['--config', 'broken.yaml', 'doctor', '--json']);
    expect(doctor.code).toBe(1);
    const error = jsonResult(doctor, ErrorResultSchema).error;
    expect(error.code).toBe('invalid_config');
    expect(error.problems.map((p) => `${p.line}:${p.column}`)).toEqual(expect.arrayContaining(['9:13', '8:17', '12:3']));
  });

  it('reports a syntax error of a metadata file at its line and column, and the schema problems of the others', async () => {
    writeFileSync(
      join(dir, 'bad.jsonl'),
      [
        '{"type":"object","name":"ok","payload":{}}',
        '{"type":"object","name":"broken","payload":{"x":1,}}',
        '{"type":"object","name":"Bad","payload":{}}',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'record.json'),
      '{\n  "type": "object",\n  "name": "account",\n  "payload": {\n    "label": "Account"\n  \n}\n',
    );
    const result = await run(['validate', 'bad.jsonl', 'record.json']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('bad.jsonl:2:51 expected a key in double quotes, found "}"');
    expect(result.stdout).toMatch(/bad\.jsonl:3:25 name must be a snake_case machine name/);
    expect(result.stdout).toMatch(/record\.json:8:1 expected "," or "}" after a member of the object, found the end of the text/);
    expect(result.stdout).toMatch(/2 files checked \(1 record\): 0 valid, 2 invalid; 3 errors/);
  });

  it('doctor: warns that nothing exists yet without creating the file, then passes after migrate --apply', async () => {
    const before = await run(['doctor', '--json']);
    expect(before.code).toBe(0);
    const doctor = jsonResult(before, DoctorResultSchema);
    expect(doctor.checks.find((c) => c.name === 'connection')).toMatchObject({ status: 'warn' });
    expect(existsSync(dbFile())).toBe(false);

    const plan = await run(['migrate']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/Migration plan for datasource metadata_db \(sqlite file \.\/\.metasource\/demo\.db\): 1 step, atomic/);
    expect(plan.stdout).toContain('CREATE TABLE "_framework_metadata" (');
    expect(plan.stdout).toContain('Dry run: nothing was run.');
    const planJson = jsonResult(await run(['migrate', '--json']), MigrateResultSchema);
    expect(planJson.applied).toBe(false);
    expect(planJson.plan.steps.length).toBeGreaterThan(0);
    expect(planJson.plan.steps.every((step) => step.reversible && !step.losesData)).toBe(true);

    const applied = jsonResult(await run(['migrate', '--apply', '--json']), MigrateResultSchema);
    expect(applied.applied).toBe(true);
    expect(applied.plan.steps.map((step) => step.statements)).toEqual(planJson.plan.steps.map((step) => step.statements));
    const again = jsonResult(await run(['migrate', '--json']), MigrateResultSchema);
    expect(again.plan.steps).toEqual([]);

    const after = await run(['doctor']);
    expect(after.code).toBe(0);
    for (const check of ['config', 'connection', 'capabilities', 'layout', 'migrations', 'lock'])
      expect(after.stdout).toMatch(new RegExp(`\\[pass\\] ${check}: `));
    expect(after.stdout).toMatch(/connected to sqlite 3\./);
  });

  it('imports the sample tree: a dry run writes nothing, the import creates every record, a second one is refused (exit 4)', async () => {
    const otherTenant = await run(['import', SAMPLE_TREE, '--tenant', 'acme', '--json']);
    expect(otherTenant.code).toBe(1);
    const refusedUpFront = jsonResult(otherTenant, ImportResultSchema);
    expect(refusedUpFront.problems).toHaveLength(102);
    expect(refusedUpFront.problems[0]).toMatchObject({
      path: 'tenantId',
      message: expect.stringMatching(/tenant globex is not among the --tenant values/),
    });
    expect(refusedUpFront.committedRecords).toBe(0);
    expect(countRecords()).toBe(0);
    const dry = jsonResult(await run(['import', SAMPLE_TREE, '--dry-run', '--json']), ImportResultSchema);
    expect(dry).toMatchObject({ dryRun: true, read: SAMPLE_RECORDS, committedRecords: 0, counts: { created: SAMPLE_RECORDS, failed: 0 } });
    expect(countRecords()).toBe(0);

    const first = await run(['import', SAMPLE_TREE]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/created +214\n/);
    expect(first.stdout).toMatch(/Committed: 214 records written in 3 batches of up to 100\./);
    expect(countRecords()).toBe(SAMPLE_RECORDS);

    const second = await run(['import', SAMPLE_TREE, '--json']);
    expect(second.code).toBe(4);
    const refused = jsonResult(second, ImportResultSchema);
    expect(refused.counts).toMatchObject({ created: 0, failed: 1, notAttempted: SAMPLE_RECORDS - 1 });
    expect(refused.failures[0]!.error.code).toBe('already_exists');
    expect(refused.failures[0]!.location).toMatch(/tenants\/acme\/platform\/.*\.json$/);

    const all = jsonResult(await run(['import', SAMPLE_TREE, '--continue-on-error', '--json']), ImportResultSchema);
    expect(all.exitCode).toBe(4);
    expect(all.failures).toHaveLength(SAMPLE_RECORDS);
    const skipped = jsonResult(await run(['import', SAMPLE_TREE, '--on-conflict', 'skip', '--json']), ImportResultSchema);
    expect(skipped).toMatchObject({ exitCode: 0, counts: { skipped: SAMPLE_RECORDS }, committedRecords: 0 });
    expect(countRecords()).toBe(SAMPLE_RECORDS);
  });

  it('imports plain payload files, the envelope taken from their paths', async () => {
    mkdirSync(join(dir, 'payloads/acme/platform/view/crm'), { recursive: true });
    mkdirSync(join(dir, 'payloads/acme/user/jane@acme/view/crm'), { recursive: true });
    writeFileSync(
      join(dir, 'payloads/acme/platform/view/crm/cli_payload_view.json'),
      '{"object": "crm.lead", "columns": ["name", "rating"]}',
    );
    writeFileSync(join(dir, 'payloads/acme/user/jane@acme/view/crm/cli_payload_view.json'), '{"columns": ["name"]}');
    const dry = await run(['import', 'payloads', '--format', 'payload', '--dry-run', '--json']);
    expect(jsonResult(dry, ImportResultSchema)).toMatchObject({
      exitCode: 0,
      source: { kind: 'tree', format: 'payload' },
      counts: { created: 2 },
    });
    // Read as records, the same files are payloads without an envelope: every one is a problem, and nothing is written.
    const asRecords = await run(['import', 'payloads', '--json']);
    expect(asRecords.code).toBe(1);
    expect(jsonResult(asRecords, ImportResultSchema).problems.map((p) => p.file)).toEqual([
      'payloads/acme/platform/view/crm/cli_payload_view.json',
      'payloads/acme/platform/view/crm/cli_payload_view.json',
      'payloads/acme/user/jane@acme/view/crm/cli_payload_view.json',
      'payloads/acme/user/jane@acme/view/crm/cli_payload_view.json',
    ]);
    expect(countRecords()).toBe(SAMPLE_RECORDS);
  });

  it('refuses an atomic import whose last record conflicts, writing none of it (exit 4)', async () => {
    const lines = [
      JSON.stringify({ tenantId: 'acme', type: 'view', namespace: 'atomic', name: 'first', payload: { a: 1 } }),
      JSON.stringify({ tenantId: 'acme', type: 'object', namespace: 'crm', scope: 'system', name: 'account', payload: { a: 2 } }),
    ];
    writeFileSync(join(dir, 'atomic.jsonl'), `${lines.join('\n')}\n`);
    const result = await run(['import', 'atomic.jsonl', '--atomic']);
    expect(result.code).toBe(4);
    expect(result.stdout).toContain('atomic.jsonl:2 acme/system/object/crm/account: already_exists');
    expect(result.stdout).toContain('Nothing was committed: the atomic import rolled back at the first failure.');
    expect(countRecords()).toBe(SAMPLE_RECORDS);
    const usage = await run(['import', 'atomic.jsonl', '--atomic', '--continue-on-error']);
    expect(usage.code).toBe(2);
  });

  it('exports in a stable order with checksums, to JSON Lines and to a tree, and diffs both against the database', async () => {
    const exported = jsonResult(await run(['export', '--out', 'export.jsonl', '--json']), ExportResultSchema);
    expect(exported).toMatchObject({ format: 'jsonl', records: SAMPLE_RECORDS, tenants: ['acme', 'globex'], interrupted: false });
    const lines = readFileSync(join(dir, 'export.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(SAMPLE_RECORDS);
    const records = lines.map((line) => MetadataRecordSchema.parse(JSON.parse(line)));
    expect(records.every((record) => /^sha256:[0-9a-f]{64}$/.test(record.checksum ?? '') && record.createdBy === 'metasource-cli')).toBe(
      true,
    );
    const order = records.map((r) => [r.tenantId, r.type, r.namespace, r.scope, r.owner ?? '', r.name].join('\u0000'));
    expect(order).toEqual([...order].sort());
    expect(await run(['export', '--out', 'export.jsonl'])).toMatchObject({ code: 2 });
    await run(['export', '--out', 'again.jsonl']);
    expect(readFileSync(join(dir, 'again.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'export.jsonl'), 'utf8'));

    const tree = jsonResult(await run(['export', '--out', 'tree', '--format', 'tree', '--no-audit', '--json']), ExportResultSchema);
    expect(tree.records).toBe(SAMPLE_RECORDS);
    const jane = JSON.parse(readFileSync(join(dir, 'tree/acme/user/jane@acme/view/crm/all_accounts.json'), 'utf8'));
    expect(jane).toMatchObject({ scope: 'user', owner: 'jane@acme', extends: 'all_accounts' });
    expect(jane.createdAt).toBeUndefined();
    expect(readdirSync(dir).filter((name) => name.includes('.partial-'))).toEqual([]);

    const filtered = jsonResult(
      await run(['export', '--out', 'views.jsonl', '--tenant', 'acme', '--type', 'view', '--scope', 'user', '--json']),
      ExportResultSchema,
    );
    expect(filtered.records).toBe(6);
    expect(filtered.tenants).toEqual(['acme']);

    for (const [a, b] of [
      ['export.jsonl', 'metadata_db'],
      ['tree', 'export.jsonl'],
      [SAMPLE_TREE, 'datasource:metadata_db'],
    ] as const) {
      const diff = await run(['diff', a, b, '--json']);
      expect(diff.code, `${a} vs ${b}`).toBe(0);
      expect(jsonResult(diff, DiffResultSchema)).toMatchObject({ equal: true, added: [], removed: [], changed: [] });
    }
  });

  it('diff: added, removed and changed items with JSON Pointer paths, exit 1', async () => {
    const account = join(dir, 'tree/acme/platform/object/crm/account.json');
    const record = JSON.parse(readFileSync(account, 'utf8'));
    const removedKey = Object.keys(record.payload)[0]!;
    const removedValue = record.payload[removedKey];
    delete record.payload[removedKey];
    record.payload.cli_note = 'Client';
    record.state = 'deprecated';
    writeFileSync(account, JSON.stringify(record, null, 2));
    rmSync(join(dir, 'tree/acme/user/jane@acme/view/crm/all_accounts.json'));
    mkdirSync(join(dir, 'tree/acme/platform/flow/extra'), { recursive: true });
    writeFileSync(join(dir, 'tree/acme/platform/flow/extra/new_flow.json'), '{"payload": {"steps": []}}');
    const text = await run(['diff', 'metadata_db', 'tree']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('- acme/user/jane@acme/view/crm/all_accounts  (only in A: datasource metadata_db)');
    expect(text.stdout).toContain('+ acme/platform/flow/extra/new_flow  (only in B: tree/acme/platform/flow/extra/new_flow.json)');
    expect(text.stdout).toContain('~ acme/platform/object/crm/account');
    expect(text.stdout).toContain('    /state: "active" -> "deprecated"');
    expect(text.stdout).toContain('    /payload/cli_note: (absent) -> "Client"');
    expect(text.stdout).toContain(`    /payload/${removedKey}: `);
    expect(text.stdout).toContain('3 differences: 1 added, 1 removed, 1 changed.');
    const json = jsonResult(await run(['diff', 'metadata_db', 'tree', '--json']), DiffResultSchema);
    expect(json.changed[0]!.differences).toEqual([
      { path: '/state', before: 'active', after: 'deprecated' },
      ...[
        { path: '/payload/cli_note', after: 'Client' },
        { path: `/payload/${removedKey}`, before: removedValue },
      ].sort((x, y) => (x.path < y.path ? -1 : 1)),
    ]);
    expect(text.stdout).toMatch(
      /! tree\/acme\/platform\/object\/crm\/account\.json:\d+:\d+ checksum warning: is not the checksum of the payload/,
    );
    expect(json.a).toEqual({ source: 'datasource metadata_db', kind: 'datasource', records: SAMPLE_RECORDS });

    // An item held twice, and a line that is no record, are differences too.
    const [line] = readFileSync(join(dir, 'export.jsonl'), 'utf8').split('\n');
    writeFileSync(join(dir, 'twice.jsonl'), `${line}\n{"type": "object"}\n${line}\n`);
    const twice = await run(['diff', 'twice.jsonl', 'twice.jsonl', '--json']);
    expect(twice.code).toBe(1);
    const problems = jsonResult(twice, DiffResultSchema).problems.map((problem) => problem.message);
    expect(problems.filter((message) => /holds the item \S+ twice \(twice\.jsonl:1 and twice\.jsonl:3\)/.test(message))).toHaveLength(2);
    expect(problems.filter((message) => /Invalid input|required/.test(message)).length).toBeGreaterThan(0);
  });

  it('changes: the feed after a sequence, as text and JSON; --follow until Ctrl-C (exit 130)', async () => {
    const text = await run(['changes', '--tenant', 'acme', '--after', '110']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ {3}111 {2}create {3}acme\/\S+ {2}v1 {2}metasource-cli {2}\d{4}-/m);
    expect(text.stdout).toContain('2 events of tenant acme after sequence 110; last sequence 112');
    const json = jsonResult(await run(['changes', '--tenant', 'globex', '--limit', '5', '--json']), ChangesResultSchema);
    expect(json.events.map((event) => event.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(json).toMatchObject({ tenantId: 'globex', lastSequence: 5, hasMore: true });
    const several = await run(['changes']);
    expect(several.code).toBe(2);
    expect(several.stderr).toContain('name one with --tenant: acme, globex');

    const follow = startCli(['changes', '--tenant', 'acme', '--after', '100', '--follow', '--interval-ms', '50', '--json'], { cwd: dir });
    await waitFor(() => follow.output().stdout.split('\n').length > 12, 15_000, 'the first events');
    writeRecords(join(dir, 'one.jsonl'), 1, ['acme']);
    expect((await run(['import', 'one.jsonl'])).code).toBe(0);
    await waitFor(() => follow.output().stdout.includes('"sequence":113'), 15_000, 'the new event');
    follow.child.kill('SIGINT');
    const ended = await follow.done;
    expect(ended.code).toBe(130);
    const lines = ended.stdout.trimEnd().split('\n');
    const events = lines.slice(0, -1).map((line) => MetadataChangeEventSchema.parse(JSON.parse(line)));
    expect(events.map((event) => event.sequence)).toEqual([101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113]);
    expect(jsonResult(ended, ChangesResultSchema)).toMatchObject({ follow: true, interrupted: true, eventCount: 13, lastSequence: 113 });
  });

  it('conformance: runs the kit on a module, writes the report, exits 1 when a MUST audit fails', async () => {
    const store = join(import.meta.dirname, '..', 'packages', 'store', 'dist', 'index.js');
    writeFileSync(
      join(dir, 'memory-store.mjs'),
      `import { createMemoryStore } from ${JSON.stringify(store)};\nexport const newStore = () => createMemoryStore();\nexport const secondClient = (store) => createMemoryStore({ database: store.database });\n`,
    );
    const passing = await run(['conformance', './memory-store.mjs', '--out', 'report.md', '--name', 'memory', '--json']);
    expect(passing.code).toBe(0);
    const result = jsonResult(passing, ConformanceResultSchema);
    expect(result.summary.errors).toBe(0);
    expect(result.summary.total).toBeGreaterThan(100);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toMatch(/^# Conformance report: memory\n[\s\S]*\| R17\.1 \| MUST \|/);

    // A store whose get never finds anything fails MUST audits.
    writeFileSync(
      join(dir, 'broken-store.mjs'),
      `import { createMemoryStore } from ${JSON.stringify(store)};\n` +
        'export async function newStore() {\n  const store = await createMemoryStore();\n' +
        "  return new Proxy(store, { get(target, key) { if (key === 'get') return async () => null; const value = Reflect.get(target, key); return typeof value === 'function' ? value.bind(target) : value; } });\n}\n",
    );
    const failing = await run(['conformance', './broken-store.mjs', '--only', 'R12', '--only', 'R13', '--only', 'R28']);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/\| error \|/);
    writeFileSync(join(dir, 'not-a-store.mjs'), 'export const x = 1;\n');
    const invalid = await run(['conformance', './not-a-store.mjs']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('it exports no newStore function');
  });

  it('an unreachable database exits 3 naming the host and port, never the password', async () => {
    const password = 'pw-e2e-Z9q!unreachable';
    const config = writeConfig(
      join(dir, 'unreachable'),
      {
        driver: 'postgres',
        name: 'metadata_db',
        connection: { host: '127.0.0.1', port: 1, database: 'nowhere', user: 'metasource', password: { env: 'METASOURCE_E2E_PASSWORD' } },
        tls: { mode: 'disable' },
      },
      {},
    );
    for (const args of [['doctor'], ['export', '--out', 'x.jsonl'], ['migrate', '--json'], ['changes', '--tenant', 'acme']]) {
      const result = await run(['--config', config, ...args], { METASOURCE_E2E_PASSWORD: password });
      expect(result.code, args.join(' ')).toBe(3);
      const output = result.stdout + result.stderr;
      expect(output).toContain('127.0.0.1:1');
      expect(output).not.toContain(password);
      expect(output).not.toMatch(/\n\s+at /);
    }
  });

  it('Ctrl-C during an import: the running batch finishes, the output says what is committed, whole batches only (exit 130)', async () => {
    writeRecords(join(dir, 'big.jsonl'), 30_000, ['bulk_a', 'bulk_b']);
    const before = countRecords();
    const running = startCli(['import', 'big.jsonl', '--batch-size', '500'], { cwd: dir, timeoutMs: 80_000 });
    await waitFor(() => countRecords() > before, 40_000, 'the first committed batch');
    running.child.kill('SIGINT');
    const ended = await running.done;
    expect(ended.code, ended.stderr).toBe(130);
    const match =
      /Interrupted: ([\d,]+) records? written in ([\d,]+) committed batch(?:es)? \(whole batches of up to 500\); ([\d,]+) records? after them were not imported\./.exec(
        ended.stdout,
      );
    expect(match, ended.stdout).not.toBeNull();
    const committed = Number(match![1]!.replaceAll(',', ''));
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(30_000);
    expect(committed % 500).toBe(0);
    expect(Number(match![2]!.replaceAll(',', ''))).toBe(committed / 500);
    expect(Number(match![3]!.replaceAll(',', ''))).toBe(30_000 - committed);
    expect(countRecords() - before).toBe(committed);
  });
});
