// Micro-benchmark of what the rotator calls per device and cycle (apps/rotator engine/cycle.ts,
// fleet/netconf-ops.ts): read a get-configuration reply's tree, plan a 2-end link the way a cycle
// does (planLinkRotation, then planKeyChainRotation per end with the key name), and render one
// end's stage change. Prints µs and bytes allocated per call. Not a test: no pass/fail.
//
//   npm run bench --workspace @qkd-macsec/macsec-config
//   (node --expose-gc --min-semi-space-size=64 --max-semi-space-size=64 --import tsx bench/hot-paths.ts)
//
// Bytes: heap in use after a full GC, before and after a run of calls, with a young generation
// large enough (--min-semi-space-size) that no GC runs in between (checked with a gc PerformanceObserver; the run is
// shortened and repeated if one did). Time: wall time of a longer run, GCs included.
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import {
  Secret,
  keyChainRotationChange,
  parseConfigurationXml,
  planKeyChainRotation,
  planLinkRotation,
  readConfigurationTree,
  renderXml,
  type KeyChain,
} from '../src/index.js';
import { parseXmlOrdered, type XmlElement } from '../src/xml/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench does)');

/** A device's reply to the rotator's MACsec filter, as sim-junos and Junos send it. */
function deviceReply(links: number): string {
  const cas: string[] = [];
  const ifs: string[] = [];
  const chains: string[] = [];
  for (let l = 1; l <= links; l++) {
    const hex = (n: number) => `${l.toString(16).padStart(2, '0')}${n.toString(16).padStart(2, '0')}`.repeat(16);
    cas.push(
      `<connectivity-association><name>CA${l}</name><cipher-suite>gcm-aes-xpn-256</cipher-suite><security-mode>static-cak</security-mode>` +
        `<pre-shared-key-chain>KC${l}</pre-shared-key-chain><fallback-key><ckn>${hex(0xfa)}</ckn><cak>$9$fallback${l}.AbCdEfGh</cak></fallback-key>` +
        `<mka><should-secure/><key-server-priority>16</key-server-priority><transmit-interval>2000</transmit-interval></mka>` +
        `<replay-protect><replay-window-size>0</replay-window-size></replay-protect><exclude-protocol><name>lldp</name></exclude-protocol></connectivity-association>`,
    );
    ifs.push(`<interfaces><name>et-0/0/${l}</name><connectivity-association>CA${l}</connectivity-association></interfaces>`);
    const keys = [61, 62, 63]
      .map((slot, i) => `<key><name>${slot}</name><secret>$9$secret${l}.${slot}.XyZ</secret><key-name>${hex(slot)}</key-name><start-time>2026-11-24.20:${String(i * 5).padStart(2, "0")}:00 +0000</start-time></key>`)
      .join('');
    chains.push(`<key-chain><name>KC${l}</name>${keys}</key-chain>`);
  }
  return (
    '<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" xmlns:junos="http://xml.juniper.net/junos/24.4R1/junos" message-id="17">' +
    '<configuration junos:commit-seconds="1795550400" junos:commit-localtime="2026-11-24 20:00:00 UTC" junos:commit-user="qkd">' +
    `<security><macsec>${cas.join('')}${ifs.join('')}</macsec><authentication-key-chains>${chains.join('')}</authentication-key-chains></security>` +
    '</configuration></rpc-reply>'
  );
}

const gcs: number[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push(e.startTime);
}).observe({ entryTypes: ['gc'] });
// gc entries arrive a few ms after the GC, on a later turn of the event loop.
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

let sink: unknown;

/** Bytes allocated per call: heap growth over `n` calls with no GC in between. */
async function bytesPerCall(fn: () => unknown, n: number): Promise<number> {
  for (let attempt = 0; attempt < 8; attempt++) {
    gc!();
    await settle();
    const t0 = performance.now();
    const before = getHeapStatistics().used_heap_size;
    for (let i = 0; i < n; i++) sink = fn();
    const after = getHeapStatistics().used_heap_size;
    const t1 = performance.now();
    await settle();
    if (!gcs.some((t) => t >= t0 && t <= t1)) return (after - before) / n;
    n = Math.max(10, Math.floor(n / 2));
  }
  throw new Error('a GC ran in every attempt: raise --min-semi-space-size');
}

async function measure(name: string, fn: () => unknown): Promise<void> {
  for (let i = 0; i < 3000; i++) sink = fn(); // warm up (optimised code)
  const bytes = await bytesPerCall(fn, 500);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < 400) {
    for (let i = 0; i < 100; i++) sink = fn();
    n += 100;
  }
  const us = ((performance.now() - start) * 1000) / n;
  console.log(`${name.padEnd(58)} ${us.toFixed(2).padStart(8)} µs ${Math.round(bytes).toString().padStart(8)} B`);
}

const now = new Date('2026-11-24T20:12:00Z');
const lead = 90;
const reply1 = deviceReply(1);
const reply4 = deviceReply(4);
const tree1: XmlElement = parseXmlOrdered(reply1)[0]!;
const tree4: XmlElement = parseXmlOrdered(reply4)[0]!;
const chainA: KeyChain = readConfigurationTree(tree1).keyChains![0]!;
const chainB: KeyChain = { ...chainA, keys: chainA.keys.map((k) => ({ ...k, index: (k.index + 10) % 64 })) };
const ckn = 'ab'.repeat(32);
const cak = Secret.fromHex('5a'.repeat(32));

// The cycle's calls for one 2-end link (engine/cycle.ts): a plan without a key (the cycle's start
// instant), then each end's plan with the key name on that instant.
function planLink() {
  const link = planLinkRotation({ ends: [{ chain: chainA }, { chain: chainB }], now, leadTimeSeconds: lead });
  const a = planKeyChainRotation({ chain: chainA, now, leadTimeSeconds: lead, keyName: ckn, startAt: link.startsAt });
  const b = planKeyChainRotation({ chain: chainB, now, leadTimeSeconds: lead, keyName: ckn, startAt: link.startsAt });
  return [a, b];
}
const plan = planLink()[0]!;

console.log(`node ${process.version}; bytes = heap growth per call without GC; µs = wall time, GCs included\n`);
await measure('readConfigurationTree, 1 CA / 1 chain of 3 keys / 1 if', () => readConfigurationTree(tree1));
await measure('readConfigurationTree, 4 CAs / 4 chains of 3 keys / 4 ifs', () => readConfigurationTree(tree4));
await measure('parseXmlOrdered (the reply\'s tree), 1 CA', () => parseXmlOrdered(reply1));
await measure('parseXmlOrdered + readConfigurationTree (a cycle\'s read)', () => readConfigurationTree(parseXmlOrdered(reply1)[0]!));
await measure('parseConfigurationXml (string), 1 CA', () => parseConfigurationXml(reply1));
await measure('planLinkRotation, 2 ends (no key name)', () => planLinkRotation({ ends: [{ chain: chainA }, { chain: chainB }], now, leadTimeSeconds: lead }));
await measure('planKeyChainRotation, 3 keys, keyName + startAt', () => planKeyChainRotation({ chain: chainA, now, leadTimeSeconds: lead, keyName: ckn, startAt: plan.startsAt }));
await measure("a link's plans in a cycle (planLinkRotation + 2 × plan)", planLink);
await measure('keyChainRotationChange + renderXml (stage change)', () => {
  const change = keyChainRotationChange(plan, { chain: 'KC1', keyName: ckn, secret: cak });
  return renderXml(change.config, { delete: change.delete, revealSecrets: true });
});
void sink;
