// NETCONF over SSH throughput: the junos-netconf client against sim-junos, and against a bare
// ssh2 NETCONF responder in the same run (fixed reply, no XML work) as the baseline.
// Measures RPC round trips/s on one session (sequential and pipelined, both framings) and
// session set-ups/s (SSH handshake + auth + hello + close-session), also with Nagle's algorithm on
// both ends to show what TCP_NODELAY buys. Prints a table with the load average.
// `-- cpu [sessions=2000] [cycles=5]` instead measures the client's CPU per device-cycle as the rotator runs it
// (rpcCpu below), sim-junos in a child process; NETCONF_CPU_PROFILE=FILE writes a CPU profile of
// the measured cycles, NETCONF_HEAP_PROFILE=FILE a sampled allocation profile (and prints the bytes
// allocated per device-cycle).
import { BASE_1_0, BASE_1_1, buildHello, createFrameDecoder, encodeMessage, negotiateFraming, parseHello, type Framing } from '@qkd-macsec/junos-netconf/framing';
import { connectNetconf, sha256Fingerprint, type NetconfClient, type NetconfClientOptions } from '@qkd-macsec/junos-netconf';
import { startSimJunos } from '@qkd-macsec/sim-junos';
import { connectJunos, type JunosDevice } from '@qkd-macsec/junos-netconf';
import { parseXmlOrdered } from '@qkd-macsec/junos-netconf/xml';
import { cpuMs, startJunos } from './sim-child.js';
import { writeFile } from 'node:fs/promises';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { Session } from 'node:inspector';
import { loadavg } from 'node:os';
import ssh2 from 'ssh2';
import { median } from './stats.js';

const SEQUENTIAL = 800;
const PIPELINED = 3000;
const WINDOW = 32;
const SETUPS = 50;
/** Rounds, interleaving baseline and simulator so a busy machine slows both alike; medians are shown. */
const ROUNDS = 3;
const RPC = '<get-software-information/>';

/** A NETCONF responder with no configuration store: the floor the simulator is compared to. */
async function startBaseline(chunked: boolean, noDelay = true): Promise<{ port: number; fingerprint: string; close(): Promise<void> }> {
  let hostKey: { private: string; public: string };
  do hostKey = ssh2.utils.generateKeyPairSync('ed25519');
  while (ssh2.utils.parseKey(hostKey.public) instanceof Error); // ssh2 1.17 Ed25519 leading-zero bug
  const parsed = ssh2.utils.parseKey(hostKey.public) as ssh2.ParsedKey;
  const fingerprint = sha256Fingerprint(parsed.getPublicSSH());
  const caps = chunked ? [BASE_1_0, BASE_1_1] : [BASE_1_0];
  const server = new ssh2.Server({ hostKeys: [hostKey.private] }, (client) => {
    if (noDelay) (client as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true); // as sim-junos does (ssh2 1.17 has it; @types/ssh2 omits it)
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => ctx.accept());
    client.on('ready', () =>
      client.on('session', (accept) =>
        accept().on('subsystem', (acceptSub) => {
          const ch = acceptSub();
          const dec = createFrameDecoder();
          let framing: Framing = 'eom';
          let hello = false;
          ch.write(encodeMessage(buildHello(caps, 1), 'eom'));
          ch.on('data', (d: Buffer) => {
            dec.push(d);
            for (let m = dec.next(); m !== undefined; m = dec.next()) {
              if (!hello) {
                framing = negotiateFraming(caps, parseHello(m).capabilities);
                dec.setFraming(framing);
                hello = true;
                continue;
              }
              const id = /message-id="([^"]*)"/.exec(m)?.[1] ?? '';
              const body = m.includes('<close-session') ? '<ok/>' : '<software-information><host-name>base</host-name></software-information>';
              ch.write(encodeMessage(`<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="${id}">${body}</rpc-reply>`, framing));
              if (m.includes('<close-session')) ch.end();
            }
          });
        }),
      ),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { port, fingerprint, close: () => new Promise((r) => server.close(() => r())) };
}

async function sequential(c: NetconfClient, n: number): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < n; i++) await c.rpc(RPC);
  return n / ((performance.now() - t) / 1000);
}

async function pipelined(c: NetconfClient, n: number, window: number): Promise<number> {
  const t = performance.now();
  let sent = 0;
  const lane = async () => {
    while (sent < n) {
      sent++;
      await c.rpc(RPC);
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  return n / ((performance.now() - t) / 1000);
}

async function setups(opts: NetconfClientOptions, n: number): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < n; i++) await (await connectNetconf(opts)).close();
  return n / ((performance.now() - t) / 1000);
}

