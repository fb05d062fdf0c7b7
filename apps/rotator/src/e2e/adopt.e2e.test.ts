// Adopting devices the field script set up (macsec-config's fixtures, as set commands):
//   L1 r1<->r2: v3.2 — static CAK on CA_QKD, CKN = 32-hex prefix + key_ID, apply-macro qkd with
//               kme-host as a URL, event-options running qkd-macsec.py, its user `qkd`;
//   L2 r3<->r4: v3.3 — key chain QKD_KC of 4 slots with a bootstrap key 0, start-times without
//               seconds, bare replay-protect, fallback-key, transmit-interval 2000,
//               sak-rekey-interval 300, its script user `qkd-script`;
//   L3 r1<->r3: a static CAK on CA_OLD, a name the rotator's config does not use (qkd-L3);
//   G1:         nothing yet (gets a first key from the KMEs).
// init keeps every running key until the first rotation replaces it: zero down time and zero
// time on fallback on the simulator's link record, from the simulator's start to the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINKS, startBench, SIM_LINK_IDS, type Bench } from './testing/harness.js';

const hex = (byte: string) => byte.repeat(32);
const PREFIX = '0123456789abcdef0123456789abcdef';
const L1_CKN = `${PREFIX}550e8400e29b41d4a716446655440000`;
const L3_CKN = `${PREFIX}7c1d5f0a3b9e4d2c8a6f1e0b9d8c7a65`;

const v32Device = (iface: string) => `set system login user qkd uid 2001
set system login user qkd class super-user
set security macsec connectivity-association CA_QKD security-mode static-cak
set security macsec connectivity-association CA_QKD cipher-suite gcm-aes-xpn-256
set security macsec connectivity-association CA_QKD pre-shared-key ckn ${L1_CKN}
set security macsec connectivity-association CA_QKD pre-shared-key cak ${hex('a1')}
set security macsec connectivity-association CA_QKD exclude-protocol lldp
set security macsec interfaces ${iface} connectivity-association CA_QKD
set security macsec interfaces ${iface} apply-macro qkd kme-host https://kme-a.example.net:8443/api/v1/keys
set security macsec interfaces ${iface} apply-macro qkd kme-port 8443
set security macsec interfaces ${iface} apply-macro qkd kme-ca true
set security macsec interfaces ${iface} apply-macro qkd kme-method get
set event-options generate-event qkd-every-minute time-interval 60
set event-options policy qkd-rotate events qkd-every-minute
set event-options policy qkd-rotate then event-script qkd-macsec.py
set event-options event-script file qkd-macsec.py python-script-user qkd
set event-options traceoptions file qkd-events.log
set event-options traceoptions file size 10m
set event-options traceoptions file files 3
set event-options traceoptions flag events`;

const V33_KEYS: Array<[number, string, string, string]> = [
  [0, '00', hex('b0'), '2026-01-01.00:00'],
  [1, hex('c1'), hex('b1'), '2026-11-24.11:40'],
  [2, hex('c2'), hex('b2'), '2026-11-24.11:45'],
  [3, hex('c3'), hex('b3'), '2026-11-24.11:50'],
];
const v33Device = (iface: string) => [
  'set system login user qkd-script uid 2002',
  'set system login user qkd-script class super-user',
  ...V33_KEYS.flatMap(([i, ckn, cak, start]) => [
    `set security authentication-key-chains key-chain QKD_KC key ${i} key-name ${ckn}`,
    `set security authentication-key-chains key-chain QKD_KC key ${i} secret ${cak}`,
    `set security authentication-key-chains key-chain QKD_KC key ${i} start-time ${start}`,
  ]),
  'set security macsec connectivity-association CA_QKD security-mode static-cak',
  'set security macsec connectivity-association CA_QKD cipher-suite gcm-aes-xpn-256',
  'set security macsec connectivity-association CA_QKD pre-shared-key-chain QKD_KC',
  `set security macsec connectivity-association CA_QKD fallback-key ckn ${'fa11bac0'.repeat(8)}`,
  `set security macsec connectivity-association CA_QKD fallback-key cak ${hex('fb')}`,
  'set security macsec connectivity-association CA_QKD mka transmit-interval 2000',
  'set security macsec connectivity-association CA_QKD mka sak-rekey-interval 300',
  'set security macsec connectivity-association CA_QKD replay-protect',
  'set security macsec connectivity-association CA_QKD exclude-protocol lldp',
  `set security macsec interfaces ${iface} connectivity-association CA_QKD`,
  'set event-options generate-event qkd-rotate-tick time-interval 300',
  'set event-options generate-event qkd-rotate-tick start-time 2026-11-24.11:00',
  'set event-options policy qkd-rotate events qkd-rotate-tick',
  'set event-options policy qkd-rotate then event-script qkd-macsec-v3.3.py',
  'set event-options event-script file qkd-macsec-v3.3.py python-script-user qkd-script',
].join('\n');

