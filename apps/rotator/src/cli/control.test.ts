// The daemon's side of issue 10 with a scripted engine, over real HTTP(S): unfinished
// transactions resolved at start and retried every resumeRetrySeconds (never waiting for the next
// due slot), their metrics, /healthz and `status`; the control endpoint's checks; mutual TLS.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, issueCertificate } from '@qkd-macsec/cert-lcm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STATE_FILE } from '../state/index.js';
import { readControlRecord } from './control/record.js';
import type { CycleReport, Rotator } from './engine.js';
import type { ContractJournal } from './pending.js';
import { runCli } from './program.js';
import { capturedIo, type CapturedIo } from './testing/capture.js';

let dir: string;
const KEY = '7d4c1a2b-3e5f-4a6b-8c9d-0e1f2a3b4c5d';
const config = (extra = '') => `kmes: { KME_A: { url: "https://127.0.0.1:1", ca: ca.crt } }
saes: { SAE_A: { kme: KME_A, cert: a.crt, key: a.key }, SAE_B: { kme: KME_A, cert: b.crt, key: b.key } }
devices:
  r1: { host: 127.0.0.1, username: u, password: { env: PW }, hostKey: { insecureAcceptAnyHostKey: true }, sae: SAE_A }
  r2: { host: 127.0.0.1, username: u, password: { env: PW }, hostKey: { insecureAcceptAnyHostKey: true }, sae: SAE_B }
links:
  - { name: L1, master: { device: r1, interfaces: [et-0/0/0] }, slaves: [ { device: r2, interfaces: [et-0/0/0] } ] }
rotation: { leadTimeSeconds: 1, intervalSeconds: 3600, startAfterConfirmTimeout: false, resumeRetrySeconds: 1 }
${extra}`;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rotator-control-'));
  for (const f of ['ca.crt', 'a.crt', 'a.key', 'b.crt', 'b.key']) writeFileSync(join(dir, f), 'not a certificate');
  writeFileSync(join(dir, 'qkd.yaml'), config());
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const REPORT: CycleReport = {
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:04.000Z',
  links: [{ link: 'L1', result: 'ok', keyId: KEY, devices: ['r1', 'r2'], durationMs: 4000 }],
};

const WAIT = { until: '2026-01-01T00:07:02.000Z', startsAt: '2026-01-01T00:07:00.000Z', reason: 'every end confirmed; the new keys activate together at 2026-01-01T00:07:00.000Z' };

function journal(deadline: Date): ContractJournal {
  return {
    cycleId: 'c0ffee00-0000-4000-8000-000000000001',
    startedAt: new Date(deadline.getTime() - 60_000).toISOString(),
    startsAt: new Date(deadline.getTime() + 60_000).toISOString(),
    confirmDeadline: deadline.toISOString(),
    decision: { outcome: 'commit', at: new Date(deadline.getTime() - 50_000).toISOString(), links: ['L1'] },
    links: { L1: { keyId: KEY, ckn: 'ab'.repeat(32), keyChain: 'qkd-L1', connectivityAssociation: 'qkd-L1', mode: 'key-chain', ends: [{ device: 'r1', slot: 2, phase: 'confirmed' }, { device: 'r2', slot: 2, phase: 'staged' }] } },
  };
}

function writeState(journals: ContractJournal[]) {
  mkdirSync(join(dir, 'state'), { recursive: true, mode: 0o700 });
  const s = { version: 1, keyIds: { [KEY]: { link: 'L1', at: '2026-01-01T00:00:00.000Z' } }, links: {}, ...(journals.length ? { journals: Object.fromEntries(journals.map((j) => [j.cycleId, j])) } : {}) };
  writeFileSync(join(dir, 'state', STATE_FILE), JSON.stringify(s));
}

