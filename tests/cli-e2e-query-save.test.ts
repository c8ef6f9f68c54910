/**
 * `metasource query` and `metasource save` end to end: the built binary as a
 * child process, each --json result validated against its schema
 * (QueryResultSchema, SaveResultSchema, ErrorResultSchema) and its exit
 * code. The same scenario runs on SQLite, PostgreSQL and MariaDB, each on a
 * test database of its own (dropped afterwards), the three at once: an empty
 * store, the sample imported, filters, --where conditions, sorts, archived
 * items, pages and cursors, --resolve; a save that creates, one that updates
 * on the expected version, a stale one refused with version_conflict (exit
 * 4), a dry run, a replace, already_exists and not_found. Bad input (an
 * invalid query, an invalid file, options that contradict the file) is
 * refused before anything connects, naming the option or the file's line
 * and column. Needs the built packages (packages/cli/dist).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorResultSchema, QueryResultSchema, SaveResultSchema, type QueryResult } from '../packages/cli/src/results';
import { SAMPLE_TREE, assertBuilt, jsonResult, runCli, writeConfig } from '../packages/cli/src/testing';
import { SQL_DRIVERS, createTestDatabase, type TestDatabase } from '../packages/store/src/sql/testing';

const SAMPLE_RECORDS = 214;
const ARCHIVED = [
  'acme/platform/permission_set/crm/contractor_2023',
  'globex/platform/flow/field_service/preventive_maintenance_v1',
  'globex/platform/permission_set/crm/temporary_auditor',
];

/** A record's key as the CLI prints it: tenant/scope[/owner]/type/namespace/name. */
const keyOf = (record: QueryResult['records'][number]) =>
  [record.tenantId, record.scope, ...(record.owner !== undefined ? [record.owner] : []), record.type, record.namespace, record.name].join(
    '/',
  );

beforeAll(() => assertBuilt());

