import { describe, expect, it } from 'vitest';
import type { Journal } from '../state/types.js';
import { nextStep } from './status.js';

const journal = (extra: Partial<Journal>): Journal => ({
  cycleId: 'c1',
  startedAt: '2026-11-24T12:00:00.000Z',
  startsAt: '2026-11-24T12:02:30.000Z',
  confirmDeadline: '2026-11-24T12:02:00.000Z',
  links: { L1: { keyId: 'k', ckn: 'aa', keyChain: 'qkd-L1', connectivityAssociation: 'qkd-L1', mode: 'key-chain', ends: [] } },
  ...extra,
});
const at = (iso: string) => new Date(iso);

describe('what status says resume will do', () => {
  it('follows the decision record and the clock', () => {
    const decided = journal({ decision: { outcome: 'commit', at: '2026-11-24T12:00:05.000Z', links: ['L1'] } });
    expect(nextStep(decided, 'L1', at('2026-11-24T12:01:00.000Z'))).toMatch(/^confirm the ends not yet confirmed/);
    expect(nextStep(decided, 'L1', at('2026-11-24T12:02:10.000Z'))).toMatch(/^confirm if every end still holds the key; otherwise remove/);
    expect(nextStep(journal({}), 'L1', at('2026-11-24T12:01:00.000Z'))).toMatch(/no decision: roll back/);
    expect(nextStep(journal({}), 'L1', at('2026-11-24T12:03:00.000Z'))).toMatch(/after the start-time: they go back to the previous key/);
    expect(nextStep({ ...journal({}), confirmDeadline: undefined } as unknown as Journal, 'L1', at('2026-11-24T12:03:00.000Z'))).toMatch(/^complete it if every end holds the key/);
    expect(nextStep(journal({ kind: 'fallback' }), 'L1', at('2026-11-24T12:03:00.000Z'))).toMatch(/no decision: roll back/);
  });
});
