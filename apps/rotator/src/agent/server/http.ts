// Request plumbing: the coordinator check before anything else, the body read with a limit,
// parsed and validated by the endpoint's schema, run once per requestId, the answer or the error
// sent as JSON. Nothing here knows what an endpoint does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { z } from 'zod';
import { describeError } from '../../engine/device-ops.js';
import type { RotatorLogger } from '../../log/index.js';
import type { CoordinatorIdentity } from '../config/types.js';
import { AgentRefusal, type AgentErrorCode } from '../protocol/errors.js';
import { ENDPOINTS, MAX_BODY_BYTES, type EndpointName } from '../protocol/schemas.js';
import { RequestIdReusedError, type IdempotencyCache } from './idempotency.js';
import type { AgentMetrics } from './metrics.js';
import { checkPeer, type PeerVerdict } from './peer.js';

export type PostHandlers = { [E in EndpointName]: (body: z.infer<(typeof ENDPOINTS)[E]['request']>) => Promise<z.infer<(typeof ENDPOINTS)[E]['response']>> };
export type GetHandler = (url: URL) => Promise<{ status?: number; contentType?: string; body: string }>;

const BY_PATH = new Map<string, EndpointName>(Object.entries(ENDPOINTS).map(([name, e]) => [e.path, name as EndpointName]));

export function requestListener(options: {
  coordinator: CoordinatorIdentity;
  post: PostHandlers;
  get: Record<string, GetHandler>;
  cache: IdempotencyCache;
  metrics: AgentMetrics;
  logger: RotatorLogger;
}) {
  const { logger, metrics } = options;
  // The verdict per connection: its certificate was fixed at the handshake, and a keep-alive
  // connection carries many requests (getPeerCertificate builds a new object each time).
  const verdicts = new WeakMap<TLSSocket, PeerVerdict>();
  const peerOf = (socket: TLSSocket) => {
    let v = verdicts.get(socket);
    if (!v) verdicts.set(socket, (v = checkPeer(socket, options.coordinator)));
    return v;
  };
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'https://agent');
    const path = url.pathname;
    const verdict = peerOf(req.socket as TLSSocket);
    if (!verdict.ok) {
      metrics.refusal(verdict.reason);
      logger.warn(`refused ${req.method ?? '?'} ${path} from ${verdict.who}: ${verdict.reason}; nothing read, nothing done`);
      res.setHeader('connection', 'close');
      sendError(res, verdict.status === 401 ? 'unauthorized' : 'forbidden', verdict.status === 401 ? 'a client certificate is required' : 'this certificate is not the coordinator\'s');
      return;
    }
    const name = BY_PATH.get(path);
    const get = options.get[path];
    if (get && (req.method === 'GET' || req.method === 'HEAD')) {
      get(url).then(
        (r) => res.writeHead(r.status ?? 200, { 'content-type': r.contentType ?? 'application/json' }).end(r.body),
        (e: unknown) => sendError(res, 'internal', describeError(e)),
      );
      return;
    }
    if (name === undefined && !get) return sendError(res, 'not-found', `no endpoint ${path}`);
    if (req.method !== 'POST' || name === undefined) {
      res.setHeader('allow', name === undefined ? 'GET' : 'POST');
      return sendError(res, 'method-not-allowed', `${req.method ?? '?'} ${path}: use ${name === undefined ? 'GET' : 'POST'}`);
    }
    void handlePost(name, req, res, options);
  };
}

async function handlePost(name: EndpointName, req: IncomingMessage, res: ServerResponse, options: Parameters<typeof requestListener>[0]): Promise<void> {
  const { metrics, logger } = options;
  const endpoint = ENDPOINTS[name];
  const answer = (code: AgentErrorCode | 'ok') => metrics.request(endpoint.path, code);
  let text: string;
  try {
    text = await readBody(req);
  } catch (e) {
    answer('too-large');
    return sendError(res, 'too-large', (e as Error).message);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    answer('bad-request');
    return sendError(res, 'bad-request', `${endpoint.path}: the body is not JSON`);
  }
  const parsed = endpoint.request.safeParse(json);
  if (!parsed.success) {
    answer('bad-request');
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).slice(0, 10);
    return sendError(res, 'bad-request', `${endpoint.path}: ${problems.join('; ')}`);
  }
  const body = parsed.data as { requestId: string; tx?: string };
  const run = options.post[name] as (b: unknown) => Promise<unknown>;
  try {
    const result = await options.cache.run(body.requestId, endpoint.path, () => run(body));
    answer('ok');
    logger.debug(`${endpoint.path} ${body.requestId}${body.tx ? ` tx ${body.tx}` : ''}: ok`);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
  } catch (e) {
    const refusal = e instanceof AgentRefusal ? e : e instanceof RequestIdReusedError ? new AgentRefusal('bad-request', e.message) : new AgentRefusal('internal', describeError(e));
    answer(refusal.code);
    logger.warn(`${endpoint.path} ${body.requestId}${body.tx ? ` tx ${body.tx}` : ''}: ${refusal.code}: ${refusal.message}`);
    sendError(res, refusal.code, refusal.message);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendError(res: ServerResponse, code: AgentErrorCode, message: string): void {
  if (res.headersSent) return void res.end();
  res.writeHead(new AgentRefusal(code, message).status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code, message: message.slice(0, 2000) } }));
}
