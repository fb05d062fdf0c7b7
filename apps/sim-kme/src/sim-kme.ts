// startSimKme: builds the simulated QKD network from a configuration and starts one HTTPS
// server per KME on loopback, all in this process. What tests, the demo and the benchmark use.
import { readFile } from 'node:fs/promises';
import { loadCredential } from '@qkd-macsec/cert-lcm';
import { startAdminServer, type AdminServer } from './admin.js';
import { defaultConfigInput, keyPools, parseConfig, SimKmeConfigError, type Faults, type FaultsInput, type SimKmeConfig, type SimKmeConfigInput } from './config.js';
import { createFaultTable } from './fault-table.js';
import { keyLogWarning, openKeyLog, type KeyLog } from './key-log.js';
import { createKeyNetwork, type Clock, type KeyNetwork } from './key-stream.js';
import type { KeyIssuedEvent } from './kme-api.js';
import { startKmeServer, type KmeServer, type KmeServerOptions } from './kme-server.js';
import { createLogger, levelLogger, type LevelLogger, type Logger } from './logger.js';
import { createSimPki, readKmeTls, SimPkiError, type KmeTls, type SimPki } from './pki.js';
import { createRelayClient, type RelayClient } from './relay.js';

export interface StartSimKmeOptions extends Omit<SimKmeConfigInput, 'kmes'> {
  /** Default: KME_A (SAE_A) and KME_B (SAE_B), one link between them. */
  kmes?: SimKmeConfigInput['kmes'];
  /** Serve with this PKI (from createSimPki); otherwise pkiDir/caFile, or a fresh in-memory PKI. */
  pki?: SimPki;
  /** Milliseconds clock for the key-rate refill; tests pass a fake one. */
  now?: Clock;
  /** Dice for fault injection; default Math.random. */
  random?: () => number;
  /** Default: a tslog logger at `log.level`, or at 'warn' when `log` is not given. */
  logger?: Logger;
  /**
   * The KMEs to serve in this process (default: all). A linked KME left out is reached at its
   * configured host and port, through the key relay, so it needs a fixed port and the PKI's
   * KME client certificates.
   */
  local?: string[];
  /** Called with a copy of every key issued by enc_keys (tests scan outputs for key material with it). */
  onKeyIssued?: (event: KeyIssuedEvent) => void;
}

export interface SimKmeEndpoint {
  id: string;
  /** https://127.0.0.1:PORT — the baseUrl for createQkdClient. */
  url: string;
  port: number;
}

export interface SimKme {
  kmes: Record<string, SimKmeEndpoint>;
  /** The in-memory PKI, when the simulator made it or was given it. */
  pki?: SimPki;
  config: SimKmeConfig;
  /** The simulated key network, e.g. to read a link's stored_key_count in a test. */
  network: KeyNetwork;
  /** http://127.0.0.1:PORT of the fault admin endpoint, when `admin` was given. */
  adminUrl?: string;
  /** The key log file, when `keyLog` was given. */
  keyLogFile?: string;
  /** Replaces the faults of one KME served here (defaults filled in); undefined clears them. */
  setFaults(kmeId: string, faults: FaultsInput | undefined): void;
  /** Older form: the faults first, and every KME served here when kmeId is omitted. */
  setFaults(faults: FaultsInput | undefined, kmeId?: string): void;
  /** The faults a KME served here applies now. */
  getFaults(kmeId: string): Faults;
  /** Stops every server, ends open connections and wipes the held keys. */
  close(): Promise<void>;
}

