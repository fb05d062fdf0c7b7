import { inspect } from 'node:util';
import type { SFTPWrapper } from 'ssh2';
import { ConnectionClosedError } from '../errors.js';
import type { Logger } from '../logger.js';
import { startRpcSession, type RpcOptions, type RpcResponse, type RpcSession } from '../session/rpc-session.js';
import { openSsh, type SshConnection, type SshTransportOptions } from '../ssh/transport.js';
import { childObject, type XmlObject } from '../xml/nodes.js';
import {
  cancelCommitRpc,
  commitRpc,
  discardChangesRpc,
  editConfigRpc,
  getConfigRpc,
  getRpc,
  killSessionRpc,
  lockRpc,
  unlockRpc,
  validateRpc,
  type CommitOptions,
  type Datastore,
  type EditConfigOptions,
  type Filter,
} from './operations.js';

export interface NetconfClientOptions extends SshTransportOptions {
  /** Capabilities we advertise (default base:1.0 + base:1.1). */
  capabilities?: string[];
  maxMessageBytes?: number;
  helloTimeoutMs?: number;
  /** Default per-RPC timeout (default 60 000 ms). */
  rpcTimeoutMs?: number;
  logger?: Logger;
}

/** A response whose `<data>` element was extracted (get / get-config). */
export interface DataResponse extends RpcResponse {
  data: XmlObject;
}

export interface UploadOptions {
  remotePath: string;
  /** Either the bytes to write … */
  content?: string | Uint8Array;
  /** … or a local file to copy. */
  localPath?: string;
}

export interface NetconfClient {
  readonly host: string;
  readonly port: number;
  readonly session: RpcSession;
  readonly hostKeyFingerprint: string;
  readonly closed: boolean;
  /** Any operation, as XML (the content of <rpc>). */
  rpc(operationXml: string, options?: RpcOptions): Promise<RpcResponse>;
  get(filter?: Filter, options?: RpcOptions): Promise<DataResponse>;
  getConfig(source?: Datastore, filter?: Filter, options?: RpcOptions): Promise<DataResponse>;
  editConfig(edit: EditConfigOptions, options?: RpcOptions): Promise<RpcResponse>;
  commit(commit?: CommitOptions, options?: RpcOptions): Promise<RpcResponse>;
  cancelCommit(persistId?: string, options?: RpcOptions): Promise<RpcResponse>;
  discardChanges(options?: RpcOptions): Promise<RpcResponse>;
  validate(source?: Datastore, options?: RpcOptions): Promise<RpcResponse>;
  lock(target?: Datastore, options?: RpcOptions): Promise<RpcResponse>;
  unlock(target?: Datastore, options?: RpcOptions): Promise<RpcResponse>;
  killSession(sessionId: number, options?: RpcOptions): Promise<RpcResponse>;
  /** Write a file over SFTP on the same SSH connection. */
  upload(upload: UploadOptions): Promise<void>;
  /** Read a remote file over SFTP; with localPath, copy it there instead of returning it. */
  download(remotePath: string, options?: { localPath?: string }): Promise<Buffer | undefined>;
  /** Called once when the NETCONF session or the SSH connection ends; err unless it was close(). */
  onClose(listener: (err?: Error) => void): void;
  /** <close-session/>, then close SSH. Safe to call twice. */
  close(): Promise<void>;
}

function withData(r: RpcResponse): DataResponse {
  return { ...r, data: childObject(r.result, 'data') ?? {} };
}

const TRANSPORT = Symbol('transport');

/**
 * What a NetconfClient has besides its methods, with its getters on the prototype: an object
 * literal with a `get` is a dictionary-mode object in V8, ~1.1 KiB more per kept session
 * (README, "Memory per kept session").
 */
class ClientBase {
  // A symbol, not a #private field: the getters also run with a Proxy of the client as `this`.
  declare readonly [TRANSPORT]: SshConnection;
  declare readonly session: RpcSession;
  get hostKeyFingerprint(): string {
    return this[TRANSPORT].hostKeyFingerprint;
  }
  get closed(): boolean {
    return this.session.closed || this[TRANSPORT].closed;
  }
}

