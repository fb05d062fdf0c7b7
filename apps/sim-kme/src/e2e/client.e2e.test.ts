// End to end: the real ETSI 014 client (@qkd-macsec/etsi-qkd-client) against sim-kme over real
// mutual TLS on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueCertificate, type Credential } from '@qkd-macsec/cert-lcm';
import {
  createQkdClient,
  QkdBadRequestError,
  QkdConnectionError,
  QkdResponseError,
  QkdServiceUnavailableError,
  QkdTimeoutError,
  QkdTlsError,
  QkdUnauthorizedError,
  type QkdClient,
  type QkdClientOptions,
} from '@qkd-macsec/etsi-qkd-client';
import { ETSI_400_MESSAGES } from '@qkd-macsec/etsi-qkd-client/schemas';
import { createSimPki, startSimKme, type SimKme } from '../index.js';

const clients: QkdClient[] = [];
function clientFor(sim: SimKme, kme: string, sae: Credential | string, extra: Partial<QkdClientOptions> = {}): QkdClient {
  const cred = typeof sae === 'string' ? sim.pki!.saes[sae]! : sae;
  const client = createQkdClient({
    baseUrl: sim.kmes[kme]!.url,
    tls: { cert: cred.certPem, key: cred.keyPem, ca: sim.pki!.ca.certPem },
    retry: false,
    ...extra,
  });
  clients.push(client);
  return client;
}
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

// Node's TLS server refuses a bad client certificate by closing the connection right after the
// handshake (no TLS alert), which the client reports as a TLS or a connection error.
function expectRefusedHandshake(err: unknown) {
  expect(err instanceof QkdTlsError || err instanceof QkdConnectionError, String(err)).toBe(true);
}

