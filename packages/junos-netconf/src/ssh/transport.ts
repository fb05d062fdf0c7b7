// ssh2 is CommonJS and Node's ESM loader only sees some of its exports as named ones
// (`utils` is missing), so take them from the default export.
import type { Duplex } from 'node:stream';
import { inspect } from 'node:util';
import ssh2 from 'ssh2';
import type { ClientChannel, ConnectConfig, SFTPWrapper } from 'ssh2';
import { AuthenticationError, ConnectionClosedError, ConnectionError, NetconfTimeoutError, type HostKeyError } from '../errors.js';
import { defaultLogger, type Logger } from '../logger.js';
import { createHostKeyCheck, type HostKeyPolicy } from './host-verifier.js';
import { releaseHandshakeLeftovers } from './handshake-leftovers.js';
import { poolSshPadding } from './padding.js';
import { refuseRenamed } from '../renamed-options.js';

const { Client, utils } = ssh2;

interface SshAuth {
  username: string;
  password?: string;
  /** PEM/OpenSSH private key text or Buffer. */
  privateKey?: string | Buffer;
  passphrase?: string;
  /** ssh-agent socket path, or true for $SSH_AUTH_SOCK. */
  agent?: string | boolean;
}

export interface SshTransportOptions extends SshAuth, HostKeyPolicy {
  host: string;
  /** Default 830 (NETCONF over SSH). */
  port?: number;
  /** SSH handshake + auth timeout. Default 20 000 ms. */
  handshakeTimeoutMs?: number;
  /** SSH keepalive interval; 0 disables. Default 15 000 ms. */
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives before the connection is declared dead. Default 3. */
  keepaliveCountMax?: number;
  /** TCP_NODELAY on the socket (default true; false only to measure what Nagle's algorithm costs). */
  tcpNoDelay?: boolean;
  logger?: Logger;
}

/**
 * The SSH connection, as the package's public types show it: in terms of Node's own types only, so
 * a consumer's type check needs no ssh2 types (@types/ssh2 is a devDependency here).
 */
export interface SshTransport {
  /** "host:port", for messages. */
  readonly label: string;
  /** SHA256 fingerprint of the host key that was verified. */
  readonly hostKeyFingerprint: string;
  readonly closed: boolean;
  /** Open a channel on a subsystem ("netconf" by default): a Duplex to hand to startRpcSession. */
  openSubsystem(name?: string): Promise<Duplex>;
  /** Called once when the SSH connection ends, with the error if it failed. */
  onClose(listener: (err?: Error) => void): void;
  close(): Promise<void>;
}

/** The connection as the package's own code uses it: ssh2's channel and SFTP types (not exported from the index). */
export interface SshConnection extends SshTransport {
  openSubsystem(name?: string): Promise<ClientChannel>;
  sftp(): Promise<SFTPWrapper>;
}

/** Names of the options that hold secrets; they never appear in errors, logs or JSON. */
const SECRET_OPTION_KEYS = ['password', 'privateKey', 'passphrase'] as const;

/** A copy of options safe to log: secrets replaced by "[redacted]". */
export function redactOptions<T extends object>(options: T): T {
  const copy = { ...options } as Record<string, unknown>;
  for (const k of SECRET_OPTION_KEYS) if (copy[k] !== undefined) copy[k] = '[redacted]';
  return copy as T;
}

function authMethods(o: SshAuth): string[] {
  const m: string[] = [];
  if (o.password !== undefined) m.push('password', 'keyboard-interactive');
  if (o.privateKey !== undefined) m.push('publickey');
  if (o.agent) m.push('agent');
  return m;
}

/** Connect, verify the host key, authenticate. Resolves once the SSH session is ready. */
export function connectSsh(options: SshTransportOptions): Promise<SshTransport> {
  return openSsh(options);
}

/** connectSsh, typed for the package's own use (SFTP, ssh2's channel type). */
export function openSsh(options: SshTransportOptions): Promise<SshConnection> {
  const port = options.port ?? 830;
  const label = `${options.host}:${port}`;
  const logger = options.logger ?? defaultLogger;
  const methods = authMethods(options);
  let check: ReturnType<typeof createHostKeyCheck>;
  try {
    refuseRenamed(options, { readyTimeoutMs: 'handshakeTimeoutMs' }, label);
    checkCredentials(options, label, methods);
    check = createHostKeyCheck(options, options.host, port);
  } catch (err) {
    return Promise.reject(err);
  }
  poolSshPadding();

  return new Promise<SshConnection>((resolve, reject) => {
    const client = new Client();
    const transport = new Transport(client, label);
    let hostKeyError: HostKeyError | undefined;
    let ready = false;
    const config = connectConfig(options, port, (key) => {
      const result = check(key);
      transport.hostKeyFingerprint = result.fingerprint;
      if (result.error) hostKeyError = result.error;
      if (result.insecure) logger.warn(`INSECURE: accepting unknown SSH host key ${result.fingerprint} for ${label} (insecureAcceptUnknownHostKey)`, { host: label, fingerprint: result.fingerprint });
      return result.ok;
    });

    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
      // Junos often offers password auth only as keyboard-interactive.
      finish(prompts.map(() => options.password ?? ''));
    });
    // After each key exchange (the first, and any rekey): what ssh2 keeps of it and need not.
    client.on('handshake', () => releaseHandshakeLeftovers(client));
    client.on('ready', () => {
      ready = true;
      resolve(transport);
    });
    client.on('error', (err: Error & { level?: string }) => {
      if (!ready) return reject(hostKeyError ?? handshakeError(err, { label, username: options.username, methods, timeoutMs: config.readyTimeout! }));
      transport.closeError = new ConnectionClosedError(`SSH connection failed: ${err.message} (${label})`, { host: label, cause: err });
    });
    client.on('close', () => {
      if (!ready) reject(hostKeyError ?? new ConnectionError(`SSH connection closed during the handshake (${label})`, { host: label }));
      transport.closed = true;
      const listeners = transport.closeListeners ?? [];
      transport.closeListeners = undefined;
      for (const l of listeners) l(transport.closeError);
    });
    client.connect(config);
    // ssh2 never sets TCP_NODELAY: with Nagle on, each handshake round waits for the peer's
    // delayed ACK (~40 ms), so a set-up took ~80 ms instead of ~6 ms. NETCONF writes whole
    // messages, so there is nothing for Nagle to coalesce. (Node applies it once connected.)
    client.setNoDelay(options.tcpNoDelay ?? true);
  });
}