/** A scripted engine: resume() clears the journals on the `clearOn`-th call; rotate() returns REPORT. */
function engine(options: { clearOn?: number } = {}) {
  const calls: string[] = [];
  const rotator: Rotator = {
    init: () => Promise.reject(new Error('not used')),
    resume: () => {
      calls.push('resume');
      if (calls.filter((c) => c === 'resume').length === options.clearOn) writeState([]);
      return Promise.resolve([]);
    },
    rotate: (o) => {
      calls.push(`rotate ${o?.links?.join(',') ?? '*'}${o?.noWait ? ' noWait' : ''}`);
      // As the engine: the start-time wait is announced unless the cycle returns before it.
      if (!o?.noWait) o?.onWait?.({ until: WAIT.until, startsAt: WAIT.startsAt, links: 1, reason: WAIT.reason });
      o?.onProgress?.({ link: 'L1', phase: 'done', keyId: KEY });
      return Promise.resolve(REPORT);
    },
    status: () => Promise.resolve([{ link: 'L1', keyId: KEY, secured: true, ends: [], lastSuccess: new Date().toISOString() }]),
    close: () => Promise.resolve(),
  };
  return { rotator, calls };
}

async function until<T>(fn: () => T | Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function daemon(e: ReturnType<typeof engine>, io: CapturedIo = capturedIo({ env: { PW: 'x' } })) {
  const exit = runCli(['-c', join(dir, 'qkd.yaml'), '--log-format', 'json', 'run', '--listen', '127.0.0.1:0'], { io, createRotator: () => e.rotator });
  const url = (await until(() => /metrics and health on (http:\/\/[^/]+)\/metrics/.exec(io.out()), (m) => m !== null))![1]!;
  await until(() => io.out(), (o) => o.includes('control endpoint on'));
  return { io, exit, url, stop: async () => (io.signals.emit('SIGTERM'), exit) };
}

describe('unfinished transactions in the daemon', () => {
  it('resolves at start and retries every resumeRetrySeconds, never waiting for the due slot; metrics, /healthz and status show it until resolved', async () => {
    writeState([journal(new Date(Date.now() - 5_000))]); // its confirm deadline passed 5 s ago
    const e = engine({ clearOn: 3 });
    const d = await daemon(e);
    // First thing at start, then every second (no rotation: every link was rotated just now).
    await until(() => e.calls.length, (n) => n >= 1);
    expect(e.calls[0]).toBe('resume');

    // Counted once the first attempt has read what is left.
    const metrics = await until(async () => (await fetch(`${d.url}/metrics`)).text(), (t) => t.includes('qkd_macsec_unresolved_transactions 1'));
    expect(metrics).toMatch(/qkd_macsec_confirm_deadline_remaining_seconds -\d/);
    const health = await fetch(`${d.url}/healthz`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { problems: string[] }).problems[0]).toMatch(/^transaction c0ffee00-0000-4000-8000-000000000001 \(links L1\) is unresolved \d+ s past its confirm deadline /);

    // status goes through the daemon and shows the transaction and what comes next.
    const st = capturedIo({ env: { PW: 'x' } });
    expect(await runCli(['-c', join(dir, 'qkd.yaml'), '--log-level', 'error', 'status'], { io: st, createRotator: () => e.rotator })).toBe(1);
    expect(st.out()).toMatch(/c0ffee00 +unresolved +primary +L1 +7d4c1a2b-3e5f-4a6b-8c9d-0e1f2a3b4c5d +commit at \S+ +r1 confirmed, r2 staged +\S+ \(\S+ \S+ ago\) +\S+ \(in \S+ \S+\) +decision commit, but the confirm deadline \S+ passed before r2 got its confirm: roll back: remove the key from r1 before the start-time/);
    expect(st.out()).toContain('1 unfinished transaction (1 unresolved); the daemon (pid');
    expect(st.out()).toContain('retries every 1 s until they are resolved');

    await until(() => e.calls.filter((c) => c === 'resume').length, (n) => n >= 3);
    const cleared = await until(
      async () => (await (await fetch(`${d.url}/metrics`)).text()).includes('qkd_macsec_unresolved_transactions 0'),
      (ok) => ok,
    );
    expect(cleared).toBe(true);
    expect((await fetch(`${d.url}/healthz`)).status).toBe(200);
    expect(e.calls.every((c) => c === 'resume')).toBe(true); // never waited for (or spent) a rotation
    const calls = e.calls.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(e.calls.length).toBe(calls); // resolved: no more retries
    expect(await d.stop()).toBe(0);
    const lines = d.io.err();
    expect(lines).toContain('1 unfinished transaction left in the state: trying again in 1 s');
  });

  it('status without a daemon reads the state without the lock and says who resolves what is left (exit 1 when overdue)', async () => {
    writeState([journal(new Date(Date.now() - 1_000))]);
    const e = engine();
    const io = capturedIo({ env: { PW: 'x' } });
    expect(await runCli(['-c', join(dir, 'qkd.yaml'), 'status', '--json'], { io, createRotator: () => e.rotator })).toBe(1);
    const view = JSON.parse(io.out()) as { pending: Array<{ state: string; overdue: boolean; links: Array<{ next: string; devices: string[] }> }> };
    expect(view.pending).toHaveLength(1);
    expect(view.pending[0]).toMatchObject({ state: 'unresolved', overdue: true, links: [{ next: 'remove', devices: ['r1'] }] });
    const text = capturedIo({ env: { PW: 'x' } });
    await runCli(['-c', join(dir, 'qkd.yaml'), 'status'], { io: text, createRotator: () => e.rotator });
    expect(text.out()).toContain('no rotator runs: the next `rotate`, `init` or `run` resolves them first');
    expect(e.calls).toEqual([]); // status resolves nothing
  });
});

