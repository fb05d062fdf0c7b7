// junos-netconf's session pool against sim-junos over real SSH: one kept session per device, a
// dropped one reopened with backoff, the urgent lane, and a draining close().
import { createServer } from 'node:net';
import { ConnectionError, PoolClosedError, connectJunos, createSessionPool, type JunosDevice } from '@qkd-macsec/junos-netconf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimJunos, type SimJunos } from '../index.js';

const N = 50;
const names = Array.from({ length: N }, (_, i) => `r${i}`);
let sim: SimJunos;
/** A port where nothing listens: connecting there is a real ECONNREFUSED. */
let deadPort: number;

beforeAll(async () => {
  sim = await startSimJunos({ devices: Object.fromEntries(names.map((n) => [n, {}])), links: [] });
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  deadPort = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
}, 60_000);
afterAll(() => sim.close());

/** Connects to the device; while `down` has the key, to a closed port instead (counting attempts). */
function connector(down = new Map<string, number>(), attempts: string[] = []) {
  return (name: string): Promise<JunosDevice> => {
    attempts.push(name);
    const d = sim.devices[name]!;
    const left = down.get(name) ?? 0;
    if (left > 0) down.set(name, left - 1);
    const port = left > 0 ? deadPort : d.port;
    return connectJunos({ host: d.host, port, username: d.username, password: d.password, hostKeyFingerprints: [d.hostKeyFingerprint], keepaliveIntervalMs: 0 });
  };
}
const quiet = { warn: () => undefined };
const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
};
const hostname = (d: JunosDevice) => d.rpc('<get-software-information/>').then((r) => r.raw.includes('<host-name>'));

