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
import { logResumed, noteFallback, publishFallback, publishUnresolved, recordRotation } from './daemon-reporting.js';
import type { CycleReport, LinkStatus, ProgressEvent, Rotator } from './engine.js';
import type { ContractJournal } from './pending.js';
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
      publishUnresolved(journals, metrics, health);
    } catch (err) {
      logger.error(`cannot read the journals in the state: ${errorText(err)}`);
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
            recordRotation(report, metrics, health);
            noteFallback(onFallback, report, logger, metrics, health);
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
          logResumed(await rotator.resume(), logger);
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
      publishFallback(onFallback, metrics, health);
    },
    idle: () => gate.withKeys(['engine'], () => Promise.resolve()),
    stop: () => void (stopped = true),
    stopping: () => stopped,
  };
}