describe.concurrent('metasource query and save: bad input is refused before anything connects', { timeout: 60_000 }, () => {
  let dir: string;
  const password = 'pw-query-save-Q7!unreachable';
  const run = (args: string[]) => runCli(args, { cwd: dir, env: { METASOURCE_E2E_PASSWORD: password } });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'metasource-cli-query-save-'));
    // A server that is not there: whatever gets past the checks fails with exit 3.
    writeConfig(dir, {
      driver: 'postgres',
      name: 'metadata_db',
      connection: { host: '127.0.0.1', port: 1, database: 'nowhere', user: 'metasource', password: { env: 'METASOURCE_E2E_PASSWORD' } },
      tls: { mode: 'disable' },
    });
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists query and save in --help, with their options and exit codes', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}query \[options\] +print the records a structured query selects/m);
    expect(help.stdout).toMatch(/^ {2}save \[options\] <file> +create or change one item/m);
    expect(help.stdout).toContain('4    conflicts (an import or a save refused by stored items or a version conflict');
    const query = await run(['query', '--help']);
    for (const option of [
      '--type',
      '--namespace',
      '--name',
      '--tenant',
      '--scope',
      '--state',
      '--where',
      '--sort',
      '--page-size',
      '--cursor',
    ])
      expect(query.stdout).toContain(option);
    expect(query.stdout).toMatch(/--all +follow the cursors/);
    expect(query.stdout).toMatch(/--resolve +each item as it takes effect/);
  });

  it('query: every invalid filter, condition and sort named by its option (exit 1); a valid query meets the unreachable server (exit 3)', async () => {
    const invalid = await run([
      'query',
      '--type',
      'Object',
      '--where',
      '{"field":"payload.label","operator":"eq","value":"Account"}',
      '--where',
      '{"field":"updatedAt",\n"operator":"contains","value":"2026"}',
      '--sort',
      'colour',
      '--json',
    ]);
    expect(invalid.code).toBe(1);
    const error = jsonResult(invalid, ErrorResultSchema).error;
    expect(error.code).toBe('invalid_input');
    expect(error.problems.map((problem) => [problem.file, problem.line, problem.column, problem.path])).toEqual([
      ['--type', undefined, undefined, ''],
      ['--where #1', 1, 10, 'field'],
      ['--where #2', 2, 12, 'operator'],
      ['--sort #1', undefined, undefined, 'field'],
    ]);
    expect(error.problems[1]!.message).toMatch(/write payload\/label instead of payload\.label/);
    expect(error.problems[2]!.message).toMatch(/\(rule date_time_field_has_no_text_match\)$/);
    expect(invalid.stderr).toContain('--where #2:2:12 operator createdAt and updatedAt are instants');

    const syntax = await run(['query', '--where', '{"field": "type",}', '--sort', 'name:up']);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toContain('--where #1:1:18 expected a key in double quotes, found "}"');
    expect(syntax.stderr).toContain('--sort #1 "name:up": the direction after ":" must be asc or desc');

    for (const args of [
      ['query', '--page-size', '0'],
      ['query', '--page-size', '1001'],
      ['query', '--all', '--cursor', 'abc'],
      ['query', '--bogus'],
    ]) {
      expect((await run(args)).code, args.join(' ')).toBe(2);
    }

    const valid = await run(['query', '--type', 'object', '--json']);
    expect(valid.code).toBe(3);
    expect(jsonResult(valid, ErrorResultSchema).error.code).toBe('unavailable');
    expect(valid.stdout + valid.stderr).toContain('127.0.0.1:1');
    expect(valid.stdout + valid.stderr).not.toContain(password);
  });

  it('save: an invalid file at its line and column, a file that contradicts the options (exit 1), missing or clashing options (exit 2)', async () => {
    writeFileSync(join(dir, 'syntax.json'), '{\n  "type": "queue",\n  "name": "x",\n  "payload": {},\n}\n');
    writeFileSync(join(dir, 'runtime-fields.yaml'), 'tenantId: acme\ntype: queue\nname: x\nversion: 3\npayload: {}\n');
    writeFileSync(join(dir, 'acme.json'), '{"tenantId": "acme", "type": "queue", "name": "x", "payload": {}, "expectedVersion": 2}\n');
    writeFileSync(join(dir, 'no-tenant.json'), '{"type": "queue", "name": "x", "payload": {}}\n');

    const syntax = await run(['save', 'syntax.json', '--json']);
    expect(syntax.code).toBe(1);
    expect(jsonResult(syntax, ErrorResultSchema).error).toMatchObject({
      code: 'invalid_files',
      problems: [{ file: 'syntax.json', line: 5, column: 1 }],
    });
    const runtime = await run(['save', 'runtime-fields.yaml']);
    expect(runtime.code).toBe(1);
    expect(runtime.stderr).toMatch(/runtime-fields\.yaml:4:1 Unrecognized key: "version"/);
    const tenant = await run(['save', 'acme.json', '--tenant', 'globex']);
    expect(tenant.code).toBe(1);
    expect(tenant.stderr).toContain('acme.json:1:14 tenantId is acme, but --tenant says globex; a save writes one tenant');
    const version = await run(['save', 'acme.json', '--expected-version', '3']);
    expect(version.code).toBe(1);
    expect(version.stderr).toMatch(/acme\.json:1:\d+ expectedVersion is 2, but --expected-version says 3/);

    const noTenant = await run(['save', 'no-tenant.json']);
    expect(noTenant.code).toBe(2);
    expect(noTenant.stderr).toContain('no-tenant.json names no tenantId, and no --tenant was given');
    for (const args of [
      ['save', 'acme.json', '--on-conflict', 'skip'],
      ['save', 'acme.json', '--on-conflict', 'overwrite'],
      ['save', 'missing.json', '--tenant', 'acme'],
      ['save'],
    ]) {
      expect((await run(args)).code, args.join(' ')).toBe(2);
    }
    // The file's expectedVersion with --on-conflict update: valid, so it meets the unreachable server.
    const valid = await run(['save', 'acme.json', '--expected-version', '2']);
    expect(valid.code).toBe(3);
  });
});

