/**
 * The package's errors. Everything it throws on purpose is a NetconfError; each class takes
 * `(message, context)` and exposes the context's fields (host, rpc, message-id, …) on the error.
 * None of them ever holds a password, private key, passphrase or a secret that was loaded.
 *
 * FramingError and HelloError live with the framing code (framing/errors.ts, framing/hello.ts)
 * and XmlError with the XML reader (xml/errors.ts): the `./framing` and `./xml` entry points
 * export them without this module's other classes. This module imports none of them, so they
 * can all extend NetconfError without an import cycle.
 */

/** What every NetconfError may say about where it happened. */
export interface NetconfErrorContext {
  /** The peer: "host:port" for a session or connection, "host" / "[host]:port" for a host key. */
  host?: string | undefined;
  /** The error this one wraps; handed to Error's own `cause`. Never key material. */
  cause?: unknown;
}

/** Base class of every error this package throws on purpose: `instanceof NetconfError` catches them all. */
export class NetconfError extends Error {
  override readonly name: string = 'NetconfError';
  readonly host: string | undefined;

  constructor(message: string, context: NetconfErrorContext) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.host = context.host;
  }
}

export type RpcErrorSeverity = 'error' | 'warning';

export interface RpcErrorFields {
  severity: RpcErrorSeverity;
  /** error-type: transport | rpc | protocol | application (Junos may omit it). */
  type?: string | undefined;
  /** error-tag, e.g. "lock-denied", "invalid-value", "data-missing". */
  tag?: string | undefined;
  appTag?: string | undefined;
  /** error-path (an XPath) or Junos' edit-path. */
  path?: string | undefined;
  message?: string | undefined;
  /** error-info/bad-element: the element the server complained about. */
  badElement?: string | undefined;
  /** The whole error-info element as parsed (session-id, bad-attribute, …). */
  info?: Record<string, unknown> | undefined;
}

/** The message of an RpcError: the server's error-message as sent, or the tag when there is none. */
export function rpcErrorMessage(fields: RpcErrorFields): string {
  return fields.message ?? fields.tag ?? `${fields.severity} without error-message`;
}

/**
 * One `<rpc-error>` (or Junos `<error>`/`<warning>`) from a reply. Warnings come back on the
 * response; errors are thrown inside an RpcFailedError.
 */
export class RpcError extends NetconfError implements RpcErrorFields {
  override readonly name: string = 'RpcError';
  readonly severity: RpcErrorSeverity;
  readonly type: string | undefined;
  readonly tag: string | undefined;
  readonly appTag: string | undefined;
  readonly path: string | undefined;
  readonly badElement: string | undefined;
  readonly info: Record<string, unknown> | undefined;

  /** `message` is the server's error-message (rpcErrorMessage(fields) when built from a reply). */
  constructor(message: string, context: NetconfErrorContext & Omit<RpcErrorFields, 'message'>) {
    super(message, context);
    this.severity = context.severity;
    this.type = context.type;
    this.tag = context.tag;
    this.appTag = context.appTag;
    this.path = context.path;
    this.badElement = context.badElement;
    this.info = context.info;
  }

  /** Structured logging: every field, including the message (which Error keeps non-enumerable). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, severity: this.severity, type: this.type, tag: this.tag, appTag: this.appTag, path: this.path, message: this.message, badElement: this.badElement, info: this.info };
  }

  /** One line with everything a log needs: severity, tag, message, path, bad-element. */
  describe(): string {
    const where = [this.path && `path ${this.path}`, this.badElement && `bad-element ${this.badElement}`].filter(Boolean).join(', ');
    return `${this.severity}${this.tag ? ` ${this.tag}` : ''}: ${this.message}${where ? ` (${where})` : ''}`;
  }
}

/** `<commit-configuration> failed on r1:830: error invalid-value: …; …` */
export function rpcFailedMessage(rpc: string, errors: readonly RpcError[], host?: string): string {
  return `<${rpc}> failed${host ? ` on ${host}` : ''}: ${errors.map((e) => e.describe()).join('; ')}`;
}

/** The server answered an RPC with one or more errors of severity "error". */
export class RpcFailedError extends NetconfError {
  override readonly name: string = 'RpcFailedError';
  /** Name of the RPC element sent, e.g. "commit-configuration". */
  readonly rpc: string;
  /** The message-id of the request, when known. */
  readonly messageId: string | undefined;
  readonly errors: RpcError[];
  readonly warnings: RpcError[];
  /** The reply XML as received (secrets a device.load() sent are scrubbed from it). */
  readonly raw: string;

