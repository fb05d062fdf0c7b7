// deviceConnector against a real sim-junos over SSH: a device's `timeoutMs` from the config file
// is each of its NETCONF requests' budget, ahead of the caller's default.
import { NetconfTimeoutError } from '@qkd-macsec/junos-netconf';
import { startSimJunos, type SimJunos } from '@qkd-macsec/sim-junos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSecret } from '../config/secret.js';
import type { DeviceConfig } from '../config/types.js';
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
});
