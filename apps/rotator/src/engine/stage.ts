// Step 5: stage a device once the keys of all its links are journalled — ONE load, ONE commit
// confirmed, under the lock its read took (kept to its confirm). Then the device's flow goes on to
// its confirm (confirm.ts) once its links are decided (decide.ts: the last device of a link to
// finish staging decides it).
import { keyChainRotationChange } from '@qkd-macsec/macsec-config';
import { redact } from './checks.js';
import { confirmDevice } from './confirm.js';
import { emit, fail, heldThrough, nextOnDevice, release, type CycleRun } from './cycle-run.js';
import { doneStaging } from './decide.js';
import { describeError, mergeChanges } from './device-ops.js';
import { fallbackChange } from './fallback-undo.js';
import type { Change, Tx } from './tx.js';

/** What one link's new key is on `device`: a key-chain key (and pruned slots), a pre-shared-key, or the fallback-key. */
function changeFor(run: CycleRun, t: Tx, device: string): Change {
  if (run.fb) return fallbackChange(t, device);
  const cak = t.key!.cakFor(device);
  if (run.mode === 'key-chain') {
    const plan = t.plans.get(device)!;
    return keyChainRotationChange(plan, { chain: t.link.keyChain, keyName: t.key!.ckn, secret: cak });
  }
  const end = t.link.ends.find((e) => e.device === device)!;
  return {
    config: {
      connectivityAssociations: [{ name: t.link.connectivityAssociation, preSharedKey: { ckn: t.key!.ckn, cak } }],
      interfaces: end.interfaces.map((i) => ({ name: i, connectivityAssociation: t.link.connectivityAssociation })),
    },
    delete: [],
  };
}

/**
 * A device's flow: staged once the keys of all its links are in, then confirmed once its links are
 * decided. One async frame waits through the stage commit (this one) and one through the confirm
 * (a tail call): every frame a fleet's thousands of devices keep through their commit latency is
 * promoted out of the young generation with them.
 */
export async function deviceFlow(run: CycleRun, device: string): Promise<void> {
  let mine: Tx[] = [];
  try {
    const waiting = run.byDevice.get(device) ?? [];
    await Promise.all(waiting.map((t) => run.keyed.get(t)!.promise));
    mine = waiting.filter((t) => !t.error && t.key);
    if (tooLate(run, mine, device)) mine = [];
    if (mine.length === 0) {
      await release(run, [device]); // not staged: a lock taken with the read goes now
      return;
    }
    let change: Change = { config: {}, delete: [] };
    for (const t of mine) {
      change = mergeChanges(change, changeFor(run, t, device));
      emit(run, { link: t.link.name, phase: 'stage', device, keyId: t.key!.keyId });
      const pruned = t.plans.get(device)?.deleteSlots ?? [];
      if (pruned.length) emit(run, { link: t.link.name, phase: 'prune', device, message: `removing slot${pruned.length > 1 ? 's' : ''} ${pruned.join(', ')}` });
    }
    const comment = `qkd-macsec ${run.cycleId}: stage ${mine.map((t) => `${t.link.name} ${run.fb ? 'fallback ' : ''}key ${t.key!.keyId}`).join(', ')}`;
    await nextOnDevice(run, device, (d) => {
      run.stagedAt.set(device, run.ctx.clock().getTime());
      run.unconfirmed.add(device); // a stage that fails releases the lock itself: nothing left to release then
      return heldThrough(run, d.stage(run.cycleId, change, { confirmMinutes: run.confirmMinutes, comment }), 'device-staged', mine, device);
    });
    for (const t of mine) t.phase.set(device, 'staged');
  } catch (e) {
    for (const t of mine) {
      t.phase.set(device, 'failed');
      fail(run, t, { phase: 'stage', device, message: redact(`staging on ${device} failed: ${describeError(e)}`, mine, device) });
    }
  } finally {
    doneStaging(run, device);
  }
  return confirmDevice(run, device);
}

/**
 * An end staged so late that its commit confirmed would roll back only after the start-time could
 * hold the key alone past it: such a device is not staged, its links fail (rolled back).
 */
function tooLate(run: CycleRun, mine: Tx[], device: string): boolean {
  const { ctx, fb, mode, confirmMinutes } = run;
  const firstStart = Math.min(...mine.map((t) => t.startsAt!.getTime()));
  if (!(mine.length && !fb && mode === 'key-chain' && ctx.startAfterConfirmTimeout && ctx.clock().getTime() + confirmMinutes * 60_000 >= firstStart)) return false;
  for (const t of mine) fail(run, t, { phase: 'stage', device, message: `not staged on ${device}: it is too late for its confirm timeout to end before the start-time ${new Date(firstStart).toISOString()} (raise rotation.leadTimeSeconds)` });
  return true;
}
