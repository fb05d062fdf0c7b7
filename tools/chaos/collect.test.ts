import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { scanReport } from './collect.js';
import { renderTable } from './report.js';
import { clean } from './figures.fixture.js';
import { buildNeedles } from './scanner.js';

describe('scanReport', () => {
  const hex = randomBytes(32).toString('hex');
  const needles = buildNeedles([{ at: '', source: 'sim-kme', id: 'KME_A', keyId: 'k1', hex }]);

  it('leaves a clean report alone', () => {
    const f = structuredClone(clean);
    scanReport(f, renderTable(f), needles);
    expect(f.keyMaterial.found).toBe(0);
  });

  it('counts key material that made it into the report itself', () => {
    const f = structuredClone(clean);
    f.end.linksNotSecured = [`p01 (${hex})`];
    scanReport(f, renderTable(f), needles);
    expect(f.keyMaterial.found).toBe(2);
    expect(f.keyMaterial.leaks.map((l) => [l.where, l.form, l.key])).toEqual([
      ['the report (table)', 'hex', 'k1'],
      ['the report (JSON)', 'hex', 'k1'],
    ]);
  });
});