// Over 80 lines: the start sequence in order, one call per step, in one function so that
// `stop` on a failure part-way closes exactly what the steps before it opened.
export async function startSimKme(options: StartSimKmeOptions = {}): Promise<SimKme> {
  const { pki: givenPki, now, random, logger: givenLogger, local: localIds, onKeyIssued, ...input } = options;
  const config = configOf(input);
  const logger = levelLogger(givenLogger ?? createLogger(input.log ? config.log : { level: 'warn' }));
  const local = localKmes(config, localIds);
  const peersOf = (id: string) => new Set(config.links.flatMap((l) => (l.kmes[0] === id ? [l.kmes[1]] : l.kmes[1] === id ? [l.kmes[0]] : [])));
  const remoteUrl = remoteKmeUrls(config, local, peersOf, logger);

  const { tls, pki } = await resolveTls(config, givenPki, [...local]);

  const network = createKeyNetwork(
    {
      kmes: config.kmes,
      links: keyPools(config),
      local,
    },
    now,
    { heldKeyTtlMs: config.heldKeyTtlSeconds * 1000 },
  );

  const relayClients: RelayClient[] = [];
  const relayFor = (id: string): { peers: ReadonlySet<string>; client?: RelayClient } => {
    const peers = peersOf(id);
    if ([...peers].every((p) => local.has(p))) return { peers };
    const creds = tls.kmes[id]!.client;
    if (!creds) throw new SimPkiError(id, 'no KME client certificate for the key relay (re-run `sim-kme pki` to make one)');
    const client = createRelayClient({ from: id, tls: { ...creds, ca: tls.ca }, peerUrl: (peer) => remoteUrl.get(peer) });
    relayClients.push(client);
    return { peers, client };
  };

  const faults = createFaultTable(config, local);

  const keyLog = config.keyLog === undefined ? undefined : openKeyLog(config.keyLog);
  if (config.keyLog !== undefined) logger.warn(keyLogWarning(config.keyLog), { file: config.keyLog });

  const servers: KmeServer[] = [];
  let admin: AdminServer | undefined;
  const stop = async () => {
    await Promise.all([...servers.map((s) => s.close()), admin?.close()]);
    for (const c of relayClients) c.close();
    keyLog?.close();
  };
  try {
    for (const kme of config.kmes.filter((k) => local.has(k.id))) {
      const shared = { config, tls, network, logger, random, onKeyIssued, keyLog };
      servers.push(await startKmeServer(serverOptions(kme, shared, () => faults.current(kme.id), relayFor(kme.id))));
    }
  } catch (err) {
    await stop();
    const kme = config.kmes.filter((k) => local.has(k.id))[servers.length]!;
    throw new Error(`cannot start ${kme.id} on ${kme.host}:${kme.port}: ${(err as Error).message}`, { cause: err });
  }
  for (const s of servers) logger.info('KME listening', { kme: s.id, url: s.url });

  if (config.admin) {
    try {
      admin = await startAdminServer({ ...config.admin, faults, logger });
    } catch (err) {
      await stop();
      throw err;
    }
    logger.info('admin endpoint listening', { url: admin.url });
  }

  let closed = false;
  return {
    kmes: Object.fromEntries(servers.map((s) => [s.id, { id: s.id, url: s.url, port: s.port }])),
    ...(pki ? { pki } : {}),
    config,
    network,
    ...(admin ? { adminUrl: admin.url } : {}),
    ...(keyLog ? { keyLogFile: keyLog.file } : {}),
    setFaults(a: string | FaultsInput | undefined, b?: string | FaultsInput) {
      if (typeof a === 'string') faults.set(a, b as FaultsInput | undefined);
      else faults.set(b as string | undefined, a);
    },
    getFaults: (kmeId) => faults.get(kmeId),
    async close() {
      if (closed) return;
      closed = true;
      await stop();
      network.wipe();
    },
  };
}

/** What one KME's server is started with: its own address, credentials, faults and relay, and what every KME shares. */
function serverOptions(
  kme: SimKmeConfig['kmes'][number],
  shared: { config: SimKmeConfig; tls: KmeTls; network: KeyNetwork; logger: LevelLogger; random?: (() => number) | undefined; onKeyIssued?: StartSimKmeOptions['onKeyIssued']; keyLog: KeyLog | undefined },
  faults: () => Faults,
  relay: KmeServerOptions['relay'],
): KmeServerOptions {
  const { config, tls, random, onKeyIssued, keyLog } = shared;
  return {
    id: kme.id,
    host: kme.host,
    port: kme.port,
    tls: { ca: tls.ca, cert: tls.kmes[kme.id]!.cert, key: tls.kmes[kme.id]!.key },
    network: shared.network,
    saeIdFrom: config.saeIdFrom,
    extensions: config.extensions,
    rejectUnhandledOptional: config.rejectUnhandledOptional,
    faults,
    ...(random ? { random } : {}),
    logger: shared.logger,
    relay,
    ...(onKeyIssued ? { onKeyIssued } : {}),
    ...(keyLog ? { keyLog } : {}),
    http: config.http,
  };
}

