// startSimJunos: simulated Junos routers (SSH + NETCONF + SFTP) joined by simulated MACsec links.
import { randomBytes } from 'node:crypto';
import { manualClock, realClock, type Clock, type ManualClock } from './clock.js';
import { defaultTopology, parseSimConfig, SimConfigError, type SimConfigFile } from './config.js';
import { applySetCommands, parseConfigText, renderConfigText } from './config-text.js';
import { isLoopback, startAdminServer, type AdminServer } from './admin-server.js';
import { activeTree, ConfigSyntaxError, emptyTree, mergeTree, type ConfigNode } from './config-tree.js';
import { allocateSessionId, type SimDevice } from './device.js';
import { parseFaults, type Faults } from './faults.js';
import { openKeyLog } from './key-log.js';
import { createLinkModel, type DownInterval, type FallbackInterval, type LinkDefinition, type LinkStatus } from './link-model.js';
import { safeLogger, silentLogger, type SimLogger } from './logger.js';
import { createMemoryFs, type MemoryFs } from './sftp.js';
import { loadHostKey, startSshEndpoint, type HostKey, type SshEndpoint } from './ssh-server.js';
import { createConfigStore, type CommitRecord } from './store.js';
import { checkCommit } from './validate.js';
import { familyOfModel, type PlatformFamily } from './platform.js';

export { manualClock, realClock, type Clock, type ManualClock, type RealClock } from './clock.js';
export { defaultTopology, parseSimConfig, SimConfigError, simConfigSchema, type DeviceConfig, type SimConfigFile } from './config.js';
export { faultsSchema, parseFaults, type Faults } from './faults.js';
export { AdminAddressError, isLoopback } from './admin-server.js';
export { secretsOf, type KeyLogEntry } from './key-log.js';
export type { SimLogger } from './logger.js';
export { activeKeyAt, fallbackKeyOf, UnknownLinkError, type DownInterval, type EndView, type FallbackInterval, type LinkDefinition, type LinkEnd, type LinkInterval, type LinkState, type LinkStatus, type LinkTotals } from './link-model.js';
export { fingerprintOf, HostKeyError } from './ssh-server.js';
export { parseConfigText, renderConfigText, renderConfigSet, applySetCommands } from './config-text.js';
export { ConfigSyntaxError, type ConfigNode } from './config-tree.js';
export { obfuscateSecret, revealSecret } from './secret.js';
export { familyOfModel, PLATFORM_FAMILIES, type PlatformFamily } from './platform.js';
export { checkCommit, checkSyntax, type ConfigIssue } from './validate.js';

/** How to reach one simulated device. `password` is not enumerable, so logging or serialising
 *  this object does not print it. */
export interface SimDeviceInfo {
  name: string;
  host: string;
  port: number;
  /** `SHA256:…`, to pin the host key. */
  hostKeyFingerprint: string;
  /** OpenSSH public key line (for known_hosts). */
  hostPublicKey: string;
  username: string;
  readonly password: string;
}

export interface SimDeviceControl {
  /** Committed configuration as Junos text (secrets shown as $9$). */
  committedText(): string;
  committed(): ConfigNode;
  history(): readonly CommitRecord[];
  files: MemoryFs;
  faults(): Faults;
  stats(): { sessions: number; rpcs: number };
}

/** One minute of a `commit confirmed` timeout, unless `confirmMinuteMs` accelerates it. */
export const DEFAULT_CONFIRM_MINUTE_MS = 60_000;

export interface SimJunosOptions extends Omit<SimConfigFile, 'clock'> {
  /** 'manual' for tests, 'real' (default), or your own clock. */
  clock?: 'real' | 'manual' | Clock;
  /** Sessions, commits and link changes (never key material). Default: silent. */
  logger?: SimLogger;
}

export interface LinkHistory {
  downIntervals: DownInterval[];
  fallbackIntervals: FallbackInterval[];
  /** Total ms down, open interval counted up to now. */
  downMs: number;
  /** Total ms secured on fallback, open interval counted up to now. */
  fallbackMs: number;
}

