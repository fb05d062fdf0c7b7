import { inspect } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createQkdClient, type QkdClient, type QkdClientOptions } from './client.js';
import {
  QkdBadRequestError,
  QkdConflictError,
  QkdError,
  QkdHttpError,
  QkdNotFoundError,
  QkdRequestError,
  QkdResponseError,
  QkdServerError,
  QkdServiceUnavailableError,
  QkdUnauthorizedError,
} from './errors.js';
import { makeTestPki, type TestPki } from './testing/pki.js';
import { KEY_ID_1, KEY_ID_2, KEY_ID_3, json, keyEntry, material, recordingLogger, startStubKme, statusBody, type Handler, type StubKme } from './testing/stub-kme.js';

let pki: TestPki;
const open: Array<StubKme | QkdClient> = [];

beforeAll(async () => {
  pki = await makeTestPki();
});

afterEach(async () => {
  for (const thing of open.splice(0)) await thing.close();
});

async function kme(handler: Handler): Promise<StubKme> {
  const stub = await startStubKme(handler, { cert: pki.server.certPem, key: pki.server.keyPem, ca: pki.ca.certPem });
  open.push(stub);
  return stub;
}

function client(stub: StubKme, extra: Partial<QkdClientOptions> = {}): QkdClient & { logger: QkdClientOptions['logger'] } {
  const logger = extra.logger ?? recordingLogger();
  const c = createQkdClient({
    baseUrl: stub.url,
    tls: { cert: pki.client.certPem, key: pki.client.keyPem, ca: pki.ca.certPem },
    retry: { limit: 2, baseDelayMs: 1, maxDelayMs: 5 },
    logger,
    ...extra,
  });
  open.push(c);
  return Object.assign(c, { logger });
}

/** Every way an error could be shown, for grepping key material. */
function allText(error: unknown): string {
  return [String(error), (error as Error).stack, inspect(error, { depth: 10 }), JSON.stringify(error)].join('\n');
}

describe('getStatus', () => {
  it('GETs /api/v1/keys/{slave}/status over mTLS and returns the Status with spec field names', async () => {
    const stub = await kme((_req, res) => json(res, 200, statusBody()));
    const status = await client(stub).getStatus('SAE_B');
    expect(status).toEqual(statusBody());
    expect(stub.requests).toEqual([{ method: 'GET', url: '/api/v1/keys/SAE_B/status', body: '', clientCn: 'SAE_A' }]);
  });

  it('URL-encodes SAE IDs and keeps a path prefix', async () => {
    const stub = await kme((_req, res) => json(res, 200, statusBody({ slave_SAE_ID: 'site 1/sae?#..' })));
    const c = createQkdClient({ baseUrl: `${stub.url}/qkd/v1/`, tls: { cert: pki.client.certPem, key: pki.client.keyPem, ca: pki.ca.certPem } });
    open.push(c);
    await c.getStatus('site 1/sae?#..');
    expect(stub.requests[0]!.url).toBe('/qkd/v1/api/v1/keys/site%201%2Fsae%3F%23../status');
    // A whole ".." segment would be collapsed by URL parsing (even as %2E%2E): refused locally.
    await expect(c.getStatus('..')).rejects.toThrow(/cannot be expressed as a URL path segment/);
    expect(stub.requests).toHaveLength(1);
  });

  it('rejects a Status with a missing field, a wrong type, or for another slave', async () => {
    const bodies = [statusBody({ max_key_size: undefined }), statusBody({ key_size: '256' }), statusBody({ slave_SAE_ID: 'SAE_C' })];
    const stub = await kme((_req, res) => json(res, 200, bodies[stub.requests.length - 1]));
    const c = client(stub);
    await expect(c.getStatus('SAE_B')).rejects.toThrow(/invalid Status: max_key_size/);
    await expect(c.getStatus('SAE_B')).rejects.toThrow(/invalid Status: key_size/);
    const error = await c.getStatus('SAE_B').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QkdResponseError);
    expect((error as QkdResponseError).message).toMatch(/for slave SAE SAE_C, not the requested SAE_B/);
  });
});

