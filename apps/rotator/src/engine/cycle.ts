// One rotation cycle (the rotation protocol in README.md), step by step: read every device (with
// its lock) and plan each link as its ends come in (read-plan.ts), fetch its key and journal it
// (key-flow.ts, journal-writes.ts), stage each device with ONE load + ONE `commit confirmed`
// (stage.ts), write the decision record (decide.ts), confirm each device at once (confirm.ts —
// removing, in the same commit, the keys of links that failed elsewhere), clean up what a failed
// end may hold (cleanup.ts; a fallback-key: fallback-undo.ts), wait for the start-time and read
// MKA (wait-verify.ts), record the outcome (record.ts). A journal in the state file records each
// end's phase and the decision so that a killed run can be resolved (resume.ts).
// The same transaction rotates a link's fallback-key (kind 'fallback', see fallback.ts): no slot,
// no start-time (a fallback-key is live at its commit), verified by the primary key still securing
// the link. Devices are DeviceOps and keys come from a KeySource (fleet/ops.ts): a device or an SAE
// behind a site agent runs the same protocol; the agents drop the cycle's keys when it ends.
import { cleanUp } from './cleanup.js';
import { deferred } from './coalesce.js';
import { leadSeconds, type EngineContext } from './context.js';
import { createRun, devicesOf, fail, live, pause, release, type CycleKind, type CycleOptions, type CycleRun, type RunBase } from './cycle-run.js';
import { decideLate } from './decide.js';
import { undoFallback } from './fallback-undo.js';
import { journalWriter } from './journal-writes.js';
import { readAndPlan } from './read-plan.js';
import { leaveForResume, recordOutcome } from './record.js';
import { dryRunReport } from './report.js';
import { deviceFlow } from './stage.js';
import type { Tx } from './tx.js';
import type { CycleReport, LinkError } from './types.js';
import { waitAndVerify } from './wait-verify.js';

export type { CycleKind, CycleOptions } from './cycle-run.js';
export { RotatorClosedError } from './wait.js';

export async function runCycle(ctx: EngineContext, options: CycleOptions, what: CycleKind = { kind: 'primary' }): Promise<CycleReport> {
  const base = createRun(ctx, options, what);
  ctx.inFlight.add(base.cycleId);
  try {
    return await ctx.fleet.mutex.withKeys(devicesOf(base.txs), async () => {
      try {
        return await cycle(await begin(base));
      } finally {
        await release(base, [...base.unconfirmed]);
      }
    });
  } finally {
    ctx.inFlight.delete(base.cycleId);
    // Keys are needed from the fetch to the stage only: every agent of this cycle zeroes them now
    // (a request still in flight, when the cycle ended early, first).
    await Promise.allSettled(base.fetched.values());
    await ctx.fleet.keys.release(base.cycleId);
  }
}

/** The cycle holds its devices: the state, the confirm deadline (before any read, so before any stage), the per-link milestones. */
async function begin(base: RunBase): Promise<CycleRun> {
  const { ctx, txs } = base;
  const state = await ctx.store.load();
  const confirmMinutes = ctx.config.rotation.confirmTimeoutMinutes;
  const partial: Omit<CycleRun, 'writeJournal'> = {
    ...base,
    state,
    lead: leadSeconds(ctx),
    confirmMinutes,
    confirmDeadline: new Date(ctx.clock().getTime() + confirmMinutes * 60_000).toISOString(),
    configs: new Map(),
    plannedAt: new Map(),
    startsAt: base.startedAt,
    decision: { outcome: 'commit', at: '', links: [] },
    keyed: new Map(txs.map((t) => [t, deferred<boolean>()])),
    decided: new Map(txs.map((t) => [t, deferred<boolean>()])),
    stagedAt: new Map(),
    toJournal: txs.length,
    toDecide: txs.length,
    keyFlowKnown: new Set(),
    stagingLeft: new Map(txs.map((t) => [t, new Set(t.link.ends.map((e) => e.device)).size])),
    decisions: [],
    flows: [],
  };
  return Object.assign(partial, { writeJournal: journalWriter(partial) });
}

/**
 * There is no fleet-wide barrier: each link is planned as its ends are read, fetches its key and is
 * journalled, each device is staged once the keys of all its links are in, each link is decided
 * once all its ends are staged, each device is confirmed once all its links are decided (or failed).
 */
async function cycle(run: CycleRun): Promise<CycleReport> {
  const { ctx, options, fb } = run;
  // Every device's flow starts now and waits for its links' keys; each link's key flow starts
  // when its key is asked for, while the rest of the fleet is still being read.
  if (!options.dryRun) for (const device of devicesOf(run.txs)) run.flows.push(deviceFlow(run, device));
  await readAndPlan(run);
  if (options.dryRun) return dryRunReport(ctx, run.txs, run.startedAt, run.mode);
  // Each flow settles a link (key flows) or ends a device (which settles its decisions' flows).
  await Promise.allSettled(run.flows);
  await Promise.allSettled(run.decisions); // each started by a device flow, all of which have ended
  // A device staged but never confirmed here (a hook threw after its stage): its lock goes now.
  await release(run, [...run.unconfirmed]);

  // 8. Links that failed after some end took their key: remove it wherever it may still be — a
  //    fallback-key so that every end is left on one fallback key (fallback-undo.ts).
  const failed = run.txs.filter((t) => t.key && t.error);
  const failLink = (t: Tx, e: LinkError) => fail(run, t, e);
  if (fb) await undoFallback(ctx, failed, run.cycleId, { decide: (list) => decideLate(run, list), fail: failLink });
  else await cleanUp(ctx, failed, run.mode, run.cycleId, failLink);
  await run.writeJournal();
  if (live(run).length) await pause(run, 'confirmed', { links: live(run).map((t) => t.link.name) });

  // 9–10. Wait for the start-time and verify (--no-wait: resume() does), then record.
  if (options.noWait && !fb && live(run).length) return leaveForResume(run);
  await waitAndVerify(run);
  return recordOutcome(run);
}
