// The state file's bytes: exactly JSON.stringify's text (and a newline) for any state, an entry's JSON kept only while
// the entry is frozen (and so cannot have changed), never served for an entry that changed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frozenEntry, stateFileBytes } from './journal-text.js';
import type { Journal, JournalLink } from './types.js';

const text = fc.string({ maxLength: 12 }); // any UTF-16, quotes, backslashes and lone surrogates included
const entry: fc.Arbitrary<JournalLink> = fc.record({
  keyId: text,
  ckn: text,
  keyChain: text,
  connectivityAssociation: text,
  mode: fc.constantFrom('key-chain' as const, 'static-cak' as const),
  ends: fc.array(fc.record({ device: text, slot: fc.option(fc.nat(63), { nil: undefined }), phase: fc.constantFrom('planned' as const, 'staged' as const, 'confirmed' as const) }), { maxLength: 3 }),
});
const frozen = (e: JournalLink): JournalLink => frozenEntry({ ...e, ends: e.ends.map((x) => ({ ...x })) });
const journal: fc.Arbitrary<Journal> = fc.record(
  {
    cycleId: text,
    kind: fc.constantFrom('primary' as const, 'fallback' as const, undefined),
    startedAt: text,
    startsAt: text,
    confirmDeadline: fc.option(text, { nil: undefined }),
    decision: fc.option(fc.record({ outcome: fc.constant('commit' as const), at: text, links: fc.array(text, { maxLength: 4 }) }), { nil: undefined }),
    unverified: fc.option(fc.constant(true as const), { nil: undefined }),
    links: fc.dictionary(text, fc.tuple(entry, fc.boolean()).map(([e, freeze]) => (freeze ? frozen(e) : e)), { maxKeys: 5 }),
  },
  { requiredKeys: ['cycleId', 'startedAt', 'startsAt', 'links'] },
);

const stateFileText = (journals: Record<string, Journal> | undefined): string => {
  const bytes = stateFileBytes(journals);
  expect(bytes.buffer.byteLength).toBe(bytes.length); // a buffer of its own, to hand to the writer thread
  return bytes.toString('utf8');
};

describe('stateFileBytes', () => {
  it("is JSON.stringify's text for any state, frozen entries or not, written once or again", () => {
    fc.assert(
      fc.property(fc.option(fc.dictionary(text, journal, { maxKeys: 3 }), { nil: undefined }), (journals) => {
        const expected = `${JSON.stringify({ version: 2, ...(journals ? { journals } : {}) })}\n`;
        expect(stateFileText(journals)).toBe(expected);
        expect(stateFileText(journals)).toBe(expected); // the second time from what the first kept
      }),
      { seed: 20261127, numRuns: 500 },
    );
  });

  it('serialises an entry that is not frozen afresh each time: a change between writes is written', () => {
    const e: JournalLink = { keyId: 'k1', ckn: 'c1', keyChain: 'KC', connectivityAssociation: 'CA', mode: 'key-chain', ends: [{ device: 'r1', slot: 1, phase: 'planned' }] };
    const j: Record<string, Journal> = { c: { cycleId: 'c', startedAt: 'a', startsAt: 'b', links: { L1: e } } };
    expect(stateFileText(j)).toContain('"phase":"planned"');
    e.ends[0]!.phase = 'staged';
    expect(stateFileText(j)).toContain('"phase":"staged"');
    // A frozen one cannot be changed in place: a change is a new entry, with a text of its own.
    const f = frozen(e);
    j['c']!.links['L1'] = f;
    expect(stateFileText(j)).toContain('"phase":"staged"');
    expect(() => ((f.ends[0] as { phase: string }).phase = 'confirmed')).toThrow(TypeError);
    j['c']!.links['L1'] = frozen({ ...f, ends: [{ ...f.ends[0]!, phase: 'confirmed' }] });
    expect(stateFileText(j)).toContain('"phase":"confirmed"');
  });

  it('serialises afresh an entry frozenEntry did not make, even frozen on the outside: its ends can still change', () => {
    const end = { device: 'r1', slot: 1, phase: 'planned' as JournalLink['ends'][number]['phase'] };
    const shallow = Object.freeze({ keyId: 'k2', ckn: 'c2', keyChain: 'KC', connectivityAssociation: 'CA', mode: 'key-chain' as const, ends: [end] });
    const j: Record<string, Journal> = { c: { cycleId: 'c', startedAt: 'a', startsAt: 'b', links: { L2: shallow } } };
    expect(stateFileText(j)).toContain('"phase":"planned"');
    end.phase = 'staged';
    expect(stateFileText(j)).toContain('"phase":"staged"');
  });
});
