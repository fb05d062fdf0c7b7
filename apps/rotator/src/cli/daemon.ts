// The daemon loop behind `qkd-macsec run`. Cycles on a fixed grid (first cycle + k·interval, no
// jitter; a slot missed because a cycle overran is skipped, never bunched up), certificate
// checks every checkIntervalHours, metrics and health after each cycle.
// SIGTERM/SIGINT stop the scheduling at once; the cycle in flight runs to its end (its
// transaction completes or is undone by the engine's own rules) and then the engine is closed.
// A second signal closes the engine at once: what the cycle has not done yet fails, and the
// confirmed commits and the journal keep every link on one key (the next start resolves it).
import type { RotatorConfig } from '../config/index.js';
import type { RotatorLogger } from '../log/index.js';
import type { HealthState, RotatorMetrics } from '../metrics/index.js';
import { checkCertificates, mustRenewNow } from './commands/certs.js';
import { errorText } from './context.js';
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
  /** Called after every cycle (tests, the demo). */
  onCycle?: (report: CycleReport) => void;
  /** Stop after this many cycles (tests); default: until a signal. */
  maxCycles?: number;
  /**
   * When the first cycle runs (epoch ms); default now. `run` passes the earliest time a link is
   * due (its last success + interval), so a restarted daemon does not spend keys on links that
   * were just rotated.
   */
  firstCycleAt?: number;
}

export interface DaemonResult {
  cycles: number;
  /** The signal that stopped it, if any. */
  signal?: string;
}

export async function runDaemon(options: DaemonOptions): Promise<DaemonResult> {
  const { config, rotator, logger, metrics, health } = options;
  const now = () => (options.clock?.() ?? new Date()).getTime();
  const intervalMs = config.rotation.intervalSeconds * 1000;
  const certIntervalMs = config.certificates.checkIntervalHours * 3_600_000;

  let stopSignal: string | undefined;
  let wake: (() => void) | undefined;
  let closing: Promise<void> | undefined;
  let inFlight = false;
  const close = () =>
    (closing ??= rotator.close().catch((err: unknown) => {
      logger.error(`engine close failed: ${errorText(err)}`);
    }));
  const onSignal = (signal: string) => () => {
    if (stopSignal !== undefined) {
      if (inFlight && closing === undefined) {
        logger.warn(`${signal} again: closing the engine now; the rest of the cycle in flight fails and is undone or resumed safely`);
        void close();
      } else logger.warn(`${signal} again: already closing`);
      return;
    }
    stopSignal = signal;
    logger.info(inFlight ? `${signal}: no new cycles; letting the cycle in flight finish (signal again to abandon it safely)` : `${signal}: no new cycles`);
    wake?.();
  };
  const handlers = { SIGTERM: onSignal('SIGTERM'), SIGINT: onSignal('SIGINT') };
  options.signals.on('SIGTERM', handlers.SIGTERM);
  options.signals.on('SIGINT', handlers.SIGINT);

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
        if (e.daysLeft !== undefined) metrics.setCertificateDaysLeft(e.sae, e.daysLeft);
        if (mustRenewNow(e)) logger.error(`certificate of SAE ${e.sae} must be renewed now (${e.action}): ${e.problems.join('; ')}`, { sae: e.sae });
        else if (e.action === 'renew-at') logger.warn(`certificate of SAE ${e.sae} is due for renewal at ${e.renewAt}`, { sae: e.sae });
      }
    } catch (err) {
      logger.error(`certificate check failed: ${errorText(err)}`);
    }
  };

  let cycles = 0;
  try {
    const start = now();
    let nextCycle = Math.max(start, options.firstCycleAt ?? start);
    let nextCertCheck = start;
    if (nextCycle > start) logger.info(`first cycle at ${new Date(nextCycle).toISOString()}, when the first link is due`);
    while (stopSignal === undefined) {
      if (now() >= nextCertCheck) {
        await checkCerts();
        nextCertCheck += certIntervalMs;
      }
      if (now() < nextCycle) {
        await sleepUntil(Math.min(nextCycle, nextCertCheck));
        continue;
      }
      const started = new Date(now());
      logger.info(`cycle ${cycles + 1} starting`);
      inFlight = true;
      try {
        const report = await rotator.rotate({ onProgress: (e) => logger.debug(`${e.phase}${e.device !== undefined ? ` on ${e.device}` : ''}${e.message !== undefined ? `: ${e.message}` : ''}`, { link: e.link }) });
        record(report, metrics, health);
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
    await close();
  }
  return { cycles, ...(stopSignal !== undefined ? { signal: stopSignal } : {}) };
}

export function record(report: CycleReport, metrics: RotatorMetrics, health: HealthState): void {
  const finishedAt = new Date(report.finishedAt);
  for (const l of report.links) {
    const result = l.result === 'ok' ? 'success' : l.result;
    metrics.recordRotation(l.link, result, l.startTime !== undefined ? new Date(l.startTime) : finishedAt);
  }
  health.cycleFinished({
    startedAt: new Date(report.startedAt),
    finishedAt,
    links: report.links.length,
    succeeded: report.links.filter((l) => l.result === 'ok').length,
    failed: report.links.filter((l) => l.result === 'failed').length,
    errors: report.links.filter((l) => l.error !== undefined).map((l) => ({ link: l.link, error: `${l.error!.phase}: ${l.error!.message}` })),
  });
}
