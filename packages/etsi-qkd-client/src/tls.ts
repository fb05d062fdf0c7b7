// The undici Agent that carries mutual TLS: client certificate + key, CA bundle, server
// verification on unless the explicitly named insecure option is set. PEM input is checked at
// creation so that a wrong file fails here, named, rather than as a handshake error later.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { QkdConfigError } from './errors.js';
import type { Logger } from './logger.js';

type Pem = string | Buffer;

/** PEM given inline (strings or Buffers)… */
export interface QkdTlsPem {
  /** Our (the SAE's) client certificate, optionally followed by its intermediates. */
  cert?: Pem;
  /** The private key of `cert` (unencrypted PEM). */
  key?: Pem;
  /** The CA bundle that signs the KME's server certificate. Without it, Node's default CAs. */
  ca?: Pem;
}

/** …or read from files (synchronously, once, at client creation). */
export interface QkdTlsFiles {
  certFile?: string;
  keyFile?: string;
  caFile?: string;
}

export type QkdTlsOptions = QkdTlsPem | QkdTlsFiles;

export interface TlsSetup {
  agent: Agent;
  /** Human wording of where the CA bundle came from, for error messages. */
  caSource: string;
  /** Whether we present a client certificate. */
  hasClientCert: boolean;
  /** The response size limit the agent enforces, for the error that reports it. */
  maxResponseBytes: number;
  /** The TLS alert a socket saw, by local port, so a later "other side closed" can be explained. */
  takeTlsAlert(localPort: number | undefined): string | undefined;
  /** Same, without forgetting it (for the retry decision). */
  peekTlsAlert(localPort: number | undefined): string | undefined;
}

/** Set on errors that happened while connecting / handshaking. */
export const HANDSHAKE_FAILURE = Symbol.for('qkd-macsec.etsi-qkd-client.handshakeFailure');

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

interface Source {
  pem: Pem;
  /** "certFile /etc/qkd/sae.pem" or "tls.cert": used in messages, never the content. */
  name: string;
}

function configError(message: string): QkdConfigError {
  return new QkdConfigError(message, { endpoint: '', saeIds: [] });
}

function pick(tls: Record<string, unknown>, inline: keyof QkdTlsPem, file: keyof QkdTlsFiles): Source | undefined {
  const pem = tls[inline];
  const path = tls[file];
  if (pem !== undefined && path !== undefined) throw configError(`tls.${inline} and tls.${file} are both set; give one`);
  if (path !== undefined) {
    if (typeof path !== 'string' || path === '') throw configError(`tls.${file} must be a file path`);
    try {
      return { pem: readFileSync(path), name: `${file} ${path}` };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (permission denied)' : `cannot be read (${code})`;
      throw configError(`tls.${file} ${path} ${why}`);
    }
  }
  if (pem === undefined) return undefined;
  if (typeof pem !== 'string' && !Buffer.isBuffer(pem)) throw configError(`tls.${inline} must be a PEM string or Buffer`);
  return { pem, name: `tls.${inline}` };
}

function parseCertificates(source: Source): X509Certificate[] {
  const blocks = String(source.pem).match(PEM_CERT) ?? [];
  if (blocks.length === 0) throw configError(`${source.name} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw configError(`${source.name}: certificate #${index + 1} is not a valid X.509 certificate`);
    }
  });
}

function parsePrivateKey(source: Source): KeyObject {
  const text = String(source.pem);
  if (/-{5}BEGIN ENCRYPTED PRIVATE KEY-{5}|Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw configError(`${source.name} is an encrypted private key; give it unencrypted (mode 0600)`);
  }
  if (!/-{5}BEGIN [A-Z ]*PRIVATE KEY-{5}/.test(text)) throw configError(`${source.name} holds no PEM private key`);
  try {
    return createPrivateKey(source.pem);
  } catch {
    // The parser's own message is dropped on purpose: it could quote part of the key.
    throw configError(`${source.name} is not a valid private key`);
  }
}

