import { MetadataCacheConfigSchema, type MetadataCacheConfigInput } from '@metasource/spec';
import { describe, expect, it } from 'vitest';
import { ReadCache } from './read-cache';

function cacheWith(config: MetadataCacheConfigInput = {}) {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const cache = new ReadCache(MetadataCacheConfigSchema.parse(config), () => new Date(now));
  return {
    cache,
    advance: (ms: number) => {
      now += ms;
    },
    at: () => new Date(now),
  };
}

describe('ReadCache (R20 to R22)', () => {
  it('serves an entry until ttlSeconds have passed, as a copy', () => {
    const { cache, advance, at } = cacheWith({ ttlSeconds: 10 });
    const value = { payload: { a: 1 } };
    cache.set('k', value, { tenants: ['acme'] }, at());
    value.payload.a = 2;
    const hit = cache.get<typeof value>('k');
    expect(hit?.value).toEqual({ payload: { a: 1 } });
    hit!.value.payload.a = 3;
    advance(9_999);
    expect(cache.get<typeof value>('k')?.value).toEqual({ payload: { a: 1 } });
    advance(1);
    expect(cache.get('k')).toBeUndefined();
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const { cache, at } = cacheWith({ maxEntries: 2 });
    cache.set('a', 1, { tenants: ['acme'] }, at());
    cache.set('b', 2, { tenants: ['acme'] }, at());
    cache.get('a');
    cache.set('c', 3, { tenants: ['acme'] }, at());
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.value).toBe(1);
    expect(cache.get('c')?.value).toBe(3);
    expect(cache.size).toBe(2);
  });

  it("drops a record's get entries and the loads of its tenant on a write", () => {
    const { cache, at } = cacheWith();
    cache.set('get-1', 1, { recordKey: 'K1', tenants: ['acme'] }, at());
    cache.set('get-2', 2, { recordKey: 'K2', tenants: ['acme'] }, at());
    cache.set('load-acme', [], { tenants: ['acme', 'globex'] }, at());
    cache.set('load-initech', [], { tenants: ['initech'] }, at());
    cache.written('K1', 'acme');
    expect(['get-1', 'get-2', 'load-acme', 'load-initech'].map((key) => cache.get(key) !== undefined)).toEqual([false, true, false, true]);
  });

  it('keeps entries on a write when invalidateOnWrite is false, but not on a change event', () => {
    const { cache, at } = cacheWith({ invalidateOnWrite: false });
    cache.set('get-1', 1, { recordKey: 'K1', tenants: ['acme'] }, at());
    cache.written('K1', 'acme');
    expect(cache.get('get-1')?.value).toBe(1);
    cache.changed('K1', 'acme');
    expect(cache.get('get-1')).toBeUndefined();
  });

  it('holds nothing when disabled', () => {
    const { cache, at } = cacheWith({ enabled: false });
    cache.set('k', 1, { tenants: ['acme'] }, at());
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
