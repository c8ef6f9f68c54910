/**
 * `metasource changes`: prints one tenant's change feed after a sequence
 * number (--after, default 0), up to --limit events; with --follow it keeps
 * polling every --interval-ms until Ctrl-C, printing each event as it
 * arrives. The tenant is --tenant, or the store's only tenant.
 */
import type { MetadataChangeEvent } from '@metasource/spec';
import { datasourceRef } from '../database';
import { usageError } from '../errors';
import { EXIT } from '../exit-codes';
import { plural } from '../output';
import { keyString } from '../records/tree';
import type { ChangesResult } from '../results';
import { operatorContext, withStore } from '../store';
import type { CommandContext, CommandOutcome } from './context';

export interface ChangesOptions {
  tenant: string[];
  after: number;
  limit?: number;
  follow: boolean;
  intervalMs: number;
}

/** One event as a line: sequence, operation, key, version, actor, time. */
export function eventLine(event: MetadataChangeEvent): string {
  const key = keyString({
    tenantId: event.key.tenantId,
    type: event.key.type,
    namespace: event.key.namespace,
    scope: event.key.scope,
    ...(event.key.owner !== undefined ? { owner: event.key.owner } : {}),
    name: event.key.name,
  });
  return `${String(event.sequence).padStart(6)}  ${event.operation.padEnd(7)}  ${key}  v${event.version}  ${event.actor}  ${event.occurredAt}`;
}

/** Waits `ms`, or less when the signal is aborted. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function runChanges(ctx: CommandContext, options: ChangesOptions): CommandOutcome {
  const { io, out } = ctx;
  if (options.tenant.length > 1) throw usageError('the change feed is per tenant: give --tenant once');
  const operator = ctx.operator(options.tenant);
  const loaded = await ctx.config();
  return withStore(loaded.config, ctx.global.datasource, io.env, async ({ store, datasource, target }) => {
    let tenantId = options.tenant[0];
    if (tenantId === undefined) {
      const tenants = await store.tenants();
      if (tenants.length !== 1) {
        throw usageError(
          tenants.length === 0
            ? `${target} holds no records, so no tenant has a feed yet`
            : `the change feed is per tenant, and ${target} holds ${tenants.length}`,
          tenants.length === 0
            ? 'name the tenant with --tenant'
            : `name one with --tenant: ${tenants.slice(0, 10).join(', ')}${tenants.length > 10 ? ', ...' : ''}`,
        );
      }
      tenantId = tenants[0]!;
    }
    const context = operatorContext(operator, [tenantId]);
    const events: MetadataChangeEvent[] = [];
    let eventCount = 0;
    let lastSequence = options.after;
    let hasMore = false;
    const print = (event: MetadataChangeEvent) => {
      eventCount += 1;
      if (out.json) {
        if (options.follow) io.stdout.write(`${JSON.stringify(event)}\n`);
        else events.push(event);
      } else {
        out.line(eventLine(event));
      }
    };
    if (!options.follow) {
      const page = await store.changes(context, {
        tenantId,
        afterSequence: options.after,
        ...(options.limit !== undefined ? { limit: options.limit } : {}),
      });
      page.events.forEach(print);
      lastSequence = page.lastSequence;
      hasMore = page.hasMore;
      out.line(
        `${plural(eventCount, 'event')} of tenant ${tenantId} after sequence ${options.after}; last sequence ${lastSequence}${hasMore ? `; more follow: --after ${lastSequence}` : ''}`,
      );
    } else {
      out.note(
        `Following the change feed of tenant ${tenantId} on ${target} after sequence ${options.after}, every ${options.intervalMs} ms; Ctrl-C stops.`,
      );
      let remaining = options.limit;
      while (!ctx.interrupted && (remaining === undefined || remaining > 0)) {
        const limit = remaining === undefined ? 1000 : Math.min(1000, remaining);
        const page = await store.changes(context, { tenantId, afterSequence: lastSequence, limit });
        page.events.forEach(print);
        if (remaining !== undefined) remaining -= page.events.length;
        lastSequence = page.lastSequence;
        hasMore = page.hasMore;
        if (!page.hasMore) await pause(options.intervalMs, io.signal);
      }
      out.note(`Stopped after ${plural(eventCount, 'event')}; last sequence ${lastSequence} (continue with --after ${lastSequence}).`);
    }
    const interrupted = ctx.interrupted;
    const exitCode = interrupted ? EXIT.interrupted : EXIT.ok;
    const result: ChangesResult = {
      command: 'changes',
      exitCode,
      datasource: datasourceRef(datasource),
      tenantId,
      afterSequence: options.after,
      events,
      eventCount,
      lastSequence,
      hasMore,
      follow: options.follow,
      interrupted,
    };
    out.result(result);
    return exitCode;
  });
}
