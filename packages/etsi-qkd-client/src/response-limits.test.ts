// Hostile answers over real mTLS: an answer larger than maxResponseBytes is cut off while it
// streams in, and an answer full of problems gives an error message of bounded length.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createQkdClient, DEFAULT_MAX_RESPONSE_BYTES, type QkdClient, type QkdClientOptions } from './client.js';
import { QkdConfigError, QkdHttpError, QkdResponseError, QkdResponseTooLargeError, QkdServiceUnavailableError } from './errors.js';
import { MAX_LISTED_PROBLEMS, MAX_PROBLEM_CHARS, MAX_PROBLEMS_CHARS } from './problems.js';
import { makeTestPki, type TestPki } from './testing/pki.js';
import { KEY_ID_1, KEY_ID_2, json, keyEntry, startStubKme, statusBody, type Handler, type StubKme } from './testing/stub-kme.js';

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
function client(stub: StubKme, extra: Partial<QkdClientOptions> = {}): QkdClient {
  const c = createQkdClient({ baseUrl: stub.url, tls: { cert: pki.client.certPem, key: pki.client.keyPem, ca: pki.ca.certPem }, retry: false, ...extra });
  open.push(c);
  return c;
}

/** A Key container padded through key_container_extension to exactly `bytes` bytes of JSON. */
function containerOf(bytes: number, keys = [keyEntry(KEY_ID_1)]): string {
  const empty = JSON.stringify({ keys, key_container_extension: { pad: '' } });
  return JSON.stringify({ keys, key_container_extension: { pad: 'x'.repeat(bytes - empty.length) } });
}
function sendText(text: string, chunked = false): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': Buffer.byteLength(text) }) });
    if (!chunked) return void res.end(text);
    for (let i = 0; i < text.length; i += 65_536) res.write(text.slice(i, i + 65_536));
    res.end();
  };
}

// The finding: 91,598 keys that are all invalid, 14 MB, took over a second to reject and gave a
// 13.8 MB error message.
const hostileContainer = JSON.stringify({ keys: Array.from({ length: 91_598 }, (_, i) => ({ key_ID: `not-a-uuid-${i}`, key: `not base64 ${'!'.repeat(120)}` })) });

describe('maxResponseBytes', () => {
  it('defaults to 1 MiB', () => {
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(1 << 20);
  });

  it.each([
    ['with a Content-Length', false],
    ['chunked', true],
  ])('refuses the 14 MB container %s, naming the endpoint and the limit', async (_how, chunked) => {
    expect(hostileContainer.length).toBeGreaterThan(14_000_000);
    const stub = await kme(sendText(hostileContainer, chunked));
    const error = await client(stub).getKey('SAE_B', { size: 256 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QkdResponseTooLargeError);
    expect(error).toBeInstanceOf(QkdResponseError);
    const e = error as QkdResponseTooLargeError;
    expect(e).toMatchObject({ endpoint: `${stub.url}/api/v1/keys/SAE_B/enc_keys`, limitBytes: 1 << 20, status: 200, saeIds: ['SAE_B'] });
    expect(e.message).toBe(`the answer from ${stub.url}/api/v1/keys/SAE_B/enc_keys is larger than maxResponseBytes (1048576 bytes)`);
  });

  it('stops reading an endless answer instead of waiting for the timeout', async () => {
    let closedByClient!: () => void;
    const clientHungUp = new Promise<void>((resolve) => (closedByClient = resolve));
    const stub = await kme((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = `{"keys":[${JSON.stringify(keyEntry(KEY_ID_1))}`.padEnd(65_536, ' ');
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', closedByClient);
      pump();
    });
    const error = await client(stub, { timeoutMs: 60_000, maxResponseBytes: 256 * 1024 }).getKey('SAE_B').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QkdResponseTooLargeError);
    expect((error as QkdResponseTooLargeError).limitBytes).toBe(256 * 1024);
    await clientHungUp;
  });

  it('accepts an answer of exactly maxResponseBytes and refuses one byte more', async () => {
    const limit = 4096;
    let body = containerOf(limit);
    const stub = await kme((_req, res) => sendText(body)(_req, res, undefined as never));
    const c = client(stub, { maxResponseBytes: limit });
    expect(Buffer.byteLength(body)).toBe(limit);
    await expect(c.getKey('SAE_B', { size: 256 })).resolves.toMatchObject({ keys: [{ keyId: KEY_ID_1, bits: 256 }] });
    body = containerOf(limit + 1);
    await expect(c.getKey('SAE_B', { size: 256 })).rejects.toMatchObject({ name: 'QkdResponseTooLargeError', limitBytes: limit });
  });

  it('applies to Status, and to the body of an error answer (the status still counts, the body is dropped)', async () => {
    const stub = await kme((req, res) => (req.url.endsWith('/status') ? sendText(JSON.stringify({ ...statusBody(), status_extension: { pad: 'y'.repeat(5000) } }))(req, res, undefined as never) : json(res, 503, { message: 'z'.repeat(5000) })));
    const c = client(stub, { maxResponseBytes: 2048 });
    await expect(c.getStatus('SAE_B')).rejects.toBeInstanceOf(QkdResponseTooLargeError);
    const error = await c.getKeyWithIds('SAE_A', [KEY_ID_1]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QkdServiceUnavailableError);
    expect((error as QkdServiceUnavailableError).etsiError).toBeUndefined();
    expect((error as Error).message).not.toContain('zzz');
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1024', 2 ** 53])('refuses maxResponseBytes %s at creation', (value) => {
    expect(() => createQkdClient({ baseUrl: 'https://kme.example', maxResponseBytes: value as number })).toThrow(QkdConfigError);
    expect(() => createQkdClient({ baseUrl: 'https://kme.example', maxResponseBytes: value as number })).toThrow(/maxResponseBytes must be a positive whole number of bytes/);
  });
});

