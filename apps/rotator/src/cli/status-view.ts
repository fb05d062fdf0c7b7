// What `status` shows, whether the CLI reads it itself or a daemon answers: the links as the engine
// reports them, and each unfinished transaction in the state with what happens to it next.
import type { LockHolder } from '../state/lock.js';
import type { LinkStatus } from './engine.js';
import { pendingTransactions, type ContractJournal, type PendingTransaction } from './pending.js';

interface PendingView extends PendingTransaction {
  /** in-flight: a running rotator is in the middle of it; unresolved: left by a run that stopped, waiting to be resolved. */
  state: 'in-flight' | 'unresolved';
}

export interface StatusView {
  links: LinkStatus[];
  pending: PendingView[];
  /** The process that holds the state directory's lock now, if any. */
  writer?: LockHolder;
  /** Set when a daemon answered. */
  daemon?: { pid: number; url: string; resumeRetrySeconds: number };
}

/** `inFlight(cycleId)`: is this transaction being worked on right now by a live rotator? */
export function buildStatusView(links: LinkStatus[], journals: readonly ContractJournal[], now: Date, inFlight: (cycleId: string) => boolean, extra: Pick<StatusView, 'writer' | 'daemon'> = {}): StatusView {
  return {
    links,
    pending: pendingTransactions(journals, now).map((t) => ({ ...t, state: inFlight(t.cycleId) ? 'in-flight' : 'unresolved' })),
    ...extra,
  };
}