// L3: a static CAK on a connectivity association the rotator's config names differently.
const oldCa = (iface: string) => `set security macsec connectivity-association CA_OLD security-mode static-cak
set security macsec connectivity-association CA_OLD cipher-suite gcm-aes-xpn-256
set security macsec connectivity-association CA_OLD pre-shared-key ckn ${L3_CKN}
set security macsec connectivity-association CA_OLD pre-shared-key cak ${hex('d3')}
set security macsec interfaces ${iface} connectivity-association CA_OLD`;

let bench: Bench;
beforeAll(async () => {
  bench = await startBench({
    deviceConfig: {
      r1: `${v32Device('et-0/0/0')}\n${oldCa('et-0/0/1')}`,
      r2: v32Device('et-0/0/0'),
      r3: `${v33Device('et-0/0/0')}\n${oldCa('et-0/0/1')}`,
      r4: v33Device('et-0/0/0'),
    },
  });
  // The field script's names for L1 and L2 (adopted in place); L3 and G1 keep the defaults.
  const names = { L1: { connectivityAssociation: 'CA_QKD', keyChain: 'QKD_KC' }, L2: { connectivityAssociation: 'CA_QKD', keyChain: 'QKD_KC' } } as Record<string, object>;
  bench.config.links = LINKS.map((l) => ({ ...l, ...names[l.name] }));
  // As the config loader resolves a file without rotation.cipherSuite: the platforms choose it.
  Object.assign(bench.config.rotation, { cipherSuiteFrom: 'default' });
  // r3, r4 named PTX in the config; the others are detected from their model (mx204).
  Object.assign(bench.config.devices, { r3: { sae: 'SAE_r3', platform: 'ptx' }, r4: { sae: 'SAE_r4', platform: 'ptx' } });
});
afterAll(async () => {
  await bench?.close();
});

const ADOPTED = ['L1', 'L2', 'L3'];

function expectNoDropNorFallback(ids: readonly string[]) {
  for (const id of ids) {
    const h = bench.junos.linkHistory(id);
    expect(h.downIntervals, `${id} down`).toEqual([]);
    expect(h.fallbackIntervals, `${id} on fallback`).toEqual([]);
  }
}

