/**
 * A child process of the fault tests: it opens stores with the built
 * package (@metasource/store) and runs what the test sends it, one JSON
 * command per line on stdin, reporting JSON lines on stdout
 * (protocol.ts). Being a process of its own, it can be killed with SIGKILL
 * in the middle of a transaction, race another agent for a migration lock,
 * or write concurrently with another agent through connections of its own.
 *
 * stdin is read synchronously, so that a store can be stopped inside a
 * transaction: the store asks for new record ids inside its write
 * transaction, and at the id a command names (IdHooks.pauseAtId) the agent
 * reports `paused` and blocks the whole process in a read of stdin, the
 * transaction open and its locks held, until the test sends a line or kills
 * the process. Writes to stdout are synchronous too, so a report is out
 * before the agent goes on.
 *
 * The test bundles this file to a temporary .mjs (agents.ts) and runs it
 * with node; '@metasource/store' stays an import of the built package.
 */
import { readSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { MetadataStoreFailure, openStore, type SqlStore } from '@metasource/store';
import { AGENT_ENV, type AgentCommand, type AgentEvent, type IdHooks, type ReportedFailure, type WriteAttempt } from './protocol';

const name = process.env[AGENT_ENV] ?? 'agent';

/** Writes one event line, synchronously. */
function report(event: AgentEvent): void {
  writeSync(1, `${JSON.stringify(event)}\n`);
}

const input = Buffer.alloc(1 << 16);
const decoder = new StringDecoder('utf8');
let pending = '';

/** The next line of stdin, blocking the process until it arrives; undefined at the end of the input. */
function readLineSync(): string | undefined {
  for (;;) {
    const newline = pending.indexOf('\n');
    if (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      return line;
    }
    let count: number;
    try {
      count = readSync(0, input, 0, input.length, null);
    } catch (error) {
      // A non-blocking pipe with nothing in it yet: wait a moment and read again.
      if ((error as { code?: unknown }).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      throw error;
    }
    if (count === 0) {
      const rest = pending;
      pending = '';
      return rest === '' ? undefined : rest;
    }
    pending += decoder.write(input.subarray(0, count));
  }
}

function describeFailure(error: unknown): ReportedFailure {
  if (error instanceof MetadataStoreFailure) return { name: error.name, typed: true, error: error.error, message: error.message };
  const named = error as { name?: unknown; message?: unknown } | null;
  return {
    name: typeof named?.name === 'string' ? named.name : typeof error,
    typed: false,
    message: typeof named?.message === 'string' ? named.message : String(error),
  };
}

interface OpenStore {
  store: SqlStore;
  /** Ids issued so far, and what the running command wants done at each. */
  ids: number;
  hooks: IdHooks;
  command: number;
}

const stores = new Map<string, OpenStore>();

function storeOf(label: string): OpenStore {
  const entry = stores.get(label);
  if (!entry) throw new Error(`agent ${name}: no open store ${label}`);
  return entry;
}

/** Runs `work` with the store's id hooks set for command `id`, and clears them after. */
async function withHooks<T>(entry: OpenStore, id: number, hooks: IdHooks | undefined, work: () => Promise<T>): Promise<T> {
  entry.hooks = hooks ?? {};
  entry.command = id;
  try {
    return await work();
  } finally {
    entry.hooks = {};
  }
}

/** A small deterministic generator (mulberry32), so a worker's choices follow from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function runWriters(command: Extract<AgentCommand, { op: 'writers' }>): Promise<{ attempts: number }> {
  const { store } = storeOf(command.store);
  let total = 0;
  const worker = async (index: number) => {
    const next = random(command.seed * 1000 + index);
    for (let attempt = 0; attempt < command.attempts; attempt++) {
      const target = command.targets[Math.floor(next() * command.targets.length)]!;
      const base = { tag: command.tag, worker: index, attempt, tenantId: target.tenantId, name: target.name };
      let expectedVersion = 0;
      let result: WriteAttempt;
      try {
        const stored = await store.get(command.context, target);
        if (!stored) throw new Error(`the record ${target.tenantId}/${target.name} is not stored`);
        expectedVersion = stored.version;
        const think = Math.floor(next() * (command.thinkMs + 1));
        if (think > 0) await new Promise((resolve) => setTimeout(resolve, think));
        const saved = await store.save(
          command.context,
          {
            tenantId: target.tenantId,
            type: target.type,
            namespace: target.namespace,
            name: target.name,
            payload: { by: command.tag, worker: index, attempt },
          },
          { onConflict: 'replace', expectedVersion },
        );
        result = { ...base, expectedVersion, outcome: 'success', version: saved.version, checksum: saved.checksum };
      } catch (error) {
        const failure = describeFailure(error);
        result =
          failure.error?.code === 'version_conflict'
            ? { ...base, expectedVersion, outcome: 'conflict', actualVersion: failure.error.actualVersion }
            : { ...base, expectedVersion, outcome: 'error', failure };
      }
      total += 1;
      report({ id: command.id, event: 'attempt', attempt: result });
    }
  };
  await Promise.all(Array.from({ length: command.workers }, (_, index) => worker(index)));
  return { attempts: total };
}

async function run(command: AgentCommand): Promise<unknown> {
  switch (command.op) {
    case 'open': {
      const entry: OpenStore = { store: undefined as unknown as SqlStore, ids: 0, hooks: {}, command: command.id };
      const prefix = command.idPrefix;
      entry.store = await openStore(
        command.config,
        prefix === undefined
          ? {}
          : {
              recordIds: () => {
                entry.ids += 1;
                const { progressEvery, pauseAtId } = entry.hooks;
                if (progressEvery !== undefined && entry.ids % progressEvery === 0)
                  report({ id: entry.command, event: 'progress', ids: entry.ids });
                if (pauseAtId === entry.ids) {
                  report({ id: entry.command, event: 'paused', ids: entry.ids });
                  readLineSync();
                }
                return `${prefix}${entry.ids}`;
              },
            },
      );
      stores.set(command.store, entry);
      return { server: entry.store.connection.server };
    }
    case 'close': {
      await storeOf(command.store).store.close();
      stores.delete(command.store);
      return undefined;
    }
    case 'writers':
      return runWriters(command);
    case 'import': {
      const entry = storeOf(command.store);
      return withHooks(entry, command.id, command.hooks, () => entry.store.import(command.context, command.records, command.options));
    }
    case 'bulk': {
      const entry = storeOf(command.store);
      return withHooks(entry, command.id, command.hooks, () => entry.store.bulk(command.context, command.operation));
    }
    case 'migrate':
      return storeOf(command.store).store.migrate(command.context, command.options);
  }
}

async function main(): Promise<void> {
  for (let line = readLineSync(); line !== undefined; line = readLineSync()) {
    if (line.trim() === '') continue;
    const command = JSON.parse(line) as AgentCommand;
    const started = Date.now();
    try {
      const result = await run(command);
      report({ id: command.id, event: 'done', result, ms: Date.now() - started });
    } catch (error) {
      report({ id: command.id, event: 'failed', failure: describeFailure(error), ms: Date.now() - started });
    }
  }
  for (const { store } of stores.values()) await store.close().catch(() => undefined);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`agent ${name} stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
