// HTTP a client should never send, over a real mutual-TLS socket: each gets an ETSI Error body
// with a fitting status and the connection closed, and a client that stops part-way is let go
// after the configured timeouts instead of Node's five minutes.
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimKme, type SimKme } from '../index.js';
import { rawCall } from './testing/raw-https.js';
import { rawTlsExchange } from './testing/raw-tls.js';

const HEADERS_TIMEOUT_MS = 600;
const REQUEST_TIMEOUT_MS = 1_200;

let sim: SimKme;
const tls = () => ({ cert: sim.pki!.saes.SAE_A!.certPem, key: sim.pki!.saes.SAE_A!.keyPem, ca: sim.pki!.ca.certPem });
const send = (parts: (string | Buffer)[], pauseMs?: number) => rawTlsExchange(sim.kmes.KME_A!.url, tls(), parts, pauseMs === undefined ? {} : { pauseMs });
const ENC = 'POST /api/v1/keys/SAE_B/enc_keys HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n';

beforeAll(async () => {
  sim = await startSimKme({ http: { headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS } });
});
afterAll(() => sim.close());

/** The reply every malformed request must get: the status, an ETSI Error, and the connection closed. */
function expectEtsiError(reply: Awaited<ReturnType<typeof send>>, status: number, message: string | RegExp) {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers['content-type']).toBe('application/json');
  expect(reply.headers.connection).toBe('close');
  expect(reply.json).toEqual({ message: typeof message === 'string' ? message : expect.stringMatching(message) });
}

