import { describe, expect, it } from 'vitest';
import { RequestIdReusedError, createIdempotencyCache } from './idempotency.js';

describe('idempotency cache', () => {
  it('runs the work once per requestId: the same promise in flight, the same outcome after, errors included', async () => {
    const cache = createIdempotencyCache();
    let runs = 0;
    let release!: () => void;
    const work = () => new Promise<number>((r) => (release = () => r(++runs)));
    const [a, b] = [cache.run('id-1', '/x', work), cache.run('id-1', '/x', work)];
    release();
    expect(await Promise.all([a, b])).toEqual([1, 1]);
    expect(await cache.run('id-1', '/x', async () => ++runs)).toBe(1);
    const fail = () => Promise.reject(new Error('device said no'));
    await expect(cache.run('id-2', '/x', fail)).rejects.toThrow('device said no');
    await expect(cache.run('id-2', '/x', async () => 'now fine')).rejects.toThrow('device said no');
    expect(runs).toBe(1);
  });

  it('refuses a requestId reused for another endpoint', async () => {
    const cache = createIdempotencyCache();
    await cache.run('id-1', '/v1/keys/enc', async () => 1);
    await expect(cache.run('id-1', '/v1/devices/stage', async () => 2)).rejects.toThrow(RequestIdReusedError);
  });

  it('is bounded: finished entries are forgotten after ttlMs, and the oldest beyond maxEntries', async () => {
    let t = 0;
    const cache = createIdempotencyCache({ maxEntries: 3, ttlMs: 1000, now: () => t });
    for (const id of ['a', 'b', 'c', 'd', 'e']) await cache.run(id, '/x', async () => id);
    expect(cache.size).toBeLessThanOrEqual(3);
    // 'a' was evicted: it runs again.
    expect(await cache.run('a', '/x', async () => 'again')).toBe('again');
    t = 5000;
    await cache.run('f', '/x', async () => 'f');
    expect(cache.size).toBe(1);
  });

  it('never forgets a request still running, however full', async () => {
    const cache = createIdempotencyCache({ maxEntries: 1 });
    let release!: () => void;
    const running = cache.run('slow', '/x', () => new Promise<string>((r) => (release = () => r('first'))));
    await cache.run('other', '/x', async () => 'x');
    const repeat = cache.run('slow', '/x', async () => 'second');
    release();
    expect(await repeat).toBe('first');
    expect(await running).toBe('first');
  });
});
