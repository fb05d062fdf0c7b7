// The simulator's HTTP surface checked byte for byte with a bare node:https caller over real
// mTLS: exact status codes and ETSI Error messages, GET and POST forms, entitlement rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCertificate } from '@qkd-macsec/cert-lcm';
import { ETSI_400_MESSAGES } from '@qkd-macsec/etsi-qkd-client/schemas';
import { createSimPki, startSimKme, type SimKme, type SimPki } from '../index.js';
import { rawCall } from './testing/raw-https.js';

let sim: SimKme;
let pki: SimPki;
const tlsOf = (sae: string) => ({ cert: pki.saes[sae]!.certPem, key: pki.saes[sae]!.keyPem, ca: pki.ca.certPem });
const url = (kme: string) => sim.kmes[kme]!.url;
let t = 0;

beforeAll(async () => {
  pki = await createSimPki({ kmeIds: ['KME_A', 'KME_B', 'KME_C'], saeIds: ['SAE_A', 'SAE_B', 'SAE_B2', 'SAE_C', 'SAE_X'] });
  sim = await startSimKme({
    pki,
    now: () => t,
    kmes: [
      { id: 'KME_A', saes: ['SAE_A'] },
      { id: 'KME_B', saes: ['SAE_B', 'SAE_B2'] },
      { id: 'KME_C', saes: ['SAE_C'] },
    ],
    links: [
      { kmes: ['KME_A', 'KME_B'], maxKeyCount: 20, keyRateBps: 256 },
      { kmes: ['KME_A', 'KME_C'], maxSaeIdCount: 0 },
    ],
    extensions: { route_type: ['direct'] },
  });
});
afterAll(() => sim.close());

describe('status', () => {
  it('reports the link honestly', async () => {
    const res = await rawCall(url('KME_A'), '/api/v1/keys/SAE_B/status', tlsOf('SAE_A'));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      source_KME_ID: 'KME_A',
      target_KME_ID: 'KME_B',
      master_SAE_ID: 'SAE_A',
      slave_SAE_ID: 'SAE_B',
      key_size: 256,
      stored_key_count: 20,
      max_key_count: 20,
      max_key_per_request: 128,
      max_key_size: 1024,
      min_key_size: 64,
      max_SAE_ID_count: 4,
    });
  });

  it('400 for a slave with no link, 401 for a caller not attached to this KME', async () => {
    const noLink = await rawCall(url('KME_B'), '/api/v1/keys/SAE_C/status', tlsOf('SAE_B'));
    expect(noLink).toMatchObject({ status: 400, json: { message: 'no QKD link between KME_B and KME_C (the KME of slave SAE "SAE_C")' } });
    const elsewhere = await rawCall(url('KME_B'), '/api/v1/keys/SAE_A/status', tlsOf('SAE_A'));
    expect(elsewhere).toMatchObject({ status: 401, json: { message: 'SAE "SAE_A" is attached to KME_A, not to KME_B' } });
  });
});

