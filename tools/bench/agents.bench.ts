// Agent mode against direct mode, in the same run, on the same fleet: 200 links over 4 sites (400
// devices, 100 a site, every link between two sites), 1 s simulated commit latency, sim-junos in
// SIM_PROCS child processes and sim-kme (one KME per site) in one; per site a `qkd-macsec agent`
// child process (the built CLI) holding that site's KME and device credentials. The coordinator
// runs in this process (createRotator, from source), twice over one state directory: a direct one
// with every credential, and an agent one that has none and reaches everything through the agents.
// The direct rotator inits the fleet; the agent one runs one unmeasured warm-up cycle (its agents
// open their NETCONF sessions then, as the direct rotator's were opened by init); then the two
// alternate, direct then agent, AGENTS_CYCLES times each, so load on the machine hits both alike.
// Prints one table: best cycle per mode and their ratio (target ≤ 1.2), the floors, the
// coordinator's CPU per device-cycle (process.cpuUsage(): this process only), the agents' CPU
// (their /proc stat), link-down intervals on the simulators' link record, and the load average at
// the start and at the end. Start-time waits are jumps of the simulators' manual clock.
//
//   npm run bench:agents -w tools   (after a build: the agents are the built CLI)
//   AGENTS_LINKS=200 AGENTS_SITES=4 AGENTS_CYCLES=2 COMMIT_LATENCY_MS=1000 SIM_PROCS=2
//   AGENTS_CPU_PROFILE_DIR=DIR  the agents' CPU profiles (node --cpu-prof), written when they stop
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createQkdClient } from '@qkd-macsec/etsi-qkd-client';
import { connectNetconf, junosDevice, type JunosDevice } from '@qkd-macsec/junos-netconf';
// The engine and the agent client from source (tsx runs them); the agents are the built CLI.
import { createAgentDirectory } from '../../apps/rotator/src/agent/client/index.js';
import type { EngineConfig } from '../../apps/rotator/src/engine/config-view.js';
import { createRotator, type Rotator } from '../../apps/rotator/src/engine/index.js';
import { applyV8Settings } from '../../apps/rotator/src/cli/heap.js';
import { kmeOf, layout, saeOf, startSites } from './agent-sites.js';
import { measureFloor, type Floor } from './floor.js';
import { defaultRotation } from './rotation.js';
import { cpuMs } from './sim-child.js';

const LINKS = Number(process.env.AGENTS_LINKS ?? 200);
const SITES = Number(process.env.AGENTS_SITES ?? 4);
const CYCLES = Number(process.env.AGENTS_CYCLES ?? 2);
const LATENCY = Number(process.env.COMMIT_LATENCY_MS ?? 1000);
const SIM_PROCS = Number(process.env.SIM_PROCS ?? 2);
const TARGET = 1.2;

type Mode = 'direct' | 'agent';
interface Cycle {
  mode: Mode;
  ms: number;
  coordinatorCpuMs: number;
  agentCpuMs: number;
  /** Requests the agents answered, the HTTPS exchanges that carried them, TLS connections they accepted (agent mode). */
  requests: number;
  exchanges: number;
  connections: number;
  downIntervals: number;
}

const quiet = { info: () => undefined, warn: (...a: unknown[]) => console.warn(...a), error: (...a: unknown[]) => console.error(...a), debug: () => undefined };
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

