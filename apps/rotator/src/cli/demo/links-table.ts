// The demo's last word: each cable as the simulator sees it — state, the key_ID the rotator says
// it carries, which key is active, the time it was down once first secured (0 ms is the point)
// and the time it ran on its fallback key. Shared by `demo` and `demo --sites`.
import type { SimJunos } from '@qkd-macsec/sim-junos';
import { formatDuration, renderTable } from '../table.js';
import type { DemoCable } from './topology.js';

export interface LinksView {
  /** The table, ready to print. */
  table: string;
  /** Every cable secured, never down since first secured. */
  ok: boolean;
  downMs: Record<string, number>;
  fallbackMs: Record<string, number>;
}

export function linksView(junos: SimJunos, cables: DemoCable[], simStart: number, keyOf: ReadonlyMap<string, string | undefined>): LinksView {
  let ok = true;
  const downMs: Record<string, number> = {};
  const fallbackMs: Record<string, number> = {};
  const rows = cables.map((c) => {
    const st = junos.linkStatus(c.id);
    const history = junos.linkHistory(c.id);
    const down = downTimeAfterFirstSecured(history.downIntervals, simStart, junos.now());
    downMs[c.id] = down.ms;
    fallbackMs[c.id] = history.fallbackMs;
    if (st.state !== 'secured' || down.drops > 0 || !down.everSecured) ok = false;
    return [
      c.link,
      `${c.a} <-> ${c.b}`,
      st.state,
      keyOf.get(c.link),
      st.a.source === 'key-chain' ? `key-chain slot ${st.a.keyIndex ?? '?'}` : st.a.source,
      !down.everSecured ? 'never secured' : down.drops === 0 ? '0 ms' : `${formatDuration(down.ms)} in ${down.drops} drop${down.drops === 1 ? '' : 's'}`,
      history.fallbackMs === 0 ? '0 ms' : formatDuration(history.fallbackMs),
    ];
  });
  return { table: renderTable(['link', 'cable', 'state', 'key_ID', 'active key', 'down time', 'fallback time'], rows), ok, downMs, fallbackMs };
}

/**
 * Down time of a cable after it was first secured. Before `init` there is no MACsec at all, so
 * the model's first interval, open since the simulator started, is the set-up, not a drop.
 * `drops` counts every later interval, zero-length ones included (a moment of mismatch).
 */
export function downTimeAfterFirstSecured(intervals: ReadonlyArray<{ from: number; to?: number }>, simStart: number, now: number): { ms: number; drops: number; everSecured: boolean } {
  const setup = intervals[0] !== undefined && intervals[0].from <= simStart ? intervals[0] : undefined;
  if (setup !== undefined && setup.to === undefined) return { ms: 0, drops: 0, everSecured: false };
  const later = setup === undefined ? intervals : intervals.slice(1);
  return { ms: later.reduce((sum, i) => sum + ((i.to ?? now) - i.from), 0), drops: later.length, everSecured: true };
}
