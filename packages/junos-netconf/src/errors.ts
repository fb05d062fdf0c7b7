/**
 * Every error this package throws. Each carries the context needed to act on it (host, rpc
 * name, message id, the raw reply) and never a password, private key or passphrase.
 */
export { FramingError, type FramingErrorReason } from './framing/errors.js';
export { HelloError, type HelloErrorReason } from './framing/hello.js';
export { XmlError, type XmlErrorReason } from './xml/errors.js';

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

/** One `<rpc-error>` from a reply. Warnings come back on the response; errors are thrown in an RpcFailedError. */
export class RpcError extends Error implements RpcErrorFields {
  override readonly name = 'RpcError';
  readonly severity: RpcErrorSeverity;
  readonly type: string | undefined;
  readonly tag: string | undefined;
  readonly appTag: string | undefined;
  readonly path: string | undefined;
  readonly badElement: string | undefined;
  readonly info: Record<string, unknown> | undefined;

  /** `message` is the server's error-message as sent (or the tag when there is none). */
  constructor(fields: RpcErrorFields) {
    super(fields.message ?? fields.tag ?? `${fields.severity} without error-message`);
    this.severity = fields.severity;
    this.type = fields.type;
    this.tag = fields.tag;
    this.appTag = fields.appTag;
    this.path = fields.path;
    this.badElement = fields.badElement;
    this.info = fields.info;
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

/** The server answered an RPC with one or more errors of severity "error". */
export class RpcFailedError extends Error {
  override readonly name = 'RpcFailedError';
  constructor(
    /** Name of the RPC element sent, e.g. "commit-configuration". */
    readonly rpc: string,
    readonly errors: RpcError[],
    /** The reply XML as received. */
    readonly raw: string,
    readonly warnings: RpcError[] = [],
    readonly host?: string,
  ) {
    super(`<${rpc}> failed${host ? ` on ${host}` : ''}: ${errors.map((e) => e.describe()).join('; ')}`);
  }

  /** Structured logging without the (possibly large) raw reply. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, rpc: this.rpc, host: this.host, errors: this.errors, warnings: this.warnings };
  }
}

/** An RPC (or the hello, or the SSH handshake) did not complete in time. */
export class NetconfTimeoutError extends Error {
  override readonly name = 'NetconfTimeoutError';
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
    readonly host?: string,
  ) {
    super(`${operation} timed out after ${timeoutMs} ms${host ? ` on ${host}` : ''}`);
  }
}

/** The caller's AbortSignal fired before the RPC completed. */
export class NetconfAbortError extends Error {
  override readonly name = 'NetconfAbortError';
  constructor(
    readonly operation: string,
    readonly reason?: unknown,
  ) {
    super(`${operation} was aborted`);
  }
}

/** The SSH connection or channel closed; every pending RPC is rejected with this. */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';
  constructor(
    message: string,
    readonly host?: string,
    override readonly cause?: unknown,
  ) {
    super(host ? `${message} (${host})` : message);
  }
}

export type HostKeyErrorReason = 'unknown' | 'mismatch' | 'revoked';

/** The server's host key is not trusted. Names the host and what was seen vs expected. */
export class HostKeyError extends Error {
  override readonly name = 'HostKeyError';
  constructor(
    readonly reason: HostKeyErrorReason,
    /** "host" or "[host]:port", as looked up in known_hosts. */
    readonly host: string,
    /** SHA256:… fingerprint of the key the server presented. */
    readonly seen: string,
    /** Fingerprints of the keys that would have been accepted. */
    readonly expected: string[],
  ) {
    super(
      reason === 'unknown'
        ? `host key for ${host} is unknown (${seen}); add it to known_hosts or pin its fingerprint (insecureAcceptUnknownHostKey accepts it without checking)`
        : reason === 'revoked'
          ? `host key for ${host} (${seen}) is marked @revoked in known_hosts`
          : `HOST KEY MISMATCH for ${host}: server presented ${seen}, expected ${expected.join(' or ')}`,
    );
  }
}

/** SSH authentication failed. Names the user and the methods tried, never the secrets. */
export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
  constructor(
    readonly host: string,
    readonly username: string,
    readonly methods: string[],
  ) {
    super(`SSH authentication failed for ${username}@${host} (tried: ${methods.join(', ') || 'none'})`);
  }
}

/** Could not reach the server or the SSH handshake failed for a reason other than auth/host key. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  constructor(
    message: string,
    readonly host: string,
    override readonly cause?: unknown,
  ) {
    super(`${message} (${host})`);
  }
}

/** The session pool was closed; no new work is accepted. */
export class PoolClosedError extends Error {
  override readonly name = 'PoolClosedError';
  constructor(readonly key?: string) {
    super(`session pool is closed${key ? ` (request for ${key})` : ''}`);
  }
}
