// Step 7: confirm a device once all its links are decided (or failed); in the same commit, remove
// the keys of links that failed on another end (the old key stays active everywhere). On the
// confirm lane, NOT behind rotation.concurrency: between the first and the last confirm of a link
// a crash leaves ends that disagree about their future.
import { holdsKey, redact } from './checks.js';
import { emit, fail, heldThrough, type CycleRun } from './cycle-run.js';
import { describeError, mergeChanges } from './device-ops.js';
import type { Change, Tx } from './tx.js';

/** What takes a failed link's new key back out of `device` in its confirm commit. */
function undoFor(run: CycleRun, t: Tx, device: string): Change {
  if (run.fb) return { config: {}, delete: [] }; // undone after the confirms (fallback-undo.ts): a fallback-key has no delete target
  if (run.mode === 'key-chain') {
    return { config: {}, delete: [{ kind: 'key-chain-key', chain: t.link.keyChain, index: t.plans.get(device)!.slot }] };
  }
  const old = t.previousPsk.get(device);
  return old
    ? { config: { connectivityAssociations: [{ name: t.link.connectivityAssociation, preSharedKey: old }] }, delete: [] }
    : { config: {}, delete: [{ kind: 'connectivity-association', name: t.link.connectivityAssociation }] };
}

export async function confirmDevice(run: CycleRun, device: string): Promise<void> {
  const { ctx, fb, cycleId, confirmMinutes } = run;
  const mine = (run.byDevice.get(device) ?? []).filter((t) => t.phase.get(device) === 'staged');
  if (mine.length === 0) return;
  await Promise.all(mine.map((t) => run.decided.get(t)!.promise));
  let undo: Change = { config: {}, delete: [] };
  for (const t of mine) {
    if (t.error) undo = mergeChanges(undo, undoFor(run, t, device));
    else emit(run, { link: t.link.name, phase: 'confirm', device });
  }
  const failedHere = fb ? [] : mine.filter((t) => t.error);
  const comment = `qkd-macsec ${cycleId}: confirm${failedHere.length ? `, remove ${failedHere.map((t) => `${t.link.name} key ${t.key!.keyId}`).join(', ')}` : ''}`;
  try {
    await ctx.confirmLane(device, (d) => {
      // A reconnect since the stage (same device, new session) lost the lock: confirmStaged takes it again.
      run.unconfirmed.delete(device);
      return heldThrough(run, d.confirmStaged(cycleId, failedHere.length ? undo : undefined, comment), 'device-confirmed', mine, device);
    });
    // A fallback-key is always read back: it is live at its commit, so a confirm that came too late
    // leaves the ends on different fallback keys at once, with nothing later (no start-time, no
    // MKA on it) to show it — and its transactions are rare (fallback.intervalHours).
    const after = !fb && confirmedInTime(run, device) ? undefined : await ctx.confirmLane(device, (d) => d.readMacsec());
    for (const t of mine) t.phase.set(device, failedHere.includes(t) ? 'removed' : 'confirmed');
    for (const t of failedHere) ctx.logger.warn(`link ${t.link.name}: key ${t.key!.keyId} removed from ${device}; the previous key stays active`);
    for (const t of mine) {
      if (t.error || !after || holdsKey(after, t, fb ? 'fallback' : run.mode)) continue;
      t.phase.set(device, 'failed');
      fail(run, t, {
        phase: 'confirm',
        device,
        message: `${device} does not hold key ${t.key!.keyId} after the confirm: its commit confirmed rolled back before the confirm arrived (confirm timeout ${confirmMinutes} min)`,
      });
    }
  } catch (e) {
    for (const t of mine) {
      fail(run, t, { phase: 'confirm', device, message: redact(`confirming on ${device} failed: ${describeError(e)}`, mine, device) });
    }
  }
}

/**
 * A confirm whose reply arrives before the staging commit's send time + the confirm timeout (less
 * a margin for clock rates) reached the device before its rollback could fire: it confirmed our
 * commit. Later than that it may be a plain commit of the rolled-back configuration, which
 * succeeds too: only a read-back tells.
 */
function confirmedInTime(run: CycleRun, device: string): boolean {
  const marginMs = Math.max(5_000, run.confirmMinutes * 6_000);
  return run.ctx.clock().getTime() < run.stagedAt.get(device)! + run.confirmMinutes * 60_000 - marginMs;
}
