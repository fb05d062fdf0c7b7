// A fallback-key transaction that failed inside its cycle after some end may have taken the new
// key. Whatever happened, every end must be left on ONE fallback key: it is what carries a link
// whose primary keys differ (a rotator dead between two confirms), and ends on different fallback
// keys are down in that window instead (the chaos soak, seed 20261125: the group link).
//
// - The ends agreed on a fallback key before (the cycle's read: same CKN on every end): each end
//   that may hold the new key gets its own previous one back (removeKeys, as resume does) — the
//   ends that never took the new key, or whose commit confirmed rolled back, still have it.
// - They did not (an end without one, as a resume's rollback or an earlier failed undo leaves
//   them), or putting the previous key back failed on an end that holds the new one: going back
//   cannot make them agree, so the transaction is rolled FORWARD — decided (the journal on disk),
//   then the new key by a plain commit on every end not known to hold it confirmed, while this
//   cycle still holds the key. When every end takes it the link is no longer failed: the failure
//   stays in its alarms, and the cycle verifies and records the key as for any other link.
// - An end that refuses both keeps the link in the journal (its phases say which ends may hold
//   the key): resume settles it by the same rules as after a crash, and the link's fallback key is
//   due at once (fallback.ts). A crash during either undo leaves the same journal: decided ends are
//   completed when every end holds the key, else the key is taken off the ends that hold it and a
//   fresh fallback key follows at once (resumeAndRepair).
import { redact } from './checks.js';
import { cleanUp } from './cleanup.js';
import type { EngineContext } from './context.js';
import { describeError, mergeChanges } from './device-ops.js';
import type { Change, Tx } from './tx.js';
import type { LinkError } from './types.js';

/** The change that puts a link's new fallback-key on `device` (the stage's and the roll-forward's). */
export function fallbackChange(t: Tx, device: string): Change {
  return { config: { connectivityAssociations: [{ name: t.link.connectivityAssociation, fallbackKey: { ckn: t.key!.ckn, cak: t.key!.cakFor(device) } }] }, delete: [] };
}

/** Every end carried a fallback key, the same one (by CKN), when the cycle read it. */
function endsAgreed(t: Tx): boolean {
  const ckns = t.link.ends.map((e) => t.previousPsk.get(e.device)?.ckn.toLowerCase());
  return ckns[0] !== undefined && ckns.every((c) => c === ckns[0]);
}

/** Some end was sent the new key (a link that failed before its stage has nothing to undo). */
const touched = (t: Tx) => t.link.ends.some((e) => (t.phase.get(e.device) ?? 'planned') !== 'planned');
/** An end that still holds the new key, confirmed: putting the previous key back failed there. */
const stuckOnNew = (t: Tx) => t.link.ends.some((e) => t.phase.get(e.device) === 'confirmed');

export interface UndoSteps {
  /** Adds the links to the decision record and writes it; false when it could not be written. */
  decide(links: Tx[]): Promise<boolean>;
  fail(t: Tx, e: LinkError): void;
}

export async function undoFallback(ctx: EngineContext, failed: Tx[], cycleId: string, steps: UndoSteps): Promise<void> {
  const back = failed.filter(endsAgreed);
  await cleanUp(ctx, back, 'fallback', cycleId, steps.fail);
  const forward = [...failed.filter((t) => !back.includes(t) && touched(t)), ...back.filter(stuckOnNew)];
  if (!forward.length) return;
  if (!(await steps.decide(forward))) {
    // Without a decision on disk no end may be confirmed: what can go back goes back.
    await cleanUp(ctx, forward.filter((t) => !back.includes(t)), 'fallback', cycleId, steps.fail);
    return;
  }
  const todo = new Map<string, Tx[]>();
  for (const t of forward) for (const e of t.link.ends) if (t.phase.get(e.device) !== 'confirmed') todo.set(e.device, [...(todo.get(e.device) ?? []), t]);
  await Promise.allSettled(
    [...todo.entries()].map(async ([device, list]) => {
      const change = list.reduce<Change>((c, t) => mergeChanges(c, fallbackChange(t, device)), { config: {}, delete: [] });
      const comment = `qkd-macsec ${cycleId}: roll forward ${list.map((t) => `${t.link.name} fallback key ${t.key!.keyId}`).join(', ')}`;
      try {
        await ctx.fleet.withDevice(device, (d) => d.commit([{ action: 'merge', change }], { comment }));
        for (const t of list) t.phase.set(device, 'confirmed');
      } catch (e) {
        // A device may echo what it was sent in its error: never the CAK (checks.ts redact).
        const why = redact(describeError(e), list, device);
        for (const t of list) steps.fail(t, { phase: 'rollback', device, message: `could not put fallback key ${t.key!.keyId} on ${device} either: ${why}; the ends may carry different fallback keys until the next run settles the link` });
      }
    }),
  );
  for (const t of forward) {
    if (!t.link.ends.every((e) => t.phase.get(e.device) === 'confirmed')) continue;
    ctx.logger.warn(`link ${t.link.name}: fallback key ${t.key!.keyId} rolled forward onto every end (${t.error!.phase} failed${t.error!.device ? ` on ${t.error!.device}` : ''}, and going back would have left the ends on different fallback keys)`);
    t.alarms.unshift(t.error!);
    delete t.error;
  }
}