export interface SimJunos {
  host: string;
  devices: Record<string, SimDeviceInfo>;
  links: Record<string, LinkDefinition>;
  /** Set when `sharedPort` was configured: log in as "user@device" to reach a device. */
  sharedPort?: number;
  sharedHostKeyFingerprint?: string;
  clock: Clock;
  now(): number;
  /** Moves a manual clock forward (fires commit-confirmed rollbacks, crosses key start-times). */
  advance(ms: number): void;
  linkStatus(linkId: string): LinkStatus;
  /** Every interval during which the link was down, and every one it ran secured on its
   *  fallback key, oldest first (`to` absent while still in that state), with their totals up to now. */
  linkHistory(linkId: string): LinkHistory;
  /** Down intervals of every link that overlap [since, now]. */
  downIntervalsSince(since: number): Array<DownInterval & { linkId: string }>;
  /** Intervals on fallback of every link that overlap [since, now]. */
  fallbackIntervalsSince(since: number): Array<FallbackInterval & { linkId: string }>;
  /** Replaces a device's faults (`{}` clears them); applies to the next RPC. */
  setFaults(device: string, faults: Faults): void;
  getFaults(device: string): Faults;
  /** `http://127.0.0.1:PORT` when the admin endpoint was asked for (`admin` option). */
  adminUrl?: string;
  /** The key log file, when `keyLog` was given. */
  keyLogFile?: string;
  /** How long one minute of a `commit confirmed` timeout lasts here (ms). */
  confirmMinuteMs: number;
  device(name: string): SimDeviceControl;
  close(): Promise<void>;
}

function initialTree(device: string, text: string | undefined, family: PlatformFamily): ConfigNode {
  const tree = emptyTree();
  if (!text?.trim()) return tree;
  try {
    if (/^\s*(set|delete)\s/m.test(text) && !text.includes('{')) applySetCommands(tree, text);
    else mergeTree(tree, parseConfigText(text));
  } catch (e) {
    if (e instanceof ConfigSyntaxError) throw new SimConfigError(e.message, `devices.${device}.config`);
    throw e;
  }
  const errors = checkCommit(tree, family).filter((i) => i.severity === 'error');
  if (errors.length) throw new SimConfigError(errors.map((i) => `[edit ${i.path.join(' ')}] ${i.badElement ?? ''}: ${i.message}`).join('; '), `devices.${device}.config`);
  return tree;
}

