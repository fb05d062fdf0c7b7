// init with the optional parts: the field script's apply-macro qkd tags, event-options for on-box
// runs, static host mappings — applied once, then nothing to do; a device changed by hand gets
// exactly the difference back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICES, startBench, type Bench } from './testing/harness.js';

let bench: Bench;
beforeAll(async () => {
  bench = await startBench({
    init: {
      applyMacros: true,
      staticHostMappings: [{ name: 'kme-a.example', inet: ['127.0.0.1'] }],
      eventOptions: {
        generateEvents: [{ name: 'QKD_TICK', timeInterval: 3600 }],
        policies: [{ name: 'QKD_ROTATE', events: ['QKD_TICK'], eventScripts: ['qkd-macsec.py'] }],
        eventScripts: [{ name: 'qkd-macsec.py', pythonScriptUser: 'rotator' }],
      },
    },
    // Every device has the event script's user (Junos refuses a python-script-user that is not a
    // login user); r2 starts with a connectivity association of the wrong suite holding a static key.
    deviceConfig: {
      ...Object.fromEntries(DEVICES.map((d) => [d, 'set system login user rotator class super-user'])),
      r2: `set system login user rotator class super-user
set security macsec connectivity-association qkd-L1 security-mode static-cak
set security macsec connectivity-association qkd-L1 cipher-suite gcm-aes-128
set security macsec connectivity-association qkd-L1 pre-shared-key ckn ${'ab'.repeat(32)}
set security macsec connectivity-association qkd-L1 pre-shared-key cak ${'cd'.repeat(16)}
set security macsec connectivity-association qkd-L1 mka key-server-priority 7`,
    },
  });
});
afterAll(async () => {
  await bench?.close();
});

describe('init', () => {
  it('applies only the differences, with the optional parts, and is idempotent', async () => {
    const rotator = bench.rotator();
    try {
      const dry = await rotator.init({ dryRun: true });
      const r2 = dry.devices.find((d) => d.device === 'r2')!;
      expect(r2.changes).toContain('connectivity-association qkd-L1: cipher-suite gcm-aes-128 -> gcm-aes-256');
      expect(r2.changes).toContain('connectivity-association qkd-L1: remove pre-shared-key (the key chain replaces it)');
      expect(r2.changes.some((c) => c.startsWith('macsec interface et-0/0/0: apply-macro qkd (none) -> kme-host 127.0.0.1'))).toBe(true);
      expect(r2.changes).toContain('event-options generate-event QKD_TICK: add');
      expect(r2.changes).toContain('static-host-mapping kme-a.example: inet (none) -> 127.0.0.1');
      expect(bench.issuedKeys).toHaveLength(0);

      const init = await rotator.init();
      expect(init.errors).toEqual([]);
      const text = bench.junos.device('r2').committedText();
      expect(text).toMatch(/cipher-suite gcm-aes-256/);
      expect(text).not.toMatch(/pre-shared-key \{/);
      expect(text).toMatch(/key-server-priority 7/); // kept across the replace
      expect(text).toMatch(/apply-macro qkd/);
      expect(text).toMatch(/QKD_TICK/);
      expect(text).toMatch(/kme-a\.example/);
      for (const id of ['L1', 'L2', 'L3', 'G1-r6', 'G1-r7']) expect(bench.junos.linkStatus(id).state, id).toBe('secured');

      const again = await rotator.init();
      expect(again.devices.flatMap((d) => d.changes)).toEqual([]);
      expect(again.changed).toBe(false);
      expect(again.firstKeys).toEqual([]);
    } finally {
      await rotator.close();
    }
  }, 60_000);
});
