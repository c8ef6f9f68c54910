/**
 * The conformance kit's own machinery: the runner (outcomes, order, filter,
 * every store closed whatever happens), the report (summary line, table,
 * determinism), the vitest helper (MUST fails, SHOULD warns, skipped skips),
 * the audit list's ids, and the coverage of the guide's requirements. The
 * committed report and coverage files are checked for staleness by
 * `tsx scripts/conformance.ts --check` (part of `pnpm run check`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AuditFailure,
  AuditSkipped,
  audits,
  auditListProblems,
  coverageProblems,
  NOT_AUDITABLE,
  parseRequirements,
  registerConformanceTests,
  renderCoverage,
  renderReport,
  runConformance,
  summaryLine,
  type Audit,
  type ConformanceTestContext,
} from '@metasource/conformance';
import type { MetadataStore } from '@metasource/spec';
import { createMemoryStore } from '@metasource/store';
import { describe, expect, it, vi } from 'vitest';

const GUIDE = readFileSync(join(import.meta.dirname, '..', 'docs/METADATA_DATASOURCE.md'), 'utf8');

/** A store that only opens and closes, recording its close in `log`; any other call fails the test. */
function fakeStore(name: string, log: string[], closeFails = false): MetadataStore {
  const unexpected = () => {
    throw new Error(`fake store ${name}: unexpected call`);
  };
  return {
    profile: { protocolVersion: '1.0.0', kind: 'memory', atomicImport: true, transactionalBulk: true },
    open: async () => {},
    close: async () => {
      log.push(`close ${name}`);
      if (closeFails) throw new Error(`${name} would not close`);
    },
    migrate: unexpected,
    get: unexpected,
    query: unexpected,
    load: unexpected,
    save: unexpected,
    archive: unexpected,
    restore: unexpected,
    delete: unexpected,
    bulk: unexpected,
    export: unexpected,
    import: unexpected,
    changes: unexpected,
  };
}

function fake(id: string, level: Audit['level'], run: Audit['run'], title = `fake audit ${id}`): Audit {
  return { id, requirement: id.slice(0, id.indexOf('.')), level, title, run };
}

const pass = async () => {};

/** A MUST that passes, a MUST and a SHOULD that fail, one that is skipped and one that throws a plain error. */
const MIXED: Audit[] = [
  fake('R3.1', 'MUST', async () => {
    throw new TypeError('boom');
  }),
  fake('R44.1', 'SHOULD', async () => {
    throw new AuditFailure('expected no payload in the log, store did log it');
  }),
  fake('R1.2', 'MUST', async () => {
    throw new AuditFailure('expected invalid_input, store did accept | the input');
  }),
  fake('R1.1', 'MUST', pass),
  fake('R2.1', 'MUST', async () => {
    throw new AuditSkipped('needs a second client');
  }),
];

