// KMEs in separate simulator instances (as with one `sim-kme serve --kme X` per process): a key
// issued on KME_A reaches KME_B through the KME-to-KME relay over mutual TLS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQkdClient, QkdServiceUnavailableError, type QkdClient } from '@qkd-macsec/etsi-qkd-client';
import { createSimPki, startSimKme, type SimKme, type SimKmeConfigInput, type SimPki } from '../index.js';
import { rawCall } from './testing/raw-https.js';

let pki: SimPki;
let simA: SimKme;
let simB: SimKme;
const clients: QkdClient[] = [];
const topology = (portB: number): SimKmeConfigInput => ({
  kmes: [
    { id: 'KME_A', saes: ['SAE_A'] },
    { id: 'KME_B', port: portB, saes: ['SAE_B'] },
  ],
  links: [{ kmes: ['KME_A', 'KME_B'], maxKeyCount: 10, keyRateBps: 0 }],
});
const client = (sim: SimKme, kme: string, sae: string) => {
  const c = createQkdClient({
    baseUrl: sim.kmes[kme]!.url,
    tls: { cert: pki.saes[sae]!.certPem, key: pki.saes[sae]!.keyPem, ca: pki.ca.certPem },
    retry: false,
  });
  clients.push(c);
  return c;
};

beforeAll(async () => {
  pki = await createSimPki({ kmeIds: ['KME_A', 'KME_B'], saeIds: ['SAE_A', 'SAE_B'] });
  // B first on a free port; A then knows where B is. B does not know A's port (0), so only A→B relays.
  simB = await startSimKme({ ...topology(0), pki, local: ['KME_B'], admin: {} });
  simA = await startSimKme({ ...topology(simB.kmes.KME_B!.port), pki, local: ['KME_A'] });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await simA?.close();
  await simB?.close();
});

describe('one KME per simulator instance', () => {
  it('each instance serves only its own KME', () => {
    expect(Object.keys(simA.kmes)).toEqual(['KME_A']);
    expect(Object.keys(simB.kmes)).toEqual(['KME_B']);
  });

  it('an instance\'s admin endpoint and handle cover its own KMEs only', async () => {
    const all = await fetch(`${simB.adminUrl}/faults`);
    expect(Object.keys((await all.json()) as object)).toEqual(['KME_B']);
    const other = await fetch(`${simB.adminUrl}/faults/KME_A`, { method: 'PUT', body: '{"dropRate":1}' });
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ error: 'unknown KME "KME_A"; this simulator serves KME_B' });
    expect(() => simB.getFaults('KME_A')).toThrow('faults: unknown KME "KME_A"; this simulator serves KME_B');
  });

  it('a key issued on KME_A is fetched once on KME_B, and both pools count it', async () => {
    const { keys } = await client(simA, 'KME_A', 'SAE_A').getKey('SAE_B', { number: 2 });
    const slave = client(simB, 'KME_B', 'SAE_B');
    const got = await slave.getKeyWithIds('SAE_A', keys.map((k) => k.keyId));
    expect(got.keys.map((k) => Buffer.from(k.bytes).toString('hex'))).toEqual(keys.map((k) => Buffer.from(k.bytes).toString('hex')));
    expect(simA.network.link('KME_A', 'KME_B')!.storedKeyCount()).toBe(8);
    expect((await slave.getStatus('SAE_A')).stored_key_count).toBe(8);
  });

  it('KME_B cannot relay to a KME whose address it does not know: 503 naming the reason, no key kept', async () => {
    const err = await client(simB, 'KME_B', 'SAE_B').getKey('SAE_A').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QkdServiceUnavailableError);
    expect((err as QkdServiceUnavailableError).etsiError?.message).toBe('key relay to KME_A: no address: its port is 0 in the configuration');
  });

  it('the relay refuses SAEs and unlinked callers', async () => {
    const res = await rawCall(simB.kmes.KME_B!.url, '/sim/v1/relay', { cert: pki.saes.SAE_A!.certPem, key: pki.saes.SAE_A!.keyPem, ca: pki.ca.certPem }, {
      body: { from: 'SAE_A', to: 'KME_B', bits: 0, keys: [] },
    });
    expect(res).toMatchObject({ status: 401, json: { message: 'the relay accepts only KMEs linked to KME_B' } });
  });

  it('a relay body from a linked KME is validated', async () => {
    const a = pki.kmeClients!.KME_A!;
    const res = await rawCall(simB.kmes.KME_B!.url, '/sim/v1/relay', { cert: a.certPem, key: a.keyPem, ca: pki.ca.certPem }, {
      body: { from: 'KME_A', to: 'KME_B', bits: 0, keys: [{ key_ID: 'x', key: 'AAAA', master_SAE_ID: 'SAE_A', slave_SAE_IDs: ['SAE_B'] }] },
    });
    expect(res.status).toBe(400);
    expect((res.json as { message: string }).message).toMatch(/^invalid relay body: keys\.0\.key_ID: /);
  });
});
