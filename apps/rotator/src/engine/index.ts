// createRotator: the engine behind `qkd-macsec init|rotate|status|run|demo`.
import type { QkdClient } from '@qkd-macsec/etsi-qkd-client';
import type { JunosDevice } from '@qkd-macsec/junos-netconf';
import type { RotatorConfig } from '../config/schema.js';
import { deviceConnector, kmeClientFactory } from '../fleet/connectors.js';
import { createFleet } from '../fleet/fleet.js';
import { createLimiter } from '../fleet/limit.js';
import type { AgentDirectory } from '../fleet/ops.js';
import { initDevices, type InitOptions } from '../init/index.js';
import { createStateStore } from '../state/store.js';
import { engineView, resolveLinks, type EngineConfig } from './config-view.js';
import type { EngineContext, EngineHooks } from './context.js';
import { runCycle, type CycleOptions } from './cycle.js';
import { resumeAndRepair, rotateFallbackKeys } from './fallback.js';
import { awaitingStart } from './resume.js';
import { linkStatuses } from './status.js';
import type { CycleReport, EngineLogger, InitReport, LinkStatus, ResumeReport } from './types.js';

export * from './types.js';
export type { EngineConfig, EngineLink } from './config-view.js';
export type { EngineHooks } from './context.js';
export { RotatorClosedError } from './cycle.js';

export interface CreateRotatorOptions {
  /** The resolved configuration (loadConfig), or any object with the fields the engine reads. */
  config: RotatorConfig | EngineConfig;
  logger: EngineLogger;
  /** The time the devices keep (default: the system clock). */
  clock?: () => Date;
  /** Waiting for a start-time (default: setTimeout). A simulated clock can jump instead. */
  sleep?: (ms: number) => Promise<void>;
  /** Open a NETCONF session to a device by name (default: from config.devices). */
  connectDevice?: (device: string) => Promise<JunosDevice>;
  /** The ETSI 014 client for an SAE (default: from config.saes/kmes). Created once per SAE, closed by close(). */
  kmeClientFor?: (sae: string) => QkdClient;
  /**
   * The site agents (agent/client createAgentDirectory): required when config.sites is not empty;
   * the devices and SAEs of those sites are reached only through them. Closed by close().
   */
  agents?: AgentDirectory;
  /**
   * Put start-times beyond the confirm timeout (default true), so an end that never got its
   * confirm rolls back before the key activates anywhere. false: start-time = now + leadTimeSeconds
   * (faster, for demos on a real clock; an end left unconfirmed can then drop the link).
   */
  startAfterConfirmTimeout?: boolean;
  /**
   * KME requests in flight at once (default min(concurrency, 16)). A few warm keep-alive mTLS
   * connections serve a large fleet faster than hundreds of fresh handshakes.
   */
  kmeConcurrency?: number;
  /** Wait this long after the start-time before reading MKA (default 2000 ms). */
  verifyDelayMs?: number;
  /** MKA reads (verifyDelayMs, at least 1 s, apart) before a link is reported not secured (default 3). */
  verifyAttempts?: number;
  hooks?: EngineHooks;
}

export interface Rotator {
  init(options?: InitOptions): Promise<InitReport>;
  rotate(options?: CycleOptions): Promise<CycleReport>;
  status(options?: { links?: string[] }): Promise<LinkStatus[]>;
  /** Resolve an unfinished cycle left in the state by a killed run (rotate does it first anyway). */
  resume(): Promise<ResumeReport[]>;
  close(): Promise<void>;
}

export function createRotator(options: CreateRotatorOptions): Rotator {
  checkAgents(options);
  const closing = new AbortController();
  const ctx = createContext(options, closing.signal);
  let closed = false;
  const open = () => {
    if (closed) throw new Error('this rotator is closed');
  };
  return {
    async init(o = {}) {
      open();
      // A first key must not be added next to a half-done rotation: settle that first.
      const resumed = o.dryRun ? [] : await resumeAndRepair(ctx);
      const report = await initDevices(ctx, o);
      return resumed.length ? { ...report, resumed } : report;
    },
    async rotate(o = {}) {
      open();
      return rotate(ctx, o);
    },
    async status(o = {}) {
      open();
      return linkStatuses(ctx, o.links);
    },
    resume: () => resumeAndRepair(ctx),
    /**
     * Closes sessions and clients. A cycle in flight stops at its next device operation or while
     * waiting for its start-time; its journal stays for the next run to complete or roll back.
     */
    async close() {
      if (closed) return;
      closed = true;
      closing.abort();
      await ctx.fleet.close();
    },
  };
}