describe('malformed HTTP gets an ETSI Error', () => {
  it('a Content-Length that is not a number: 400', async () => {
    expectEtsiError(await send([`${ENC}Content-Length: abc\r\n\r\n{}`]), 400, /^malformed HTTP request: bad Content-Length header \(.+\)$/);
  });

  it('two different Content-Lengths: 400', async () => {
    expectEtsiError(await send([`${ENC}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}`]), 400, /^malformed HTTP request: .*Content-Length/i);
  });

  it('Content-Length together with chunked Transfer-Encoding: 400', async () => {
    expectEtsiError(await send([`${ENC}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`]), 400, /^malformed HTTP request: /);
  });

  it('a NUL in a header value: 400', async () => {
    expectEtsiError(await send([`GET /api/v1/keys/SAE_B/status HTTP/1.1\r\nHost: localhost\r\nX-Trace: a\0b\r\n\r\n`]), 400, /^malformed HTTP request: /);
  });

  it('a NUL in a header name: 400 naming the character problem', async () => {
    expectEtsiError(
      await send([`GET /api/v1/keys/SAE_B/status HTTP/1.1\r\nHost: localhost\r\nX-Tr\0ace: a\r\n\r\n`]),
      400,
      /^malformed HTTP request: a header holds a character HTTP does not allow \(.+\)$/,
    );
  });

  it('headers larger than 16 KiB: 431', async () => {
    expectEtsiError(
      await send([`GET /api/v1/keys/SAE_B/status HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]),
      431,
      'the request headers exceed 16384 bytes',
    );
  });

  it('a request line that is not HTTP: 400', async () => {
    expectEtsiError(await send(['\x16\x03\x01 hello\r\n\r\n']), 400, /^malformed HTTP request: /);
  });

  // Node refuses both before a request handler runs: a CONNECT with no 'connect' listener has its
  // connection destroyed without a word, an HTTP/1.1 request without Host gets a bare 400.
  it('a CONNECT request: 405 naming the methods a KME serves', async () => {
    const reply = await send(['CONNECT kme.example:443 HTTP/1.1\r\nHost: kme.example:443\r\n\r\n']);
    expectEtsiError(reply, 405, 'CONNECT is not allowed: a KME serves GET and POST only');
    expect(reply.headers.allow).toBe('GET, POST');
  });

  it('a CONNECT request with bytes after it: 405, the bytes are not read as a request', async () => {
    expectEtsiError(await send(['CONNECT localhost:1 HTTP/1.1\r\n\r\nGET /api/v1/keys/SAE_B/status HTTP/1.1\r\nHost: localhost\r\n\r\n']), 405, /^CONNECT is not allowed/);
  });

  it('an HTTP/1.1 request without a Host header: 400', async () => {
    expectEtsiError(await send(['GET /api/v1/keys/SAE_B/status HTTP/1.1\r\nAccept: application/json\r\n\r\n']), 400, 'malformed HTTP request: an HTTP/1.1 request must carry a Host header');
  });

  it('an HTTP/1.0 request without a Host header is served', async () => {
    const reply = await send(['GET /api/v1/keys/SAE_B/status HTTP/1.0\r\n\r\n']);
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json).toMatchObject({ master_SAE_ID: 'SAE_A', slave_SAE_ID: 'SAE_B' });
  });

  it('a bad chunk size: 400', async () => {
    expectEtsiError(await send([`${ENC}Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`]), 400, /^malformed HTTP request: /);
  });
});

describe('a client that stops part-way is answered 408 and let go', () => {
  it('a partial body: 408 after requestTimeoutMs, not minutes', async () => {
    const reply = await send([`${ENC}Content-Length: 100\r\n\r\n{"number":`]);
    expectEtsiError(reply, 408, `the request was not received in full within ${REQUEST_TIMEOUT_MS} ms`);
    expect(reply.elapsedMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50); // it did wait for the body
  });

  it('partial headers: 408 after headersTimeoutMs', async () => {
    const reply = await send(['GET /api/v1/keys/SAE_B/status HTTP/1.1\r\nHost: localhost\r\n']);
    expectEtsiError(reply, 408, `the request headers were not received within ${HEADERS_TIMEOUT_MS} ms`);
    expect(reply.elapsedMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
  });

  it('a body trickled a byte at a time still cannot exceed requestTimeoutMs', async () => {
    const bytes = '{"number":1}'.padEnd(60, ' ').split('');
    const reply = await send([`${ENC}Content-Length: 60\r\n\r\n`, ...bytes], 100);
    expectEtsiError(reply, 408, `the request was not received in full within ${REQUEST_TIMEOUT_MS} ms`);
  });

  it('a connection that sends nothing after the handshake: 408 after headersTimeoutMs', async () => {
    const reply = await send([]);
    expectEtsiError(reply, 408, `the request headers were not received within ${HEADERS_TIMEOUT_MS} ms`);
    expect(reply.elapsedMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
  });

  it('a TCP connection that never completes the TLS handshake is closed after headersTimeoutMs', async () => {
    const { hostname, port } = new URL(sim.kmes.KME_A!.url);
    const socket = createConnection({ host: hostname, port: Number(port) });
    const started = Date.now();
    socket.on('connect', () => socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]))); // a ClientHello header, then nothing
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.on('close', resolve));
    expect(Date.now() - started).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
  });
});

describe('well-formed requests are unaffected', () => {
  it('a request split across pauses shorter than the timeouts is served', async () => {
    const body = '{"number":1}';
    const reply = await send([`${ENC}Content-Length: ${body.length}\r\nConnection: close\r\n`, '\r\n', body], 100);
    expect(reply.status, reply.text).toBe(200);
    expect((reply.json as { keys: unknown[] }).keys).toHaveLength(1);
  });

  it('a keep-alive connection idle longer than the timeouts still serves its next request', async () => {
    const status = 'GET /api/v1/keys/SAE_B/status HTTP/1.1\r\nHost: localhost\r\n\r\n';
    const last = 'GET /api/v1/keys/SAE_B/status HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';
    const reply = await send([status, last], REQUEST_TIMEOUT_MS + 500);
    expect(reply.text.match(/HTTP\/1\.1 200 OK\r\n/g)).toHaveLength(2);
  });

  it('a slow answer is not cut: the timeouts bound receiving the request, not the reply', async () => {
    sim.setFaults('KME_A', { latencyMs: REQUEST_TIMEOUT_MS + 300 });
    try {
      expect((await rawCall(sim.kmes.KME_A!.url, '/api/v1/keys/SAE_B/status', tls())).status).toBe(200);
    } finally {
      sim.setFaults('KME_A', undefined);
    }
  });

  it('the ordinary client path still works', async () => {
    expect((await rawCall(sim.kmes.KME_A!.url, '/api/v1/keys/SAE_B/status', tls())).status).toBe(200);
  });
});

describe('http timeouts option', () => {
  it('refuses a headers timeout longer than the request timeout, naming the field', async () => {
    await expect(startSimKme({ http: { headersTimeoutMs: 5_000, requestTimeoutMs: 1_000 } })).rejects.toThrow(
      'http.headersTimeoutMs: headersTimeoutMs must not exceed requestTimeoutMs',
    );
  });

  it('refuses 0 (no timeout)', async () => {
    await expect(startSimKme({ http: { requestTimeoutMs: 0 } })).rejects.toThrow('http.requestTimeoutMs: expected a whole number of milliseconds >= 1');
  });
});
