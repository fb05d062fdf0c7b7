// What /healthz reports: the last cycle, and whether the daemon is healthy. Unhealthy when the
// last cycle failed entirely (every link failed), when no cycle finished for two intervals
// (counted from start-up until the first one) — a stuck daemon is as bad as a failing one —,
// while an unfinished transaction stays in the state past its confirm deadline, or while a link
// runs on its fallback key.

interface CycleSummary {
  startedAt: Date;
  finishedAt: Date;
  links: number;
  succeeded: number;
  failed: number;
  /** Link names that failed, with their error. */
  errors: Array<{ link: string; error: string }>;
}

interface UnresolvedTransaction {
  cycleId: string;
  links: string[];
  /** Its confirm deadline. */
  deadline: Date;
}

export interface HealthState {
  cycleFinished(summary: CycleSummary): void;
  /** The unfinished transactions in the state now. */
  setUnresolved(list: readonly UnresolvedTransaction[]): void;
  /** The links on their fallback key now. */
  setLinksOnFallback(links: readonly string[]): void;
  report(): { healthy: boolean; body: Record<string, unknown> };
}

export function createHealth(options: { intervalSeconds: number; now?: () => number; startedAt?: number }): HealthState {
  const now = options.now ?? Date.now;
  const startedAt = options.startedAt ?? now();
  let last: CycleSummary | undefined;
  let cycles = 0;
  let unresolved: readonly UnresolvedTransaction[] = [];
  let onFallback: readonly string[] = [];
  return {
    cycleFinished(summary) {
      last = summary;
      cycles += 1;
    },
    setUnresolved: (list) => void (unresolved = [...list]),
    setLinksOnFallback: (links) => void (onFallback = [...new Set(links)].sort()),
    report() {
      const since = last?.finishedAt.getTime() ?? startedAt;
      const stale = now() - since > 2 * options.intervalSeconds * 1000;
      const failedEntirely = last !== undefined && last.links > 0 && last.failed === last.links;
      const problems: string[] = [];
      if (failedEntirely) problems.push('the last cycle failed on every link');
      if (stale) problems.push(last === undefined ? `no cycle finished since start-up ${Math.round((now() - since) / 1000)} s ago` : `no cycle finished for ${Math.round((now() - since) / 1000)} s (interval ${options.intervalSeconds} s)`);
      for (const t of unresolved) {
        const past = Math.round((now() - t.deadline.getTime()) / 1000);
        if (past > 0) problems.push(`transaction ${t.cycleId} (links ${t.links.join(', ')}) is unresolved ${past} s past its confirm deadline ${t.deadline.toISOString()}`);
      }
      if (onFallback.length > 0) problems.push(`link${onFallback.length === 1 ? '' : 's'} ${onFallback.join(', ')} on the fallback key (primary keys do not match; the next rotation repairs ${onFallback.length === 1 ? 'it' : 'them'})`);
      const healthy = problems.length === 0;
      return {
        healthy,
        body: {
          status: healthy ? 'ok' : 'unhealthy',
          ...(problems.length > 0 ? { problems } : {}),
          startedAt: new Date(startedAt).toISOString(),
          cycles,
          unresolvedTransactions: unresolved.length,
          ...(onFallback.length > 0 ? { linksOnFallback: onFallback } : {}),
          lastCycle:
            last === undefined
              ? null
              : {
                  startedAt: last.startedAt.toISOString(),
                  finishedAt: last.finishedAt.toISOString(),
                  links: last.links,
                  succeeded: last.succeeded,
                  failed: last.failed,
                  errors: last.errors,
                },
        },
      };
    },
  };
}
