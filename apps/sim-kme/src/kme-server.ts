// One simulated KME: an HTTPS server with mutual TLS serving the ETSI GS QKD 014 v1.1.1 API.
// The caller's SAE ID comes from its client certificate; what it may do comes from the topology
// (which KME it is attached to, which KMEs are linked) held by the shared KeyNetwork.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { ETSI_400_MESSAGES, keyIdsSchema, keyRequestSchema } from '@qkd-macsec/etsi-qkd-client/schemas';
import { answerClientErrors, lacksRequiredHost, MISSING_HOST } from './client-error.js';
import type { Faults, SimKmeConfig } from './config.js';
import { isQuiet, malformedBody, pickFault } from './faults.js';
import type { KeyLog } from './key-log.js';
import type { IssuedKey, KeyNetwork, LinkPool } from './key-stream.js';
import type { LevelLogger } from './logger.js';
import { decodeRelay, RELAY_PATH, type RelayClient } from './relay.js';

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

/** A key as enc_keys hands it out. `key` is the secret itself: never log it. */
export interface KeyIssuedEvent {
  kmeId: string;
  keyId: string;
  key: Buffer;
  masterSaeId: string;
  slaveSaeIds: string[];
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
const NO_QUERY = new URLSearchParams();

/** A request the KME refuses, with the status and ETSI Error message it answers. */
class Refusal {
  constructor(
    readonly status: number,
    readonly message: string,
  ) {}
}
const badRequest = (message: string) => new Refusal(400, message);
const unauthorized = (message: string) => new Refusal(401, message);

export async function startKmeServer(opts: KmeServerOptions): Promise<KmeServer> {
  const { id: kmeId, network, logger } = opts;
  const random = opts.random ?? Math.random;
  const debug = logger.debugOn;
  // Peer certificates do not change on a keep-alive connection: resolve the SAE ID once per socket.
  const callerBySocket = new WeakMap<object, string | null>();
  // The response being produced on each connection, so a late parser error does not write over it.
  const inFlight = new WeakMap<Socket, ServerResponse>();

  const callerOf = (req: IncomingMessage): string | null => {
    const socket = req.socket as TLSSocket;
    let caller = callerBySocket.get(socket);
    if (caller === undefined) {
      caller = saeIdFromCertificate(socket.getPeerCertificate(), opts.saeIdFrom, (s) => network.kmeOfSae(s) === kmeId);
      callerBySocket.set(socket, caller);
    }
    return caller;
  };

  const requireLocalCaller = (req: IncomingMessage): string => {
    const caller = callerOf(req);
    if (caller === null) throw unauthorized(`the client certificate carries no SAE ID (${opts.saeIdFrom})`);
    const home = network.kmeOfSae(caller);
    if (home === undefined) throw unauthorized(`unknown SAE "${caller}"`);
    if (home !== kmeId) throw unauthorized(`SAE "${caller}" is attached to ${home}, not to ${kmeId}`);
    return caller;
  };

  /** The link from this KME to the KME of `saeId` (a slave, or a master for dec_keys). */
  const linkTo = (saeId: string, role: string): { kme: string; link: LinkPool } => {
    const peer = network.kmeOfSae(saeId);
    if (peer === undefined) throw badRequest(`unknown ${role} SAE "${saeId}"`);
    // Only a single-KME topology has a pool from a KME to itself.
    if (peer === kmeId && !network.link(kmeId, kmeId))
      throw badRequest(`${role} SAE "${saeId}" is attached to ${kmeId} itself; keys are delivered only across a QKD link`);
    const link = network.link(kmeId, peer);
    if (!link) throw badRequest(`no QKD link between ${kmeId} and ${peer} (the KME of ${role} SAE "${saeId}")`);
    return { kme: peer, link };
  };

  const notSelf = (caller: string, slave: string) => {
    if (slave === caller) throw badRequest(`slave SAE "${slave}" is the caller itself; a key goes from one SAE to another`);
  };

  const status = (caller: string, slave: string) => {
    notSelf(caller, slave);
    const { kme: target, link } = linkTo(slave, 'slave');
    const { limits } = link;
    return {
      source_KME_ID: kmeId,
      target_KME_ID: target,
      master_SAE_ID: caller,
      slave_SAE_ID: slave,
      key_size: limits.keySize,
      stored_key_count: link.storedKeyCount(),
      max_key_count: limits.maxKeyCount,
      max_key_per_request: limits.maxKeyPerRequest,
      max_key_size: limits.maxKeySize,
      min_key_size: limits.minKeySize,
      max_SAE_ID_count: limits.maxSaeIdCount,
    };
  };

  const checkExtensions = (list: Record<string, unknown>[] | undefined, mandatory: boolean) => {
    for (const ext of list ?? []) {
      for (const [name, value] of Object.entries(ext)) {
        // hasOwn: a parameter named like an Object.prototype member ("constructor") is just unknown.
        const allowed = Object.hasOwn(opts.extensions, name) ? opts.extensions[name] : undefined;
        const met = allowed?.some((v) => JSON.stringify(v) === JSON.stringify(value)) ?? false;
        if (mandatory) {
          if (!allowed) throw badRequest(ETSI_400_MESSAGES.extensionMandatoryUnsupported);
          if (!met) throw badRequest(ETSI_400_MESSAGES.extensionMandatoryUnmet);
        } else if (!met && opts.rejectUnhandledOptional) throw badRequest(ETSI_400_MESSAGES.extensionOptionalUnhandled);
      }
    }
  };

  const issuedBefore: string[] = [];
  const encKeys = async (caller: string, slave: string, request: KeyRequestLike): Promise<{ keys: IssuedKey[] }> => {
    notSelf(caller, slave);
    const { limits } = linkTo(slave, 'slave').link;
    checkExtensions(request.extension_mandatory, true);
    checkExtensions(request.extension_optional, false);
    const size = request.size ?? limits.keySize;
    if (size % 8 !== 0) throw badRequest(ETSI_400_MESSAGES.sizeNotMultipleOf8);
    if (size < limits.minKeySize || size > limits.maxKeySize)
      throw badRequest(`size shall be between min_key_size (${limits.minKeySize}) and max_key_size (${limits.maxKeySize})`);
    const number = request.number ?? 1;
    if (number > limits.maxKeyPerRequest)
      throw badRequest(`number shall not exceed max_key_per_request (${limits.maxKeyPerRequest})`);
    const additional = request.additional_slave_SAE_IDs ?? [];
    if (additional.length > limits.maxSaeIdCount)
      throw badRequest(`additional_slave_SAE_IDs names ${additional.length} SAEs; max_SAE_ID_count is ${limits.maxSaeIdCount}`);
    const slaves = [slave];
    for (const extra of additional) {
      if (extra === caller || slaves.includes(extra))
        throw badRequest(`additional_slave_SAE_IDs: "${extra}" is the master or already named`);
      linkTo(extra, 'additional slave');
      slaves.push(extra);
    }
    const { reusedKeyIdRate } = opts.faults();
    const reused = new Set<string>();
    const reuse =
      reusedKeyIdRate > 0
        ? () => {
            const keyId = issuedBefore.length > 0 && random() < reusedKeyIdRate ? issuedBefore.pop() : undefined;
            if (keyId !== undefined) reused.add(keyId);
            return keyId;
          }
        : undefined;
    const issued = network.issue(kmeId, caller, slaves, number, size, reuse);
    if (!issued.ok)
      throw new Refusal(
        503,
        `not enough key material: the ${issued.link.join('-')} link holds ${issued.availableBits} bits, the request needs ${issued.neededBits}`,
      );
    if (issued.relay.length > 0) {
      // The slave's KME runs in another process: it must hold the keys before the master has them.
      try {
        if (!opts.relay.client) throw new Error('no relay client configured');
        await Promise.all(issued.relay.map((batch) => opts.relay.client!.send(batch)));
      } catch (err) {
        network.forget(issued.keys.map((k) => k.keyId));
        for (const k of issued.keys) k.key.fill(0);
        throw new Refusal(503, (err as Error).message);
      }
    }
    // The last key_IDs this KME issued, for the reusedKeyIdRate fault to hand out again, latest first.
    issuedBefore.push(...issued.keys.map((k) => k.keyId).filter((k) => !reused.has(k))); // each handed out again once
    if (issuedBefore.length > 2048) issuedBefore.splice(0, issuedBefore.length - 1024); // kept to the last 1,024, trimmed now and then
    if (opts.onKeyIssued)
      for (const k of issued.keys) opts.onKeyIssued({ kmeId, keyId: k.keyId, key: Buffer.from(k.key), masterSaeId: caller, slaveSaeIds: slaves });
    return { keys: issued.keys };
  };

  const decKeys = (caller: string, master: string, keyIds: string[]): { keys: IssuedKey[] } => {
    const home = network.kmeOfSae(master);
    const link = home === undefined ? undefined : network.link(kmeId, home);
    if (!link) throw badRequest(ETSI_400_MESSAGES.keysNotFound);
    if (keyIds.length > link.limits.maxKeyPerRequest)
      throw badRequest(`key_IDs names ${keyIds.length} keys; max_key_per_request is ${link.limits.maxKeyPerRequest}`);
    const result = network.retrieve(kmeId, caller, master, keyIds);
    if (result.ok) return { keys: result.keys };
    if (result.reason === 'not-entitled') throw unauthorized(`SAE "${caller}" was not named for key ${result.keyId}`);
    throw badRequest(ETSI_400_MESSAGES.keysNotFound);
  };

  /** A peer KME pushing keys it issued for SAEs attached here (KMEs in separate processes). */
  const acceptRelay = (req: IncomingMessage, body: string): { status: number; json: string } => {
    if (req.method !== 'POST') return reply(405, { message: `${req.method} is not allowed on the relay` });
    const peer = saeIdFromCertificate((req.socket as TLSSocket).getPeerCertificate(), 'cn');
    if (peer === null || !opts.relay.peers.has(peer)) throw unauthorized(`the relay accepts only KMEs linked to ${kmeId}`);
    const decoded = decodeRelay(body);
    if ('error' in decoded) throw badRequest(decoded.error);
    if (decoded.from !== peer || decoded.to !== kmeId) throw badRequest(`relay from ${decoded.from} to ${decoded.to} arrived from ${peer} at ${kmeId}`);
    network.deposit(kmeId, peer, decoded.batch);
    if (debug) logger.debug('relayed keys received', { kme: kmeId, from: peer, count: decoded.batch.keys.length });
    return { status: 204, json: '' };
  };

  const route = async (req: IncomingMessage, body: string): Promise<{ status: number; json: string }> => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? NO_QUERY : new URLSearchParams(url.slice(q + 1));
    const m = /^\/api\/v1\/keys\/([^/]+)\/(status|enc_keys|dec_keys)$/.exec(path);
    if (!m) {
      if (path === RELAY_PATH) return acceptRelay(req, body);
      return reply(404, { message: `no such endpoint: ${path}` });
    }
    const method = req.method ?? 'GET';
    const op = m[2]!;
    if (method !== 'GET' && !(method === 'POST' && op !== 'status'))
      return reply(405, { message: `${method} is not allowed on ${op}` });
    let saeId: string;
    try {
      saeId = decodeURIComponent(m[1]!);
    } catch {
      throw badRequest('the SAE ID in the path is not valid percent-encoding');
    }
    const caller = requireLocalCaller(req);
    if (op === 'status') return reply(200, status(caller, saeId));
    if (op === 'enc_keys') {
      // An empty POST asks for the defaults, as the ETSI reference implementation reads it.
      const request = method === 'GET' ? keyRequestFromQuery(query) : body.trim() === '' ? {} : parseBody(body, keyRequestSchema, 'Key request');
      return handOut(await encKeys(caller, saeId, request));
    }
    const ids =
      method === 'POST'
        ? parseBody(body, keyIdsSchema, 'Key IDs').key_IDs.map((k) => k.key_ID)
        : [requiredQuery(query, 'key_ID')];
    return handOut(decKeys(caller, saeId, ids));
  };

