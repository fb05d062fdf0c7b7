// What a journal write's bytes cost: the state file as the store makes it
// (apps/rotator/src/state/journal-text.ts: frozen entries' UTF-8 reused) against JSON.stringify of
// the same state and its UTF-8 encoding, alternating in one process. A cycle's journal of JOURNAL_LINKS links (2,000)
// is written JOURNAL_WRITES times (20, about a 2,000-link cycle's), with a quarter of the entries
// replaced by new ones between two writes (a link changes phase about five times a cycle).
//   npm run bench:journal -w tools
import { randomUUID } from 'node:crypto';
import { frozenEntry, stateFileBytes } from '../../apps/rotator/src/state/journal-text.js';
import type { Journal, JournalLink } from '../../apps/rotator/src/state/types.js';
import { median } from './stats.js';

const LINKS = Number(process.env.JOURNAL_LINKS ?? 2000);
const WRITES = Number(process.env.JOURNAL_WRITES ?? 20);
const ROUNDS = 7;
if (!(Number.isInteger(LINKS) && LINKS > 3 && Number.isInteger(WRITES) && WRITES > 0)) {
  console.error(`JOURNAL_LINKS must be an integer > 3 and JOURNAL_WRITES a positive integer; got ${process.env.JOURNAL_LINKS} and ${process.env.JOURNAL_WRITES}`);
  process.exit(2);
}

/** An entry as the engine makes one (frozenEntry: frozen, ends and all). */
const entry = (i: number, phase: 'planned' | 'staged' | 'confirmed'): JournalLink =>
  frozenEntry({
    keyId: randomUUID(),
    ckn: 'ab'.repeat(32),
    keyChain: `KC-L${i}`,
    connectivityAssociation: `CA-L${i}`,
    mode: 'key-chain' as const,
    ends: [{ device: `a${i}`, slot: i % 8, phase }, { device: `b${i}`, slot: i % 8, phase }],
  });
const links: Record<string, JournalLink> = {};
for (let i = 0; i < LINKS; i++) links[`L${i}`] = entry(i, 'planned');
const now = new Date().toISOString();
const journal = (): Record<string, Journal> => ({
  c1: { cycleId: randomUUID(), kind: 'primary', startedAt: now, startsAt: now, confirmDeadline: now, decision: { outcome: 'commit', at: now, links: Object.keys(links) }, links: { ...links } },
});

const ms = { text: [] as number[], json: [] as number[] };
let bytes = 0;
for (let round = 0; round < ROUNDS; round++) {
  let text = 0;
  let json = 0;
  for (let w = 0; w < WRITES; w++) {
    const quarter = Math.floor(LINKS / 4);
    for (let n = 0, i = (w * quarter) % LINKS; n < quarter; n++, i = (i + 1) % LINKS) links[`L${i}`] = entry(i, w % 2 ? 'staged' : 'confirmed');
    const state = journal();
    let t = performance.now();
    const a = Buffer.from(`${JSON.stringify({ version: 2, journals: state })}\n`, 'utf8');
    json += performance.now() - t;
    t = performance.now();
    const b = stateFileBytes(state);
    text += performance.now() - t;
    if (!a.equals(b)) throw new Error('stateFileBytes differs from JSON.stringify');
    bytes = b.length;
  }
  ms.text.push(text);
  ms.json.push(json);
}
console.log(`journal of ${LINKS} links (${(bytes / 1024).toFixed(0)} KB), ${WRITES} writes, a quarter of the entries new at each; median of ${ROUNDS} rounds`);
console.log(`  JSON.stringify + UTF-8 ${median(ms.json).toFixed(1)} ms  (${ms.json.map((v) => v.toFixed(0)).join(' / ')})`);
console.log(`  stateFileBytes         ${median(ms.text).toFixed(1)} ms  (${ms.text.map((v) => v.toFixed(0)).join(' / ')})`);
console.log(`  ratio                  ${(median(ms.text) / median(ms.json)).toFixed(2)}`);
