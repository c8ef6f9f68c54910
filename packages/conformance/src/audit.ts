import type { MetadataStore } from '@metasource/spec';

/** How binding a requirement is, as the guide says: MUST, SHOULD or MAY. */
export type AuditLevel = 'MUST' | 'SHOULD' | 'MAY';

/**
 * What an audit gets: fresh stores, and nothing else about how they work.
 * Every store it asks for is empty and opened, and the kit closes it after
 * the audit, whatever the outcome.
 */
export interface AuditEnv {
  /** A fresh, empty, opened store. */
  newStore(): Promise<MetadataStore>;
  /**
   * A second client on the same data as `store` (another connection, another
   * process's view), for audits of concurrency, caching across clients and
   * the change feed. Absent when the implementer gave no such factory; an
   * audit that needs it then reports itself as not run.
   */
  secondClient?: (store: MetadataStore) => Promise<MetadataStore>;
}

/** One check of one requirement of the guide. */
export interface Audit {
  /** Stable id: the requirement and a number, e.g. `R28.1`. */
  id: string;
  /** The requirement, e.g. `R28`. */
  requirement: string;
  /** MUST, SHOULD or MAY, as the requirement says. */
  level: AuditLevel;
  /** One sentence a reader can check against the guide. */
  title: string;
  /** Throws an AuditFailure (or any Error) with a message that says what was expected and what the store did. */
  run(env: AuditEnv): Promise<void>;
}

/** An audit's verdict: what the store did was not what the requirement asks. */
export class AuditFailure extends Error {
  override readonly name = 'AuditFailure';
}

/** An audit that could not run against this store (for example it needs a second client); not a failure. */
export class AuditSkipped extends Error {
  override readonly name = 'AuditSkipped';
}
