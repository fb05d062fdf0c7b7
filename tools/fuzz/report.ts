// The run's report as a plain-text table.
import { knownFinding } from './known-findings.js';
import type { FuzzReport } from './types.js';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((row) => row.map((cell, c) => (c === 0 || c === row.length - 1 && c > 3 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd()).join('\n');
}

const rate = (inputs: number, ms: number) => (ms > 0 ? Math.round((inputs * 1000) / ms).toLocaleString('en-US') : '-');

export function formatReport(r: FuzzReport): string {
  const lines: string[] = [];
  lines.push(
    table([
      ['target', 'inputs', 'worker time', 'inputs/s', 'findings'],
      ...r.targets.map((t) => [t.target, t.inputs.toLocaleString('en-US'), `${(t.ms / 1000).toFixed(1)} s`, rate(t.inputs, t.ms), String(t.findings)]),
      ['total', r.inputs.toLocaleString('en-US'), `${(r.ms / 1000).toFixed(1)} s wall`, rate(r.inputs, r.ms), String(r.findings.reduce((s, g) => s + g.count, 0))],
    ]),
  );
  lines.push('', `seed ${r.seed}`);
  if (r.findings.length === 0) {
    lines.push('no findings');
    return lines.join('\n');
  }
  lines.push('', table([['target', 'kind', 'count', 'example', 'summary'], ...r.findings.map((g) => [g.target, g.kind, String(g.count), String(g.examples[0]?.index ?? '-'), g.summary.length > 90 ? `${g.summary.slice(0, 89)}…` : g.summary])]));
  for (const g of r.findings) {
    lines.push('', `[${g.target}] ${g.kind} ×${g.count}: ${g.summary}`);
    const known = knownFinding(g);
    if (known) lines.push(`  open, listed in known-findings.ts: ${known.why}`);
    for (const e of g.examples) {
      lines.push(`  #${e.index}${e.ms !== undefined ? ` (${e.ms} ms)` : ''}${e.detail ? ` — ${e.detail}` : ''}`);
      if (e.input) lines.push(`    input: ${e.input.length > 400 ? `${e.input.slice(0, 400)}…` : e.input}`);
      lines.push(`    replay: npm run fuzz -- --target ${e.target} --seed ${r.seed} --replay ${e.index}`);
    }
  }
  return lines.join('\n');
}
