// sim-junos's link record (GET /links on its admin endpoint): for every cable, each interval it
// was down and each it ran secured on the fallback key (epoch ms, `to` absent while open).
// Down time counts from a baseline — once `init` has secured every cable; before it there is no
// MACsec at all, which is set-up, not a drop — zero-length intervals included.
import type { AdminClient } from './admin.js';

export interface Interval {
  from: number;
  to?: number;
  reason: string;
}

export interface CableRecord {
  id: string;
  state: string;
  down: Interval[];
  fallback: Interval[];
  /** Both ends carry a fallback-key and it is the same (by CKN): the safety net is in place. */
  fallbackAgrees: boolean;
}

export async function readLinkRecord(admin: AdminClient): Promise<Map<string, CableRecord>> {
  return parseLinkRecord(await admin.read('/links'));
}

export function parseLinkRecord(body: unknown): Map<string, CableRecord> {
  if (typeof body !== 'object' || body === null) throw new Error('sim-junos GET /links: expected an object of link records');
  const out = new Map<string, CableRecord>();
  for (const [id, rec] of Object.entries(body as Record<string, Record<string, unknown>>)) {
    const intervals = (v: unknown, what: string): Interval[] => {
      if (!Array.isArray(v)) throw new Error(`sim-junos GET /links: ${id}.${what} is not a list`);
      return v.map((i: { from?: unknown; to?: unknown; reason?: unknown }) => ({
        from: Number(i.from),
        ...(i.to === undefined || i.to === null ? {} : { to: Number(i.to) }),
        reason: String(i.reason ?? ''),
      }));
    };
    const fallbackCkn = (end: unknown) => (end as { fallbackCkn?: unknown } | undefined)?.fallbackCkn;
    const a = fallbackCkn(rec['a']);
    const b = fallbackCkn(rec['b']);
    out.set(id, {
      id,
      state: String(rec['state']),
      down: intervals(rec['downIntervals'], 'downIntervals'),
      fallback: intervals(rec['fallbackIntervals'] ?? [], 'fallbackIntervals'),
      fallbackAgrees: typeof a === 'string' && a === b,
    });
  }
  return out;
}

/** Time within [since, now] covered by the intervals, and how many of them touch it (zero-length ones count). */
export function timeSince(intervals: readonly Interval[], since: number, now: number): { ms: number; count: number } {
  let total = 0;
  let count = 0;
  for (const i of intervals) {
    const to = i.to ?? now;
    if (to < since || (to === since && i.from < since)) continue; // over before the baseline
    count++;
    total += to - Math.max(i.from, since);
  }
  return { ms: total, count };
}
