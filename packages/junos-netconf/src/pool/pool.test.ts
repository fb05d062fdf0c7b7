import { afterEach, describe, expect, it } from 'vitest';
import { connectJunos, type JunosDevice } from '../junos/device.js';
import { ConnectionError, HostKeyError } from '../errors.js';
import { DEFAULT_USER, startTestServer, type TestServer } from '../testing/netconf-server.js';
import { createSessionPool } from './pool.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const quiet = { warn: () => undefined };

async function fleet(n: number): Promise<Map<string, TestServer>> {
  const map = new Map<string, TestServer>();
  for (let i = 0; i < n; i++) {
    const s = await startTestServer({ handler: () => '<software-information><host-name>r</host-name></software-information>' });
    servers.push(s);
    map.set(`r${i}`, s);
  }
  return map;
}
const connectTo = (devices: Map<string, TestServer>, counter?: { n: number }) => async (key: string): Promise<JunosDevice> => {
  const s = devices.get(key)!;
  if (counter) counter.n++;
  return connectJunos({ host: s.host, port: s.port, ...DEFAULT_USER, hostKeyFingerprints: [s.hostKeyFingerprint] });
};

describe('session pool', () => {
  it('works on at most maxConcurrency devices at once and keeps one session per device', async () => {
    const devices = await fleet(6);
    const counter = { n: 0 };
    const pool = createSessionPool({ connect: connectTo(devices, counter), maxConcurrency: 2, logger: quiet });
    let inUse = 0;
    let peak = 0;
    let bothInside!: () => void;
    const barrier = new Promise<void>((r) => (bothInside = r));
    const results = await Promise.all(
      [...devices.keys()].map((key) =>
        pool.use(key, async (d) => {
          inUse++;
          peak = Math.max(peak, inUse);
          if (inUse === 2) bothInside();
          await barrier; // the first two wait for each other: proves two run in parallel
          const facts = await d.facts();
          inUse--;
          return facts.hostname;
        }),
      ),
    );
    expect(results).toEqual(Array(6).fill('r'));
    expect(peak).toBe(2);
    expect(pool.size).toBe(6);
    await Promise.all([...devices.keys()].map((key) => pool.use(key, (d) => d.facts())));
    expect(counter.n).toBe(6);
    expect(pool.stats).toEqual({ opened: 6, reconnects: 0, closed: 0 });
    await pool.close();
    expect(pool.size).toBe(0);
    expect(pool.stats.closed).toBe(6);
  });

  it('keeps at most maxSessions open, closing the least recently used idle one', async () => {
    const devices = await fleet(3);
    const pool = createSessionPool({ connect: connectTo(devices), maxSessions: 2, logger: quiet });
    const r0 = await pool.use('r0', async (d) => d);
    const r1 = await pool.use('r1', async (d) => d);
    await pool.use('r0', (d) => d.facts()); // r1 is now the least recently used
    await pool.use('r2', (d) => d.facts());
    expect(pool.size).toBe(2);
    expect(r1.closed).toBe(true);
    expect(r0.closed).toBe(false);
    expect(pool.stats).toEqual({ opened: 3, reconnects: 0, closed: 1 });
    await pool.use('r1', (d) => d.facts());
    expect(pool.stats).toEqual({ opened: 4, reconnects: 1, closed: 2 });
    await pool.close();
  });

  it('runs one use() at a time per device and reuses its session', async () => {
    const devices = await fleet(1);
    const counter = { n: 0 };
    const pool = createSessionPool({ connect: connectTo(devices, counter), maxConcurrency: 4, logger: quiet });
    let inside = 0;
    let overlap = false;
    await Promise.all(
      Array.from({ length: 5 }, () =>
        pool.use('r0', async (d) => {
          if (++inside > 1) overlap = true;
          await d.rpc('<get-software-information/>');
          inside--;
        }),
      ),
    );
    expect(overlap).toBe(false);
    expect(counter.n).toBe(1);
    await pool.close();
  });

  it('reconnects after the device drops the connection', async () => {
    const devices = await fleet(1);
    const counter = { n: 0 };
    const pool = createSessionPool({ connect: connectTo(devices, counter), logger: quiet });
    const first = await pool.use('r0', async (d) => d);
    const closed = new Promise<void>((r) => first.onClose(() => r()));
    devices.get('r0')!.dropAll();
    await closed;
    expect(await pool.use('r0', async (d) => (await d.facts()).hostname)).toBe('r');
    expect(counter.n).toBe(2);
    await pool.close();
  });

  it('closes a session whose keepalive fails, and one idle too long, reconnecting on next use', async () => {
    const devices = await fleet(1);
    const counter = { n: 0 };
    let probed!: () => void;
    const probe = new Promise<void>((r) => (probed = r));
    const warnings: string[] = [];
    const pool = createSessionPool({
      connect: connectTo(devices, counter),
      keepaliveIntervalMs: 10,
      idleTimeoutMs: 0,
      keepalive: async () => {
        probed();
        throw new Error('probe failed');
      },
      logger: { warn: (m) => warnings.push(m) },
    });
    const first = await pool.use('r0', async (d) => d);
    await probe;
    await new Promise<void>((r) => first.onClose(() => r()));
    expect(warnings.join()).toMatch(/keepalive to r0 failed: probe failed; closing the session/);
    expect(await pool.use('r0', async (d) => d === first)).toBe(false);
    expect(counter.n).toBe(2);
    await pool.close();

    const idlePool = createSessionPool({ connect: connectTo(devices), keepaliveIntervalMs: 10, idleTimeoutMs: 1, logger: quiet });
    const idle = await idlePool.use('r0', async (d) => d);
    await new Promise<void>((r) => idle.onClose(() => r()));
    expect(idlePool.size).toBe(0);
    await idlePool.close();
  });

  it('retries a failing connect with backoff, but not a host key error', async () => {
    let calls = 0;
    const warnings: string[] = [];
    const pool = createSessionPool<{ closed: boolean; close(): Promise<void> }>({
      connect: async (key) => {
        calls++;
        if (key === 'evil') throw new HostKeyError(`HOST KEY MISMATCH for ${key}`, { reason: 'mismatch', host: key, seen: 'SHA256:x', expected: ['SHA256:y'] });
        if (calls < 3) throw new ConnectionError(`connect ECONNREFUSED (${key})`, { host: key });
        return { closed: false, close: async () => undefined };
      },
      retry: { limit: 2, baseDelayMs: 1 },
      logger: { warn: (m) => warnings.push(m) },
    });
    expect(await pool.use('r0', async () => 'ok')).toBe('ok');
    expect(calls).toBe(3);
    expect(warnings[0]).toMatch(/connect to r0 failed \(attempt 1\/3\): connect ECONNREFUSED \(r0\); retrying in \d+ ms/);
    calls = 0;
    await expect(pool.use('evil', async () => 'never')).rejects.toBeInstanceOf(HostKeyError);
    expect(calls).toBe(1);
    await pool.close();
  });

  it('retry.limit counts the retries after the first attempt; limit 0 and retry: false try once', async () => {
    const tries = async (retry: { limit: number; baseDelayMs: number } | false): Promise<{ calls: number; context: Record<string, unknown> | undefined }> => {
      let calls = 0;
      let context: Record<string, unknown> | undefined;
      const pool = createSessionPool<{ closed: boolean; close(): Promise<void> }>({
        connect: async (key) => {
          calls++;
          throw new ConnectionError(`connect ECONNREFUSED (${key})`, { host: key });
        },
        retry,
        logger: { warn: (_m, c) => (context ??= c) },
      });
      await expect(pool.use('r0', async () => 'never')).rejects.toBeInstanceOf(ConnectionError);
      await pool.close();
      return { calls, context };
    };
    const once = await tries({ limit: 1, baseDelayMs: 1 });
    expect(once.calls).toBe(2);
    expect(once.context).toMatchObject({ key: 'r0', attempt: 1, attempts: 2, error: 'connect ECONNREFUSED (r0)' });
    expect((await tries({ limit: 0, baseDelayMs: 1 })).calls).toBe(1);
    expect(await tries(false)).toEqual({ calls: 1, context: undefined });
  });

  it('closes cleanly: waits for running work, then refuses new work', async () => {
    const devices = await fleet(1);
    const pool = createSessionPool({ connect: connectTo(devices), logger: quiet });
    let finished = false;
    const work = pool.use('r0', async (d) => {
      await d.facts();
      finished = true;
    });
    // A use still queued behind the first (one per device) when close() is called runs too.
    const queued = pool.use('r0', async () => 'queued ran');
    await new Promise((r) => setImmediate(r));
    // Two close() calls at once: both wait for the work (they share one wait).
    const closing = [pool.close(), pool.close()];
    await Promise.all(closing);
    expect(finished).toBe(true);
    await expect(queued).resolves.toBe('queued ran');
    await work;
    await expect(pool.use('r0', async () => 1)).rejects.toMatchObject({ name: 'PoolClosedError' });
    // close() has ended the client's side; the server sees the TCP close a moment later (on Node
    // 24 often after close() resolves, which failed a plain expect on the count here).
    await expect.poll(() => devices.get('r0')!.connectionCount(), { timeout: 5000 }).toBe(0);
  });

  it('spreads keepalive checks over time and runs at most maxConcurrency at once', async () => {
    const probes: number[] = [];
    let inside = 0;
    let peak = 0;
    const pool = createSessionPool<{ closed: boolean; close(): Promise<void> }>({
      connect: async () => ({ closed: false, close: async () => undefined }),
      maxConcurrency: 3,
      keepaliveIntervalMs: 400,
      keepalive: async () => {
        probes.push(Date.now());
        peak = Math.max(peak, ++inside);
        await new Promise((r) => setTimeout(r, 5));
        inside--;
      },
      logger: quiet,
    });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 40 }, (_, i) => pool.use(`d${i}`, async () => undefined)));
    await expect.poll(() => probes.length, { timeout: 5000 }).toBeGreaterThanOrEqual(40);
    const first = probes.slice(0, 40);
    expect(Math.min(...first) - t0).toBeGreaterThanOrEqual(400 - 5); // none before one interval
    expect(Math.max(...first) - Math.min(...first)).toBeGreaterThanOrEqual(60); // not all in one tick
    expect(peak).toBeLessThanOrEqual(3);
    await pool.close();
  });

  it('remembers failed connects across uses: the next use() backs off before trying again', async () => {
    const calls: number[] = [];
    const pool = createSessionPool<{ closed: boolean; close(): Promise<void> }>({
      connect: async (key) => {
        calls.push(Date.now());
        throw new ConnectionError(`connect ECONNREFUSED (${key})`, { host: key });
      },
      retry: { limit: 0, baseDelayMs: 100 },
      logger: quiet,
    });
    await expect(pool.use('r0', async () => 1)).rejects.toBeInstanceOf(ConnectionError);
    await expect(pool.use('r0', async () => 1)).rejects.toBeInstanceOf(ConnectionError);
    expect(calls).toHaveLength(2);
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(50 - 2); // at least half of baseDelayMs (jitter)
    await pool.close();
  });

  it('starts at most startsPerTurn uses in one turn of the event loop, the rest in the next turns: high and urgent ones first, each in order', async () => {
    const devices = await fleet(7);
    const pool = createSessionPool({ connect: connectTo(devices), maxConcurrency: 8, startsPerTurn: 2, logger: quiet });
    await Promise.all([...devices.keys()].map((key) => pool.use(key, (d) => d.facts()))); // sessions open
    const started: string[] = [];
    const priority = { r4: 'high', r5: 'urgent', r6: 'high' } as Record<string, 'high' | 'urgent'>;
    const uses = [...devices.keys()].map((key) =>
      pool.use(key, async (d) => {
        started.push(key);
        return (await d.facts()).hostname;
      }, priority[key] ? { priority: priority[key] } : {}),
    );
    await Promise.resolve();
    expect(started).toEqual(['r0', 'r1']);
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['r0', 'r1', 'r4', 'r5']);
    expect(await Promise.all(uses)).toEqual(Array(7).fill('r'));
    expect(started).toEqual(['r0', 'r1', 'r4', 'r5', 'r6', 'r2', 'r3']);
    await pool.close();
  });

  it('gives a free slot to a high use before the normal uses waiting for one', async () => {
    const devices = await fleet(4);
    const pool = createSessionPool({ connect: connectTo(devices), maxConcurrency: 1, logger: quiet });
    await Promise.all([...devices.keys()].map((key) => pool.use(key, (d) => d.facts()))); // sessions open
    let release!: () => void;
    const first = pool.use('r0', () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setImmediate(r));
    const started: string[] = [];
    const uses = ['r1', 'r2', 'r3'].map((key) =>
      pool.use(key, async (d) => {
        started.push(key);
        await d.facts();
      }, key === 'r3' ? { priority: 'high' } : {}),
    );
    expect(started).toEqual([]); // r0 holds the one slot
    release();
    await Promise.all([first, ...uses]);
    expect(started).toEqual(['r3', 'r1', 'r2']);
    await pool.close();
  });

  it('refuses bad options and a bad priority with a clear error', async () => {
    const connect = async () => ({ closed: false, close: async () => undefined });
    expect(() => createSessionPool({ connect, maxSessions: 0 })).toThrow(/maxSessions must be a positive integer, got 0/);
    expect(() => createSessionPool({ connect, maxConcurrency: 1.5 })).toThrow(/maxConcurrency must be a positive integer, got 1.5/);
    expect(() => createSessionPool({ connect, startsPerTurn: 0 })).toThrow(/startsPerTurn must be a positive integer, got 0/);
    expect(() => createSessionPool({ connect, idleTimeoutMs: -1 })).toThrow(/idleTimeoutMs must be a number ≥ 0, got -1/);
    expect(() => createSessionPool({ connect, retry: { limit: -1 } })).toThrow(/retry.limit must be an integer ≥ 0 \(retries after the first attempt\), got -1/);
    expect(() => createSessionPool({ connect, retry: { limit: 1.5 } })).toThrow(/retry.limit must be an integer ≥ 0/);
    expect(() => createSessionPool({ connect, reconnect: 'never' as 'on-use' })).toThrow(/reconnect must be 'on-use' or 'background', got never/);
    const pool = createSessionPool({ connect });
    await expect(pool.use('r0', async () => 1, { priority: 'low' as 'urgent' })).rejects.toThrow(/use\(r0\): priority must be 'normal', 'high' or 'urgent', got low/);
    await pool.close();
  });
});
