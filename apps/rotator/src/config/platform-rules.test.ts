// devices.<name>.platform, the cipher suite it chooses, key-chain mode refused where the platform
// has no hitless rollover, rotation.keyChainTolerance and init.eventOptions.traceoptions.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkConfigFile } from './schema.js';

let dir: string;
const config = (p1: string, p2: string, extra = '') => `
kmes: { KME_A: { url: "https://127.0.0.1:8443", ca: ./pki/ca.crt } }
saes: { SAE_A: { kme: KME_A, cert: ./pki/a.crt, key: ./pki/a.key }, SAE_B: { kme: KME_A, cert: ./pki/b.crt, key: ./pki/b.key } }
devices:
  r1: { host: 127.0.0.1, username: u, password: { env: PW }, hostKey: { insecureAcceptAnyHostKey: true }, sae: SAE_A${p1 ? `, platform: ${p1}` : ''} }
  r2: { host: 127.0.0.1, username: u, password: { env: PW }, hostKey: { insecureAcceptAnyHostKey: true }, sae: SAE_B${p2 ? `, platform: ${p2}` : ''} }
links: [ { name: L1, master: { device: r1, interfaces: [et-0/0/0] }, slaves: [ { device: r2, interfaces: [et-0/0/0] } ] } ]
${extra}
`;
async function check(text: string) {
  const file = join(dir, 'qkd.yaml');
  writeFileSync(file, text);
  return checkConfigFile(file, { env: { PW: 'x' } });
}
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rotator-platform-'));
  mkdirSync(join(dir, 'pki'));
  for (const f of ['ca.crt', 'a.crt', 'a.key', 'b.crt', 'b.key']) writeFileSync(join(dir, 'pki', f), 'pem');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('platforms in the config', () => {
  it('take the platforms\' default cipher suite when rotation.cipherSuite is not set', async () => {
    expect((await check(config('mx', 'ptx'))).config?.rotation).toMatchObject({ cipherSuite: 'gcm-aes-xpn-256', cipherSuiteFrom: 'platform' });
    expect((await check(config('ex', '', 'rotation: { mode: static-cak }'))).config?.rotation).toMatchObject({ cipherSuite: 'gcm-aes-xpn-128', cipherSuiteFrom: 'platform' });
    expect((await check(config('', ''))).config?.rotation).toMatchObject({ cipherSuite: 'gcm-aes-256', cipherSuiteFrom: 'default' });
    expect((await check(config('mx', 'mx', 'rotation: { cipherSuite: gcm-aes-128 }'))).config?.rotation).toMatchObject({ cipherSuite: 'gcm-aes-128', cipherSuiteFrom: 'config' });
  });

  it('refuse platforms whose defaults differ, unless rotation.cipherSuite says which', async () => {
    const r = await check(config('mx', 'srx', 'rotation: { mode: static-cak }'));
    expect(r.issues).toEqual([
      { path: 'rotation.cipherSuite', message: "is not set and the devices' platforms default to different cipher suites (gcm-aes-xpn-256 for r1 (mx); gcm-aes-xpn-128 for r2 (srx)): set rotation.cipherSuite to one every device takes" },
    ]);
    expect((await check(config('mx', 'srx', 'rotation: { mode: static-cak, cipherSuite: gcm-aes-xpn-128 }'))).issues).toEqual([]);
  });

  it('refuse key-chain mode on a platform without hitless rollover; static-cak is accepted', async () => {
    const r = await check(config('mx', 'ex'));
    expect(r.issues).toContainEqual({
      path: 'devices.r2.platform',
      message: 'ex (EX Series (and QFX on Junos OS)) has no hitless key-chain rollover, and rotation.mode is key-chain: set rotation.mode: static-cak (each rotation replaces the pre-shared-key — not hitless)',
    });
    expect((await check(config('ex', 'srx', 'rotation: { mode: static-cak }'))).issues).toEqual([]);
  });

  it('refuse an unknown platform', async () => {
    expect((await check(config('nfx', ''))).issues).toEqual([{ path: 'devices.r1.platform', message: 'platform must be one of mx, ptx, acx, qfx, ex, srx' }]);
  });
});

describe('rotation.keyChainTolerance', () => {
  it('defaults to 0 and must stay below the lead time', async () => {
    expect((await check(config('', ''))).config?.rotation.keyChainTolerance).toBe(0);
    expect((await check(config('', '', 'rotation: { keyChainTolerance: 30, leadTimeSeconds: 120 }'))).config?.rotation.keyChainTolerance).toBe(30);
    expect((await check(config('', '', 'rotation: { keyChainTolerance: 3600 }'))).issues).toEqual([
      { path: 'rotation.keyChainTolerance', message: '3600 s is not shorter than rotation.leadTimeSeconds (120 s): a device could accept a new key before the confirm deadline has passed; lower it (default 0) or raise the lead time' },
    ]);
    expect((await check(config('', '', 'rotation: { keyChainTolerance: -1 }'))).issues.map((i) => i.path)).toEqual(['rotation.keyChainTolerance']);
  });
});

describe('init.eventOptions.traceoptions', () => {
  it('is accepted with the YANG\'s flags and reaches the resolved config; another flag is refused', async () => {
    const ok = await check(config('', '', 'init: { eventOptions: { traceoptions: { file: qkd.log, size: 1m, files: 3, flags: [events, policy] } } }'));
    expect(ok.config?.init?.eventOptions?.traceoptions).toEqual({ file: 'qkd.log', size: '1m', files: 3, flags: ['events', 'policy'] });
    const bad = await check(config('', '', 'init: { eventOptions: { traceoptions: { flags: [everything] } } }'));
    expect(bad.issues).toEqual([{ path: 'init.eventOptions.traceoptions.flags[0]', message: 'flag must be one of server, configuration, events, timer-events, database, policy, registration, syslogd, all' }]);
  });
});
