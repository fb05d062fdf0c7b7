// The step boundaries of a rotation transaction, as the chaos run sees them from outside the
// real binary: the rotator's own log lines (JSON, one per line on stderr), sim-junos's commit
// log (a stage is a `commit confirmed`, "confirmation pending"; a confirm is the rotator's next
// plain commit), and the state file's journal (written atomically: a new journal, a decision).
// A kill "at" a step lands within a few milliseconds after the step completed.

export const STEPS = ['fetched', 'journaled', 'device-staged', 'decision', 'device-confirmed', 'verified'] as const;
export type Step = (typeof STEPS)[number];

export interface StepEvent {
  step: Step;
  at: number;
  device?: string;
  link?: string;
  source: 'rotator' | 'sim-junos' | 'state';
}

interface RotatorLogLine {
  msg?: unknown;
  link?: unknown;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
// The engine's wording (apps/rotator/src/engine: key-flow.ts, record.ts); a fallback-key transaction ends at "installed".
const FETCHED = new RegExp(`^link (\\S+): (?:fallback )?key ${UUID} fetched`);
const VERIFIED = new RegExp(`^link (\\S+): (?:key ${UUID} active on |fallback key ${UUID} installed on )`);

/** A step from one of the rotator's JSON log lines, if it marks one. */
export function stepFromRotatorLine(line: string, at = Date.now()): StepEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  let v: RotatorLogLine;
  try {
    v = JSON.parse(line) as RotatorLogLine;
  } catch {
    return undefined;
  }
  if (typeof v.msg !== 'string') return undefined;
  let m = FETCHED.exec(v.msg);
  if (m) return { step: 'fetched', at, link: m[1]!, source: 'rotator' };
  m = VERIFIED.exec(v.msg);
  if (m) return { step: 'verified', at, link: m[1]!, source: 'rotator' };
  return undefined;
}

// sim-junos (tslog pretty, colours stripped): "… r03: commit by admin (qkd-macsec <cycle>: stage …), confirmation pending"
const COMMIT = /(?:^|\s)([A-Za-z0-9][A-Za-z0-9._-]*): commit by \S+(?: \((.*)\))?(, confirmation pending)?\s*$/;

/** A device-level step from one of sim-junos's log lines: the rotator's stage or confirm commit. */
export function stepFromSimJunosLine(line: string, at = Date.now()): StepEvent | undefined {
  const m = COMMIT.exec(line);
  if (!m) return undefined;
  const comment = m[2] ?? '';
  if (!comment.startsWith('qkd-macsec')) return undefined;
  if (m[3]) return { step: 'device-staged', at, device: m[1]!, source: 'sim-junos' };
  if (/\bconfirm/.test(comment)) return { step: 'device-confirmed', at, device: m[1]!, source: 'sim-junos' };
  return undefined;
}

export interface JournalView {
  cycleId: string;
  decided: boolean;
}

/** The journals of a state file's text (undefined when it does not parse, e.g. a torn read). */
export function journalsOf(stateText: string): JournalView[] | undefined {
  try {
    const s = JSON.parse(stateText) as { journals?: Record<string, { decision?: unknown }> };
    return Object.entries(s.journals ?? {}).map(([cycleId, j]) => ({ cycleId, decided: j.decision !== undefined && j.decision !== null }));
  } catch {
    return undefined;
  }
}

/** Steps between two readings of the state: a journal that appeared, a decision that was written. */
export function stepsFromJournals(before: readonly JournalView[], after: readonly JournalView[], at = Date.now()): StepEvent[] {
  const prev = new Map(before.map((j) => [j.cycleId, j]));
  const out: StepEvent[] = [];
  for (const j of after) {
    const p = prev.get(j.cycleId);
    if (!p) out.push({ step: 'journaled', at, source: 'state' });
    if (j.decided && !p?.decided) out.push({ step: 'decision', at, source: 'state' });
  }
  return out;
}
