// The cycle's journal in the state file (steps 4 and 6 of the protocol: each link's entry before
// its key reaches a device, the decision record before any end of a link is confirmed), written
// by coalesced writes (coalesce.ts): each write puts down the journal as it is when it starts.
import type { JournalLink } from '../state/types.js';
import { frozenEntry } from '../state/journal-text.js';
import { coalesce, type Coalesced } from './coalesce.js';
import type { CycleRun, RunBase } from './cycle-run.js';
import type { Tx } from './tx.js';

/**
 * A link's journal entry, frozen: the store keeps an entry's JSON for as long as the entry lives
 * (state/journal-text.ts), which is only right for an entry that cannot change. A change is a new
 * entry (entryOf).
 */
export function journalOf(run: RunBase, t: Tx): JournalLink {
  return frozenEntry({
    keyId: t.key!.keyId,
    ckn: t.key!.ckn,
    keyChain: t.link.keyChain,
    connectivityAssociation: t.link.connectivityAssociation,
    mode: run.mode,
    ends: t.link.ends.map((e) => ({ device: e.device, ...(t.plans.get(e.device) ? { slot: t.plans.get(e.device)!.slot } : {}), phase: t.phase.get(e.device) ?? 'planned' })),
  });
}

/** The journal writer of a run whose `state`, `startsAt`, `confirmDeadline` and `decision` are set. */
export function journalWriter(run: Omit<CycleRun, 'writeJournal'>): Coalesced {
  // Each link's journal entry, rebuilt only when its plans or phases changed since (a write of
  // a 2,000-link cycle rebuilt 2,000 entries, each write); key_IDs added once.
  const entries = new Map<Tx, { changes: number; entry: JournalLink }>();
  const entryOf = (t: Tx): JournalLink => {
    const changes = t.phase.changes + t.plans.changes;
    const cached = entries.get(t);
    if (cached?.changes === changes) return cached.entry;
    const entry = journalOf(run, t);
    entries.set(t, { changes, entry });
    return entry;
  };
  const keyIdsWritten = new Set<Tx>();
  const keyIdAt = run.startedAt.toISOString(); // one string for the cycle's entries, kept for good
  const { ctx, txs, cycleId, fb } = run;
  return coalesce(async () => {
    const added: Tx[] = [];
    try {
      await ctx.store.update((s) => {
        const links: Record<string, JournalLink> = {};
        for (const t of txs) {
          if (!t.key) continue;
          if (!keyIdsWritten.has(t)) {
            s.keyIds.add(t.key.keyId, { link: t.link.name, at: keyIdAt, ...(fb ? { kind: 'fallback' as const } : {}) });
            keyIdsWritten.add(t);
            added.push(t);
          }
          if (t.journaled !== false) links[t.link.name] = entryOf(t);
        }
        (s.journals ??= {})[cycleId] = {
          cycleId,
          kind: run.kind,
          startedAt: run.startedAt.toISOString(),
          startsAt: run.startsAt.toISOString(),
          confirmDeadline: run.confirmDeadline,
          ...(run.decision.links.length ? { decision: { ...run.decision, links: [...run.decision.links] } } : {}),
          links,
        };
      });
    } catch (e) {
      // Not on disk: the next write adds them again (the store re-reads the files after a failure).
      for (const t of added) keyIdsWritten.delete(t);
      throw e;
    }
    // A write gates staging (journal) and confirms (decision): the gap stays short (40–100 ms, a
    // few percent of a commit) yet a 2,000-link journal (~600 KB copied from its entries' kept
    // bytes, then two fsyncs on the writer thread: state/disk-writer.ts) is written ~25–50 times
    // a cycle, not thousands.
  }, { minGapMs: 40, gapFactor: 3, maxGapMs: 100 });
}
