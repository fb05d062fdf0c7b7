// The CLI's table of links: state, and how long each was down and on its fallback key.
import type { LinkHistory } from './sim-types.js';
import type { LinkStatus } from './link-model.js';

export interface LinkRow {
  status: LinkStatus;
  history: Pick<LinkHistory, 'downMs' | 'fallbackMs'>;
}

const ms = (n: number) => (n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)} s`);

export function renderLinkTable(rows: LinkRow[]): string {
  const header = ['link', 'ends', 'state', 'down time', 'fallback time'];
  const body = rows.map(({ status: s, history: h }) => [
    s.id,
    `${s.a.device} ${s.a.interface} <-> ${s.b.device} ${s.b.interface}`,
    `${s.state}${s.reason ? ` (${s.reason})` : ''}`,
    ms(h.downMs),
    ms(h.fallbackMs),
  ]);
  const widths = header.map((_, c) => Math.max(...[header, ...body].map((r) => r[c]!.length)));
  return [header, ...body].map((r) => '  ' + r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}
