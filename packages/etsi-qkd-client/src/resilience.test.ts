// Retries, timeouts, aborts and broken connections, against real sockets.
import net from 'node:net';
import tls from 'node:tls';
import { inspect } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createQkdClient, type QkdClient, type QkdClientOptions } from './client.js';
import { QkdAbortError, QkdConnectionError, QkdHttpError, QkdResponseError, QkdResponseTooLargeError, QkdServiceUnavailableError, QkdTimeoutError, QkdTlsError } from './errors.js';
import { makeTestPki, type TestPki } from './testing/pki.js';
import { KEY_ID_1, KEY_ID_2, json, keyEntry, recordingLogger, startStubKme, statusBody, type Handler, type StubKme } from './testing/stub-kme.js';

let pki: TestPki;
const cleanup: Array<() => Promise<void>> = [];

beforeAll(async () => {
  pki = await makeTestPki();
});

afterEach(async () => {
  for (const close of cleanup.splice(0)) await close();
});

async function kme(handler: Handler): Promise<StubKme> {
  const stub = await startStubKme(handler, { cert: pki.server.certPem, key: pki.server.keyPem, ca: pki.ca.certPem });
  cleanup.push(() => stub.close());
  return stub;
}

function client(baseUrl: string, extra: Partial<QkdClientOptions> = {}): QkdClient & { log: string[] } {
  const logger = recordingLogger();
  const c = createQkdClient({
    baseUrl,
    tls: { cert: pki.client.certPem, key: pki.client.keyPem, ca: pki.ca.certPem },
    retry: { limit: 2, baseDelayMs: 1, maxDelayMs: 5 },
    logger,
    ...extra,
  });
  cleanup.push(() => c.close());
  return Object.assign(c, { log: logger.lines });
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const dropSocket: Handler = (_req, res) => res.socket?.destroy();

describe('retries (idempotent calls only)', () => {
  it('retries status on 503 until it succeeds', async () => {
    const stub = await kme((_req, res) => (stub.requests.length < 3 ? json(res, 503, { message: 'no key material' }) : json(res, 200, statusBody())));
    const c = client(stub.url);
    await expect(c.getStatus('SAE_B')).resolves.toMatchObject({ slave_SAE_ID: 'SAE_B' });
    expect(stub.requests).toHaveLength(3);
    expect(c.log.filter((line) => line.startsWith('debug retry'))).toHaveLength(2);
    expect(c.log.at(-1)).toMatch(/^debug GET https:\/\/127\.0\.0\.1:\d+\/api\/v1\/keys\/SAE_B\/status -> 200 in [\d.]+ ms$/);
  });

  it('gives up after `limit` retries with the last 503 and its ETSI body', async () => {
    const stub = await kme((_req, res) => json(res, 503, { message: 'no key material' }));
    const c = client(stub.url);
    const error = await c.getStatus('SAE_B').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QkdServiceUnavailableError);
    expect((error as QkdServiceUnavailableError).etsiError).toEqual({ message: 'no key material' });
    expect(c.log.at(-1)).toMatch(/^debug GET .*\/status failed in [\d.]+ ms: QkdServiceUnavailableError 503$/);
    expect(stub.requests).toHaveLength(3);
  });

  it('honours Retry-After on 503, capped at maxDelayMs', async () => {
    const stub = await kme((_req, res) => {
      if (stub.requests.length > 1) return json(res, 200, statusBody());
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '3600' });
      res.end(JSON.stringify({ message: 'come back in an hour' }));
    });
    // Uncapped, this would wait an hour (and the call's 10 s budget would end it as a timeout).
    await expect(client(stub.url, { retry: { limit: 1, baseDelayMs: 1, maxDelayMs: 20 } }).getStatus('SAE_B')).resolves.toMatchObject({ key_size: 256 });
    expect(stub.requests).toHaveLength(2);
  });

  it('retries dec_keys (POST, safe to repeat) on 503 and on a dropped connection', async () => {
    const replies: Handler[] = [(_req, res) => json(res, 503, { message: 'busy' }), dropSocket, (_req, res) => json(res, 200, { keys: [keyEntry(KEY_ID_1), keyEntry(KEY_ID_2)] })];
    const stub = await kme((req, res, raw) => replies[stub.requests.length - 1]!(req, res, raw));
    const result = await client(stub.url).getKeyWithIds('SAE_A', [KEY_ID_1, KEY_ID_2]);
    expect(result.keys).toHaveLength(2);
    expect(stub.requests.map((r) => r.method)).toEqual(['POST', 'POST', 'POST']);
  });

  it('never retries enc_keys: a dropped connection is reported after one attempt', async () => {
    const stub = await kme(dropSocket);
    const error = await client(stub.url).getKey('SAE_B', { size: 256 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QkdConnectionError);
    expect((error as QkdConnectionError).message).toMatch(/dropped before a complete answer.*the KME may already have issued keys for this call/);
    expect((error as QkdConnectionError).saeIds).toEqual(['SAE_B']);
    expect(stub.requests).toHaveLength(1);
  });

  it('does not retry 4xx, and retry: false turns retries off', async () => {
    const stub = await kme((_req, res) => json(res, stub.requests.length === 1 ? 400 : 503, { message: 'x' }));
    await expect(client(stub.url).getStatus('SAE_B')).rejects.toThrow(/400/);
    await expect(client(stub.url, { retry: false }).getStatus('SAE_B')).rejects.toThrow(QkdServiceUnavailableError);
    expect(stub.requests).toHaveLength(2);
  });

  it('retries a refused connection, then reports QkdConnectionError ECONNREFUSED naming host and port', async () => {
    const port = await closedPort();
    const c = client(`https://127.0.0.1:${port}`);
    const error = await c.getStatus('SAE_B').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QkdConnectionError);
    expect((error as QkdConnectionError).code).toBe('ECONNREFUSED');
    expect((error as Error).message).toBe(`connection to 127.0.0.1:${port} refused (ECONNREFUSED): is the KME running and listening on that port?`);
    expect(c.log.filter((line) => line.startsWith('debug retry'))).toHaveLength(2);
  });
});

