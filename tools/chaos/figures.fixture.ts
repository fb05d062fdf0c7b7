// A clean run's figures, for tests of the report and its scan.
import type { Figures } from './report.js';

export const clean: Figures = {
  seed: 42,
  links: 8,
  devices: 11,
  concurrency: 3,
  slowDevice: 'r04',
  durationMs: 200_000,
  timing: { confirmMinuteMs: 2000, leadTimeSeconds: 8, intervalSeconds: 14, slowCommitMs: 800 },
  rotations: { attempted: 120, succeeded: 90, rolledBack: 20, notStaged: 6, fetchFailed: 4, failuresByPhase: { fetch: 4, confirm: 3 } },
  fallbackRotations: { fetched: 3, installed: 2 },
  faults: { total: 30, byKind: { 'kme-503': 10, 'no-confirm': 20 }, refused: 0 },
  kills: { total: 22, byStep: { decision: 3, 'random moment': 5 }, stepNotSeen: 1, restarts: { 'at once': 6 }, daemonExits: {} },
  rotateCommands: { total: 12, byExitCode: { '0': 10, '1': 2 }, linkResults: { ok: 10, failed: 2 } },
  linkDown: { ms: 0, intervals: 0, byCable: {} },
  fallback: { ms: 1500, intervals: 2, byCable: { p03: 1500 }, keysDifferedLongestMs: { p03: 2000 } },
  keyIds: { issued: 130, installed: 110, installedTwice: 0, missingFromState: 0, cakNotFromQkd: 0 },
  keyMaterial: { found: 0, files: 80, bytes: 5_000_000, needles: 900, leaks: [] },
  end: { linksNotSecured: [], fallbackKeysDiffer: [], unresolvedJournals: 0, quietWithinMs: 3000 },
};