describe('metasource query and save on every SQL database', { timeout: 120_000 }, () => {
  const databases = new Map<string, { database: TestDatabase; dir: string }>();

  beforeAll(async () => {
    for (const driver of SQL_DRIVERS) {
      const database = await createTestDatabase(driver, 'cli_query_save');
      const dir = mkdtempSync(join(tmpdir(), `metasource-cli-query-save-${driver}-`));
      databases.set(driver, { database, dir });
      writeConfig(dir, database.datasource);
    }
  }, 60_000);

  afterAll(async () => {
    for (const { database, dir } of databases.values()) {
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** The command in a database's directory, and its --json results parsed. */
  function cli(driver: string) {
    const { dir } = databases.get(driver)!;
    const run = (args: string[]) => runCli(args, { cwd: dir });
    return {
      dir,
      run,
      query: async (...args: string[]) => jsonResult(await run(['query', ...args, '--json']), QueryResultSchema),
      save: async (...args: string[]) => {
        const result = await run(['save', ...args, '--json']);
        return { code: result.code, result: jsonResult(result, SaveResultSchema) };
      },
    };
  }

  it.concurrent.for(SQL_DRIVERS)('%s: query an empty store, then the sample; save, conflict, replace', async (driver, { expect }) => {
    const { dir, run, query, save } = cli(driver);
    expect((await run(['migrate', '--apply'])).code).toBe(0);

    // An empty store: no tenant, no records, exit 0.
    expect(await query()).toMatchObject({ exitCode: 0, tenants: [], records: [], total: 0, pages: 0 });
    expect((await run(['import', SAMPLE_TREE])).code).toBe(0);

    // A filter, a condition on a payload path, two sort keys (one descending).
    const leads = await query(
      '--type',
      'view',
      '--scope',
      'platform',
      '--where',
      '{"field":"payload/object","operator":"eq","value":"crm.lead"}',
      '--sort',
      'tenantId',
      '--sort',
      'name:desc',
    );
    expect(leads.records.map(keyOf)).toEqual([
      'acme/platform/view/crm/unassigned_leads',
      'acme/platform/view/crm/open_leads',
      'acme/platform/view/crm/hot_leads',
      'acme/platform/view/crm/all_leads',
      'globex/platform/view/crm/trade_show_leads',
      'globex/platform/view/crm/all_leads',
    ]);
    expect(leads).toMatchObject({ tenants: ['acme', 'globex'], total: 6, pages: 1, resolveInheritance: false });
    expect(leads.nextCursor).toBeUndefined();

    // Archived items: left out unless asked for, or unless --state names them.
    expect((await query('--page-size', '1', '--include-archived')).total).toBe(SAMPLE_RECORDS);
    expect((await query('--state', 'archived', '--sort', 'tenantId', '--sort', 'name')).records.map(keyOf)).toEqual(ARCHIVED);

    // Pages: --cursor continues where the last page ended; --all reads every page.
    const order = ['--tenant', 'acme', '--type', 'view', '--sort', 'name', '--sort', 'scope', '--sort', 'owner', '--page-size', '7'];
    const all = await query(...order, '--all');
    expect(all.records.length).toBeGreaterThan(14);
    expect(all).toMatchObject({ total: all.records.length, pages: Math.ceil(all.records.length / 7) });
    expect(all.nextCursor).toBeUndefined();
    const first = await query(...order);
    expect(first).toMatchObject({ total: all.records.length, pages: 1 });
    expect(first.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const second = await query(...order, '--cursor', first.nextCursor!);
    expect([...first.records, ...second.records].map(keyOf)).toEqual(all.records.slice(0, 14).map(keyOf));

    // As stored: the built-in, acme's and Jane's; resolved: the item as it takes effect, merged over its parent.
    const stored = await query('--tenant', 'acme', '--type', 'view', '--name', 'all_accounts', '--sort', 'scope');
    expect(stored.records.map(keyOf)).toEqual([
      'acme/platform/view/crm/all_accounts',
      'acme/system/view/crm/all_accounts',
      'acme/user/jane@acme/view/crm/all_accounts',
    ]);
    const resolved = await query('--tenant', 'acme', '--type', 'view', '--name', 'all_accounts', '--resolve');
    expect(resolved).toMatchObject({ resolveInheritance: true, total: 1 });
    expect(resolved.records[0]!.payload).toMatchObject({
      label: 'All Accounts',
      columns: ['name', 'customer_tier', 'region', 'arr', 'owner'],
      description: 'Every account the user can see.',
    });

    // save: create from YAML (the tenant from --tenant), update on the expected version, refuse a stale one.
    writeFileSync(
      join(dir, 'queue.yaml'),
      'type: queue\nnamespace: crm\nname: partner_leads\ntags: [crm]\npayload:\n  label: Partner Leads\n  routing: manual\n',
    );
    writeFileSync(
      join(dir, 'ana.json'),
      '{"tenantId": "acme", "type": "queue", "namespace": "crm", "name": "partner_leads", "payload": {"reassignAfterHours": 8}}\n',
    );
    writeFileSync(
      join(dir, 'ben.json'),
      '{"tenantId": "acme", "type": "queue", "namespace": "crm", "name": "partner_leads", "payload": {"routing": "round_robin"}}\n',
    );
    const created = await save('queue.yaml', '--tenant', 'acme');
    expect(created.code).toBe(0);
    expect(created.result).toMatchObject({
      key: 'acme/platform/queue/crm/partner_leads',
      tenantId: 'acme',
      onConflict: 'update',
      dryRun: false,
      saved: { status: 'created', version: 1, dryRun: false },
    });
    expect(created.result.error).toBeUndefined();
    const updated = await save('ana.json', '--expected-version', '1');
    expect(updated.result.saved).toMatchObject({ status: 'updated', version: 2, previousVersion: 1 });

    const stale = await save('ben.json', '--expected-version', '1');
    expect(stale.code).toBe(4);
    expect(stale.result).toMatchObject({
      exitCode: 4,
      expectedVersion: 1,
      error: {
        code: 'version_conflict',
        expectedVersion: 1,
        actualVersion: 2,
        key: { tenantId: 'acme', type: 'queue', namespace: 'crm', scope: 'platform', name: 'partner_leads' },
      },
    });
    expect(stale.result.saved).toBeUndefined();

    // A dry run writes nothing; a replace based on version 2 replaces the payload whole.
    const dry = await save('ben.json', '--expected-version', '2', '--dry-run');
    expect(dry.result).toMatchObject({
      exitCode: 0,
      dryRun: true,
      saved: { status: 'updated', version: 3, previousVersion: 2, dryRun: true },
    });
    const replaced = await save('ben.json', '--expected-version', '2', '--on-conflict', 'replace');
    expect(replaced.result.saved).toMatchObject({ status: 'replaced', version: 3, previousVersion: 2 });
    const [item] = (await query('--tenant', 'acme', '--type', 'queue', '--name', 'partner_leads')).records;
    expect(item).toMatchObject({ version: 3, tags: ['crm'], payload: { routing: 'round_robin' } });
    expect(Object.keys(item!.payload)).toEqual(['routing']);

    // A key that is stored already, with --on-conflict error: a typed refusal, exit 4.
    const exists = await save('ben.json', '--on-conflict', 'error');
    expect(exists.code).toBe(4);
    expect(exists.result.error).toMatchObject({ code: 'already_exists', actualVersion: 3 });
  });

  // What does not depend on the database (text output, option handling), once, on the SQLite store the scenario filled.
  it('sqlite: the text output, lists of filter values, a foreign cursor, unchanged and not_found', async () => {
    const { dir, run, query, save } = cli('sqlite');
    // Runs after the scenario (concurrent tests finish before the next test starts): partner_leads is at version 3.
    const stored = await databases
      .get('sqlite')!
      .database.db.selectFrom('_framework_metadata')
      .select('version')
      .where('name', '=', 'partner_leads')
      .execute();
    expect(stored.map((row) => Number(row.version))).toEqual([3]);

    const table = await run(['query', '--tenant', 'acme', '--type', 'queue', '--namespace', 'help_desk', '--sort', 'name']);
    expect(table.code).toBe(0);
    expect(table.stdout).toBe(
      [
        'TENANT  SCOPE     OWNER  TYPE   NAMESPACE  NAME            VERSION  STATE',
        'acme    platform  -      queue  help_desk  tier_1_support  1        active',
        'acme    platform  -      queue  help_desk  tier_2_support  1        active',
        '2 records, as stored.',
        '',
      ].join('\n'),
    );
    const page = await run([
      'query',
      '--tenant',
      'acme',
      '--scope',
      'user',
      '--type',
      'view',
      '--sort',
      'name',
      '--sort',
      'owner',
      '--page-size',
      '2',
    ]);
    expect(page.stdout).toMatch(/^acme +user +jane@acme +view +crm +all_accounts +1 +active$/m);
    const cursor = /^2 of 6 records, as stored; the next page: --cursor ([A-Za-z0-9_-]+) \(or --all for every page\)$/m.exec(page.stdout);
    expect(cursor, page.stdout).not.toBeNull();
    expect((await run(['query', '--type', 'no_such_type'])).stdout).toBe('No records match.\n');

    // Several values of a filter: any of them; the default leaves archived items out.
    const twoTypes = await query('--tenant', 'globex', '--type', 'queue', '--type', 'sla_policy', '--namespace', 'help_desk');
    expect(new Set(twoTypes.records.map((record) => record.type))).toEqual(new Set(['queue', 'sla_policy']));
    expect(twoTypes.records.every((record) => record.tenantId === 'globex' && record.namespace === 'help_desk')).toBe(true);
    expect((await query('--page-size', '1')).total).toBe(SAMPLE_RECORDS + 1 - ARCHIVED.length);

    // A cursor of another query is refused by the store: invalid_cursor, exit 1.
    const foreign = await run(['query', '--tenant', 'acme', '--type', 'object', '--page-size', '2', '--cursor', cursor![1]!, '--json']);
    expect(foreign.code).toBe(1);
    expect(jsonResult(foreign, ErrorResultSchema).error.code).toBe('invalid_cursor');

    const stale = await run(['save', 'ana.json', '--expected-version', '1']);
    expect(stale.code).toBe(4);
    expect(stale.stdout).toBe(
      [
        'Refused: version_conflict: acme/platform/queue/crm/partner_leads is stored with version 3; this save expected version 1.',
        '  expected version  1',
        '  actual version    3',
        'Nothing was written.',
        'hint: someone saved it since version 1 was read: read it again (metasource query), apply the change to version 3, and save with --expected-version 3',
        '',
      ].join('\n'),
    );
    const unchanged = await run(['save', 'ben.json', '--on-conflict', 'replace']);
    expect(unchanged.stdout).toBe(
      'Unchanged: acme/platform/queue/crm/partner_leads is stored with this content already (version 3); nothing was written.\n',
    );
    writeFileSync(join(dir, 'ghost.json'), '{"type": "queue", "name": "ghost", "payload": {}}\n');
    const ghost = await save('ghost.json', '--tenant', 'globex', '--expected-version', '1');
    expect(ghost.code).toBe(1);
    expect(ghost.result.error).toMatchObject({ code: 'not_found' });
    expect((await query('--tenant', 'globex', '--name', 'ghost')).records).toEqual([]);
  });
});