describe('timeouts and aborts', () => {
  it('a KME that never answers gives QkdTimeoutError; the per-call timeout overrides the client one', async () => {
    const stub = await kme(() => {}); // holds the request forever
    const c = client(stub.url, { timeoutMs: 250 });
    const error = await c.getStatus('SAE_B').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QkdTimeoutError);
    expect((error as QkdTimeoutError).timeoutMs).toBe(250);
    expect((error as Error).message).toBe(`no complete answer from ${stub.url}/api/v1/keys/SAE_B/status within 250 ms`);
    const slow = client(stub.url, { timeoutMs: 60_000 });
    await expect(slow.getKey('SAE_B', { size: 256 }, { timeoutMs: 200 })).rejects.toThrow(QkdTimeoutError);
  });

  it('a body that stalls half-way gives QkdTimeoutError, not a partial key', async () => {
    const stub = await kme((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"keys":[{"key_ID":"');
    });
    await expect(client(stub.url, { timeoutMs: 250 }).getKey('SAE_B', { size: 256 })).rejects.toThrow(QkdTimeoutError);
  });

  it('the timeout bounds the whole call, retries and backoff included', async () => {
    const stub = await kme((_req, res) => json(res, 503, { message: 'busy' }));
    const c = client(stub.url, { timeoutMs: 300, retry: { limit: 1_000, baseDelayMs: 20, maxDelayMs: 40 } });
    await expect(c.getStatus('SAE_B')).rejects.toThrow(QkdTimeoutError);
  });

  it('an AbortSignal aborts a call in flight, and a pre-aborted signal sends nothing', async () => {
    const controller = new AbortController();
    const stub = await kme(() => controller.abort());
    const c = client(stub.url);
    const error = await c.getStatus('SAE_B', { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QkdAbortError);
    expect((error as Error).message).toMatch(/aborted by the caller/);
    await expect(c.getKey('SAE_B', {}, { signal: AbortSignal.abort() })).rejects.toThrow(/aborted before it was sent/);
    expect(stub.requests).toHaveLength(1);
  });
});

describe('servers that do not speak the protocol', () => {
  it('TLS to a plain HTTP port is a QkdTlsError saying so', async () => {
    const plain = await startStubKme((_req, res) => json(res, 200, statusBody()));
    cleanup.push(() => plain.close());
    const error = await client(plain.url.replace('http:', 'https:')).getStatus('SAE_B').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QkdTlsError);
    expect((error as Error).message).toMatch(/does not speak TLS on this port/);
  });

  it('garbage instead of HTTP is a clear QkdConnectionError', async () => {
    const server = tls.createServer({ cert: pki.server.certPem, key: pki.server.keyPem }, (socket) => {
      socket.on('data', () => socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
    const { port } = server.address() as net.AddressInfo;
    const error = await client(`https://127.0.0.1:${port}`).getKey('SAE_B', { size: 256 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QkdConnectionError);
    expect((error as Error).message).toMatch(/is not valid HTTP/);
    // undici keeps the raw bytes on its parser error; they must not ride along in the cause.
    expect(inspect(error, { depth: 10 })).not.toContain('OpenSSH');
  });

  it('an oversized answer is refused while reading, not buffered whole', async () => {
    const stub = await kme((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"keys":[],"key_container_extension":{"pad":"${'x'.repeat(2 << 20)}"}}`);
    });
    const error = await client(stub.url).getKey('SAE_B', { size: 256 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QkdResponseTooLargeError);
    expect((error as Error).message).toMatch(/is larger than maxResponseBytes \(1048576 bytes\)/);
    expect((error as QkdResponseTooLargeError).status).toBe(200);
  });

  it('a redirect is not followed: it is a QkdHttpError and the target sees nothing', async () => {
    const elsewhere = await kme((_req, res) => json(res, 200, { keys: [keyEntry(KEY_ID_1)] }));
    const stub = await kme((req, res) => {
      res.writeHead(307, { location: `${elsewhere.url}${req.url}` });
      res.end();
    });
    const error = await client(stub.url).getKey('SAE_B', { size: 256 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QkdHttpError);
    expect((error as QkdHttpError).status).toBe(307);
    expect(elsewhere.requests).toHaveLength(0);
  });
});

