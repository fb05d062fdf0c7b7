import type { Duplex } from 'node:stream';
import { inspect } from 'node:util';
import { ConnectionClosedError, NetconfAbortError, NetconfTimeoutError, RpcFailedError, rpcFailedMessage, type RpcError } from '../errors.js';
import { createFrameDecoder, DEFAULT_MAX_MESSAGE_BYTES, type FrameDecoder } from '../framing/decoder.js';
import { encodeMessage, encodeWrapped, type Framing } from '../framing/encode.js';
import { Outbox } from '../framing/outbox.js';
import { BASE_1_0, BASE_1_1, buildHello, HelloError, negotiateFraming, NETCONF_NS, parseHello } from '../framing/hello.js';
import { defaultLogger, type Logger } from '../logger.js';
import { intern } from '../own-string.js';
import { XmlError } from '../xml/errors.js';
import type { XmlObject } from '../xml/nodes.js';
import { checkReply, parseRpcReply, sniffMessageId } from './reply.js';

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
   * 'check': for a reply whose content the caller does not read (a load's or a commit's
   * acknowledgement): it is read for well-formedness, errors and warnings as always, but no tree of
   * it is built (`result` is left empty).
   */
  parseResult?: boolean | 'check';
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

/**
 * An RPC sent and not yet answered. A class of plain fields (no closures, no timer of its own):
 * there is one per RPC in flight, and a cycle of a 4,000-device fleet has thousands at once, each
 * living long enough to survive a scavenge. Linked in sending order (replies come in that order,
 * RFC 6241 §4.1, so the one answered is nearly always the first).
 */
class Pending {
  signal: AbortSignal | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  next: Pending | undefined = undefined;
  constructor(
    readonly id: string,
    readonly rpc: string,
    readonly started: number,
    /** performance.now() by which the reply is due. */
    readonly deadline: number,
    readonly timeoutMs: number,
    readonly throwOnError: boolean,
    readonly parseResult: boolean | 'check',
    readonly resolve: (r: RpcResponse) => void,
    readonly reject: (e: Error) => void,
  ) {}
  cleanup(): void {
    if (this.onAbort) this.signal!.removeEventListener('abort', this.onAbort);
  }
}

const MAX_TIMER_MS = 2 ** 31 - 1;

// The session's errors, each naming the peer (its label) in the message and as `host`.
function timeoutError(operation: string, timeoutMs: number, host: string, rpc?: string, messageId?: string): NetconfTimeoutError {
  return new NetconfTimeoutError(`${operation} timed out after ${timeoutMs} ms on ${host}`, { operation, timeoutMs, host, rpc, messageId });
}
function abortError(operation: string, reason: unknown, host: string, rpc: string, messageId?: string): NetconfAbortError {
  return new NetconfAbortError(`${operation} was aborted`, { operation, reason, host, rpc, messageId });
}
function closedError(message: string, host: string, cause?: unknown): ConnectionClosedError {
  return new ConnectionClosedError(`${message} (${host})`, { host, cause });
}

/** The session's deadline timer fired (a module function, so arming it makes no closure). */
function expireSession(session: Session): void {
  session.expire();
}

// For replies left to the caller's parser (parseResult: false): what must be an <rpc-reply>, what
// may hold an error or warning (then parsed as always), and the <ok/> flag. The element searches
// run only where a plain substring search finds the word at all: a whole configuration reply
// scanned by each pattern cost ~8 µs at 2 KB, the two substring searches ~2 µs (4,000 a cycle).
const RPC_REPLY_START = /^\s*(?:<\?xml[^>]*\?>\s*)?<(?:[\w.-]+:)?rpc-reply[\s>]/;
const MAY_CARRY_ERRORS = /<(?:[\w.-]+:)?(?:rpc-error|error|warning)[\s>/]/;
const OK_ELEMENT = /<(?:[\w.-]+:)?ok\s*\/?>/;
const mayCarryErrors = (msg: string): boolean => (msg.includes('error') || msg.includes('warning')) && MAY_CARRY_ERRORS.test(msg);
const hasOkElement = (msg: string): boolean => msg.includes('ok') && OK_ELEMENT.test(msg);

const isNameChar = (c: number): boolean =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2e || c === 0x2d;

// The operations sent so far (a client sends a handful): compared where they stand in the request, no slice per RPC.
const KNOWN_OPERATIONS: string[] = [];

