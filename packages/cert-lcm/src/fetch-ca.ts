// Getting a CA certificate onto the machine: from a file, from an HTTPS URL, or from the chain a
// TLS server (a KME) presents. Fetching over an unauthenticated channel (plain HTTP, or a TLS
// server not yet trusted) only yields a trusted CA when pinned by its SHA-256 fingerprint.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { readFileOrThrow } from './credential-files.js';
import { CertLcmError, DistributionError } from './errors.js';
import { describeCertificate, fingerprint } from './inspect.js';
import type { Certificate } from './certificate.js';
import { readCertificates } from './pem.js';
import { x509 } from './x509.js';

const MAX_BODY = 1 << 20;

export interface FetchedCa {
  /** Every certificate received, in order. */
  certificates: Certificate[];
  /** The CA certificate chosen: the pinned one, else the top CA of what was received. */
  ca: Certificate;
  /** True when the channel was authenticated (a file, verified HTTPS) or the fingerprint pin matched. */
  trusted: boolean;
  source: string;
}

/** Normalises "AB:CD:…", "abcd…" and "sha256/AB…" to upper-case colon form. */
function normaliseFingerprint(fp: string, source: string): string {
  const hex = fp.replace(/^sha-?256[:/=]?/i, '').replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) throw new DistributionError(`${source}: expectedSha256 must be 64 hex digits, got ${JSON.stringify(fp)}`, { source });
  return hex.match(/../g)!.join(':');
}

/**
 * Picks the CA out of received certificates: the one matching `expectedSha256` (required to
 * match when given), else the last CA certificate (a self-issued root if present).
 */
function selectCa(certificates: Certificate[], opts: { expectedSha256?: string; source: string }): Certificate {
  if (opts.expectedSha256 !== undefined) {
    const want = normaliseFingerprint(opts.expectedSha256, opts.source);
    const hit = certificates.find((c) => fingerprint(c) === want);
    if (!hit) {
      const seen = certificates.map((c) => `${c.subject} (${fingerprint(c)})`).join(', ');
      throw new DistributionError(`${opts.source}: no certificate has the pinned SHA-256 fingerprint ${want}; received: ${seen || 'none'}`, { source: opts.source });
    }
    return hit;
  }
  const cas = certificates.filter((c) => describeCertificate(c).isCa);
  const root = cas.find((c) => describeCertificate(c).selfIssued);
  const chosen = root ?? cas.at(-1);
  if (!chosen) {
    throw new DistributionError(`${opts.source}: no CA certificate among ${certificates.map((c) => c.subject).join(', ') || 'nothing'} (the server may not send its root; pin one with expectedSha256 or get the CA from a file)`, { source: opts.source });
  }
  return chosen;
}

/** Reads a CA certificate (or bundle) from a PEM/DER file. */
export async function fetchCaFromFile(path: string, opts: { expectedSha256?: string } = {}): Promise<FetchedCa> {
  const certificates = readCertificates(await readFileOrThrow(path, 'CA certificate'), path);
  return { certificates, ca: selectCa(certificates, { ...opts, source: path }), trusted: true, source: path };
}

export interface FetchFromUrlOptions {
  /** Trust anchors for the HTTPS server (PEM); default Node's bundled roots. */
  ca?: string | string[];
  /** Default 10 000. */
  timeoutMs?: number;
  /** Required for http: URLs. */
  expectedSha256?: string;
  signal?: AbortSignal;
}

/**
 * GETs a CA certificate (PEM or DER body) from an https: URL, verifying the server against `ca`.
 * http: is refused unless `expectedSha256` pins the result. Redirects are not followed.
 */
export async function fetchCaFromUrl(url: string, opts: FetchFromUrlOptions = {}): Promise<FetchedCa> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DistributionError(`${url}: not a valid URL`, { source: url });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new DistributionError(`${url}: unsupported scheme ${parsed.protocol} (use https:)`, { source: url });
  if (parsed.protocol === 'http:' && opts.expectedSha256 === undefined) {
    throw new DistributionError(`${url}: refusing to trust a CA fetched over plain http: without expectedSha256`, { source: url });
  }
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const body = await new Promise<Buffer>((resolve, reject) => {
    const fail = (problem: string, cause?: unknown) => reject(new DistributionError(`${url}: ${problem}`, { source: url, cause }));
    const client = parsed.protocol === 'https:' ? https : http;
    const req = client.get(
      parsed,
      { agent: false, timeout: timeoutMs, ...(opts.ca !== undefined ? { ca: opts.ca } : {}), ...(opts.signal ? { signal: opts.signal } : {}) },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) {
          res.resume();
          fail(`HTTP ${status}${status >= 300 && status < 400 && res.headers.location ? ` (redirect to ${res.headers.location} not followed)` : ''}`);
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY) {
            req.destroy();
            fail(`response larger than ${MAX_BODY} bytes`);
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve(Buffer.concat(chunks)));
        res.on('error', (err) => fail(`response failed: ${err.message}`, err));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ETIMEDOUT') fail(err.message, err);
      else if (err.name === 'AbortError') fail('aborted', err);
      else fail(`${/certificate|self.signed|SSL|TLS/i.test(err.message) ? 'TLS verification failed' : 'request failed'}: ${err.code ? `${err.code} ` : ''}${err.message}`, err);
    });
  });
  const certificates = readCertificates(new Uint8Array(body), url);
  const ca = selectCa(certificates, { ...(opts.expectedSha256 !== undefined ? { expectedSha256: opts.expectedSha256 } : {}), source: url });
  return { certificates, ca, trusted: true, source: url };
}