interface Row {
  target: string;
  framing: string;
  seq: number;
  pipe: number;
  setup: number;
}

async function measure(target: string, opts: NetconfClientOptions, framing: Framing): Promise<Row> {
  const c = await connectNetconf(opts);
  if (c.session.framing !== framing) throw new Error(`${target}: expected ${framing} framing, got ${c.session.framing}`);
  await sequential(c, 100); // warm-up
  const seq = await sequential(c, SEQUENTIAL);
  const pipe = await pipelined(c, PIPELINED, WINDOW);
  await c.close();
  const setup = await setups(opts, SETUPS);
  return { target, framing, seq, pipe, setup };
}


/**
 * The rotator's device-cycle as it now runs it (apps/rotator/src/fleet/netconf-ops.ts): readUnderLock
 * (lock and get-configuration sent together, the reply read with parseXmlOrdered), stageHeld with
 * the lock kept (load, commit confirmed), confirmHeld without a change (commit and unlock sent
 * together), then the MKA read: 7 RPCs in 5 SSH packets each way, 2 commits.
 */
const MACSEC_FILTER = '<configuration><security><macsec/><authentication-key-chains/></security></configuration>';
const hex = (n: number, seed: number) => Array.from({ length: n }, (_, i) => ((i * 7 + seed) % 16).toString(16)).join('');
/** The rotator renders its change (macsec-config); here the three a session cycles through are made once, outside the measurement. */
const keyLoad = (slot: number, seed: number) =>
  `<configuration><security><authentication-key-chains><key-chain><name>QKD_KC</name><key><name>${slot}</name>` +
  `<secret>${hex(64, seed)}</secret><key-name>${hex(64, seed + 3)}</key-name><start-time>2026-11-25.00:00:00</start-time></key></key-chain></authentication-key-chains></security></configuration>`;
const CA_LOAD =
  '<configuration><security><macsec><connectivity-association><name>CA1</name><cipher-suite>gcm-aes-xpn-256</cipher-suite><security-mode>static-cak</security-mode>' +
  '<pre-shared-key-chain>QKD_KC</pre-shared-key-chain></connectivity-association><interfaces><name>et-0/0/0</name><connectivity-association>CA1</connectivity-association></interfaces></macsec></security></configuration>';
const LOADS = Array.from({ length: 48 }, (_, k) => keyLoad(k % 3, k));
const PHASES: Array<[string, (d: JunosDevice, cycle: number, i: number) => Promise<unknown>]> = [
  [
    'lock + get-configuration',
    async (d) => {
      const [, r] = await Promise.all([d.lock(), d.getConfigurationRaw({ filter: MACSEC_FILTER, database: 'committed' })]);
      return parseXmlOrdered(r.raw);
    },
  ],
  ['load-configuration', (d, c, i) => d.load({ format: 'xml', action: 'merge', config: LOADS[(c + i) % LOADS.length]! })],
  ['commit confirmed', (d) => d.commit({ confirmed: true, confirmTimeoutMinutes: 10, comment: 'qkd rotation' })],
  ['commit + unlock', (d) => Promise.all([d.confirm({ comment: 'qkd rotation' }), d.unlock()])],
  ['get-mka-session-information', (d) => d.mkaSessions()],
];
const RPCS_PER_CYCLE = 7;