describe('getKey (enc_keys)', () => {
  it('uses the GET form with ?number=&size= when the request allows it, and returns redacted keys', async () => {
    const stub = await kme((_req, res) => json(res, 200, { keys: [keyEntry(KEY_ID_1), keyEntry(KEY_ID_2)] }));
    const c = client(stub);
    const result = await c.getKey('SAE_B', { number: 2, size: 256 });
    expect(stub.requests[0]).toMatchObject({ method: 'GET', url: '/api/v1/keys/SAE_B/enc_keys?number=2&size=256' });
    expect(result.method).toBe('GET');
    expect(result.endpoint).toBe(`${stub.url}/api/v1/keys/SAE_B/enc_keys`);
    expect(result.elapsedMs).toBeGreaterThan(0);
    expect(result.keys.map((k) => [k.keyId, k.bits])).toEqual([
      [KEY_ID_1, 256],
      [KEY_ID_2, 256],
    ]);
    expect(Buffer.from(result.keys[0]!.bytes).equals(material(32))).toBe(true);
    const debugLines = (c.logger as ReturnType<typeof recordingLogger>).lines;
    expect(debugLines.some((line) => line.startsWith('debug GET'))).toBe(true);
    const shown = [inspect(result, { depth: 10 }), JSON.stringify(result), String(result.keys), ...debugLines].join('\n');
    expect(shown).not.toContain(material(32).toString('base64'));
    expect(shown).not.toContain(material(32).toString('hex'));
  });

  it('POSTs a Key request when there are additional slaves or extensions, or when method is "post"', async () => {
    const stub = await kme((_req, res) => json(res, 200, { keys: [keyEntry(KEY_ID_1, 16)] }));
    const c = client(stub);
    await c.getKey('SAE_B', { size: 128, additionalSlaveSaeIds: ['SAE_C'], extensionOptional: [{ route: 'any' }] });
    const post = client(stub, { method: 'post' });
    await post.getKey('SAE_B', { size: 128 });
    expect(stub.requests.map((r) => [r.method, r.url])).toEqual([
      ['POST', '/api/v1/keys/SAE_B/enc_keys'],
      ['POST', '/api/v1/keys/SAE_B/enc_keys'],
    ]);
    expect(JSON.parse(stub.requests[0]!.body)).toEqual({ size: 128, additional_slave_SAE_IDs: ['SAE_C'], extension_optional: [{ route: 'any' }] });
    expect(JSON.parse(stub.requests[1]!.body)).toEqual({ size: 128 });
  });

  it('refuses locally, without sending: a size not a multiple of 8, GET with extensions, limits of a known Status', async () => {
    const stub = await kme((req, res) => (req.url.endsWith('/status') ? json(res, 200, statusBody()) : json(res, 200, { keys: [keyEntry(KEY_ID_1)] })));
    const c = client(stub);
    await expect(c.getKey('SAE_B', { size: 100 })).rejects.toThrow(/size shall be a multiple of 8/);
    await expect(client(stub, { method: 'get' }).getKey('SAE_B', { additionalSlaveSaeIds: ['SAE_C'] })).rejects.toThrow(/only be sent with POST/);
    expect(stub.requests).toHaveLength(0);
    await c.getStatus('SAE_B');
    const refusals = [
      c.getKey('SAE_B', { size: 2048 }),
      c.getKey('SAE_B', { size: 32 }),
      c.getKey('SAE_B', { number: 5 }),
      c.getKey('SAE_B', { additionalSlaveSaeIds: ['SAE_C', 'SAE_D', 'SAE_E'] }),
    ];
    const errors = await Promise.all(refusals.map((p) => p.catch((e: unknown) => e)));
    expect(errors.every((e) => e instanceof QkdRequestError)).toBe(true);
    expect(errors.map((e) => (e as Error).message).join('\n')).toMatch(/outside the KME's range \[64, 1024\][\s\S]*outside[\s\S]*max_key_per_request 4[\s\S]*max_SAE_ID_count 2/);
    expect(stub.requests).toHaveLength(1); // the status call only
    // A Status passed by the caller counts too.
    const fresh = client(stub);
    await expect(fresh.getKey('SAE_B', { size: 512 }, { status: statusBody({ max_key_size: 256 }) as never })).rejects.toThrow(QkdRequestError);
    expect(stub.requests).toHaveLength(1);
  });

  it('checks a fetched key against the size asked, or the Status key_size when no size was asked', async () => {
    const stub = await kme((req, res) => (req.url.endsWith('/status') ? json(res, 200, statusBody()) : json(res, 200, { keys: [keyEntry(KEY_ID_1, 64)] })));
    const c = client(stub);
    await expect(c.getKey('SAE_B', { size: 256 })).rejects.toThrow(/key 550e8400-e29b-41d4-a716-446655440000 has 512 bits, expected 256/);
    await c.getStatus('SAE_B'); // key_size 256
    await expect(c.getKey('SAE_B')).rejects.toThrow(/has 512 bits, expected 256/);
  });

  it('rejects answers with the wrong key count, duplicate key IDs, non-Base64 keys, non-UUID IDs, and never quotes the keys', async () => {
    const bad = [
      { keys: [keyEntry(KEY_ID_1)] }, // asked 2
      { keys: [keyEntry(KEY_ID_1), keyEntry(KEY_ID_1)] },
      { keys: [{ key_ID: KEY_ID_1, key: 'not*base64!' }, keyEntry(KEY_ID_2)] },
      { keys: [{ key_ID: 'key-1', key: material(32).toString('base64') }, keyEntry(KEY_ID_2)] },
      { keys: [{ key_ID: KEY_ID_1 }, keyEntry(KEY_ID_2)] },
      { keys: 'none' },
    ];
    const stub = await kme((_req, res) => json(res, 200, bad[stub.requests.length - 1]));
    const c = client(stub);
    const errors = [];
    for (let i = 0; i < bad.length; i++) errors.push(await c.getKey('SAE_B', { number: 2, size: 256 }).catch((e: unknown) => e));
    expect(errors.every((e) => e instanceof QkdResponseError && e.status === 200)).toBe(true);
    const messages = errors.map((e) => (e as Error).message);
    expect(messages[0]).toMatch(/asked for 2 key\(s\), got 1/);
    expect(messages[1]).toMatch(/delivered more than once/);
    expect(messages[2]).toMatch(/keys\.0\.key: key is not Base64/);
    expect(messages[3]).toMatch(/keys\.0\.key_ID: key_ID is not a UUID/);
    expect(messages[4]).toMatch(/keys\.0\.key: /);
    expect(messages[5]).toMatch(/invalid Key container: keys/);
    for (const error of errors) {
      const text = allText(error);
      expect(text).not.toContain(material(32).toString('base64'));
      expect(text).not.toContain('not*base64!');
    }
    expect(stub.requests).toHaveLength(bad.length); // enc_keys is never retried
  });

  it('rejects a 200 whose body is not JSON or is empty, naming neither the body nor the key', async () => {
    const secret = material(32).toString('base64');
    const bodies = [`{"keys":[{"key_ID":"${KEY_ID_1}","key":"${secret}"}`, ''];
    const stub = await kme((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(bodies[stub.requests.length - 1]);
    });
    const c = client(stub);
    for (let i = 0; i < bodies.length; i++) {
      const error = await c.getKey('SAE_B', { size: 256 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QkdResponseError);
      expect((error as Error).message).toMatch(/is not JSON/);
      expect(allText(error)).not.toContain(secret);
    }
  });
});

describe('getKeyWithIds (dec_keys)', () => {
  it('GETs ?key_ID= for one key and POSTs Key IDs for several', async () => {
    const stub = await kme((req, res) => {
      const ids = req.method === 'GET' ? [new URL(req.url, 'https://x').searchParams.get('key_ID')!] : JSON.parse(req.body).key_IDs.map((k: { key_ID: string }) => k.key_ID);
      json(res, 200, { keys: ids.map((id: string) => keyEntry(id, 16)) });
    });
    const c = client(stub);
    const one = await c.getKeyWithIds('SAE_A', [KEY_ID_1]);
    const two = await c.getKeyWithIds('SAE_A', [KEY_ID_2, KEY_ID_3]);
    expect(stub.requests.map((r) => [r.method, r.url])).toEqual([
      ['GET', `/api/v1/keys/SAE_A/dec_keys?key_ID=${KEY_ID_1}`],
      ['POST', '/api/v1/keys/SAE_A/dec_keys'],
    ]);
    expect(JSON.parse(stub.requests[1]!.body)).toEqual({ key_IDs: [{ key_ID: KEY_ID_2 }, { key_ID: KEY_ID_3 }] });
    expect(one.keys.map((k) => k.keyId)).toEqual([KEY_ID_1]);
    expect(two.keys.map((k) => `${k}`)).toEqual([`QkdKey(${KEY_ID_2}, 128 bits)`, `QkdKey(${KEY_ID_3}, 128 bits)`]);
  });

  it('rejects an answer with key IDs other than those requested, or some missing', async () => {
    const answers = [{ keys: [keyEntry(KEY_ID_2)] }, { keys: [keyEntry(KEY_ID_1)] }, { keys: [keyEntry(KEY_ID_1), keyEntry(KEY_ID_2, 16)] }];
    const stub = await kme((_req, res) => json(res, 200, answers[stub.requests.length - 1]));
    const c = client(stub);
    await expect(c.getKeyWithIds('SAE_A', [KEY_ID_1])).rejects.toThrow(/key IDs not requested: 6ba7b810[\s\S]*missing: 550e8400/);
    await expect(c.getKeyWithIds('SAE_A', [KEY_ID_1, KEY_ID_2])).rejects.toThrow(/requested key IDs missing: 6ba7b810/);
    await expect(c.getKeyWithIds('SAE_A', [KEY_ID_1, KEY_ID_2])).rejects.toThrow(/different sizes/);
  });

  it('refuses locally an empty list, a non-UUID, duplicates, and several IDs with method "get"', async () => {
    const stub = await kme((_req, res) => json(res, 200, { keys: [] }));
    const c = client(stub);
    await expect(c.getKeyWithIds('SAE_A', [])).rejects.toThrow(/non-empty array/);
    await expect(c.getKeyWithIds('SAE_A', ['abc'])).rejects.toThrow(/keyIds\[0\] is not a UUID/);
    await expect(c.getKeyWithIds('SAE_A', [KEY_ID_1, KEY_ID_1])).rejects.toThrow(/duplicates/);
    await expect(client(stub, { method: 'get' }).getKeyWithIds('SAE_A', [KEY_ID_1, KEY_ID_2])).rejects.toThrow(/exactly one key_ID/);
    await expect(c.getKeyWithIds('', [KEY_ID_1])).rejects.toThrow(/SAE ID must be a non-empty string/);
    await expect(c.getKeyWithIds(42 as never, [KEY_ID_1])).rejects.toThrow(QkdRequestError);
    await expect(c.getKeyWithIds('SAE_A', 'x' as never)).rejects.toThrow(QkdRequestError);
    await expect(c.getKey('SAE_B', null as never)).rejects.toThrow(/must be an object/);
    await expect(c.getStatus('SAE_B', { timeoutMs: -1 })).rejects.toThrow(QkdRequestError);
    expect(stub.requests).toHaveLength(0);
  });
});

describe('HTTP errors', () => {
  it('maps 400/401/404/409/500/502/418 to distinct classes with status, ETSI body, endpoint and SAE IDs', async () => {
    const replies: Array<[number, unknown]> = [
      [400, { message: 'size shall be a multiple of 8', details: [{ size: 'bad' }] }],
      [401, undefined],
      [404, '<html>not here</html>'],
      [409, { message: 'key already delivered' }],
      [500, { message: 'boom' }],
      [502, ''],
      [418, { teapot: true }],
    ];
    const stub = await kme((_req, res) => {
      const [status, body] = replies[stub.requests.length - 1]!;
      if (body === undefined) return void res.writeHead(status).end();
      res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html' : 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
    const c = client(stub);
    const errors: QkdHttpError[] = [];
    for (let i = 0; i < replies.length; i++) {
      errors.push((await c.getKey('SAE_B', { size: 256, additionalSlaveSaeIds: ['SAE_C'] }).catch((e: unknown) => e)) as QkdHttpError);
    }
    expect(errors.map((e) => e.constructor)).toEqual([QkdBadRequestError, QkdUnauthorizedError, QkdNotFoundError, QkdConflictError, QkdServerError, QkdServerError, QkdHttpError]);
    expect(errors.map((e) => e.status)).toEqual([400, 401, 404, 409, 500, 502, 418]);
    for (const error of errors) {
      expect(error).toBeInstanceOf(QkdError);
      expect(error.endpoint).toBe(`${stub.url}/api/v1/keys/SAE_B/enc_keys`);
      expect(error.saeIds).toEqual(['SAE_B', 'SAE_C']);
      expect(error.method).toBe('POST');
    }
    expect(errors[0]!.etsiError).toEqual({ message: 'size shall be a multiple of 8', details: [{ size: 'bad' }] });
    expect(errors[0]!.message).toContain('"size shall be a multiple of 8"');
    expect(errors[1]!.etsiError).toBeUndefined();
    expect(errors[1]!.message).toMatch(/401 Unauthorized.*client certificate/);
    expect(errors[2]!.message).toMatch(/check the baseUrl/);
    expect(errors[2]!.etsiError).toBeUndefined();
    expect(allText(errors[2])).not.toContain('not here'); // non-ETSI bodies are not quoted
    expect(errors[3]!.etsiError?.message).toBe('key already delivered');
    expect(errors[6]!.etsiError).toBeUndefined();
  });

  it('503 on enc_keys is reported at once as QkdServiceUnavailableError (enc_keys is not retried)', async () => {
    const stub = await kme((_req, res) => json(res, 503, { message: 'not enough key material' }));
    const error = await client(stub).getKey('SAE_B', { size: 256 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QkdServiceUnavailableError);
    expect((error as QkdServiceUnavailableError).etsiError?.message).toBe('not enough key material');
    expect(stub.requests).toHaveLength(1);
  });
});

describe('connections', () => {
  it('reuses keep-alive connections across calls', async () => {
    const stub = await kme((_req, res) => json(res, 200, statusBody()));
    const c = client(stub);
    for (let i = 0; i < 20; i++) await c.getStatus('SAE_B');
    expect(stub.requests).toHaveLength(20);
    // Without keep-alive this would be 20. undici (even its bare request()) opens a second
    // connection for the second call while the first is being released, then reuses both.
    expect(stub.connections()).toBeLessThanOrEqual(3);
  });

  it('`connections` caps the connections to the KME; concurrent calls queue on them', async () => {
    const stub = await kme((_req, res) => json(res, 200, statusBody()));
    const c = client(stub, { connections: 1 });
    await Promise.all(Array.from({ length: 10 }, () => c.getStatus('SAE_B')));
    expect(stub.requests).toHaveLength(10);
    expect(stub.connections()).toBe(1);
    expect(() => client(stub, { connections: 0 })).toThrow(/connections must be a positive integer/);
  });

  it('after close(), calls are refused locally', async () => {
    const stub = await kme((_req, res) => json(res, 200, statusBody()));
    const c = client(stub);
    await c.getStatus('SAE_B');
    await c.close();
    await expect(c.getStatus('SAE_B')).rejects.toThrow(/client is closed/);
    await c.close(); // idempotent
  });
});
