import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { heldSecretsOf, loadOrExit, makeLogger } from './context.js';
import { capturedIo } from './testing/capture.js';

let dir: string;
const config = (rotation: string) => `
kmes:
  KME_A: { url: "https://127.0.0.1:8443", ca: ./pki/ca.crt }
  KME_B: { url: "https://127.0.0.1:8444", ca: ./pki/ca.crt }
saes:
  SAE_A: { kme: KME_A, cert: ./pki/SAE_A.crt, key: ./pki/SAE_A.key }
  SAE_B: { kme: KME_B, cert: ./pki/SAE_B.crt, key: ./pki/SAE_B.key }
devices:
  r1: { host: 127.0.0.1, username: rotator, password: { env: PW }, hostKey: { fingerprint: "SHA256:${'A'.repeat(43)}" }, sae: SAE_A }
  r2: { host: 127.0.0.2, username: rotator, password: { env: PW }, hostKey: { fingerprint: "SHA256:${'B'.repeat(43)}" }, sae: SAE_B }
links:
  - { name: dc1-dc2, master: { device: r1, interfaces: [et-0/0/0] }, slaves: [ { device: r2, interfaces: [et-0/0/1] } ] }
${rotation}
`;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rotator-context-'));
  mkdirSync(join(dir, 'pki'));
  for (const f of ['ca.crt', 'SAE_A.crt', 'SAE_A.key', 'SAE_B.crt', 'SAE_B.key']) writeFileSync(join(dir, 'pki', f), 'pem');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function keyTtlAfterLoading(rotation: string): Promise<number | undefined> {
  const file = join(dir, 'qkd-macsec.yaml');
  writeFileSync(file, config(rotation));
  const io = capturedIo({ env: { PW: 'a-device-password' } });
  const options = { config: file, logFormat: 'json' as const, logLevel: 'warn' as const };
  const logger = makeLogger(io, options);
  expect(heldSecretsOf(logger)!.keyTtlMs).toBe(6 * 3600_000); // the guard's own, until the config says more
  await loadOrExit(io, options, logger);
  return heldSecretsOf(logger)!.keyTtlMs;
}

describe('the CLI logger guard keeps key digests as long as the rotation needs them', () => {
  it('30 minutes on the default rotation (a transaction: 5 min confirm timeout + 120 s lead time + the MKA check)', async () => {
    expect(await keyTtlAfterLoading('')).toBe(30 * 60_000);
  });

  it('twice the longest transaction when that is longer: a 60-minute confirm timeout keeps them ~2 h', async () => {
    expect(await keyTtlAfterLoading('rotation: { confirmTimeoutMinutes: 60, leadTimeSeconds: 300, intervalSeconds: 7200 }')).toBe(2 * (3600 + 300 + 6) * 1000);
  });
});
