import { inspect } from 'node:util';
import { connectNetconf, type NetconfClient, type NetconfClientOptions, type UploadOptions } from '../netconf/client.js';
import type { RpcOptions, RpcResponse } from '../session/rpc-session.js';
import { childObject, findAll, textOf, type XmlObject } from '../xml/nodes.js';
import { parseXmlOrdered } from '../xml/parse.js';
import { RpcFailedError } from '../errors.js';
import { parseFacts, type JunosFacts } from './facts.js';
import { extractSecrets, redactConfigurationText, redactFailure, redactResponse, redactText, SecretMemory } from './secrets.js';
import { parseMacsecConnections, parseMkaSessions, type MacsecConnection, type MkaSession } from './mka.js';
import { parseMkaSummaries, type MkaSummary } from './mka-summary.js';
import * as rpcs from './rpcs.js';

export type ConfigurationMode = 'shared' | 'private' | 'exclusive';

export interface ConfigurationResponse extends RpcResponse {
  /** Parsed <configuration> for format xml; the text (curly, set commands or JSON) otherwise. */
  configuration: XmlObject | string;
}

export interface JunosDevice {
  readonly host: string;
  /** The underlying NETCONF client: standard operations (get-config, edit-config, …), raw rpc(). */
  readonly netconf: NetconfClient;
  readonly closed: boolean;
  rpc(operationXml: string, options?: RpcOptions): Promise<RpcResponse>;
  /** hostname, model, version (get-software-information) and serial number (get-chassis-inventory). */
  facts(options?: RpcOptions): Promise<JunosFacts>;
  getConfiguration(query?: rpcs.GetConfigurationOptions, options?: RpcOptions): Promise<ConfigurationResponse>;
  /**
   * The same request, for a caller that parses the reply itself (e.g. macsec-config's
   * parseConfigurationXml): `raw` only, not parsed here (`result` empty), so each reply is parsed
   * once. Errors reject as always. The caller's parser must refuse DOCTYPEs and malformed XML.
   */
  getConfigurationRaw(query?: rpcs.GetConfigurationOptions, options?: RpcOptions): Promise<RpcResponse>;
  /** <lock-configuration/>: exclusive use of the shared candidate. */
  lock(options?: RpcOptions): Promise<RpcResponse>;
  unlock(options?: RpcOptions): Promise<RpcResponse>;
  /** private: `<open-configuration><private/>`; exclusive: lock; shared: nothing. */
  openConfiguration(mode: ConfigurationMode, options?: RpcOptions): Promise<void>;
  /** Ends what openConfiguration(mode) started (close-configuration / unlock). */
  closeConfiguration(mode: ConfigurationMode, options?: RpcOptions): Promise<void>;
  /**
   * Run `fn` inside a configuration mode. On an exception the uncommitted candidate changes are
   * discarded (rollback 0) before the database is closed/unlocked, then the error is rethrown.
   */
  withConfiguration<T>(mode: ConfigurationMode, fn: (device: JunosDevice) => Promise<T>, options?: RpcOptions): Promise<T>;
  /**
   * Load configuration into the candidate. Secret values in it (secret, cak, passwords) are
   * replaced by "[redacted]" in whatever comes back: errors, warnings and the raw reply.
   */
  load(load: rpcs.LoadOptions, options?: RpcOptions): Promise<RpcResponse>;
  commit(commit?: rpcs.JunosCommitOptions, options?: RpcOptions): Promise<RpcResponse>;
  /** Confirm a pending commit confirmed (a plain commit), optionally with a comment. */
  confirm(commit?: { comment?: string }, options?: RpcOptions): Promise<RpcResponse>;
  /** Load rollback n into the candidate (0 discards uncommitted changes). */
  rollback(n: number, options?: RpcOptions): Promise<RpcResponse>;
  /**
   * Text diff of the candidate against rollback n (default 0, the active configuration); '' when
   * equal. Secrets are masked: values on `## SECRET-DATA` lines, after secret keywords, and any
   * this session loaded, become "[redacted]" (use rpc(diffRpc(n)) for the raw text).
   */
  diff(rollback?: number, options?: RpcOptions): Promise<string>;
  /** A CLI command via <command>, text output. */
  cli(command: string, options?: RpcOptions): Promise<string>;
  /** MKA sessions (show security mka sessions) as typed objects. */
  mkaSessions(iface?: string, options?: RpcOptions): Promise<MkaSession[]>;
  /** The same sessions' interface, state, CAK type and CKN only, read without building the reply's tree (parseMkaSummaries). */
  mkaSummaries(iface?: string, options?: RpcOptions): Promise<MkaSummary[]>;
  /** MACsec connections (show security macsec connections) as typed objects. */
  macsecConnections(iface?: string, options?: RpcOptions): Promise<MacsecConnection[]>;
  upload(upload: UploadOptions): Promise<void>;
  download(remotePath: string, options?: { localPath?: string }): Promise<Buffer | undefined>;
  onClose(listener: (err?: Error) => void): void;
  close(): Promise<void>;
}