describe('enc_keys and dec_keys', () => {
  it('GET forms: a key goes to the master and once to the slave', async () => {
    const enc = await rawCall(url('KME_A'), '/api/v1/keys/SAE_B/enc_keys?number=1&size=128', tlsOf('SAE_A'));
    expect(enc.status).toBe(200);
    const [key] = (enc.json as { keys: { key_ID: string; key: string }[] }).keys;
    expect(Buffer.from(key!.key, 'base64')).toHaveLength(16);
    const dec = await rawCall(url('KME_B'), `/api/v1/keys/SAE_A/dec_keys?key_ID=${key!.key_ID}`, tlsOf('SAE_B'));
    expect(dec).toMatchObject({ status: 200, json: { keys: [key] } });
    const again = await rawCall(url('KME_B'), `/api/v1/keys/SAE_A/dec_keys?key_ID=${key!.key_ID}`, tlsOf('SAE_B'));
    expect(again).toMatchObject({ status: 400, json: { message: ETSI_400_MESSAGES.keysNotFound } });
  });

  it('POST forms with several keys; a third SAE may not take them', async () => {
    const enc = await rawCall(url('KME_A'), '/api/v1/keys/SAE_B/enc_keys', tlsOf('SAE_A'), { body: { number: 3 } });
    const keys = (enc.json as { keys: { key_ID: string; key: string }[] }).keys;
    expect(keys).toHaveLength(3);
    expect(new Set(keys.map((k) => k.key_ID)).size).toBe(3);
    const body = { key_IDs: keys.map((k) => ({ key_ID: k.key_ID })) };
    const thief = await rawCall(url('KME_B'), '/api/v1/keys/SAE_A/dec_keys', tlsOf('SAE_B2'), { body });
    expect(thief.status).toBe(401);
    expect(thief.body).not.toContain(keys[0]!.key);
    const dec = await rawCall(url('KME_B'), '/api/v1/keys/SAE_A/dec_keys', tlsOf('SAE_B'), { body });
    expect(dec).toMatchObject({ status: 200, json: { keys } });
  });

  it('multicast: every named slave fetches the same key', async () => {
    const enc = await rawCall(url('KME_A'), '/api/v1/keys/SAE_B/enc_keys', tlsOf('SAE_A'), {
      body: { additional_slave_SAE_IDs: ['SAE_B2'] },
    });
    expect(enc.status).toBe(200);
    const [key] = (enc.json as { keys: { key_ID: string; key: string }[] }).keys;
    for (const sae of ['SAE_B', 'SAE_B2']) {
      const dec = await rawCall(url('KME_B'), `/api/v1/keys/SAE_A/dec_keys?key_ID=${key!.key_ID}`, tlsOf(sae));
      expect(dec).toMatchObject({ status: 200, json: { keys: [key] } });
    }
  });

  it('multicast beyond max_SAE_ID_count is refused', async () => {
    const res = await rawCall(url('KME_A'), '/api/v1/keys/SAE_C/enc_keys', tlsOf('SAE_A'), { body: { additional_slave_SAE_IDs: ['SAE_B'] } });
    expect(res).toMatchObject({ status: 400, json: { message: 'additional_slave_SAE_IDs names 1 SAEs; max_SAE_ID_count is 0' } });
  });
});

