// startSimJunos: simulated Junos routers (SSH + NETCONF + SFTP) joined by simulated MACsec links.
// The steps, in order: parse the options, build the devices, wire the links, open the SSH
// endpoints, then the admin endpoint; a failure part-way closes what was opened.
import { startAdminServer } from './admin-server.js';
import { buildDevices } from './build-devices.js';
import { manualClock, realClock, type Clock } from './clock.js';
import { defaultTopology, parseSimConfig, SimConfigError, type ParsedSimConfig } from './config.js';
import { startDeviceEndpoints, startSharedEndpoint } from './endpoints.js';
import { openKeyLog, type KeyLog } from './key-log.js';
import { levelLogger, silentLogger, type LevelLogger } from './logger.js';
import { isLoopback } from './admin-server.js';
import { linkRecords, simControl } from './sim-control.js';
import { DEFAULT_CONFIRM_MINUTE_MS, type SimJunos, type SimJunosOptions } from './sim-types.js';
import type { SshEndpoint } from './ssh-server.js';
import { linkDefinitions, wireLinks } from './wire-links.js';

export async function startSimJunos(options: SimJunosOptions = defaultTopology()): Promise<SimJunos> {
  const { clock: clockOpt, logger: given = silentLogger, ...rest } = options;
  const logger = levelLogger(given);
  const cfg = parseSimConfig({ ...rest, ...(typeof clockOpt === 'string' ? { clock: clockOpt } : {}) });
  const clock = clockOf(cfg, clockOpt);
  const host = cfg.host ?? '127.0.0.1';
  if (cfg.admin?.host !== undefined && !isLoopback(cfg.admin.host))
    throw new SimConfigError(`the admin endpoint listens on loopback only (127.0.0.1, ::1 or localhost); refused "${cfg.admin.host}" — it has no authentication`, 'admin.host');
  const confirmMinuteMs = cfg.confirmMinuteMs ?? DEFAULT_CONFIRM_MINUTE_MS;
  if (confirmMinuteMs !== DEFAULT_CONFIRM_MINUTE_MS) logger.warn(`commit confirmed accelerated: one minute of confirm-timeout lasts ${confirmMinuteMs} ms (confirmMinuteMs)`);
  const keyLog = keyLogOf(cfg, logger);

  const { devices, hostKeys, trees } = buildDevices(cfg, { clock, confirmMinuteMs, logger, keyLog });
  const linkDefs = linkDefinitions(cfg, devices);
  const wired = wireLinks(linkDefs, devices, trees, { clock, logger, keyLog });

  const started: SshEndpoint[] = [];
  const closeEndpoints = () => Promise.all(started.map((e) => e.close()));
  const ctx = { host, clock, links: wired.links, started };
  let infos;
  let shared;
  try {
    infos = await startDeviceEndpoints(cfg, devices, hostKeys, ctx);
    shared = cfg.sharedPort === undefined ? undefined : await startSharedEndpoint(cfg.sharedPort, devices, ctx);
  } catch (e) {
    await closeEndpoints();
    throw e;
  }

  let closeAdmin = async () => {};
  const sim = simControl({
    host,
    clock,
    confirmMinuteMs,
    devices,
    infos,
    linkDefs,
    wired,
    shared,
    keyLogFile: keyLog?.file,
    closeServers: () => Promise.all([closeEndpoints(), closeAdmin()]),
  });
  if (cfg.admin) {
    try {
      const admin = await startAdminServer({ deviceNames: () => [...devices.keys()], getFaults: sim.getFaults, setFaults: sim.setFaults, links: () => linkRecords(sim) }, cfg.admin);
      closeAdmin = admin.close;
      sim.adminUrl = admin.url;
    } catch (e) {
      await sim.close();
      // Not a configuration error: the address is valid, it could not be bound (in use, say).
      throw new Error(`admin: cannot start the admin endpoint: ${(e as Error).message}`, { cause: e });
    }
  }
  return sim;
}

function clockOf(cfg: ParsedSimConfig, given: SimJunosOptions['clock']): Clock {
  if (typeof given === 'object') return given;
  const startTime = typeof cfg.startTime === 'string' ? Date.parse(cfg.startTime) : cfg.startTime;
  return cfg.clock === 'manual' ? manualClock(startTime) : realClock();
}

function keyLogOf(cfg: ParsedSimConfig, logger: LevelLogger): KeyLog | undefined {
  if (cfg.keyLog === undefined) return undefined;
  let keyLog: KeyLog;
  try {
    keyLog = openKeyLog(cfg.keyLog);
  } catch (e) {
    throw new SimConfigError(`cannot open the key log: ${(e as Error).message}`, 'keyLog');
  }
  logger.warn(`KEY LOG ON: every CAK and key-chain secret committed to a device is written to ${keyLog.file} — key material, for leak tests only`);
  return keyLog;
}
