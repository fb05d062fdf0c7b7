// The admin endpoint: plain HTTP on a loopback address, no auth, so a chaos run (or a person with
// curl) can change a device's faults while the simulator runs. Same shape as sim-kme's:
//   GET /faults, GET|PUT|PATCH|DELETE /faults/<device>, plus GET /links (the link records).
// Bodies are validated with the faults schema; a bad one gets 400 naming the field.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { parseFaults, type Faults } from './faults.js';

/** Largest request body accepted (faults are a few hundred bytes). */
const MAX_BODY_BYTES = 64 * 1024;

export interface AdminTarget {
  deviceNames(): string[];
  getFaults(device: string): Faults;
  /** Replaces a device's faults (already validated). */
  setFaults(device: string, faults: Faults): void;
  /** The link records, for GET /links. */
  links(): unknown;
}

export interface AdminServer {
  url: string;
  close(): Promise<void>;
}

export class AdminAddressError extends Error {
  override name = 'AdminAddressError';
}

/** Loopback only: 127.0.0.0/8, ::1 or "localhost". */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(JSON.parse(text));
      } catch (e) {
        reject(new HttpError(400, `body is not valid JSON: ${(e as Error).message}`));
      }
    });
  });
}

function validated(body: unknown): Faults {
  const r = parseFaults(body);
  if (!r.ok) throw new HttpError(400, r.error);
  return r.faults;
}

/** PATCH: a JSON merge patch — given fields replace, `null` removes a field. */
function merged(current: Faults, body: unknown): Faults {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, '(root): expected a JSON object of faults');
  const next: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(body)) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  return validated(next);
}

async function route(target: AdminTarget, req: IncomingMessage): Promise<{ status: number; body: unknown }> {
  const path = new URL(req.url ?? '/', 'http://admin').pathname;
  const method = req.method ?? 'GET';
  if (path === '/faults' || path === '/faults/') {
    if (method !== 'GET') throw new HttpError(405, `${method} ${path} is not supported (GET)`);
    return { status: 200, body: Object.fromEntries(target.deviceNames().map((d) => [d, target.getFaults(d)])) };
  }
  if (path === '/links') {
    if (method !== 'GET') throw new HttpError(405, `${method} ${path} is not supported (GET)`);
    return { status: 200, body: target.links() };
  }
  const m = /^\/faults\/([^/]+)$/.exec(path);
  if (!m) throw new HttpError(404, `no such resource: ${path} (try /faults, /faults/<device>, /links)`);
  const device = decodeURIComponent(m[1]!);
  if (!target.deviceNames().includes(device)) throw new HttpError(404, `no device "${device}" (devices: ${target.deviceNames().join(', ')})`);
  switch (method) {
    case 'GET':
      break;
    case 'PUT':
      target.setFaults(device, validated(await readJson(req)));
      break;
    case 'PATCH':
      target.setFaults(device, merged(target.getFaults(device), await readJson(req)));
      break;
    case 'DELETE':
      target.setFaults(device, {});
      break;
    default:
      throw new HttpError(405, `${method} ${path} is not supported (GET, PUT, PATCH, DELETE)`);
  }
  return { status: 200, body: target.getFaults(device) };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startAdminServer(target: AdminTarget, options: { host?: string; port?: number } = {}): Promise<AdminServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host)) throw new AdminAddressError(`the admin endpoint listens on loopback only (127.0.0.1, ::1 or localhost); refused "${host}" — it has no authentication`);
  const server = createServer((req, res) => {
    route(target, req).then(
      (r) => send(res, r.status, r.body),
      (e: unknown) => send(res, e instanceof HttpError ? e.status : 500, { error: e instanceof HttpError ? e.message : 'internal error' }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
