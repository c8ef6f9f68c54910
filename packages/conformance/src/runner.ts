import type { MetadataStore } from '@metasource/spec';
import { AuditFailure, AuditSkipped, type Audit, type AuditEnv, type AuditLevel } from './audit';
import { storeErrorOf } from './assert';
import { audits as allAudits, compareAuditIds } from './audits/index';

/** What became of one audit. */
export type AuditOutcome = 'pass' | 'fail' | 'skipped';

/** The verdict of one audit, with what a report shows about it. */
export interface AuditResult {
  id: string;
  requirement: string;
  level: AuditLevel;
  title: string;
  outcome: AuditOutcome;
  /** Why it failed or was skipped; absent when it passed. */
  message?: string;
}

/** Counts of a run. A failed MUST audit is an error; a failed SHOULD or MAY audit is a warning. */
export interface ConformanceSummary {
  total: number;
  pass: number;
  /** Failed MUST audits. */
  errors: number;
  /** Failed SHOULD and MAY audits. */
  warnings: number;
  skipped: number;
}

/** The outcome of a conformance run: one result per audit, in audit order, and the counts. */
export interface ConformanceResult {
  results: AuditResult[];
  summary: ConformanceSummary;
}

/** How to run the kit against a store implementation. */
export interface ConformanceOptions {
  /**
   * Makes a new, empty, opened store (`createMemoryStore()` is one). The kit
   * calls it once or more per audit and closes every store it got after the
   * audit, whatever the outcome; no store is shared between audits.
   */
  newStore: () => Promise<MetadataStore>;
  /**
   * Makes a second, opened client (another connection, another process's
   * view) on the same data as `store`, one that `newStore` returned; the kit
   * closes it too. Without it, audits that need two clients are skipped.
   */
  secondClient?: (store: MetadataStore) => Promise<MetadataStore>;
  /** The audits to run; default every audit of the kit. */
  audits?: readonly Audit[];
  /** Runs only the audits for which it returns true. */
  filter?: (audit: Audit) => boolean;
}

/**
 * Runs `audits` (default: all of the kit's), one after another in id order
 * (requirement number, then audit number), each with its own fresh stores.
 * Never throws for a store's behaviour: every audit gets a result.
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceResult> {
  const selected = [...(options.audits ?? allAudits)].filter((audit) => options.filter?.(audit) ?? true).sort(compareAuditIds);
  const results: AuditResult[] = [];
  // One at a time: audits are independent, and a sequential run gives the same order and the same store load every time.
  for (const audit of selected) results.push(await runAudit(audit, options));
  return { results, summary: summarize(results) };
}

/** Runs one audit with fresh stores, closes every store it made, and returns its verdict. */
export async function runAudit(audit: Audit, options: Pick<ConformanceOptions, 'newStore' | 'secondClient'>): Promise<AuditResult> {
  const made: MetadataStore[] = [];
  const tracked = async (make: () => Promise<MetadataStore>) => {
    const store = await make();
    made.push(store);
    return store;
  };
  const { secondClient } = options;
  const env: AuditEnv = {
    newStore: () => tracked(options.newStore),
    ...(secondClient ? { secondClient: (store: MetadataStore) => tracked(() => secondClient(store)) } : {}),
  };

  let outcome: AuditOutcome;
  let message: string | undefined;
  try {
    await audit.run(env);
    outcome = 'pass';
  } catch (reason) {
    if (reason instanceof AuditSkipped) {
      outcome = 'skipped';
      message = reason.message;
    } else {
      outcome = 'fail';
      message = reason instanceof AuditFailure ? reason.message : unexpected(reason);
    }
  }

  // Last made, first closed: a second client goes before the store it shares data with.
  const closeFailures: string[] = [];
  for (const store of made.reverse()) {
    try {
      await store.close();
    } catch (reason) {
      closeFailures.push(describe(reason));
    }
  }
  if (closeFailures.length > 0) {
    const closing = `closing a store failed: ${closeFailures.join('; ')}`;
    if (outcome === 'fail') message = `${message ?? ''}; ${closing}`;
    else {
      outcome = 'fail';
      message = closing;
    }
  }

  return {
    id: audit.id,
    requirement: audit.requirement,
    level: audit.level,
    title: audit.title,
    outcome,
    ...(message === undefined ? {} : { message }),
  };
}

/** The counts of a list of results. */
export function summarize(results: readonly AuditResult[]): ConformanceSummary {
  const failed = results.filter((r) => r.outcome === 'fail');
  return {
    total: results.length,
    pass: results.filter((r) => r.outcome === 'pass').length,
    errors: failed.filter((r) => r.level === 'MUST').length,
    warnings: failed.filter((r) => r.level !== 'MUST').length,
    skipped: results.filter((r) => r.outcome === 'skipped').length,
  };
}

/** The message of an error the audit did not expect: a store call that failed, or a bug. */
function unexpected(reason: unknown): string {
  const error = storeErrorOf(reason);
  if (error) return `a store call failed unexpectedly with ${error.code}: ${error.message}`;
  return `the audit stopped on an unexpected error: ${describe(reason)}`;
}

function describe(reason: unknown): string {
  if (reason instanceof Error) return `${reason.name}: ${reason.message}`;
  return String(reason);
}
