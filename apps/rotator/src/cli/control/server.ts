// The daemon's control endpoint: the CLI's `rotate` and `status` while a daemon holds the state.
//   POST /v1/rotate  {"links"?: [...], "dryRun"?: bool, "noWait"?: bool}  -> application/x-ndjson,
//        one object a line: {"queued": "..."} while the daemon's own cycle runs,
//        {"progress": ProgressEvent}..., {"wait": WaitInfo} before the start-time wait (not with
//        noWait: the daemon verifies after the start-time), then {"report": CycleReport} or {"error": "..."}
//   GET  /v1/status  -> StatusView (JSON)
// Plain HTTP on loopback with a bearer token from the state directory, or HTTPS with mutual TLS
// (client certificates signed by control.tls.ca) when configured — the config refuses any other
// address without TLS.
import { timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { WaitInfo } from '../../engine/types.js';
import type { CycleReport, ProgressEvent } from '../engine.js';
import type { StatusView } from '../status-view.js';

export interface RotateRequest {
  links?: string[];
  dryRun?: boolean;
  /** Answer once every end is confirmed; the daemon's resume verifies after the start-time. */
  noWait?: boolean;
}

interface ControlHandlers {
  /** Runs a rotation now; `onQueued` when it has to wait for the daemon's own cycle first. */
  rotate(request: RotateRequest, onProgress: (e: ProgressEvent) => void, onQueued: (message: string) => void, onWait: (w: WaitInfo) => void): Promise<CycleReport>;
  status(request: { links?: string[] }): Promise<StatusView>;
  /** Link names the config has (requests naming others get 400). */
  links: readonly string[];
  /** True once the daemon stops: new requests get 503. */
  stopping(): boolean;
}

export interface ControlServerOptions {
  host: string;
  port: number;
  /** PEM contents. */
  tls?: { ca: string; cert: string; key: string };
  /** Required as `Authorization: Bearer …` when there is no TLS. */
  token?: string;
  handlers: ControlHandlers;
  logger: { info(...a: unknown[]): unknown; warn(...a: unknown[]): unknown };
}

export interface ControlServer {
  url: string;
  port: number;
  /** New requests get 503 from now on; requests in flight finish. */
  stopAccepting(): void;
  close(): Promise<void>;
}

class ControlRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BODY = 64 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new ControlRequestError(413, `request body over ${MAX_BODY} bytes`);
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ControlRequestError(400, 'request body is not JSON');
  }
}

/** Checks a rotate/status body: `links` a list of known link names, `dryRun` and `noWait` booleans. */
function parseRotateRequest(body: unknown, known: readonly string[]): RotateRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ControlRequestError(400, 'request body must be a JSON object');
  const { links, dryRun, noWait, ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new ControlRequestError(400, `unknown field${extra.length === 1 ? '' : 's'} ${extra.join(', ')} (known: links, dryRun, noWait)`);
  if (links !== undefined && (!Array.isArray(links) || links.some((l) => typeof l !== 'string'))) throw new ControlRequestError(400, 'links must be a list of link names');
  if (dryRun !== undefined && typeof dryRun !== 'boolean') throw new ControlRequestError(400, 'dryRun must be true or false');
  if (noWait !== undefined && typeof noWait !== 'boolean') throw new ControlRequestError(400, 'noWait must be true or false');
  const unknown = ((links as string[] | undefined) ?? []).filter((l) => !known.includes(l));
  if (unknown.length > 0) throw new ControlRequestError(400, `unknown link${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} (the config has: ${known.join(', ')})`);
  return { ...(links !== undefined ? { links: links as string[] } : {}), ...(dryRun !== undefined ? { dryRun } : {}), ...(noWait !== undefined ? { noWait } : {}) };
}

function sameToken(given: string | undefined, token: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
}

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { handlers } = options;
  let accepting = true;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (options.tls === undefined && options.token !== undefined) {
      const auth = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!sameToken(auth, options.token)) return sendJson(res, 401, { error: 'missing or wrong token: the CLI reads it from control.json in the state directory' });
    }
    if (path !== '/v1/rotate' && path !== '/v1/status') return sendJson(res, 404, { error: `no such endpoint ${path}: try POST /v1/rotate or GET /v1/status` });
    const method = path === '/v1/rotate' ? 'POST' : 'GET';
    if (req.method !== method) {
      res.setHeader('allow', method);
      return sendJson(res, 405, { error: `${path} takes ${method}` });
    }
    if (!accepting) return sendJson(res, 503, { error: 'the daemon is stopping' });
    if (path === '/v1/status') {
      const links = new URL(req.url ?? '/', 'http://x').searchParams.getAll('link');
      return sendJson(res, 200, await handlers.status(links.length > 0 ? { links } : {}));
    }
    if (handlers.stopping()) return sendJson(res, 503, { error: 'the daemon is stopping: run this again once it is down (then it runs here) or back up' });
    const request = parseRotateRequest(await readJson(req), handlers.links);
    options.logger.info(`control: rotation requested${request.links ? ` for ${request.links.join(', ')}` : ''}${request.dryRun ? ' (dry run)' : ''}${request.noWait ? ' (no wait)' : ''}`);
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const put = (o: unknown) => void (res.writableEnded || res.write(`${JSON.stringify(o)}\n`));
    try {
      const report = await handlers.rotate(
        request,
        (e) => put({ progress: e }),
        (m) => put({ queued: m }),
        (w) => put({ wait: w }),
      );
      put({ report });
    } catch (err) {
      put({ error: err instanceof Error ? err.message : String(err) });
    }
    res.end();
  };
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof ControlRequestError ? err.status : 500;
      if (!res.headersSent) sendJson(res, status, { error: err instanceof Error ? err.message : String(err) });
      else res.end();
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ ca: options.tls.ca, cert: options.tls.cert, key: options.tls.key, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' }, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`control endpoint cannot listen on ${options.host}:${options.port}: ${err.code ?? err.message}`);
  });
  const { port } = server.address() as AddressInfo;
  // An unspecified address is reached over loopback.
  const reach = options.host === '0.0.0.0' ? '127.0.0.1' : options.host === '::' ? '::1' : options.host;
  const url = `${options.tls ? 'https' : 'http'}://${reach.includes(':') ? `[${reach}]` : reach}:${port}`;
  return {
    url,
    port,
    stopAccepting: () => void (accepting = false),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
