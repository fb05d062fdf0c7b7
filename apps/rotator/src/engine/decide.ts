// Step 6: the decision, per link, once every end of it holds its key — a link that failed staging
// anywhere is never in it and is rolled back. It is on disk (atomic, fsynced; concurrent decisions
// share one write) before any end of the link is confirmed. A restarted rotator confirms the rest
// of a decided link and rolls back every other one. A rotator being closed (SIGTERM) decides
// nothing more: those links roll back.
import { fail, pause, settle, type CycleRun } from './cycle-run.js';
import { describeError } from './device-ops.js';
import type { Tx } from './tx.js';

/**
 * A device is done staging (staged or not): a link is decided once every device of it is, by the
 * flow of the last of them — no frame of its own waits through the stage commits.
 */
export function doneStaging(run: CycleRun, device: string): void {
  for (const t of run.byDevice.get(device) ?? []) {
    const left = run.stagingLeft.get(t);
    if (left === undefined) continue; // not in the cycle any more
    if (left > 1) run.stagingLeft.set(t, left - 1);
    else {
      run.stagingLeft.delete(t);
      run.decisions.push(settle(run, t, decideLink(run, t), run.decided.get(t)!, 'confirm'));
    }
  }
}

async function decideLink(run: CycleRun, t: Tx): Promise<boolean> {
  const go = await readyToDecide(run, t);
  if (go) {
    run.decision.links.push(t.link.name);
    run.decision.at ||= run.ctx.clock().toISOString();
  }
  const written = go ? run.writeJournal() : undefined;
  // The cycle's last link to be decided does not wait out the coalescing gap: nothing later
  // would share that write, and the confirms of the cycle's last devices wait for it.
  if (--run.toDecide === 0) run.writeJournal.hurry();
  if (!written) return false;
  try {
    await written;
  } catch (e) {
    // Not on disk: no end may be confirmed. Out of the decision (a later write must not put it
    // there), failed: its devices' confirms take the key back.
    const i = run.decision.links.indexOf(t.link.name);
    if (i >= 0) run.decision.links.splice(i, 1);
    fail(run, t, { phase: 'confirm', message: `cannot write the decision: ${describeError(e)}; the key is rolled back` });
    return false;
  }
  await pause(run, 'decided', { links: [t.link.name] });
  return true;
}

async function readyToDecide(run: CycleRun, t: Tx): Promise<boolean> {
  if (!(await run.keyed.get(t)!.promise)) return false;
  if (t.error || !t.link.ends.every((e) => t.phase.get(e.device) === 'staged')) return false;
  await pause(run, 'staged', { links: [t.link.name] });
  if (run.ctx.closing.aborted) {
    fail(run, t, { phase: 'confirm', message: 'the rotator was closed before the decision; the key is rolled back' });
    return false;
  }
  return true;
}

/** A failed fallback-key link rolled forward after its confirms (fallback-undo.ts): decided first. */
export async function decideLate(run: CycleRun, list: Tx[]): Promise<boolean> {
  const added = list.filter((t) => !run.decision.links.includes(t.link.name));
  for (const t of added) run.decision.links.push(t.link.name);
  run.decision.at ||= run.ctx.clock().toISOString();
  const written = run.writeJournal();
  run.writeJournal.hurry();
  try {
    await written;
    return true;
  } catch (e) {
    for (const t of added) run.decision.links.splice(run.decision.links.indexOf(t.link.name), 1);
    for (const t of list) fail(run, t, { phase: 'rollback', message: `cannot write the decision to roll the fallback key forward: ${describeError(e)}` });
    return false;
  }
}
