// `rotate`, `init` and `status` output and exit codes, with a scripted engine (the real engine
// behind these commands runs in demo.e2e.test.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CycleReport, ProgressEvent, Rotator } from './engine.js';
import { runCli } from './program.js';
import { capturedIo } from './testing/capture.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rotator-rotate-'));
  for (const f of ['ca.crt', 'a.crt', 'a.key', 'b.crt', 'b.key']) writeFileSync(join(dir, f), 'pem');
  file = join(dir, 'qkd.yaml');
  writeFileSync(
    file,
    `kmes: { KME_A: { url: "https://127.0.0.1:1", ca: ca.crt } }
saes: { SAE_A: { kme: KME_A, cert: a.crt, key: a.key }, SAE_B: { kme: KME_A, cert: b.crt, key: b.key } }
devices:
  r1: { host: 127.0.0.1, username: u, password: { env: PW }, hostKey: { fingerprint: "SHA256:${'x'.repeat(43)}" }, sae: SAE_A }
  r2: { host: 127.0.0.1, username: u, password: { env: PW }, hostKey: { fingerprint: "SHA256:${'y'.repeat(43)}" }, sae: SAE_B }
links:
  - { name: L1, master: { device: r1, interfaces: [et-0/0/0] }, slaves: [ { device: r2, interfaces: [et-0/0/0] } ] }
  - { name: L2, master: { device: r1, interfaces: [et-0/0/1] }, slaves: [ { device: r2, interfaces: [et-0/0/1] } ] }
`,
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const KEY1 = '6a1c2f8e-0d3b-4c2a-9f1e-2b3c4d5e6f70';
const EVENTS: ProgressEvent[] = [
  { link: 'L1', phase: 'fetch' },
  { link: 'L2', phase: 'fetch' },
  { link: 'L1', phase: 'stage', device: 'r1', keyId: KEY1 },
  { link: 'L2', phase: 'failed', message: 'KME_A answered 503' },
  { link: 'L1', phase: 'done', keyId: KEY1 },
];
const REPORT: CycleReport = {
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:03.250Z',
  links: [
    { link: 'L1', result: 'ok', keyId: KEY1, devices: ['r1', 'r2'], durationMs: 3200 },
    { link: 'L2', result: 'failed', devices: ['r1', 'r2'], durationMs: 40, error: { phase: 'fetch', message: 'KME_A answered 503 (pool empty)' } },
  ],
};

function engine(report: CycleReport, seen: { options?: unknown; closed?: boolean } = {}): Rotator {
  return {
    init: () =>
      Promise.resolve({
        dryRun: true,
        devices: [
          { device: 'r1', changes: ['key-chain qkd-L1: add'], applied: false },
          { device: 'r2', changes: [], applied: false },
        ],
        firstKeys: [],
        changed: true,
        errors: [],
      }),
    rotate: (options) => {
      seen.options = { links: options?.links, dryRun: options?.dryRun };
      for (const e of EVENTS) options?.onProgress?.(e);
      return Promise.resolve(report);
    },
    status: () =>
      Promise.resolve([
        { link: 'L1', keyId: KEY1, ageSeconds: 125, nextRotation: '2026-01-01T01:00:00.000Z', secured: true, ends: [{ device: 'r1', interfaces: [{ interface: 'et-0/0/0', secured: true, state: 'live' }] }] },
        { link: 'L2', secured: false, ends: [{ device: 'r2', interfaces: [], error: 'connection refused' }] },
      ]),
    resume: () => Promise.resolve([]),
    close: () => {
      seen.closed = true;
      return Promise.resolve();
    },
  };
}

describe('rotate', () => {
  it('off a terminal: one plain progress line per event, the summary table, exit 1 when a link failed', async () => {
    const io = capturedIo({ env: { PW: 'p' } });
    const seen: { options?: unknown; closed?: boolean } = {};
    expect(await runCli(['-c', file, '--log-level', 'error', 'rotate', '--link', 'L1', '--link', 'L2'], { io, createRotator: () => engine(REPORT, seen) })).toBe(1);
    expect(seen).toEqual({ options: { links: ['L1', 'L2'], dryRun: false }, closed: true });
    expect(io.err()).toBe(['L1: fetch', 'L2: fetch', `L1: stage on r1 key ${KEY1}`, 'L2: failed KME_A answered 503', `L1: done key ${KEY1}`, ''].join('\n'));
    expect(io.out()).toBe(
      [
        'link  result  key_ID                                devices  duration  error',
        '----  ------  ------------------------------------  -------  --------  --------------------------------------',
        `L1    ok      ${KEY1}  r1,r2    3.2 s     -`,
        'L2    failed  -                                     r1,r2    40 ms     fetch: KME_A answered 503 (pool empty)',
        '',
        '1 ok, 1 failed in 3.3 s',
        '',
      ].join('\n'),
    );
  });

  it('on a terminal: a status line rewritten in place, a ✓/✗ line per finished link', async () => {
    const io = capturedIo({ env: { PW: 'p' }, tty: true });
    await runCli(['-c', file, '--log-level', 'error', 'rotate'], { io, createRotator: () => engine(REPORT) });
    const err = io.err();
    expect(err).toContain('rotating 2: L1 fetch | L2 fetch');
    expect(err).toContain('\r\u001b[2K✗ L2: failed KME_A answered 503\n');
    expect(err).toContain(`✓ L1: done key ${KEY1}\n`);
    expect(err.endsWith('\r\u001b[2K') || err.endsWith('\n')).toBe(true);
  });

  it('with --log-format json, progress comes as JSON log lines carrying link', async () => {
    const io = capturedIo({ env: { PW: 'p' } });
    await runCli(['-c', file, '--log-format', 'json', 'rotate'], { io, createRotator: () => engine(REPORT) });
    const lines = io.err().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => String(l.msg).startsWith('progress '))).toEqual(
      EVENTS.map((e) => expect.objectContaining({ level: 'info', msg: `progress ${e.phase}`, link: e.link, phase: e.phase })),
    );
  });

  it('--json prints the report; a cycle without failures exits 0', async () => {
    const ok: CycleReport = { ...REPORT, links: [REPORT.links[0]!] };
    const io = capturedIo({ env: { PW: 'p' } });
    expect(await runCli(['-c', file, '--log-level', 'error', 'rotate', '--json'], { io, createRotator: () => engine(ok) })).toBe(0);
    expect(JSON.parse(io.out())).toEqual(ok);
  });

  it('names the links whose static-cak replacement was not hitless', async () => {
    const io = capturedIo({ env: { PW: 'p' } });
    const staticCak: CycleReport = { ...REPORT, links: [{ ...REPORT.links[0]!, hitless: false }] };
    expect(await runCli(['-c', file, '--log-level', 'error', 'rotate'], { io, createRotator: () => engine(staticCak) })).toBe(0);
    expect(io.out()).toContain('static-cak mode: L1 replaced the key end by end, not hitless (a short drop per link)');
  });

  it('--dry-run passes through and says nothing was fetched', async () => {
    const io = capturedIo({ env: { PW: 'p' } });
    const seen: { options?: unknown } = {};
    const dry: CycleReport = { ...REPORT, dryRun: true, links: [{ link: 'L1', result: 'ok', devices: ['r1', 'r2'], durationMs: 5, plan: [{ device: 'r1', slot: 3, deleteSlots: [1] }] }] };
    expect(await runCli(['-c', file, '--log-level', 'error', 'rotate', '--dry-run'], { io, createRotator: () => engine(dry, seen) })).toBe(0);
    expect(seen.options).toEqual({ links: undefined, dryRun: true });
    expect(io.out()).toContain('L1    would rotate');
    expect(io.out()).toContain('  L1 r1: new key in slot 3, prune slots 1');
    expect(io.out()).toContain('dry run: nothing fetched or changed; 1 ok, 0 failed');
  });
});

