import { describe, expect, it } from 'vitest';
import { journalsOf, stepFromRotatorLine, stepFromSimJunosLine, stepsFromJournals } from './steps.js';

const KEY = '0f589ec0-2896-4067-a2fb-b33b75cf386a';

describe('stepFromRotatorLine', () => {
  it('reads fetched and verified off JSON log lines', () => {
    expect(stepFromRotatorLine(JSON.stringify({ level: 'info', link: 'p01', msg: `link p01: key ${KEY} fetched (256 bits) for SAE_r01, SAE_r02` }), 5)).toEqual({ step: 'fetched', at: 5, link: 'p01', source: 'rotator' });
    expect(stepFromRotatorLine(JSON.stringify({ msg: `link grp: key ${KEY} active on g0, g1, g2 since 2026-11-25T18:00:00.000Z` }), 6)).toEqual({ step: 'verified', at: 6, link: 'grp', source: 'rotator' });
  });

  it('ignores other lines, pretty lines and broken JSON', () => {
    expect(stepFromRotatorLine(JSON.stringify({ msg: 'cycle 3 starting' }))).toBeUndefined();
    expect(stepFromRotatorLine(`link p01: key ${KEY} fetched`)).toBeUndefined();
    expect(stepFromRotatorLine('{"msg":')).toBeUndefined();
  });
});

describe('stepFromSimJunosLine', () => {
  const prefix = '2026-11-25 18:00:00.123\tINFO\t[sim-junos]\t';
  it('takes a rotator commit confirmed for a staged device', () => {
    expect(stepFromSimJunosLine(`${prefix}r03: commit by admin (qkd-macsec 7c1d: stage p02 key ${KEY}), confirmation pending`, 1)).toEqual({ step: 'device-staged', at: 1, device: 'r03', source: 'sim-junos' });
  });
  it('takes the rotator plain commit that confirms for a confirmed device', () => {
    expect(stepFromSimJunosLine(`${prefix}g0: commit by admin (qkd-macsec 7c1d: confirm)`, 2)).toEqual({ step: 'device-confirmed', at: 2, device: 'g0', source: 'sim-junos' });
  });
  it('ignores commits by anyone else and other lines', () => {
    expect(stepFromSimJunosLine(`${prefix}r01: commit by admin (by hand), confirmation pending`)).toBeUndefined();
    expect(stepFromSimJunosLine(`${prefix}r01: commit by admin`)).toBeUndefined();
    expect(stepFromSimJunosLine(`${prefix}link p01 down (CKN mismatch) at 2026-11-25T18:00:00.000Z`)).toBeUndefined();
  });
});

describe('journal steps', () => {
  it('sees a journal appear, then its decision', () => {
    const none = journalsOf('{"version":1,"keyIds":{},"links":{}}')!;
    const planned = journalsOf('{"journals":{"c1":{"links":{}}}}')!;
    const decided = journalsOf('{"journals":{"c1":{"decision":{"outcome":"commit"}}}}')!;
    expect(stepsFromJournals(none, planned, 1)).toEqual([{ step: 'journaled', at: 1, source: 'state' }]);
    expect(stepsFromJournals(planned, decided, 2)).toEqual([{ step: 'decision', at: 2, source: 'state' }]);
    expect(stepsFromJournals(decided, decided, 3)).toEqual([]);
    expect(stepsFromJournals(decided, none, 4)).toEqual([]);
  });

  it('reports both when a journal is first seen with its decision', () => {
    expect(stepsFromJournals([], [{ cycleId: 'c', decided: true }], 1).map((e) => e.step)).toEqual(['journaled', 'decision']);
  });

  it('returns undefined for a state that does not parse', () => {
    expect(journalsOf('{"jour')).toBeUndefined();
  });
});
