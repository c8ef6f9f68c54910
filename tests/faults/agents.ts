/**
 * The test side of the agents (agent.ts): starting one as a child process,
 * sending it commands, waiting for its events, killing it. Every agent
 * started is remembered until stopAgents() kills it, so a test file that
 * fails half-way still leaves no process behind (call stopAgents in
 * afterAll, and in afterEach where a test kills on purpose).
 *
 * agent.ts is TypeScript; it is bundled once per test file with esbuild
 * into a temporary .mjs whose one import, '@metasource/store', points at
 * the built package (dist) by absolute URL, so an agent starts with plain
 * node in a fraction of the time tsx needs to load it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { AGENT_ENV, type AgentEvent, type AgentRequest } from './protocol';

const require = createRequire(import.meta.url);

let bundled: Promise<{ directory: string; script: string }> | undefined;

/** The bundled agent script, built on first use. */
function agentScript(): Promise<{ directory: string; script: string }> {
  bundled ??= (async () => {
    const directory = mkdtempSync(join(tmpdir(), 'metasource-faults-'));
    const script = join(directory, 'agent.mjs');
    const store = pathToFileURL(require.resolve('@metasource/store')).href;
    await build({
      entryPoints: [join(import.meta.dirname, 'agent.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: script,
      logLevel: 'silent',
      plugins: [
        {
          name: 'built-store',
          setup(plugin) {
            plugin.onResolve({ filter: /^@metasource\/store$/ }, () => ({ path: store, external: true }));
          },
        },
      ],
    });
    return { directory, script };
  })();
  return bundled;
}

const running = new Set<Agent>();

/** Kills every agent still running and removes the bundled script. */
export async function stopAgents(): Promise<void> {
  await Promise.all([...running].map((agent) => agent.kill()));
  if (bundled) {
    const { directory } = await bundled.catch(() => ({ directory: undefined }));
    bundled = undefined;
    if (directory) rmSync(directory, { recursive: true, force: true });
  }
}

/** Kills the agents still running, keeping the script for the next test. */
export async function killAgents(): Promise<void> {
  await Promise.all([...running].map((agent) => agent.kill()));
}

/** A command's final event. */
export type Answer = Extract<AgentEvent, { event: 'done' | 'failed' }>;

/** How an agent process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class Agent {
  readonly name: string;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #events = new Map<number, AgentEvent[]>();
  readonly #listeners = new Set<() => void>();
  #stderr = '';
  #nextId = 1;
  #exit: Exit | undefined;
  readonly exited: Promise<Exit>;

  private constructor(name: string, child: ChildProcessWithoutNullStreams) {
    this.name = name;
    this.#child = child;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      this.#stderr = (this.#stderr + text).slice(-20_000);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.trim() === '') return;
      let event: AgentEvent;
      try {
        event = JSON.parse(line) as AgentEvent;
      } catch {
        this.#stderr += `\n(unparsable stdout line: ${line.slice(0, 200)})`;
        return;
      }
      const list = this.#events.get(event.id) ?? [];
      list.push(event);
      this.#events.set(event.id, list);
      this.#notify();
    });
    // A write to an agent that has just been killed fails with EPIPE; the exit says what happened.
    child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.#exit = { code, signal };
        running.delete(this);
        this.#notify();
        resolve(this.#exit);
      });
    });
  }

  /** Starts an agent; `name` shows in its reports and in failures. */
  static async start(name: string): Promise<Agent> {
    const { script } = await agentScript();
    const child = spawn(process.execPath, [script], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, [AGENT_ENV]: name },
    });
    const agent = new Agent(name, child);
    running.add(agent);
    return agent;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The events of command `id` so far. */
  events(id: number): AgentEvent[] {
    return this.#events.get(id) ?? [];
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  /** Sends a command; returns its id. */
  send(request: AgentRequest): number {
    if (this.#exit) throw new Error(`agent ${this.name} has exited (${describeExit(this.#exit)})`);
    const id = this.#nextId++;
    this.#child.stdin.write(`${JSON.stringify({ ...request, id })}\n`);
    return id;
  }

  /** Sends a line that resumes a paused agent. */
  resume(): void {
    this.#child.stdin.write('{}\n');
  }

  /**
   * Waits for an event of command `id` that `matches`; fails when the agent
   * exits first, or after `timeoutMs` (a bound for a stuck process, not a
   * timing assertion).
   */
  waitFor<E extends AgentEvent>(id: number, matches: (event: AgentEvent) => event is E, timeoutMs = 60_000): Promise<E> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events(id).find(matches);
        if (found) return finish(() => resolve(found));
        if (this.#exit)
          return finish(() =>
            reject(new Error(`agent ${this.name} exited (${describeExit(this.#exit!)}) before the event: ${this.#stderr}`)),
          );
      };
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(new Error(`agent ${this.name}: no such event of command ${id} within ${timeoutMs} ms; stderr: ${this.#stderr}`)),
          ),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.#listeners.delete(check);
        settle();
      };
      this.#listeners.add(check);
      check();
    });
  }

  /** The final event (done or failed) of command `id`. */
  answer(id: number, timeoutMs?: number): Promise<Answer> {
    return this.waitFor(id, (event): event is Answer => event.event === 'done' || event.event === 'failed', timeoutMs);
  }

  /** Sends a command and waits for its final event. */
  async request(request: AgentRequest, timeoutMs?: number): Promise<Answer> {
    return this.answer(this.send(request), timeoutMs);
  }

  /** Sends a command that must succeed; returns its result. */
  async call<T = unknown>(request: AgentRequest, timeoutMs?: number): Promise<T> {
    const answer = await this.request(request, timeoutMs);
    if (answer.event === 'failed') throw new Error(`agent ${this.name}: ${request.op} failed: ${JSON.stringify(answer.failure)}`);
    return answer.result as T;
  }

  /** Kills the process with SIGKILL (if it still runs) and waits until it has exited. */
  async kill(): Promise<Exit> {
    if (!this.#exit) this.#child.kill('SIGKILL');
    return this.exited;
  }

  /** Closes stdin, so the agent closes its stores and exits; waits for the exit. */
  async finish(): Promise<Exit> {
    this.#child.stdin.end();
    return this.exited;
  }

  /** What the agent wrote on stderr (the last 20,000 characters), for failure messages. */
  get stderr(): string {
    return this.#stderr;
  }
}

function describeExit(exit: Exit): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${exit.code}`;
}
