// The KeySource: first the checks it makes on what KMEs deliver, with scripted ETSI clients (the
// wire is covered by the e2e tests against sim-kme); then direct, agent and mixed links against
// real sim-kme KMEs.
import { createHash } from 'node:crypto';
import { createQkdClient, type QkdClient, type QkdKey } from '@qkd-macsec/etsi-qkd-client';
import type { JunosDevice } from '@qkd-macsec/junos-netconf';
import { deriveCknCak, keyChainRotationChange, requiredKeyBits, type CipherSuite } from '@qkd-macsec/macsec-config';
import { startSimKme, type SimKme } from '@qkd-macsec/sim-kme';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyCheckValue } from '../agent/protocol/check-value.js';
import { refOf, SecretReferenceError } from '../agent/protocol/refs.js';
import { engineView, resolveLinks, type EngineConfig } from '../engine/config-view.js';
import { directOps } from './direct-ops.js';
import { createKeySource, KeyFetchError } from './keys.js';
import type { AgentClient, AgentDirectory, AgentKeyInfo, CknStrategy } from './ops.js';

const ID = '550e8400-e29b-41d4-a716-446655440000';
const config: EngineConfig = {
  saes: { SA: { kme: 'K1' }, SB: { kme: 'K2' }, SC: { kme: 'K3' } },
  devices: { r1: { sae: 'SA' }, r2: { sae: 'SB' }, r3: { sae: 'SC' } },
  links: [{ name: 'G', master: { device: 'r1', interfaces: ['et-0/0/0', 'et-0/0/1'] }, slaves: [{ device: 'r2', interfaces: ['et-0/0/0'] }, { device: 'r3', interfaces: ['et-0/0/0'] }] }],
  rotation: { mode: 'key-chain', cipherSuite: 'gcm-aes-128', ckn: { strategy: 'sha256-keyid' }, leadTimeSeconds: 60, intervalSeconds: 3600, concurrency: 4, confirmTimeoutMinutes: 5 },
  stateDir: '/tmp/x',
};
const link = resolveLinks(config)[0]!;
const opts = { tx: 'tx-1', cipherSuite: 'gcm-aes-128' as const, kind: 'primary' as const };

function key(bytes: Uint8Array, id = ID): QkdKey {
  return { keyId: id, bits: bytes.length * 8, bytes, wipe: () => bytes.fill(0) } as unknown as QkdKey;
}

function sourceWith(copies: Record<string, Uint8Array>, calls: string[]) {
  const client = (sae: string) =>
    ({
      async getKey(slave: string, req: { size: number; additionalSlaveSaeIds?: string[] }) {
        calls.push(`${sae} enc_keys ${slave} size=${req.size} additional=${(req.additionalSlaveSaeIds ?? []).join(',')}`);
        return { keys: [key(new Uint8Array(16).fill(7))] };
      },
      async getKeyWithIds(master: string, ids: string[]) {
        calls.push(`${sae} dec_keys ${master} ${ids.join(',')}`);
        return { keys: [key(copies[sae] ?? new Uint8Array(16).fill(7))] };
      },
      close: async () => undefined,
    }) as unknown as QkdClient;
  return createKeySource({ config, kmeClientFor: client });
}

describe('KeySource, direct SAEs (scripted KMEs)', () => {
  it('asks for exactly the CAK bits, names the other slaves as additional, derives one CKN', async () => {
    const calls: string[] = [];
    const keys = sourceWith({}, calls);
    const k = await keys.fetch(link, opts);
    expect(calls).toEqual([`SA enc_keys SB size=128 additional=SC`, `SB dec_keys SA ${ID}`, `SC dec_keys SA ${ID}`]);
    expect(k.keyId).toBe(ID);
    expect(k.ckn).toMatch(/^[0-9a-f]{64}$/);
    expect(String(k.cakFor('r2'))).toBe('[redacted]');
    expect(k.cakFor('r2').reveal()).toBe('07'.repeat(16));
    await keys.close();
  });

  it('refuses a slave copy that differs, naming the SAE and KME but never the key', async () => {
    const keys = sourceWith({ SC: new Uint8Array(16).fill(8) }, []);
    const err = await keys.fetch(link, opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyFetchError);
    expect((err as Error).message).toBe(`link G: the key ${ID} delivered to SC by K3 differs from the master's copy`);
    expect((err as KeyFetchError).context).toMatchObject({ sae: 'SC', kme: 'K3', keyId: ID });
    await keys.close();
  });

  it('refuses a slave copy of another length', async () => {
    const keys = sourceWith({ SB: new Uint8Array(32).fill(7) }, []);
    await expect(keys.fetch(link, opts)).rejects.toThrow(`link G: K2 returned key ${ID} of 256 bits for key ${ID} of 128 bits`);
    await keys.close();
  });
});

