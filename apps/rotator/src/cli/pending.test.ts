import { describe, expect, it } from 'vitest';
import type { JournalEnd } from '../state/types.js';
import { nextAction, pendingTransactions, type ContractJournal } from './pending.js';

const KEY = '0b7f3c55-1d1e-4f57-9a54-4c1f2f0e9a11';
const STARTED = '2026-01-01T00:00:00.000Z';
const DEADLINE = '2026-01-01T00:01:00.000Z';
const STARTS = '2026-01-01T00:03:00.000Z';
const before = new Date('2026-01-01T00:00:30.000Z');
const between = new Date('2026-01-01T00:02:00.000Z');
const after = new Date('2026-01-01T00:04:00.000Z');

function journal(phases: Array<JournalEnd['phase']>, decided: boolean, extra: Partial<ContractJournal> = {}): ContractJournal {
  return {
    cycleId: 'c1',
    startedAt: STARTED,
    startsAt: STARTS,
    confirmDeadline: DEADLINE,
    ...(decided ? { decision: { outcome: 'commit' as const, at: '2026-01-01T00:00:10.000Z', links: ['L1'] } } : {}),
    links: {
      L1: { keyId: KEY, ckn: 'ab'.repeat(32), keyChain: 'qkd-L1', connectivityAssociation: 'qkd-L1', mode: 'key-chain', ends: phases.map((phase, i) => ({ device: `r${i + 1}`, slot: 3, phase })) },
    },
    ...extra,
  };
}

describe('nextAction: the resolution rules, case by case', () => {
  it('decision, r1 confirmed, r2 staged, before the deadline: confirm r2, then verify', () => {
    expect(nextAction(journal(['confirmed', 'staged'], true), 'L1', before)).toEqual({
      next: 'confirm',
      devices: ['r2'],
      text: `decision commit: confirm on r2 before ${DEADLINE}, then verify after the start-time`,
    });
  });

  it('decision, every end confirmed: verify after the start-time, or now once it has passed', () => {
    expect(nextAction(journal(['confirmed', 'confirmed'], true), 'L1', before)).toMatchObject({ next: 'verify', devices: ['r1', 'r2'], text: `every end confirmed: verify MKA after the start-time ${STARTS}` });
    expect(nextAction(journal(['confirmed', 'confirmed'], true), 'L1', after)).toMatchObject({ next: 'verify', text: 'every end confirmed: verify MKA on the new key now' });
  });

  it('decision, but the deadline passed before r2 got its confirm, start-time ahead: remove from r1 before the start-time', () => {
    expect(nextAction(journal(['confirmed', 'staged'], true), 'L1', between)).toEqual({
      next: 'remove',
      devices: ['r1'],
      text: `decision commit, but the confirm deadline ${DEADLINE} passed before r2 got its confirm: roll back: remove the key from r1 before the start-time ${STARTS}; the old key stays active on every end`,
    });
  });

  it('decision, deadline and start-time passed: remove from r1, which falls back to the previous key', () => {
    const a = nextAction(journal(['confirmed', 'staged'], true), 'L1', after);
    expect(a.next).toBe('remove');
    expect(a.devices).toEqual(['r1']);
    expect(a.text).toContain('remove the key from r1, which switched to it at the start-time; they fall back to the previous key (the fallback key carries the traffic meanwhile)');
  });

  it('no decision, r1 staged, before the deadline: roll back by removing it from r1', () => {
    expect(nextAction(journal(['staged', 'planned'], false), 'L1', before)).toEqual({
      next: 'remove',
      devices: ['r1'],
      text: `no decision: roll back: remove the key from r1 before the start-time ${STARTS}; the old key stays active on every end`,
    });
  });

  it('no decision, past the deadline: staged ends rolled back by themselves, nothing to do', () => {
    expect(nextAction(journal(['staged', 'staged'], false), 'L1', between)).toEqual({ next: 'nothing', devices: [], text: 'no decision: roll back: no end holds the key; the journal entry is cleared' });
  });

  it('no decision, nothing staged yet: nothing to remove', () => {
    expect(nextAction(journal(['planned', 'planned'], false), 'L1', before)).toMatchObject({ next: 'nothing', devices: [] });
  });

  it('a journal without a confirm deadline (older format) still confirms under a decision', () => {
    const j = journal(['confirmed', 'staged'], true);
    delete j.confirmDeadline;
    expect(nextAction(j, 'L1', between)).toMatchObject({ next: 'confirm', devices: ['r2'], text: 'decision commit: confirm on r2, then verify after the start-time' });
  });

  it('a link outside the decision is rolled back even when the decision exists', () => {
    const j = journal(['staged', 'staged'], true, { decision: { outcome: 'commit', at: STARTED, links: ['L9'] } });
    expect(nextAction(j, 'L1', before)).toMatchObject({ next: 'remove', devices: ['r1', 'r2'] });
  });
});

describe('pendingTransactions', () => {
  it('lists each transaction with its links, kind, decision, phases, deadline and overdue flag, oldest first', () => {
    const later = journal(['staged', 'staged'], false, { cycleId: 'c2', startedAt: '2026-01-01T00:00:05.000Z', kind: 'fallback' });
    const list = pendingTransactions([later, journal(['confirmed', 'staged'], true)], between);
    expect(list.map((t) => [t.cycleId, t.kind, t.overdue])).toEqual([
      ['c1', 'primary', true],
      ['c2', 'fallback', true],
    ]);
    expect(list[0]).toMatchObject({
      startedAt: STARTED,
      startsAt: STARTS,
      confirmDeadline: DEADLINE,
      decision: { at: '2026-01-01T00:00:10.000Z', links: ['L1'] },
      links: [{ link: 'L1', keyId: KEY, decided: true, next: 'remove', ends: [{ device: 'r1', phase: 'confirmed', slot: 3 }, { device: 'r2', phase: 'staged', slot: 3 }] }],
    });
    expect(pendingTransactions([journal(['staged', 'staged'], false)], before)[0]!.overdue).toBe(false);
  });
});
