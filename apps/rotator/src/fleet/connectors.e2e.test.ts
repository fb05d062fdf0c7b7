// deviceConnector against a real sim-junos over SSH: a device's `timeoutMs` from the config file
// is each of its NETCONF requests' budget, ahead of the caller's default; a session keeps no
// SSH-level keepalive of its own (the pool probes idle sessions); a process whose ssh2 runs
// without its native crypto says so once.
import { NetconfTimeoutError, sshNativeCrypto } from '@qkd-macsec/junos-netconf';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimJunos, type SimJunos } from '@qkd-macsec/sim-junos';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSecret } from '../config/secret.js';
import type { DeviceConfig } from '../config/types.js';
import { startTcpProxy } from '../e2e/testing/tcp-proxy.js';
import { deviceConnector } from './connectors.js';

let sim: SimJunos;
const quiet = { warn: () => undefined, debug: () => undefined };
const deviceConfig = (timeoutMs?: number): DeviceConfig => {
  const d = sim.devices['r1']!;
  return {
    name: 'r1',
    host: d.host,
    port: d.port,
    username: d.username,
    password: new ConfigSecret(d.password, { kind: 'env', name: 'R1_PASSWORD' }),
    hostKey: { fingerprints: [d.hostKeyFingerprint], insecureAcceptAnyHostKey: false },
    sae: 'SAE_A',
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  };
};

beforeAll(async () => {
  sim = await startSimJunos({ devices: { r1: {} }, links: [] });
});
afterAll(async () => {
  await sim?.close();
});

/** The error of a request to r1 while r1 answers nothing (sim-junos' hangRpcs fault). */
async function hungRequest(timeoutMs: number | undefined, callerDefaultMs: number): Promise<unknown> {
  const device = await deviceConnector({ devices: { r1: deviceConfig(timeoutMs) } }, { logger: quiet, rpcTimeoutMs: callerDefaultMs })('r1');
  try {
    return await device.facts().then(() => undefined, (e: unknown) => e);
  } finally {
    await device.close(); // waits out its own close-session on the hung device (5 s)
  }
}

describe('deviceConnector', () => {
  it("gives each request the device's timeoutMs, ahead of the caller's default, which applies to a device that sets none", async () => {
    sim.setFaults('r1', { hangRpcs: true });
    const [own, dflt] = await Promise.all([hungRequest(300, 20_000), hungRequest(undefined, 400)]);
    sim.setFaults('r1', {});
    expect(own).toBeInstanceOf(NetconfTimeoutError);
    expect((own as NetconfTimeoutError).timeoutMs).toBe(300);
    expect(dflt).toBeInstanceOf(NetconfTimeoutError);
    expect((dflt as NetconfTimeoutError).timeoutMs).toBe(400);
  });

  it('sends no SSH keepalives: the pool probes a session once it is idle, ssh2 pings every 15 s however busy it is', async () => {
    const proxy = await startTcpProxy({ host: sim.devices['r1']!.host, port: sim.devices['r1']!.port });
    const device = await deviceConnector({ devices: { r1: { ...deviceConfig(), host: '127.0.0.1', port: proxy.port } } }, { logger: quiet })('r1');
    try {
      // A request 5 s in keeps sim-junos' own check of an idle client (15 s after its last packet) away until ~20 s.
      await sleep(5000);
      await expect(device.facts()).resolves.toMatchObject({ hostname: 'r1' });
      const sent = proxy.bytesUp;
      // ssh2's keepalive would go out 15 s after the handshake, whatever went over the session since.
      await sleep(12_000);
      expect(proxy.bytesUp - sent).toBe(0);
    } finally {
      await device.close();
      await proxy.close();
    }
  }, 30_000);
});

describe("deviceConnector and ssh2's native crypto", () => {
  /** The warnings of two connectors' three connection attempts (to a closed port) in a fresh node; `hook` makes ssh2's binding fail to load. */
  function warningsInNode(hook: boolean): string[] {
    const scratch = mkdtempSync(join(tmpdir(), 'connector-crypto-'));
    try {
      const preload = join(scratch, 'hook.cjs');
      writeFileSync(preload, `const M = require('module'); const load = M._extensions['.node'];
M._extensions['.node'] = (m, file) => { if (file.endsWith('sshcrypto.node')) throw new Error('Module did not self-register'); return load(m, file); };`);
      const here = dirname(fileURLToPath(import.meta.url));
      const script = `import { deviceConnector } from ${JSON.stringify(join(here, 'connectors.ts'))};
const warnings = []; const logger = { warn: (m) => warnings.push(String(m)), debug: () => undefined };
const secret = { reveal: () => 'x' };
const config = { devices: { r9: { name: 'r9', host: '127.0.0.1', port: 1, username: 'u', password: secret, hostKey: { fingerprints: [], insecureAcceptAnyHostKey: true }, sae: 'S' } } };
for (const connect of [deviceConnector(config, { logger }), deviceConnector(config, { logger })]) await connect('r9').catch(() => undefined);
await deviceConnector(config, { logger })('r9').catch(() => undefined);
console.log(JSON.stringify(warnings.filter((w) => w.includes('native crypto'))));`;
      const out = execFileSync(process.execPath, [...(hook ? ['--require', preload] : []), '--import', 'tsx', '--input-type=module', '-e', script], { cwd: here, encoding: 'utf8' });
      return JSON.parse(out.trim().split('\n').at(-1)!) as string[];
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  it('warns once a process, at its first connection, when ssh2 runs without its native crypto: why and how to fix it', () => {
    const warnings = warningsInNode(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ssh2's native crypto binding is not in use: .*npm rebuild ssh2/);
  });

  it('says nothing when ssh2 runs on its binding (here: when this process has it)', () => {
    expect(warningsInNode(false)).toHaveLength(sshNativeCrypto().loaded ? 0 : 1);
  });
});
