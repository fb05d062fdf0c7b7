// `qkd-macsec run [--listen HOST:PORT]`: the daemon. It holds the state directory's lock for its
// life, resolves what an earlier run left unfinished before anything else, serves /healthz and
// /metrics, and a control endpoint through which `rotate` and `status` reach it (its URL in
// control.json beside the lock). Exits 0 after SIGTERM/SIGINT once the work in flight has ended.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { checkCertificate } from '@qkd-macsec/cert-lcm';
import type { RotatorConfig } from '../../config/index.js';
import type { RotatorLogger } from '../../log/index.js';
import { createHealth, createMetrics, startMetricsServer, type MetricsServer, type RotatorMetrics } from '../../metrics/index.js';
import { newToken, removeControlRecord, writeControlRecord } from '../control/record.js';
import { startControlServer, type ControlServer } from '../control/server.js';
import { EXIT_OK, EXIT_USAGE, errorText, loadOrExit, lockOrExit, makeLogger, openRotator, type CliDeps, type GlobalOptions } from '../context.js';
import { createDaemonEngine, type DaemonEngine } from '../daemon-engine.js';
import { runDaemon } from '../daemon.js';
import type { Rotator } from '../engine.js';
import { line } from '../io.js';

export interface RunOptions {
  listen?: string;
  /** Stop after N cycles (for smoke tests and cron-like use). */
  cycles?: number;
}

export async function runCommand(deps: CliDeps, global: GlobalOptions, options: RunOptions): Promise<number> {
  const { io } = deps;
  const logger = makeLogger(io, global);
  const config = await loadOrExit(io, global, logger);
  let listen = config.metrics;
  if (options.listen !== undefined) {
    const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(options.listen);
    if (m === null || Number(m[2]) > 65535) {
      line(io.stderr, `--listen must be HOST:PORT, e.g. 127.0.0.1:9464; got ${options.listen}`);
      return EXIT_USAGE;
    }
    listen = { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(m[2]) };
  }
  // One writer: the daemon holds the state for its life. Losing the lock stops it.
  const lost = new AbortController();
  const lock = await lockOrExit(deps, config, logger, { onLost: () => lost.abort() });
  const clock = deps.clock;
  const metrics = daemonMetrics(config, clock);
  const health = createHealth({ intervalSeconds: config.rotation.intervalSeconds, ...(clock !== undefined ? { now: () => clock().getTime() } : {}) });
  let server: MetricsServer | undefined;
  let control: ControlServer | undefined;
  try {
    if (listen !== undefined) {
      server = await startMetricsServer({ ...listen, metrics, health });
      line(io.stdout, `metrics and health on ${server.url}/metrics ${server.url}/healthz`);
    }
    const rotator = await openRotator(deps, config, logger, metrics, { lock: false });
    const daemonInfo = { pid: process.pid, url: '', resumeRetrySeconds: config.rotation.resumeRetrySeconds };
    const engine = createDaemonEngine({ rotator, stateDir: config.stateDir, logger, metrics, health, daemon: daemonInfo, ...(clock !== undefined ? { clock } : {}) });
    try {
      control = await startControl(config, engine, logger);
      daemonInfo.url = control.url;
    } catch (err) {
      await rotator.close();
      throw err;
    }
    line(io.stdout, `control endpoint on ${control.url} (for \`rotate\` and \`status\`; its address is in ${config.stateDir}/control.json)`);
    logger.info(`daemon started: ${config.links.length} links every ${config.rotation.intervalSeconds} s, mode ${config.rotation.mode}`);
    const result = await runDaemon({
      config,
      rotator,
      logger,
      metrics,
      health,
      engine,
      stop: lost.signal,
      signals: io.signals,
      ...(clock !== undefined ? { clock } : {}),
      ...(options.cycles !== undefined ? { maxCycles: options.cycles } : {}),
      firstCycleAt: async () => firstDue(config.links.map((l) => l.name), await seedLastSuccess(rotator, engine, metrics, logger), config.rotation.intervalSeconds),
    });
    logger.info(`daemon stopped after ${result.cycles} cycle${result.cycles === 1 ? '' : 's'}${result.signal !== undefined ? ` (${result.signal})` : ''}`);
  } finally {
    control?.stopAccepting();
    await removeControlRecord(config.stateDir).catch(() => undefined);
    await control?.close();
    await server?.close();
    await lock.release();
  }
  return EXIT_OK;
}

