// The fault admin endpoint: plain HTTP on loopback, no authentication, so a chaos run or a
// person with curl can change a running KME's faults. Same shape as sim-junos's:
//   GET /faults, GET|PUT|PATCH|DELETE /faults/<KME_ID>; errors are {"error": "..."}.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkFaults, isLoopbackHost, type Faults } from './config.js';
import type { FaultTable } from './fault-table.js';
import type { LevelLogger } from './logger.js';

export interface AdminServer {
  /** http://HOST:PORT */
  readonly url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

class AdminError {
  constructor(
    readonly status: number,
    readonly message: string,
  ) {}
}

// Over 80 lines: one closure over the fault table and the server, holding a handful of short
// request handlers, one per admin route; split, each would take the same six arguments.
export async function startAdminServer(opts: { host: string; port: number; faults: FaultTable; logger: LevelLogger }): Promise<AdminServer> {
  const { faults: target, logger } = opts;
  if (!isLoopbackHost(opts.host))
    throw new Error(`admin: ${opts.host} is not a loopback address; the admin endpoint has no authentication and listens on loopback only`);

  const lookup = (rawId: string): string => {
    let id: string;
    try {
      id = decodeURIComponent(rawId);
    } catch {
      throw new AdminError(400, 'the KME ID in the path is not valid percent-encoding');
    }
    if (!target.ids.includes(id)) throw new AdminError(404, `unknown KME "${id}"; this simulator serves ${target.ids.join(', ')}`);
    return id;
  };

  const parseBody = (body: string): Record<string, unknown> => {
    let data: unknown;
    try {
      data = JSON.parse(body);
    } catch (err) {
      throw new AdminError(400, `the body is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new AdminError(400, 'the body must be a JSON object of faults');
    return data as Record<string, unknown>;
  };

  const validated = (input: unknown): Faults => {
    const checked = checkFaults(input);
    if ('error' in checked) throw new AdminError(400, checked.error);
    return checked.faults;
  };

  const route = (method: string, path: string, body: string): unknown => {
    if (path === '/faults' || path === '/faults/') {
      if (method !== 'GET') throw new AdminError(405, `${method} is not allowed on /faults (GET it, or PUT/PATCH/DELETE /faults/<KME_ID>)`);
      return Object.fromEntries(target.ids.map((id) => [id, target.get(id)]));
    }
    const m = /^\/faults\/([^/]+)$/.exec(path);
    if (!m) throw new AdminError(404, `no such endpoint: ${path} (try GET /faults)`);
    const id = lookup(m[1]!);
    switch (method) {
      case 'GET':
        return target.get(id);
      case 'PUT':
        target.set(id, validated(parseBody(body)));
        break;
      case 'PATCH':
        target.set(id, validated({ ...target.get(id), ...parseBody(body) }));
        break;
      case 'DELETE':
        target.set(id, validated({}));
        break;
      default:
        throw new AdminError(405, `${method} is not allowed on /faults/${id} (GET, PUT, PATCH, DELETE)`);
    }
    const now = target.get(id);
    logger.info('faults changed', { kme: id, via: 'admin', faults: now });
    return now;
  };

  const answer = (req: IncomingMessage, res: ServerResponse, body: string) => {
    let status = 200;
    let out: unknown;
    try {
      // A browser page on a rebound DNS name could otherwise reach this unauthenticated endpoint.
      const host = hostName(req.headers.host);
      if (host === undefined || !isLoopbackHost(host)) throw new AdminError(403, `Host "${req.headers.host ?? ''}" is not a loopback name`);
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      out = route(req.method ?? 'GET', q < 0 ? url : url.slice(0, q), body);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      status = err.status;
      out = { error: err.message };
    }
    const json = JSON.stringify(out);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }).end(json);
  };

  const server = createServer({ headersTimeout: 5_000, requestTimeout: 10_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        const json = JSON.stringify({ error: `the body exceeds ${MAX_BODY_BYTES} bytes` });
        return void res.writeHead(413, { 'content-type': 'application/json', connection: 'close' }).end(json);
      }
      try {
        answer(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        logger.error('admin endpoint error', { path: req.url, error: (err as Error).message });
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'internal error in the admin endpoint' }));
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: Error) => {
    throw new Error(`admin: cannot listen on ${opts.host}:${opts.port}: ${err.message}`, { cause: err });
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The host part of a Host header: `127.0.0.1:8080` -> `127.0.0.1`, `[::1]:80` -> `::1`. */
function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  if (header.startsWith('[')) {
    const end = header.indexOf(']');
    return end < 0 ? undefined : header.slice(1, end);
  }
  const colon = header.indexOf(':');
  return colon < 0 ? header : header.slice(0, colon);
}
