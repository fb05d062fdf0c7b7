// Request plumbing: the coordinator check before anything else, the body read with a limit,
// parsed and validated by the endpoint's schema, run once per requestId, the answer or the error
// sent as JSON — alone, or as one item of a batch (POST /v1/batch: each item its own request,
// answered on its own line as it finishes). Nothing here knows what an endpoint does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { z } from 'zod';
import { describeError } from '../../engine/device-ops.js';
import type { RotatorLogger } from '../../log/index.js';
import type { CoordinatorIdentity } from '../config/types.js';
import { AgentRefusal, ERROR_CODES, type AgentErrorCode } from '../protocol/errors.js';
import { BATCH_PATH, ENDPOINTS, MAX_BODY_BYTES, batchRequestSchema, type BatchRequest, type EndpointName, type RequestOf } from '../protocol/schemas.js';
import { RequestIdReusedError, type IdempotencyCache } from './idempotency.js';
import type { AgentMetrics } from './metrics.js';
import { checkPeer, type PeerVerdict } from './peer.js';

type PostHandlers = { [E in EndpointName]: (body: z.infer<(typeof ENDPOINTS)[E]['request']>) => Promise<z.infer<(typeof ENDPOINTS)[E]['response']>> };
type GetHandler = (url: URL) => Promise<{ status?: number; contentType?: string; body: string }>;

const BY_PATH = new Map<string, EndpointName>(Object.entries(ENDPOINTS).map(([name, e]) => [e.path, name as EndpointName]));

interface ListenerOptions {
  coordinator: CoordinatorIdentity;
  post: PostHandlers;
  get: Record<string, GetHandler>;
  cache: IdempotencyCache;
  metrics: AgentMetrics;
  logger: RotatorLogger;
}

export function requestListener(options: ListenerOptions) {
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
    if (path === BATCH_PATH) {
      if (req.method === 'POST') return void handleBatch(req, res, options);
      res.setHeader('allow', 'POST');
      return sendError(res, 'method-not-allowed', `${req.method ?? '?'} ${path}: use POST`);
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

async function handlePost(name: EndpointName, req: IncomingMessage, res: ServerResponse, options: ListenerOptions): Promise<void> {
  const endpoint = ENDPOINTS[name];
  const json = await readJson(req, res, endpoint.path, (code) => options.metrics.request(endpoint.path, code));
  if (json === undefined) return;
  const parsed = endpoint.request.safeParse(json);
  if (!parsed.success) {
    options.metrics.request(endpoint.path, 'bad-request');
    return sendError(res, 'bad-request', `${endpoint.path}: ${issues(parsed.error, 10)}`);
  }
  const { status, body } = await runRequest(name, parsed.data, options);
  res.writeHead(status, JSON_TYPE).end(JSON.stringify(body));
}

/** POST /v1/batch: every item run as its own request; one answer line each, as each finishes. */
async function handleBatch(req: IncomingMessage, res: ServerResponse, options: ListenerOptions): Promise<void> {
  const json = await readJson(req, res, BATCH_PATH, (code) => options.metrics.request(BATCH_PATH, code));
  if (json === undefined) return;
  const parsed = batchRequestSchema.safeParse(json);
  if (!parsed.success) {
    options.metrics.request(BATCH_PATH, 'bad-request');
    return sendError(res, 'bad-request', `${BATCH_PATH}: ${issues(parsed.error, 10)}`);
  }
  const { items } = parsed.data as BatchRequest;
  options.metrics.batch(items.length);
  // The head now, not with the first line: the client knows the batch was taken even when every item is slow.
  res.writeHead(200, NDJSON_TYPE).flushHeaders();
  // Lines that finish in one turn of the event loop (device replies read together) leave in one write.
  let corked = false;
  const uncork = () => {
    if (corked) res.uncork();
    corked = false;
  };
  await Promise.all(
    items.map(async (item, i) => {
      const { status, body } = await runRequest(item.endpoint, item.body, options);
      if (!corked) {
        corked = true;
        res.cork();
        setImmediate(uncork);
      }
      res.write(`{"i":${i},"status":${status},"body":${JSON.stringify(body)}}\n`);
    }),
  );
  uncork();
  res.end();
}

/** One request, validated: run once per requestId; its status and body (the answer or the error), counted and logged. */
async function runRequest(name: EndpointName, body: RequestOf<EndpointName>, options: ListenerOptions): Promise<{ status: number; body: unknown }> {
  const { metrics, logger } = options;
  const path = ENDPOINTS[name].path;
  const b = body as { requestId: string; tx?: string };
  const run = options.post[name] as (b: unknown) => Promise<unknown>;
  try {
    const result = await options.cache.run(b.requestId, path, () => run(b));
    metrics.request(path, 'ok');
    logger.debug(`${path} ${b.requestId}${b.tx ? ` tx ${b.tx}` : ''}: ok`);
    return { status: 200, body: result };
  } catch (e) {
    const refusal = e instanceof AgentRefusal ? e : e instanceof RequestIdReusedError ? new AgentRefusal('bad-request', e.message) : new AgentRefusal('internal', describeError(e));
    metrics.request(path, refusal.code);
    logger.warn(`${path} ${b.requestId}${b.tx ? ` tx ${b.tx}` : ''}: ${refusal.code}: ${refusal.message}`);
    return { status: refusal.status, body: errorBody(refusal.code, refusal.message) };
  }
}

/** The body as JSON, or undefined once an error was sent (too large, not JSON). */
async function readJson(req: IncomingMessage, res: ServerResponse, path: string, count: (code: AgentErrorCode) => void): Promise<unknown> {
  let text: string;
  try {
    text = await readBody(req);
  } catch (e) {
    count('too-large');
    sendError(res, 'too-large', (e as Error).message);
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    count('bad-request');
    sendError(res, 'bad-request', `${path}: the body is not JSON`);
    return undefined;
  }
}

function issues(error: z.ZodError, max: number): string {
  return error.issues
    .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
    .slice(0, max)
    .join('; ');
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

const JSON_TYPE = { 'content-type': 'application/json' };
const NDJSON_TYPE = { 'content-type': 'application/x-ndjson' };

const errorBody = (code: AgentErrorCode, message: string) => ({ error: { code, message: message.slice(0, 2000) } });

function sendError(res: ServerResponse, code: AgentErrorCode, message: string): void {
  if (res.headersSent) return void res.end();
  res.writeHead(ERROR_CODES[code], JSON_TYPE).end(JSON.stringify(errorBody(code, message)));
}