describe('links on fallback', () => {
  it('status shows FALLBACK for a link the engine finds on its fallback key, and exits 1', async () => {
    const e = engine();
    e.rotator.status = () => Promise.resolve([{ link: 'L1', keyId: KEY, secured: false, onFallback: true, ends: [] } as Awaited<ReturnType<Rotator['status']>>[number]]);
    const io = capturedIo({ env: { PW: 'x' } });
    expect(await runCli(['-c', join(dir, 'qkd.yaml'), 'status'], { io, createRotator: () => e.rotator })).toBe(1);
    expect(io.out()).toMatch(/^L1 +FALLBACK +7d4c1a2b/m);
  });

  it('the daemon counts the links a rotation found on fallback, alarms once, and /healthz says so until repaired', async () => {
    const e = engine();
    let onFallback = true;
    const fresh = () => ({ startedAt: new Date().toISOString(), finishedAt: new Date().toISOString() });
    e.rotator.rotate = () => Promise.resolve({ ...REPORT, ...fresh(), links: [{ ...REPORT.links[0]!, ...(onFallback ? { onFallback: true as const } : {}) }] });
    const d = await daemon(e);
    const record = (await readControlRecord(join(dir, 'state')))!;
    const rotate = async () => (await fetch(`${record.url}/v1/rotate`, { method: 'POST', headers: { authorization: `Bearer ${record.token}` }, body: '{}' })).text();
    await rotate();
    expect(await (await fetch(`${d.url}/metrics`)).text()).toContain('qkd_macsec_links_on_fallback 1');
    const h = await fetch(`${d.url}/healthz`);
    expect(h.status).toBe(503);
    expect(((await h.json()) as { problems: string[] }).problems).toContain('link L1 on the fallback key (primary keys do not match; the next rotation repairs it)');
    onFallback = false;
    await rotate();
    expect(await (await fetch(`${d.url}/metrics`)).text()).toContain('qkd_macsec_links_on_fallback 0');
    const healed = await fetch(`${d.url}/healthz`);
    expect([healed.status, await healed.json()]).toMatchObject([200, { status: 'ok' }]);
    expect(await d.stop()).toBe(0);
    expect(d.io.err().match(/link L1 runs on its fallback key/g)).toHaveLength(1);
  });
});

