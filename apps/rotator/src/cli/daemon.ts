// The daemon loop behind `qkd-macsec run`. First it resolves every unfinished transaction in the
// state, and while any is left (devices unreachable) it tries again every resumeRetrySeconds —
// never waiting for the next due slot. Cycles run on a fixed grid (first cycle + k·interval, no
// jitter; a slot missed because a cycle overran is skipped, never bunched up), certificate checks
// every checkIntervalHours, metrics and health after each cycle.
// SIGTERM/SIGINT (or `stop`) stop the scheduling at once; the cycle in flight — or a rotation asked
// through the control endpoint — runs to its end (its transaction completes or is undone by the
// engine's own rules) and then the engine is closed. A second signal closes the engine at once:
// what the cycle has not done yet fails, and the confirmed commits and the journal keep every link
// on one key (the next start resolves it).
import type { RotatorConfig } from '../config/index.js';
import type { RotatorLogger } from '../log/index.js';
import type { HealthState, RotatorMetrics } from '../metrics/index.js';
import { checkCertificatesNow } from './daemon-certs.js';
import { runScheduledCycle, type CycleDeps } from './daemon-cycle.js';
import { createDaemonEngine, type DaemonEngine } from './daemon-engine.js';
import { watchForStop } from './daemon-stop.js';
import type { CycleReport, Rotator } from './engine.js';
import type { CliIo } from './io.js';

export interface DaemonOptions {
  config: RotatorConfig;
  rotator: Rotator;
  logger: RotatorLogger;
  metrics: RotatorMetrics;
  health: HealthState;
  signals: CliIo['signals'];
  clock?: () => Date;
  /** The gate the control endpoint shares (default: one of its own over `rotator`). */
  engine?: DaemonEngine;
  /** Stops the daemon like a first signal (e.g. when its state lock is lost). */
  stop?: AbortSignal;
  /** Called after every cycle (tests, the demo). */
  onCycle?: (report: CycleReport) => void;
  /** Stop after this many cycles (tests); default: until a signal. */
  maxCycles?: number;
  /**
   * When the first cycle runs (epoch ms); default now. `run` passes the earliest time a link is
   * due (its last success + interval), so a restarted daemon does not spend keys on links that
   * were just rotated. A function is asked after the unfinished transactions are resolved.
   */
  firstCycleAt?: number | (() => Promise<number | undefined>);
}

export interface DaemonResult {
  cycles: number;
  /** The signal that stopped it, if any. */
  signal?: string;
}

export async function runDaemon(options: DaemonOptions): Promise<DaemonResult> {
  const { config, rotator, logger, metrics, health } = options;
  const engine = options.engine ?? createDaemonEngine({ rotator, stateDir: config.stateDir, logger, metrics, health, ...(options.clock !== undefined ? { clock: options.clock } : {}) });
  const now = () => (options.clock?.() ?? new Date()).getTime();
  const intervalMs = config.rotation.intervalSeconds * 1000;
  const certIntervalMs = config.certificates.checkIntervalHours * 3_600_000;
  const stop = watchForStop({ rotator, engine, logger, signals: options.signals, stop: options.stop });
  const resume = () => stop.inFlight(() => resumeUnfinished(engine, config, logger, now));
  const cycleDeps: CycleDeps = { config, engine, logger, metrics, health, now, onCycle: options.onCycle };

  let cycles = 0;
  try {
    const start = now();
    let nextResume = stop.signal === undefined ? await resume() : Infinity;
    const first = typeof options.firstCycleAt === 'function' ? await options.firstCycleAt() : options.firstCycleAt;
    let nextCycle = Math.max(start, first ?? start);
    let nextCertCheck = start;
    if (nextCycle > now()) logger.info(`first cycle at ${new Date(nextCycle).toISOString()}, when the first link is due`);
    while (stop.signal === undefined) {
      if (now() >= nextCertCheck) {
        await checkCertificatesNow(config, metrics, logger, new Date(now()));
        nextCertCheck += certIntervalMs;
      }
      if (now() >= nextResume && now() < nextCycle) {
        nextResume = await resume();
        continue;
      }
      if (now() < nextCycle) {
        await stop.sleepUntil(Math.min(nextCycle, nextCertCheck, nextResume), now);
        continue;
      }
      await stop.inFlight(() => runScheduledCycle(cycleDeps, cycles + 1));
      nextResume = engine.unresolved() > 0 ? now() + config.rotation.resumeRetrySeconds * 1000 : Infinity;
      cycles += 1;
      if (options.maxCycles !== undefined && cycles >= options.maxCycles) break;
      nextCycle = nextSlot(nextCycle, intervalMs, now(), stop.signal === undefined ? logger : undefined);
    }
  } finally {
    await stop.finish();
  }
  return { cycles, ...(stop.signal !== undefined ? { signal: stop.signal } : {}) };
}

/** Resolve what an earlier run left; the next attempt time if some is left, else Infinity. */
async function resumeUnfinished(engine: DaemonEngine, config: RotatorConfig, logger: RotatorLogger, now: () => number): Promise<number> {
  const left = await engine.resume();
  if (left > 0) logger.warn(`${left} unfinished transaction${left === 1 ? '' : 's'} left in the state: trying again in ${config.rotation.resumeRetrySeconds} s`);
  return left > 0 ? now() + config.rotation.resumeRetrySeconds * 1000 : Infinity;
}

/**
 * The slot after `slot` on the grid; the slots a cycle overran are skipped, never bunched up
 * (said to `logger`; none while stopping, as nothing is scheduled then).
 */
function nextSlot(slot: number, intervalMs: number, now: number, logger: RotatorLogger | undefined): number {
  const next = slot + intervalMs;
  if (next > now || logger === undefined) return next;
  const skipped = Math.ceil((now - next) / intervalMs);
  logger.warn(`cycle overran its interval: skipping ${skipped} slot${skipped === 1 ? '' : 's'}`);
  return next + skipped * intervalMs;
}