describe('default topology', () => {
  let sim: SimKme;
  const refusals: Record<string, unknown>[] = [];
  beforeAll(async () => {
    const quiet = () => undefined;
    sim = await startSimKme({
      logger: {
        debug: quiet,
        warn: quiet,
        error: quiet,
        info: (message: unknown, meta: unknown) => {
          if (message === 'client certificate refused') refusals.push(meta as Record<string, unknown>);
        },
      },
    });
  });
  afterAll(() => sim.close());

  it('reports Status', async () => {
    const status = await clientFor(sim, 'KME_A', 'SAE_A').getStatus('SAE_B');
    expect(status).toMatchObject({
      source_KME_ID: 'KME_A',
      target_KME_ID: 'KME_B',
      master_SAE_ID: 'SAE_A',
      slave_SAE_ID: 'SAE_B',
      key_size: 256,
      max_key_count: 1000,
    });
  });

  it.each(['get', 'post'] as const)('enc_keys on KME_A, dec_keys on KME_B over %s, several keys', async (method) => {
    const master = clientFor(sim, 'KME_A', 'SAE_A', { method });
    const slave = clientFor(sim, 'KME_B', 'SAE_B', { method });
    const issued = await master.getKey('SAE_B', { number: method === 'get' ? 1 : 4, size: 128 });
    expect(issued.method).toBe(method.toUpperCase());
    expect(issued.keys.every((k) => k.bits === 128)).toBe(true);
    const ids = issued.keys.map((k) => k.keyId);
    const fetched = method === 'get' ? await slave.getKeyWithIds('SAE_A', ids) : await slave.getKeyWithIds('SAE_A', ids);
    expect(fetched.keys.map((k) => k.keyId)).toEqual(ids);
    expect(fetched.keys.map((k) => Buffer.from(k.bytes).toString('hex'))).toEqual(issued.keys.map((k) => Buffer.from(k.bytes).toString('hex')));
  });

  it('a slave fetching a key twice gets 400 "not found" the second time', async () => {
    const { keys } = await clientFor(sim, 'KME_A', 'SAE_A').getKey('SAE_B');
    const slave = clientFor(sim, 'KME_B', 'SAE_B');
    await slave.getKeyWithIds('SAE_A', [keys[0]!.keyId]);
    const err = await slave.getKeyWithIds('SAE_A', [keys[0]!.keyId]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QkdBadRequestError);
    expect((err as QkdBadRequestError).etsiError?.message).toBe(ETSI_400_MESSAGES.keysNotFound);
  });

  it('the 400 paths the client cannot foresee reach it with the ETSI message', async () => {
    const master = clientFor(sim, 'KME_A', 'SAE_A');
    const cases: [Parameters<QkdClient['getKey']>[1], string][] = [
      [{ number: 129 }, 'number shall not exceed max_key_per_request (128)'],
      [{ size: 2048 }, 'size shall be between min_key_size (64) and max_key_size (1024)'],
      [{ extensionMandatory: [{ route_type: 'direct' }] }, ETSI_400_MESSAGES.extensionMandatoryUnsupported],
    ];
    for (const [request, message] of cases) {
      const err = await master.getKey('SAE_B', request).catch((e: unknown) => e);
      expect(err, message).toBeInstanceOf(QkdBadRequestError);
      expect((err as QkdBadRequestError).etsiError?.message).toBe(message);
    }
  });

  it('401: an SAE asking a KME it is not attached to', async () => {
    const err = await clientFor(sim, 'KME_B', 'SAE_A').getStatus('SAE_B').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QkdUnauthorizedError);
    expect((err as QkdUnauthorizedError).status).toBe(401);
  });

  it('a client certificate issued by cert-lcm from the same CA authenticates', async () => {
    const fresh = await issueCertificate({ issuer: sim.pki!.ca, profile: 'client', commonName: 'SAE_A', keyType: 'rsa-2048' });
    expect((await clientFor(sim, 'KME_A', fresh).getStatus('SAE_B')).master_SAE_ID).toBe('SAE_A');
  });

  it('an expired client certificate is refused in the handshake', async () => {
    const expired = await issueCertificate({
      issuer: sim.pki!.ca,
      profile: 'client',
      commonName: 'SAE_A',
      notBefore: new Date(Date.now() - 10 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const err = await clientFor(sim, 'KME_A', expired).getStatus('SAE_B').catch((e: unknown) => e);
    expectRefusedHandshake(err);
    expect(refusals.at(-1)).toMatchObject({ reason: 'CERT_HAS_EXPIRED', subject: 'SAE_A' });
  });

  it('a client certificate from another CA is refused in the handshake', async () => {
    const otherCa = await createCa({ commonName: 'not the sim-kme CA' });
    const stranger = await issueCertificate({ issuer: otherCa, profile: 'client', commonName: 'SAE_A' });
    const err = await clientFor(sim, 'KME_A', stranger).getStatus('SAE_B').catch((e: unknown) => e);
    expectRefusedHandshake(err);
    expect(refusals.at(-1)).toMatchObject({ reason: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', issuer: 'not the sim-kme CA' });
  });
});

describe('three KMEs, several SAEs', () => {
  let sim: SimKme;
  beforeAll(async () => {
    sim = await startSimKme({
      kmes: [
        { id: 'KME_A', saes: ['SAE_A'] },
        { id: 'KME_B', saes: ['SAE_B', 'SAE_B2'] },
        { id: 'KME_C', saes: ['SAE_C'] },
      ],
      links: [
        { kmes: ['KME_A', 'KME_B'] },
        { kmes: ['KME_A', 'KME_C'] },
      ],
    });
  });
  afterAll(() => sim.close());

  it('onKeyIssued sees each issued key with its master and slaves', async () => {
    const seen: { keyId: string; hex: string; slaves: string[] }[] = [];
    const watched = await startSimKme({ pki: sim.pki!, kmes: sim.config.kmes, links: sim.config.links, onKeyIssued: (e) => seen.push({ keyId: e.keyId, hex: e.key.toString('hex'), slaves: e.slaveSaeIds }) });
    try {
      const { keys } = await clientFor(watched, 'KME_A', 'SAE_A').getKey('SAE_B', { number: 2, additionalSlaveSaeIds: ['SAE_C'] });
      expect(seen).toEqual(keys.map((k) => ({ keyId: k.keyId, hex: Buffer.from(k.bytes).toString('hex'), slaves: ['SAE_B', 'SAE_C'] })));
    } finally {
      await watched.close();
    }
  });

  it('multicast: one key for a slave and additional slaves on two KMEs', async () => {
    const { keys } = await clientFor(sim, 'KME_A', 'SAE_A').getKey('SAE_B', { additionalSlaveSaeIds: ['SAE_B2', 'SAE_C'] });
    const want = Buffer.from(keys[0]!.bytes).toString('hex');
    for (const [kme, sae] of [['KME_B', 'SAE_B'], ['KME_B', 'SAE_B2'], ['KME_C', 'SAE_C']]) {
      const got = await clientFor(sim, kme!, sae!).getKeyWithIds('SAE_A', [keys[0]!.keyId]);
      expect(Buffer.from(got.keys[0]!.bytes).toString('hex')).toBe(want);
    }
  });

  it('401: a third SAE on the slave KME trying to fetch someone else’s key', async () => {
    const { keys } = await clientFor(sim, 'KME_A', 'SAE_A').getKey('SAE_B');
    const err = await clientFor(sim, 'KME_B', 'SAE_B2').getKeyWithIds('SAE_A', [keys[0]!.keyId]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QkdUnauthorizedError);
    // …and the rightful slave still gets it.
    expect((await clientFor(sim, 'KME_B', 'SAE_B').getKeyWithIds('SAE_A', [keys[0]!.keyId])).keys).toHaveLength(1);
  });
});

describe('a small pool with no refill', () => {
  it('503 with an ETSI Error once the pool is empty', async () => {
    const sim = await startSimKme({ defaults: { maxKeyCount: 3, keyRateBps: 0 } });
    try {
      const master = clientFor(sim, 'KME_A', 'SAE_A');
      await master.getKey('SAE_B', { number: 3 });
      expect((await master.getStatus('SAE_B')).stored_key_count).toBe(0);
      const err = await master.getKey('SAE_B').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QkdServiceUnavailableError);
      expect((err as QkdServiceUnavailableError).etsiError?.message).toMatch(/^not enough key material/);
    } finally {
      await sim.close();
    }
  });
});

describe('identity from subjectAltName', () => {
  it('takes the SAE ID from a DNS SAN when configured', async () => {
    const pki = await createSimPki({ kmeIds: ['KME_A', 'KME_B'], saeIds: [] });
    const sim = await startSimKme({
      pki,
      saeIdFrom: 'san-dns',
      kmes: [
        { id: 'KME_A', saes: ['sae-a.example'] },
        { id: 'KME_B', saes: ['sae-b.example'] },
      ],
      links: [{ kmes: ['KME_A', 'KME_B'] }],
    });
    try {
      const cert = await issueCertificate({ issuer: pki.ca, profile: 'client', commonName: 'ignored', dnsNames: ['sae-a.example'] });
      const status = await clientFor(sim, 'KME_A', cert).getStatus('sae-b.example');
      expect(status.master_SAE_ID).toBe('sae-a.example');
      const cnOnly = await issueCertificate({ issuer: pki.ca, profile: 'client', commonName: 'sae-a.example' });
      expect(await clientFor(sim, 'KME_A', cnOnly).getStatus('sae-b.example').catch((e: unknown) => e)).toBeInstanceOf(QkdUnauthorizedError);
    } finally {
      await sim.close();
    }
  });
});

describe('faults', () => {
  let sim: SimKme;
  beforeAll(async () => {
    sim = await startSimKme();
  });
  afterAll(() => sim.close());

  it('a KME that stalls: the client times out', async () => {
    sim.setFaults({ stallRate: 1 }, 'KME_A');
    const err = await clientFor(sim, 'KME_A', 'SAE_A', { timeoutMs: 300 }).getStatus('SAE_B').catch((e: unknown) => e);
    sim.setFaults(undefined);
    expect(err).toBeInstanceOf(QkdTimeoutError);
  });

  it('added latency beyond the client’s timeout: the client times out; within it, the call succeeds', async () => {
    sim.setFaults({ latencyMs: 5000 }, 'KME_A');
    const slow = await clientFor(sim, 'KME_A', 'SAE_A', { timeoutMs: 200 }).getStatus('SAE_B').catch((e: unknown) => e);
    sim.setFaults({ latencyMs: 20 }, 'KME_A');
    const status = await clientFor(sim, 'KME_A', 'SAE_A', { timeoutMs: 10_000 }).getStatus('SAE_B');
    sim.setFaults(undefined);
    expect(slow).toBeInstanceOf(QkdTimeoutError);
    expect(status.source_KME_ID).toBe('KME_A');
  });

  it('a KME that returns garbage: QkdResponseError for every kind of garbage, no key consumed', async () => {
    const before = sim.network.link('KME_A', 'KME_B')!.availableBits();
    sim.setFaults({ malformedRate: 1 }, 'KME_A');
    const master = clientFor(sim, 'KME_A', 'SAE_A');
    for (let i = 0; i < 4; i++) expect(await master.getKey('SAE_B').catch((e: unknown) => e)).toBeInstanceOf(QkdResponseError);
    sim.setFaults(undefined);
    expect(sim.network.link('KME_A', 'KME_B')!.availableBits()).toBe(before);
  });

  it('a KME that reuses key_IDs (reusedKeyIdRate): the key_IDs issued last come back with new key material, and the slave gets that', async () => {
    const master = clientFor(sim, 'KME_A', 'SAE_A');
    const slave = clientFor(sim, 'KME_B', 'SAE_B');
    const first = (await master.getKey('SAE_B', { number: 3 })).keys;
    await slave.getKeyWithIds('SAE_A', first.map((k) => k.keyId));
    sim.setFaults({ reusedKeyIdRate: 1 }, 'KME_A');
    const again = (await master.getKey('SAE_B', { number: 2 })).keys;
    sim.setFaults(undefined);
    expect(again.map((k) => k.keyId)).toEqual([first[2]!.keyId, first[1]!.keyId]); // the latest first
    const fetched = (await slave.getKeyWithIds('SAE_A', again.map((k) => k.keyId))).keys;
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    expect(fetched.map((k) => hex(k.bytes))).toEqual(again.map((k) => hex(k.bytes)));
    for (const k of again) expect(hex(first.find((f) => f.keyId === k.keyId)!.bytes)).not.toBe(hex(k.bytes));
    const fresh = (await master.getKey('SAE_B')).keys[0]!;
    expect(first.map((f) => f.keyId)).not.toContain(fresh.keyId); // the fault off: new key_IDs again
  });

  it('a KME that drops connections', async () => {
    sim.setFaults({ dropRate: 1 }, 'KME_B');
    const err = await clientFor(sim, 'KME_B', 'SAE_B').getStatus('SAE_A').catch((e: unknown) => e);
    sim.setFaults(undefined);
    expect(err).toBeInstanceOf(QkdConnectionError);
  });

  it('a fraction of 503s', async () => {
    let dice = 0;
    const flaky = await startSimKme({ faults: { unavailableRate: 0.5 }, random: () => ((dice = (dice + 1) % 2) === 0 ? 0.25 : 0.75) });
    try {
      const client = createQkdClient({
        baseUrl: flaky.kmes.KME_A!.url,
        tls: { cert: flaky.pki!.saes.SAE_A!.certPem, key: flaky.pki!.saes.SAE_A!.keyPem, ca: flaky.pki!.ca.certPem },
        retry: false,
      });
      clients.push(client);
      const outcomes: string[] = [];
      for (let i = 0; i < 4; i++)
        outcomes.push(await client.getStatus('SAE_B').then(() => 'ok', (e: unknown) => (e instanceof QkdServiceUnavailableError ? '503' : String(e))));
      expect(outcomes).toEqual(['ok', '503', 'ok', '503']);
    } finally {
      await flaky.close();
    }
  });
});
