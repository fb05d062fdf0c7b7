import { describe, expect, it } from 'vitest';
import { failedFigures, mustBeZero, renderTable, type Figures } from './report.js';

const clean: Figures = {
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
  fallback: { ms: 1500, intervals: 2, byCable: { p03: 1500 } },
  keyIds: { issued: 130, installed: 110, installedTwice: 0, missingFromState: 0, cakNotFromQkd: 0 },
  keyMaterial: { found: 0, files: 80, bytes: 5_000_000, needles: 900, leaks: [] },
  end: { linksNotSecured: [], unresolvedJournals: 0, quietWithinMs: 3000 },
};

describe('report', () => {
  it('passes a run whose must-be-zero figures are zero, and shows the figures', () => {
    expect(failedFigures(clean)).toEqual([]);
    const table = renderTable(clean);
    expect(table).toMatch(/rotations attempted\s+120/);
    expect(table).toMatch(/link-down ms \(must be 0\)\s+0 ms in 0 intervals/);
    expect(table).toMatch(/time on fallback\s+1\.5 s in 2 intervals/);
    expect(table).toMatch(/kills \(SIGKILL\)\s+22: decision 3, random moment 5; 1 at a random moment/);
    expect(table.trim().endsWith('PASS: every must-be-zero figure is 0')).toBe(true);
  });

  it.each([
    ['link-down ms', { linkDown: { ms: 12, intervals: 1, byCable: { p01: { ms: 12, intervals: 1, reasons: ['CKN mismatch'] } } } }],
    ['link-down intervals', { linkDown: { ms: 0, intervals: 1, byCable: { p01: { ms: 0, intervals: 1, reasons: ['CAK mismatch'] } } } }],
    ['key_IDs installed twice', { keyIds: { ...clean.keyIds, installedTwice: 1 } }],
    ['key_IDs missing from the state', { keyIds: { ...clean.keyIds, missingFromState: 2 } }],
    ['key material found', { keyMaterial: { ...clean.keyMaterial, found: 1, leaks: [{ where: 'daemon.0001.stderr.log', line: 7, form: 'hex', key: 'k1' }] } }],
    ['links not secured at the end', { end: { ...clean.end, linksNotSecured: ['p02 (fallback)'] } }],
    ['unresolved transactions at the end', { end: { ...clean.end, unresolvedJournals: 1 } }],
  ] as const)('fails when %s is not zero', (name, patch) => {
    const f = { ...clean, ...patch } as Figures;
    expect(failedFigures(f).filter((line) => line.startsWith(`${name}: `))).toHaveLength(1);
    expect(renderTable(f)).toMatch(/\nFAIL: /);
  });

  it('lists a leak by file, line, form and key, and a down cable with its reasons', () => {
    const f = { ...clean, keyMaterial: { ...clean.keyMaterial, found: 1, leaks: [{ where: 'x.log', line: 7, form: 'base64', key: 'k1' }] }, linkDown: { ms: 5, intervals: 1, byCable: { p01: { ms: 5, intervals: 1, reasons: ['CKN mismatch'] } } } };
    const t = renderTable(f);
    expect(t).toContain('leak: x.log:7 base64 of key k1');
    expect(t).toContain('down: p01 5 ms in 1 intervals (CKN mismatch)');
    expect(mustBeZero(f).filter(([, v]) => v !== 0).map(([n]) => n)).toEqual(['link-down ms', 'link-down intervals', 'key material found']);
  });
});