// ---- Against real KMEs (sim-kme over mTLS): SAEs reached directly, SAEs at a site agent, and both
// on one link. The "agent" here is an in-process AgentClient on the real ETSI client with the
// site SAE's certificate (agent/protocol's wire is tested with the agent itself).

type TestAgent = AgentClient & { ended: string[]; holding(tx: string): number };

/** A site agent in this process: fetches as its SAEs, keeps the keys per tx, answers with key info only. */
function inProcessAgent(site: string, clientFor: (sae: string) => QkdClient, faults: { flipByte?: boolean; ckn?: CknStrategy } = {}): TestAgent {
  const held = new Map<string, Uint8Array[]>();
  const ended: string[] = [];
  const keep = (tx: string, k: QkdKey, suite: CipherSuite, ckn: CknStrategy): AgentKeyInfo => {
    const bytes = Uint8Array.from(k.bytes);
    k.wipe();
    if (faults.flipByte) bytes[0]! ^= 1; // a KME at this site delivered other bytes
    (held.get(tx) ?? held.set(tx, []).get(tx)!).push(bytes);
    const c = faults.ckn ?? ckn;
    const derived = deriveCknCak({ keyId: k.keyId, bytes }, { cipherSuite: suite, strategy: c.strategy, ...(c.strategy === 'prefix-uuid' ? { prefix: c.prefix } : {}) });
    return { keyId: k.keyId, ckn: derived.ckn, bits: bytes.length * 8, check: keyCheckValue(bytes, k.keyId) };
  };
  return {
    site,
    url: `https://agent-${site}.invalid`,
    ended,
    holding: (tx) => held.get(tx)?.length ?? 0,
    async encKey(r) {
      const [path, ...additional] = r.slaveSaes;
      const reply = await clientFor(r.masterSae).getKey(path!, { number: 1, size: requiredKeyBits(r.cipherSuite), ...(additional.length ? { additionalSlaveSaeIds: additional } : {}) });
      return keep(r.tx, reply.keys[0]!, r.cipherSuite, r.ckn);
    },
    async decKey(r) {
      const reply = await clientFor(r.sae).getKeyWithIds(r.masterSae, [r.keyId]);
      return keep(r.tx, reply.keys[0]!, r.cipherSuite, r.ckn);
    },
    async endTx(tx) {
      for (const b of held.get(tx) ?? []) b.fill(0);
      held.delete(tx);
      ended.push(tx);
    },
    device() {
      throw new Error('no devices in this test');
    },
    close: async () => undefined,
  };
}