/** The local name of the first element of `xml` ('rpc' when there is none), interned: a slice would keep the request alive in its response. */
function operationName(xml: string): string {
  let i = 0;
  while (i < xml.length && (xml.charCodeAt(i) <= 0x20)) i++;
  if (xml.charCodeAt(i) !== 0x3c /* < */) return 'rpc';
  let from = ++i;
  const first = xml.charCodeAt(i);
  if (!((first >= 0x61 && first <= 0x7a) || (first >= 0x41 && first <= 0x5a) || first === 0x5f)) return 'rpc';
  while (i < xml.length && isNameChar(xml.charCodeAt(i))) i++;
  if (xml.charCodeAt(i) === 0x3a /* : */) {
    const c = xml.charCodeAt(i + 1);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f) {
      from = ++i;
      while (i < xml.length && isNameChar(xml.charCodeAt(i))) i++;
    }
  }
  const length = i - from;
  for (const known of KNOWN_OPERATIONS) if (known.length === length && xml.startsWith(known, from)) return known;
  const name = intern(xml.slice(from, i));
  if (KNOWN_OPERATIONS.length < 64) KNOWN_OPERATIONS.push(name);
  return name;
}

/**
 * Run the hello exchange on an open NETCONF channel and return the session. Replies are
 * matched to requests by message-id; a reply without one goes to the oldest pending request
 * (servers answer in order, RFC 6241 §4.1).
 */
export function startRpcSession(stream: Duplex, options: RpcSessionOptions = {}): Promise<RpcSession> {
  return new Promise<RpcSession>((resolve, reject) => new Session(stream, options, resolve, reject));
}

/**
 * The session: a class with its state in plain fields and its methods on the prototype. A session
 * is kept per device for the whole fleet, and an object of closures with getters is a
 * dictionary-mode object plus a closure and a context per method (README, "Memory per kept session").
 * Not exported: callers see RpcSession. The channel is a #private field: through it (the ssh2
 * client's config) the SSH password would be reachable from `client.session`.
 */
class Session implements RpcSession {
  readonly #stream: Duplex;
  readonly #outbox: Outbox;
  sessionId: number | undefined = undefined;
  serverCapabilities: string[] = [];
  framing: Framing = 'eom';
  closed = false;
  private readonly ours: string[];
  private readonly label: string;
  private readonly logger: Logger;
  private readonly defaultTimeout: number;
  private readonly decoder: FrameDecoder;
  // RPCs in flight, in sending order (a linked list: no table to grow and shrink per RPC).
  private first: Pending | undefined = undefined;
  private last: Pending | undefined = undefined;
  private inFlightCount = 0;
  // One deadline timer per session, not a Timeout and a closure per RPC: armed for the earliest
  // deadline, it rejects what is due and re-arms for the next (unref'd while nothing is pending).
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private timerAt = Infinity;
  private closeListeners: Array<(err?: Error) => void> | undefined = undefined;
  private nextId = 101;
  private readonly dataListener = (chunk: Buffer): void => this.onData(chunk);
  private unparsedPending = 0; // RPCs sent with parseResult false or 'check' and not yet settled
  private closing = false;
  private closeReason: Error | undefined = undefined;
  // Until the hello is in; dropped then (a cleared Timeout still costs memory while referenced).
  private hello: { resolve(s: RpcSession): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> } | undefined;

  constructor(
    stream: Duplex,
    options: RpcSessionOptions,
    resolveHello: (s: RpcSession) => void,
    rejectHello: (e: Error) => void,
  ) {
    this.#stream = stream;
    this.#outbox = new Outbox(stream);
    this.ours = options.capabilities ?? [BASE_1_0, BASE_1_1];
    this.label = options.label ?? 'netconf peer';
    this.logger = options.logger ?? defaultLogger;
    this.defaultTimeout = options.rpcTimeoutMs ?? 60_000;
    this.decoder = createFrameDecoder({ maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES });
    const helloTimeout = options.helloTimeoutMs ?? 30_000;
    this.hello = { resolve: resolveHello, reject: rejectHello, timer: setTimeout(() => this.fail(timeoutError('NETCONF hello', helloTimeout, this.label)), helloTimeout) };
    stream.on('data', this.dataListener);
    stream.on('error', (err: Error) => this.fail(closedError(`NETCONF channel error: ${err.message}`, this.label, err)));
    stream.on('close', () => {
      const pending = this.inFlightCount;
      this.fail(closedError(this.closing ? 'NETCONF session closed' : `NETCONF channel closed by the server${pending ? ` with ${pending} RPC(s) pending` : ''}`, this.label));
    });
    stream.write(encodeMessage(buildHello(this.ours), 'eom'));
  }

  get pending(): number {
    return this.inFlightCount;
  }

  /** The pending RPC with this message-id. */
  private find(id: string): Pending | undefined {
    for (let p = this.first; p; p = p.next) if (p.id === id) return p;
    return undefined;
  }

