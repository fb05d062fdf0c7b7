import type { Duplex } from 'node:stream';
import { ConnectionClosedError, HelloError, NetconfAbortError, NetconfTimeoutError, RpcFailedError, type RpcError } from '../errors.js';
import { createFrameDecoder, DEFAULT_MAX_MESSAGE_BYTES } from '../framing/decoder.js';
import { encodeMessage, type Framing } from '../framing/encode.js';
import { BASE_1_0, BASE_1_1, buildHello, negotiateFraming, NETCONF_NS, parseHello } from '../framing/hello.js';
import { defaultLogger, type Logger } from '../logger.js';
import { intern } from '../own-string.js';
import { XmlError } from '../xml/errors.js';
import type { XmlObject } from '../xml/nodes.js';
import { parseRpcReply, sniffMessageId } from './reply.js';

export interface RpcSessionOptions {
  /** Capabilities we advertise. Default base:1.0 and base:1.1. */
  capabilities?: string[];
  /** Largest reply accepted. Default 64 MiB. */
  maxMessageBytes?: number;
  /** Time allowed for the server's hello. Default 30 000 ms. */
  helloTimeoutMs?: number;
  /** Default per-RPC timeout. Default 60 000 ms. */
  rpcTimeoutMs?: number;
  /** Names the peer in errors, e.g. "r1.lab:830". */
  label?: string;
  logger?: Logger;
}

export interface RpcOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Default true: a reply with errors rejects with RpcFailedError. false: resolve with failed = true. */
  throwOnError?: boolean;
  /**
   * Default true. false: the caller reads `raw` with an XML parser of its own, so the reply is not
   * parsed a second time here: `result` is left empty and `raw` is not checked for well-formedness
   * (the caller's parser must refuse what parseXml refuses). A reply that may carry an
   * <rpc-error> or a Junos error/warning is still parsed, so errors reject and warnings show as always.
   */
  parseResult?: boolean;
}

/** Every RPC result: what was received, how long it took, and what the server complained about. */
export interface RpcResponse {
  messageId: string;
  /** Name of the operation element sent, e.g. "get-config". */
  rpc: string;
  /** The reply XML as received. */
  raw: string;
  /** Parsed <rpc-reply> content. */
  result: XmlObject;
  /** <ok/> was present. */
  ok: boolean;
  failed: boolean;
  errors: RpcError[];
  warnings: RpcError[];
  elapsedMs: number;
}

export interface RpcSession {
  readonly sessionId: number | undefined;
  readonly serverCapabilities: readonly string[];
  readonly framing: Framing;
  readonly closed: boolean;
  /** Number of RPCs sent and not yet answered. */
  readonly pending: number;
  /** Send one operation (the XML inside <rpc>). Several may be in flight at once. */
  rpc(operationXml: string, options?: RpcOptions): Promise<RpcResponse>;
  /** Send <close-session/>, wait briefly for its reply, then end the channel. */
  close(options?: { timeoutMs?: number }): Promise<void>;
  /** Called once when the session ends, with the reason if it was not a clean close. */
  onClose(listener: (err?: Error) => void): void;
}

interface Pending {
  rpc: string;
  started: number;
  throwOnError: boolean;
  parseResult: boolean;
  resolve(r: RpcResponse): void;
  reject(e: Error): void;
  cleanup(): void;
}

// For replies left to the caller's parser (parseResult: false): what must be an <rpc-reply>, what
// may hold an error or warning (then parsed as always), and the <ok/> flag.
const RPC_REPLY_START = /^\s*(?:<\?xml[^>]*\?>\s*)?<(?:[\w.-]+:)?rpc-reply[\s>]/;
const MAY_CARRY_ERRORS = /<(?:[\w.-]+:)?(?:rpc-error|error|warning)[\s>/]/;
const OK_ELEMENT = /<(?:[\w.-]+:)?ok\s*\/?>/;

const OPERATION_NAME = /^\s*<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/;

/**
 * Run the hello exchange on an open NETCONF channel and return the session. Replies are
 * matched to requests by message-id; a reply without one goes to the oldest pending request
 * (servers answer in order, RFC 6241 §4.1).
 */
