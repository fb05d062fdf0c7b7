// Requests Node's HTTP server refuses before any handler sees them (bad Content-Length, a NUL
// in a header, headers too large, a request not received in time, a CONNECT, an HTTP/1.1 request
// without Host). Node's default answer is a bare 400/431/408 without a body, or for CONNECT no
// answer at all; a KME answers every error with an ETSI Error JSON body, so these get one too,
// and the connection is closed.
import type { Server } from 'node:https';
import type { Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LevelLogger } from './logger.js';

export interface ClientErrorOptions {
  kmeId: string;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  maxHeaderBytes: number;
  logger: LevelLogger;
  /** The response in progress on a socket, if any: its headers may already be on the wire. */
  inFlight: (socket: Socket) => ServerResponse | undefined;
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 405: 'Method Not Allowed', 408: 'Request Timeout', 413: 'Payload Too Large', 431: 'Request Header Fields Too Large' };

/** The ETSI Error for a request without a Host header, which HTTP/1.1 requires (RFC 9112 §3.2). */
export const MISSING_HOST = 'malformed HTTP request: an HTTP/1.1 request must carry a Host header';

/** True for a request HTTP/1.1 obliges to carry Host that does not (HTTP/1.0 need not). */
export function lacksRequiredHost(req: IncomingMessage): boolean {
  return req.httpVersionMajor === 1 && req.httpVersionMinor >= 1 && req.headers.host === undefined;
}

/** Writes an ETSI Error answer straight to the socket and closes it. */
function answerOnSocket(socket: Socket, status: number, message: string, headers = ''): void {
  const json = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\ncontent-type: application/json\r\n${headers}` +
      `content-length: ${Buffer.byteLength(json)}\r\nconnection: close\r\n\r\n${json}`,
  );
  // end() waits for the peer to read; a peer that never does must not hold the socket.
  setTimeout(() => socket.destroy(), 1_000).unref();
}

/** Status and ETSI Error message for a parser or timeout error. */
function describeClientError(
  err: Error & { code?: string; reason?: string },
  opts: Pick<ClientErrorOptions, 'headersTimeoutMs' | 'requestTimeoutMs' | 'maxHeaderBytes'>,
  /** True when the headers were read and the body is what is late. */
  bodyStarted: boolean,
): { status: number; message: string } {
  const reason = err.reason ?? err.message.replace(/^Parse Error: /, '');
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return bodyStarted
        ? { status: 408, message: `the request was not received in full within ${opts.requestTimeoutMs} ms` }
        : { status: 408, message: `the request headers were not received within ${opts.headersTimeoutMs} ms` };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, message: `the request headers exceed ${opts.maxHeaderBytes} bytes` };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, message: 'the chunk extensions of the request body are too large' };
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return { status: 400, message: `malformed HTTP request: bad Content-Length header (${reason})` };
    case 'HPE_INVALID_HEADER_TOKEN':
      return { status: 400, message: `malformed HTTP request: a header holds a character HTTP does not allow (${reason})` };
    default:
      return { status: 400, message: `malformed HTTP request: ${reason}${err.code ? ` (${err.code})` : ''}` };
  }
}

/**
 * Answers parser and timeout errors, and CONNECT requests, on `server` with an ETSI Error and
 * closes the connection. (A missing Host is refused in the request handler: see lacksRequiredHost.)
 */
export function answerClientErrors(server: Server, opts: ClientErrorOptions): void {
  server.on('clientError', (err: Error & { code?: string }, socket: Socket) => {
    // The peer is gone, or a reply is already part-way out: anything written now would corrupt it.
    const res = opts.inFlight(socket);
    if (err.code === 'ECONNRESET' || !socket.writable || res?.headersSent) return void socket.destroy();
    const { status, message } = describeClientError(err, opts, res !== undefined);
    opts.logger.debug('malformed request refused', { kme: opts.kmeId, status, code: err.code, reason: message });
    answerOnSocket(socket, status, message);
  });
  // Without a listener Node destroys a CONNECT's connection unanswered. A KME tunnels nothing:
  // 405 like any other method it does not serve; bytes after the request are not read.
  server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    if (!socket.writable) return void socket.destroy();
    const message = 'CONNECT is not allowed: a KME serves GET and POST only';
    opts.logger.debug('malformed request refused', { kme: opts.kmeId, status: 405, reason: message });
    answerOnSocket(socket, 405, message, 'allow: GET, POST\r\n');
  });
}
