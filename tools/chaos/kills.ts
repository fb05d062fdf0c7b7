// When to SIGKILL the rotator and how long to leave it dead. The first kills cover every step
// boundary once, the most dangerous first (between confirms, after the decision); after that a
// mix of random steps and random moments. Restart delays cover, in turn, "at once", "before the
// confirm timeout", "between the confirm timeout and the start-time" and "after the start-time",
// then random ones.
import type { Random } from './random.js';
import { STEPS, type Step, type StepEvent } from './steps.js';
import type { Timing } from './timing.js';

export type KillPlan = { kind: 'step'; step: Step; nth: number } | { kind: 'random'; afterMs: number };

/** The order in which the first kills visit every step boundary. */
export const FIRST_STEPS: readonly Step[] = ['device-confirmed', 'decision', 'device-staged', 'journaled', 'fetched', 'verified'];

export function killPlanLabel(p: KillPlan): string {
  return p.kind === 'step' ? (p.step.startsWith('device-') ? `${p.step} #${p.nth}` : p.step) : 'random moment';
}

/** The i-th kill's plan (0-based). `randomWindowMs`: random moments fall in [0.2 s, this). */
export function killPlan(i: number, random: Random, randomWindowMs: number): KillPlan {
  if (i < FIRST_STEPS.length) {
    const step = FIRST_STEPS[i]!;
    return { kind: 'step', step, nth: 1 };
  }
  if (random.chance(0.35)) return { kind: 'random', afterMs: Math.round(random.between(200, Math.max(400, randomWindowMs))) };
  const step = random.pick(STEPS);
  return { kind: 'step', step, nth: step.startsWith('device-') ? random.int(1, 4) : 1 };
}

export type RestartCategory = 'at once' | 'before the confirm timeout' | 'before the start-time' | 'after the start-time';
export const RESTART_CATEGORIES: readonly RestartCategory[] = ['at once', 'before the confirm timeout', 'before the start-time', 'after the start-time'];

/** The i-th restart's delay after its kill. */
export function restartDelay(i: number, random: Random, timing: Timing): { category: RestartCategory; delayMs: number } {
  const category = i < RESTART_CATEGORIES.length ? RESTART_CATEGORIES[i]! : random.pick(RESTART_CATEGORIES);
  const d = timing.restartDelays;
  const delayMs = Math.round(
    category === 'at once'
      ? 0
      : category === 'before the confirm timeout'
        ? random.between(0, d.beforeConfirmTimeoutMs)
        : category === 'before the start-time'
          ? random.between(d.beforeConfirmTimeoutMs, d.beforeStartTimeMs)
          : random.between(d.beforeStartTimeMs, d.afterStartTimeMs),
  );
  return { category, delayMs };
}

/**
 * Watches step events for one armed plan; `fire` is called once, at the nth matching event (or,
 * for a random moment, after its delay). Device-level steps count devices from arming.
 */
export interface ArmedKill {
  plan: KillPlan;
  onStep(e: StepEvent): void;
  cancel(): void;
}

export function armKill(plan: KillPlan, fire: (trigger: StepEvent | undefined) => void): ArmedKill {
  let seen = 0;
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  const go = (e: StepEvent | undefined) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    fire(e);
  };
  if (plan.kind === 'random') timer = setTimeout(() => go(undefined), plan.afterMs);
  return {
    plan,
    onStep(e) {
      if (done || plan.kind !== 'step' || e.step !== plan.step) return;
      seen++;
      if (seen >= plan.nth) go(e);
    },
    cancel() {
      done = true;
      clearTimeout(timer);
    },
  };
}
