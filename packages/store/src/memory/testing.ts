/**
 * Fixtures shared by the memory store's tests (writes, reads, batches). Test
 * support only: never exported from src/index.ts, so never built or shipped.
 */
import {
  MetadataStoreErrorSchema,
  type MetadataCallContextInput,
  type MetadataRecordWriteInput,
  type MetadataStoreError,
} from '@metasource/spec';
import { expect } from 'vitest';
import { MetadataStoreFailure } from '../base/failure';
import { createMemoryStore, type MemoryStore, type MemoryStoreOptions } from './memory-store';

export const jane: MetadataCallContextInput = { actor: 'jane@acme', readTenants: ['acme'], writeTenants: ['acme'] };
export const bob: MetadataCallContextInput = { actor: 'bob@acme', readTenants: ['acme'], writeTenants: ['acme'] };
export const operator: MetadataCallContextInput = {
  actor: 'deploy-bot',
  role: 'operator',
  readTenants: ['acme'],
  writeTenants: ['acme'],
};

/** A write of acme's crm object `name`, with `overrides` on top. */
export const item = (name: string, overrides: Partial<MetadataRecordWriteInput> = {}): MetadataRecordWriteInput => ({
  tenantId: 'acme',
  type: 'object',
  namespace: 'crm',
  name,
  payload: { label: name },
  ...overrides,
});

/** The key of acme's crm object `name`. */
export const key = (name: string) => ({ tenantId: 'acme', type: 'object', namespace: 'crm', name });

export interface TestClock {
  /** The current time; each reading then moves the clock on by `step` ms. */
  now: () => Date;
  /** Moves the clock on by `ms`. */
  advance: (ms: number) => void;
}

/**
 * A fixed clock from `start`. With the default `step` of 1 it moves 1 ms per
 * reading, so every timestamp is distinct and known; with `step: 0` it stands
 * still until `advance()`.
 */
export function clock({ start = '2026-01-31T09:30:00.000Z', step = 1 }: { start?: string; step?: number } = {}): TestClock {
  let t = Date.parse(start);
  return {
    now: () => {
      const reading = new Date(t);
      t += step;
      return reading;
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

/** An open memory store on a fresh clock (`clock()` unless `time` is given), with `options` on top. */
export const open = (options: MemoryStoreOptions = {}, time: TestClock = clock()): Promise<MemoryStore> =>
  createMemoryStore({ now: time.now, ...options });

/** The typed error a call rejects with; the test fails on success or on an untyped rejection. */
export async function errorOf(call: Promise<unknown>): Promise<MetadataStoreError> {
  try {
    await call;
  } catch (thrown) {
    expect(thrown).toBeInstanceOf(MetadataStoreFailure);
    const error = (thrown as MetadataStoreFailure).error;
    expect(MetadataStoreErrorSchema.parse(error)).toEqual(error);
    return error;
  }
  throw new Error('expected the call to fail');
}
