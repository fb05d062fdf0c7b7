// The interval rule (issue 10, finding 3: `validate` accepted a 30 s interval with a 1-minute
// confirm timeout, and the daemon then skipped slots) and the control endpoint's address rule.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli/program.js';
import { capturedIo } from '../cli/testing/capture.js';
import { checkConfigFile, loadConfig, minimumCycle } from './schema.js';

let dir: string;
const config = (extra: string) => `
kmes: { KME_A: { url: "https://127.0.0.1:8443", ca: ./pki/ca.crt } }
saes: { SAE_A: { kme: KME_A, cert: ./pki/a.crt, key: ./pki/a.key }, SAE_B: { kme: KME_A, cert: ./pki/b.crt, key: ./pki/b.key } }
devices:
  r1: { host: 127.0.0.1, username: u, password: { env: PW }, hostKey: { insecureAcceptAnyHostKey: true }, sae: SAE_A }
  r2: { host: 127.0.0.1, username: u, password: { env: PW }, hostKey: { insecureAcceptAnyHostKey: true }, sae: SAE_B }
links: [ { name: L1, master: { device: r1, interfaces: [et-0/0/0] }, slaves: [ { device: r2, interfaces: [et-0/0/0] } ] } ]
${extra}
`;
function write(extra: string): string {
  const file = join(dir, 'qkd.yaml');
  writeFileSync(file, config(extra));
  return file;
}
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rotator-rules-'));
  mkdirSync(join(dir, 'pki'));
  for (const f of ['ca.crt', 'a.crt', 'a.key', 'b.crt', 'b.key', 'ctl.crt', 'ctl.key']) writeFileSync(join(dir, 'pki', f), 'pem');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('rotation.intervalSeconds must cover a whole cycle', () => {
  it('finding 3: validate refuses a 30 s interval with a 1-minute confirm timeout, naming the numbers and the fix (exit 2)', async () => {
    const io = capturedIo({ env: { PW: 'x' } });
    const file = write('rotation: { intervalSeconds: 30, confirmTimeoutMinutes: 1 }');
    expect(await runCli(['-c', file, 'validate'], { io })).toBe(2);
    expect(io.err()).toContain(
      'rotation.intervalSeconds: 30 is shorter than a cycle can take (60 s confirm timeout + 120 s lead time + 6 s verification = 186 s): set it to at least 186, or lower rotation.confirmTimeoutMinutes or rotation.leadTimeSeconds',
    );
    // Loading refuses it too, so `run` never starts with it.
    await expect(loadConfig(file, { env: { PW: 'x' } })).rejects.toThrow(/rotation\.intervalSeconds: 30 is shorter than a cycle can take/);
  });

  it('without startAfterConfirmTimeout the cycle is the lead time plus verification; the boundary is accepted', async () => {
    const short = await checkConfigFile(write('rotation: { intervalSeconds: 9, leadTimeSeconds: 4, startAfterConfirmTimeout: false }'), { env: { PW: 'x' } });
    expect(short.issues).toEqual([
      { path: 'rotation.intervalSeconds', message: '9 is shorter than a cycle can take (4 s lead time + 6 s verification = 10 s): set it to at least 10, or lower rotation.leadTimeSeconds' },
    ]);
    const exact = await checkConfigFile(write('rotation: { intervalSeconds: 10, leadTimeSeconds: 4, startAfterConfirmTimeout: false }'), { env: { PW: 'x' } });
    expect(exact.issues).toEqual([]);
    expect(exact.config?.rotation.startAfterConfirmTimeout).toBe(false);
    const edge = await checkConfigFile(write('rotation: { intervalSeconds: 186, leadTimeSeconds: 120, confirmTimeoutMinutes: 1 }'), { env: { PW: 'x' } });
    expect(edge.issues).toEqual([]);
  });

  it('minimumCycle adds the confirm timeout only when start-times wait for it', () => {
    expect(minimumCycle({ confirmTimeoutMinutes: 5, leadTimeSeconds: 120, startAfterConfirmTimeout: true })).toEqual({ confirmSeconds: 300, leadSeconds: 120, verifySeconds: 6, totalSeconds: 426 });
    expect(minimumCycle({ confirmTimeoutMinutes: 5, leadTimeSeconds: 120, startAfterConfirmTimeout: false }).totalSeconds).toBe(126);
  });

  it('startAfterConfirmTimeout is passed to the engine (default true)', async () => {
    const seen: unknown[] = [];
    const createRotator = (o: { startAfterConfirmTimeout?: boolean }) => {
      seen.push(o.startAfterConfirmTimeout);
      return { init: () => Promise.reject(new Error('unused')), resume: () => Promise.resolve([]), rotate: () => Promise.resolve({ startedAt: 'x', finishedAt: 'x', links: [] }), status: () => Promise.resolve([]), close: () => Promise.resolve() };
    };
    for (const extra of ['', 'rotation: { intervalSeconds: 3600, startAfterConfirmTimeout: false }']) {
      const io = capturedIo({ env: { PW: 'x' } });
      expect(await runCli(['-c', write(extra), '--log-level', 'error', 'rotate', '--json'], { io, createRotator })).toBe(0);
    }
    expect(seen).toEqual([true, false]);
  });

  it('startAfterConfirmTimeout must be a boolean', async () => {
    const r = await checkConfigFile(write('rotation: { startAfterConfirmTimeout: "no" }'), { env: { PW: 'x' } });
    expect(r.issues).toEqual([{ path: 'rotation.startAfterConfirmTimeout', message: 'startAfterConfirmTimeout must be true or false' }]);
  });
});

describe('control endpoint address', () => {
  it('defaults to loopback on a free port', async () => {
    const c = await loadConfig(write(''), { env: { PW: 'x' } });
    expect(c.control).toEqual({ host: '127.0.0.1', port: 0 });
  });

  it('refuses a non-loopback address without mutual TLS', async () => {
    const r = await checkConfigFile(write('control: { listen: "0.0.0.0:9465" }'), { env: { PW: 'x' } });
    expect(r.issues).toEqual([
      { path: 'control.listen', message: '0.0.0.0:9465 is not a loopback address: the control endpoint runs rotations, so anywhere but 127.0.0.1, ::1 or localhost it needs control.tls (mutual TLS)' },
    ]);
    expect((await checkConfigFile(write('control: { listen: "[::1]:9465" }'), { env: { PW: 'x' } })).issues).toEqual([]);
  });

  it('with tls: absolute paths, the client pair defaulting to the server pair; missing files named', async () => {
    const c = await loadConfig(write('control: { listen: "0.0.0.0:9465", tls: { ca: pki/ca.crt, cert: pki/ctl.crt, key: pki/ctl.key } }'), { env: { PW: 'x' } });
    expect(c.control).toEqual({
      host: '0.0.0.0',
      port: 9465,
      tls: { caFile: join(dir, 'pki/ca.crt'), certFile: join(dir, 'pki/ctl.crt'), keyFile: join(dir, 'pki/ctl.key'), clientCertFile: join(dir, 'pki/ctl.crt'), clientKeyFile: join(dir, 'pki/ctl.key') },
    });
    const r = await checkConfigFile(write('control: { tls: { ca: pki/ca.crt, cert: pki/ctl.crt, key: pki/ctl.key, client: { cert: pki/cli.crt, key: pki/ctl.key } } }'), { env: { PW: 'x' } });
    expect(r.issues).toEqual([{ path: 'control.tls.client.cert', message: `${join(dir, 'pki/cli.crt')} does not exist` }]);
  });
});