export async function startSimJunos(options: SimJunosOptions = defaultTopology()): Promise<SimJunos> {
  const { clock: clockOpt, logger: given = silentLogger, ...rest } = options;
  const logger = safeLogger(given);
  const cfg = parseSimConfig({ ...rest, ...(typeof clockOpt === 'string' ? { clock: clockOpt } : {}) });
  const startTime = typeof cfg.startTime === 'string' ? Date.parse(cfg.startTime) : cfg.startTime;
  const clock: Clock = typeof clockOpt === 'object' ? clockOpt : cfg.clock === 'manual' ? manualClock(startTime) : realClock();
  const host = cfg.host ?? '127.0.0.1';
  if (cfg.admin?.host !== undefined && !isLoopback(cfg.admin.host))
    throw new SimConfigError(`the admin endpoint listens on loopback only (127.0.0.1, ::1 or localhost); refused "${cfg.admin.host}" — it has no authentication`, 'admin.host');
  const confirmMinuteMs = cfg.confirmMinuteMs ?? DEFAULT_CONFIRM_MINUTE_MS;
  if (confirmMinuteMs !== DEFAULT_CONFIRM_MINUTE_MS) logger.warn(`commit confirmed accelerated: one minute of confirm-timeout lasts ${confirmMinuteMs} ms (confirmMinuteMs)`);
  let keyLog;
  try {
    keyLog = cfg.keyLog === undefined ? undefined : openKeyLog(cfg.keyLog);
  } catch (e) {
    throw new SimConfigError(`cannot open the key log: ${(e as Error).message}`, 'keyLog');
  }
  if (keyLog) logger.warn(`KEY LOG ON: every CAK and key-chain secret committed to a device is written to ${keyLog.file} — key material, for leak tests only`);

  const devices = new Map<string, SimDevice>();
  const hostKeys = new Map<string, HostKey>();
  const trees = new Map<string, ConfigNode>();
  for (const [name, d] of Object.entries(cfg.devices)) {
    const username = d.username ?? 'admin';
    const model = d.model ?? 'mx204';
    const platform = d.platform ?? familyOfModel(model);
    const tree = initialTree(name, d.config, platform);
    trees.set(name, activeTree(tree));
    const device: SimDevice = {
      name,
      hostname: d.hostname ?? name,
      model,
      platform,
      version: d.version ?? '23.4R1.10',
      serialNumber: d.serialNumber ?? `SIM${randomBytes(4).toString('hex').toUpperCase()}`,
      username,
      password: d.password ?? randomBytes(12).toString('base64url'),
      authorizedKeys: d.authorizedKeys ?? [],
      netconf11: d.netconf11 ?? false,
      store: createConfigStore(clock, tree, platform),
      confirmMinuteMs,
      faults: d.faults ?? {},
      files: createMemoryFs([`/var/home/${username}`]),
      newSession: (user) => ({ id: allocateSessionId(), user }),
      sessions: new Map(),
      stats: { sessions: 0, rpcs: 0 },
      log: logger,
    };
    devices.set(name, device);
    keyLog?.record(name, tree, clock.now());
    try {
      hostKeys.set(name, loadHostKey(d.hostKey));
    } catch (e) {
      throw new SimConfigError((e as Error).message, `devices.${name}.hostKey`);
    }
  }

  const linkDefs: LinkDefinition[] = (cfg.links ?? []).map((l, i) => ({ id: l.id ?? `link-${i + 1}`, a: l.a, b: l.b }));
  const usedEnds = new Set<string>();
  const usedIds = new Set<string>();
  for (const [i, l] of linkDefs.entries()) {
    // an explicit id may equal a generated one ("link-2")
    if (usedIds.has(l.id)) throw new SimConfigError(`link id "${l.id}" is used twice`, `links.${i}`);
    usedIds.add(l.id);
    for (const end of [l.a, l.b]) {
      if (!devices.has(end.device)) throw new SimConfigError(`unknown device "${end.device}"`, `links.${i}`);
      const key = `${end.device}:${end.interface}`;
      if (usedEnds.has(key)) throw new SimConfigError(`${key} is already an end of another link`, `links.${i}`);
      usedEnds.add(key);
    }
  }
  const links = createLinkModel(linkDefs, trees, clock.now(), (name) => devices.get(name)?.faults.clockSkewMs ?? 0);
  // Key start-times change links with nobody looking: a timer on the device clock brings the
  // model forward at each one, so transitions are logged when they happen.
  let cancelSwitchTimer = () => {};
  const armSwitchTimer = () => {
    cancelSwitchTimer();
    const next = links.nextSwitchAfter(clock.now());
    if (Number.isFinite(next))
      cancelSwitchTimer = clock.at(next, () => {
        links.syncTo(clock.now());
        armSwitchTimer();
      });
  };
  links.onTransition((id, state, at, reason) => {
    const line = `link ${id} ${state}${reason ? ` (${reason})` : ''} at ${new Date(at).toISOString()}`;
    if (state !== 'secured') logger.warn(line);
    else logger.info(line);
  });
  for (const [name, device] of devices)
    device.store.onCommit((tree, time) => {
      const head = device.store.history[0]!;
      logger.info(`${name}: commit by ${head.user}${head.log !== undefined ? ` (${head.log})` : ''}${head.confirmPending ? ', confirmation pending' : ''}`);
      keyLog?.record(name, tree, time);
      links.committed(name, device.store.activeCommitted(), time);
      armSwitchTimer();
    });
  armSwitchTimer();

  const endpoints: SshEndpoint[] = [];
  const closeAll = () => Promise.all(endpoints.map((e) => e.close()));
  const infos: Record<string, SimDeviceInfo> = {};
  try {
    for (const [name, device] of devices) {
      const hostKey = hostKeys.get(name)!;
      const ep = await startSshEndpoint({
        host,
        port: cfg.devices[name]!.port ?? 0,
        hostKey,
        clock,
        links,
        route: (login) => (login === device.username ? { device, user: login } : undefined),
      });
      endpoints.push(ep);
      const info = { name, host, port: ep.port, hostKeyFingerprint: hostKey.fingerprint, hostPublicKey: hostKey.publicKey, username: device.username } as SimDeviceInfo;
      Object.defineProperty(info, 'password', { value: device.password, enumerable: false });
      infos[name] = info;
    }
  } catch (e) {
    await closeAll();
    throw e;
  }

  let shared: { port: number; fingerprint: string } | undefined;
  if (cfg.sharedPort !== undefined) {
    const key = loadHostKey();
    const ep = await startSshEndpoint({
      host,
      port: cfg.sharedPort,
      hostKey: key,
      clock,
      links,
      route: (login) => {
        const at = login.lastIndexOf('@');
        const device = at > 0 ? devices.get(login.slice(at + 1)) : undefined;
        return device ? { device, user: login.slice(0, at) } : undefined;
      },
    }).catch(async (e) => {
      await closeAll();
      throw e;
    });
    endpoints.push(ep);
    shared = { port: ep.port, fingerprint: key.fingerprint };
  }

  const deviceOf = (name: string) => {
    const d = devices.get(name);
    if (!d) throw new SimConfigError(`unknown device "${name}"`);
    return d;
  };
  const linkMap = Object.fromEntries(linkDefs.map((l) => [l.id, l]));
  let admin: AdminServer | undefined;
  const sim: SimJunos = {
    host,
    devices: infos,
    links: linkMap,
    ...(shared ? { sharedPort: shared.port, sharedHostKeyFingerprint: shared.fingerprint } : {}),
    ...(keyLog ? { keyLogFile: keyLog.file } : {}),
    confirmMinuteMs,
    clock,
    now: () => clock.now(),
    advance(ms) {
      if (!('advance' in clock) || typeof (clock as ManualClock).advance !== 'function')
        throw new Error('advance() needs a manual clock: start the simulator with { clock: "manual" }');
      (clock as ManualClock).advance(ms);
      links.syncTo(clock.now());
    },
    linkStatus: (id) => links.status(id, clock.now()),
    linkHistory(id) {
      const now = clock.now();
      return { downIntervals: links.downIntervals(id, now), fallbackIntervals: links.fallbackIntervals(id, now), ...links.totals(id, now) };
    },
    downIntervalsSince(since) {
      const now = clock.now();
      return linkDefs.flatMap((l) => links.downIntervals(l.id, now).filter((i) => (i.to ?? now) >= since).map((i) => ({ ...i, linkId: l.id })));
    },
    fallbackIntervalsSince(since) {
      const now = clock.now();
      return linkDefs.flatMap((l) => links.fallbackIntervals(l.id, now).filter((i) => (i.to ?? now) >= since).map((i) => ({ ...i, linkId: l.id })));
    },
    setFaults(name, faults) {
      const d = deviceOf(name);
      const r = parseFaults(faults);
      if (!r.ok) throw new SimConfigError(r.error, `setFaults(${name})`);
      const parsed = r.faults;
      // Links must reach "now" under the old clock skew before the new one applies.
      links.syncTo(clock.now());
      d.faults = parsed;
      links.committed(name, d.store.activeCommitted(), clock.now());
      armSwitchTimer();
    },
    getFaults: (name) => deviceOf(name).faults,
    device(name) {
      const d = deviceOf(name);
      return {
        committedText: () => renderConfigText(d.store.committed()),
        committed: () => d.store.committed(),
        history: () => d.store.history,
        files: d.files,
        faults: () => d.faults,
        stats: () => ({ ...d.stats }),
      };
    },
    async close() {
      cancelSwitchTimer();
      for (const d of devices.values()) d.store.dispose();
      await Promise.all([closeAll(), admin?.close()]);
    },
  };
  if (cfg.admin) {
    try {
      admin = await startAdminServer(
        {
          deviceNames: () => [...devices.keys()],
          getFaults: sim.getFaults,
          setFaults: sim.setFaults,
          links: () => linkRecords(sim),
        },
        cfg.admin,
      );
    } catch (e) {
      await sim.close();
      throw new SimConfigError(`cannot start the admin endpoint: ${(e as Error).message}`, 'admin');
    }
    sim.adminUrl = admin.url;
  }
  return sim;
}

/** Every link's record — state, down and fallback intervals and totals — as JSON (GET /links). */
export function linkRecords(sim: SimJunos): Record<string, LinkStatus & LinkHistory> {
  return Object.fromEntries(Object.keys(sim.links).map((id) => [id, { ...sim.linkStatus(id), ...sim.linkHistory(id) }]));
}