/** Credentials that cannot work are a clear local error, before any connection (naming no secret). */
function checkCredentials(options: SshTransportOptions, label: string, methods: string[]): void {
  if (methods.length === 0) throw new TypeError(`no SSH credentials for ${options.username}@${label}: give password, privateKey or agent`);
  if (options.privateKey !== undefined) {
    // Parsed up front so a bad key or passphrase is a clear local error (ssh2's text names no secret either).
    const parsed = utils.parseKey(options.privateKey, options.passphrase);
    if (parsed instanceof Error) {
      throw new TypeError(`privateKey for ${options.username}@${label} cannot be used: ${/passphrase/i.test(parsed.message) ? 'wrong or missing passphrase' : 'unsupported or corrupt key'}`);
    }
  }
}

/** ssh2's connect options: our defaults, the host key check, and only the credentials given. */
function connectConfig(options: SshTransportOptions, port: number, hostVerifier: (key: Buffer) => boolean): ConnectConfig {
  const agent = options.agent === true ? process.env['SSH_AUTH_SOCK'] : options.agent || undefined;
  return {
    host: options.host,
    port,
    username: options.username,
    readyTimeout: options.handshakeTimeoutMs ?? 20_000,
    keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
    keepaliveCountMax: options.keepaliveCountMax ?? 3,
    tryKeyboard: options.password !== undefined,
    hostVerifier,
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.privateKey !== undefined ? { privateKey: options.privateKey } : {}),
    ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
    ...(agent ? { agent } : {}),
  };
}

/** Why the SSH set-up failed (a host key refusal is reported before this): auth, timeout, or the connection. */
function handshakeError(err: Error & { level?: string }, at: { label: string; username: string; methods: string[]; timeoutMs: number }): Error {
  const { label, username, methods, timeoutMs } = at;
  if (err.level === 'client-authentication') return new AuthenticationError(`SSH authentication failed for ${username}@${label} (tried: ${methods.join(', ') || 'none'})`, { host: label, username, methods });
  if (err.level === 'client-timeout') return new NetconfTimeoutError(`SSH handshake timed out after ${timeoutMs} ms on ${label}`, { operation: 'SSH handshake', timeoutMs, host: label });
  return new ConnectionError(`SSH connection failed: ${err.message} (${label})`, { host: label, cause: err });
}

/**
 * The connection as callers see it: a class of plain fields with prototype methods, not an object
 * of closures with getters (a dictionary-mode object, and a closure and context per method, for
 * every kept session: README, "Memory per kept session"). The ssh2 client is a #private field: its
 * config holds the password.
 */
class Transport implements SshConnection {
  hostKeyFingerprint = '';
  closed = false;
  closeError: Error | undefined = undefined;
  closeListeners: Array<(err?: Error) => void> | undefined = undefined;

  readonly #client: InstanceType<typeof Client>;

  constructor(
    client: InstanceType<typeof Client>,
    readonly label: string,
  ) {
    this.#client = client;
  }

  openSubsystem(name = 'netconf'): Promise<ClientChannel> {
    return new Promise((res, rej) => {
      if (this.closed) return rej(new ConnectionClosedError(`SSH connection is closed (${this.label})`, { host: this.label }));
      this.#client.subsys(name, (err, channel) => (err ? rej(new ConnectionError(`cannot open SSH subsystem "${name}": ${err.message} (${this.label})`, { host: this.label, cause: err })) : res(channel)));
    });
  }

  sftp(): Promise<SFTPWrapper> {
    return new Promise((res, rej) => {
      if (this.closed) return rej(new ConnectionClosedError(`SSH connection is closed (${this.label})`, { host: this.label }));
      this.#client.sftp((err, sftp) => (err ? rej(new ConnectionError(`cannot open SFTP: ${err.message} (${this.label})`, { host: this.label, cause: err })) : res(sftp)));
    });
  }

  onClose(listener: (err?: Error) => void): void {
    if (this.closed) queueMicrotask(() => listener(this.closeError));
    else (this.closeListeners ??= []).push(listener);
  }

  close(): Promise<void> {
    return new Promise((res) => {
      if (this.closed) return res();
      this.#client.once('close', () => res());
      this.#client.end();
    });
  }

  /** What JSON.stringify and util.inspect show (a field holds the ssh2 client). */
  toJSON(): object {
    return { label: this.label, hostKeyFingerprint: this.hostKeyFingerprint, closed: this.closed };
  }
  [inspect.custom](): string {
    return `SshTransport { ${this.label}${this.closed ? ', closed' : ''} }`;
  }
}