/** Garbage collection while measuring: pauses by kind (PerformanceObserver 'gc'). */
function gcWatch() {
  const byKind = new Map<string, { n: number; ms: number }>();
  const names: Record<number, string> = { [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge', [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks' };
  let on = false;
  const obs = new PerformanceObserver((list) => {
    if (!on) return;
    for (const e of list.getEntries()) {
      const kind = names[(e as unknown as { detail: { kind: number } }).detail.kind] ?? 'other';
      const k = byKind.get(kind) ?? { n: 0, ms: 0 };
      k.n++;
      k.ms += e.duration;
      byKind.set(kind, k);
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  return {
    start: () => void (on = true),
    stop: () => {
      on = false;
      obs.disconnect();
      return byKind;
    },
  };
}

/**
 * Client CPU per device-cycle: `sessions` kept sessions to sim-junos in a child process, `cycles`
 * device-cycles on each, one phase on every session at once (all of them in flight together, as in
 * a rotation cycle's bursts, so per-RPC objects live long enough to be promoted).
 * process.cpuUsage() of this process is the client alone (SSH, framing, XML, the API, GC).
 */
async function rpcCpu(sessions: number, cycles: number): Promise<void> {
  const load0 = loadavg();
  const sim = await startJunos(Math.ceil(sessions / 2), 1, 0);
  const devices: JunosDevice[] = [];
  const infos = Object.values(sim.devices).slice(0, sessions);
  for (let i = 0; i < infos.length; i += 32)
    devices.push(...(await Promise.all(infos.slice(i, i + 32).map((d) => connectJunos({ host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprints: [d.hostKeyFingerprint] })))));
  await Promise.all(devices.map(async (d) => {
    await d.load({ format: 'xml', action: 'merge', config: keyLoad(0, 0) });
    await d.load({ format: 'xml', action: 'merge', config: CA_LOAD });
    await d.commit();
  }));
  const totals = new Map<string, number>(PHASES.map(([n]) => [n, 0]));
  let stopProfile: (() => Promise<void>) | undefined;
  const gc = gcWatch();
  let wallMs = 0;
  for (let c = -1; c < cycles; c++) { // cycle -1: warm-up (JIT, key chain filled), not counted
    if (c === 0) {
      if (process.env['NETCONF_CPU_PROFILE'] || process.env['NETCONF_HEAP_PROFILE']) stopProfile = await startProfile();
      gc.start();
    }
    for (const [name, run] of PHASES) {
      const t = process.cpuUsage();
      const w = performance.now();
      await Promise.all(devices.map((d, i) => run(d, c + 1, i)));
      if (c >= 0) {
        totals.set(name, totals.get(name)! + cpuMs(process.cpuUsage(t)));
        wallMs += performance.now() - w;
      }
    }
  }
  const gcs = gc.stop();
  if (stopProfile) await stopProfile();
  const simCpu = (await sim.cpuMs())[0]!;
  await Promise.all(devices.map((d) => d.close()));
  await sim.close();
  const n = sessions * cycles;
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  const us = (ms: number) => `${((ms / n) * 1000).toFixed(0).padStart(6)} µs`;
  console.log(`\nClient CPU per device-cycle (process.cpuUsage of this process; sim-junos in a child), Node ${process.version}`);
  console.log(`${sessions} kept sessions × ${cycles} device-cycles, each phase on every session at once`);
  console.log(`load average (1/5/15 min): ${load0.map((x) => x.toFixed(2)).join(' ')} before, ${loadavg().map((x) => x.toFixed(2)).join(' ')} after\n`);
  for (const [name, ms] of totals) console.log(`${name.padEnd(34)}${us(ms)}`);
  console.log(`${`device-cycle (${RPCS_PER_CYCLE} RPCs, 5 packets)`.padEnd(34)}${us(all)}  (${((all / n / RPCS_PER_CYCLE) * 1000).toFixed(0)} µs per RPC)`);
  for (const [kind, g] of gcs) console.log(`  of which GC, ${kind.padEnd(20)}${us(g.ms)}  (${g.n} pauses)`);
  if (allocated !== undefined) console.log(`allocated (sampled heap profile): ${(allocated / n / 1024).toFixed(1)} KiB per device-cycle`);
  console.log(`wall time of the measured phases: ${(wallMs / 1000).toFixed(1)} s; sim-junos CPU, whole run: ${(simCpu / 1000).toFixed(1)} s`);
}

/** Starts the V8 profiler (the measured cycles only: no set-up, no warm-up); the function it gives writes the profile. */
async function startProfile(): Promise<() => Promise<void>> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) => new Promise<unknown>((resolve, reject) => session.post(method, params, (err, r) => (err ? reject(err) : resolve(r))));
  const heap = !!process.env['NETCONF_HEAP_PROFILE'];
  if (heap) await post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  if (process.env['NETCONF_CPU_PROFILE']) {
    await post('Profiler.enable');
    await post('Profiler.start');
  }
  return async () => {
    if (process.env['NETCONF_CPU_PROFILE']) {
      const { profile } = (await post('Profiler.stop')) as { profile: object };
      await writeFile(process.env['NETCONF_CPU_PROFILE'], JSON.stringify(profile));
    }
    if (heap) {
      const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: { head: HeapNode } };
      await writeFile(process.env['NETCONF_HEAP_PROFILE']!, JSON.stringify(profile));
      allocated = sumSelf(profile.head);
    }
    session.disconnect();
  };
}
interface HeapNode {
  selfSize: number;
  children: HeapNode[];
}
const sumSelf = (n: HeapNode): number => n.selfSize + n.children.reduce((a, c) => a + sumSelf(c), 0);
/** Bytes allocated during the measured cycles (NETCONF_HEAP_PROFILE: sampled, collected objects included). */
let allocated: number | undefined;

if (process.argv[2] === 'cpu') {
  await rpcCpu(Number(process.argv[3] ?? 2000), Number(process.argv[4] ?? 5));
  process.exit(0);
}

const loadBefore = loadavg();
const sim = await startSimJunos({ devices: { eom: {}, chunked: { netconf11: true } }, links: [] });
const baseEom = await startBaseline(false);
const baseChunked = await startBaseline(true);
const baseNagle = await startBaseline(true, false);
const rows: Row[] = [];
try {
  const samples = new Map<string, Row[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const framing of ['eom', 'chunked'] as const) {
      const d = sim.devices[framing]!;
      const simOpts = { host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprints: [d.hostKeyFingerprint] };
      const base = framing === 'eom' ? baseEom : baseChunked;
      const baseOpts = { host: '127.0.0.1', port: base.port, username: 'bench', password: 'bench', hostKeyFingerprints: [base.fingerprint] };
      for (const [target, opts] of [['bare ssh2 responder', baseOpts], ['sim-junos', simOpts]] as const) {
        const key = `${target}|${framing}`;
        samples.set(key, [...(samples.get(key) ?? []), await measure(target, opts, framing)]);
      }
    }
  }
  for (const runs of samples.values())
    rows.push({ ...runs[0]!, seq: median(runs.map((r) => r.seq)), pipe: median(runs.map((r) => r.pipe)), setup: median(runs.map((r) => r.setup)) });
} finally {
  await sim.close();
  await baseEom.close();
  await baseChunked.close();
}
// What TCP_NODELAY buys: set-ups against the bare server with Nagle's algorithm on both ends.
const nagleOpts = { host: '127.0.0.1', port: baseNagle.port, username: 'bench', password: 'bench', hostKeyFingerprints: [baseNagle.fingerprint], tcpNoDelay: false };
const nagle = median(await (async () => {
  const runs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) runs.push(await setups(nagleOpts, 20));
  return runs;
})());
await baseNagle.close();

