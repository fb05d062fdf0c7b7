// Plain text tables for terminal output: a header, a rule, left-aligned columns (numbers right-
// aligned), no colours, so the same text works in a terminal, a pipe and a test assertion.

export type Cell = string | number | undefined | null;

export function renderTable(headers: string[], rows: Cell[][]): string {
  const text = rows.map((r) => headers.map((_, i) => show(r[i])));
  const numeric = headers.map((_, i) => rows.some((r) => typeof r[i] === 'number') && rows.every((r) => typeof r[i] === 'number' || r[i] === undefined || r[i] === null));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [fmt(headers), fmt(widths.map((w) => '-'.repeat(w))), ...text.map(fmt)].join('\n');
}

function show(c: Cell): string {
  if (c === undefined || c === null || c === '') return '-';
  return String(c).replace(/\s+/g, ' ');
}

/** 1.234 s, 850 ms, 2 min 05 s, 3 h 10 min, 4 d 2 h. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const neg = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a < 1000) return `${neg}${Math.round(a)} ms`;
  if (a < 60_000) return `${neg}${(a / 1000).toFixed(1)} s`;
  const s = Math.round(a / 1000);
  if (s < 3600) return `${neg}${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  if (s < 86_400) return `${neg}${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  return `${neg}${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}
