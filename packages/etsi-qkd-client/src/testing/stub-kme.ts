// A scripted KME for tests: a real node:https (or http) server on 127.0.0.1, port 0, answering
// each request with whatever the test's handler does — good bodies, bad bodies, any status,
// stalls, dropped sockets. It records what arrived on the wire.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

interface ReceivedRequest {
  method: string;
  /** Path and query exactly as sent. */
  url: string;
  body: string;
  /** CN of the client certificate, when one was presented. */
  clientCn: string | undefined;
}

export type Handler = (request: ReceivedRequest, res: ServerResponse, req: IncomingMessage) => void;

export interface StubTls {
  cert: string;
  key: string;
  /** CA bundle for client certificates; with it the stub requires and verifies one. */
  ca?: string;
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
}

export interface StubKme {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export async function startStubKme(handler: Handler, tls?: StubTls): Promise<StubKme> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const peer = (req.socket as TLSSocket).getPeerCertificate?.();
      const cn = peer && 'subject' in peer ? peer.subject?.CN : undefined;
      const received: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
        clientCn: Array.isArray(cn) ? cn.join(',') : cn,
      };
      requests.push(received);
      handler(received, res, req);
    });
  };
  const server = tls
    ? https.createServer(
        { cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}), ...(tls.maxVersion ? { maxVersion: tls.maxVersion } : {}) },
        listener,
      )
    : http.createServer(listener);
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => {}); // a rejected client is what some tests want
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Sends `body` as JSON with `status`. */
export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export const KEY_ID_1 = '550e8400-e29b-41d4-a716-446655440000';
export const KEY_ID_2 = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
export const KEY_ID_3 = 'f47ac10b-58cc-4372-a567-0e02b2c3d479';

/** Recognisable key material, so tests can grep every output for it. */
export function material(bytes: number, fill = 0xa7): Buffer {
  return Buffer.alloc(bytes, fill);
}

export function keyEntry(keyId: string, bytes = 32, fill = 0xa7): { key_ID: string; key: string } {
  return { key_ID: keyId, key: material(bytes, fill).toString('base64') };
}

export function statusBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    source_KME_ID: 'KME_A',
    target_KME_ID: 'KME_B',
    master_SAE_ID: 'SAE_A',
    slave_SAE_ID: 'SAE_B',
    key_size: 256,
    stored_key_count: 25,
    max_key_count: 1000,
    max_key_per_request: 4,
    max_key_size: 1024,
    min_key_size: 64,
    max_SAE_ID_count: 2,
    ...overrides,
  };
}

/** A logger that keeps what it is given. */
export function recordingLogger(): { warn(message: string): void; debug(message: string): void; lines: string[] } {
  const lines: string[] = [];
  return { warn: (message) => lines.push(`warn ${message}`), debug: (message) => lines.push(`debug ${message}`), lines };
}
