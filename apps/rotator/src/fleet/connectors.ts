// From the resolved config to live connections: a NETCONF session to a device (host key policy,
// credentials revealed only here, into the SSH client) and an ETSI 014 client per SAE (its
// client certificate, its KME's CA). Optional metrics wrappers time KME requests and commits.
import { createQkdClient, type QkdClient } from '@qkd-macsec/etsi-qkd-client';
import { connectJunos, sshNativeCrypto, type JunosDevice } from '@qkd-macsec/junos-netconf';
import type { RotatorConfig } from '../config/index.js';
import type { HeldSecrets } from '../log/index.js';
import type { RotatorMetrics } from '../metrics/index.js';

export type ConnectDevice = (device: string) => Promise<JunosDevice>;
export type KmeClientFor = (sae: string) => QkdClient;

/** What the connectors log through: a RotatorLogger, or the engine's plain EngineLogger. */
type ConnectorLogger = { warn(...args: unknown[]): unknown; debug(...args: unknown[]): unknown };

export interface ConnectorOptions {
  logger: ConnectorLogger;
  metrics?: RotatorMetrics;
  /** Per-RPC timeout of the devices whose config sets no `timeoutMs`. Default 60 s (a commit may take a while on big boxes). */
  rpcTimeoutMs?: number;
  /** Every key the KME clients receive is registered here (the log guard masks it). */
  held?: HeldSecrets;
}

/** Said once a process, at its first device connection: ssh2 without its native crypto costs
 *  every session more CPU, and nothing else would tell (junos-netconf's sshNativeCrypto). */
let cryptoChecked = false;

export function deviceConnector(config: Pick<RotatorConfig, 'devices'>, options: ConnectorOptions): ConnectDevice {
  return async (name) => {
    const d = config.devices[name];
    if (d === undefined) throw new Error(`device "${name}" is not in the config`);
    const log = options.logger;
    if (!cryptoChecked) {
      cryptoChecked = true;
      const crypto = sshNativeCrypto();
      if (!crypto.loaded) log.warn(crypto.problem);
    }
    const connecting = connectJunos({
      host: d.host,
      port: d.port,
      username: d.username,
      ...(d.password !== undefined ? { password: d.password.reveal() } : {}),
      ...(d.privateKey !== undefined ? { privateKey: d.privateKey.key.reveal() } : {}),
      ...(d.privateKey?.passphrase !== undefined ? { passphrase: d.privateKey.passphrase.reveal() } : {}),
      ...(d.hostKey.knownHostsFile !== undefined ? { knownHostsFile: d.hostKey.knownHostsFile } : {}),
      ...(d.hostKey.fingerprints.length > 0 ? { hostKeyFingerprints: d.hostKey.fingerprints } : {}),
      insecureAcceptUnknownHostKey: d.hostKey.insecureAcceptAnyHostKey,
      rpcTimeoutMs: d.timeoutMs ?? options.rpcTimeoutMs ?? 60_000,
      // No SSH keepalive: the pool probes a session once it has been idle (fleet.ts). ssh2's pings
      // go out every interval however busy the session: at 4,000 sessions and 15 s, 267 a second,
      // ~13 % of the rotator's socket writes during a cycle, and as many replies from the routers.
      keepaliveIntervalMs: 0,
      logger: { warn: (m: string) => log.warn(m, { device: name }), debug: (m: string) => log.debug(m, { device: name }) },
    });
    const metrics = options.metrics;
    if (metrics === undefined) return connecting;
    let device: JunosDevice;
    try {
      device = await connecting;
    } catch (err) {
      metrics.setDeviceReachable(name, false);
      throw err;
    }
    metrics.setDeviceReachable(name, true);
    return timedDevice(device, name, metrics);
  };
}

