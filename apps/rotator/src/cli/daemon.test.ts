// `qkd-macsec run` with a scripted engine (the engine has its own tests against the simulators):
// the schedule, /healthz and /metrics over real HTTP, and SIGTERM with a transaction in flight.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CycleReport, Rotator } from './engine.js';
import { runCli } from './program.js';
import { capturedIo, type CapturedIo } from './testing/capture.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rotator-daemon-'));
  for (const f of ['ca.crt', 'a.crt', 'a.key', 'b.crt', 'b.key']) writeFileSync(join(dir, f), 'not a certificate');
  writeFileSync(
    join(dir, 'qkd.yaml'),
    `kmes: { KME_A: { url: "https://127.0.0.1:1", ca: ca.crt } }
saes: { SAE_A: { kme: KME_A, cert: a.crt, key: a.key }, SAE_B: { kme: KME_A, cert: b.crt, key: b.key } }
devices:
  r1: { host: 127.0.0.1, username: u, password: { env: PW }, hostKey: { insecureAcceptAnyHostKey: true }, sae: SAE_A }
  r2: { host: 127.0.0.1, username: u, password: { env: PW }, hostKey: { insecureAcceptAnyHostKey: true }, sae: SAE_B }
links:
  - { name: L1, master: { device: r1, interfaces: [et-0/0/0] }, slaves: [ { device: r2, interfaces: [et-0/0/0] } ] }
  - { name: L2, master: { device: r1, interfaces: [et-0/0/1] }, slaves: [ { device: r2, interfaces: [et-0/0/1] } ] }
rotation: { leadTimeSeconds: 1, intervalSeconds: 7, startAfterConfirmTimeout: false }
`,
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** An engine whose cycles the test finishes by hand. */
function scriptedEngine() {
  const calls: Array<{ finish: (r: CycleReport) => void; fail: (e: Error) => void }> = [];
  let closed = 0;
  const rotator: Rotator = {
    init: () => Promise.reject(new Error('not used')),
    resume: () => Promise.resolve([]),
    rotate: () =>
      new Promise<CycleReport>((finish, fail) => {
        calls.push({ finish, fail });
      }),
    status: () => Promise.resolve([{ link: 'L1', secured: true, ends: [], lastSuccess: '2026-01-01T00:00:00.000Z' }]),
    close: () => {
      closed += 1;
      return Promise.resolve();
    },
  };
  return {
    rotator,
    calls,
    closed: () => closed,
    /** Resolves once rotate() has been called n times. */
    called: async (n: number) => {
      while (calls.length < n) await new Promise((r) => setTimeout(r, 10));
    },
  };
}

const report = (results: Array<'ok' | 'failed'>): CycleReport => ({
  startedAt: new Date(Date.now() - 100).toISOString(),
  finishedAt: new Date().toISOString(),
  links: results.map((result, i) => ({
    link: `L${i + 1}`,
    result,
    devices: ['r1', 'r2'],
    durationMs: 100,
    ...(result === 'ok' ? { keyId: `00000000-0000-4000-8000-00000000000${i}`, startTime: new Date().toISOString() } : { error: { phase: 'fetch' as const, message: 'KME_A answered 503' } }),
  })),
});

async function listening(io: CapturedIo): Promise<string> {
  for (;;) {
    const m = /metrics and health on (http:\/\/[^/]+)\/metrics/.exec(io.out());
    if (m) return m[1]!;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function healthz(url: string) {
  const res = await fetch(`${url}/healthz`);
  return { status: res.status, body: (await res.json()) as { cycles: number; lastCycle: { failed: number } | null; problems?: string[] } };
}

/** Polls /healthz until `cycles` cycles are recorded (no timing assertion: it waits for a state). */
async function cyclesRecorded(url: string, cycles: number) {
  for (;;) {
    const h = await healthz(url);
    if (h.body.cycles >= cycles) return h;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('qkd-macsec run', () => {
  it('cycles, serves /metrics and /healthz, and on SIGTERM lets the in-flight cycle end, closes the engine and exits 0', async () => {
    const engine = scriptedEngine();
    const io = capturedIo({ env: { PW: 'pw-daemon-1' } });
    const exit = runCli(['-c', join(dir, 'qkd.yaml'), '--log-format', 'json', 'run', '--listen', '127.0.0.1:0'], { io, createRotator: () => engine.rotator });
    const url = await listening(io);

    await engine.called(1);
    engine.calls[0]!.finish(report(['ok', 'failed']));
    const h1 = await cyclesRecorded(url, 1);
    expect(h1.status).toBe(200);
    expect(h1.body.lastCycle).toMatchObject({ links: 2, succeeded: 1, failed: 1, errors: [{ link: 'L2', error: 'fetch: KME_A answered 503' }] });

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('qkd_macsec_rotations_total{link="L1",result="success"} 1');
    expect(metrics).toContain('qkd_macsec_rotations_total{link="L2",result="failed"} 1');
    expect(metrics).toMatch(/qkd_macsec_last_success_timestamp_seconds\{link="L1"\} \d+/);
    expect(metrics).toMatch(/qkd_macsec_key_age_seconds\{link="L1"\} \d/);

    // The next cycle starts on the 7 s grid; SIGTERM while it is in flight: it may finish.
    await engine.called(2);
    io.signals.emit('SIGTERM');
    let exited = false;
    void exit.then(() => (exited = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(exited).toBe(false); // still waiting for the in-flight cycle
    expect(engine.closed()).toBe(0);
    engine.calls[1]!.finish(report(['ok', 'ok']));
    expect(await exit).toBe(0);
    expect(engine.calls).toHaveLength(2);
    expect(engine.closed()).toBe(1);
    const lines = io.err().trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: string });
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['SIGTERM: no new cycles; letting the cycle in flight finish (signal again to abandon it safely)', 'daemon stopped after 2 cycles (SIGTERM)']),
    );
    expect(io.err()).toContain('certificate of SAE SAE_A must be renewed now (unreadable)');
    expect(io.out() + io.err()).not.toContain('pw-daemon-1');
    // The endpoint is gone.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('/healthz is 503 when a cycle failed on every link, and 200 again after a good one; SIGINT stops it too', async () => {
    const engine = scriptedEngine();
    const io = capturedIo({ env: { PW: 'x' } });
    const exit = runCli(['-c', join(dir, 'qkd.yaml'), '--log-level', 'fatal', 'run', '--listen', '127.0.0.1:0'], { io, createRotator: () => engine.rotator });
    const url = await listening(io);
    await engine.called(1);
    engine.calls[0]!.finish(report(['failed', 'failed']));
    const bad = await cyclesRecorded(url, 1);
    expect(bad.status).toBe(503);
    expect(bad.body.problems).toEqual(['the last cycle failed on every link']);

    await engine.called(2);
    engine.calls[1]!.fail(new Error('state directory not writable'));
    const thrown = await cyclesRecorded(url, 2);
    expect(thrown.status).toBe(503);

    await engine.called(3);
    engine.calls[2]!.finish(report(['ok', 'ok']));
    expect((await cyclesRecorded(url, 3)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('qkd_macsec_rotations_total{link="L1",result="failed"} 2');
    expect(metrics).toContain('qkd_macsec_rotations_total{link="L1",result="success"} 1');

    io.signals.emit('SIGINT');
    engine.calls[3]?.finish(report(['ok', 'ok'])); // in case the next slot had already begun
    expect(await exit).toBe(0);
  });

  it('a second signal closes the engine while the cycle is still in flight', async () => {
    const engine = scriptedEngine();
    const io = capturedIo({ env: { PW: 'x' } });
    const exit = runCli(['-c', join(dir, 'qkd.yaml'), '--log-format', 'json', 'run'], { io, createRotator: () => engine.rotator });
    await engine.called(1);
    io.signals.emit('SIGTERM');
    expect(engine.closed()).toBe(0);
    io.signals.emit('SIGTERM');
    expect(engine.closed()).toBe(1);
    expect(io.err()).toContain('SIGTERM again: closing the engine now');
    // The engine's remaining work fails once it is closed; the cycle ends with an error.
    engine.calls[0]!.fail(new Error('session pool is closed'));
    expect(await exit).toBe(0);
    expect(engine.calls).toHaveLength(1);
    expect(engine.closed()).toBe(1);
    expect(io.err()).toContain('cycle 1 failed: session pool is closed');
  });

  it('a restarted daemon waits until the first link is due instead of rotating at once', async () => {
    const engine = scriptedEngine();
    const recent = new Date(Date.now() - 500).toISOString();
    engine.rotator.status = () => Promise.resolve(['L1', 'L2'].map((link) => ({ link, secured: true, ends: [], lastSuccess: recent })));
    const io = capturedIo({ env: { PW: 'x' } });
    const exit = runCli(['-c', join(dir, 'qkd.yaml'), '--log-format', 'json', 'run', '--cycles', '1'], { io, createRotator: () => engine.rotator });
    await engine.called(1);
    const first = /first cycle at (\S+), when the first link is due/.exec(io.err());
    expect(first?.[1]).toBe(new Date(Date.parse(recent) + 7000).toISOString());
    engine.calls[0]!.finish(report(['ok', 'ok']));
    expect(await exit).toBe(0);
  });

  it('--listen must be HOST:PORT', async () => {
    const io = capturedIo({ env: { PW: 'x' } });
    expect(await runCli(['-c', join(dir, 'qkd.yaml'), 'run', '--listen', '9464'], { io, createRotator: () => scriptedEngine().rotator })).toBe(2);
    expect(io.err()).toContain('--listen must be HOST:PORT, e.g. 127.0.0.1:9464; got 9464');
  });
});
