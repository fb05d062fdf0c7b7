// One scheduled cycle of the daemon, logged; a cycle that throws (rather than reporting its links'
// failures) is recorded as every link failed, in /healthz and /metrics.
import type { RotatorConfig } from '../config/index.js';
import type { RotatorLogger } from '../log/index.js';
import type { HealthState, RotatorMetrics } from '../metrics/index.js';
import { errorText } from './context.js';
import type { DaemonEngine } from './daemon-engine.js';
import type { CycleReport } from './engine.js';

export interface CycleDeps {
  config: RotatorConfig;
  engine: DaemonEngine;
  logger: RotatorLogger;
  metrics: RotatorMetrics;
  health: HealthState;
  now: () => number;
  onCycle?: ((report: CycleReport) => void) | undefined;
}

/** Runs cycle number `n` (from 1). */
export async function runScheduledCycle(deps: CycleDeps, n: number): Promise<void> {
  const { config, engine, logger, metrics, health, now } = deps;
  const started = new Date(now());
  logger.info(`cycle ${n} starting`);
  try {
    // The engine resolves what is left first, as part of the cycle.
    const report = await engine.rotate({ onProgress: (e) => logger.debug(`${e.phase}${e.device !== undefined ? ` on ${e.device}` : ''}${e.message !== undefined ? `: ${e.message}` : ''}`, { link: e.link }) });
    const failed = report.links.filter((l) => l.result === 'failed');
    logger[failed.length > 0 ? 'warn' : 'info'](`cycle ${n} finished: ${report.links.length - failed.length} ok, ${failed.length} failed`);
    deps.onCycle?.(report);
  } catch (err) {
    // The engine reports per-link failures in the report; an exception means the whole cycle failed.
    logger.error(`cycle ${n} failed: ${errorText(err)}`);
    health.cycleFinished({ startedAt: started, finishedAt: new Date(now()), links: config.links.length, succeeded: 0, failed: config.links.length, errors: [{ link: '*', error: errorText(err) }] });
    for (const l of config.links) metrics.recordRotation(l.name, 'failed');
  }
}