const f = (n: number) => n.toFixed(0).padStart(9);
console.log(`\nNETCONF over SSH on 127.0.0.1, <get-software-information/>, Node ${process.version}`);
const la = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
console.log(`load average (1/5/15 min): ${la(loadBefore)} before, ${la(loadavg())} after; TCP_NODELAY on both ends except in the Nagle row`);
console.log(`sequential: ${SEQUENTIAL} RPCs; pipelined: ${PIPELINED} RPCs, ${WINDOW} in flight; set-ups: ${SETUPS} connect+hello+close; median of ${ROUNDS} rounds\n`);
console.log(`${'target'.padEnd(22)}${'framing'.padEnd(9)}${'seq RPC/s'.padStart(11)}${'pipe RPC/s'.padStart(12)}${'setups/s'.padStart(10)}`);
for (const r of rows) console.log(`${r.target.padEnd(22)}${r.framing.padEnd(9)}  ${f(r.seq)}   ${f(r.pipe)} ${f(r.setup)}`);
console.log(`${'bare, Nagle both ends'.padEnd(22)}${'chunked'.padEnd(9)}  ${' '.repeat(9)}   ${' '.repeat(9)} ${f(nagle)}`);
console.log('\nsim-junos / bare responder (1.0 = no simulator overhead):');
for (const framing of ['eom', 'chunked']) {
  const [b, s] = [rows.find((r) => r.framing === framing && r.target !== 'sim-junos')!, rows.find((r) => r.framing === framing && r.target === 'sim-junos')!];
  console.log(`  ${framing.padEnd(8)} sequential ${(s.seq / b.seq).toFixed(2)}  pipelined ${(s.pipe / b.pipe).toFixed(2)}  set-ups ${(s.setup / b.setup).toFixed(2)}`);
}
const chunkedBase = rows.find((r) => r.framing === 'chunked' && r.target !== 'sim-junos')!;
console.log(`TCP_NODELAY: set-ups against the bare server ${(chunkedBase.setup / nagle).toFixed(1)}× those with Nagle on both ends`);
