import type { Audit } from './audit';
import { audits as allAudits, compareAuditIds } from './audits/index';
import { runAudit, type AuditResult, type ConformanceOptions } from './runner';

/**
 * The parts of a test context the kit uses when the test framework gives
 * them (vitest does): `skip` to mark a skipped audit, `annotate` to attach a
 * warning to a passing test.
 */
export interface ConformanceTestContext {
  skip?: (note?: string) => void;
  annotate?: (message: string, type?: string) => unknown;
}

/**
 * The test framework's `describe` and `it`, passed in so that the kit never
 * imports a test framework itself. vitest's fit; so do jest's and mocha's.
 */
export interface ConformanceTestApi {
  describe(name: string, body: () => void): void;
  it(name: string, body: (context: ConformanceTestContext) => Promise<void>, timeoutMs?: number): void;
}

/** Options of registerConformanceTests: how to make stores, which audits, and how to treat warnings. */
export interface ConformanceTestOptions extends ConformanceOptions {
  /** Name of the describe block; default `Metasource conformance`. */
  name?: string;
  /**
   * What a failed SHOULD or MAY audit does. `warn` (the default): the test
   * passes, and the failure is reported through `onWarning` and, where the
   * framework supports it, as a test annotation of type `warning`. `fail`:
   * the test fails, as a failed MUST audit always does.
   */
  warnings?: 'warn' | 'fail';
  /** Called with each warning; default writes it to the console (console.warn). */
  onWarning?: (result: AuditResult) => void;
  /** Timeout of each test in milliseconds, passed to `it`; default the framework's. */
  timeoutMs?: number;
}

/** The title of an audit's test: its id, level and title, e.g. `R28.1 [MUST] ...`. */
export function conformanceTestName(audit: Audit): string {
  return `${audit.id} [${audit.level}] ${audit.title}`;
}

/**
 * Registers one test per audit in the caller's suite, inside one describe
 * block, in id order. Each test runs its audit with fresh stores (made with
 * `newStore`, closed by the kit afterwards) and:
 * - passes when the audit passes;
 * - fails with the audit's message when a MUST audit fails;
 * - for a failed SHOULD or MAY audit, passes with a warning (or fails with
 *   `warnings: 'fail'`);
 * - is marked skipped (context.skip) when the audit could not run, for
 *   example without a `secondClient`; where the framework cannot skip at
 *   runtime, it passes.
 */
export function registerConformanceTests(api: ConformanceTestApi, options: ConformanceTestOptions): void {
  const selected = [...(options.audits ?? allAudits)].filter((audit) => options.filter?.(audit) ?? true).sort(compareAuditIds);
  const onWarning = options.onWarning ?? ((r: AuditResult) => console.warn(`conformance warning ${r.id} [${r.level}]: ${r.message ?? ''}`));
  api.describe(options.name ?? 'Metasource conformance', () => {
    for (const audit of selected) {
      api.it(
        conformanceTestName(audit),
        async (context) => {
          const result = await runAudit(audit, options);
          if (result.outcome === 'pass') return;
          const message = `${result.id} (${result.level}): ${result.message ?? 'failed'}`;
          if (result.outcome === 'skipped') {
            context?.skip?.(message);
            return;
          }
          if (result.level === 'MUST' || options.warnings === 'fail') throw new Error(message);
          onWarning(result);
          await context?.annotate?.(message, 'warning');
        },
        options.timeoutMs,
      );
    }
  });
}