describe('KeySource against sim-kme: direct, agent and mixed links', () => {
  let kme: SimKme;
  const issued = new Map<string, string>(); // key_ID -> key hex, as the KMEs handed it out
  const clients: QkdClient[] = [];
  const clientFor = (sae: string): QkdClient => {
    const pki = kme.pki!;
    const c = createQkdClient({ baseUrl: kme.kmes[KME_OF[sae]!]!.url, tls: { cert: pki.saes[sae]!.certPem, key: pki.saes[sae]!.keyPem, ca: pki.ca.certPem }, retry: false });
    clients.push(c);
    return c;
  };
  const KME_OF: Record<string, string> = { SAE_A1: 'KME_A', SAE_A2: 'KME_A', SAE_B1: 'KME_B', SAE_B2: 'KME_B', SAE_C1: 'KME_C' };
  // r1, r2 direct; r3 at site dcA, r4 at dcB, r5 at dcC.
  const mixed: EngineConfig = engineView({
    saes: { SAE_A1: { kme: 'KME_A' }, SAE_B1: { kme: 'KME_B' } },
    devices: { r1: { sae: 'SAE_A1' }, r2: { sae: 'SAE_B1' } },
    sites: { dcA: { saes: ['SAE_A2'], devices: { r3: { sae: 'SAE_A2' } } }, dcB: { saes: ['SAE_B2'], devices: { r4: { sae: 'SAE_B2' } } }, dcC: { saes: ['SAE_C1'], devices: { r5: { sae: 'SAE_C1' } } } },
    links: [
      { name: 'direct', master: { device: 'r1', interfaces: ['et-0/0/0'] }, slaves: [{ device: 'r2', interfaces: ['et-0/0/0'] }] },
      { name: 'agents', master: { device: 'r3', interfaces: ['et-0/0/0'] }, slaves: [{ device: 'r4', interfaces: ['et-0/0/0'] }] },
      { name: 'to-agent', master: { device: 'r1', interfaces: ['et-0/0/1'] }, slaves: [{ device: 'r4', interfaces: ['et-0/0/1'] }] },
      { name: 'from-agent', master: { device: 'r3', interfaces: ['et-0/0/1'] }, slaves: [{ device: 'r2', interfaces: ['et-0/0/1'] }] },
      { name: 'group', master: { device: 'r1', interfaces: ['et-0/0/2'] }, slaves: [{ device: 'r2', interfaces: ['et-0/0/2'] }, { device: 'r5', interfaces: ['et-0/0/2'] }] },
    ],
    rotation: { mode: 'key-chain', cipherSuite: 'gcm-aes-256', ckn: { strategy: 'sha256-keyid' }, leadTimeSeconds: 60, intervalSeconds: 3600, concurrency: 4, confirmTimeoutMinutes: 5 },
    stateDir: '/tmp/x',
  });
  const links = new Map(resolveLinks(mixed).map((l) => [l.name, l]));
  const tx = { cipherSuite: 'gcm-aes-256' as const, kind: 'primary' as const };

  function setup(faults: Partial<Record<string, Parameters<typeof inProcessAgent>[2]>> = {}) {
    const agents = Object.fromEntries(['dcA', 'dcB', 'dcC'].map((s) => [s, inProcessAgent(s, clientFor, faults[s])]));
    const siteOf: Record<string, string> = { SAE_A2: 'dcA', r3: 'dcA', SAE_B2: 'dcB', r4: 'dcB', SAE_C1: 'dcC', r5: 'dcC' };
    const directory: AgentDirectory = {
      forDevice: (d) => agents[siteOf[d] ?? ''],
      forSae: (s) => agents[siteOf[s] ?? ''],
      all: () => Object.values(agents),
      close: async () => undefined,
    };
    const coordinatorSaes: string[] = [];
    const keys = createKeySource({ config: mixed, agents: directory, kmeClientFor: (sae) => (coordinatorSaes.push(sae), clientFor(sae)) });
    return { keys, agents, coordinatorSaes };
  }

  beforeAll(async () => {
    kme = await startSimKme({
      kmes: [
        { id: 'KME_A', port: 0, saes: ['SAE_A1', 'SAE_A2'] },
        { id: 'KME_B', port: 0, saes: ['SAE_B1', 'SAE_B2'] },
        { id: 'KME_C', port: 0, saes: ['SAE_C1'] },
      ],
      links: [{ kmes: ['KME_A', 'KME_B'] }, { kmes: ['KME_A', 'KME_C'] }, { kmes: ['KME_B', 'KME_C'] }],
      onKeyIssued: (e) => void issued.set(e.keyId, e.key.toString('hex')),
    });
  });
  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await kme?.close();
  });

  it('all direct: the coordinator holds the key; the CAK is the key itself, no agent is asked', async () => {
    const { keys, agents, coordinatorSaes } = setup();
    const k = await keys.fetch(links.get('direct')!, { ...tx, tx: 't-direct' });
    expect(k.bits).toBe(256);
    expect(k.ckn).toBe(createHash('sha256').update(k.keyId).digest('hex'));
    for (const d of ['r1', 'r2']) {
      expect(refOf(k.cakFor(d))).toBeUndefined();
      expect(k.cakFor(d).reveal()).toBe(issued.get(k.keyId));
    }
    expect(coordinatorSaes.sort()).toEqual(['SAE_A1', 'SAE_B1']);
    await keys.release('t-direct');
    expect(Object.values(agents).flatMap((a) => a.ended)).toEqual([]);
    await keys.close();
  });

  it('all at agents: the coordinator gets key_ID, CKN and size only; each device gets a reference; release ends the tx at both agents', async () => {
    const { keys, agents, coordinatorSaes } = setup();
    const k = await keys.fetch(links.get('agents')!, { ...tx, tx: 't-agents' });
    expect(issued.has(k.keyId)).toBe(true);
    expect(k.ckn).toBe(createHash('sha256').update(k.keyId).digest('hex'));
    for (const d of ['r3', 'r4']) expect(refOf(k.cakFor(d))).toEqual({ key: k.keyId });
    expect(coordinatorSaes).toEqual([]); // never a KME client of its own
    expect([agents.dcA!.holding('t-agents'), agents.dcB!.holding('t-agents')]).toEqual([1, 1]);
    await keys.release('t-agents');
    expect([agents.dcA!.ended, agents.dcB!.ended, agents.dcC!.ended]).toEqual([['t-agents'], ['t-agents'], []]);
    expect(agents.dcA!.holding('t-agents') + agents.dcB!.holding('t-agents')).toBe(0);
    await keys.close();
  });

  it('mixed, both ways and in a group: copies compared by check value; direct devices get the Secret, agent devices a reference', async () => {
    const { keys, agents } = setup();
    const to = await keys.fetch(links.get('to-agent')!, { ...tx, tx: 't-mixed' });
    expect(to.cakFor('r1').reveal()).toBe(issued.get(to.keyId));
    expect(refOf(to.cakFor('r4'))).toEqual({ key: to.keyId });
    const from = await keys.fetch(links.get('from-agent')!, { ...tx, tx: 't-mixed' });
    expect(refOf(from.cakFor('r3'))).toEqual({ key: from.keyId });
    expect(from.cakFor('r2').reveal()).toBe(issued.get(from.keyId)); // the slave's copy, fetched directly
    const group = await keys.fetch(links.get('group')!, { ...tx, tx: 't-mixed' });
    expect(group.cakFor('r1').reveal()).toBe(issued.get(group.keyId));
    expect(group.cakFor('r2').reveal()).toBe(issued.get(group.keyId));
    expect(refOf(group.cakFor('r5'))).toEqual({ key: group.keyId });
    await keys.release('t-mixed');
    expect([agents.dcA!.ended, agents.dcB!.ended, agents.dcC!.ended]).toEqual([['t-mixed'], ['t-mixed'], ['t-mixed']]);
    await keys.close();
  });

  it('refuses a copy at an agent whose check value differs, naming the site; release still ends the tx there', async () => {
    const { keys, agents } = setup({ dcB: { flipByte: true } });
    const err = await keys.fetch(links.get('to-agent')!, { ...tx, tx: 't-check' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyFetchError);
    expect((err as Error).message).toMatch(/^link to-agent: the key [0-9a-f-]{36} delivered to SAE_B2 by agent dcB differs from the master's copy$/);
    // The same between two agents.
    await expect(keys.fetch(links.get('agents')!, { ...tx, tx: 't-check' })).rejects.toThrow(/delivered to SAE_B2 by agent dcB differs/);
    await keys.release('t-check');
    expect(agents.dcB!.ended).toEqual(['t-check']);
    expect(agents.dcB!.holding('t-check')).toBe(0);
    await keys.close();
  });

  it('refuses an agent whose CKN is not the one the coordinator derives from the key_ID', async () => {
    const { keys } = setup({ dcA: { ckn: { strategy: 'prefix-uuid', prefix: 'ab'.repeat(16) } } });
    await expect(keys.fetch(links.get('from-agent')!, { ...tx, tx: 't-ckn' })).rejects.toThrow(/^link from-agent: site dcA's agent \(SAE_A2\) derived CKN abab[0-9a-f]+ for key [0-9a-f-]{36}, the coordinator [0-9a-f]{64} .*refusing the key$/);
    await keys.release('t-ckn');
    await keys.close();
  });

  it('a change carrying an agent-held CAK is refused by a direct device before anything is sent', async () => {
    const { keys } = setup();
    const k = await keys.fetch(links.get('to-agent')!, { ...tx, tx: 't-ref' });
    await keys.release('t-ref');
    const sent: string[] = [];
    // A session that records every call: directOps must refuse before touching it.
    const session = new Proxy({} as JunosDevice, { get: (_t, prop) => (prop === 'closed' ? false : (...args: unknown[]) => (sent.push(String(prop)), Promise.resolve(args))) });
    const change = keyChainRotationChange({ slot: 1, deleteSlots: [], startsAt: new Date(0), startTime: '1970-01-01.00:00:00' } as never, { chain: 'qkd-to-agent', keyName: k.ckn, secret: k.cakFor('r4') });
    const ops = directOps('r4', session);
    await expect(ops.stage('t-ref', change, { comment: 'x', confirmMinutes: 1 })).rejects.toBeInstanceOf(SecretReferenceError);
    await expect(ops.commit([{ action: 'merge', change }], { comment: 'x' })).rejects.toThrow(/device r4 is reached directly but the CAK of key [0-9a-f-]{36} is held by a site agent/);
    await expect(ops.confirmStaged('t-ref', change, 'x')).rejects.toBeInstanceOf(SecretReferenceError);
    expect(sent).toEqual([]);
    await keys.close();
  });

  it('refuses a link whose device and SAE are reached differently, before any KME is asked', async () => {
    const odd = engineView({ ...mixed, sites: undefined, devices: { ...mixed.devices, r9: { sae: 'SAE_B2' } }, links: [{ name: 'odd', master: { device: 'r1', interfaces: ['x'] }, slaves: [{ device: 'r9', interfaces: ['x'] }] }] });
    const { coordinatorSaes } = setup();
    const keys = createKeySource({ config: odd, agents: { forDevice: () => undefined, forSae: (s) => (s === 'SAE_B2' ? inProcessAgent('dcB', clientFor) : undefined), all: () => [], close: async () => undefined }, kmeClientFor: (sae) => (coordinatorSaes.push(sae), clientFor(sae)) });
    await expect(keys.fetch(resolveLinks(odd)[0]!, { ...tx, tx: 't-odd' })).rejects.toThrow("link odd: device r9 is reached directly but its SAE SAE_B2 is behind site dcB's agent");
    expect(coordinatorSaes).toEqual([]);
  });
});
