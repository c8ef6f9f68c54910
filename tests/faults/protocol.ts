/**
 * What the fault tests and their child processes (agent.ts) say to each
 * other: one JSON command per line on the agent's stdin, JSON event lines on
 * its stdout. Every command carries an id; the agent answers it with any
 * number of events of that id and ends with `done` or `failed`.
 */
import type {
  MetadataBulkOperationInput,
  MetadataCallContextInput,
  MetadataImportOptionsInput,
  MetadataMigrateOptionsInput,
  MetadataRecordInput,
  MetadataRecordKeyInput,
  MetadataStoreError,
} from '@metasource/spec';
import type { DatasourceStoreConfig } from '@metasource/store';

/** How a call failed, as an agent reports it: whether it was a MetadataStoreFailure, and its typed error. */
export interface ReportedFailure {
  /** The error's class name (`MetadataStoreFailure` for a typed failure). */
  name: string;
  /** Whether the error is an instance of the package's MetadataStoreFailure. */
  typed: boolean;
  /** The MetadataStoreError of a typed failure. */
  error?: MetadataStoreError;
  message: string;
}

/** Where the agent stops a store's transaction: when the store asks for its n-th new record id (counted per store). */
export interface IdHooks {
  /** Report `progress` every this many ids. */
  progressEvery?: number;
  /** At this id, report `paused` and block the whole process (event loop included) until a line arrives on stdin. */
  pauseAtId?: number;
}

export type AgentCommand =
  | {
      id: number;
      op: 'open';
      store: string;
      config: DatasourceStoreConfig;
      /** The prefix of the record ids this store issues (`<prefix><n>`, n from 1); absent: the store's own ids. */
      idPrefix?: string;
    }
  | { id: number; op: 'close'; store: string }
  | {
      id: number;
      op: 'writers';
      store: string;
      context: MetadataCallContextInput;
      /** The records the workers update, each by key; every write names the version its worker read. */
      targets: (MetadataRecordKeyInput & { tenantId: string })[];
      workers: number;
      attempts: number;
      seed: number;
      /** Written into each payload, so every write is a change. */
      tag: string;
      /** Longest pause between reading a record and writing it, in milliseconds (drawn per attempt), to widen the race. */
      thinkMs: number;
    }
  | {
      id: number;
      op: 'import';
      store: string;
      context: MetadataCallContextInput;
      records: MetadataRecordInput[];
      options: MetadataImportOptionsInput;
      hooks?: IdHooks;
    }
  | { id: number; op: 'bulk'; store: string; context: MetadataCallContextInput; operation: MetadataBulkOperationInput; hooks?: IdHooks }
  | { id: number; op: 'migrate'; store: string; context: MetadataCallContextInput; options: MetadataMigrateOptionsInput };

/** The command without its id, as a test sends it. */
export type AgentRequest = AgentCommand extends infer C ? (C extends AgentCommand ? Omit<C, 'id'> : never) : never;

/** One write attempt of a `writers` command. */
export interface WriteAttempt {
  tag: string;
  worker: number;
  attempt: number;
  tenantId: string;
  name: string;
  /** The version the worker read and named as expectedVersion. */
  expectedVersion: number;
  outcome: 'success' | 'conflict' | 'error';
  /** success: the version written and its checksum. */
  version?: number;
  checksum?: string;
  /** conflict: the version the store reported. */
  actualVersion?: number;
  /** error: how the call failed. */
  failure?: ReportedFailure;
}

export type AgentEvent =
  | { id: number; event: 'attempt'; attempt: WriteAttempt }
  | { id: number; event: 'progress'; ids: number }
  | { id: number; event: 'paused'; ids: number }
  | { id: number; event: 'done'; result?: unknown; ms: number }
  | { id: number; event: 'failed'; failure: ReportedFailure; ms: number };

/** The environment variable that tells a process it runs as an agent (and names it in its reports). */
export const AGENT_ENV = 'METASOURCE_FAULTS_AGENT';
