// Batched KME requests (kme-batch.ts) through the KeySource: against a real sim-kme over mTLS, the
// requests a fleet's links share and the KME's max_key_per_request; with scripted clients, a
// dec_keys batch that fails because of one key_ID.
import { createQkdClient, type QkdClient, type QkdKey } from '@qkd-macsec/etsi-qkd-client';
import { startSimKme, type SimKme } from '@qkd-macsec/sim-kme';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveLinks, type EngineConfig } from '../engine/config-view.js';
import { createKeySource } from './keys.js';
import { createLimiter } from './limit.js';

const rotation = { mode: 'key-chain', cipherSuite: 'gcm-aes-256', ckn: { strategy: 'sha256-keyid' }, leadTimeSeconds: 60, intervalSeconds: 3600, concurrency: 4, confirmTimeoutMinutes: 5 } as const;
const opts = { tx: 'tx-1', cipherSuite: 'gcm-aes-256' as const, kind: 'primary' as const };

/** n links from r1,r3,… (SAE_A) to r2,r4,… (SAE_B). */
function fleet(n: number): EngineConfig {
  return {
    saes: { SAE_A: { kme: 'KME_A' }, SAE_B: { kme: 'KME_B' } },
    devices: Object.fromEntries(Array.from({ length: 2 * n }, (_, i) => [`r${i + 1}`, { sae: i % 2 === 0 ? 'SAE_A' : 'SAE_B' }])),
    links: Array.from({ length: n }, (_, i) => ({ name: `L${i + 1}`, master: { device: `r${2 * i + 1}`, interfaces: ['et-0/0/0'] }, slaves: [{ device: `r${2 * i + 2}`, interfaces: ['et-0/0/0'] }] })),
    rotation,
    stateDir: '/tmp/x',
  };
}

/** The real client, with every request it sends written down (operation, number of keys). */
function counted(c: QkdClient, log: string[], sae: string): QkdClient {
  return {
    getStatus: (s, o) => (log.push(`${sae} status`), c.getStatus(s, o)),
    getKey: (s, r, o) => (log.push(`${sae} enc_keys ${r?.number ?? 1}`), c.getKey(s, r, o)),
    getKeyWithIds: (m, ids, o) => (log.push(`${sae} dec_keys ${ids.length}`), c.getKeyWithIds(m, ids, o)),
    close: () => c.close(),
  };
}

describe('batched KME requests against sim-kme', () => {
  let kme: SimKme;
  const issued = new Map<string, string>();
  const clients: QkdClient[] = [];
  const clientFor = (sae: string, log: string[]): QkdClient => {
    const pki = kme.pki!;
    const c = createQkdClient({ baseUrl: kme.kmes[sae === 'SAE_A' ? 'KME_A' : 'KME_B']!.url, tls: { cert: pki.saes[sae]!.certPem, key: pki.saes[sae]!.keyPem, ca: pki.ca.certPem }, retry: false });
    clients.push(c);
    return counted(c, log, sae);
  };

  beforeAll(async () => {
    kme = await startSimKme({
      kmes: [
        { id: 'KME_A', port: 0, saes: ['SAE_A'] },
        { id: 'KME_B', port: 0, saes: ['SAE_B'] },
      ],
      // A small max_key_per_request: the batches must respect it.
      links: [{ kmes: ['KME_A', 'KME_B'], maxKeyPerRequest: 4, maxKeyCount: 1000 }],
      onKeyIssued: (e) => void issued.set(e.keyId, e.key.toString('hex')),
    });
  });
  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await kme?.close();
  });

  it('links of the same SAEs asking at once share requests of at most max_key_per_request keys; each gets its own key, the same on both sides', async () => {
    const config = fleet(10);
    const log: string[] = [];
    const keys = createKeySource({ config, kmeClientFor: (sae) => clientFor(sae, log), kmeLimit: createLimiter(2) });
    try {
      const fetched = await Promise.all(resolveLinks(config).map((l) => keys.fetch(l, opts)));
      expect(new Set(fetched.map((k) => k.keyId)).size).toBe(10);
      for (const k of fetched) {
        expect(k.cakFor('r1').reveal()).toBe(issued.get(k.keyId)); // the master's copy is the KME's key
        expect(k.bits).toBe(256);
      }
      const enc = log.filter((l) => l.startsWith('SAE_A enc_keys')).map((l) => Number(l.split(' ')[2]));
      const dec = log.filter((l) => l.startsWith('SAE_B dec_keys')).map((l) => Number(l.split(' ')[2]));
      expect(enc.reduce((a, b) => a + b, 0)).toBe(10);
      expect(dec.reduce((a, b) => a + b, 0)).toBe(10);
      expect(Math.max(...enc, ...dec)).toBe(4);
      expect(enc.length).toBeLessThanOrEqual(4); // 10 keys in requests of up to 4 (one may be cut short by its turn)
      expect(log.filter((l) => l.endsWith('status'))).toEqual(['SAE_A status']); // asked once per SAE pair
    } finally {
      await keys.close();
    }
  });

  it('a single link sends single requests and asks for no Status', async () => {
    const config = fleet(1);
    const log: string[] = [];
    const keys = createKeySource({ config, kmeClientFor: (sae) => clientFor(sae, log) });
    try {
      await keys.fetch(resolveLinks(config)[0]!, opts);
      expect(log).toEqual(['SAE_A enc_keys 1', 'SAE_B dec_keys 1']);
    } finally {
      await keys.close();
    }
  });
});

describe('batched dec_keys that fails', () => {
  it('is retried key by key: only the link whose key_ID the slave KME refuses fails', async () => {
    const config = fleet(3);
    const ids = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333'];
    const bad = ids[1]!;
    const calls: string[] = [];
    const keyOf = (id: string) => ({ keyId: id, bits: 256, bytes: new Uint8Array(32).fill(id.charCodeAt(0)), wipe() {} }) as unknown as QkdKey;
    const client = (sae: string) =>
      ({
        getStatus: async () => ({ max_key_per_request: 128 }),
        async getKey(_slave: string, r: { number: number }) {
          calls.push(`${sae} enc_keys ${r.number}`);
          return { keys: ids.slice(0, r.number).map(keyOf) };
        },
        async getKeyWithIds(_master: string, asked: string[]) {
          calls.push(`${sae} dec_keys ${asked.length}`);
          if (asked.includes(bad)) throw new Error(`key ${bad} is not known here`);
          return { keys: asked.map(keyOf) };
        },
        close: async () => undefined,
      }) as unknown as QkdClient;
    const keys = createKeySource({ config, kmeClientFor: client });
    const results = await Promise.allSettled(resolveLinks(config).map((l) => keys.fetch(l, opts)));
    expect(calls).toEqual(['SAE_A enc_keys 3', 'SAE_B dec_keys 3', 'SAE_B dec_keys 1', 'SAE_B dec_keys 1', 'SAE_B dec_keys 1']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(new RegExp(`link L2: dec_keys of key ${bad} on KME_B as SAE_B failed: .*not known here`));
    await keys.close();
  });

  it('a client that cannot be made (an SAE without a KME client) fails every waiting link with its error, never a hang', async () => {
    const config = fleet(3);
    const keys = createKeySource({
      config,
      kmeClientFor: (sae) => {
        throw new Error(`no client for ${sae}`);
      },
    });
    const results = await Promise.allSettled(resolveLinks(config).map((l) => keys.fetch(l, opts)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/link L1: enc_keys on KME_A as SAE_A for SAE_B failed: no client for SAE_A/);
    await keys.close();
  });
});