describe('init and status', () => {
  it('init --dry-run shows the changes per device', async () => {
    const io = capturedIo({ env: { PW: 'p' } });
    expect(await runCli(['-c', file, 'init', '--dry-run'], { io, createRotator: () => engine(REPORT) })).toBe(0);
    expect(io.out()).toMatch(/r1 +- +- +1 +would apply/); // platform and field script: none in this report
    expect(io.out()).toMatch(/r2 +- +- +0 +already right/);
    expect(io.out()).toContain('r1:\n  key-chain qkd-L1: add');
    expect(io.out()).toContain('dry run: nothing committed');
  });

  it('status: a table per link with the live MKA state; exit 1 when a link is not secured; --json', async () => {
    const io = capturedIo({ env: { PW: 'p' } });
    const clock = () => new Date('2026-01-01T00:30:00.000Z');
    expect(await runCli(['-c', file, 'status'], { io, clock, createRotator: () => engine(REPORT) })).toBe(1);
    expect(io.out()).toContain(`L1    yes      ${KEY1}  2 min 05 s  2026-01-01T01:00:00.000Z (in 30 min 00 s)  r1 et-0/0/0 live`);
    expect(io.out()).toContain('L2    NO       -');
    expect(io.out()).toContain('r2: connection refused');
    expect(io.out()).toContain('1 of 2 links NOT secured');
    const j = capturedIo({ env: { PW: 'p' } });
    await runCli(['-c', file, 'status', '--json'], { io: j, createRotator: () => engine(REPORT) });
    expect((JSON.parse(j.out()) as { links: unknown[] }).links).toHaveLength(2);
  });
});
