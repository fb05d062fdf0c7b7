// What test suites written for other KMEs (the ETSI reference implementation among them) expect
// of a KME, over real HTTPS with mutual TLS: an enc_keys POST with no body asks for the
// defaults, and a single-KME topology where master and slave SAEs share one KME.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQkdClient } from '@qkd-macsec/etsi-qkd-client';
import { createSimPki, startSimKme, type SimKme, type SimPki } from '../index.js';
import { rawCall } from './testing/raw-https.js';

type Keys = { keys: { key_ID: string; key: string }[] };

describe('enc_keys POST with an empty body or {}', () => {
  let sim: SimKme;
  let pki: SimPki;
  const tlsOf = (sae: string) => ({ cert: pki.saes[sae]!.certPem, key: pki.saes[sae]!.keyPem, ca: pki.ca.certPem });
  beforeAll(async () => {
    pki = await createSimPki({ kmeIds: ['KME_A', 'KME_B'], saeIds: ['SAE_A', 'SAE_B'] });
    sim = await startSimKme({ pki, defaults: { keySize: 128 } });
  });
  afterAll(() => sim.close());

  for (const [what, rawBody] of [['an empty body', ''], ['{}', '{}'], ['whitespace', ' \r\n']] as const)
    it(`${what} means one key of the default size, which the slave can fetch`, async () => {
      const enc = await rawCall(sim.kmes.KME_A!.url, '/api/v1/keys/SAE_B/enc_keys', tlsOf('SAE_A'), { method: 'POST', rawBody });
      expect(enc.status, enc.body).toBe(200);
      const { keys } = enc.json as Keys;
      expect(keys).toHaveLength(1);
      expect(Buffer.from(keys[0]!.key, 'base64')).toHaveLength(16);
      const dec = await rawCall(sim.kmes.KME_B!.url, '/api/v1/keys/SAE_A/dec_keys', tlsOf('SAE_B'), { body: { key_IDs: [{ key_ID: keys[0]!.key_ID }] } });
      expect(dec).toMatchObject({ status: 200, json: { keys } });
    });

  it('an empty dec_keys body is still refused: it names no key', async () => {
    const dec = await rawCall(sim.kmes.KME_B!.url, '/api/v1/keys/SAE_A/dec_keys', tlsOf('SAE_B'), { method: 'POST', rawBody: '' });
    expect(dec).toMatchObject({ status: 400, json: { message: 'the Key IDs body is not valid JSON' } });
  });
});