function configOf(input: Omit<StartSimKmeOptions, 'pki' | 'now' | 'random' | 'logger' | 'local' | 'onKeyIssued'>): SimKmeConfig {
  const defaults = defaultConfigInput();
  return parseConfig(input.kmes === undefined ? { ...input, kmes: defaults.kmes, links: input.links ?? defaults.links } : input, 'startSimKme');
}

/** The KMEs this process serves: all, or those `local` names (each one in the configuration). */
function localKmes(config: SimKmeConfig, ids: string[] | undefined): Set<string> {
  const local = new Set(ids ?? config.kmes.map((k) => k.id));
  for (const id of local) if (!config.kmes.some((k) => k.id === id)) throw new SimKmeConfigError('startSimKme', [`local: unknown KME "${id}"`]);
  return local;
}

async function resolveTls(config: SimKmeConfig, given: SimPki | undefined, kmeIds: string[]): Promise<{ tls: KmeTls; pki?: SimPki }> {
  if (given) {
    const missing = kmeIds.filter((id) => !given.kmes[id]);
    if (missing.length) throw new SimPkiError('pki', `no server credential for ${missing.join(', ')}`);
    return { tls: fromPki(given, kmeIds), pki: given };
  }
  if (config.pkiDir !== undefined) return { tls: await readKmeTls(config.pkiDir, kmeIds) };
  if (config.caFile !== undefined) {
    const read = (file: string) =>
      readFile(file, 'utf8').catch((err: Error) => {
        throw new SimPkiError(file, `cannot read: ${err.message}`);
      });
    const tls: KmeTls = { ca: await read(config.caFile), kmes: {} };
    for (const kme of config.kmes.filter((k) => kmeIds.includes(k.id))) {
      if (kme.certFile === undefined || kme.keyFile === undefined)
        throw new SimPkiError(`kmes[${config.kmes.indexOf(kme)}]`, 'certFile and keyFile are required when caFile is given');
      const cert = await read(kme.certFile);
      const key = await read(kme.keyFile);
      // As readKmeTls does for a pkiDir: a key that is not the certificate's is named by path here.
      await loadCredential({ certPem: cert, keyPem: key, source: `${kme.certFile} + ${kme.keyFile}` });
      tls.kmes[kme.id] = { cert, key };
    }
    return { tls };
  }
  const pki = await createSimPki({ kmeIds: config.kmes.map((k) => k.id), saeIds: config.kmes.flatMap((k) => k.saes) });
  return { tls: fromPki(pki, kmeIds), pki };
}

function fromPki(pki: SimPki, kmeIds: string[]): KmeTls {
  const kmes: KmeTls['kmes'] = {};
  for (const id of kmeIds) {
    const client = pki.kmeClients?.[id];
    kmes[id] = { cert: pki.kmes[id]!.certPem, key: pki.kmes[id]!.keyPem, ...(client ? { client: { cert: client.certPem, key: client.keyPem } } : {}) };
  }
  return { ca: pki.ca.certPem, kmes };
}

/** Where the linked KMEs served by other processes listen, for the key relay. */
function remoteKmeUrls(config: SimKmeConfig, local: ReadonlySet<string>, peersOf: (id: string) => Set<string>, logger: LevelLogger): Map<string, string> {
  const urls = new Map<string, string>();
  for (const kme of config.kmes) {
    if (local.has(kme.id) || ![...peersOf(kme.id)].some((p) => local.has(p))) continue;
    if (kme.port === 0) {
      // Not fatal: this process can still receive keys from it; only sending to it fails (503).
      logger.warn('linked KME runs elsewhere with port 0: keys for its SAEs cannot be relayed', { kme: kme.id });
      continue;
    }
    const host = kme.host === '0.0.0.0' ? '127.0.0.1' : kme.host === '::' ? '::1' : kme.host;
    urls.set(kme.id, `https://${host.includes(':') ? `[${host}]` : host}:${kme.port}`);
  }
  return urls;
}
