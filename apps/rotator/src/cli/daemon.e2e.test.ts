// `qkd-macsec run` with the real engine against the simulators: metrics filled from real KME
// requests and commits, and SIGTERM in the middle of a cycle's transaction: the cycle finishes,
// every link secured and never down. The engine stages start-times right after the lead time here (as
// the demo does) so that a cycle takes seconds.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRotator } from '../engine/index.js';
import { downTimeAfterFirstSecured, startDemoWorld, type DemoWorld } from './demo/run-demo.js';
import { runCli } from './program.js';
import { capturedIo } from './testing/capture.js';

let world: DemoWorld;
beforeAll(async () => {
  world = await startDemoWorld({ leadTimeSeconds: 3 });
  writeFileSync(world.configFile, readFileSync(world.configFile, 'utf8').replace('intervalSeconds: 60', 'intervalSeconds: 10'));
}, 60_000);
afterAll(async () => {
  await world?.close();
});

const fast = { createRotator: (o: Parameters<typeof createRotator>[0]) => createRotator({ ...o, startAfterConfirmTimeout: false, verifyDelayMs: 300 }) };

async function until<T>(fn: () => T | Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('qkd-macsec run against the simulators', () => {
  it('rotates on the interval with real metrics; SIGTERM mid-transaction leaves every link secured, never down', async () => {
    const init = capturedIo();
    expect(await runCli(['-c', world.configFile, '--log-level', 'warn', 'init'], { io: init, ...fast })).toBe(0);

    const io = capturedIo();
    const exit = runCli(['-c', world.configFile, '--log-format', 'json', 'run', '--listen', '127.0.0.1:0'], { io, ...fast });
    const url = (await until(() => /metrics and health on (http:\/\/[^/]+)\/metrics/.exec(io.out()), (m) => m !== null))![1]!;

    const health = await until(
      async () => (await (await fetch(`${url}/healthz`)).json()) as { status: string; cycles: number; lastCycle: { succeeded: number } | null },
      (h) => h.cycles >= 1,
    );
    expect(health).toMatchObject({ status: 'ok', lastCycle: { succeeded: 3 } });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    for (const link of ['dc1-dc2', 'dc2-dc4', 'dc1-edge']) expect(metrics).toContain(`qkd_macsec_rotations_total{link="${link}",result="success"} 1`);
    expect(metrics).toMatch(/qkd_macsec_kme_request_duration_seconds_count\{kme="KME_A",operation="enc_keys"\} [1-9]/);
    expect(metrics).toMatch(/qkd_macsec_kme_request_duration_seconds_count\{kme="KME_B",operation="dec_keys"\} [1-9]/);
    expect(metrics).toMatch(/^qkd_macsec_commit_duration_seconds_count [1-9]/m);
    expect(metrics).toMatch(/^qkd_macsec_last_commit_duration_seconds\{device="r1"\} \d/m);
    const expiry = Number(/^qkd_macsec_certificate_expiry_timestamp_seconds\{sae="SAE_D"\} (\d+)/m.exec(metrics)?.[1]);
    expect(Math.floor((expiry - Date.now() / 1000) / 86_400)).toBeGreaterThanOrEqual(360); // the demo PKI's 365 days
    expect(metrics).toMatch(/^qkd_macsec_certificate_renew_before_seconds 2592000$/m); // renewBeforeDays: 30
    expect(metrics).toMatch(/^qkd_macsec_rotation_interval_seconds \d+$/m);
    for (const link of ['dc1-dc2', 'dc2-dc4', 'dc1-edge']) expect(metrics).toContain(`qkd_macsec_link_secured{link="${link}"} 1`);
    expect(metrics).toContain('qkd_macsec_kme_up{kme="KME_A"} 1');
    expect(metrics).toContain('qkd_macsec_device_up{device="r1"} 1');
    expect(metrics).toMatch(/qkd_macsec_key_age_seconds\{link="dc1-edge"\} \d/);
    // The process's own, for memory and event-loop alerts: the RSS is this test process's, above 10 MB.
    expect(Number(/^process_resident_memory_bytes (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(10e6);
    expect(metrics).toMatch(/^nodejs_heap_size_used_bytes \d+/m);
    expect(metrics).toMatch(/^nodejs_eventloop_lag_seconds \d/m);

    // SIGTERM once the second cycle has staged keys somewhere.
    await until(() => io.err(), (e) => e.includes('cycle 2 starting'));
    const stagedBefore = world.junos.device('r1').history().length;
    await until(() => world.junos.device('r1').history().length, (n) => n > stagedBefore);
    io.signals.emit('SIGTERM');
    expect(await exit).toBe(0);
    expect(io.err()).toContain('daemon stopped after 2 cycles (SIGTERM)');
    // The cycle in flight was allowed to finish: all three links rotated.
    expect(io.err()).toContain('cycle 2 finished: 3 ok, 0 failed');

    // Whatever the engine did with the transaction in flight, no link is down or was ever down.
    const now = world.junos.now();
    for (const c of world.cables) {
      expect(world.junos.linkStatus(c.id).state).toBe('secured');
      expect(downTimeAfterFirstSecured(world.junos.linkHistory(c.id).downIntervals, world.simStart, now)).toEqual({ ms: 0, drops: 0, everSecured: true });
    }
  }, 120_000);
});
