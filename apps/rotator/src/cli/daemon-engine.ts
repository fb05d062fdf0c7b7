// The daemon's engine: the rotator behind one gate, so that its scheduled cycles, the rotations
// asked through the control endpoint and the retries of unfinished transactions run one after
// another — the engine's resume() resolves every journal in the state, and must never see the
// journal of a cycle still in flight as one to resolve. After each of them the journals left in
// the state are the unresolved ones: they feed /metrics, /healthz and `status`.
import type { WaitInfo } from '../engine/types.js';
import { createKeyedMutex } from '../fleet/mutex.js';
import type { RotatorLogger } from '../log/index.js';
import type { HealthState, RotatorMetrics } from '../metrics/index.js';
import { createStateStore } from '../state/store.js';
import { errorText } from './context.js';
import type { CycleReport, LinkReport, LinkStatus, ProgressEvent, ResumeReport, Rotator } from './engine.js';
import { deadlineOf, type ContractJournal } from './pending.js';
import { buildStatusView, type StatusView } from './status-view.js';

export interface DaemonEngine {
  /** A rotation now (scheduled or asked for); waits for the one in flight. `onQueued` says so first. */
  rotate(options: { links?: string[]; dryRun?: boolean; noWait?: boolean; onProgress?: (e: ProgressEvent) => void; onWait?: (w: WaitInfo) => void }, onQueued?: (message: string) => void): Promise<CycleReport>;
  /** Resolve the unfinished transactions now; resolves to how many are left. */
  resume(): Promise<number>;
  /** Unresolved transactions after the last rotation or resume. */
  unresolved(): number;
  status(links?: string[]): Promise<StatusView>;
  /** Seed from the engine's link status (last success, links on fallback). */
  seed(statuses: readonly LinkStatus[]): void;
  /** Resolves once nothing runs in the gate. */
  idle(): Promise<void>;
  /** From now on, rotations asked for are refused. */
  stop(): void;
  stopping(): boolean;
}

export interface DaemonEngineOptions {
  rotator: Rotator;
  stateDir: string;
  logger: RotatorLogger;
  metrics: RotatorMetrics;
  health: HealthState;
  clock?: () => Date;
  /** For `status`: who answers. */
  daemon?: StatusView['daemon'];
}

type WithFallback = LinkReport & { onFallback?: true };

export function createDaemonEngine(options: DaemonEngineOptions): DaemonEngine {
  const { rotator, logger, metrics, health } = options;
  const now = () => options.clock?.() ?? new Date();
  const gate = createKeyedMutex();
  let running = 0;
  let stopped = false;
  let unresolved = new Set<string>();
  const onFallback = new Set<string>();

  const readJournals = async () => Object.values((await createStateStore(options.stateDir).load()).journals ?? {}) as ContractJournal[];

  const exclusive = async <T>(fn: () => Promise<T>): Promise<T> =>
    gate.withKeys(['engine'], async () => {
      running += 1;
      try {
        return await fn();
      } finally {
        running -= 1;
      }
    });

  /** Nothing runs in the gate: every journal in the state is one left unresolved. */
  const refresh = async () => {
    try {
      const journals = await readJournals();
      unresolved = new Set(journals.map((j) => j.cycleId));
      metrics.setUnresolved(journals.map((j) => new Date(deadlineOf(j))));
      health.setUnresolved(journals.map((j) => ({ cycleId: j.cycleId, links: Object.keys(j.links), deadline: new Date(deadlineOf(j)) })));
    } catch (err) {
      logger.error(`cannot read the journals in the state: ${errorText(err)}`);
    }
  };

  const fallbackChanged = () => {
    metrics.setLinksOnFallback([...onFallback]);
    health.setLinksOnFallback([...onFallback]);
  };
  const noteFallback = (report: CycleReport) => {
    for (const l of [...report.links, ...(((report as { fallback?: LinkReport[] }).fallback ?? []) as LinkReport[])] as WithFallback[]) {
      if (l.onFallback === true) {
        if (!onFallback.has(l.link)) logger.error(`link ${l.link} runs on its fallback key: its primary keys do not match; the next rotation repairs it`, { link: l.link });
        onFallback.add(l.link);
      } else if (l.result === 'ok') onFallback.delete(l.link);
    }
    fallbackChanged();
  };

  const logResumed = (reports: readonly ResumeReport[]) => {
    for (const r of reports) {
      const text = `unfinished transaction: link ${r.link} key ${r.keyId} ${r.outcome}${r.message !== undefined ? ` (${r.message})` : ''}`;
      if (r.outcome === 'alarm') logger.error(text, { link: r.link });
      else logger.info(text, { link: r.link });
    }
  };

  return {
    async rotate(o, onQueued) {
      if (stopped) throw new Error('the daemon is stopping');
      if (running > 0) onQueued?.('waiting for the rotation in flight to finish');
      return exclusive(async () => {
        if (stopped) throw new Error('the daemon is stopping');
        try {
          const report = await rotator.rotate(o);
          if (o.dryRun !== true) {
            record(report, metrics, health);
            noteFallback(report);
          }
          return report;
        } finally {
          await refresh();
        }
      });
    },
    async resume() {
      return exclusive(async () => {
        try {
          logResumed(await rotator.resume());
        } catch (err) {
          logger.error(`resolving the unfinished transactions failed: ${errorText(err)}; will try again`);
        }
        await refresh();
        return unresolved.size;
      });
    },
    unresolved: () => unresolved.size,
    async status(links) {
      const [statuses, journals] = await Promise.all([rotator.status(links?.length ? { links } : {}), readJournals()]);
      // While something runs in the gate, journals it has not left behind yet are its own.
      return buildStatusView(statuses, journals, now(), (id) => running > 0 && !unresolved.has(id), options.daemon !== undefined ? { daemon: options.daemon } : {});
    },
    seed(statuses) {
      for (const s of statuses) {
        if ((s as LinkStatus & { onFallback?: boolean }).onFallback === true) onFallback.add(s.link);
        metrics.setLinkSecured(s.link, s.secured);
      }
      fallbackChanged();
    },
    idle: () => gate.withKeys(['engine'], () => Promise.resolve()),
    stop: () => void (stopped = true),
    stopping: () => stopped,
  };
}

/** A rotation's outcome in the metrics and /healthz. */
function record(report: CycleReport, metrics: RotatorMetrics, health: HealthState): void {
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
