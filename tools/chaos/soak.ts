// The chaos soak: the world (simulators, config, init), then the daemon under a supervisor that
// kills it, random faults, concurrent `rotate` commands — until the time or rotation budget is
// spent and the kill quota is met — then a quiet period in which the daemon must resolve every
// transaction and secure every cable, and finally the figures.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { collectFigures, scanReport, type CollectInput } from './collect.js';
import { watchFallbackKeys } from './fallback-watch.js';
import { startFaults, type FaultTarget } from './faults.js';
import { readLinkRecord } from './link-record.js';
import { stopChild, type Child } from './processes.js';
import { seededRandom, type Random } from './random.js';
import { failedFigures, renderTable, type Figures } from './report.js';
import { startRotateCommands, type RotateCommands } from './rotate-commands.js';
import { attemptsOf, followRotatorLogs } from './rotator-log.js';
import { startDaemon } from './rotator.js';
import { sleep } from './sleep.js';
import { STATE_FILE, watchState } from './state-watch.js';
import { stepFromSimJunosLine, STEPS } from './steps.js';
import { startSupervisor, type Supervisor } from './supervisor.js';
import { computeTiming, type Timing } from './timing.js';
import { buildTopology, type Topology } from './topology.js';
import { startWorld, type World } from './world.js';

/** Fallback keys are due every this many intervals. */
const FALLBACK_INTERVALS = 4;

export interface SoakOptions {
  links: number;
  /** Stop after this long (default: when the rotation budget is met). */
  minutes?: number;
  /** Stop once this many rotations were attempted. */
  rotations?: number;
  /** Keep going until at least this many kills, including one at every step boundary. */
  minKills?: number;
  seed: number;
  confirmMinuteMs: number;
  slowCommitMs: number;
  maxFaultCommitMs: number;
  /** Mean gap between fault episodes, and between `rotate` commands (ms). */
  faultGapMs: number;
  rotateGapMs: number;
  /** How long a fresh daemon runs undisturbed before a kill is armed. */
  calmMs: { min: number; max: number };
  /** How often an armed step kill asks the daemon for a rotation now rather than waiting for its slot (0..1). */
  provokeRate: number;
  /** Parent of the run directory (default the OS temp dir); kept when `keep` or on failure. */
  root?: string;
  keep?: boolean;
  log: (line: string) => void;
}

export interface SoakResult {
  figures: Figures;
  dir: string;
  /** The run directory is left on disk (asked for, or a figure failed). */
  kept: boolean;
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const started = Date.now();
  const random = seededRandom(o.seed);
  const topology = buildTopology(o.links);
  const timing = computeTiming({ devices: topology.devices.length, concurrency: topology.concurrency, confirmMinuteMs: o.confirmMinuteMs, slowCommitMs: o.slowCommitMs, maxFaultCommitMs: o.maxFaultCommitMs });
  o.log(`seed ${o.seed}: ${topology.links.length} links, ${topology.devices.length} devices, concurrency ${topology.concurrency}; lead ${timing.leadTimeSeconds} s, interval ${timing.intervalSeconds} s`);
  // Fallback keys are rotated every four intervals, so a soak sees their transactions killed too.
  const world = await startWorld({ topology, timing, fallbackIntervalHours: (FALLBACK_INTERVALS * timing.intervalSeconds) / 3600, kmeTimeoutMs: 2000, ...(o.root ? { root: o.root } : {}), log: o.log });
  let keep = true;
  try {
    const activity = await chaos({ o, world, topology, timing, random });
    const { figures, needles } = await collectFigures({ world, topology, timing, seed: o.seed, started, ...activity });
    scanReport(figures, renderTable(figures), needles);
    keep = o.keep === true || failedFigures(figures).length > 0;
    return { figures, dir: world.dir, kept: keep };
  } finally {
    await world.close(keep);
  }
}

interface Run {
  o: SoakOptions;
  world: World;
  topology: Topology;
  timing: Timing;
  random: Random;
}

type Activity = Omit<CollectInput, 'world' | 'topology' | 'timing' | 'seed' | 'started'>;

