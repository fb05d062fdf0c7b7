// A bare node:https caller with a client certificate, for the tests that must put exact bytes
// or exact status codes on the wire without the ETSI client's own checks in the way.
import { request } from 'node:https';

export interface RawResponse {
  status: number;
  body: string;
  json: unknown;
}

export function rawCall(
  baseUrl: string,
  path: string,
  tls: { cert: string; key: string; ca: string },
  opts: { method?: string; body?: unknown; rawBody?: string } = {},
): Promise<RawResponse> {
  const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, baseUrl),
      {
        method: opts.method ?? (payload === undefined ? 'GET' : 'POST'),
        cert: tls.cert,
        key: tls.key,
        ca: tls.ca,
        agent: false,
        headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body, json });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
