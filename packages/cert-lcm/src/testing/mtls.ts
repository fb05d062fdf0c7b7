// Test helper: a real node:https server demanding client certificates, on 127.0.0.1 port 0,
// and a client request that reports the outcome instead of throwing.
import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface MtlsServer {
  port: number;
  /** Errors the server saw during client handshakes (e.g. an expired client certificate). */
  clientErrors: Error[];
  close(): Promise<void>;
}

export async function startMtlsServer(opts: { certPem: string; keyPem: string; caPem: string }): Promise<MtlsServer> {
  const clientErrors: Error[] = [];
  const server = https.createServer(
    { cert: opts.certPem, key: opts.keyPem, ca: opts.caPem, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerX509Certificate();
      res.end(JSON.stringify({ peer: peer?.subject ?? null }));
    },
  );
  server.on('tlsClientError', (err) => clientErrors.push(err));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    clientErrors,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type Outcome = { ok: true; body: string; protocol: string } | { ok: false; error: Error };

export function mtlsGet(
  port: number,
  opts: { certPem?: string; keyPem?: string; caPem: string; servername?: string; maxVersion?: 'TLSv1.2' | 'TLSv1.3' },
): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        method: 'GET',
        agent: false,
        ca: opts.caPem,
        ...(opts.certPem ? { cert: opts.certPem } : {}),
        ...(opts.keyPem ? { key: opts.keyPem } : {}),
        ...(opts.servername ? { servername: opts.servername } : {}),
        ...(opts.maxVersion ? { maxVersion: opts.maxVersion } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ ok: true, body, protocol: (res.socket as TLSSocket).getProtocol() ?? '' }));
        res.on('error', (error) => resolve({ ok: false, error }));
      },
    );
    req.on('error', (error) => resolve({ ok: false, error }));
    req.end();
  });
}
