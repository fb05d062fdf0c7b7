import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCa,
  DistributionError,
  fetchCaFromFile,
  fetchCaFromTlsServer,
  fetchCaFromUrl,
  fetchPresentedChain,
  fingerprint,
  issueCertificate,
  toDer,
  type Credential,
} from './index.js';

let ca: Credential;
let kme: Credential;
let other: Credential;
let httpsServer: https.Server;
let httpServer: http.Server;
let tlsServer: tls.Server;
let leafOnlyServer: tls.Server;
let base: string;
let httpBase: string;
let dir: string;

async function listen(server: http.Server | https.Server | tls.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  ca = await createCa({ commonName: 'qkd-lab CA' });
  other = await createCa({ commonName: 'Other CA' });
  kme = await issueCertificate({ issuer: ca, profile: 'server', commonName: 'KME_A', ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] });
  const routes = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.url === '/ca.pem') res.end(ca.certPem);
    else if (req.url === '/ca.der') res.end(Buffer.from(toDer(ca.certificate)));
    else if (req.url === '/bundle.pem') res.end(kme.certPem + ca.certPem);
    else if (req.url === '/html') res.end('<html>not a certificate</html>');
    else if (req.url === '/moved') res.writeHead(302, { location: '/ca.pem' }).end();
    else if (req.url === '/hang') return; // never answers
    else res.writeHead(404).end('nope');
  };
  httpsServer = https.createServer({ cert: kme.certPem, key: kme.keyPem }, routes);
  httpServer = http.createServer(routes);
  // A TLS server that presents its full chain (leaf + root), and one that sends only its leaf.
  tlsServer = tls.createServer({ cert: kme.certPem + ca.certPem, key: kme.keyPem }, (s) => s.end());
  leafOnlyServer = tls.createServer({ cert: kme.certPem, key: kme.keyPem }, (s) => s.end());
  base = `https://127.0.0.1:${await listen(httpsServer)}`;
  httpBase = `http://127.0.0.1:${await listen(httpServer)}`;
  await listen(tlsServer);
  await listen(leafOnlyServer);
  dir = await mkdtemp(join(tmpdir(), 'cert-lcm-fetch-'));
});

afterAll(async () => {
  for (const s of [httpsServer, httpServer]) s.closeAllConnections();
  await Promise.all([httpsServer, httpServer, tlsServer, leafOnlyServer].map((s) => new Promise((r) => s.close(r))));
  await rm(dir, { recursive: true, force: true });
});

const port = (s: tls.Server) => (s.address() as AddressInfo).port;

describe('fetchCaFromFile', () => {
  it('reads PEM, DER and bundles, and pins by fingerprint', async () => {
    await writeFile(join(dir, 'ca.pem'), ca.certPem);
    await writeFile(join(dir, 'ca.der'), toDer(ca.certificate));
    await writeFile(join(dir, 'bundle.pem'), kme.certPem + ca.certPem);
    expect((await fetchCaFromFile(join(dir, 'ca.pem'))).ca.subject).toBe('CN=qkd-lab CA');
    expect((await fetchCaFromFile(join(dir, 'ca.der'))).ca.subject).toBe('CN=qkd-lab CA');
    const bundle = await fetchCaFromFile(join(dir, 'bundle.pem'), { expectedSha256: fingerprint(ca.certificate).replace(/:/g, '').toLowerCase() });
    expect(bundle.certificates).toHaveLength(2);
    expect(bundle.ca.subject).toBe('CN=qkd-lab CA');
    await expect(fetchCaFromFile(join(dir, 'bundle.pem'), { expectedSha256: fingerprint(other.certificate) })).rejects.toThrow(/no certificate has the pinned SHA-256 fingerprint/);
    await expect(fetchCaFromFile(join(dir, 'missing.pem'))).rejects.toThrow(`${join(dir, 'missing.pem')}: cannot read CA certificate: ENOENT`);
  });
});