  /** The Key container reply; the keys reach the key log (when on) before they reach the caller. */
  const handOut = (result: { keys: IssuedKey[] }) => {
    opts.keyLog?.record(kmeId, result.keys);
    return container(result);
  };

  const answer = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    let out: { status: number; json: string };
    try {
      out = await route(req, body);
    } catch (err) {
      if (!(err instanceof Refusal)) {
        logger.error('internal error', { kme: kmeId, path: req.url, error: (err as Error).message });
        out = reply(500, { message: 'internal error in the KME simulator' });
      } else {
        out = reply(err.status, { message: err.message });
        // 401s matter for security and mTLS set-up, so they are logged at info; 400s and 503s are
        // the caller's or the pool's business and a fast consumer makes many: debug only.
        if (err.status === 401) logger.info('refused', { kme: kmeId, method: req.method, path: req.url, sae: callerOf(req), status: err.status, reason: err.message });
        else if (debug) logger.debug('refused', { kme: kmeId, method: req.method, path: req.url, sae: callerOf(req), status: err.status, reason: err.message });
      }
    }
    if (debug) logger.debug('request', { kme: kmeId, method: req.method, path: req.url, sae: callerOf(req), status: out.status });
    send(res, out.status, out.json);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const faults = opts.faults();
    if (isQuiet(faults)) return void answer(req, res, body);
    const act = () => {
      const fault = pickFault(faults, random);
      if (fault !== 'none' && debug) logger.debug('fault', { kme: kmeId, path: req.url, fault });
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
          return void answer(req, res, body);
      }
    };
    if (faults.latencyMs > 0) setTimeout(act, faults.latencyMs).unref();
    else act();
  };

  const server: Server = createServer(
    {
      cert: opts.tls.cert,
      key: opts.tls.key,
      ca: opts.tls.ca,
      requestCert: true,
      // Checked in 'secureConnection' below instead, with the same effect (the connection is
      // destroyed before any request is read) plus a log line saying why: Node's own rejection
      // is silent, which leaves a user with a broken mTLS setup nothing to go on.
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      // Bounded so a client that stops part-way (handshake, headers or body) is answered 408
      // and let go in seconds, not after Node's 5-minute default.
      handshakeTimeout: opts.http.headersTimeoutMs,
      headersTimeout: opts.http.headersTimeoutMs,
      requestTimeout: opts.http.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(opts.http.headersTimeoutMs / 4))),
      maxHeaderSize: MAX_HEADER_BYTES,
      // Node's own refusal is a bare 400; the handler answers it with an ETSI Error instead.
      requireHostHeader: false,
    },
    (req, res) => {
      if (!(req.socket as TLSSocket).authorized) return req.socket.destroy();
      inFlight.set(req.socket, res);
      res.once('close', () => {
        if (inFlight.get(req.socket) === res) inFlight.delete(req.socket);
      });
      if (lacksRequiredHost(req)) {
        res.setHeader('connection', 'close');
        return send(res, 400, JSON.stringify({ message: MISSING_HOST }));
      }
      if (req.method !== 'POST') {
        // GET carries no body; do not wait for one.
        req.resume();
        return handle(req, res, '');
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
        handle(req, res, chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
      });
    },
  );
  server.keepAliveTimeout = 60_000;
  answerClientErrors(server, {
    kmeId,
    headersTimeoutMs: opts.http.headersTimeoutMs,
    requestTimeoutMs: opts.http.requestTimeoutMs,
    maxHeaderBytes: MAX_HEADER_BYTES,
    logger,
    inFlight: (socket) => inFlight.get(socket),
  });
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

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `https://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
  return {
    id: kmeId,
    host: opts.host,
    port,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface KeyRequestLike {
  number?: number | undefined;
  size?: number | undefined;
  additional_slave_SAE_IDs?: string[] | undefined;
  extension_mandatory?: Record<string, unknown>[] | undefined;
  extension_optional?: Record<string, unknown>[] | undefined;
}

function reply(status: number, body: unknown): { status: number; json: string } {
  return { status, json: JSON.stringify(body) };
}

function container(result: { keys: IssuedKey[] }): { status: number; json: string } {
  // Built by hand: this is the hot path of the benchmark, and the shape is fixed.
  let json = '{"keys":[';
  result.keys.forEach((k, i) => {
    json += `${i ? ',' : ''}{"key_ID":"${k.keyId}","key":"${k.key.toString('base64')}"}`;
  });
  return { status: 200, json: `${json}]}` };
}

function send(res: ServerResponse, status: number, json: string): void {
  if (res.destroyed) return; // the client went away while a relay or a fault delay ran
  if (status === 204) res.writeHead(204).end();
  else {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    res.end(json);
  }
}

function parseBody<T>(body: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, what: string): T {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw badRequest(`the ${what} body is not valid JSON`);
  }
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
    .join('; ');
  throw badRequest(`invalid ${what}: ${problems}`);
}

function positiveIntQuery(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw)))
    throw badRequest(`query parameter ${name} must be a positive integer`);
  return Number(raw);
}

function keyRequestFromQuery(query: URLSearchParams): KeyRequestLike {
  return { number: positiveIntQuery(query, 'number'), size: positiveIntQuery(query, 'size') };
}

function requiredQuery(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (!value) throw badRequest(`query parameter ${name} is required`);
  return value;
}

/**
 * The SAE ID in a client certificate: its subject CN, or a subjectAltName entry. With several
 * SAN entries of the wanted kind, the first that names an SAE of this KME wins.
 */
export function saeIdFromCertificate(
  cert: PeerCertificate | null | undefined,
  from: SimKmeConfig['saeIdFrom'],
  isLocal: (saeId: string) => boolean = () => false,
): string | null {
  if (!cert || !cert.subject) return null;
  if (from === 'cn') {
    const cn = cert.subject.CN as string | string[] | undefined;
    return (Array.isArray(cn) ? cn[0] : cn) || null;
  }
  const prefix = from === 'san-dns' ? 'DNS:' : from === 'san-uri' ? 'URI:' : 'email:';
  const values = (cert.subjectaltname ?? '')
    .split(/,\s*/)
    .filter((e) => e.startsWith(prefix))
    .map((e) => e.slice(prefix.length));
  return values.find(isLocal) ?? values[0] ?? null;
}
