// The engine over DeviceOps and a KeySource, end to end on sim-kme + sim-junos: r2 and r3 (and their
// SAEs on KME_B) sit at a site "dcB" behind an agent, the rest is reached directly, and the links mix
// both (L1 r1→r2, L2 r3→r4, L3 r1→r3). The agent here is an in-process AgentClient built from the real
// ETSI clients and directOps on its own NETCONF sessions (the agent's HTTPS wire is agent/'s): it keeps
// the keys of each transaction, resolves the coordinator's key references right before the load, and
// zeroes them at endTx. Init + rotations must run the unchanged protocol with zero down time, the
// coordinator never speaking as dcB's SAEs nor to dcB's devices.
import type { JunosDevice } from '@qkd-macsec/junos-netconf';
import { deriveCknCak, requiredKeyBits, type MacsecConfig, type Secret } from '@qkd-macsec/macsec-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyCheckValue } from '../agent/protocol/check-value.js';
import { refOf } from '../agent/protocol/refs.js';
import type { EngineConfig } from '../engine/config-view.js';
import { directOps } from '../fleet/direct-ops.js';
import type { AgentClient, AgentDirectory, DeviceOps, Load } from '../fleet/ops.js';
import { SIM_LINK_IDS, startBench, type Bench } from './testing/harness.js';

const SITE = { saes: ['SAE_r2', 'SAE_r3'], devices: { r2: { sae: 'SAE_r2' }, r3: { sae: 'SAE_r3' } } };

let bench: Bench;
beforeAll(async () => {
  bench = await startBench();
});
afterAll(async () => {
  await bench?.close();
});

/** dcB's agent, in this process: what it does with keys and devices, without the HTTPS between. */
function siteAgent(b: Bench) {
  const keys = new Map<string, { tx: string; bytes: Uint8Array }>();
  const ended: string[] = [];
  const sessions = new Map<string, Promise<JunosDevice>>();
  const session = (name: string) => {
    let s = sessions.get(name);
    if (!s) {
      sessions.set(name, (s = b.connectDevice(name)));
    }
    return s;
  };
  const clients = new Map(SITE.saes.map((sae) => [sae, b.kmeClient(sae)]));
  const keep = (tx: string, k: { keyId: string; bits: number; bytes: Uint8Array; wipe(): void }) => {
    const bytes = Uint8Array.from(k.bytes);
    k.wipe();
    keys.set(k.keyId, { tx, bytes });
    return { keyId: k.keyId, ckn: deriveCknCak({ keyId: k.keyId, bytes }, { cipherSuite: 'gcm-aes-256', strategy: 'sha256-keyid' }).ckn, bits: bytes.length * 8, check: keyCheckValue(bytes, k.keyId) };
  };
  // A key reference becomes the CAK only here, right before the load.
  const real = (s: Secret): Secret => {
    const r = refOf(s);
    if (!r) return s;
    if (!('key' in r)) throw new Error('device references are not used in this test');
    const k = keys.get(r.key);
    if (!k) throw new Error(`key-not-held: ${r.key}`);
    return deriveCknCak({ keyId: r.key, bytes: k.bytes }, { cipherSuite: 'gcm-aes-256', strategy: 'sha256-keyid' }).cak;
  };
  const resolve = (c: MacsecConfig): MacsecConfig => ({
    ...c,
    ...(c.connectivityAssociations
      ? {
          connectivityAssociations: c.connectivityAssociations.map((ca) => ({
            ...ca,
            ...(ca.preSharedKey ? { preSharedKey: { ...ca.preSharedKey, cak: real(ca.preSharedKey.cak) } } : {}),
            ...(ca.fallbackKey ? { fallbackKey: { ...ca.fallbackKey, cak: real(ca.fallbackKey.cak) } } : {}),
          })),
        }
      : {}),
    ...(c.keyChains ? { keyChains: c.keyChains.map((ch) => ({ ...ch, keys: ch.keys.map((k) => (k.secret ? { ...k, secret: real(k.secret) } : k)) })) } : {}),
  });
  const change = <T extends { config: MacsecConfig } | undefined>(x: T): T => (x ? { ...x, config: resolve(x.config) } : x);
  const load = (l: Load): Load => (l.action === 'merge' ? { ...l, change: change(l.change) } : l.action === 'replace' ? { ...l, config: resolve(l.config) } : l);
  const deviceOps = (name: string): DeviceOps => {
    const on = async <T>(fn: (d: DeviceOps) => Promise<T>) => fn(directOps(name, await session(name)));
    return {
      device: name,
      readMacsec: (parts) => on((d) => d.readMacsec(parts)),
      loginUsers: () => on((d) => d.loginUsers()),
      facts: () => on((d) => d.facts()),
      mkaSessions: () => on((d) => d.mkaSessions()),
      commit: (loads, o) => on((d) => d.commit(loads.map(load), o)),
      confirmPending: (c, comment) => on((d) => d.confirmPending(change(c), comment)),
      stage: (tx, c, o) => on((d) => d.stage(tx, change(c), o)),
      confirmStaged: (tx, c, comment) => on((d) => d.confirmStaged(tx, change(c), comment)),
      releaseStaged: (tx) => on((d) => d.releaseStaged(tx)),
    };
  };
  const agent: AgentClient = {
    site: 'dcB',
    url: 'https://agent-dcB.invalid',
    async encKey(r) {
      const [path, ...additional] = r.slaveSaes;
      const reply = await clients.get(r.masterSae)!.getKey(path!, { number: 1, size: requiredKeyBits(r.cipherSuite), ...(additional.length ? { additionalSlaveSaeIds: additional } : {}) });
      return keep(r.tx, reply.keys[0]!);
    },
    async decKey(r) {
      return keep(r.tx, (await clients.get(r.sae)!.getKeyWithIds(r.masterSae, [r.keyId])).keys[0]!);
    },
    async endTx(tx) {
      for (const [id, k] of keys) if (k.tx === tx) (k.bytes.fill(0), keys.delete(id));
      ended.push(tx);
    },
    device: deviceOps,
    async close() {
      await Promise.allSettled([...sessions.values()].map(async (s) => (await s).close()));
      await Promise.allSettled([...clients.values()].map((c) => c.close()));
    },
  };
  const directory: AgentDirectory = {
    forDevice: (d) => (d in SITE.devices ? agent : undefined),
    forSae: (s) => (SITE.saes.includes(s) ? agent : undefined),
    all: () => [agent],
    close: () => agent.close(),
  };
  return { directory, keys, ended };
}