export function startRpcSession(stream: Duplex, options: RpcSessionOptions = {}): Promise<RpcSession> {
  const ours = options.capabilities ?? [BASE_1_0, BASE_1_1];
  const label = options.label ?? 'netconf peer';
  const logger = options.logger ?? defaultLogger;
  const defaultTimeout = options.rpcTimeoutMs ?? 60_000;
  const decoder = createFrameDecoder({ maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES });
  const pending = new Map<string, Pending>();
  const closeListeners: Array<(err?: Error) => void> = [];
  let nextId = 101;
  let unparsedPending = 0; // RPCs sent with parseResult: false and not yet settled
  let framing: Framing = 'eom';
  let serverCapabilities: string[] = [];
  let sessionId: number | undefined;
  let closed = false;
  let closing = false;
  let closeReason: Error | undefined;

  return new Promise<RpcSession>((resolveHello, rejectHello) => {
    let helloDone = false;
    const helloTimer = setTimeout(() => fail(new NetconfTimeoutError('NETCONF hello', options.helloTimeoutMs ?? 30_000, label)), options.helloTimeoutMs ?? 30_000);

    function fail(err: Error): void {
      if (closed) return;
      closed = true;
      closeReason = err;
      clearTimeout(helloTimer);
      stream.removeListener('data', onData);
      for (const [, p] of pending) {
        p.cleanup();
        p.reject(err);
      }
      pending.clear();
      unparsedPending = 0;
      if (!helloDone) rejectHello(err);
      stream.destroy();
      for (const l of closeListeners.splice(0)) l(reportedCloseReason());
    }

    /** What onClose listeners get: nothing after our own close(), the failure otherwise. */
    function reportedCloseReason(): Error | undefined {
      return closing && closeReason instanceof ConnectionClosedError ? undefined : closeReason;
    }

    function onMessage(msg: string): void {
      if (!helloDone) {
        const hello = parseHello(msg);
        if (hello.sessionId === undefined) throw new HelloError('bad-session-id', `server hello from ${label} has no <session-id>`);
        serverCapabilities = hello.capabilities;
        sessionId = hello.sessionId;
        framing = negotiateFraming(ours, serverCapabilities);
        decoder.setFraming(framing);
        helloDone = true;
        clearTimeout(helloTimer);
        resolveHello(session);
        return;
      }
      if (settledUnparsed(msg)) return;
      let parsed: ReturnType<typeof parseRpcReply>;
      try {
        parsed = parseRpcReply(msg);
      } catch (err) {
        if (/^\s*(<\?xml[^>]*\?>\s*)?<(\w+:)?notification\b/.test(msg)) return; // notifications are not replies
        const id = sniffMessageId(msg);
        const target = (id !== undefined && pending.get(id)) || pending.values().next().value;
        const detail = err instanceof Error ? err.message : String(err);
        const wrapped = new XmlError(err instanceof XmlError ? err.reason : 'malformed', `reply${target ? ` to <${target.rpc}>` : ''} from ${label} refused: ${detail}`);
        if (!target) return logger.warn(wrapped.message);
        settle(id !== undefined && pending.has(id) ? id : pending.keys().next().value!, (p) => p.reject(wrapped));
        return;
      }
      const id = parsed.messageId !== undefined && pending.has(parsed.messageId) ? parsed.messageId : parsed.messageId === undefined ? pending.keys().next().value : undefined;
      if (id === undefined) {
        logger.debug?.(`reply with unknown message-id ${parsed.messageId} from ${label} dropped (its RPC timed out or was aborted)`);
        return;
      }
      settle(id, (p) => {
        const failed = parsed.errors.length > 0;
        if (failed && p.throwOnError) return p.reject(new RpcFailedError(p.rpc, parsed.errors, msg, parsed.warnings, label));
        p.resolve({ messageId: id, rpc: p.rpc, raw: msg, result: parsed.result, ok: parsed.ok, failed, errors: parsed.errors, warnings: parsed.warnings, elapsedMs: performance.now() - p.started });
      });
    }

    /** A reply to an RPC sent with parseResult: false, with no error or warning in it: resolved with its raw text only. */
    function settledUnparsed(msg: string): boolean {
      if (unparsedPending === 0 || !RPC_REPLY_START.test(msg) || MAY_CARRY_ERRORS.test(msg)) return false;
      const sniffed = sniffMessageId(msg);
      const id = sniffed !== undefined ? sniffed : pending.keys().next().value;
      const p = id !== undefined ? pending.get(id) : undefined;
      if (!p || p.parseResult) return false;
      settle(id!, () => p.resolve({ messageId: id!, rpc: p.rpc, raw: msg, result: {}, ok: OK_ELEMENT.test(msg), failed: false, errors: [], warnings: [], elapsedMs: performance.now() - p.started }));
      return true;
    }

    function settle(id: string, fn: (p: Pending) => void): void {
      const p = pending.get(id);
      if (!p) return;
      pending.delete(id);
      if (!p.parseResult) unparsedPending--;
      p.cleanup();
      fn(p);
    }

    function onData(chunk: Buffer): void {
      try {
        decoder.push(chunk);
        for (let msg = decoder.next(); msg !== undefined && !closed; msg = decoder.next()) onMessage(msg);
        // An idle kept session holds no receive buffer (per-session memory: README, "Memory").
        if (pending.size === 0) decoder.release();
      } catch (err) {
        fail(err as Error);
      }
    }

    stream.on('data', onData);
    stream.on('error', (err: Error) => fail(new ConnectionClosedError(`NETCONF channel error: ${err.message}`, label, err)));
    stream.on('close', () => fail(new ConnectionClosedError(closing ? 'NETCONF session closed' : `NETCONF channel closed by the server${pending.size ? ` with ${pending.size} RPC(s) pending` : ''}`, label)));
    stream.write(encodeMessage(buildHello(ours), 'eom'));

    const session: RpcSession = {
      get sessionId() {
        return sessionId;
      },
      get serverCapabilities() {
        return serverCapabilities;
      },
      get framing() {
        return framing;
      },
      get closed() {
        return closed;
      },
      get pending() {
        return pending.size;
      },
      rpc(operationXml, rpcOptions = {}) {
        const name = intern(OPERATION_NAME.exec(operationXml)?.[2] ?? 'rpc'); // a slice would keep the request alive in its response
        if (closed) return Promise.reject(closeReason instanceof ConnectionClosedError ? closeReason : new ConnectionClosedError(`session is closed${closeReason ? `: ${closeReason.message}` : ''}`, label));
        const signal = rpcOptions.signal;
        if (signal?.aborted) return Promise.reject(new NetconfAbortError(`<${name}>`, signal.reason));
        const id = String(nextId++);
        let wire: Buffer;
        try {
          wire = encodeMessage(`<rpc xmlns="${NETCONF_NS}" message-id="${id}">${operationXml}</rpc>`, framing);
        } catch (err) {
          return Promise.reject(err);
        }
        return new Promise<RpcResponse>((resolve, reject) => {
          const timeoutMs = rpcOptions.timeoutMs ?? defaultTimeout;
          const timer = setTimeout(() => settle(id, (p) => p.reject(new NetconfTimeoutError(`<${name}> (message-id ${id})`, timeoutMs, label))), timeoutMs);
          const onAbort = (): void => settle(id, (p) => p.reject(new NetconfAbortError(`<${name}> (message-id ${id})`, signal?.reason)));
          signal?.addEventListener('abort', onAbort, { once: true });
          if (rpcOptions.parseResult === false) unparsedPending++;
          pending.set(id, {
            rpc: name,
            started: performance.now(),
            throwOnError: rpcOptions.throwOnError ?? true,
            parseResult: rpcOptions.parseResult ?? true,
            resolve,
            reject,
            cleanup: () => {
              clearTimeout(timer);
              signal?.removeEventListener('abort', onAbort);
            },
          });
          stream.write(wire);
        });
      },
      async close({ timeoutMs = 5_000 } = {}) {
        if (closed) return;
        closing = true;
        try {
          await session.rpc('<close-session/>', { timeoutMs });
        } catch {
          // The channel is ended below either way.
        }
        if (!closed) {
          stream.end();
          fail(new ConnectionClosedError('NETCONF session closed', label));
        }
      },
      onClose(listener) {
        if (closed) queueMicrotask(() => listener(reportedCloseReason()));
        else closeListeners.push(listener);
      },
    };
  });
}
