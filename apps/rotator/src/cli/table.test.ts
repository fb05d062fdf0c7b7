import { describe, expect, it } from 'vitest';
import { formatDuration, renderTable } from './table.js';

describe('renderTable', () => {
  it('aligns columns, right-aligns numbers, shows missing cells as -', () => {
    expect(renderTable(['link', 'devices', 'error'], [['dc1-dc2', 2, undefined], ['grp', 13, 'KME 503\nretry']])).toBe(
      ['link     devices  error', '-------  -------  -------------', 'dc1-dc2        2  -', 'grp           13  KME 503 retry'].join('\n'),
    );
  });
  it('formats durations', () => {
    expect([formatDuration(12.4), formatDuration(1234), formatDuration(125_000), formatDuration(3 * 3600_000 + 600_000), formatDuration(2 * 86_400_000 + 7200_000)]).toEqual([
      '12 ms',
      '1.2 s',
      '2 min 05 s',
      '3 h 10 min',
      '2 d 2 h',
    ]);
  });
});