  private arm(deadline: number): void {
    if (this.timer !== undefined && this.timerAt <= deadline) {
      this.timer.ref(); // may have been unref'd while idle
      return;
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = deadline;
    // Clamped to what a Node timer can hold (past it, it fires at once); a later deadline re-arms.
    this.timer = setTimeout(expireSession, Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(deadline - performance.now()))), this);
  }

  /** The deadline timer: every RPC that is due is rejected with NetconfTimeoutError; re-armed for the next. */
  expire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.closed) return;
    // Within a millisecond counts as due: a timer may fire up to 1 ms early by performance.now().
    const now = performance.now() + 1;
    let next = Infinity;
    for (let p = this.first; p; ) {
      const following = p.next;
      if (p.deadline <= now) this.take(p.id)?.reject(timeoutError(`<${p.rpc}> (message-id ${p.id})`, p.timeoutMs, this.label, p.rpc, p.id));
      else if (p.deadline < next) next = p.deadline;
      p = following;
    }
    if (next !== Infinity && !this.closed) this.arm(next);
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = err;
    const hello = this.hello;
    this.hello = undefined;
    if (hello) clearTimeout(hello.timer);
    this.#stream.removeListener('data', this.dataListener);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    let p = this.first;
    this.first = this.last = undefined;
    this.inFlightCount = 0;
    for (; p; p = p.next) {
      p.cleanup();
      p.reject(err);
    }
    this.unparsedPending = 0;
    hello?.reject(err);
    this.#stream.destroy();
    const listeners = this.closeListeners ?? [];
    this.closeListeners = undefined;
    for (const l of listeners) l(this.reportedCloseReason());
  }

  /** What onClose listeners get: nothing after our own close(), the failure otherwise. */
  private reportedCloseReason(): Error | undefined {
    return this.closing && this.closeReason instanceof ConnectionClosedError ? undefined : this.closeReason;
  }

  private onHello(msg: string): void {
    const hello = parseHello(msg);
    if (hello.sessionId === undefined) throw new HelloError(`server hello from ${this.label} has no <session-id>`, { reason: 'bad-session-id', host: this.label });
    this.serverCapabilities = hello.capabilities;
    this.sessionId = hello.sessionId;
    this.framing = negotiateFraming(this.ours, this.serverCapabilities);
    this.decoder.setFraming(this.framing);
    const waiting = this.hello!;
    this.hello = undefined;
    clearTimeout(waiting.timer);
    waiting.resolve(this);
  }

  private onMessage(msg: string): void {
    if (this.hello) return this.onHello(msg);
    if (this.unparsedPending > 0 && this.settledUnparsed(msg)) return;
    let parsed: ReturnType<typeof parseRpcReply>;
    try {
      parsed = parseRpcReply(msg);
    } catch (err) {
      return this.refused(msg, err);
    }
    const target = parsed.messageId !== undefined ? this.find(parsed.messageId) : this.first;
    if (target === undefined) {
      this.logger.debug?.(`reply with unknown message-id ${parsed.messageId} from ${this.label} dropped (its RPC timed out or was aborted)`, { host: this.label, messageId: parsed.messageId });
      return;
    }
    const id = target.id;
    const p = this.take(id)!;
    const failed = parsed.errors.length > 0;
    if (failed && p.throwOnError) return p.reject(new RpcFailedError(rpcFailedMessage(p.rpc, parsed.errors, this.label), { rpc: p.rpc, messageId: id, host: this.label, errors: parsed.errors, warnings: parsed.warnings, raw: msg }));
    p.resolve({ messageId: id, rpc: p.rpc, raw: msg, result: parsed.result, ok: parsed.ok, failed, errors: parsed.errors, warnings: parsed.warnings, elapsedMs: performance.now() - p.started });
  }

  /** A reply that failed to parse: its RPC (or the oldest pending one) is rejected with why. */
  private refused(msg: string, err: unknown): void {
    if (/^\s*(<\?xml[^>]*\?>\s*)?<(\w+:)?notification\b/.test(msg)) return; // notifications are not replies
    const id = sniffMessageId(msg);
    const target = (id !== undefined && this.find(id)) || this.first;
    const detail = err instanceof Error ? err.message : String(err);
    const wrapped = new XmlError(`reply${target ? ` to <${target.rpc}>` : ''} from ${this.label} refused: ${detail}`, { reason: err instanceof XmlError ? err.reason : 'malformed', host: this.label });
    if (!target) return this.logger.warn(wrapped.message, { host: this.label, reason: wrapped.reason });
    this.take(target.id)?.reject(wrapped);
  }

  /**
   * A reply to an RPC sent with parseResult false or 'check', with no error or warning in it:
   * resolved with its raw text only ('check': once the XML reader has found it well-formed).
   */
  private settledUnparsed(msg: string): boolean {
    // Whose reply it is first (cheap: the start tag), so a reply to a parsed RPC sent alongside
    // (the lock before a read) is not scanned for errors twice.
    const sniffed = sniffMessageId(msg);
    const p = sniffed !== undefined ? this.find(sniffed) : this.first;
    if (!p || p.parseResult === true) return false;
    if (!RPC_REPLY_START.test(msg) || mayCarryErrors(msg)) return false;
    let ok: boolean;
    if (p.parseResult === 'check') {
      try {
        ok = checkReply(msg).ok;
      } catch {
        return false; // the full parse refuses it, saying why
      }
    } else ok = hasOkElement(msg);
    this.take(p.id);
    p.resolve({ messageId: p.id, rpc: p.rpc, raw: msg, result: {}, ok, failed: false, errors: [], warnings: [], elapsedMs: performance.now() - p.started });
    return true;
  }

  /** Removes a pending RPC (its abort listener too) and returns it to be settled. */
  private take(id: string): Pending | undefined {
    let prev: Pending | undefined;
    let p = this.first;
    while (p && p.id !== id) {
      prev = p;
      p = p.next;
    }
    if (!p) return undefined;
    if (prev) prev.next = p.next;
    else this.first = p.next;
    if (this.last === p) this.last = prev;
    p.next = undefined;
    if (--this.inFlightCount === 0) this.timer?.unref(); // armed still, but keeps no idle process alive
    if (p.parseResult !== true) this.unparsedPending--;
    p.cleanup();
    return p;
  }

  private onData(chunk: Buffer): void {
    try {
      const decoder = this.decoder;
      decoder.push(chunk);
      for (let msg = decoder.next(); msg !== undefined && !this.closed; msg = decoder.next()) this.onMessage(msg);
      // An idle kept session holds no receive buffer (per-session memory: README, "Memory").
      if (this.inFlightCount === 0) decoder.release();
    } catch (err) {
      this.fail(err as Error);
    }
  }

  rpc(operationXml: string, rpcOptions?: RpcOptions): Promise<RpcResponse> {
    const name = operationName(operationXml);
    if (this.closed) {
      const reason = this.closeReason;
      return Promise.reject(reason instanceof ConnectionClosedError ? reason : closedError(`session is closed${reason ? `: ${reason.message}` : ''}`, this.label));
    }
    const signal = rpcOptions?.signal;
    if (signal?.aborted) return Promise.reject(abortError(`<${name}>`, signal.reason, this.label, name));
    const id = String(this.nextId++);
    let wire: Buffer;
    try {
      wire = encodeWrapped(`<rpc xmlns="${NETCONF_NS}" message-id="${id}">`, operationXml, '</rpc>', this.framing);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<RpcResponse>((resolve, reject) => {
      const timeoutMs = rpcOptions?.timeoutMs ?? this.defaultTimeout;
      const parseResult = rpcOptions?.parseResult ?? true;
      const now = performance.now();
      const p = new Pending(id, name, now, now + timeoutMs, timeoutMs, rpcOptions?.throwOnError ?? true, parseResult, resolve, reject);
      if (signal) {
        p.signal = signal;
        p.onAbort = () => this.take(id)?.reject(abortError(`<${name}> (message-id ${id})`, signal.reason, this.label, name, id));
        signal.addEventListener('abort', p.onAbort, { once: true });
      }
      if (parseResult !== true) this.unparsedPending++;
      if (this.last) this.last.next = p;
      else this.first = p;
      this.last = p;
      this.inFlightCount++;
      this.arm(p.deadline);
      this.#outbox.send(wire);
    });
  }

  async close({ timeoutMs = 5_000 } = {}): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    try {
      await this.rpc('<close-session/>', { timeoutMs });
    } catch {
      // The channel is ended below either way.
    }
    if (!this.closed) {
      this.#outbox.flush();
      this.#stream.end();
      this.fail(closedError('NETCONF session closed', this.label));
    }
  }

  onClose(listener: (err?: Error) => void): void {
    if (this.closed) queueMicrotask(() => listener(this.reportedCloseReason()));
    else (this.closeListeners ??= []).push(listener);
  }

  /** What JSON.stringify and util.inspect show (the fields hold the stream and the pending RPCs). */
  toJSON(): object {
    return { sessionId: this.sessionId, framing: this.framing, closed: this.closed, pending: this.inFlightCount };
  }
  [inspect.custom](): string {
    return `RpcSession { ${this.label}, session ${this.sessionId ?? '?'}, ${this.framing}${this.closed ? ', closed' : ''} }`;
  }
}
