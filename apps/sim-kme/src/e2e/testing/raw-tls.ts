// A bare TLS socket with a client certificate, for the tests that put bytes on the wire no HTTP
// client would send (bad framing, NUL in a header, a body that never arrives) and read the reply.
import { connect } from 'node:tls';

export interface RawTlsReply {
  /** Everything the server sent until it closed the connection. */
  text: string;
  /** The status code of the first reply, or 0 when there was none. */
  status: number;
  /** The first reply's header block, lower-cased names. */
  headers: Record<string, string>;
  /** The first reply's body parsed as JSON, when it is JSON. */
  json: unknown;
  /** Milliseconds from the first byte sent to the connection's close. */
  elapsedMs: number;
}

/**
 * Connects to `baseUrl` over mutual TLS, writes `parts` in order (pausing `pauseMs` between them),
 * then reads until the server closes the connection.
 */
export function rawTlsExchange(
  baseUrl: string,
  tls: { cert: string; key: string; ca: string },
  parts: (string | Buffer)[],
  opts: { pauseMs?: number } = {},
): Promise<RawTlsReply> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), cert: tls.cert, key: tls.key, ca: tls.ca, servername: 'localhost' });
    const chunks: Buffer[] = [];
    let started = 0;
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err) => (chunks.length ? undefined : reject(err)));
    socket.on('close', () => resolve(parseReply(Buffer.concat(chunks).toString('latin1'), Date.now() - started)));
    socket.once('secureConnect', async () => {
      started = Date.now();
      for (const [i, part] of parts.entries()) {
        if (i > 0 && opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
        if (!socket.writable) break;
        socket.write(part);
      }
    });
  });
}

function parseReply(text: string, elapsedMs: number): RawTlsReply {
  const headerEnd = text.indexOf('\r\n\r\n');
  const head = headerEnd < 0 ? text : text.slice(0, headerEnd);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let json: unknown;
  if (headerEnd >= 0) {
    const length = Number(headers['content-length'] ?? NaN);
    const body = text.slice(headerEnd + 4, Number.isNaN(length) ? undefined : headerEnd + 4 + length);
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
  }
  return { text, status, headers, json, elapsedMs };
}