describe('single-KME topology', () => {
  let sim: SimKme;
  let pki: SimPki;
  const tlsOf = (sae: string) => ({ cert: pki.saes[sae]!.certPem, key: pki.saes[sae]!.keyPem, ca: pki.ca.certPem });
  beforeAll(async () => {
    pki = await createSimPki({ kmeIds: ['KME_1'], saeIds: ['SAE_M', 'SAE_S', 'SAE_T'] });
    sim = await startSimKme({ pki, topology: 'single-kme', kmes: [{ id: 'KME_1', saes: ['SAE_M', 'SAE_S', 'SAE_T'] }], defaults: { maxKeyCount: 50 } });
  });
  afterAll(() => sim.close());
  const url = () => sim.kmes.KME_1!.url;

  it('reports a Status whose source and target are the same KME', async () => {
    const res = await rawCall(url(), '/api/v1/keys/SAE_S/status', tlsOf('SAE_M'));
    expect(res).toMatchObject({
      status: 200,
      json: { source_KME_ID: 'KME_1', target_KME_ID: 'KME_1', master_SAE_ID: 'SAE_M', slave_SAE_ID: 'SAE_S', max_key_count: 50, stored_key_count: 50 },
    });
  });

  it('hands a key to the master and once to the slave, both on the one KME (ETSI client, GET and POST)', async () => {
    const master = createQkdClient({ baseUrl: url(), tls: tlsOf('SAE_M'), retry: false });
    const slave = createQkdClient({ baseUrl: url(), tls: tlsOf('SAE_S'), retry: false });
    try {
      const { keys } = await master.getKey('SAE_S', { number: 2, size: 256 });
      const fetched = await slave.getKeyWithIds('SAE_M', keys.map((k) => k.keyId));
      expect(fetched.keys.map((k) => Buffer.from(k.bytes).toString('hex'))).toEqual(keys.map((k) => Buffer.from(k.bytes).toString('hex')));
      const again = await rawCall(url(), `/api/v1/keys/SAE_M/dec_keys?key_ID=${keys[0]!.keyId}`, tlsOf('SAE_S'));
      expect(again.status).toBe(400);
    } finally {
      await master.close();
      await slave.close();
    }
  });

  it('keeps a key from an SAE it was not issued for, and refuses an SAE asking keys for itself', async () => {
    const enc = await rawCall(url(), '/api/v1/keys/SAE_S/enc_keys', tlsOf('SAE_M'), { method: 'POST', rawBody: '' });
    const keyId = (enc.json as Keys).keys[0]!.key_ID;
    const thief = await rawCall(url(), `/api/v1/keys/SAE_M/dec_keys?key_ID=${keyId}`, tlsOf('SAE_T'));
    expect(thief).toMatchObject({ status: 401, json: { message: `SAE "SAE_T" was not named for key ${keyId}` } });
    const self = await rawCall(url(), '/api/v1/keys/SAE_M/enc_keys', tlsOf('SAE_M'));
    expect(self).toMatchObject({ status: 400, json: { message: 'slave SAE "SAE_M" is the caller itself; a key goes from one SAE to another' } });
  });

  it('multicast: additional slaves on the same KME each fetch the key once', async () => {
    const enc = await rawCall(url(), '/api/v1/keys/SAE_S/enc_keys', tlsOf('SAE_M'), { body: { additional_slave_SAE_IDs: ['SAE_T'] } });
    expect(enc.status, enc.body).toBe(200);
    const key = (enc.json as Keys).keys[0]!;
    for (const sae of ['SAE_S', 'SAE_T']) expect(await rawCall(url(), `/api/v1/keys/SAE_M/dec_keys?key_ID=${key.key_ID}`, tlsOf(sae))).toMatchObject({ status: 200, json: { keys: [key] } });
  });
});

describe('single-KME topology: configuration', () => {
  it('names what is wrong with a single-KME configuration', async () => {
    await expect(startSimKme({ topology: 'single-kme', kmes: [{ id: 'K', saes: ['A', 'B'] }, { id: 'L' }] })).rejects.toThrow(/kmes: topology single-kme takes exactly one KME, got 2/);
    await expect(startSimKme({ topology: 'single-kme', kmes: [{ id: 'K', saes: ['A'] }] })).rejects.toThrow(/kmes\[0\]\.saes: topology single-kme needs two SAEs or more/);
  });

  it('the default topology still refuses keys between two SAEs of one KME', async () => {
    const pki = await createSimPki({ kmeIds: ['KME_A', 'KME_B'], saeIds: ['SAE_A', 'SAE_A2', 'SAE_B'] });
    const sim = await startSimKme({ pki, kmes: [{ id: 'KME_A', saes: ['SAE_A', 'SAE_A2'] }, { id: 'KME_B', saes: ['SAE_B'] }], links: [{ kmes: ['KME_A', 'KME_B'] }] });
    try {
      const res = await rawCall(sim.kmes.KME_A!.url, '/api/v1/keys/SAE_A2/enc_keys', { cert: pki.saes.SAE_A!.certPem, key: pki.saes.SAE_A!.keyPem, ca: pki.ca.certPem });
      expect(res).toMatchObject({ status: 400, json: { message: 'slave SAE "SAE_A2" is attached to KME_A itself; keys are delivered only across a QKD link' } });
    } finally {
      await sim.close();
    }
  });
});
