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
import { checkCertificates, mustRenewNow } from './commands/certs.js';
import { errorText } from './context.js';
import { createDaemonEngine, type DaemonEngine } from './daemon-engine.js';
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
  const retryMs = config.rotation.resumeRetrySeconds * 1000;

  let stopSignal: string | undefined;
  let wake: (() => void) | undefined;
  let closing: Promise<void> | undefined;
  let inFlight = false;
  let markClosed!: () => void;
  const engineClosed = new Promise<void>((r) => (markClosed = r));
  const close = () =>
    (closing ??= rotator
      .close()
      .catch((err: unknown) => {
        logger.error(`engine close failed: ${errorText(err)}`);
      })
      .finally(markClosed));
  const onSignal = (signal: string) => () => {
    if (stopSignal !== undefined) {
      if (closing === undefined) {
        logger.warn(`${signal} again: closing the engine now; the rest of the cycle in flight fails and is undone or resumed safely`);
        void close();
      } else logger.warn(`${signal} again: already closing`);
      return;
    }
    stopSignal = signal;
    engine.stop();
    logger.info(inFlight ? `${signal}: no new cycles; letting the cycle in flight finish (signal again to abandon it safely)` : `${signal}: no new cycles`);
    wake?.();
  };
  const handlers = { SIGTERM: onSignal('SIGTERM'), SIGINT: onSignal('SIGINT') };
  options.signals.on('SIGTERM', handlers.SIGTERM);
  options.signals.on('SIGINT', handlers.SIGINT);
  const onStop = onSignal('lost state lock');
  if (options.stop?.aborted) onStop();
  options.stop?.addEventListener('abort', onStop);

  const sleepUntil = (at: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve();
      }, Math.max(0, at - now()));
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });

  const checkCerts = async () => {
    try {
      for (const e of await checkCertificates(config, new Date(now()))) {
        if (e.notAfter !== undefined) metrics.setCertificateExpiry(e.sae, new Date(e.notAfter));
        if (mustRenewNow(e)) logger.error(`certificate of SAE ${e.sae} must be renewed now (${e.action}): ${e.problems.join('; ')}`, { sae: e.sae });
        else if (e.action === 'renew-at') logger.warn(`certificate of SAE ${e.sae} is due for renewal at ${e.renewAt}`, { sae: e.sae });
      }
    } catch (err) {
      logger.error(`certificate check failed: ${errorText(err)}`);
    }
  };

  /** Resolve what an earlier run left; the next attempt time if some is left, else Infinity. */
  const resume = async (): Promise<number> => {
    inFlight = true;
    try {
      const left = await engine.resume();
      if (left > 0) logger.warn(`${left} unfinished transaction${left === 1 ? '' : 's'} left in the state: trying again in ${config.rotation.resumeRetrySeconds} s`);
      return left > 0 ? now() + retryMs : Infinity;
    } finally {
      inFlight = false;
    }
  };

  let cycles = 0;
  try {
    const start = now();
    let nextResume = stopSignal === undefined ? await resume() : Infinity;
    const first = typeof options.firstCycleAt === 'function' ? await options.firstCycleAt() : options.firstCycleAt;
    let nextCycle = Math.max(start, first ?? start);
    let nextCertCheck = start;
    if (nextCycle > now()) logger.info(`first cycle at ${new Date(nextCycle).toISOString()}, when the first link is due`);
    while (stopSignal === undefined) {
      if (now() >= nextCertCheck) {
        await checkCerts();
        nextCertCheck += certIntervalMs;
      }
      if (now() >= nextResume && now() < nextCycle) {
        nextResume = await resume();
        continue;
      }
      if (now() < nextCycle) {
        await sleepUntil(Math.min(nextCycle, nextCertCheck, nextResume));
        continue;
      }
      const started = new Date(now());
      logger.info(`cycle ${cycles + 1} starting`);
      inFlight = true;
      try {
        // The engine resolves what is left first, as part of the cycle.
        const report = await engine.rotate({ onProgress: (e) => logger.debug(`${e.phase}${e.device !== undefined ? ` on ${e.device}` : ''}${e.message !== undefined ? `: ${e.message}` : ''}`, { link: e.link }) });
        const failed = report.links.filter((l) => l.result === 'failed');
        logger[failed.length > 0 ? 'warn' : 'info'](`cycle ${cycles + 1} finished: ${report.links.length - failed.length} ok, ${failed.length} failed`);
        options.onCycle?.(report);
      } catch (err) {
        // The engine reports per-link failures in the report; an exception means the whole cycle failed.
        logger.error(`cycle ${cycles + 1} failed: ${errorText(err)}`);
        health.cycleFinished({ startedAt: started, finishedAt: new Date(now()), links: config.links.length, succeeded: 0, failed: config.links.length, errors: [{ link: '*', error: errorText(err) }] });
        for (const l of config.links) metrics.recordRotation(l.name, 'failed');
      } finally {
        inFlight = false;
      }
      nextResume = engine.unresolved() > 0 ? now() + retryMs : Infinity;
      cycles += 1;
      if (options.maxCycles !== undefined && cycles >= options.maxCycles) break;
      nextCycle += intervalMs;
      if (nextCycle <= now() && stopSignal === undefined) {
        const skipped = Math.ceil((now() - nextCycle) / intervalMs);
        logger.warn(`cycle overran its interval: skipping ${skipped} slot${skipped === 1 ? '' : 's'}`);
        nextCycle += skipped * intervalMs;
      }
    }
  } finally {
    options.signals.off('SIGTERM', handlers.SIGTERM);
    options.signals.off('SIGINT', handlers.SIGINT);
    options.stop?.removeEventListener('abort', onStop);
    engine.stop();
    // A rotation asked through the control endpoint may still run: let it end (a second signal closes at once).
    await Promise.race([engine.idle(), engineClosed]);
    await close();
  }
  return { cycles, ...(stopSignal !== undefined ? { signal: stopSignal } : {}) };
}
