// Adopting a field script v3.2 device on a platform without hitless key-chain rollover (EX):
// in static-cak mode init keeps its running pre-shared-key as it is (no first key, no drop); the
// first rotation replaces it, as every static-cak rotation does (hitless: false).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICES, LINKS, startBench, type Bench } from './testing/harness.js';

const CKN = '0123456789abcdef0123456789abcdef550e8400e29b41d4a716446655440000';
const v32 = `set security macsec connectivity-association CA_QKD security-mode static-cak
set security macsec connectivity-association CA_QKD cipher-suite gcm-aes-xpn-128
set security macsec connectivity-association CA_QKD pre-shared-key ckn ${CKN}
set security macsec connectivity-association CA_QKD pre-shared-key cak ${'a1'.repeat(16)}
set security macsec interfaces et-0/0/0 connectivity-association CA_QKD
set security macsec interfaces et-0/0/0 apply-macro qkd kme-host https://kme-a.example.net:8443/api/v1/keys`;

let bench: Bench;
beforeAll(async () => {
  bench = await startBench({ mode: 'static-cak', deviceConfig: { r1: v32, r2: v32 } });
  bench.config.links = LINKS.map((l) => (l.name === 'L1' ? { ...l, connectivityAssociation: 'CA_QKD' } : l));
  // As loaded from a file without rotation.cipherSuite, every device an EX: gcm-aes-xpn-128.
  Object.assign(bench.config.rotation, { cipherSuite: 'gcm-aes-128', cipherSuiteFrom: 'default' });
  for (const d of DEVICES) Object.assign(bench.config.devices, { [d]: { sae: `SAE_${d}`, platform: 'ex' } });
});
afterAll(async () => {
  await bench?.close();
});

describe('adopting a v3.2 device in static-cak mode (EX)', () => {
  it('keeps the running pre-shared-key through init; the first rotation replaces it (not hitless)', async () => {
    const rotator = bench.rotator();
    try {
      const init = await rotator.init();
      expect(init.errors).toEqual([]);
      expect(init.firstKeys.map((k) => k.link).sort()).toEqual(['G1', 'L2', 'L3']);
      const r1 = init.devices.find((d) => d.device === 'r1')!;
      expect(r1.fieldScript?.version).toBe('v3.2');
      expect(r1.changes.filter((c) => c.includes('CA_QKD'))).toEqual(['connectivity-association CA_QKD: fallback-key: add from a QKD key of its own (link L1)']);
      expect(bench.junos.linkStatus('L1')).toMatchObject({ state: 'secured', a: { ckn: CKN } });
      expect(bench.junos.linkHistory('L1').downIntervals).toEqual([]);
      expect(bench.junos.linkHistory('L1').fallbackIntervals).toEqual([]);

      const report = await rotator.rotate({ links: ['L1'] });
      expect(report.links[0]).toMatchObject({ link: 'L1', result: 'ok', hitless: false });
      expect(bench.junos.linkStatus('L1').state).toBe('secured');
      expect(bench.junos.linkStatus('L1').a.ckn).not.toBe(CKN);
      // The ends switch at their own commits: on the simulator's clock those drops last 0 ms.
      for (const d of bench.junos.linkHistory('L1').downIntervals) expect(d.to! - d.from).toBe(0);
    } finally {
      await rotator.close();
    }
  }, 60_000);
});