describe('fetchCaFromUrl', () => {
  it('fetches PEM and DER from a real HTTPS server verified against the given CA', async () => {
    const pem = await fetchCaFromUrl(`${base}/ca.pem`, { ca: ca.certPem });
    expect(pem).toMatchObject({ trusted: true, source: `${base}/ca.pem` });
    expect(fingerprint(pem.ca)).toBe(fingerprint(ca.certificate));
    expect(fingerprint((await fetchCaFromUrl(`${base}/ca.der`, { ca: ca.certPem })).ca)).toBe(fingerprint(ca.certificate));
    expect((await fetchCaFromUrl(`${base}/bundle.pem`, { ca: ca.certPem })).ca.subject).toBe('CN=qkd-lab CA');
  });

  it('names the URL and the problem: untrusted server, HTTP status, redirect, not a certificate, timeout, plain http', async () => {
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => fetchCaFromUrl(`${base}/ca.pem`, { ca: other.certPem }), /\/ca\.pem: TLS verification failed: /],
      [() => fetchCaFromUrl(`${base}/missing`, { ca: ca.certPem }), /\/missing: HTTP 404$/],
      [() => fetchCaFromUrl(`${base}/moved`, { ca: ca.certPem }), /\/moved: HTTP 302 \(redirect to \/ca\.pem not followed\)$/],
      [() => fetchCaFromUrl(`${base}/html`, { ca: ca.certPem }), /\/html: no PEM "-----BEGIN CERTIFICATE-----" block and not DER/],
      [() => fetchCaFromUrl(`${base}/hang`, { ca: ca.certPem, timeoutMs: 200 }), /\/hang: timed out after 200 ms$/],
      [() => fetchCaFromUrl(`${httpBase}/ca.pem`), /refusing to trust a CA fetched over plain http: without expectedSha256/],
      [() => fetchCaFromUrl('ftp://example/ca.pem'), /unsupported scheme ftp:/],
      [() => fetchCaFromUrl('not a url'), /^not a url: not a valid URL$/],
    ];
    for (const [attempt, message] of cases) {
      const err = await attempt().catch((e: unknown) => e);
      expect(err, String(message)).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(message);
    }
    // Plain http is fine when the result is pinned.
    const pinned = await fetchCaFromUrl(`${httpBase}/ca.pem`, { expectedSha256: fingerprint(ca.certificate) });
    expect(pinned.ca.subject).toBe('CN=qkd-lab CA');
  });
});

describe('fetchPresentedChain / fetchCaFromTlsServer', () => {
  it('reads the chain a TLS server presents and reports whether it verified', async () => {
    const untrusted = await fetchPresentedChain({ host: '127.0.0.1', port: port(tlsServer) });
    expect(untrusted.chain.map((c) => c.subject)).toEqual(['CN=KME_A', 'CN=qkd-lab CA']);
    expect(untrusted.authorized).toBe(false);
    expect(untrusted.authorizationError).toMatch(/SELF_SIGNED_CERT_IN_CHAIN|self.signed/i);
    const trusted = await fetchPresentedChain({ host: '127.0.0.1', port: port(tlsServer), ca: ca.certPem });
    expect(trusted.authorized).toBe(true);
  });

  it('returns the CA, trusted only when pinned or verified', async () => {
    const unpinned = await fetchCaFromTlsServer({ host: '127.0.0.1', port: port(tlsServer) });
    expect(unpinned.ca.subject).toBe('CN=qkd-lab CA');
    expect(unpinned.trusted).toBe(false);
    const pinned = await fetchCaFromTlsServer({ host: '127.0.0.1', port: port(tlsServer), expectedSha256: fingerprint(ca.certificate) });
    expect(pinned.trusted).toBe(true);
    await expect(fetchCaFromTlsServer({ host: '127.0.0.1', port: port(tlsServer), expectedSha256: fingerprint(other.certificate) })).rejects.toThrow(DistributionError);
    await expect(fetchCaFromTlsServer({ host: '127.0.0.1', port: port(leafOnlyServer) })).rejects.toThrow(/no CA certificate among CN=KME_A \(the server may not send its root/);
  });

  it('reads the chain of a TLS 1.2 server that demands a client certificate, given one', async () => {
    const sae = await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_A' });
    const strict = tls.createServer({ cert: kme.certPem + ca.certPem, key: kme.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true, maxVersion: 'TLSv1.2' }, (s) => s.end());
    const p = await listen(strict);
    try {
      await expect(fetchPresentedChain({ host: '127.0.0.1', port: p })).rejects.toThrow(/TLS connection failed: .*handshake failure.* \(the server may require a client certificate: pass clientCredential\)$/);
      const got = await fetchPresentedChain({ host: '127.0.0.1', port: p, ca: ca.certPem, clientCredential: { certPem: sae.certPem, keyPem: sae.keyPem } });
      expect(got.chain.map((c) => c.subject)).toEqual(['CN=KME_A', 'CN=qkd-lab CA']);
      expect(got.authorized).toBe(true);
    } finally {
      await new Promise((r) => strict.close(r));
    }
  });

  it('names host:port when nothing listens', async () => {
    const closed = net0();
    await expect(fetchPresentedChain({ host: '127.0.0.1', port: await closed })).rejects.toThrow(/^127\.0\.0\.1:\d+: TLS connection failed: ECONNREFUSED/);
  });
});

/** A port that was just free (bound then released), so a connection to it is refused. */
async function net0(): Promise<number> {
  const s = http.createServer();
  const p = await listen(s);
  await new Promise((r) => s.close(r));
  return p;
}