/** The daemon's metrics registry: the rotator's metrics, the config's policy gauges, the process's. */
export function daemonMetrics(config: Pick<RotatorConfig, 'rotation' | 'certificates'>, clock?: () => Date): RotatorMetrics {
  return createMetrics({
    processMetrics: true,
    policy: { intervalSeconds: config.rotation.intervalSeconds, renewBeforeDays: config.certificates.renewBeforeDays },
    ...(clock !== undefined ? { now: () => clock().getTime() } : {}),
  });
}

/** The control endpoint and its record in the state directory. */
async function startControl(config: RotatorConfig, engine: DaemonEngine, logger: RotatorLogger): Promise<ControlServer> {
  const t = config.control.tls;
  let tls: { ca: string; cert: string; key: string } | undefined;
  if (t !== undefined) {
    const [ca, cert, key] = await Promise.all([readFile(t.caFile, 'utf8'), readFile(t.certFile, 'utf8'), readFile(t.keyFile, 'utf8')]);
    const check = checkCertificate(cert, { now: new Date(), profile: 'server', ca, source: t.certFile });
    for (const p of check.problems) logger[p.severity === 'error' ? 'error' : 'warn'](`control.tls.cert: ${p.message}`);
    tls = { ca, cert, key };
  }
  const token = tls === undefined ? newToken() : undefined;
  const server = await startControlServer({
    host: config.control.host,
    port: config.control.port,
    ...(tls !== undefined ? { tls } : {}),
    ...(token !== undefined ? { token } : {}),
    logger,
    handlers: {
      links: config.links.map((l) => l.name),
      stopping: () => engine.stopping(),
      rotate: (request, onProgress, onQueued, onWait) => engine.rotate({ ...request, onProgress, onWait }, onQueued),
      status: (request) => engine.status(request.links),
    },
  });
  try {
    await writeControlRecord(config.stateDir, { url: server.url, pid: process.pid, host: hostname(), since: new Date().toISOString(), ...(token !== undefined ? { token } : {}) });
  } catch (err) {
    await server.close();
    throw new Error(`cannot write the control endpoint's address into ${config.stateDir}: ${errorText(err)}`);
  }
  return server;
}

/** Last success per link from the engine's state, so qkd_macsec_key_age_seconds is right from the first scrape. */
async function seedLastSuccess(rotator: Rotator, engine: DaemonEngine, metrics: RotatorMetrics, logger: RotatorLogger): Promise<Map<string, number>> {
  const last = new Map<string, number>();
  try {
    const statuses = await rotator.status();
    engine.seed(statuses);
    for (const s of statuses) {
      if (s.lastSuccess === undefined) continue;
      metrics.setLastSuccess(s.link, new Date(s.lastSuccess));
      last.set(s.link, Date.parse(s.lastSuccess));
    }
  } catch (err) {
    logger.warn(`could not read link status at start-up: ${err instanceof Error ? err.message : String(err)}`);
  }
  return last;
}

/** The earliest time a link is due (last success + interval); undefined (now) if any link has none. */
function firstDue(links: string[], lastSuccess: ReadonlyMap<string, number>, intervalSeconds: number): number | undefined {
  let first = Infinity;
  for (const l of links) {
    const t = lastSuccess.get(l);
    if (t === undefined || !Number.isFinite(t)) return undefined;
    first = Math.min(first, t + intervalSeconds * 1000);
  }
  return Number.isFinite(first) ? first : undefined;
}
