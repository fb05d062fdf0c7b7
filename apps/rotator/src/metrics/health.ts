// What /healthz reports: the last cycle, and whether the daemon is healthy. Unhealthy when the
// last cycle failed entirely (every link failed), or when no cycle finished for two intervals
// (counted from start-up until the first one) — a stuck daemon is as bad as a failing one.

export interface CycleSummary {
  startedAt: Date;
  finishedAt: Date;
  links: number;
  succeeded: number;
  failed: number;
  /** Link names that failed, with their error. */
  errors: Array<{ link: string; error: string }>;
}

export interface HealthState {
  cycleFinished(summary: CycleSummary): void;
  report(): { healthy: boolean; body: Record<string, unknown> };
}

export function createHealth(options: { intervalSeconds: number; now?: () => number; startedAt?: number }): HealthState {
  const now = options.now ?? Date.now;
  const startedAt = options.startedAt ?? now();
  let last: CycleSummary | undefined;
  let cycles = 0;
  return {
    cycleFinished(summary) {
      last = summary;
      cycles += 1;
    },
    report() {
      const since = last?.finishedAt.getTime() ?? startedAt;
      const stale = now() - since > 2 * options.intervalSeconds * 1000;
      const failedEntirely = last !== undefined && last.links > 0 && last.failed === last.links;
      const problems: string[] = [];
      if (failedEntirely) problems.push('the last cycle failed on every link');
      if (stale) problems.push(last === undefined ? `no cycle finished since start-up ${Math.round((now() - since) / 1000)} s ago` : `no cycle finished for ${Math.round((now() - since) / 1000)} s (interval ${options.intervalSeconds} s)`);
      const healthy = problems.length === 0;
      return {
        healthy,
        body: {
          status: healthy ? 'ok' : 'unhealthy',
          ...(problems.length > 0 ? { problems } : {}),
          startedAt: new Date(startedAt).toISOString(),
          cycles,
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
