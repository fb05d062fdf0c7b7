// One simulated KME: an HTTPS server with mutual TLS serving the ETSI GS QKD 014 v1.1.1 API.
// This module is the server's shell — TLS, request bodies, faults, limits, listening; what it
// answers is kme-routes.ts (HTTP) over kme-api.ts (the ETSI rules and the topology), and who is
// calling is sae-identity.ts.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { answerClientErrors, lacksRequiredHost, MISSING_HOST } from './client-error.js';
import type { Faults, SimKmeConfig } from './config.js';
import { isQuiet, malformedBody, pickFault } from './faults.js';
import { createKmeApi, type KeyIssuedEvent } from './kme-api.js';
import type { KeyLog } from './key-log.js';
import type { KeyNetwork } from './key-stream.js';
import { createRouter, type Reply } from './kme-routes.js';
import type { LevelLogger } from './logger.js';
import type { RelayClient } from './relay.js';
import { callersOf } from './sae-identity.js';


export interface KmeServerOptions {
  id: string;
  host: string;
  port: number;
  tls: { cert: string; key: string; ca: string };
  network: KeyNetwork;
  saeIdFrom: SimKmeConfig['saeIdFrom'];
  extensions: SimKmeConfig['extensions'];
  rejectUnhandledOptional: boolean;
  /** Read on every request so faults can change while the server runs. */
  faults: () => Faults;
  random?: () => number;
  logger: LevelLogger;
  /** Called with every key this KME issues (after any relay), e.g. for a test to scan outputs for it. */
  onKeyIssued?: (event: KeyIssuedEvent) => void;
  /** KMEs linked to this one (accepted as relay senders), and the client to reach remote ones. */
  relay: { peers: ReadonlySet<string>; client?: RelayClient };
  /** Where every key in an enc_keys/dec_keys reply is written, when the key log is on. */
  keyLog?: KeyLog;
  /** How long a client may take for the TLS handshake and headers, and for the whole request. */
  http: SimKmeConfig['http'];
}

export interface KmeServer {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;
/** Node's default, set explicitly so the 431 message can state it. */
const MAX_HEADER_BYTES = 16 * 1024;

type Answer = (req: IncomingMessage, body: string) => Promise<Reply>;

export async function startKmeServer(opts: KmeServerOptions): Promise<KmeServer> {
  const { id: kmeId, network, logger } = opts;
  const random = opts.random ?? Math.random;
  const callers = callersOf(kmeId, network, opts.saeIdFrom);
  const api = createKmeApi({
    kmeId,
    network,
    extensions: opts.extensions,
    rejectUnhandledOptional: opts.rejectUnhandledOptional,
    faults: opts.faults,
    random,
    relayClient: opts.relay.client,
    onKeyIssued: opts.onKeyIssued,
  });
  const answer = createRouter({ kmeId, network, api, callers, relayPeers: opts.relay.peers, keyLog: opts.keyLog, logger });
  const handle = withFaults(opts, random, answer);
  // The response being produced on each connection, so a late parser error does not write over it.
  const inFlight = new WeakMap<Socket, ServerResponse>();

  const server: Server = createServer(tlsServerOptions(opts), (req, res) => {
    if (!(req.socket as TLSSocket).authorized) return req.socket.destroy();
    inFlight.set(req.socket, res);
    res.once('close', () => {
      if (inFlight.get(req.socket) === res) inFlight.delete(req.socket);
    });
    if (lacksRequiredHost(req)) {
      res.setHeader('connection', 'close');
      return send(res, 400, JSON.stringify({ message: MISSING_HOST }));
    }
    readBody(req, res, (body) => handle(req, res, body));
  });
  server.keepAliveTimeout = 60_000;
  answerClientErrors(server, {
    kmeId,
    headersTimeoutMs: opts.http.headersTimeoutMs,
    requestTimeoutMs: opts.http.requestTimeoutMs,
    maxHeaderBytes: MAX_HEADER_BYTES,
    logger,
    inFlight: (socket) => inFlight.get(socket),
  });
  logTlsRefusals(server, kmeId, logger);
  return listen(server, opts);
}

function tlsServerOptions(opts: KmeServerOptions) {
  return {
    cert: opts.tls.cert,
    key: opts.tls.key,
    ca: opts.tls.ca,
    requestCert: true,
    // Checked in 'secureConnection' (logTlsRefusals) instead, with the same effect (the
    // connection is destroyed before any request is read) plus a log line saying why: Node's own
    // rejection is silent, which leaves a user with a broken mTLS setup nothing to go on.
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2' as const,
    // Bounded so a client that stops part-way (handshake, headers or body) is answered 408
    // and let go in seconds, not after Node's 5-minute default.
    handshakeTimeout: opts.http.headersTimeoutMs,
    headersTimeout: opts.http.headersTimeoutMs,
    requestTimeout: opts.http.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(opts.http.headersTimeoutMs / 4))),
    maxHeaderSize: MAX_HEADER_BYTES,
    // Node's own refusal is a bare 400; the handler answers it with an ETSI Error instead.
    requireHostHeader: false,
  };
}

