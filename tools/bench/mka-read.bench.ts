// Reading a fleet's MKA replies, as the rotator's verify reads one per device after every
// rotation: the reply's object tree, parseMkaSessions and the engine's copy of five fields
// (what verify did before), against parseMkaSummaries, which picks the same fields as the
// XML reader goes. Alternating rounds in this process; prints µs per reply and the ratio.
//
//   npm run bench:mka -w tools
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseMkaSessions, parseMkaSummaries, parseRpcReply } from '@qkd-macsec/junos-netconf';
import { mkaReply } from './machine-reference.js';
import { median } from './stats.js';

const REPLIES = 4_000;
const ROUNDS = 15;
const replies = Array.from({ length: REPLIES }, (_, i) => mkaReply(i));

// What verify.ts did with a direct device's reply before: the tree, the typed sessions, then a
// JSON round trip of five fields (so no string kept a view of the reply).
const viaTree = (raw: string) =>
  JSON.parse(JSON.stringify(parseMkaSessions(parseRpcReply(raw).result).map((s) => ({ interface: s.interface, secured: s.secured, state: s.state, cakType: s.cakType, ckn: s.ckn })))) as unknown[];
const viaSummaries = (raw: string) => parseMkaSummaries(raw) as unknown[];

function round(read: (raw: string) => unknown[]): number {
  const t = performance.now();
  let sessions = 0;
  for (const raw of replies) sessions += read(raw).length;
  if (sessions !== REPLIES) throw new Error(`expected one session a reply, read ${sessions}`);
  return performance.now() - t;
}

const load0 = loadavg();
const times = { tree: [] as number[], summaries: [] as number[] };
for (let r = 0; r < ROUNDS; r++) {
  times.tree.push(round(viaTree));
  times.summaries.push(round(viaSummaries));
}
const best = (xs: number[]) => Math.min(...xs);
const us = (ms: number) => `${((ms / REPLIES) * 1000).toFixed(2)} µs`;
console.log(`\nMKA replies read (${REPLIES} one-session replies of ~${replies[0]!.length} bytes, sim-junos shape), ${ROUNDS} alternating rounds, Node ${process.version}`);
console.log(`load average (1/5/15 min): ${load0.map((x) => x.toFixed(2)).join(' ')}\n`);
console.log(`${'tree + parseMkaSessions + copy'.padEnd(32)}best ${us(best(times.tree))}  median ${us(median(times.tree))} a reply`);
console.log(`${'parseMkaSummaries'.padEnd(32)}best ${us(best(times.summaries))}  median ${us(median(times.summaries))} a reply`);
console.log(`ratio summaries / tree: best ${(best(times.summaries) / best(times.tree)).toFixed(2)}, median ${(median(times.summaries) / median(times.tree)).toFixed(2)}`);