async function chaos({ o, world, topology, timing, random }: Run): Promise<Activity> {
  let commands: RotateCommands | undefined;
  const supervisor = startSupervisor({
    cli: world.cli,
    random,
    timing,
    calmMs: o.calmMs,
    stepTimeoutMs: timing.intervalSeconds * 3000,
    randomWindowMs: (timing.leadTimeSeconds * 1000) / 2,
    // A `rotate` of every link through the daemon: the step comes within seconds.
    provoke: () => commands?.launch([]),
    provokeRate: o.provokeRate,
    log: o.log,
  });
  const offJunos = world.junos.child.onLine((line) => {
    const e = stepFromSimJunosLine(line);
    if (e) supervisor.onStep(e);
  });
  const state = watchState(world.stateDir, (e) => supervisor.onStep(e));
  const fallbackKeys = watchFallbackKeys(world.junosAdmin);
  const targets: FaultTarget[] = [
    ...Object.keys(world.kme.kmeUrls).map((id) => ({ sim: 'sim-kme' as const, id, admin: world.kmeAdmin, base: {} })),
    ...topology.devices.map((d) => ({ sim: 'sim-junos' as const, id: d.name, admin: world.junosAdmin, base: d.name === topology.slowDevice ? { commitLatencyMs: timing.slowCommitMs } : {} })),
  ];
  const faults = startFaults({ targets, random, limits: { maxCommitLatencyMs: timing.maxFaultCommitMs, maxKmeLatencyMs: 1500 }, meanGapMs: o.faultGapMs, durationMs: { min: 1000, max: 6000 } });
  commands = startRotateCommands({ cli: world.cli, topology, random, meanGapMs: o.rotateGapMs, timeoutMs: timing.intervalSeconds * 4000, daemonUp: () => supervisor.up() });

  await untilBudgetSpent(o, world, supervisor, () => `${faults.episodes.length} faults, ${commands.records.length} rotate commands`);

  o.log('winding down: no more kills, faults or commands');
  let daemon = await supervisor.stop();
  await commands.stop();
  await faults.stop();
  daemon ??= startDaemon(world.cli);
  const quiet = await waitQuiet(world, daemon, timing, o.log);
  await stopChild(daemon, (timing.leadTimeSeconds + timing.intervalSeconds) * 1000);
  offJunos();
  state.close();
  await fallbackKeys.stop();
  return { kills: supervisor.kills, daemonExits: supervisor.exits, episodes: faults.episodes, commands: commands.records, quietWithinMs: quiet, fallbackKeysDiffered: fallbackKeys.longest() };
}

/** Until the time or rotation budget is spent and the kill quota (one at every step boundary) is met. */
async function untilBudgetSpent(o: SoakOptions, world: World, supervisor: Supervisor, more: () => string): Promise<void> {
  const deadline = o.minutes !== undefined ? Date.now() + o.minutes * 60_000 : Infinity;
  const logs = followRotatorLogs(world.cli.logDir);
  const attempts = async () => attemptsOf(await logs.read());
  const stepsCovered = () => STEPS.every((s) => supervisor.kills.some((k) => k.trigger?.step === s));
  let lastReport = Date.now();
  for (;;) {
    await sleep(1000);
    const budgetMet = Date.now() >= deadline || (o.rotations !== undefined && (await attempts()) >= o.rotations);
    const killsMet = supervisor.kills.length >= (o.minKills ?? 0) && (o.minKills === undefined || stepsCovered());
    if (budgetMet && killsMet) return;
    if (Date.now() - lastReport > 30_000) {
      lastReport = Date.now();
      o.log(`… ${await attempts()} rotations attempted, ${supervisor.kills.length} kills, ${more()}`);
    }
  }
}

/** Waits until no journal is left and sim-junos sees every cable secured with one fallback key on both ends; ms it took, or null. */
async function waitQuiet(world: World, daemon: Child, timing: Timing, log: (l: string) => void): Promise<number | null> {
  const t0 = Date.now();
  // Room for a fallback-key rotation to come due: the rotator puts a link whose ends carry
  // different fallback keys right only at its next scheduled fallback rotation.
  const limit = ((FALLBACK_INTERVALS + 1) * timing.intervalSeconds + timing.leadTimeSeconds) * 1000;
  while (Date.now() - t0 < limit && daemon.exitInfo() === undefined) {
    const text = await readFile(join(world.stateDir, STATE_FILE), 'utf8').catch(() => '{}');
    const journals = Object.keys((JSON.parse(text) as { journals?: object }).journals ?? {}).length;
    const cables = [...(await readLinkRecord(world.junosAdmin)).values()];
    if (journals === 0 && cables.every((c) => c.state === 'secured' && c.fallbackAgrees)) {
      log(`quiet after ${Date.now() - t0} ms: no journal, every cable secured, both ends of each on one fallback key`);
      return Date.now() - t0;
    }
    await sleep(1000);
  }
  log(`not quiet within ${limit} ms`);
  return null;
}
