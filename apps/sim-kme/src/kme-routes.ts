// The HTTP face of one KME: the ETSI paths and methods, request bodies and query strings, the
// Key container and ETSI Error replies, and the key relay from linked KMEs in other processes.
// answer() never throws: a Refusal becomes its status, anything else a logged 500.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { keyIdsSchema, keyRequestSchema } from '@qkd-macsec/etsi-qkd-client/schemas';
import type { KeyRequestLike, KmeApi } from './kme-api.js';
import type { KeyLog } from './key-log.js';
import type { IssuedKey, KeyNetwork } from './key-stream.js';
import type { LevelLogger } from './logger.js';
import { badRequest, Refusal, unauthorized } from './refusal.js';
import { decodeRelay, RELAY_PATH } from './relay.js';
import { saeIdFromCertificate, type Callers } from './sae-identity.js';

export interface Reply {
  status: number;
  json: string;
}

export interface RouterOptions {
  kmeId: string;
  network: KeyNetwork;
  api: KmeApi;
  callers: Callers;
  /** KMEs linked to this one, accepted as relay senders. */
  relayPeers: ReadonlySet<string>;
  keyLog: KeyLog | undefined;
  logger: LevelLogger;
}

const NO_QUERY = new URLSearchParams();

export function createRouter(opts: RouterOptions): (req: IncomingMessage, body: string) => Promise<Reply> {
  const { kmeId, api, callers, logger } = opts;
  const debug = logger.debugOn;

  /** The Key container reply; the keys reach the key log (when on) before they reach the caller. */
  const handOut = (result: { keys: IssuedKey[] }) => {
    opts.keyLog?.record(kmeId, result.keys);
    return container(result);
  };

  const route = async (req: IncomingMessage, body: string): Promise<Reply> => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? NO_QUERY : new URLSearchParams(url.slice(q + 1));
    const m = /^\/api\/v1\/keys\/([^/]+)\/(status|enc_keys|dec_keys)$/.exec(path);
    if (!m) {
      if (path === RELAY_PATH) return acceptRelay(opts, req, body);
      return reply(404, { message: `no such endpoint: ${path}` });
    }
    const method = req.method ?? 'GET';
    const op = m[2]!;
    if (method !== 'GET' && !(method === 'POST' && op !== 'status')) return reply(405, { message: `${method} is not allowed on ${op}` });
    const saeId = saeIdInPath(m[1]!);
    const caller = callers.requireLocalCaller(req);
    if (op === 'status') return reply(200, api.status(caller, saeId));
    if (op === 'enc_keys') {
      // An empty POST asks for the defaults, as the ETSI reference implementation reads it.
      const request = method === 'GET' ? keyRequestFromQuery(query) : body.trim() === '' ? {} : parseBody(body, keyRequestSchema, 'Key request');
      return handOut(await api.encKeys(caller, saeId, request));
    }
    const ids = method === 'POST' ? parseBody(body, keyIdsSchema, 'Key IDs').key_IDs.map((k) => k.key_ID) : [requiredQuery(query, 'key_ID')];
    return handOut(api.decKeys(caller, saeId, ids));
  };

  return async (req, body) => {
    let out: Reply;
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
        const line = { kme: kmeId, method: req.method, path: req.url, sae: callers.callerOf(req), status: err.status, reason: err.message };
        if (err.status === 401) logger.info('refused', line);
        else if (debug) logger.debug('refused', line);
      }
    }
    if (debug) logger.debug('request', { kme: kmeId, method: req.method, path: req.url, sae: callers.callerOf(req), status: out.status });
    return out;
  };
}

/** A peer KME pushing keys it issued for SAEs attached here (KMEs in separate processes). */
function acceptRelay(opts: RouterOptions, req: IncomingMessage, body: string): Reply {
  const { kmeId } = opts;
  if (req.method !== 'POST') return reply(405, { message: `${req.method} is not allowed on the relay` });
  const peer = saeIdFromCertificate((req.socket as TLSSocket).getPeerCertificate(), 'cn');
  if (peer === null || !opts.relayPeers.has(peer)) throw unauthorized(`the relay accepts only KMEs linked to ${kmeId}`);
  const decoded = decodeRelay(body);
  if ('error' in decoded) throw badRequest(decoded.error);
  if (decoded.from !== peer || decoded.to !== kmeId) throw badRequest(`relay from ${decoded.from} to ${decoded.to} arrived from ${peer} at ${kmeId}`);
  opts.network.deposit(kmeId, peer, decoded.batch);
  if (opts.logger.debugOn) opts.logger.debug('relayed keys received', { kme: kmeId, from: peer, count: decoded.batch.keys.length });
  return { status: 204, json: '' };
}

function saeIdInPath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badRequest('the SAE ID in the path is not valid percent-encoding');
  }
}

function reply(status: number, body: unknown): Reply {
  return { status, json: JSON.stringify(body) };
}

function container(result: { keys: IssuedKey[] }): Reply {
  // Built by hand: this is the hot path of the benchmark, and the shape is fixed.
  let json = '{"keys":[';
  result.keys.forEach((k, i) => {
    json += `${i ? ',' : ''}{"key_ID":"${k.keyId}","key":"${k.key.toString('base64')}"}`;
  });
  return { status: 200, json: `${json}]}` };
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
  const problems = result.error.issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`).join('; ');
  throw badRequest(`invalid ${what}: ${problems}`);
}

function positiveIntQuery(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) throw badRequest(`query parameter ${name} must be a positive integer`);
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