describe('runConformance', () => {
  it('gives each audit its outcome and counts a failed MUST as an error and a failed SHOULD as a warning', async () => {
    const log: string[] = [];
    const result = await runConformance({ newStore: async () => fakeStore('s', log), audits: MIXED });
    expect(result.results).toEqual([
      { id: 'R1.1', requirement: 'R1', level: 'MUST', title: 'fake audit R1.1', outcome: 'pass' },
      {
        id: 'R1.2',
        requirement: 'R1',
        level: 'MUST',
        title: 'fake audit R1.2',
        outcome: 'fail',
        message: 'expected invalid_input, store did accept | the input',
      },
      { id: 'R2.1', requirement: 'R2', level: 'MUST', title: 'fake audit R2.1', outcome: 'skipped', message: 'needs a second client' },
      {
        id: 'R3.1',
        requirement: 'R3',
        level: 'MUST',
        title: 'fake audit R3.1',
        outcome: 'fail',
        message: 'the audit stopped on an unexpected error: TypeError: boom',
      },
      {
        id: 'R44.1',
        requirement: 'R44',
        level: 'SHOULD',
        title: 'fake audit R44.1',
        outcome: 'fail',
        message: 'expected no payload in the log, store did log it',
      },
    ]);
    expect(result.summary).toEqual({ total: 5, pass: 1, errors: 2, warnings: 1, skipped: 1 });
    expect(summaryLine(result)).toBe('5 audits: 1 pass, 1 warning (SHOULD), 2 errors (MUST), 1 skipped');
  });

  it('says a typed store failure the audit did not expect is one, by its code', async () => {
    const failing = fake('R1.1', 'MUST', async () => {
      throw Object.assign(new Error('x'), {
        name: 'MetadataStoreFailure',
        error: { code: 'unavailable', message: 'the database is down' },
      });
    });
    const result = await runConformance({ newStore: async () => fakeStore('s', []), audits: [failing] });
    expect(result.results[0]).toMatchObject({
      outcome: 'fail',
      message: 'a store call failed unexpectedly with unavailable: the database is down',
    });
  });

  it('runs audits in requirement order, then audit order, whatever order they are given in, and only those the filter keeps', async () => {
    const ran: string[] = [];
    const list = ['R10.1', 'R2.10', 'R2.2', 'R1.1', 'R2.1'].map((id) => fake(id, 'MUST', async () => void ran.push(id)));
    const result = await runConformance({ newStore: async () => fakeStore('s', []), audits: list, filter: (a) => a.id !== 'R1.1' });
    expect(ran).toEqual(['R2.1', 'R2.2', 'R2.10', 'R10.1']);
    expect(result.results.map((r) => r.id)).toEqual(ran);
  });

  it('closes every store an audit made, second clients first, when the audit passes, fails or throws', async () => {
    for (const ending of ['pass', 'fail', 'throw'] as const) {
      const log: string[] = [];
      let made = 0;
      const audit = fake('R1.1', 'MUST', async (env) => {
        const first = await env.newStore();
        await env.newStore();
        await env.secondClient!(first);
        if (ending === 'fail') throw new AuditFailure('expected X, store did Y');
        if (ending === 'throw') throw new Error('unexpected');
      });
      const result = await runConformance({
        newStore: async () => fakeStore(`store${++made}`, log),
        secondClient: async () => fakeStore('client', log),
        audits: [audit],
      });
      expect(result.results[0]?.outcome).toBe(ending === 'pass' ? 'pass' : 'fail');
      expect(log).toEqual(['close client', 'close store2', 'close store1']);
    }
  });

  it('fails an audit whose store will not close, and still closes the others', async () => {
    const log: string[] = [];
    let made = 0;
    const audit = fake('R1.1', 'MUST', async (env) => {
      await env.newStore();
      await env.newStore();
    });
    const result = await runConformance({ newStore: async () => fakeStore(`store${++made}`, log, made === 2), audits: [audit] });
    expect(log).toEqual(['close store2', 'close store1']);
    expect(result.results[0]).toMatchObject({ outcome: 'fail', message: 'closing a store failed: Error: store2 would not close' });
  });

  it('gives an audit no secondClient when the implementer gave none', async () => {
    let seen: unknown = 'unset';
    const audit = fake('R1.1', 'MUST', async (env) => {
      seen = env.secondClient;
    });
    await runConformance({ newStore: async () => fakeStore('s', []), audits: [audit] });
    expect(seen).toBeUndefined();
  });
});

