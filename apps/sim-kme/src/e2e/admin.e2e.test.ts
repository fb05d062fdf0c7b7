// The fault admin endpoint over real HTTP, with its effect seen by the real ETSI client over
// real mutual TLS: a change applies to the very next request, and bad input is refused by name.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createQkdClient,
  QkdConnectionError,
  QkdResponseError,
  QkdServiceUnavailableError,
  QkdTimeoutError,
  type QkdClient,
} from '@qkd-macsec/etsi-qkd-client';
import { NO_FAULTS } from '../faults.js';
import { startSimKme, type SimKme } from '../index.js';

let sim: SimKme;
let master: QkdClient;

interface AdminReply {
  status: number;
  json: unknown;
}
function admin(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<AdminReply> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, sim.adminUrl), { method, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  sim = await startSimKme({ admin: {} });
  const sae = sim.pki!.saes.SAE_A!;
  master = createQkdClient({ baseUrl: sim.kmes.KME_A!.url, tls: { cert: sae.certPem, key: sae.keyPem, ca: sim.pki!.ca.certPem }, retry: false });
});
afterAll(async () => {
  await master.close();
  await sim.close();
});

describe('admin endpoint', () => {
  it('listens on loopback and lists every KME with its faults', async () => {
    expect(sim.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await admin('GET', '/faults')).toEqual({ status: 200, json: { KME_A: NO_FAULTS, KME_B: NO_FAULTS } });
  });

  it('PUT 503 on KME_A: the ETSI client gets 503 on its next call; DELETE: the next call succeeds', async () => {
    expect((await master.getStatus('SAE_B')).source_KME_ID).toBe('KME_A');
    const put = await admin('PUT', '/faults/KME_A', '{"unavailableRate":1}');
    expect(put).toEqual({ status: 200, json: { ...NO_FAULTS, unavailableRate: 1 } });
    const err = await master.getKey('SAE_B').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QkdServiceUnavailableError);
    expect((err as QkdServiceUnavailableError).etsiError?.message).toBe('simulated fault: KME_A is unavailable');
    expect((await admin('GET', '/faults/KME_B')).json).toEqual(NO_FAULTS); // per KME
    expect(await admin('DELETE', '/faults/KME_A')).toEqual({ status: 200, json: NO_FAULTS });
    expect((await master.getKey('SAE_B')).keys).toHaveLength(1);
  });

  it.each([
    ['stallRate', { stallRate: 1 }, QkdTimeoutError],
    ['latencyMs', { latencyMs: 5_000 }, QkdTimeoutError],
    ['dropRate', { dropRate: 1 }, QkdConnectionError],
    ['malformedRate', { malformedRate: 1 }, QkdResponseError],
  ] as const)('%s set through the endpoint reaches the next call, and DELETE heals it', async (_name, faults, errorClass) => {
    const sae = sim.pki!.saes.SAE_B!;
    const slave = createQkdClient({
      baseUrl: sim.kmes.KME_B!.url,
      tls: { cert: sae.certPem, key: sae.keyPem, ca: sim.pki!.ca.certPem },
      retry: false,
      timeoutMs: 500,
    });
    try {
      expect((await admin('PUT', '/faults/KME_B', JSON.stringify(faults))).status).toBe(200);
      expect(await slave.getStatus('SAE_A').catch((e: unknown) => e)).toBeInstanceOf(errorClass);
      expect((await master.getStatus('SAE_B')).source_KME_ID).toBe('KME_A'); // KME_A unaffected
      expect((await admin('DELETE', '/faults/KME_B')).status).toBe(200);
      expect((await slave.getStatus('SAE_A')).source_KME_ID).toBe('KME_B');
    } finally {
      await slave.close();
    }
  });

  it('PATCH merges into what is set; PUT replaces it; the handle sees the same', async () => {
    await admin('PUT', '/faults/KME_B', '{"latencyMs":5,"dropRate":0.5}');
    expect(await admin('PATCH', '/faults/KME_B', '{"malformedRate":0.25}')).toEqual({
      status: 200,
      json: { ...NO_FAULTS, latencyMs: 5, dropRate: 0.5, malformedRate: 0.25 },
    });
    expect(sim.getFaults('KME_B')).toEqual({ ...NO_FAULTS, latencyMs: 5, dropRate: 0.5, malformedRate: 0.25 });
    expect((await admin('PUT', '/faults/KME_B', '{"stallRate":1}')).json).toEqual({ ...NO_FAULTS, stallRate: 1 });
    sim.setFaults('KME_B', { latencyMs: 7 });
    expect((await admin('GET', '/faults/KME_B')).json).toEqual({ ...NO_FAULTS, latencyMs: 7 });
    sim.setFaults('KME_B', undefined);
    expect(sim.getFaults('KME_B')).toEqual(NO_FAULTS);
  });

  it('a bad body is a 400 naming the field, and changes nothing', async () => {
    expect(await admin('PUT', '/faults/KME_A', '{"unavailableRate":2}')).toEqual({ status: 400, json: { error: 'unavailableRate: expected a number 0..1' } });
    expect(await admin('PATCH', '/faults/KME_A', '{"latencyMs":-1}')).toEqual({ status: 400, json: { error: 'latencyMs: expected a number of milliseconds >= 0' } });
    expect(await admin('PATCH', '/faults/KME_A', '{"dropRatio":0.5}')).toEqual({
      status: 400,
      json: { error: 'dropRatio: unknown fault (known: latencyMs, unavailableRate, dropRate, malformedRate, stallRate, reusedKeyIdRate)' },
    });
    expect(await admin('PUT', '/faults/KME_A', '{"latencyMs":"x"}')).toEqual({ status: 400, json: { error: 'latencyMs: expected a number of milliseconds >= 0' } });
    const notJson = await admin('PUT', '/faults/KME_A', '{"dropRate":');
    expect(notJson.status).toBe(400);
    expect((notJson.json as { error: string }).error).toMatch(/^the body is not valid JSON/);
    expect(await admin('PUT', '/faults/KME_A', '[1]')).toEqual({ status: 400, json: { error: 'the body must be a JSON object of faults' } });
    expect((await admin('GET', '/faults/KME_A')).json).toEqual(NO_FAULTS);
  });

  it('an unknown KME is 404, an unknown path 404, a wrong method 405', async () => {
    expect(await admin('PUT', '/faults/KME_Z', '{}')).toEqual({ status: 404, json: { error: 'unknown KME "KME_Z"; this simulator serves KME_A, KME_B' } });
    expect((await admin('GET', '/keys')).status).toBe(404);
    expect((await admin('POST', '/faults/KME_A', '{}')).status).toBe(405);
  });

  it('refuses a request whose Host is not a loopback name (DNS rebinding)', async () => {
    const port = new URL(sim.adminUrl!).port;
    expect(await admin('GET', '/faults', undefined, { host: `evil.example:${port}` })).toEqual({
      status: 403,
      json: { error: `Host "evil.example:${port}" is not a loopback name` },
    });
  });
});

describe('admin option', () => {
  it('is off unless asked for', async () => {
    const plain = await startSimKme({ pki: sim.pki! });
    try {
      expect(plain.adminUrl).toBeUndefined();
    } finally {
      await plain.close();
    }
  });

  it('refuses a host that is not loopback, naming the field', async () => {
    await expect(startSimKme({ admin: { host: '0.0.0.0' } })).rejects.toThrow(
      'admin.host: must be a loopback address (127.0.0.1, ::1 or localhost): the admin endpoint has no authentication',
    );
  });

  it('the handle refuses an unknown KME and bad faults by name', () => {
    expect(() => sim.setFaults('KME_Z', {})).toThrow('faults: unknown KME "KME_Z"; this simulator serves KME_A, KME_B');
    expect(() => sim.setFaults('KME_A', { dropRate: -1 })).toThrow('dropRate: expected a number 0..1');
  });
});
