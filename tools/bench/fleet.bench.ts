// Fleet rotation cycle on the default config: N links across 2N simulated devices (sim-junos in
// SIM_PROCS child processes, every device with a simulated commit latency L), two KMEs (sim-kme
// in a child process, real mTLS), the rotator engine in this process with its default rotation
// settings (the config file's defaults). Prints one table for 20, 200 and 2,000 links (each size in
// a fresh process of its own, so RSS is that size's): best cycle wall time and the median of the
// last half of the cycles, the floors measured in the same run — one commit plus one link's KME
// round trips, and two commits (commit confirmed, then confirm: what the protocol needs) — and
// the ratios, SSH sessions set up per cycle, NETCONF requests per device per cycle, the rotator's
// CPU per device-cycle (process.cpuUsage() of this process only), its peak RSS, and link-down
// intervals on the simulators' link record.
// Start-time waits are jumps of the simulators' manual clock; commit latency is wall time.
//
//   npm run bench:fleet -w tools            (FLEET_SIZES=20,200,2000 COMMIT_LATENCY_MS=1000 FLEET_CYCLES=15,15,8)
//   FLEET_LINKS=200 npm run bench:fleet -w tools   one size, with its details
//   FLEET_HISTORY=1000000 …                   the state holds that many key_IDs before init
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';
import fs, { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { createQkdClient, type QkdClient } from '@qkd-macsec/etsi-qkd-client';
import { connectNetconf, junosDevice, sshNativeCrypto, type JunosDevice } from '@qkd-macsec/junos-netconf';
// The engine from source (bundled by esbuild with this file for the measured process, see main();
// no build of the rotator needed); EngineConfig is not exported by the package entry.
import { createRotator } from '../../apps/rotator/src/engine/index.js';
import { guardedKmeClient } from '../../apps/rotator/src/fleet/connectors.js';
import { createHeldSecrets, createLogger } from '../../apps/rotator/src/log/index.js';
import type { EngineConfig } from '../../apps/rotator/src/engine/config-view.js';
import { applyV8Settings } from '../../apps/rotator/src/cli/heap.js';
import { measureFloor } from './floor.js';
import { machineReference } from './machine-reference.js';
import { unitNodeOptions, youngGenerationAsBinary } from './unit-node-options.js';
import { defaultRotation } from './rotation.js';
import { gc } from './gc.js';
import { trackPeakRss } from './peak-rss.js';
import { cpuMs, startJunos, startKmePair } from './sim-child.js';
import { settledMedian } from './stats.js';
import { threadTimes, threadTimesSince, type ThreadTimes } from './thread-times.js';
import { cpuBins, startProcSampler, type ProcSample } from './proc-timeline.js';
import { KEY_ID_ARCHIVE_FILE, STATE_FILE } from '../../apps/rotator/src/state/store.js';


/** V8's young generation (both semi-spaces): node sizes it at start (the unit's NODE_OPTIONS). */
const youngGeneration = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;

const LATENCY = Number(process.env.COMMIT_LATENCY_MS ?? 1000);
/** FLEET_IDLE_MS: idle time before each cycle after the first, as a daemon waits between its cycles. */
const IDLE_MS = Number(process.env.FLEET_IDLE_MS ?? 0);
/** FLEET_HISTORY: key_IDs already in the state before init, as a daemon that has run for a while has (2,000 links hourly: 48,000 a day). */
const HISTORY = Number(process.env.FLEET_HISTORY ?? 0);
if (!Number.isInteger(HISTORY) || HISTORY < 0) throw new Error(`FLEET_HISTORY must be a whole number of key_IDs, 0 or more; got ${JSON.stringify(process.env.FLEET_HISTORY)}`);
if (!Number.isInteger(IDLE_MS) || IDLE_MS < 0) throw new Error(`FLEET_IDLE_MS must be a whole number of milliseconds, 0 or more; got ${JSON.stringify(process.env.FLEET_IDLE_MS)}`);
/**
 * Cycles per size; the figures are the best cycle's (a daemon's steady state). A fresh process runs
 * colder code in its first cycles — V8 is still compiling what a cycle runs — and the fewer devices
 * a cycle has, the more cycles that takes. At 20 links the CPU per device-cycle settles from about
 * the 12th cycle (2.3–3.8 ms in the first three, mostly 1.25–2.25 ms from then); at 200 links from
 * about the 7th (1.30–1.55 ms in the first six, V8's helper threads busy compiling; 0.83–1.2 ms
 * from then); at 2,000 links the cycle time from the 3rd (2026-11-29, eight cycles: 4.90 and 4.27 s,
 * then 3.70–4.07 s; a run of three had caught the second cycle or the third as its best). So the
 * small sizes run 15 cycles, the largest 8. Beside the best, the table gives the median of the
 * last half of the cycles: what a daemon's cycles take, not its luckiest one.
 */
const CYCLES_SET = process.env.FLEET_CYCLES?.split(',').map(Number);
if (CYCLES_SET && ((CYCLES_SET.length !== 1 && CYCLES_SET.length !== 3) || CYCLES_SET.some((n) => !Number.isInteger(n) || n < 1))) {
  throw new Error(`FLEET_CYCLES must be one whole number of cycles, 1 or more, or three, one per size (e.g. 15,15,8); got ${JSON.stringify(process.env.FLEET_CYCLES)}`);
}
const cyclesFor = (links: number): number => {
  if (CYCLES_SET?.length === 1) return CYCLES_SET[0]!;
  const i = [20, 200, 2000].indexOf(links);
  return CYCLES_SET?.[i] ?? (links <= 200 ? 15 : 8);
};

interface SizeResult {
  links: number;
  devices: number;
  simProcs: number;
  concurrency: number;
  initMs: number;
  cyclesMs: number[];
  floor1Ms: number;
  floor2Ms: number;
  sessionsPerCycle: number;
  requestsPerDevice: number;
  stateWritesPerCycle: number;
  commitsPerDevice: number;
  cpuMsPerDeviceCycle: number;
  /** The fastest cycle's CPU by thread (Linux only): see thread-times.ts. */
  threads: ThreadTimes | undefined;
  /** Peak RSS during the cycles (init, which opens every session, left out), and during init. */
  rssMiB: number;
  initRssMiB: number;
  /** Heap in use after a full GC, once the cycles are done: what the rotator keeps. */
  heapMiB: number;
  downIntervals: number;
  load: number[];
}


/**
 * State file writes, counted from outside the store: the renames onto rotator-state.json that
 * inotify reports (the store's writer thread makes them; every write replaces the file).
 */
function countStateWrites(stateDir: string): { readonly n: number; close(): void } {
  const count = { n: 0 };
  const watcher = fs.watch(stateDir, (event, name) => {
    if (event === 'rename' && name === STATE_FILE) count.n++;
  });
  return Object.assign(count, { close: () => watcher.close() });
}

/** Per cycle, a line per 100 ms: the rotator's process, each sim-junos and sim-kme, in % of a core. */
function printProcTimeline(samples: readonly ProcSample[], cycles: Array<[number, number]>, sims: number): void {
  const pct = (v: number) => String(Math.round(100 * v)).padStart(4);
  cycles.forEach(([from, to], c) => {
    console.error(`  cycle ${c + 1}: each process's CPU in % of a core, 100 ms at a time`);
    console.error(`       s  rotator  ${Array.from({ length: sims }, (_, i) => `sim-junos ${i + 1}`).join('  ')}  sim-kme`);
    for (const b of cpuBins(samples, from, to, 100)) console.error(`    ${(b.at / 1000).toFixed(1).padStart(4)}     ${pct(b.share[0]!)}  ${b.share.slice(1, -1).map((v) => `       ${pct(v)}`).join('  ')}     ${pct(b.share.at(-1)!)}`);
  });
}

// Over 80 lines: one measured run from start to report; its locals are what a cycle keeps alive
// (see initOrThrow), so steps split out would change what the bench measures.
async function runSize(links: number): Promise<SizeResult> {
  const t0 = performance.now();
  const devices = Array.from({ length: 2 * links }, (_, i) => `d${i + 1}`);
  const kme = await startKmePair();
  const procs = Math.max(1, Math.min(Number(process.env.SIM_PROCS ?? 2), links));
  const junos = await startJunos(links, procs, LATENCY);
  const stateDir = await mkdtemp(join(tmpdir(), 'fleet-bench-'));
  const stateWrites = countStateWrites(stateDir);
  if (HISTORY > 0) {
    const th = performance.now();
    const seeded = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./seed-history.ts', import.meta.url)), stateDir, String(HISTORY), String(links)], { stdio: 'inherit' });
    if (seeded.status !== 0) throw new Error(`seed-history.ts exited with ${seeded.status ?? seeded.signal}`);
    const archive = fs.statSync(join(stateDir, KEY_ID_ARCHIVE_FILE), { throwIfNoEntry: false })?.size ?? 0;
    if (!process.env.FLEET_QUIET) console.error(`  history: ${HISTORY.toLocaleString('en')} key_IDs in the state before init (archive ${(archive / 2 ** 20).toFixed(1)} MiB), written in ${((performance.now() - th) / 1000).toFixed(1)} s by seed-history.ts`);
  }
  const config: EngineConfig = {
    saes: { SAE_A: { kme: 'KME_A' }, SAE_B: { kme: 'KME_B' } },
    devices: Object.fromEntries(devices.map((d, i) => [d, { sae: i % 2 === 0 ? 'SAE_A' : 'SAE_B' }])),
    links: Array.from({ length: links }, (_, i) => ({
      name: `L${i + 1}`,
      master: { device: `d${2 * i + 1}`, interfaces: ['et-0/0/0'] },
      slaves: [{ device: `d${2 * i + 2}`, interfaces: ['et-0/0/0'] }],
    })),
    rotation: defaultRotation(),
    stateDir,
  };
  const tls = (sae: string) => ({ ...kme.ready.saes[sae]!, ca: kme.ready.ca });
  // What the rotator does on the wire: sessions set up, requests and commits sent.
  const counts = { sessions: 0, requests: 0, commits: 0 };
  const connect = async (name: string): Promise<JunosDevice> => {
    const d = junos.devices[name]!;
    // No SSH keepalive, as the rotator's deviceConnector (apps/rotator/src/fleet/connectors.ts).
    const client = await connectNetconf({ host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprints: [d.hostKeyFingerprint], rpcTimeoutMs: 120_000, keepaliveIntervalMs: 0 });
    counts.sessions++;
    const rpc = client.rpc;
    client.rpc = (xml, o) => {
      counts.requests++;
      if (xml.startsWith('<commit-configuration')) counts.commits++;
      return rpc(xml, o);
    };
    return junosDevice(client);
  };
  const held = createHeldSecrets();
  // FLEET_TIMELINE=1 also times the KME requests (first start – last end per kind, count, keys).
  const kmeTimes = new Map<string, { n: number; keys: number; first: number; last: number }>();
  const timedKme = (c: QkdClient): QkdClient => {
    const time = async <T extends { keys: unknown[] }>(kind: string, p: () => Promise<T>): Promise<T> => {
      const t0 = (performance.now() - cycleStart) / 1000;
      const r = await p();
      const k = kmeTimes.get(kind) ?? kmeTimes.set(kind, { n: 0, keys: 0, first: t0, last: 0 }).get(kind)!;
      k.n++;
      k.keys += r.keys.length;
      k.last = (performance.now() - cycleStart) / 1000;
      return r;
    };
    return { getStatus: (s, o) => c.getStatus(s, o), getKey: (s, r, o) => time('enc_keys', () => c.getKey(s, r, o)), getKeyWithIds: (m, ids, o) => time('dec_keys', () => c.getKeyWithIds(m, ids, o)), close: () => c.close() };
  };
  const kmeClient = (sae: string) => {
    const c = guardedKmeClient(createQkdClient({ baseUrl: kme.ready.urls[config.saes[sae]!.kme]!, tls: tls(sae), timeoutMs: 60_000 }), held);
    return process.env.FLEET_TIMELINE ? timedKme(c) : c;
  };
  // The daemon's logger as `run` configures it by default (JSON lines, level info), its lines
  // counted and dropped: building and writing them is part of the rotator's CPU. Warnings and
  // errors are also shown.
  // With the held-value guard the CLI puts behind it (every key the KME clients receive is registered).
  const logged = { lines: 0 };
  const logger = createLogger({
    format: 'json',
    level: 'info',
    held,
    stream: new Writable({
      write(chunk: Buffer, _enc, done) {
        logged.lines++;
        if (/"level":"(warn|error|fatal)"/.test(chunk.toString('utf8', 0, 60))) process.stderr.write(chunk);
        done();
      },
    }),
  });
  // FLEET_TIMELINE=1: when each engine step point was passed (first, median, last; s into the cycle).
  const timeline = new Map<string, number[]>();
  let cycleStart = 0;
  const rotator = createRotator({
    ...(process.env.FLEET_TIMELINE ? { hooks: { pause: async (point: string) => void (timeline.get(point) ?? timeline.set(point, []).get(point)!).push((performance.now() - cycleStart) / 1000) } } : {}),
    config,
    logger,
    clock: () => new Date(junos.now()),
    sleep: (ms) => junos.advance(Math.ceil(ms)),
    verifyDelayMs: 1000,
    connectDevice: connect,
    kmeClientFor: kmeClient,
  });
  const peakRss = trackPeakRss();
  // What the RSS held where it was highest, sampled once a second (peak-rss.ts says why not more
  // often): V8's heap (live and garbage), Buffers and other external memory.
  let atPeak = process.memoryUsage();
  let youngAtPeak = youngGeneration();
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > atPeak.rss) [atPeak, youngAtPeak] = [m, youngGeneration()];
  }, 1000);
  try {
    const ti = performance.now();
    await initOrThrow(rotator);
    const initMs = performance.now() - ti;
    const initRss = peakRss.peak();
    peakRss.reset();
    atPeak = process.memoryUsage();
    if (!process.env.FLEET_QUIET) console.error(`  ${links} links: simulators up in ${((ti - t0) / 1000).toFixed(1)} s, init ${(initMs / 1000).toFixed(1)} s`);
    const since = junos.now();

    // FLEET_CPU_PROFILE=FILE: the cycles' CPU profile (what node --cpu-prof records, init left out).
    const profiler = process.env.FLEET_CPU_PROFILE ? await startProfile() : undefined;
    // FLEET_HEAP_PROFILE=FILE: where the cycles allocate (sampled, garbage included: what the GC pays for).
    const heapProfiler = process.env.FLEET_HEAP_PROFILE ? await startHeapProfile() : undefined;
    const cyclesMs: number[] = [];
    const perCycle: Array<{ writes: number; sessions: number; requests: number; commits: number; cpuMs: number; threads: ThreadTimes | undefined }> = [];
    const CYCLES = cyclesFor(links);
    // FLEET_PROC_TIMELINE=1: each process's share of a core, 100 ms at a time, through each cycle (proc-timeline.ts).
    const sampler = process.env.FLEET_PROC_TIMELINE ? startProcSampler([process.pid, ...junos.pids, kme.pid]) : undefined;
    const cycleSpans: Array<[number, number]> = [];
    for (let c = 0; c < CYCLES; c++) {
      if (IDLE_MS > 0 && c > 0) await new Promise((r) => setTimeout(r, IDLE_MS));
      const before = { ...counts, writes: stateWrites.n };
      const simBefore = [...(await junos.cpuMs()), cpuMs((await kme.call('cpu')).cpu as NodeJS.CpuUsage)];
      // When each phase was first and last seen (seconds into the cycle): where the time goes.
      const phases = new Map<string, [number, number]>();
      const threadsBefore = threadTimes(); // ~15 /proc reads: before the rotator's CPU is counted, not in it
      const cpu = process.cpuUsage();
      const tc = performance.now();
      cycleStart = tc;
      // With FLEET_CHILD_STDOUT: where each cycle starts and ends, in the time of V8's --trace-gc lines (ms since start).
      if (process.env.FLEET_CHILD_STDOUT) console.log(`cycle ${c + 1} starts at ${Math.round(tc)} ms`);
      if (process.env.FLEET_TIMELINE) console.error(`    cycle starts at ${(Date.now() / 1000).toFixed(3)}`);
      timeline.clear();
      kmeTimes.clear();
      const startedAt = Date.now();
      const report = await rotator.rotate({
        onProgress: (e) => {
          // FLEET_MIDCYCLE_SNAPSHOT=FILE: at the last cycle's first confirm, a full GC (what is live
          // in the middle of a cycle) and a heap snapshot of it. Stalls that cycle: diagnosis only.
          if (e.phase === 'confirm' && c === CYCLES - 1 && process.env.FLEET_MIDCYCLE_SNAPSHOT && !phases.has('confirm')) {
            gc();
            console.error(`  mid-cycle, after a full GC: heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
            writeHeapSnapshot(process.env.FLEET_MIDCYCLE_SNAPSHOT);
          }
          const at = (performance.now() - tc) / 1000;
          const seen = phases.get(e.phase);
          phases.set(e.phase, seen ? [seen[0], at] : [at, at]);
        },
      });
      cyclesMs.push(performance.now() - tc);
      cycleSpans.push([startedAt, Date.now()]);
      if (process.env.FLEET_CHILD_STDOUT) console.log(`cycle ${c + 1} ends at ${Math.round(performance.now())} ms`);
      const used = process.cpuUsage(cpu);
      const threads = threadTimesSince(threadsBefore, threadTimes());
      const simAfter = [...(await junos.cpuMs()), cpuMs((await kme.call('cpu')).cpu as NodeJS.CpuUsage)];
      if (!process.env.FLEET_QUIET) {
        console.error(`  cycle ${c + 1}: ${((performance.now() - tc) / 1000).toFixed(2)} s; phases (first–last, s): ${[...phases].map(([p, [a, b]]) => `${p} ${a.toFixed(2)}–${b.toFixed(2)}`).join(', ')}`);
        if (process.env.FLEET_TIMELINE) {
          const q = (v: number[], f: number) => v[Math.min(v.length - 1, Math.floor(f * v.length))]!.toFixed(2);
          console.error(`    KME: ${[...kmeTimes].map(([k, v]) => `${k} ${v.n} requests (${v.keys} keys) ${v.first.toFixed(2)}–${v.last.toFixed(2)}`).join(', ')}`);
          console.error(`    steps (first / median / last, s): ${[...timeline].map(([p, v]) => (v.sort((a, b) => a - b), `${p} ${q(v, 0)} / ${q(v, 0.5)} / ${q(v, 1)}`)).join(', ')}`);
        }
        console.error(`    CPU: rotator ${(cpuMs(used) / 1000).toFixed(2)} s${threads ? ` (${threadsLine(threads)})` : ''}, sim-junos ${simAfter.slice(0, -1).map((v, i) => ((v - simBefore[i]!) / 1000).toFixed(2)).join(' + ')} s, sim-kme ${((simAfter.at(-1)! - simBefore.at(-1)!) / 1000).toFixed(2)} s`);
      }
      perCycle.push({ writes: stateWrites.n - before.writes, sessions: counts.sessions - before.sessions, requests: counts.requests - before.requests, commits: counts.commits - before.commits, cpuMs: (used.user + used.system) / 1000, threads });
      const failed = report.links.filter((l) => l.result !== 'ok');
      if (failed.length) throw new Error(`${failed.length} links failed, e.g. ${failed[0]!.link}: ${failed[0]!.error?.message}`);
    }
    if (sampler) printProcTimeline(await sampler.stop(), cycleSpans, junos.pids.length);
    if (profiler) await profiler.stop(process.env.FLEET_CPU_PROFILE!);
    if (heapProfiler) await heapProfiler.stop(process.env.FLEET_HEAP_PROFILE!);
    const drops = (await junos.downIntervalsSince(since)).length;
    const rssMiB = peakRss.peak() / 2 ** 20;
    const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
    if (!process.env.FLEET_QUIET) console.error(`  at the highest RSS sampled (${mib(atPeak.rss)}, once a second): V8 heap ${mib(atPeak.heapTotal)} (${mib(atPeak.heapUsed)} used; young generation ${mib(youngAtPeak)}), external ${mib(atPeak.external)} (ArrayBuffers ${mib(atPeak.arrayBuffers)})`);
    gc();
    const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
    // FLEET_HEAP_SNAPSHOT=FILE: what that heap holds (open it in Chrome DevTools' Memory tab).
    if (process.env.FLEET_HEAP_SNAPSHOT) writeHeapSnapshot(process.env.FLEET_HEAP_SNAPSHOT);

    const floor = await measureFloor({ master: kmeClient('SAE_A'), masterSae: 'SAE_A', slave: kmeClient('SAE_B'), slaveSae: 'SAE_B' }, () => connect('d1'));

    const last = perCycle.at(-1)!;
    return {
      links,
      devices: devices.length,
      simProcs: procs,
      concurrency: config.rotation.concurrency,
      initMs,
      cyclesMs,
      floor1Ms: floor.oneCommitMs,
      floor2Ms: floor.twoCommitsMs,
      sessionsPerCycle: Math.max(...perCycle.slice(1).map((p) => p.sessions), perCycle.length === 1 ? last.sessions : 0),
      requestsPerDevice: last.requests / devices.length,
      stateWritesPerCycle: last.writes,
      commitsPerDevice: last.commits / devices.length,
      cpuMsPerDeviceCycle: Math.min(...perCycle.map((p) => p.cpuMs)) / devices.length,
      threads: perCycle[cyclesMs.indexOf(Math.min(...cyclesMs))]!.threads,
      rssMiB,
      initRssMiB: initRss / 2 ** 20,
      heapMiB,
      downIntervals: drops,
      load: loadavg(),
    };
  } finally {
    clearInterval(sampler);
    peakRss.stop();
    stateWrites.close();
    await rotator.close();
    await Promise.allSettled([kme.close(), junos.close()]);
    await rm(stateDir, { recursive: true, force: true });
  }
}

/**
 * Runs init and drops its report: a daemon never holds one (it does not run init), and a local of
 * runSize (an async function keeps its locals for as long as it runs) held every device's report
 * through the cycles measured.
 */
async function initOrThrow(rotator: ReturnType<typeof createRotator>): Promise<void> {
  const init = await rotator.init();
  if (init.errors.length) throw new Error(`init failed: ${init.errors.slice(0, 3).join('; ')}`);
}

function inspectorSession() {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) => new Promise<unknown>((resolve, reject) => session.post(method, params, (err, r) => (err ? reject(err) : resolve(r))));
  return { session, post };
}

async function startHeapProfile() {
  const { session, post } = inspectorSession();
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', { samplingInterval: 64 * 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !process.env.FLEET_HEAP_PROMOTED });
  return {
    async stop(file: string) {
      const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: object };
      await writeFile(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

async function startProfile() {
  const { session, post } = inspectorSession();
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    async stop(file: string) {
      const { profile } = (await post('Profiler.stop')) as { profile: object };
      await writeFile(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** A cycle's CPU by thread, for the per-cycle lines. */
function threadsLine(t: ThreadTimes): string {
  return `JavaScript thread ${(t.mainCpuMs / 1000).toFixed(2)} s on a core and ${(t.mainWaitMs / 1000).toFixed(2)} s waiting for one, other threads ${(t.otherCpuMs / 1000).toFixed(2)} s`;
}

function table(results: SizeResult[]): string {
  const rows: Array<[string, (r: SizeResult) => string]> = [
    ['devices', (r) => String(r.devices)],
    ['cycle (best)', (r) => s(Math.min(...r.cyclesMs))],
    ['cycle (median, last half)', (r) => s(settledMedian(r.cyclesMs))],
    ['cycles', (r) => (r.cyclesMs.length > 3 ? `${r.cyclesMs.length}: ${s(Math.min(...r.cyclesMs))}–${s(Math.max(...r.cyclesMs))}` : r.cyclesMs.map((c) => (c / 1000).toFixed(2)).join(' / '))],
    ['floor: 1 commit + KME', (r) => s(r.floor1Ms)],
    ['floor: 2 commits + KME', (r) => s(r.floor2Ms)],
    ['ratio to 1-commit floor', (r) => (Math.min(...r.cyclesMs) / r.floor1Ms).toFixed(2)],
    ['ratio to 2-commit floor', (r) => (Math.min(...r.cyclesMs) / r.floor2Ms).toFixed(2)],
    ['ratio to 2-commit floor (median)', (r) => (settledMedian(r.cyclesMs) / r.floor2Ms).toFixed(2)],
    ['SSH sessions set up / cycle', (r) => String(r.sessionsPerCycle)],
    ['NETCONF requests / device', (r) => r.requestsPerDevice.toFixed(2)],
    ['commits / device', (r) => r.commitsPerDevice.toFixed(2)],
    ['state file writes / cycle', (r) => String(r.stateWritesPerCycle)],
    ['rotator CPU / device-cycle', (r) => `${r.cpuMsPerDeviceCycle.toFixed(2)} ms`],
    // The whole cycle's: at 20 links most of it is what a cycle costs whatever its size.
    ['rotator CPU / cycle', (r) => `${Math.round(r.cpuMsPerDeviceCycle * r.devices)} ms`],
    ['JS thread: on a core / waiting', (r) => (r.threads ? `${s(r.threads.mainCpuMs)} / ${s(r.threads.mainWaitMs)}` : 'n/a')],
    ['other threads (GC, compiler)', (r) => (r.threads ? s(r.threads.otherCpuMs) : 'n/a')],
    ['rotator RSS (peak, cycles)', (r) => `${r.rssMiB.toFixed(0)} MiB`],
    ['rotator RSS (peak, init)', (r) => `${r.initRssMiB.toFixed(0)} MiB`],
    ['rotator heap after GC', (r) => `${r.heapMiB.toFixed(0)} MiB`],
    ['init (sessions + 1st keys)', (r) => s(r.initMs)],
    ['link-down intervals', (r) => String(r.downIntervals)],
    ['load average (1/5/15 min)', (r) => r.load.map((l) => l.toFixed(2)).join(' ')],
  ];
  const head = ['links', ...results.map((r) => String(r.links))];
  const body = rows.map(([name, f]) => [name, ...results.map(f)]);
  const widths = head.map((_, i) => Math.max(...[head, ...body].map((row) => row[i]!.length)));
  const fmtRow = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [fmtRow(head), ...body.map(fmtRow)].join('\n');
}

/** One size in a fresh process of its own: its RSS and CPU are its own. */
function runChild(child: string, links: number): SizeResult {
  const nodeOptions = unitNodeOptions('qkd-macsec.service');
  const run = spawnSync(process.execPath, [...youngGenerationAsBinary(nodeOptions), ...(process.env.FLEET_NODE_ARGS?.split(' ').filter(Boolean) ?? []), child], {
    // As the daemon's systemd unit starts it: node takes the young generation's size at start only.
    env: { ...process.env, NODE_OPTIONS: nodeOptions, FLEET_CHILD: '1', FLEET_LINKS: String(links) },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  // FLEET_CHILD_STDOUT=FILE: what else the child printed (V8's --trace-gc in FLEET_NODE_ARGS writes there).
  if (process.env.FLEET_CHILD_STDOUT) fs.writeFileSync(process.env.FLEET_CHILD_STDOUT, run.stdout);
  const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (run.status !== 0 || !line) throw new Error(`fleet bench with ${links} links failed (exit ${String(run.status)})`);
  return JSON.parse(line.slice(7)) as SizeResult;
}

async function main(): Promise<void> {
  if (process.env.FLEET_CHILD) {
    applyV8Settings(); // as the qkd-macsec binary does at start (apps/rotator/src/cli/heap.ts), after its imports
    const r = await runSize(Number(process.env.FLEET_LINKS));
    process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
    return;
  }
  const sizes = (process.env.FLEET_LINKS ?? process.env.FLEET_SIZES ?? '20,200,2000').split(',').map(Number);
  const results: SizeResult[] = [];
  // Before the sizes, while the machine is as quiet as the table's first size finds it.
  const machine = machineReference();
  // The measured process runs this file bundled by esbuild (the engine's source with it, the
  // packages from their builds) on plain node, as the qkd-macsec binary runs its build: under tsx
  // the same process held ~38 MiB more RSS (tsx's loader alone) and compiled as it went.
  const child = fileURLToPath(new URL('./.fleet-child.mjs', import.meta.url));
  await build({ entryPoints: [fileURLToPath(import.meta.url)], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: child, logLevel: 'warning' });
  try {
    for (const links of sizes) results.push(runChild(child, links));
  } finally {
    rmSync(child, { force: true });
  }
  const r0 = results[0]!;
  console.log(`fleet rotation cycle on the default rotation settings (concurrency ${r0.concurrency}), commit latency ${LATENCY} ms, sim-junos in ${r0.simProcs} processes, sim-kme in 1; best of ${results.map((r) => r.cyclesMs.length).join('/')} cycles, and the median of their last half; V8 settings as the CLI sets them (cli/heap.ts) and node as the daemon's systemd unit starts it (NODE_OPTIONS=${unitNodeOptions('qkd-macsec.service')}, the young generation at that size from the start as the binary's imports grow it) unless FLEET_NODE_ARGS sets its own`);
  console.log(table(results));
  console.log(
    `machine: ${machine.cores} × ${machine.cpu}; reference workload ${machine.ms.toFixed(0)} ms (4,000 one-session MKA replies parsed and a 2,000-link journal serialised 10 times, best of 15; lower is faster — compare tables from different machines through it)`,
  );
  // Every process here loads the same ssh2: without its binding each SSH packet costs more CPU on both sides.
  const crypto = sshNativeCrypto();
  console.log(`ssh2 native crypto: ${crypto.loaded ? 'in use' : `NOT in use — ${crypto.problem}`}; Node ${process.version}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
