// A bare HTTP/1.1 client over a TLS socket: writes exact bytes (malformed ones included) and reads
// one response, keeping the connection for the next request when the server allows it. Node's own
// client refuses to send most of what a fuzzer wants to send.
import { connect, type TLSSocket } from 'node:tls';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The server closed the connection after (or instead of) this response. */
  closed: boolean;
}

export type RawOutcome = { kind: 'response'; response: RawResponse } | { kind: 'closed'; received: number } | { kind: 'timeout'; received: number };

export interface RawHttpOptions {
  host: string;
  port: number;
  tls: { cert: string; key: string; ca: string };
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** Parses one response from `buf`; undefined when more bytes are needed. `eof`: no more will come. */
function parseResponse(buf: Buffer, eof: boolean, head: boolean): { response: Omit<RawResponse, 'closed'>; used: number } | undefined {
  let start = 0;
  for (;;) {
    const end = buf.indexOf(HEAD_END, start);
    if (end < 0) return undefined;
    const lines = buf.subarray(start, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? NaN);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const bodyAt = end + 4;
    if (status >= 100 && status < 200) {
      start = bodyAt; // interim response (100 Continue): the real one follows
      continue;
    }
    if (head || status === 204 || status === 304) return { response: { status, headers, body: Buffer.alloc(0) }, used: bodyAt };
    const length = headers['content-length'];
    if (length !== undefined) {
      const n = Number(length);
      if (buf.length - bodyAt < n) return eof ? { response: { status, headers, body: buf.subarray(bodyAt) }, used: buf.length } : undefined;
      return { response: { status, headers, body: buf.subarray(bodyAt, bodyAt + n) }, used: bodyAt + n };
    }
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const parts: Buffer[] = [];
      let at = bodyAt;
      for (;;) {
        const nl = buf.indexOf('\r\n', at);
        if (nl < 0) return eof ? { response: { status, headers, body: Buffer.concat(parts) }, used: buf.length } : undefined;
        const size = Number.parseInt(buf.subarray(at, nl).toString('latin1'), 16);
        if (!(size >= 0)) return { response: { status, headers, body: Buffer.concat(parts) }, used: buf.length };
        if (buf.length < nl + 2 + size + 2) return eof ? { response: { status, headers, body: Buffer.concat(parts) }, used: buf.length } : undefined;
        if (size === 0) return { response: { status, headers, body: Buffer.concat(parts) }, used: nl + 4 };
        parts.push(buf.subarray(nl + 2, nl + 2 + size));
        at = nl + 2 + size + 2;
      }
    }
    return eof ? { response: { status, headers, body: buf.subarray(bodyAt) }, used: buf.length } : undefined;
  }
}

/** One lane: a connection reused while the server keeps it open. */
export function createRawHttp(opts: RawHttpOptions) {
  let socket: TLSSocket | undefined;
  let ready: Promise<TLSSocket> | undefined;

  const open = (): Promise<TLSSocket> =>
    (ready ??= new Promise<TLSSocket>((resolve, reject) => {
      const s = connect({ host: opts.host, port: opts.port, cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.ca, servername: 'localhost' }, () => resolve(s));
      s.on('error', (err) => {
        if (socket === s) drop();
        reject(err); // no-op once connected
      });
      s.once('close', () => {
        if (socket === s) drop();
      });
      socket = s;
    }));
  const drop = () => {
    socket?.destroy();
    socket = undefined;
    ready = undefined;
  };

  /** Sends `bytes` and waits for one response, the connection's end, or `timeoutMs`. */
  async function send(bytes: Buffer, timeoutMs: number, { head = false, fresh = false }: { head?: boolean; fresh?: boolean } = {}): Promise<RawOutcome> {
    if (fresh) drop();
    const reused = socket !== undefined;
    const outcome = await exchange(await open(), bytes, timeoutMs, head);
    // A kept-alive connection the server closed just before our write: try once on a new one.
    if (reused && outcome.kind === 'closed' && outcome.received === 0) return exchange(await open(), bytes, timeoutMs, head);
    return outcome;
  }

  function exchange(s: TLSSocket, bytes: Buffer, timeoutMs: number, head: boolean): Promise<RawOutcome> {
    return new Promise<RawOutcome>((resolve) => {
      let buf = Buffer.alloc(0);
      let eof = false;
      const finish = (outcome: RawOutcome) => {
        clearTimeout(timer);
        s.off('data', onData);
        s.off('close', onClose);
        resolve(outcome);
      };
      const attempt = () => {
        const parsed = parseResponse(buf, eof, head);
        if (parsed) {
          const closed = eof || /close/i.test(parsed.response.headers.connection ?? '') || parsed.used < buf.length;
          if (closed) drop(); // leftover bytes (a second response) would confuse the next request
          finish({ kind: 'response', response: { ...parsed.response, closed } });
        } else if (eof) finish({ kind: 'closed', received: buf.length });
      };
      const onData = (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        attempt();
      };
      const onClose = () => {
        eof = true;
        attempt();
      };
      const timer = setTimeout(() => {
        drop();
        finish({ kind: 'timeout', received: buf.length });
      }, timeoutMs);
      s.on('data', onData);
      s.on('close', onClose);
      s.write(bytes);
    });
  }

  return { send, close: drop };
}