describe('renderReport', () => {
  it('renders a title, the summary line and one table row per audit, with pipes escaped', async () => {
    const result = await runConformance({ newStore: async () => fakeStore('s', []), audits: MIXED });
    const report = renderReport(result, { storeName: 'fake' });
    const lines = report.split('\n');
    expect(lines[0]).toBe('# Conformance report: fake');
    expect(lines).toContain('**5 audits: 1 pass, 1 warning (SHOULD), 2 errors (MUST), 1 skipped**');
    expect(lines.filter((line) => line.startsWith('| R'))).toEqual([
      '| R1.1 | MUST | fake audit R1.1 | pass |  |',
      '| R1.2 | MUST | fake audit R1.2 | error | expected invalid_input, store did accept \\| the input |',
      '| R2.1 | MUST | fake audit R2.1 | skipped | needs a second client |',
      '| R3.1 | MUST | fake audit R3.1 | error | the audit stopped on an unexpected error: TypeError: boom |',
      '| R44.1 | SHOULD | fake audit R44.1 | warning | expected no payload in the log, store did log it |',
    ]);
  });

  it('leaves skipped out of the summary when nothing was skipped, and names MAY among the warnings when a MAY audit failed', async () => {
    const list = [
      fake('R1.1', 'MUST', pass),
      fake('R44.1', 'MAY', async () => {
        throw new AuditFailure('x');
      }),
    ];
    const result = await runConformance({ newStore: async () => fakeStore('s', []), audits: list });
    expect(summaryLine(result)).toBe('2 audits: 1 pass, 1 warning (SHOULD, MAY), 0 errors (MUST)');
  });

  it('is deterministic: two runs of the real audits of R1 to R16 against the memory store give the same text', async () => {
    const run = async () =>
      renderReport(await runConformance({ newStore: () => createMemoryStore(), filter: (a) => Number(a.requirement.slice(1)) <= 16 }), {
        storeName: 'memory',
      });
    const first = await run();
    expect(await run()).toBe(first);
    expect(first).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });
});

describe('registerConformanceTests', () => {
  /** Registers `list` with a recording describe/it and returns the registered tests. */
  function register(list: Audit[], warnings?: 'warn' | 'fail') {
    const tests: Array<{ name: string; body: (context: ConformanceTestContext) => Promise<void>; timeoutMs?: number }> = [];
    const suites: string[] = [];
    const onWarning = vi.fn();
    registerConformanceTests(
      {
        describe: (name, body) => {
          suites.push(name);
          body();
        },
        it: (name, body, timeoutMs) => void tests.push({ name, body, timeoutMs }),
      },
      { newStore: async () => fakeStore('s', []), audits: list, onWarning, timeoutMs: 20_000, ...(warnings ? { warnings } : {}) },
    );
    return { tests, suites, onWarning };
  }

  it('registers one test per audit in id order, named by id, level and title, inside one describe block', () => {
    const { tests, suites } = register(MIXED);
    expect(suites).toEqual(['Metasource conformance']);
    expect(tests.map((t) => t.name)).toEqual([
      'R1.1 [MUST] fake audit R1.1',
      'R1.2 [MUST] fake audit R1.2',
      'R2.1 [MUST] fake audit R2.1',
      'R3.1 [MUST] fake audit R3.1',
      'R44.1 [SHOULD] fake audit R44.1',
    ]);
    expect(tests.every((t) => t.timeoutMs === 20_000)).toBe(true);
  });

  it('fails a test for a failed MUST audit, skips a skipped one, and passes a failed SHOULD audit with a warning', async () => {
    const { tests, onWarning } = register(MIXED);
    const context = { skip: vi.fn(), annotate: vi.fn(async () => undefined) };
    const [passing, failing, skipped, throwing, should] = tests;
    await expect(passing!.body(context)).resolves.toBeUndefined();
    await expect(failing!.body(context)).rejects.toThrow('R1.2 (MUST): expected invalid_input, store did accept | the input');
    await expect(throwing!.body(context)).rejects.toThrow('R3.1 (MUST): the audit stopped on an unexpected error: TypeError: boom');
    await skipped!.body(context);
    expect(context.skip).toHaveBeenCalledWith('R2.1 (MUST): needs a second client');
    await expect(should!.body(context)).resolves.toBeUndefined();
    expect(onWarning).toHaveBeenCalledTimes(1);
    expect(onWarning.mock.calls[0]![0]).toMatchObject({ id: 'R44.1', outcome: 'fail' });
    expect(context.annotate).toHaveBeenCalledWith('R44.1 (SHOULD): expected no payload in the log, store did log it', 'warning');
  });

  it("fails a failed SHOULD audit's test with warnings: 'fail'", async () => {
    const { tests, onWarning } = register(MIXED, 'fail');
    await expect(tests[4]!.body({})).rejects.toThrow('R44.1 (SHOULD)');
    expect(onWarning).not.toHaveBeenCalled();
  });
});