async function main(): Promise<void> {
  applyV8Settings(); // the coordinator runs here: as the qkd-macsec binary does at start (cli/heap.ts)
  const loadStart = loadavg();
  const l = layout(LINKS, SITES);
  const fleet = await startSites(l, { simProcs: SIM_PROCS, latencyMs: LATENCY, agentCpuProfileDir: process.env.AGENTS_CPU_PROFILE_DIR });
  const stateDir = await mkdtemp(join(tmpdir(), 'agents-bench-state-'));
  const devices = Object.keys(fleet.junos.devices);
  const links: EngineConfig['links'] = l.linkSites.map((_, i) => ({
    name: `L${i + 1}`,
    master: { device: `d${2 * i + 1}`, interfaces: ['et-0/0/0'] },
    slaves: [{ device: `d${2 * i + 2}`, interfaces: ['et-0/0/0'] }],
  }));
  const rotation = defaultRotation();
  const siteOf = Object.fromEntries(Object.entries(fleet.siteDevices).flatMap(([s, ds]) => ds.map((d) => [d, s])));
  const connect = async (name: string): Promise<JunosDevice> => {
    const d = fleet.junos.devices[name]!;
    return junosDevice(await connectNetconf({ host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprints: [d.hostKeyFingerprint], rpcTimeoutMs: 120_000 }));
  };
  const kmeClient = (sae: string) =>
    createQkdClient({ baseUrl: fleet.kme.ready.urls[kmeOf(sae.slice(4))]!, tls: { ...fleet.kme.ready.saes[sae]!, ca: fleet.kme.ready.ca }, timeoutMs: 60_000 });
  const common = { logger: quiet, clock: () => new Date(fleet.junos.now()), sleep: (ms: number) => fleet.junos.advance(Math.ceil(ms)), verifyDelayMs: 1000 };
  const direct = createRotator({
    ...common,
    config: {
      saes: Object.fromEntries(l.sites.map((s) => [saeOf(s), { kme: kmeOf(s) }])),
      devices: Object.fromEntries(devices.map((d) => [d, { sae: saeOf(siteOf[d]!) }])),
      links,
      rotation,
      stateDir,
    },
    connectDevice: connect,
    kmeClientFor: kmeClient,
  });
  const none = () => {
    throw new Error('agent mode: the coordinator has no KME or device credential');
  };
  const agent = createRotator({
    ...common,
    config: { saes: {}, devices: {}, sites: fleet.sites, links, rotation, stateDir },
    agents: createAgentDirectory({ sites: fleet.sites }, { logger: quiet }),
    connectDevice: none,
    kmeClientFor: none,
  });
  try {
    const ti = performance.now();
    const init = await direct.init();
    if (init.errors.length) throw new Error(`init failed: ${init.errors.slice(0, 3).join('; ')}`);
    console.error(`  ${LINKS} links over ${SITES} sites: init (direct) ${sec(performance.now() - ti)}`);
    const warmup = await cycle(agent, 'agent', fleet, devices.length);
    console.error(`  agent warm-up cycle (the agents open their sessions): ${sec(warmup.ms)}`);
    const cycles: Cycle[] = [];
    for (let c = 0; c < CYCLES; c++) {
      cycles.push(await cycle(direct, 'direct', fleet, devices.length));
      cycles.push(await cycle(agent, 'agent', fleet, devices.length));
    }
    const floor = await measureFloor({ master: kmeClient(saeOf(l.sites[0]!)), masterSae: saeOf(l.sites[0]!), slave: kmeClient(saeOf(l.sites[1]!)), slaveSae: saeOf(l.sites[1]!) }, () => connect('d1'));
    console.log(`agent mode vs direct mode: ${LINKS} links over ${SITES} sites (${devices.length} devices), commit latency ${LATENCY} ms, rotation concurrency ${rotation.concurrency}; sim-junos in ${SIM_PROCS} processes, sim-kme in 1, ${SITES} agents (qkd-macsec agent) in 1 each, the coordinator in the bench process; best of ${CYCLES} cycles per mode, alternating`);
    console.log(table(cycles, floor, devices.length, loadStart, loadavg()));
  } finally {
    await Promise.allSettled([direct.close(), agent.close()]);
    await fleet.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** One rotation cycle: wall time, this process's CPU, the agents' CPU, the link-down intervals it caused. */
async function cycle(rotator: Rotator, mode: Mode, fleet: Awaited<ReturnType<typeof startSites>>, deviceCount: number): Promise<Cycle> {
  const since = fleet.junos.now();
  const countsBefore = mode === 'agent' ? await fleet.agentCounts() : undefined;
  const agentsBefore = sum(Object.values(fleet.agentCpuMs()));
  const phases = new Map<string, [number, number]>();
  const cpu = process.cpuUsage();
  const t = performance.now();
  const report = await rotator.rotate({
    onProgress: (e) => {
      const at = (performance.now() - t) / 1000;
      const seen = phases.get(e.phase);
      phases.set(e.phase, seen ? [seen[0], at] : [at, at]);
    },
  });
  const ms = performance.now() - t;
  const coordinatorCpuMs = cpuMs(process.cpuUsage(cpu));
  const agentCpuMs = sum(Object.values(fleet.agentCpuMs())) - agentsBefore;
  const countsAfter = countsBefore && (await fleet.agentCounts());
  // Each scrape opens one connection per agent: the later scrape's are not the cycle's.
  const requests = countsBefore ? countsAfter!.requests - countsBefore.requests : 0;
  const exchanges = countsBefore ? countsAfter!.exchanges - countsBefore.exchanges : 0;
  const connections = countsBefore ? countsAfter!.connections - countsBefore.connections - SITES : 0;
  const failed = report.links.filter((x) => x.result !== 'ok');
  if (failed.length) throw new Error(`${mode}: ${failed.length} links failed, e.g. ${failed[0]!.link}: ${failed[0]!.error?.message}`);
  const downIntervals = (await fleet.junos.downIntervalsSince(since)).length;
  console.error(`  ${mode} cycle ${sec(ms)}: coordinator CPU ${sec(coordinatorCpuMs)}, agents ${sec(agentCpuMs)}, ${(coordinatorCpuMs / deviceCount).toFixed(2)} ms/device${countsBefore ? `, ${requests} requests in ${exchanges} HTTPS exchanges, ${connections} new connections` : ''}; phases (first–last, s): ${[...phases].map(([p, [a, b]]) => `${p} ${a.toFixed(2)}–${b.toFixed(2)}`).join(', ')}`);
  return { mode, ms, coordinatorCpuMs, agentCpuMs, requests, exchanges, connections, downIntervals };
}

function table(cycles: Cycle[], floor: Floor, devices: number, loadStart: number[], loadEnd: number[]): string {
  const of = (mode: Mode) => cycles.filter((c) => c.mode === mode);
  const best = (mode: Mode) => Math.min(...of(mode).map((c) => c.ms));
  const ratio = best('agent') / best('direct');
  const perDevice = (mode: Mode, f: (c: Cycle) => number) => `${(Math.min(...of(mode).map(f)) / devices).toFixed(2)} ms`;
  const rows: Array<[string, string, string]> = [
    ['cycle (best)', sec(best('direct')), sec(best('agent'))],
    ['cycles', of('direct').map((c) => (c.ms / 1000).toFixed(2)).join(' / '), of('agent').map((c) => (c.ms / 1000).toFixed(2)).join(' / ')],
    ['ratio agent / direct (best)', '', `${ratio.toFixed(2)} (target ≤ ${TARGET}${ratio <= TARGET ? ', met' : ', NOT MET'})`],
    ['floor: 1 commit + KME', sec(floor.oneCommitMs), ''],
    ['floor: 2 commits + KME', sec(floor.twoCommitsMs), ''],
    ['ratio to 2-commit floor', (best('direct') / floor.twoCommitsMs).toFixed(2), (best('agent') / floor.twoCommitsMs).toFixed(2)],
    ['coordinator CPU / device-cycle', perDevice('direct', (c) => c.coordinatorCpuMs), perDevice('agent', (c) => c.coordinatorCpuMs)],
    [`agents' CPU / device-cycle (all ${SITES})`, '', perDevice('agent', (c) => c.agentCpuMs)],
    ['API requests / device-cycle', '', (Math.min(...of('agent').map((c) => c.requests)) / devices).toFixed(2)],
    ['HTTPS exchanges / device-cycle', '', (Math.min(...of('agent').map((c) => c.exchanges)) / devices).toFixed(3)],
    ['new TLS connections / cycle', '', String(Math.max(...of('agent').map((c) => c.connections)))],
    ['link-down intervals', String(sum(of('direct').map((c) => c.downIntervals))), String(sum(of('agent').map((c) => c.downIntervals)))],
    ['load average at start (1/5/15)', loadStart.map((x) => x.toFixed(2)).join(' '), ''],
    ['load average at end (1/5/15)', loadEnd.map((x) => x.toFixed(2)).join(' '), ''],
  ];
  const head: [string, string, string] = ['', 'direct', 'agent'];
  const widths = [0, 1, 2].map((i) => Math.max(...[head, ...rows].map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)].join('\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
