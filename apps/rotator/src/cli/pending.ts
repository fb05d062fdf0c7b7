// What will happen next to each unfinished transaction in the state: a pure function of the
// journal and the time, following the engine's resolution rules (DESIGN.md "The rotation
// protocol"): with a decision and every end still holding the key (before the confirm deadline)
// -> confirm the rest, then verify after the start-time; otherwise remove the key from the ends
// that hold it (before the start-time nothing changed on the wire; after it, those ends fall back
// to the previous key, still in the chain). Links without a decision are rolled back.
import type { Journal, JournalEnd } from '../state/types.js';

/** The journal with this round's contract fields (state/types.ts gets them from the engine side). */
export type ContractJournal = Journal & {
  kind?: 'primary' | 'fallback';
  confirmDeadline?: string;
  decision?: { outcome: 'commit'; at: string; links: string[] };
};

type NextAction = 'confirm' | 'verify' | 'remove' | 'nothing';

export interface PendingLink {
  link: string;
  keyId: string;
  ends: Array<{ device: string; phase: JournalEnd['phase']; slot?: number }>;
  /** Decision "commit" recorded for this link. */
  decided: boolean;
  next: NextAction;
  /** The devices the next action touches. */
  devices: string[];
  /** One sentence for the table. */
  text: string;
}

export interface PendingTransaction {
  cycleId: string;
  kind: 'primary' | 'fallback';
  startedAt: string;
  startsAt: string;
  confirmDeadline?: string;
  decision?: { at: string; links: string[] };
  /** Past its confirm deadline and still in the state. */
  overdue: boolean;
  links: PendingLink[];
}

/** An end holds the key once its commit confirmed went through, until it is removed. */
const holds = (e: JournalEnd) => e.phase === 'staged' || e.phase === 'confirmed';

export function nextAction(journal: ContractJournal, link: string, now: Date): Pick<PendingLink, 'next' | 'devices' | 'text'> {
  const j = journal.links[link];
  if (j === undefined) return { next: 'nothing', devices: [], text: `link ${link} is not in this transaction` };
  const t = now.getTime();
  const deadline = journal.confirmDeadline !== undefined ? Date.parse(journal.confirmDeadline) : undefined;
  const afterStart = t >= Date.parse(journal.startsAt);
  const decided = journal.decision?.outcome === 'commit' && journal.decision.links.includes(link);
  const holders = j.ends.filter(holds).map((e) => e.device);
  const unconfirmed = j.ends.filter((e) => e.phase !== 'confirmed').map((e) => e.device);
  const confirmed = j.ends.filter((e) => e.phase === 'confirmed').map((e) => e.device);

  if (decided && unconfirmed.length === 0) {
    return afterStart
      ? { next: 'verify', devices: j.ends.map((e) => e.device), text: 'every end confirmed: verify MKA on the new key now' }
      : { next: 'verify', devices: j.ends.map((e) => e.device), text: `every end confirmed: verify MKA after the start-time ${journal.startsAt}` };
  }
  // With the decision, an end still staged keeps the key until the confirm deadline: confirm it.
  const beforeDeadline = deadline === undefined || t < deadline;
  if (decided && beforeDeadline && unconfirmed.every((d) => holders.includes(d))) {
    return { next: 'confirm', devices: unconfirmed, text: `decision commit: confirm on ${unconfirmed.join(', ')}${deadline !== undefined ? ` before ${journal.confirmDeadline}` : ''}, then verify after the start-time` };
  }
  // Otherwise the key comes off. Past the deadline only confirmed ends still hold it (staged ones rolled back).
  const remove = beforeDeadline ? holders : confirmed;
  const why = !decided ? 'no decision: roll back' : beforeDeadline ? `decision commit, but ${unconfirmed.filter((d) => !holders.includes(d)).join(', ')} never staged it: roll back` : `decision commit, but the confirm deadline ${journal.confirmDeadline} passed before ${unconfirmed.join(', ')} got its confirm: roll back`;
  if (remove.length === 0) {
    const rolling = holders.length > 0 && deadline !== undefined && beforeDeadline ? `; ${holders.join(', ')} roll back by themselves at ${journal.confirmDeadline}` : '';
    return { next: 'nothing', devices: [], text: `${why}: no end holds the key${rolling}; the journal entry is cleared` };
  }
  return {
    next: 'remove',
    devices: remove,
    text: afterStart
      ? `${why}: remove the key from ${remove.join(', ')}, which switched to it at the start-time; they fall back to the previous key (the fallback key carries the traffic meanwhile)`
      : `${why}: remove the key from ${remove.join(', ')} before the start-time ${journal.startsAt}; the old key stays active on every end`,
  };
}

export function pendingTransactions(journals: readonly ContractJournal[], now: Date): PendingTransaction[] {
  return [...journals]
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt))
    .map((j) => ({
      cycleId: j.cycleId,
      kind: j.kind ?? 'primary',
      startedAt: j.startedAt,
      startsAt: j.startsAt,
      ...(j.confirmDeadline !== undefined ? { confirmDeadline: j.confirmDeadline } : {}),
      ...(j.decision !== undefined ? { decision: { at: j.decision.at, links: [...j.decision.links] } } : {}),
      overdue: deadlineOf(j) < now.getTime(),
      links: Object.entries(j.links).map(([link, l]) => ({
        link,
        keyId: l.keyId,
        ends: l.ends.map((e) => ({ device: e.device, phase: e.phase, ...(e.slot !== undefined ? { slot: e.slot } : {}) })),
        decided: j.decision?.outcome === 'commit' && j.decision.links.includes(link),
        ...nextAction(j, link, now),
      })),
    }));
}

/** The confirm deadline in epoch ms (journals written before it existed: their start-time). */
export function deadlineOf(j: ContractJournal): number {
  return Date.parse(j.confirmDeadline ?? j.startsAt);
}