describe('the audit list', () => {
  it('has unique ids of the form R<n>.<k>, each starting with its requirement, sorted by requirement then number', () => {
    expect(auditListProblems(audits)).toEqual([]);
    const keys = audits.map((a) => a.id.slice(1).split('.').map(Number) as [number, number]);
    const sorted = [...keys].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    expect(keys).toEqual(sorted);
  });

  it('reports a malformed id, an id of another requirement and a duplicate', () => {
    const list = [
      fake('R1.1', 'MUST', pass),
      fake('R1.1', 'MUST', pass),
      fake('X1', 'MUST', pass),
      { ...fake('R2.1', 'MUST', pass), requirement: 'R3' },
    ];
    expect(auditListProblems(list)).toEqual([
      'R1.1: the id is used more than once',
      'X1: the id must be R<requirement>.<number>, such as R28.1',
      'X1: the requirement must be R<number>, not X',
      'R2.1: the id must start with its requirement R3',
    ]);
  });
});

describe('coverage', () => {
  const requirements = parseRequirements(GUIDE);

  it('reads every requirement R1 to R47 of the guide, with its strongest key word', () => {
    expect(requirements.map((r) => r.id)).toEqual(Array.from({ length: 47 }, (_, i) => `R${i + 1}`));
    const levels = Object.fromEntries(requirements.map((r) => [r.id, r.level]));
    expect(levels.R1).toBe('MUST');
    expect(levels.R23).toBe('SHOULD');
    expect(levels.R44).toBe('SHOULD');
    expect(requirements.find((r) => r.id === 'R44')?.levels).toEqual(['SHOULD', 'MAY']);
    expect(requirements.every((r) => r.summary !== undefined && r.summary.length > 0)).toBe(true);
  });

  it('accounts for every requirement: each has audits or a written reason, and every audit names a requirement of the guide at one of its levels', () => {
    expect(coverageProblems(audits, requirements)).toEqual([]);
  });

  it('reports a requirement with neither audits nor a reason, an audit of a requirement the guide lacks, and a level the requirement does not use', () => {
    const guide = ['- **R1.** A runtime MUST do one thing.', '- **R2.** A runtime SHOULD do another', '  thing.', ''].join('\n');
    const parsed = parseRequirements(guide);
    expect(parsed).toEqual([
      { id: 'R1', level: 'MUST', levels: ['MUST'], text: 'A runtime MUST do one thing.' },
      { id: 'R2', level: 'SHOULD', levels: ['SHOULD'], text: 'A runtime SHOULD do another thing.' },
    ]);
    const list = [fake('R2.1', 'MUST', pass), fake('R3.1', 'MUST', pass)];
    expect(coverageProblems(list, parsed, { R4: 'gone' })).toEqual([
      'R1 has no audit and no reason in NOT_AUDITABLE why a black-box audit cannot test it',
      'R2.1 is a MUST audit, but R2 says SHOULD',
      'R3.1 names R3, which the guide does not state',
      'NOT_AUDITABLE names R4, which the guide does not state',
    ]);
  });

  it('renders one row per requirement with its audits or its reason', () => {
    const table = renderCoverage(audits, requirements);
    const rows = table.split('\n').filter((line) => /^\| R\d+ \|/.test(line));
    expect(rows).toHaveLength(47);
    expect(rows[0]).toMatch(/^\| R1 \| MUST \| validate everything against its schema; act on the parsed value \| R1\.1, R1\.2, /);
    expect(rows[1]).toContain(NOT_AUDITABLE.R2!.slice(0, 40));
    expect(renderCoverage(audits, requirements)).toBe(table);
  });
});
