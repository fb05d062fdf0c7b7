// The daemon's supervisor, as a service manager with a grudge: it keeps `qkd-macsec run` up,
// lets it work a while, SIGKILLs it at the planned step or moment, and restarts it after the
// planned delay (0 s up to beyond the start-time). A daemon that exits on its own (e.g. refused
// to start) is restarted after a second, as systemd's Restart=always would.
import { armKill, killPlan, killPlanLabel, restartDelay, type ArmedKill, type RestartCategory } from './kills.js';
import type { Child } from './processes.js';
import type { Random } from './random.js';
import { startDaemon, type RotatorCli } from './rotator.js';
import { sleep } from './sleep.js';
import { stepFromRotatorLine, type StepEvent } from './steps.js';
import type { Timing } from './timing.js';

const CONTROL_LINE = /^control endpoint on http/;

export interface KillRecord {
  n: number;
  plan: string;
  at: number;
  pid: number;
  trigger?: Omit<StepEvent, 'at'>;
  /** The planned step did not come in time: killed at a random moment instead. */
  stepNotSeen?: boolean;
  restart: { category: RestartCategory; delayMs: number };
}

export interface DaemonExit {
  pid: number;
  at: number;
  code: number | null;
  signal: string | null;
}

export interface SupervisorOptions {
  cli: RotatorCli;
  random: Random;
  timing: Timing;
  /** How long a fresh daemon runs undisturbed before the next kill is armed. */
  calmMs: { min: number; max: number };
  /** How long an armed step kill waits for its step before killing at once. */
  stepTimeoutMs: number;
  /** Upper bound of a random kill moment. */
  randomWindowMs: number;
  /**
   * Called, with probability `provokeRate`, once a step kill is armed: asks the daemon for a
   * rotation now (a `rotate` command through it) instead of waiting for its next slot.
   */
  provoke?: () => void;
  provokeRate?: number;
  log: (line: string) => void;
}

export interface Supervisor {
  kills: KillRecord[];
  exits: DaemonExit[];
  up(): boolean;
  /** Step events from outside the daemon (sim-junos, the state file). */
  onStep(e: StepEvent): void;
  /** Stops killing; resolves with the daemon left running, if any. */
  stop(): Promise<Child | undefined>;
}

// Over 80 lines: the supervisor's state (the daemon running now, the kill armed against it,
// whether it is up, the kill and exit records) is this closure's, read and written by launch,
// killNow, the loop and the returned methods alike; split, each would take all of it.
export function startSupervisor(o: SupervisorOptions): Supervisor {
  const kills: KillRecord[] = [];
  const exits: DaemonExit[] = [];
  const stopping = new AbortController();
  let daemon: Child | undefined;
  let armed: ArmedKill | undefined;
  let alive = false;

  const launch = () => {
    const d = startDaemon(o.cli);
    d.onLine((line, stream) => {
      // Up once it holds the state and serves its control endpoint: from then on a `rotate`
      // command goes through it rather than taking the state lock itself.
      if (stream === 'stdout' && CONTROL_LINE.test(line) && d === daemon && d.exitInfo() === undefined) alive = true;
      if (stream !== 'stderr') return;
      const e = stepFromRotatorLine(line);
      if (e && d === daemon) armed?.onStep(e);
    });
    void d.exited.then(() => {
      if (d === daemon) alive = false;
    });
    daemon = d;
    return d;
  };

  const killNow = (d: Child, plan: string, trigger: StepEvent | undefined, stepNotSeen: boolean) => {
    if (!d.kill('SIGKILL')) return undefined;
    alive = false; // no `rotate` command should start against a daemon that is gone
    const restart = restartDelay(kills.length, o.random, o.timing);
    const record: KillRecord = { n: kills.length + 1, plan, at: Date.now(), pid: d.pid, restart };
    if (trigger) record.trigger = { step: trigger.step, source: trigger.source, ...(trigger.device ? { device: trigger.device } : {}), ...(trigger.link ? { link: trigger.link } : {}) };
    if (stepNotSeen) record.stepNotSeen = true;
    kills.push(record);
    const after = trigger ? ` (${[trigger.step, trigger.device, trigger.link].filter(Boolean).join(' ')})` : '';
    o.log(`kill ${record.n}: ${plan}${after}; restart ${restart.category} (${restart.delayMs} ms)`);
    return record;
  };

  const loop = async () => {
    while (!stopping.signal.aborted) {
      const d = launch();
      await Promise.race([d.exited, d.waitForLine(CONTROL_LINE, 30_000).catch(() => undefined)]);
      const exitedEarly = await Promise.race([d.exited.then(() => true), sleep(o.random.between(o.calmMs.min, o.calmMs.max), stopping.signal).then(() => false)]);
      if (stopping.signal.aborted && !exitedEarly) return;
      if (!exitedEarly) {
        const plan = killPlan(kills.length, o.random, o.randomWindowMs);
        let record: KillRecord | undefined;
        armed = armKill(plan, (trigger) => {
          record = killNow(d, killPlanLabel(plan), trigger, false);
        });
        if (plan.kind === 'step' && o.provoke && o.random.chance(o.provokeRate ?? 0)) o.provoke();
        await Promise.race([d.exited, sleep(o.stepTimeoutMs, stopping.signal)]);
        armed.cancel();
        armed = undefined;
        if (!record && d.exitInfo() === undefined) {
          if (stopping.signal.aborted) return;
          record = killNow(d, 'random moment', undefined, true);
        }
        await d.exited;
        if (record) {
          await sleep(record.restart.delayMs, stopping.signal);
          continue;
        }
      }
      const info = await d.exited;
      exits.push({ pid: d.pid, at: Date.now(), code: info.code, signal: info.signal });
      o.log(`daemon ${d.pid} exited on its own (code ${info.code}, signal ${info.signal}); restarting in 1 s`);
      await sleep(1000, stopping.signal);
    }
  };
  const running = loop();

  return {
    kills,
    exits,
    up: () => alive,
    onStep: (e) => {
      if (alive) armed?.onStep(e);
    },
    async stop() {
      stopping.abort();
      armed?.cancel();
      await running;
      return daemon && daemon.exitInfo() === undefined ? daemon : undefined;
    },
  };
}