describe('adopting devices the field script set up', () => {
  it('reports the field script, keeps the running keys through init and rotations, removes its leftovers only when asked', async () => {
    for (const id of ADOPTED) expect(bench.junos.linkStatus(id).state, id).toBe('secured');
    const rotator = bench.rotator();
    try {
      const dry = await rotator.init({ dryRun: true });
      const dev = (name: string) => dry.devices.find((d) => d.device === name)!;
      expect(dev('r1').fieldScript).toMatchObject({ version: 'v3.2', removed: false });
      expect(dev('r1').fieldScript!.artefacts).toContain('event-script file qkd-macsec.py (python-script-user qkd)');
      expect(dev('r1').fieldScript!.artefacts).toContain(`connectivity-association CA_QKD: static pre-shared-key, CKN = prefix ${PREFIX} + key_ID (v3.2)`);
      expect(dev('r3').fieldScript).toMatchObject({ version: 'v3.3' });
      expect(dev('r1').platform).toEqual({ platform: 'mx', from: 'model mx204' });
      expect(dev('r3').platform).toEqual({ platform: 'ptx', from: 'config' });
      expect(dev('r1').changes).toContain('connectivity-association CA_QKD: remove pre-shared-key (the key chain replaces it)');
      expect(dev('r1').changes.some((c) => c.startsWith(`key-chain QKD_KC: key 0 = the running key (CKN ${L1_CKN}, the pre-shared-key of connectivity-association CA_QKD)`))).toBe(true);
      expect(dev('r1').changes.some((c) => c.startsWith(`key-chain qkd-L3: key 0 = the running key (CKN ${L3_CKN}, the pre-shared-key of connectivity-association CA_OLD)`))).toBe(true);
      expect(dev('r3').changes).toContain('key-chain QKD_KC: tolerance (none: Junos 3600) -> 0');
      // The platforms' cipher suite is the one the field script runs: no cipher-suite change.
      expect(dry.devices.flatMap((d) => d.changes).filter((c) => /cipher-suite gcm-aes-xpn-256 ->/.test(c))).toEqual([]);
      expect(dry.notes?.join('\n')).toMatch(/r1: the field script \(v3\.2\) still runs on the device \(policy qkd-rotate runs qkd-macsec\.py on qkd-every-minute\).*--remove-field-script/);
      expect(bench.issuedKeys).toHaveLength(0);

      const init = await rotator.init();
      expect(init.errors).toEqual([]);
      // Only G1 needed a first key: the adopted links keep theirs.
      expect(init.firstKeys.map((k) => k.link)).toEqual(['G1']);
      for (const id of SIM_LINK_IDS) expect(bench.junos.linkStatus(id).state, id).toBe('secured');
      expect(bench.junos.linkStatus('L1').a.ckn).toBe(L1_CKN);
      expect(bench.junos.linkStatus('L2').a.ckn).toBe(hex('c3'));
      expect(bench.junos.linkStatus('L3').a.ckn).toBe(L3_CKN);
      const r1 = bench.junos.device('r1').committedText();
      const caQkd = /connectivity-association CA_QKD \{\n([\s\S]*?)\n {8}\}/.exec(r1)?.[1] ?? '';
      expect(caQkd).toMatch(/pre-shared-key-chain QKD_KC/);
      expect(caQkd).not.toMatch(/pre-shared-key \{/);
      expect(r1).toMatch(/qkd-every-minute/); // not removed without the option
      expect(r1).toMatch(/user qkd \{/);
      expect(bench.junos.device('r3').committedText()).toMatch(/transmit-interval 2000/); // the operator's MKA settings stay
      expectNoDropNorFallback(ADOPTED);

      // --remove-field-script: its event-options, script entry, user and the unused CA_OLD go.
      const removal = await rotator.init({ removeFieldScript: true });
      expect(removal.errors).toEqual([]);
      expect(removal.devices.find((d) => d.device === 'r1')!.changes).toEqual([
        'event-options event-script file qkd-macsec.py: remove',
        'event-options policy qkd-rotate: remove',
        'event-options generate-event qkd-every-minute: remove',
        'event-options traceoptions (file qkd-events.log): remove',
        'system login user qkd: remove',
        "connectivity-association CA_OLD: remove (the field script's; no interface uses it after init)",
      ]);
      for (const d of ['r1', 'r2', 'r3', 'r4']) {
        const text = bench.junos.device(d).committedText();
        expect(text, d).not.toMatch(/qkd-rotate|qkd-macsec|qkd-events|CA_OLD/);
        expect(text, d).not.toMatch(/user qkd(-script)? \{/);
      }
      const third = await rotator.init();
      expect(third.changed).toBe(false);
      expect(third.devices.every((d) => d.fieldScript === undefined || d.fieldScript.artefacts.every((a) => /apply-macro|v3\.3\)$/.test(a)))).toBe(true);

      // Rotations replace the adopted keys; nothing drops, nothing runs on fallback.
      for (let i = 0; i < 4; i++) {
        const report = await rotator.rotate();
        expect(report.links.map((l) => [l.link, l.result, l.error?.message])).toEqual(['L1', 'L2', 'L3', 'G1'].map((n) => [n, 'ok', undefined]));
        for (const id of SIM_LINK_IDS) expect(bench.junos.linkStatus(id).state, id).toBe('secured');
      }
      for (const ckn of [L1_CKN, L3_CKN, hex('c3')]) expect(Object.values(bench.junos.linkStatus('L1')).join()).not.toContain(ckn);
      // The adopted keys were pruned like any older key: the chains hold previous, active (and no more).
      expect(bench.junos.device('r1').committedText()).not.toContain(L1_CKN);
      expect(bench.junos.device('r3').committedText()).not.toContain(`key-name ${hex('c3')}`);
      expectNoDropNorFallback(ADOPTED);
      expect(bench.junos.downIntervalsSince(bench.junos.now() - 1).filter((d) => d.to === undefined)).toEqual([]);
    } finally {
      await rotator.close();
    }
  }, 120_000);
});
