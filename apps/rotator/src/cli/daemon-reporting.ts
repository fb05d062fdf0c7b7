// What the daemon's rotations and resumes leave in /metrics, /healthz and the log: each rotation's
// outcome, the links on their fallback key, the unresolved transactions, what a resume settled.
import type { RotatorLogger } from '../log/index.js';
import type { HealthState, RotatorMetrics } from '../metrics/index.js';
import type { CycleReport, LinkReport, ResumeReport } from './engine.js';
import { deadlineOf, type ContractJournal } from './pending.js';

type WithFallback = LinkReport & { onFallback?: true };

/** A rotation's outcome in the metrics and /healthz. */
export function recordRotation(report: CycleReport, metrics: RotatorMetrics, health: HealthState): void {
  const finishedAt = new Date(report.finishedAt);
  for (const l of report.links) {
    const result = l.result === 'ok' ? 'success' : l.result;
    metrics.recordRotation(l.link, result, l.startTime !== undefined ? new Date(l.startTime) : finishedAt);
    // A verified rotation saw MKA secured; a failed verification saw it not secured. Any other
    // failure left the link on its previous key, whose state nothing here re-read.
    if (l.result === 'ok') metrics.setLinkSecured(l.link, true);
    else if (l.result === 'failed' && l.error?.phase === 'verify') metrics.setLinkSecured(l.link, false);
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

/** Updates `onFallback` from a rotation's links (logging a link that just went on its fallback key) and publishes it. */
export function noteFallback(onFallback: Set<string>, report: CycleReport, logger: RotatorLogger, metrics: RotatorMetrics, health: HealthState): void {
  for (const l of [...report.links, ...(((report as { fallback?: LinkReport[] }).fallback ?? []) as LinkReport[])] as WithFallback[]) {
    if (l.onFallback === true) {
      if (!onFallback.has(l.link)) logger.error(`link ${l.link} runs on its fallback key: its primary keys do not match; the next rotation repairs it`, { link: l.link });
      onFallback.add(l.link);
    } else if (l.result === 'ok') onFallback.delete(l.link);
  }
  publishFallback(onFallback, metrics, health);
}

export function publishFallback(onFallback: ReadonlySet<string>, metrics: RotatorMetrics, health: HealthState): void {
  metrics.setLinksOnFallback([...onFallback]);
  health.setLinksOnFallback([...onFallback]);
}

export function publishUnresolved(journals: readonly ContractJournal[], metrics: RotatorMetrics, health: HealthState): void {
  metrics.setUnresolved(journals.map((j) => new Date(deadlineOf(j))));
  health.setUnresolved(journals.map((j) => ({ cycleId: j.cycleId, links: Object.keys(j.links), deadline: new Date(deadlineOf(j)) })));
}

export function logResumed(reports: readonly ResumeReport[], logger: RotatorLogger): void {
  for (const r of reports) {
    const text = `unfinished transaction: link ${r.link} key ${r.keyId} ${r.outcome}${r.message !== undefined ? ` (${r.message})` : ''}`;
    if (r.outcome === 'alarm') logger.error(text, { link: r.link });
    else logger.info(text, { link: r.link });
  }
}