  constructor(message: string, context: NetconfErrorContext & { rpc: string; errors: RpcError[]; raw: string; warnings?: RpcError[] | undefined; messageId?: string | undefined }) {
    super(message, context);
    this.rpc = context.rpc;
    this.messageId = context.messageId;
    this.errors = context.errors;
    this.warnings = context.warnings ?? [];
    this.raw = context.raw;
  }

  /** Structured logging without the (possibly large) raw reply. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, rpc: this.rpc, messageId: this.messageId, host: this.host, errors: this.errors, warnings: this.warnings };
  }
}

/** An RPC (or the hello, or the SSH handshake) did not complete in time. */
export class NetconfTimeoutError extends NetconfError {
  override readonly name: string = 'NetconfTimeoutError';
  /** What timed out: "<get-config> (message-id 101)", "NETCONF hello", "SSH handshake". */
  readonly operation: string;
  readonly timeoutMs: number;
  /** For an RPC: its operation name and message-id. */
  readonly rpc: string | undefined;
  readonly messageId: string | undefined;

  constructor(message: string, context: NetconfErrorContext & { operation: string; timeoutMs: number; rpc?: string | undefined; messageId?: string | undefined }) {
    super(message, context);
    this.operation = context.operation;
    this.timeoutMs = context.timeoutMs;
    this.rpc = context.rpc;
    this.messageId = context.messageId;
  }
}

/** The caller's AbortSignal fired before the RPC completed. */
export class NetconfAbortError extends NetconfError {
  override readonly name: string = 'NetconfAbortError';
  readonly operation: string;
  /** The signal's reason, as given to abort(). */
  readonly reason: unknown;
  readonly rpc: string | undefined;
  readonly messageId: string | undefined;

  constructor(message: string, context: NetconfErrorContext & { operation: string; reason?: unknown; rpc?: string | undefined; messageId?: string | undefined }) {
    super(message, context);
    this.operation = context.operation;
    this.reason = context.reason;
    this.rpc = context.rpc;
    this.messageId = context.messageId;
  }
}

/** The SSH connection or channel closed; every pending RPC is rejected with this. */
export class ConnectionClosedError extends NetconfError {
  override readonly name: string = 'ConnectionClosedError';
}

export type HostKeyErrorReason = 'unknown' | 'mismatch' | 'revoked';

/** The server's host key is not trusted. Names the host and what was seen vs expected. */
export class HostKeyError extends NetconfError {
  override readonly name: string = 'HostKeyError';
  /** "host" or "[host]:port", as looked up in known_hosts. */
  declare readonly host: string;
  readonly reason: HostKeyErrorReason;
  /** SHA256:… fingerprint of the key the server presented. */
  readonly seen: string;
  /** Fingerprints of the keys that would have been accepted. */
  readonly expected: string[];

  constructor(message: string, context: NetconfErrorContext & { host: string; reason: HostKeyErrorReason; seen: string; expected: string[] }) {
    super(message, context);
    this.reason = context.reason;
    this.seen = context.seen;
    this.expected = context.expected;
  }
}

/** SSH authentication failed. Names the user and the methods tried, never the secrets. */
export class AuthenticationError extends NetconfError {
  override readonly name: string = 'AuthenticationError';
  declare readonly host: string;
  readonly username: string;
  readonly methods: string[];

  constructor(message: string, context: NetconfErrorContext & { host: string; username: string; methods: string[] }) {
    super(message, context);
    this.username = context.username;
    this.methods = context.methods;
  }
}

/** Could not reach the server or the SSH handshake failed for a reason other than auth/host key. */
export class ConnectionError extends NetconfError {
  override readonly name: string = 'ConnectionError';
  declare readonly host: string;

  constructor(message: string, context: NetconfErrorContext & { host: string }) {
    super(message, context);
  }
}

/** The session pool was closed; no new work is accepted. */
export class PoolClosedError extends NetconfError {
  override readonly name: string = 'PoolClosedError';
  /** The pool key (device) the refused use() was for. */
  readonly key: string | undefined;

  constructor(message: string, context: NetconfErrorContext & { key?: string | undefined }) {
    super(message, context);
    this.key = context.key;
  }
}