describe('error messages stay short', () => {
  const bounded = (message: string) => {
    expect(message.length).toBeLessThanOrEqual(MAX_PROBLEMS_CHARS + 200);
  };

  it('lists at most MAX_LISTED_PROBLEMS schema issues of an invalid container, then how many more', async () => {
    const keys = Array.from({ length: 5000 }, (_, i) => ({ key_ID: `bad-${i}`, key: 'AAAA' }));
    const stub = await kme((_req, res) => json(res, 200, { keys }));
    const error = (await client(stub).getKey('SAE_B', { size: 256 }).catch((e: unknown) => e)) as QkdResponseError;
    expect(error).toBeInstanceOf(QkdResponseError);
    expect(error.message).toMatch(/^invalid Key container: keys\.0\.key_ID: key_ID is not a UUID; keys\.1\.key_ID: key_ID is not a UUID; /);
    expect(error.message.match(/key_ID is not a UUID/g)).toHaveLength(MAX_LISTED_PROBLEMS);
    expect(error.message).toContain(`… and ${5000 - MAX_LISTED_PROBLEMS} more`);
    expect(error.message).toContain(`(from ${stub.url}/api/v1/keys/SAE_B/enc_keys)`);
    bounded(error.message);
  });

  it('cuts one enormous issue (a 500 kB key_ID) to a bounded length', async () => {
    const stub = await kme((_req, res) => json(res, 200, { keys: [keyEntry(KEY_ID_1), keyEntry(KEY_ID_1)].map((k, i) => (i ? { ...k, key_ID: KEY_ID_2 + 'f'.repeat(500_000) } : k)) }));
    const error = (await client(stub).getKey('SAE_B', { size: 256, number: 2 }).catch((e: unknown) => e)) as QkdResponseError;
    expect(error).toBeInstanceOf(QkdResponseError);
    bounded(error.message);
  });

  // The finding: a KME's ETSI Error message of 26 KB (within maxResponseBytes) became the error's
  // message whole. The message quotes it cut short; etsiError keeps it all.
  it.each([
    [400, 'QkdBadRequestError'],
    [503, 'QkdServiceUnavailableError'],
    [500, 'QkdServerError'],
    [418, 'QkdHttpError'],
  ])("cuts the KME's Error message of a %s answer, and keeps it whole in etsiError", async (status, name) => {
    const said = `size shall be a multiple of 8 ${'w'.repeat(26_000)}`;
    const stub = await kme((_req, res) => json(res, status, { message: said }));
    const error = (await client(stub).getKey('SAE_B', { size: 256 }).catch((e: unknown) => e)) as QkdHttpError;
    expect(error).toBeInstanceOf(QkdHttpError);
    expect(error).toMatchObject({ name, status });
    expect(error.message).toContain(`"size shall be a multiple of 8 ${'w'.repeat(MAX_PROBLEM_CHARS - 31)}…"`);
    expect(error.message).not.toContain('w'.repeat(MAX_PROBLEM_CHARS));
    bounded(error.message);
    expect(error.etsiError).toEqual({ message: said });
  });

  it('bounds the mismatch list of enc_keys and dec_keys answers', async () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const stub = await kme((_req, res) => json(res, 200, { keys: ids.map((id) => keyEntry(id, 16)) }));
    const c = client(stub);
    const enc = (await c.getKey('SAE_B', { size: 256 }).catch((e: unknown) => e)) as QkdResponseError;
    expect(enc).toBeInstanceOf(QkdResponseError);
    expect(enc.message).toMatch(/^enc_keys answer from .* does not match the request: asked for 1 key\(s\), got 3000; key 00000000-0000-4000-8000-000000000000 has 128 bits, expected 256; /);
    expect(enc.message).toContain(`… and ${3001 - MAX_LISTED_PROBLEMS} more`);
    bounded(enc.message);
    const dec = (await c.getKeyWithIds('SAE_A', [KEY_ID_1]).catch((e: unknown) => e)) as QkdResponseError;
    expect(dec).toBeInstanceOf(QkdResponseError);
    expect(dec.message).toMatch(/key IDs not requested: 00000000-0000-4000-8000-000000000000, /);
    bounded(dec.message);
  });
});