describe('400 paths', () => {
  const enc = (body: unknown) => rawCall(url('KME_A'), '/api/v1/keys/SAE_B/enc_keys', tlsOf('SAE_A'), { body });
  it.each([
    [{ size: 100 }, ETSI_400_MESSAGES.sizeNotMultipleOf8],
    [{ size: 2048 }, 'size shall be between min_key_size (64) and max_key_size (1024)'],
    [{ number: 129 }, 'number shall not exceed max_key_per_request (128)'],
    [{ extension_mandatory: [{ colour: 'red' }] }, ETSI_400_MESSAGES.extensionMandatoryUnsupported],
    [{ extension_mandatory: [{ constructor: 'x' }] }, ETSI_400_MESSAGES.extensionMandatoryUnsupported],
    [{ extension_mandatory: [{ route_type: 'indirect' }] }, ETSI_400_MESSAGES.extensionMandatoryUnmet],
    [{ number: 'two' }, 'invalid Key request: number: Invalid input: expected number, received string'],
    [{ additional_slave_SAE_IDs: ['SAE_NOBODY'] }, 'unknown additional slave SAE "SAE_NOBODY"'],
    [{ additional_slave_SAE_IDs: ['SAE_B'] }, 'additional_slave_SAE_IDs: "SAE_B" is the master or already named'],
  ])('enc_keys %j → %s', async (body, message) => {
    expect(await enc(body)).toMatchObject({ status: 400, json: { message } });
  });

  it('a met extension_mandatory and unknown extension_optional are fine', async () => {
    expect((await enc({ extension_mandatory: [{ route_type: 'direct' }], extension_optional: [{ colour: 'red' }] })).status).toBe(200);
  });

  it('bad JSON, bad query values, unknown slave', async () => {
    const tls = tlsOf('SAE_A');
    expect(await rawCall(url('KME_A'), '/api/v1/keys/SAE_B/enc_keys', tls, { rawBody: '{"number":' })).toMatchObject({
      status: 400,
      json: { message: 'the Key request body is not valid JSON' },
    });
    expect(await rawCall(url('KME_A'), '/api/v1/keys/SAE_B/enc_keys?number=-1', tls)).toMatchObject({
      status: 400,
      json: { message: 'query parameter number must be a positive integer' },
    });
    expect(await rawCall(url('KME_A'), '/api/v1/keys/SAE_Z/enc_keys', tls)).toMatchObject({
      status: 400,
      json: { message: 'unknown slave SAE "SAE_Z"' },
    });
    expect(await rawCall(url('KME_B'), '/api/v1/keys/SAE_A/dec_keys', tlsOf('SAE_B'), { body: { key_IDs: [] } })).toMatchObject({
      status: 400,
      json: { message: 'invalid Key IDs: key_IDs: at least one key_ID is required' },
    });
  });

  it('dec_keys: too many key_IDs, a missing key_ID, a slave on the caller’s own KME, an oversized body', async () => {
    const tlsB = tlsOf('SAE_B');
    const many = { key_IDs: Array.from({ length: 129 }, () => ({ key_ID: '00000000-0000-4000-8000-000000000000' })) };
    expect(await rawCall(url('KME_B'), '/api/v1/keys/SAE_A/dec_keys', tlsB, { body: many })).toMatchObject({
      status: 400,
      json: { message: 'key_IDs names 129 keys; max_key_per_request is 128' },
    });
    expect(await rawCall(url('KME_B'), '/api/v1/keys/SAE_A/dec_keys', tlsB)).toMatchObject({
      status: 400,
      json: { message: 'query parameter key_ID is required' },
    });
    expect(await rawCall(url('KME_B'), '/api/v1/keys/SAE_B2/enc_keys', tlsB)).toMatchObject({
      status: 400,
      json: { message: 'slave SAE "SAE_B2" is attached to KME_B itself; keys are delivered only across a QKD link' },
    });
    expect(await rawCall(url('KME_B'), '/api/v1/keys/SAE_A/dec_keys', tlsB, { rawBody: `{"pad":"${'x'.repeat(70_000)}"}` })).toMatchObject({
      status: 400,
      json: { message: 'request body exceeds 65536 bytes' },
    });
  });

  it('400 "not all extension_optional request options handled" when configured to refuse them', async () => {
    const strict = await startSimKme({ pki, rejectUnhandledOptional: true, kmes: [{ id: 'KME_A', saes: ['SAE_A'] }, { id: 'KME_B', saes: ['SAE_B'] }], links: [{ kmes: ['KME_A', 'KME_B'] }] });
    try {
      const res = await rawCall(strict.kmes.KME_A!.url, '/api/v1/keys/SAE_B/enc_keys', tlsOf('SAE_A'), { body: { extension_optional: [{ colour: 'red' }] } });
      expect(res).toMatchObject({ status: 400, json: { message: ETSI_400_MESSAGES.extensionOptionalUnhandled } });
    } finally {
      await strict.close();
    }
  });

  it('404 and 405 for what the API does not define', async () => {
    expect((await rawCall(url('KME_A'), '/api/v1/keys/SAE_B/nothing', tlsOf('SAE_A'))).status).toBe(404);
    expect((await rawCall(url('KME_A'), '/api/v1/keys/SAE_B/status', tlsOf('SAE_A'), { body: {} })).status).toBe(405);
  });
});

describe('401 paths', () => {
  it('a certificate from the right CA for an SAE nobody configured', async () => {
    const res = await rawCall(url('KME_A'), '/api/v1/keys/SAE_B/status', tlsOf('SAE_X'));
    expect(res).toMatchObject({ status: 401, json: { message: 'unknown SAE "SAE_X"' } });
  });
});

describe('503 when the pool is empty, and the key rate refills it', () => {
  it('drains, refuses with an ETSI Error, then refills', async () => {
    const tls = tlsOf('SAE_A');
    const status = async () => ((await rawCall(url('KME_A'), '/api/v1/keys/SAE_B/status', tls)).json as { stored_key_count: number }).stored_key_count;
    let left = await status();
    while (left > 0) {
      const n = Math.min(left, 128);
      expect((await rawCall(url('KME_A'), `/api/v1/keys/SAE_B/enc_keys?number=${n}`, tls)).status).toBe(200);
      left = await status();
    }
    const empty = await rawCall(url('KME_A'), '/api/v1/keys/SAE_B/enc_keys', tls);
    expect(empty).toMatchObject({ status: 503, json: { message: expect.stringMatching(/^not enough key material: the KME_A-KME_B link holds \d+ bits, the request needs 256$/) } });
    t += 1000; // 256 bit/s → one more 256-bit key
    expect(await status()).toBe(1);
    expect((await rawCall(url('KME_A'), '/api/v1/keys/SAE_B/enc_keys', tls)).status).toBe(200);
  });
});