describe('a fleet mixing direct devices and a site agent (engine over DeviceOps/KeySource)', () => {
  it('inits and rotates hitlessly; the coordinator never speaks as the site SAEs nor to its devices; every transaction ends at the agent', async () => {
    const site = siteAgent(bench);
    const direct = (names: Record<string, unknown>) => Object.fromEntries(Object.entries(names).filter(([n]) => !(n in SITE.devices) && !SITE.saes.includes(n)));
    const config: EngineConfig = { ...bench.config, devices: direct(bench.config.devices) as EngineConfig['devices'], saes: direct(bench.config.saes) as EngineConfig['saes'], sites: { dcB: SITE } };
    const asked: string[] = [];
    const rotator = bench.rotator({
      config,
      agents: site.directory,
      kmeClientFor: (sae) => (asked.push(`kme ${sae}`), bench.kmeClient(sae)),
      connectDevice: (name) => {
        asked.push(`device ${name}`);
        return bench.connectDevice(name);
      },
    });
    try {
      const init = await rotator.init();
      expect(init.errors).toEqual([]);
      expect(init.firstKeys.map((k) => k.link).sort()).toEqual(['G1', 'L1', 'L2', 'L3']);
      expect(init.fallbackKeys!.map((k) => k.link).sort()).toEqual(['G1', 'L1', 'L2', 'L3']);
      for (const id of SIM_LINK_IDS) expect(bench.junos.linkStatus(id).state, id).toBe('secured');
      const securedFrom = bench.junos.now();
      expect(site.ended).toHaveLength(1); // init's transaction
      expect(site.keys.size).toBe(0);

      for (let i = 0; i < 3; i++) {
        const report = await rotator.rotate();
        expect(report.links.map((l) => [l.link, l.result, l.error?.message])).toEqual(['L1', 'L2', 'L3', 'G1'].map((n) => [n, 'ok', undefined]));
        expect(site.keys.size, 'the agent holds no key between cycles').toBe(0);
      }
      expect(site.ended).toHaveLength(4);
      expect(bench.junos.downIntervalsSince(securedFrom)).toEqual([]);
      expect((await rotator.status()).every((s) => s.secured)).toBe(true);
      // The coordinator reached only the direct SAEs and devices.
      expect([...new Set(asked)].sort()).toEqual(['device r1', 'device r4', 'device r5', 'device r6', 'device r7', 'kme SAE_r1', 'kme SAE_r4', 'kme SAE_r5', 'kme SAE_r6', 'kme SAE_r7']);
      // r2 and r3 hold the same keys as their direct peers: the links are secured on the new CKNs.
      const r2 = bench.junos.device('r2').committedText();
      const state = (await rotator.status()).find((s) => s.link === 'L1')!;
      expect(r2).toContain(state.ckn!);
    } finally {
      await rotator.close();
    }
  }, 120_000);
});