function configurationOf(r: RpcResponse, format: rpcs.ConfigFormat): XmlObject | string {
  const res = r.result;
  if (format === 'xml') return childObject(res, 'configuration') ?? {};
  const key = format === 'text' ? 'configuration-text' : format === 'set' ? 'configuration-set' : 'configuration-json';
  return textOf(findAll(res, key)[0]) ?? textOf(findAll(res, 'configuration-output')[0]) ?? textOf(res['#text']) ?? '';
}

const summariesOf = (r: RpcResponse): MkaSummary[] => parseMkaSummaries(r.raw);

/**
 * The prototype of every JunosDevice: `closed` as a getter here, not in the object literal (a
 * literal with a `get` is a dictionary-mode object in V8, ~1.1 KiB more per kept session; README,
 * "Memory per kept session").
 */
class DeviceBase {
  declare readonly netconf: NetconfClient;
  get closed(): boolean {
    return this.netconf.closed;
  }
}

/** Wrap a connected NETCONF client in the Junos API. */
// Over 80 lines: one object literal of the ~30 short methods, on purpose — built as one literal the
// device keeps V8's fast properties (see the end of the function).
export function junosDevice(netconf: NetconfClient): JunosDevice {
  const rpc = (xml: string, o?: RpcOptions) => netconf.rpc(xml, o);
  // Secrets this session has loaded. Junos may quote them again later — in a commit, commit
  // check or rollback error — so every configuration-changing reply is scrubbed of all of them.
  // Scrubbed as the reply settles, with every secret loaded by then: two closures per session and
  // a `.then` per RPC, not an async frame per RPC (a fleet's thousands of commits in flight each
  // kept one alive through its commit latency).
  const loadedSecrets = new SecretMemory();
  const scrubReply = (r: RpcResponse): RpcResponse => redactResponse(r, loadedSecrets.list);
  const scrubFailure = (err: unknown): never => {
    throw err instanceof RpcFailedError ? redactFailure(err, loadedSecrets.list) : err;
  };
  const scrubbed = (pending: Promise<RpcResponse>): Promise<RpcResponse> => pending.then(scrubReply, scrubFailure);
  const methods: Omit<JunosDevice, 'closed'> & { toJSON(): object } = {
    netconf,
    host: netconf.host,
    rpc,
    async facts(o) {
      const [sw, inv] = await Promise.all([rpc(rpcs.softwareInformationRpc(), o), rpc(rpcs.chassisInventoryRpc(), o)]);
      return parseFacts(sw.result, inv.result);
    },
    async getConfiguration(query = {}, o) {
      const r = await rpc(rpcs.getConfigurationRpc(query), o);
      return { ...r, configuration: configurationOf(r, query.format ?? 'xml') };
    },
    getConfigurationRaw: (query = {}, o) => rpc(rpcs.getConfigurationRpc(query), { ...o, parseResult: false }),
    lock: (o) => rpc(rpcs.lockConfigurationRpc(), o),
    unlock: (o) => rpc(rpcs.unlockConfigurationRpc(), o),
    async openConfiguration(mode, o) {
      if (mode === 'private') await rpc(rpcs.openPrivateConfigurationRpc(), o);
      else if (mode === 'exclusive') await rpc(rpcs.lockConfigurationRpc(), o);
      else if (mode !== 'shared') throw new TypeError(`configuration mode must be shared, private or exclusive; got ${JSON.stringify(mode)}`);
    },
    async closeConfiguration(mode, o) {
      if (mode === 'private') await rpc(rpcs.closeConfigurationRpc(), o);
      else if (mode === 'exclusive') await rpc(rpcs.unlockConfigurationRpc(), o);
    },
    async withConfiguration(mode, fn, o) {
      await device.openConfiguration(mode, o);
      let result: Awaited<ReturnType<typeof fn>>;
      try {
        result = await fn(device);
      } catch (err) {
        // Clean up, but report the error that made us stop, not a cleanup failure.
        if (!netconf.closed) {
          if (mode !== 'private') await device.rollback(0, o).catch(() => undefined); // private changes vanish on close
          await device.closeConfiguration(mode, o).catch(() => undefined);
        }
        throw err;
      }
      await device.closeConfiguration(mode, o);
      return result;
    },
    load(l, o) {
      const request = rpcs.loadConfigurationRpc(l);
      loadedSecrets.add(extractSecrets(l.config, l.format));
      return scrubbed(rpc(request, o));
    },
    commit: (c, o) => scrubbed(rpc(rpcs.commitConfigurationRpc(c), o)),
    confirm: (c = {}, o) => scrubbed(rpc(rpcs.commitConfigurationRpc(c.comment !== undefined ? { comment: c.comment } : {}), o)),
    rollback: (n, o) => scrubbed(rpc(rpcs.rollbackRpc(n), o)),
    async diff(n = 0, o) {
      const r = await rpc(rpcs.diffRpc(n), o);
      const text = textOf(findAll(r.result, 'configuration-output')[0]) ?? '';
      // A diff is made to be printed and logged, and Junos shows secrets in it as reversible $9$.
      return redactText(redactConfigurationText(text), loadedSecrets.list);
    },
    async cli(command, o) {
      const r = await rpc(rpcs.commandRpc(command), o);
      const out = findAll(r.result, 'output')[0];
      return textOf(out) ?? textOf(r.result['#text']) ?? '';
    },
    async mkaSessions(iface, o) {
      return parseMkaSessions((await rpc(rpcs.mkaSessionsRpc(iface), o)).result);
    },
    // A `.then` of a module function, no async frame: a fleet's verify has every device's read in flight at once.
    mkaSummaries: (iface, o) => rpc(rpcs.mkaSessionsRpc(iface), { ...o, parseResult: false }).then(summariesOf),
    async macsecConnections(iface, o) {
      const r = await rpc(rpcs.macsecConnectionsRpc(iface), o);
      return parseMacsecConnections(parseXmlOrdered(r.raw));
    },
    upload: (u) => netconf.upload(u),
    download: (p, o) => netconf.download(p, o),
    onClose: (l) => netconf.onClose(l),
    close: () => netconf.close(),
    toJSON: () => ({ junos: (netconf as unknown as { toJSON(): object }).toJSON() }),
    [inspect.custom]: () => `JunosDevice { ${inspect(netconf)} }`,
  } as Omit<JunosDevice, 'closed'> & { toJSON(): object };
  // The literal is the device, DeviceBase its prototype. Copied onto a DeviceBase with
  // Object.assign, ~30 methods made that object dictionary-mode (V8 turns an object slow past a
  // dozen properties added by keyed stores): ~1.3 KiB more per kept session, slower lookups.
  const device = Object.setPrototypeOf(methods, DeviceBase.prototype) as JunosDevice;
  return device;
}

/** Connect to a Junos device over NETCONF/SSH (port 830 by default). */
export async function connectJunos(options: NetconfClientOptions): Promise<JunosDevice> {
  return junosDevice(await connectNetconf(options));
}
