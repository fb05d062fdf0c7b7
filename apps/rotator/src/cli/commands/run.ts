// `qkd-macsec run [--listen HOST:PORT]`: the daemon. Exits 0 after SIGTERM/SIGINT once the
// in-flight cycle has ended.
import { createHealth, createMetrics, startMetricsServer, type MetricsServer } from '../../metrics/index.js';
import { EXIT_OK, EXIT_USAGE, loadOrExit, makeLogger, openRotator, type CliDeps, type GlobalOptions } from '../context.js';
import { runDaemon } from '../daemon.js';
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
  const clock = deps.clock;
  const metrics = createMetrics(clock !== undefined ? { now: () => clock().getTime() } : {});
  const health = createHealth({ intervalSeconds: config.rotation.intervalSeconds, ...(clock !== undefined ? { now: () => clock().getTime() } : {}) });
  let server: MetricsServer | undefined;
  if (listen !== undefined) {
    server = await startMetricsServer({ ...listen, metrics, health });
    line(io.stdout, `metrics and health on ${server.url}/metrics ${server.url}/healthz`);
  }
  const rotator = await openRotator(deps, config, logger, metrics);
  try {
    const lastSuccess = await seedLastSuccess(rotator, metrics, logger);
    const firstCycleAt = firstDue(config.links.map((l) => l.name), lastSuccess, config.rotation.intervalSeconds);
    logger.info(`daemon started: ${config.links.length} links every ${config.rotation.intervalSeconds} s, mode ${config.rotation.mode}`);
    const result = await runDaemon({
      config,
      rotator,
      logger,
      metrics,
      health,
      signals: io.signals,
      ...(clock !== undefined ? { clock } : {}),
      ...(options.cycles !== undefined ? { maxCycles: options.cycles } : {}),
      ...(firstCycleAt !== undefined ? { firstCycleAt } : {}),
    });
    logger.info(`daemon stopped after ${result.cycles} cycle${result.cycles === 1 ? '' : 's'}${result.signal !== undefined ? ` (${result.signal})` : ''}`);
  } finally {
    await server?.close();
  }
  return EXIT_OK;
}

/** Last success per link from the engine's state, so key_age_seconds is right from the first scrape. */
async function seedLastSuccess(
  rotator: Awaited<ReturnType<typeof openRotator>>,
  metrics: ReturnType<typeof createMetrics>,
  logger: ReturnType<typeof makeLogger>,
): Promise<Map<string, number>> {
  const last = new Map<string, number>();
  try {
    for (const s of await rotator.status()) {
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
export function firstDue(links: string[], lastSuccess: ReadonlyMap<string, number>, intervalSeconds: number): number | undefined {
  let first = Infinity;
  for (const l of links) {
    const t = lastSuccess.get(l);
    if (t === undefined || !Number.isFinite(t)) return undefined;
    first = Math.min(first, t + intervalSeconds * 1000);
  }
  return Number.isFinite(first) ? first : undefined;
}