/** Certificate and key come together, parse, belong together; a certificate out of its validity is logged. */
function checkClientIdentity(certSource: Source | undefined, keySource: Source | undefined, logger: Logger, now: Date): void {
  if (!!certSource !== !!keySource) {
    throw configError(certSource ? `${certSource.name} is given without its private key (tls.key or tls.keyFile)` : `${keySource!.name} is given without its certificate (tls.cert or tls.certFile)`);
  }
  if (!certSource || !keySource) return;
  const [leaf] = parseCertificates(certSource);
  const privateKey = parsePrivateKey(keySource);
  if (!leaf!.checkPrivateKey(privateKey)) {
    throw configError(`${keySource.name} is not the private key of the certificate in ${certSource.name}`);
  }
  if (new Date(leaf!.validTo) < now) {
    logger.warn(`client certificate ${certSource.name} expired on ${leaf!.validTo}; the KME will reject it`);
  } else if (new Date(leaf!.validFrom) > now) {
    logger.warn(`client certificate ${certSource.name} is not valid before ${leaf!.validFrom}; the KME will reject it`);
  }
}

export function buildTls(options: {
  tls: QkdTlsOptions | undefined;
  insecureSkipVerify: boolean;
  logger: Logger;
  /** Connections per KME origin (undefined: as many as concurrent calls need). */
  connections?: number | undefined;
  /** Largest answer read; undici stops reading (and drops the connection) beyond it. */
  maxResponseBytes: number;
  now?: Date;
}): TlsSetup {
  const tls = (options.tls ?? {}) as Record<string, unknown>;
  if (typeof tls !== 'object' || tls === null) throw configError('tls must be an object');
  const certSource = pick(tls, 'cert', 'certFile');
  const keySource = pick(tls, 'key', 'keyFile');
  const caSource = pick(tls, 'ca', 'caFile');

  checkClientIdentity(certSource, keySource, options.logger, options.now ?? new Date());
  if (caSource) parseCertificates(caSource);
  if (options.insecureSkipVerify) {
    options.logger.warn(
      'insecureSkipVerify is set: the KME server certificate is NOT verified, so anyone on the path can impersonate the KME and hand out or read keys. Use only for local tests.',
    );
  }

  const connect = buildConnector({
    ...(certSource ? { cert: certSource.pem } : {}),
    ...(keySource ? { key: keySource.pem } : {}),
    ...(caSource ? { ca: caSource.pem } : {}),
    rejectUnauthorized: !options.insecureSkipVerify,
    minVersion: 'TLSv1.2',
  });

  // With TLS 1.3 the KME checks our certificate after the handshake; undici then only reports
  // "other side closed". The socket itself sees the alert, so remember it by local port.
  const alerts = new Map<number, string>();
  const remember = (socket: Socket) => {
    const port = socket.localPort;
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (port === undefined || !error.code?.startsWith('ERR_SSL_')) return;
      if (alerts.size >= 256) alerts.delete(alerts.keys().next().value!);
      alerts.set(port, error.code);
    });
  };
  const agent = new Agent({
    // Enforced by undici while the body streams in (and at once for a larger Content-Length).
    maxResponseSize: options.maxResponseBytes,
    ...(options.connections !== undefined ? { connections: options.connections } : {}),
    connect: (connectOptions, callback) =>
      connect(connectOptions, (error, socket) => {
        if (socket) remember(socket);
        // Mark failures of the connect/handshake phase: a reset there, after we sent our
        // certificate, is how some KMEs (Node's among them) reject it under TLS 1.2.
        if (error && connectOptions.protocol === 'https:' && Object.isExtensible(error)) {
          Object.defineProperty(error, HANDSHAKE_FAILURE, { value: true });
        }
        (callback as (e: Error | null, s: Socket | null) => void)(error, socket);
      }),
  });

  return {
    agent,
    caSource: caSource ? caSource.name : "Node's default CA list (no tls.ca / tls.caFile given)",
    hasClientCert: !!certSource,
    maxResponseBytes: options.maxResponseBytes,
    peekTlsAlert: (localPort) => (localPort === undefined ? undefined : alerts.get(localPort)),
    takeTlsAlert(localPort) {
      if (localPort === undefined) return undefined;
      const code = alerts.get(localPort);
      alerts.delete(localPort);
      return code;
    },
  };
}