export function kmeClientFactory(config: Pick<RotatorConfig, 'kmes' | 'saes'>, options: ConnectorOptions): KmeClientFor {
  return (saeId) => {
    const sae = config.saes[saeId];
    if (sae === undefined) throw new Error(`SAE "${saeId}" is not in the config`);
    const kme = config.kmes[sae.kme];
    if (kme === undefined) throw new Error(`KME "${sae.kme}" of SAE ${saeId} is not in the config`);
    const log = options.logger;
    const client = createQkdClient({
      baseUrl: kme.url,
      tls: { certFile: sae.certFile, keyFile: sae.keyFile, ...(kme.caFile !== undefined ? { caFile: kme.caFile } : {}) },
      insecureSkipVerify: kme.insecureSkipVerify,
      ...(kme.timeoutMs !== undefined ? { timeoutMs: kme.timeoutMs } : {}),
      logger: { warn: (m: string) => log.warn(m, { kme: kme.id, sae: saeId }), debug: (m: string) => log.debug(m, { kme: kme.id, sae: saeId }) },
    });
    const guarded = options.held === undefined ? client : guardedKmeClient(client, options.held);
    return options.metrics === undefined ? guarded : timedKmeClient(guarded, kme.id, options.metrics);
  };
}

/** The client with every key it returns registered with the held-value guard (digests only). */
export function guardedKmeClient(client: QkdClient, held: HeldSecrets): QkdClient {
  const hold = <T extends { keys: Array<{ bytes: Uint8Array }> }>(r: T): T => {
    for (const k of r.keys) held.holdBytes(k.bytes);
    return r;
  };
  return {
    getStatus: (slave, o) => client.getStatus(slave, o),
    getKey: async (slave, r, o) => hold(await client.getKey(slave, r, o)),
    getKeyWithIds: async (master, ids, o) => hold(await client.getKeyWithIds(master, ids, o)),
    close: () => client.close(),
  };
}

/**
 * The client with its three requests timed into qkd_macsec_kme_request_duration_seconds, and
 * qkd_macsec_kme_up set by whether each got an answer: an HTTP error (QkdHttpError, QkdResponseError)
 * carries the status the KME answered; a timeout, a refused connection or a failed handshake none.
 */
function timedKmeClient(client: QkdClient, kme: string, metrics: RotatorMetrics): QkdClient {
  const time = <T>(operation: string, p: Promise<T>): Promise<T> => {
    const start = performance.now();
    const done = (answered: boolean) => metrics.observeKmeRequest(kme, operation, (performance.now() - start) / 1000, answered);
    p.then(
      () => done(true),
      (err: unknown) => done(typeof (err as { status?: unknown } | undefined)?.status === 'number'),
    );
    return p;
  };
  return {
    getStatus: (slave, o) => time('status', client.getStatus(slave, o)),
    getKey: (slave, r, o) => time('enc_keys', client.getKey(slave, r, o)),
    getKeyWithIds: (master, ids, o) => time('dec_keys', client.getKeyWithIds(master, ids, o)),
    close: () => client.close(),
  };
}

/** The device with commit() and confirm() timed into qkd_macsec_commit_duration_seconds. Everything else passes through. */
function timedDevice(device: JunosDevice, name: string, metrics: RotatorMetrics): JunosDevice {
  const timed =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      const start = performance.now();
      const p = fn(...args);
      p.then(() => metrics.observeCommit(name, (performance.now() - start) / 1000)).catch(() => undefined);
      return p;
    };
  const commit = timed(device.commit.bind(device));
  const confirm = timed(device.confirm.bind(device));
  // withConfiguration hands its callback the unwrapped device; hand it the timed one instead.
  const withConfiguration: JunosDevice['withConfiguration'] = (mode, fn, options) => device.withConfiguration(mode, () => fn(proxy), options);
  const proxy: JunosDevice = new Proxy(device, {
    get(target, prop, receiver) {
      if (prop === 'commit') return commit;
      if (prop === 'confirm') return confirm;
      if (prop === 'withConfiguration') return withConfiguration;
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  return proxy;
}