/** A config with sites needs an agent for each of their devices and SAEs (a TypeError says which is missing). */
function checkAgents({ config, agents }: CreateRotatorOptions): void {
  const sites = Object.keys((config as EngineConfig).sites ?? {});
  if (sites.length && !agents) {
    throw new TypeError(`createRotator: the config has sites (${sites.join(', ')}) but no \`agents\` was passed: build them with createAgentDirectory(config, …) from agent/client and pass them as \`agents\``);
  }
  for (const [site, s] of Object.entries((config as EngineConfig).sites ?? {})) {
    for (const device of Object.keys(s.devices)) if (!agents!.forDevice(device)) throw new TypeError(`createRotator: device ${device} is at site ${site}, but \`agents\` has no agent for it`);
    for (const sae of s.saes) if (!agents!.forSae(sae)) throw new TypeError(`createRotator: SAE ${sae} is at site ${site}, but \`agents\` has no agent for it`);
  }
}

function createContext(options: CreateRotatorOptions, closing: AbortSignal): EngineContext {
  const { logger, agents } = options;
  // One fleet: the sites' devices and SAEs next to the direct ones.
  const config = engineView(options.config as EngineConfig);
  const full = 'kmes' in options.config ? (options.config as RotatorConfig) : undefined;
  const connectDevice = options.connectDevice ?? (full ? deviceConnector(full, { logger }) : undefined);
  const kmeClientFor = options.kmeClientFor ?? (full ? kmeClientFactory(full, { logger }) : undefined);
  if (!connectDevice || !kmeClientFor) throw new TypeError('createRotator: pass connectDevice and kmeClientFor, or a full RotatorConfig (with kmes and device credentials)');
  // One session per device for the whole fleet, kept; confirms on its urgent lane (confirm.ts).
  const fleet = createFleet({
    connectDevice,
    kmeClientFor,
    config,
    agents,
    // Links fetching keys (from KMEs or agents) at once.
    kmeLimit: createLimiter(options.kmeConcurrency ?? Math.min(config.rotation.concurrency, 16)),
    concurrency: config.rotation.concurrency,
    maxSessions: Math.max(10_000, Object.keys(config.devices).length),
    logger,
  });
  return {
    config,
    links: resolveLinks(config),
    fleet,
    confirmLane: (device, fn) => fleet.urgent(device, fn),
    store: createStateStore(config.stateDir, { warn: (m) => logger.warn(m) }),
    logger,
    clock: options.clock ?? (() => new Date()),
    sleep: options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    hooks: options.hooks ?? {},
    startAfterConfirmTimeout: options.startAfterConfirmTimeout ?? true,
    verifyDelayMs: options.verifyDelayMs ?? 2000,
    verifyAttempts: Math.max(1, options.verifyAttempts ?? 3),
    closing,
    inFlight: new Set(),
    resumeQueue: { tail: Promise.resolve() },
  };
}

/**
 * rotate(): settle unfinished transactions first, rotate the links not held by one (those left
 * unresolved are reported failed, those a --no-wait run left awaiting their start-time skipped),
 * then the due fallback keys of the links whose primary rotation went through.
 */
async function rotate(ctx: EngineContext, o: CycleOptions): Promise<CycleReport> {
  const { links } = ctx;
  const resumed = o.dryRun ? [] : await resumeAndRepair(ctx);
  const journals = Object.values((await ctx.store.load()).journals ?? {});
  const stuck = new Set(journals.filter((j) => !awaitingStart(ctx, j)).flatMap((j) => Object.keys(j.links)));
  const waiting = new Map(journals.filter((j) => awaitingStart(ctx, j)).flatMap((j) => Object.entries(j.links).map(([n, l]) => [n, { startsAt: j.startsAt, keyId: l.keyId }] as const)));
  const names = (o.links?.length ? o.links : links.map((l) => l.name)).filter((n) => !stuck.has(n) && !waiting.has(n));
  const report: CycleReport = names.length ? await runCycle(ctx, { ...o, links: names }) : { startedAt: ctx.clock().toISOString(), finishedAt: ctx.clock().toISOString(), links: [] };
  // Fallback keys that are due, for the links whose primary rotation just went through.
  if (!o.dryRun && !o.noWait) {
    const ok = report.links.filter((l) => l.result === 'ok').map((l) => l.link);
    const fallback = await rotateFallbackKeys(ctx, ok);
    if (fallback) report.fallback = fallback;
  }
  const devicesOf = (name: string) => links.find((x) => x.name === name)?.ends.map((e) => e.device) ?? [];
  for (const name of stuck) {
    if (o.links?.length && !o.links.includes(name)) continue;
    report.links.push({ link: name, result: 'failed', devices: devicesOf(name), error: { phase: 'resume', message: 'an unfinished transaction of an earlier run could not be resolved (see the resume report); not rotated' }, durationMs: 0 });
  }
  for (const [name, w] of waiting) {
    if (o.links?.length && !o.links.includes(name)) continue;
    report.links.push({ link: name, result: 'skipped', keyId: w.keyId, devices: devicesOf(name), error: { phase: 'verify', message: `key ${w.keyId} is confirmed on every end and activates by ${w.startsAt}; verified after that, then rotated again` }, durationMs: 0 });
  }
  return resumed.length ? { ...report, resumed } : report;
}
