// Random faults from the list, set on the running simulators through their admin
// endpoints: latency, 503s, timeouts, malformed replies, dropped connections (KMEs); commit
// failures, slow commits, dropped sessions, slow RPCs, no confirm (routers). Hung RPCs are left
// out: the rotator waits 60 s (its fixed NETCONF RPC timeout) for each, which stalls a soak
// without testing anything the dropped sessions do not. Each fault is an episode on one
// KME or device: set, held a few seconds, then the target's base faults are put back (the
// slow-commit device keeps its slowness).
import type { AdminClient } from './admin.js';
import type { Random } from './random.js';

export type FaultKind =
  | 'kme-latency'
  | 'kme-503'
  | 'kme-timeout'
  | 'kme-malformed'
  | 'kme-drop'
  | 'slow-commit'
  | 'commit-failure'
  | 'dropped-session'
  | 'rpc-latency'
  | 'no-confirm';

export const KME_FAULTS: readonly FaultKind[] = ['kme-latency', 'kme-503', 'kme-timeout', 'kme-malformed', 'kme-drop'];
export const JUNOS_FAULTS: readonly FaultKind[] = ['slow-commit', 'commit-failure', 'dropped-session', 'rpc-latency', 'no-confirm'];

export interface FaultLimits {
  /** Longest commit latency a slow-commit fault sets (the timing model counts it in the stage window). */
  maxCommitLatencyMs: number;
  /** Longest KME latency (below the rotator's KME timeout, so it is slow, not a timeout). */
  maxKmeLatencyMs: number;
}

/** The faults body for a kind (each simulator's own faults schema). */
export function faultBody(kind: FaultKind, random: Random, limits: FaultLimits): Record<string, unknown> {
  const rate = () => Math.round(random.between(0.3, 1) * 100) / 100;
  switch (kind) {
    case 'kme-latency':
      return { latencyMs: random.int(200, limits.maxKmeLatencyMs) };
    case 'kme-503':
      return { unavailableRate: rate() };
    case 'kme-timeout':
      return { stallRate: rate() };
    case 'kme-malformed':
      return { malformedRate: rate() };
    case 'kme-drop':
      return { dropRate: rate() };
    case 'slow-commit':
      return { commitLatencyMs: random.int(300, limits.maxCommitLatencyMs) };
    case 'commit-failure':
      return { failCommits: random.int(1, 2) };
    case 'dropped-session':
      return { dropAfterRpcs: random.int(0, 6) };
    case 'rpc-latency':
      return { rpcLatencyMs: random.int(50, 400) };
    case 'no-confirm':
      return { dropOnConfirm: true };
  }
}

export interface FaultTarget {
  sim: 'sim-kme' | 'sim-junos';
  id: string;
  admin: AdminClient;
  /** What the target runs with outside episodes ({} = healthy). */
  base: Record<string, unknown>;
}

export interface FaultEpisode {
  kind: FaultKind;
  target: string;
  at: number;
  durationMs: number;
  faults: Record<string, unknown>;
  /** Set when the admin endpoint refused it. */
  error?: string;
}

export interface FaultSchedulerOptions {
  targets: readonly FaultTarget[];
  random: Random;
  limits: FaultLimits;
  /** Mean gap between two episodes starting (ms). */
  meanGapMs: number;
  durationMs: { min: number; max: number };
  onEpisode?: (e: FaultEpisode) => void;
}

export interface FaultScheduler {
  episodes: FaultEpisode[];
  /** Stops new episodes and puts every target back to its base faults. */
  stop(): Promise<void>;
}

export function startFaults(o: FaultSchedulerOptions): FaultScheduler {
  const episodes: FaultEpisode[] = [];
  const busy = new Set<string>();
  const pending = new Set<Promise<void>>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const track = (p: Promise<void>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  const restore = async (t: FaultTarget) => {
    if (Object.keys(t.base).length === 0) await t.admin.clear(t.id);
    else await t.admin.put(t.id, t.base);
  };
  const runEpisode = async (t: FaultTarget) => {
    const kind = o.random.pick(t.sim === 'sim-kme' ? KME_FAULTS : JUNOS_FAULTS);
    const faults = faultBody(kind, o.random, o.limits);
    const durationMs = o.random.int(o.durationMs.min, o.durationMs.max);
    const episode: FaultEpisode = { kind, target: `${t.sim} ${t.id}`, at: Date.now(), durationMs, faults };
    busy.add(t.id);
    try {
      await t.admin.patch(t.id, faults);
      episodes.push(episode);
      o.onEpisode?.(episode);
      await new Promise((r) => setTimeout(r, durationMs));
    } catch (err) {
      episode.error = err instanceof Error ? err.message : String(err);
      episodes.push(episode);
      o.onEpisode?.(episode);
    } finally {
      await restore(t).catch(() => undefined);
      busy.delete(t.id);
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      const free = o.targets.filter((t) => !busy.has(t.id));
      if (free.length > 0) track(runEpisode(o.random.pick(free)));
      schedule();
    }, o.random.between(0.5, 1.5) * o.meanGapMs);
  };
  schedule();
  return {
    episodes,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.allSettled([...pending]);
      await Promise.allSettled(o.targets.map(restore));
    },
  };
}