/** The request body (none for GET: do not wait for one), refused past MAX_BODY_BYTES. */
function readBody(req: IncomingMessage, res: ServerResponse, then: (body: string) => void): void {
  if (req.method !== 'POST') {
    req.resume();
    return then('');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooBig = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooBig = true;
    else chunks.push(chunk);
  });
  req.on('end', () => {
    if (tooBig) {
      res.setHeader('connection', 'close');
      return send(res, 400, JSON.stringify({ message: `request body exceeds ${MAX_BODY_BYTES} bytes` }));
    }
    then(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
  });
}

/** Serves a request through the KME's faults: latency, then maybe a drop, stall, 503 or bad body. */
function withFaults(opts: KmeServerOptions, random: () => number, answer: Answer) {
  const { id: kmeId, logger } = opts;
  const serve = (req: IncomingMessage, res: ServerResponse, body: string) => void answer(req, body).then((out) => send(res, out.status, out.json));
  return (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const faults = opts.faults();
    if (isQuiet(faults)) return serve(req, res, body);
    const act = () => {
      const fault = pickFault(faults, random);
      if (fault !== 'none' && logger.debugOn) logger.debug('fault', { kme: kmeId, path: req.url, fault });
      switch (fault) {
        case 'drop':
          return req.socket.destroy();
        case 'stall':
          return; // closeAllConnections() on close() ends it
        case 'unavailable':
          return send(res, 503, JSON.stringify({ message: `simulated fault: ${kmeId} is unavailable` }));
        case 'malformed':
          return send(res, 200, malformedBody());
        default:
          return serve(req, res, body);
      }
    };
    if (faults.latencyMs > 0) setTimeout(act, faults.latencyMs).unref();
    else act();
  };
}

function logTlsRefusals(server: Server, kmeId: string, logger: LevelLogger): void {
  server.prependListener('secureConnection', (socket: TLSSocket) => {
    if (socket.authorized) return;
    const cert = socket.getPeerCertificate();
    logger.info('client certificate refused', {
      kme: kmeId,
      reason: String(socket.authorizationError ?? 'no client certificate'),
      subject: cert?.subject?.CN,
      issuer: cert?.issuer?.CN,
    });
    socket.destroy();
  });
  server.on('tlsClientError', (err) => {
    logger.info('TLS handshake failed', { kme: kmeId, reason: err.message });
  });
}

async function listen(server: Server, opts: KmeServerOptions): Promise<KmeServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    id: opts.id,
    host: opts.host,
    port,
    url: `https://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, json: string): void {
  if (res.destroyed) return; // the client went away while a relay or a fault delay ran
  if (status === 204) res.writeHead(204).end();
  else {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    res.end(json);
  }
}