export interface PresentedChainOptions {
  host: string;
  port: number;
  /** SNI; default host when it is a name. */
  servername?: string;
  /** Used only to report `authorized`; the chain is read either way. */
  ca?: string | string[];
  /** Default 10 000. */
  timeoutMs?: number;
  /**
   * Our own certificate and key, for servers that demand one before finishing the handshake
   * (a KME over TLS 1.2; over TLS 1.3 the server's chain arrives before it checks ours).
   */
  clientCredential?: { certPem: string; keyPem: string };
}

export interface PresentedChain {
  /** Leaf first. */
  chain: Certificate[];
  /** Whether the chain verified against `ca` (or Node's roots) and the name matched. */
  authorized: boolean;
  authorizationError?: string;
}

/**
 * Connects with TLS and returns the certificate chain the server presents, without trusting it
 * (the handshake is not aborted on an unknown CA, so the caller can inspect and pin it).
 */
export async function fetchPresentedChain(opts: PresentedChainOptions): Promise<PresentedChain> {
  const source = `${opts.host}:${opts.port}`;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const servername = opts.servername ?? (isIP(opts.host) ? undefined : opts.host);
  return new Promise<PresentedChain>((resolve, reject) => {
    const socket = tls.connect({
      host: opts.host,
      port: opts.port,
      ...(servername ? { servername } : {}),
      ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
      ...(opts.clientCredential ? { cert: opts.clientCredential.certPem, key: opts.clientCredential.keyPem } : {}),
      rejectUnauthorized: false, // discovery: verification is reported, not enforced
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new DistributionError(`${source}: TLS handshake timed out after ${timeoutMs} ms`, { source }));
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      try {
        const chain: x509.X509Certificate[] = [];
        const seen = new Set<string>();
        let peer = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
        while (peer && peer.raw && !seen.has(peer.fingerprint256)) {
          seen.add(peer.fingerprint256);
          chain.push(new x509.X509Certificate(new Uint8Array(peer.raw)));
          peer = peer.issuerCertificate;
        }
        if (chain.length === 0) throw new DistributionError(`${source}: the server presented no certificate`, { source });
        const authorized = socket.authorized;
        const authorizationError = socket.authorizationError ? String(socket.authorizationError) : undefined;
        socket.end();
        resolve({ chain, authorized, ...(authorizationError ? { authorizationError } : {}) });
      } catch (err) {
        socket.destroy();
        reject(err instanceof CertLcmError ? err : new DistributionError(`${source}: cannot read the presented chain: ${(err as Error).message}`, { source, cause: err }));
      }
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const hint = /handshake failure|certificate required/i.test(err.message) && !opts.clientCredential ? ' (the server may require a client certificate: pass clientCredential)' : '';
      reject(new DistributionError(`${source}: TLS connection failed: ${err.code ? `${err.code} ` : ''}${firstLine(err.message)}${hint}`, { source, cause: err }));
    });
  });
}

/**
 * The CA from a TLS server's presented chain. Trusted only when `expectedSha256` matched or the
 * chain verified against `ca`; otherwise `trusted: false` — show the fingerprint to an operator.
 */
export async function fetchCaFromTlsServer(opts: PresentedChainOptions & { expectedSha256?: string }): Promise<FetchedCa & { authorizationError?: string }> {
  const source = `${opts.host}:${opts.port}`;
  const presented = await fetchPresentedChain(opts);
  const ca = selectCa(presented.chain, { ...(opts.expectedSha256 !== undefined ? { expectedSha256: opts.expectedSha256 } : {}), source });
  return {
    certificates: presented.chain,
    ca,
    trusted: opts.expectedSha256 !== undefined || presented.authorized,
    source,
    ...(presented.authorizationError ? { authorizationError: presented.authorizationError } : {}),
  };
}

/** OpenSSL messages carry a trailing file:line; keep the readable part. */
function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/:\.\.\/deps\/openssl\S*$/, '');
}