/** Connect over SSH, open the netconf subsystem, exchange hellos. */
// Over 80 lines: the client is one object literal of short methods, on purpose (V8's fast
// properties; see the end of the function).
export async function connectNetconf(options: NetconfClientOptions): Promise<NetconfClient> {
  const transport: SshConnection = await openSsh(options);
  let session: RpcSession;
  try {
    const channel = await transport.openSubsystem('netconf');
    session = await startRpcSession(channel, {
      label: transport.label,
      ...(options.capabilities ? { capabilities: options.capabilities } : {}),
      ...(options.maxMessageBytes ? { maxMessageBytes: options.maxMessageBytes } : {}),
      ...(options.helloTimeoutMs ? { helloTimeoutMs: options.helloTimeoutMs } : {}),
      ...(options.rpcTimeoutMs ? { rpcTimeoutMs: options.rpcTimeoutMs } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  } catch (err) {
    await transport.close();
    throw err;
  }
  // The session dies with the SSH connection and vice versa.
  session.onClose(() => void transport.close());
  let sftp: Promise<SFTPWrapper> | undefined;
  const getSftp = (): Promise<SFTPWrapper> => {
    sftp ??= transport.sftp().catch((e: unknown) => {
      sftp = undefined;
      throw e;
    });
    return sftp;
  };
  const port = options.port ?? 830;
  let closingByUser = false;
  const rpc = (xml: string, o?: RpcOptions) => session.rpc(xml, o);

  const methods: Omit<NetconfClient, 'closed' | 'hostKeyFingerprint'> & { toJSON(): object; [TRANSPORT]: SshConnection } = {
    session,
    [TRANSPORT]: transport,
    host: options.host,
    port,
    rpc,
    get: async (filter, o) => withData(await rpc(getRpc(filter), o)),
    getConfig: async (source, filter, o) => withData(await rpc(getConfigRpc(source, filter), o)),
    editConfig: (edit, o) => rpc(editConfigRpc(edit), o),
    commit: (c, o) => rpc(commitRpc(c), o),
    cancelCommit: (id, o) => rpc(cancelCommitRpc(id), o),
    discardChanges: (o) => rpc(discardChangesRpc(), o),
    validate: (source, o) => rpc(validateRpc(source), o),
    lock: (target, o) => rpc(lockRpc(target), o),
    unlock: (target, o) => rpc(unlockRpc(target), o),
    killSession: (id, o) => rpc(killSessionRpc(id), o),
    upload: async ({ remotePath, content, localPath }) => {
      const s = await getSftp();
      if ((content === undefined) === (localPath === undefined)) throw new TypeError('upload needs exactly one of content or localPath');
      await new Promise<void>((res, rej) => {
        const done = (err?: Error | null): void => (err ? rej(new Error(`SFTP upload to ${transport.label}:${remotePath} failed: ${err.message}`)) : res());
        if (localPath !== undefined) s.fastPut(localPath, remotePath, done);
        else s.writeFile(remotePath, typeof content === 'string' ? Buffer.from(content) : Buffer.from(content!), done);
      });
    },
    download: async (remotePath, o = {}) => {
      const s = await getSftp();
      return new Promise<Buffer | undefined>((res, rej) => {
        const fail = (err: Error): void => rej(new Error(`SFTP download of ${transport.label}:${remotePath} failed: ${err.message}`));
        if (o.localPath !== undefined) s.fastGet(remotePath, o.localPath, (err) => (err ? fail(err) : res(undefined)));
        else s.readFile(remotePath, (err, data) => (err ? fail(err) : res(data)));
      });
    },
    onClose: (listener) => {
      let fired = false;
      const once = (err?: Error): void => {
        if (!fired) {
          fired = true;
          listener(err);
        }
      };
      session.onClose(once);
      transport.onClose((err) => once(err ?? (closingByUser ? undefined : new ConnectionClosedError(`SSH connection closed (${transport.label})`, { host: transport.label }))));
    },
    close: async () => {
      closingByUser = true;
      await session.close();
      await transport.close();
    },
    // Options (with their secrets) are never reachable from the client object.
    toJSON: () => ({ host: options.host, port, username: options.username, sessionId: session.sessionId, closed: client.closed }),
    [inspect.custom]: () => `NetconfClient { ${options.username}@${options.host}:${port}, session ${session.sessionId ?? '?'}${client.closed ? ', closed' : ''} }`,
  } as Omit<NetconfClient, 'closed' | 'hostKeyFingerprint'> & { toJSON(): object; [TRANSPORT]: SshConnection };
  // The literal is the client, ClientBase its prototype (its getters): copied onto a ClientBase
  // with Object.assign, the methods made that object dictionary-mode (junos/device.ts).
  const client = Object.setPrototypeOf(methods, ClientBase.prototype) as NetconfClient;
  return client;
}
