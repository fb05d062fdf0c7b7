// Platform profiles at init: a device whose platform (configured, or detected from the model
// sim-junos reports) has no hitless key-chain rollover is refused in key-chain mode, with the
// reason, and the links it is an end of are left alone; the rest is configured. A device without
// the event script's login user is refused before anything is committed to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBench, type Bench } from './testing/harness.js';

let bench: Bench;
beforeAll(async () => {
  bench = await startBench({
    init: { eventOptions: { eventScripts: [{ name: 'qkd-macsec.py', pythonScriptUser: 'rotator' }] } },
    deviceConfig: Object.fromEntries(['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].map((d) => [d, 'set system login user rotator class super-user'])), // r7 lacks it
  });
  Object.assign(bench.config.devices, { r2: { sae: 'SAE_r2', platform: 'srx' } });
});
afterAll(async () => {
  await bench?.close();
});

describe('platforms at init', () => {
  it('refuses key-chain mode on SRX and a missing script user, configures the rest', async () => {
    const rotator = bench.rotator();
    try {
      const init = await rotator.init();
      const r2 = init.devices.find((d) => d.device === 'r2')!;
      expect(r2.platform).toEqual({ platform: 'srx', from: 'config' });
      expect(r2.error).toMatch(/^r2: platform srx \(from config\) \(SRX Series\) has no hitless key-chain rollover, and rotation.mode is key-chain: set rotation.mode: static-cak/);
      expect(r2.applied).toBe(false);
      const r7 = init.devices.find((d) => d.device === 'r7')!;
      expect(r7.error).toBe('r7: init.eventOptions event-script file qkd-macsec.py: python-script-user rotator is not a login user on the device (Junos refuses the commit): create it (system login user rotator) or name an existing one');
      expect(init.devices.find((d) => d.device === 'r1')!.platform).toEqual({ platform: 'mx', from: 'model mx204' });
      // L1 (r1-r2) and G1 (r5, r6, r7) got nothing; L2 and L3 are configured and keyed.
      expect(init.firstKeys.map((k) => k.link).sort()).toEqual(['L2', 'L3']);
      expect(bench.junos.device('r2').committedText()).not.toContain('macsec');
      expect(bench.junos.device('r7').committedText()).not.toContain('macsec');
      expect(bench.junos.linkStatus('L2').state).toBe('secured');
      expect(bench.junos.linkStatus('L3').state).toBe('secured');
    } finally {
      await rotator.close();
    }
  }, 60_000);
});