describe('session pool against sim-junos', () => {
  it('keeps one session per device: two rounds over 50 devices at concurrency 4 open 50 sessions, none in round 2', async () => {
    const before = names.map((n) => sim.device(n).stats().sessions);
    const pool = createSessionPool({ connect: connector(), maxConcurrency: 4, logger: quiet });
    let running = 0;
    let peak = 0;
    const round = () =>
      Promise.all(
        names.map((n) =>
          pool.use(n, async (d) => {
            peak = Math.max(peak, ++running);
            try {
              return await hostname(d);
            } finally {
              running--;
            }
          }),
        ),
      );
    expect(await round()).toEqual(Array(N).fill(true));
    expect(pool.stats).toEqual({ opened: N, reconnects: 0, closed: 0 });
    expect(await round()).toEqual(Array(N).fill(true));
    expect(pool.stats).toEqual({ opened: N, reconnects: 0, closed: 0 }); // round 2 set up nothing
    expect(pool.size).toBe(N);
    expect(peak).toBe(4);
    expect(names.map((n, i) => sim.device(n).stats().sessions - before[i]!)).toEqual(Array(N).fill(1));
    await pool.close();
    expect(pool.stats).toEqual({ opened: N, reconnects: 0, closed: N });
    expect(pool.size).toBe(0);
  }, 60_000);

  it('reopens a dropped session on the next use, backing off while the device refuses connections', async () => {
    const down = new Map<string, number>();
    const attempts: string[] = [];
    const warnings: string[] = [];
    const pool = createSessionPool({ connect: connector(down, attempts), retry: { limit: 3, baseDelayMs: 40, maxDelayMs: 100 }, logger: { warn: (m) => warnings.push(m) } });
    expect(await pool.use('r1', hostname)).toBe(true);
    sim.setFaults('r1', { dropAfterRpcs: 0 }); // the next RPC drops the connection
    await expect(pool.use('r1', hostname)).rejects.toThrow(/closed/i);
    sim.setFaults('r1', {});
    down.set('r1', 2); // and the next two connects are refused
    const t0 = Date.now();
    expect(await pool.use('r1', hostname)).toBe(true);
    const elapsed = Date.now() - t0;
    expect(attempts).toEqual(['r1', 'r1', 'r1', 'r1']);
    expect(warnings).toEqual([
      expect.stringMatching(/^connect to r1 failed \(attempt 1\/4\): .*ECONNREFUSED.*; retrying in \d+ ms$/),
      expect.stringMatching(/^connect to r1 failed \(attempt 2\/4\): .*ECONNREFUSED.*; retrying in \d+ ms$/),
    ]);
    expect(elapsed).toBeGreaterThanOrEqual(20 + 40 - 5); // at least half of 40 ms, then of 80 ms (jitter)
    expect(pool.stats).toEqual({ opened: 2, reconnects: 1, closed: 1 });
    await pool.close();
  });

  it('reconnects in the background when asked to, without a use()', async () => {
    const pool = createSessionPool({ connect: connector(), reconnect: 'background', retry: { baseDelayMs: 10, maxDelayMs: 50 }, logger: quiet });
    expect(await pool.use('r2', hostname)).toBe(true);
    sim.setFaults('r2', { dropAfterRpcs: 0 });
    // The drop happens inside a use() that goes on for longer than the backoff: the reconnect waits for it.
    const failed = await pool.use('r2', async (d) => {
      const err = await hostname(d).catch((e: unknown) => e);
      sim.setFaults('r2', {});
      await new Promise((r) => setTimeout(r, 150));
      return err;
    });
    expect(failed).toBeInstanceOf(Error);
    await expect.poll(() => pool.stats.reconnects, { timeout: 10_000 }).toBe(1);
    expect(pool.size).toBe(1);
    expect(await pool.use('r2', hostname)).toBe(true);
    expect(pool.stats.opened).toBe(2);
    await pool.close();
  });

  it('runs an urgent use at once on a saturated pool, yet one use per device at a time', async () => {
    const pool = createSessionPool({ connect: connector(), maxConcurrency: 2, logger: quiet });
    await Promise.all(['r3', 'r4', 'r5'].map((n) => pool.use(n, hostname))); // sessions up: no set-up in the timings below
    const g = gate();
    const order: string[] = [];
    const blocked = ['r3', 'r4'].map((n) =>
      pool.use(n, async (d) => {
        await g.opened;
        order.push(`normal ${n}`);
        return hostname(d);
      }),
    );
    const queued = pool.use('r5', async () => void order.push('normal r5')); // waits for a slot
    await new Promise((r) => setTimeout(r, 20));
    expect(pool.active).toBe(2);
    // Urgent on r5: runs now, ahead of r5's queued normal use, while both slots are taken.
    expect(await pool.use('r5', async (d) => (order.push('urgent r5'), hostname(d)), { priority: 'urgent' })).toBe(true);
    // Urgent on r3, which a normal use holds: waits for it, then runs before anything queued after.
    const urgentR3 = pool.use('r3', async () => void order.push('urgent r3'), { priority: 'urgent' });
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual(['urgent r5']);
    g.open();
    await Promise.all([...blocked, queued, urgentR3]);
    expect(order.indexOf('urgent r3')).toBeGreaterThan(order.indexOf('normal r3'));
    expect(order.slice(0, 1)).toEqual(['urgent r5']);
    expect(order).toHaveLength(5);
    expect(pool.stats.opened).toBe(3);
    await pool.close();
  });

  it('serialises urgent uses of one device', async () => {
    const pool = createSessionPool({ connect: connector(), maxConcurrency: 1, logger: quiet });
    let inside = 0;
    let overlap = false;
    await Promise.all(
      Array.from({ length: 5 }, () =>
        pool.use(
          'r6',
          async (d) => {
            if (++inside > 1) overlap = true;
            await hostname(d);
            inside--;
          },
          { priority: 'urgent' },
        ),
      ),
    );
    expect(overlap).toBe(false);
    expect(pool.stats.opened).toBe(1);
    await pool.close();
  });

  it('close() drains running and queued work, closes every session, then refuses new work', async () => {
    const pool = createSessionPool({ connect: connector(), maxConcurrency: 1, logger: quiet });
    const g = gate();
    const done: string[] = [];
    const work = ['r7', 'r8', 'r9'].map((n) =>
      pool.use(n, async (d) => {
        await g.opened;
        await hostname(d);
        done.push(n);
      }),
    );
    await new Promise((r) => setTimeout(r, 20));
    let closed = false;
    const closing = pool.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(closed).toBe(false);
    await expect(pool.use('r7', hostname)).rejects.toBeInstanceOf(PoolClosedError);
    g.open();
    await closing;
    await Promise.all(work);
    expect(done.sort()).toEqual(['r7', 'r8', 'r9']);
    expect(pool.size).toBe(0);
    expect(pool.stats).toMatchObject({ opened: 3, closed: 3 });
  });

  it('names a device that stays unreachable', async () => {
    const down = new Map([['r10', 10]]);
    const pool = createSessionPool({ connect: connector(down), retry: { limit: 1, baseDelayMs: 1 }, logger: quiet });
    await expect(pool.use('r10', hostname)).rejects.toBeInstanceOf(ConnectionError);
    expect(pool.stats.opened).toBe(0);
    await pool.close();
  });
});
