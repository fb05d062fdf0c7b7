// The chaos run's figures: a table for people, JSON for machines, and the verdict — the run
// fails when any must-be-zero figure is not zero.

export interface Figures {
  seed: number;
  links: number;
  devices: number;
  concurrency: number;
  slowDevice: string;
  durationMs: number;
  timing: { confirmMinuteMs: number; leadTimeSeconds: number; intervalSeconds: number; slowCommitMs: number };
  rotations: {
    /** Every rotation a rotator started: the keys it fetched plus the fetches that failed. */
    attempted: number;
    /** Keys that became the active key of their link. */
    succeeded: number;
    /** Keys that reached at least one device and were taken back (never active). */
    rolledBack: number;
    /** Keys fetched that never reached a device (killed or failed before staging). */
    notStaged: number;
    fetchFailed: number;
    failuresByPhase: Record<string, number>;
  };
  /** Fallback-key rotations (their own, slower schedule). */
  fallbackRotations: { fetched: number; installed: number };
  faults: { total: number; byKind: Record<string, number>; refused: number };
  kills: {
    total: number;
    byStep: Record<string, number>;
    stepNotSeen: number;
    restarts: Record<string, number>;
    daemonExits: Record<string, number>;
    /** Every kill: its plan, the step event it followed, the restart delay. */
    list?: Array<{ n: number; plan: string; after?: string; restart: string; restartDelayMs: number }>;
  };
  rotateCommands: { total: number; byExitCode: Record<string, number>; linkResults: Record<string, number> };
  linkDown: { ms: number; intervals: number; byCable: Record<string, { ms: number; intervals: number; reasons: string[] }> };
  fallback: {
    ms: number;
    intervals: number;
    byCable: Record<string, number>;
    /** Per cable, the longest stretch its two ends carried different fallback keys (or one none). */
    keysDifferedLongestMs: Record<string, number>;
  };
  keyIds: { issued: number; installed: number; installedTwice: number; missingFromState: number; cakNotFromQkd: number };
  keyMaterial: { found: number; files: number; bytes: number; needles: number; leaks: Array<{ where: string; line: number; form: string; key: string }> };
  end: {
    linksNotSecured: string[];
    /** Cables whose ends do not carry the same fallback key after the quiet period. */
    fallbackKeysDiffer: string[];
    unresolvedJournals: number;
    quietWithinMs: number | null;
  };
}

/** The figures that must be zero, with their values. */
export function mustBeZero(f: Figures): Array<[name: string, value: number]> {
  return [
    ['link-down ms', f.linkDown.ms],
    ['link-down intervals', f.linkDown.intervals],
    ['key_IDs installed twice', f.keyIds.installedTwice],
    ['key_IDs missing from the state', f.keyIds.missingFromState],
    ['CAKs not from a QKD key', f.keyIds.cakNotFromQkd],
    ['key material found', f.keyMaterial.found],
    ['links not secured at the end', f.end.linksNotSecured.length],
    ['cables whose fallback keys differ at the end', f.end.fallbackKeysDiffer.length],
    ['unresolved transactions at the end', f.end.unresolvedJournals],
  ];
}

export function failedFigures(f: Figures): string[] {
  return mustBeZero(f)
    .filter(([, v]) => v !== 0)
    .map(([n, v]) => `${n}: ${v}`);
}

const byKey = (r: Record<string, number>) =>
  Object.entries(r)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '-';

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const longestOf = (byCable: Record<string, number>) => {
  const top = Object.entries(byCable).sort(([, a], [, b]) => b - a);
  return top.length === 0 ? 'never' : `${top.length} cables; longest ${top.slice(0, 3).map(([c, ms]) => `${c} ${secs(ms)}`).join(', ')}`;
};

export function renderTable(f: Figures): string {
  const rows: Array<[string, string]> = [
    ['seed', String(f.seed)],
    ['topology', `${f.links} links (1 group), ${f.devices} devices, concurrency ${f.concurrency}, slow-commit device ${f.slowDevice}`],
    ['timing', `confirm minute ${f.timing.confirmMinuteMs} ms, lead ${f.timing.leadTimeSeconds} s, interval ${f.timing.intervalSeconds} s, slow commit ${f.timing.slowCommitMs} ms`],
    ['duration', secs(f.durationMs)],
    ['rotations attempted', String(f.rotations.attempted)],
    ['  succeeded', String(f.rotations.succeeded)],
    ['  rolled back', String(f.rotations.rolledBack)],
    ['  fetched, never staged', String(f.rotations.notStaged)],
    ['  fetch failed', String(f.rotations.fetchFailed)],
    ['  failures by phase', byKey(f.rotations.failuresByPhase)],
    ['fallback-key rotations', `${f.fallbackRotations.fetched} fetched, ${f.fallbackRotations.installed} installed`],
    ['faults', `${f.faults.total}${f.faults.refused ? ` (${f.faults.refused} refused)` : ''}: ${byKey(f.faults.byKind)}`],
    ['kills (SIGKILL)', `${f.kills.total}: ${byKey(f.kills.byStep)}${f.kills.stepNotSeen ? `; ${f.kills.stepNotSeen} at a random moment because the step did not come` : ''}`],
    ['restarts', byKey(f.kills.restarts)],
    ['daemon exits on its own', byKey(f.kills.daemonExits)],
    ['rotate commands', `${f.rotateCommands.total}: exit ${byKey(f.rotateCommands.byExitCode)}; links ${byKey(f.rotateCommands.linkResults)}`],
    ['link-down ms (must be 0)', `${f.linkDown.ms} ms in ${f.linkDown.intervals} intervals`],
    ['time on fallback', `${secs(f.fallback.ms)} in ${f.fallback.intervals} intervals`],
    ['fallback keys differed (longest)', longestOf(f.fallback.keysDifferedLongestMs)],
    ['key_IDs issued / installed', `${f.keyIds.issued} / ${f.keyIds.installed}`],
    ['key_IDs installed twice (must be 0)', String(f.keyIds.installedTwice)],
    ['key_IDs missing from state (must be 0)', String(f.keyIds.missingFromState)],
    ['CAKs not from QKD (must be 0)', String(f.keyIds.cakNotFromQkd)],
    ['key material found (must be 0)', `${f.keyMaterial.found} (${f.keyMaterial.needles} needles, ${f.keyMaterial.files} files, ${(f.keyMaterial.bytes / 1e6).toFixed(1)} MB scanned)`],
    ['links not secured at the end (must be 0)', f.end.linksNotSecured.length ? f.end.linksNotSecured.join(', ') : '0'],
    ['fallback keys differ at the end (must be 0)', f.end.fallbackKeysDiffer.length ? f.end.fallbackKeysDiffer.join(', ') : '0'],
    ['unresolved transactions at the end (must be 0)', String(f.end.unresolvedJournals)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  for (const [cable, d] of Object.entries(f.linkDown.byCable)) lines.push(`  down: ${cable} ${d.ms} ms in ${d.intervals} intervals (${d.reasons.join('; ')})`);
  for (const l of f.keyMaterial.leaks.slice(0, 20)) lines.push(`  leak: ${l.where}:${l.line} ${l.form} of key ${l.key}`);
  const failed = failedFigures(f);
  lines.push('', failed.length === 0 ? 'PASS: every must-be-zero figure is 0' : `FAIL: ${failed.join('; ')}`);
  return lines.join('\n');
}
