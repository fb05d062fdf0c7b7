import { describe, expect, it } from 'vitest';
import { clean } from './figures.fixture.js';
import { failedFigures, mustBeZero, renderTable, type Figures } from './report.js';


describe('report', () => {
  it('passes a run whose must-be-zero figures are zero, and shows the figures', () => {
    expect(failedFigures(clean)).toEqual([]);
    const table = renderTable(clean);
    expect(table).toMatch(/rotations attempted\s+120/);
    expect(table).toMatch(/link-down ms \(must be 0\)\s+0 ms in 0 intervals/);
    expect(table).toMatch(/time on fallback\s+1\.5 s in 2 intervals/);
    expect(table).toMatch(/fallback keys differed \(longest\)\s+1 cables; longest p03 2\.0 s/);
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
    ['cables whose fallback keys differ at the end', { end: { ...clean.end, fallbackKeysDiffer: ['p14'] } }],
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