describe('control endpoint', () => {
  it('asks for the token, checks the request, names unknown links', async () => {
    const e = engine();
    const d = await daemon(e);
    const record = (await readControlRecord(join(dir, 'state')))!;
    expect(record.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const post = (body: unknown, token: string | null | undefined = record.token) =>
      fetch(`${record.url}/v1/rotate`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {}, body: JSON.stringify(body) });
    expect((await post({}, null)).status).toBe(401);
    expect((await post({}, 'wrong')).status).toBe(401);
    const bad = await post({ links: 'L1' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'links must be a list of link names' });
    const unknown = await post({ links: ['L9'] });
    expect(await unknown.json()).toEqual({ error: 'unknown link L9 (the config has: L1)' });
    expect((await post({ force: true })).status).toBe(400);
    expect((await fetch(`${record.url}/v1/rotate`, { headers: { authorization: `Bearer ${record.token}` } })).status).toBe(405);
    const ok = await post({ links: ['L1'] });
    expect(ok.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await ok.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([{ wait: { ...WAIT, links: 1 } }, { progress: { link: 'L1', phase: 'done', keyId: KEY } }, { report: REPORT }]);
    expect(e.calls).toContain('rotate L1');
    expect(await d.stop()).toBe(0);
    expect(await readControlRecord(join(dir, 'state'))).toBeUndefined();
  });

  it('on SIGTERM a rotation asked through the endpoint finishes; new ones get 503', async () => {
    const e = engine();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    e.rotator.rotate = async () => {
      await held;
      return REPORT;
    };
    const d = await daemon(e);
    const record = (await readControlRecord(join(dir, 'state')))!;
    const post = () => fetch(`${record.url}/v1/rotate`, { method: 'POST', headers: { authorization: `Bearer ${record.token}` }, body: '{}' });
    const first = post();
    await until(() => d.io.err(), (t) => t.includes('control: rotation requested'));
    d.io.signals.emit('SIGTERM');
    const second = await post();
    expect(second.status).toBe(503);
    expect(((await second.json()) as { error: string }).error).toMatch(/^the daemon is stopping/);
    let exited = false;
    void d.exit.then(() => (exited = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(exited).toBe(false); // waits for the rotation in flight
    release();
    const lines = (await (await first).text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.at(-1)).toEqual({ report: REPORT });
    expect(await d.exit).toBe(0);
  });

  it('rotate through the daemon prints what a local run prints, with the same exit code', async () => {
    const local = capturedIo({ env: { PW: 'x' } });
    expect(await runCli(['-c', join(dir, 'qkd.yaml'), '--log-level', 'error', 'rotate', '--link', 'L1'], { io: local, createRotator: () => engine().rotator })).toBe(0);
    const e = engine();
    const d = await daemon(e);
    const remote = capturedIo({ env: { PW: 'x' } });
    expect(await runCli(['-c', join(dir, 'qkd.yaml'), '--log-level', 'error', 'rotate', '--link', 'L1'], { io: remote, createRotator: () => engine().rotator })).toBe(0);
    expect(remote.out()).toBe(local.out());
    expect(remote.err()).toBe(local.err()); // the same progress lines
    const json = capturedIo({ env: { PW: 'x' } });
    await runCli(['-c', join(dir, 'qkd.yaml'), '--log-level', 'error', 'rotate', '--json'], { io: json, createRotator: () => engine().rotator });
    expect(JSON.parse(json.out())).toEqual(REPORT);
    expect(e.calls.filter((c) => c.startsWith('rotate'))).toEqual(['rotate L1', 'rotate *']);
    expect(await d.stop()).toBe(0);
  });

  it('rotate through a daemon that dies mid-rotation says so and what resolves it, exit 1', async () => {
    // A daemon that streams a progress line and then dies: its connection is reset mid-response.
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(`${JSON.stringify({ progress: { link: 'L1', phase: 'fetch' } })}\n`, () => setTimeout(() => res.socket?.resetAndDestroy(), 20));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const io = capturedIo({ env: { PW: 'x', QKD_MACSEC_DAEMON: url } });
      expect(await runCli(['-c', join(dir, 'qkd.yaml'), '--log-level', 'error', 'rotate', '--link', 'L1'], { io, createRotator: () => engine().rotator })).toBe(1);
      expect(io.err()).toContain(`the daemon at ${url} stopped answering during the rotation (ECONNRESET)`);
      expect(io.err()).toContain('qkd-macsec status');
      expect(io.err()).not.toMatch(/^aborted$/m);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('rotate --no-wait goes through the daemon as --no-wait; without it the daemon says what it waits for and until when, as a local run does', async () => {
    const run = async (args: string[], via: 'local' | 'daemon', e = engine()) => {
      const io = capturedIo({ env: { PW: 'x' } });
      expect(await runCli(['-c', join(dir, 'qkd.yaml'), '--log-level', 'error', 'rotate', ...args], { io, createRotator: () => e.rotator })).toBe(0);
      return { err: io.err(), calls: e.calls.filter((c) => c.startsWith('rotate')), via };
    };
    const localWait = await run(['--link', 'L1'], 'local');
    const localNoWait = await run(['--link', 'L1', '--no-wait'], 'local');
    const e = engine();
    const d = await daemon(e);
    const remoteWait = await run(['--link', 'L1'], 'daemon');
    const remoteNoWait = await run(['--link', 'L1', '--no-wait'], 'daemon');
    expect(e.calls.filter((c) => c.startsWith('rotate'))).toEqual(['rotate L1', 'rotate L1 noWait']);
    expect(localNoWait.calls).toEqual(['rotate L1 noWait']);
    const waitLine = `waiting until ${WAIT.until} for 1 link: ${WAIT.reason}`;
    expect(localWait.err).toContain(waitLine);
    expect(remoteWait.err).toBe(localWait.err);
    expect(remoteNoWait.err).not.toContain('waiting until');
    expect(remoteNoWait.err).toBe(localNoWait.err);
    // The endpoint checks the field like the others.
    const record = (await readControlRecord(join(dir, 'state')))!;
    const bad = await fetch(`${record.url}/v1/rotate`, { method: 'POST', headers: { authorization: `Bearer ${record.token}` }, body: JSON.stringify({ noWait: 'yes' }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'noWait must be true or false' });
    expect(await d.stop()).toBe(0);
  });

  it('with control.tls: HTTPS with client certificates; a client without one is refused', async () => {
    const ca = await createCa({ commonName: 'qkd-macsec control CA' });
    const server = await issueCertificate({ issuer: ca, profile: 'server', commonName: 'qkd-macsec daemon', ipAddresses: ['127.0.0.1'] });
    const client = await issueCertificate({ issuer: ca, profile: 'client', commonName: 'qkd-macsec cli' });
    const files = { 'ctl-ca.crt': ca.certPem, 'ctl.crt': server.certPem, 'ctl.key': server.keyPem, 'cli.crt': client.certPem, 'cli.key': client.keyPem };
    for (const [f, pem] of Object.entries(files)) writeFileSync(join(dir, f), pem, { mode: 0o600 });
    writeFileSync(join(dir, 'qkd.yaml'), config('control: { listen: "127.0.0.1:0", tls: { ca: ctl-ca.crt, cert: ctl.crt, key: ctl.key, client: { cert: cli.crt, key: cli.key } } }'));
    const e = engine();
    const d = await daemon(e);
    const record = (await readControlRecord(join(dir, 'state')))!;
    expect(record.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(record.token).toBeUndefined();
    const io = capturedIo({ env: { PW: 'x' } });
    expect(await runCli(['-c', join(dir, 'qkd.yaml'), '--log-level', 'error', 'rotate', '--link', 'L1'], { io, createRotator: () => engine().rotator })).toBe(0);
    expect(e.calls).toContain('rotate L1');
    // Trusting the server, but no client certificate: the handshake is refused.
    const refused = await new Promise<string>((resolve) => {
      const req = httpsRequest(`${record.url}/v1/status`, { ca: ca.certPem }, (res) => resolve(`answered ${res.statusCode}`));
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      req.end();
    });
    expect(refused).not.toMatch(/^answered/);
    expect(await d.stop()).toBe(0);
  });
});
