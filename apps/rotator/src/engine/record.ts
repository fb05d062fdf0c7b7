// Step 10: record each link's outcome in the state and close the cycle's journal — or, with
// --no-wait, leave the confirmed links in it for resume() to verify after the start-time. A failed
// link whose key may still sit on an end (its removal failed too) stays in the journal either way:
// the next run settles it before rotating that link again.
import type { CycleRun } from './cycle-run.js';
import { emit, live } from './cycle-run.js';
import { journalOf } from './journal-writes.js';
import { linkReport } from './report.js';
import type { Tx } from './tx.js';
import type { CycleReport, LinkReport } from './types.js';

/** Failed links whose key may still be on an end. */
function unsettled(run: CycleRun): Tx[] {
  return run.txs.filter((t) => t.key && t.error && [...t.phase.values()].some((p) => p === 'staged' || p === 'confirmed' || p === 'failed'));
}

const errorText = (t: Tx) => `${t.error!.phase}${t.error!.device ? ` on ${t.error!.device}` : ''}: ${t.error!.message}`;

/** --no-wait: every end of the live links is confirmed; their journal entries stay (each end `confirmed`, the decision holding them). */
export async function leaveForResume(run: CycleRun): Promise<CycleReport> {
  const { ctx, txs, cycleId } = run;
  const finishedAt = ctx.clock();
  const left = unsettled(run);
  const keep = [...live(run), ...left];
  await ctx.store.update((s) => {
    for (const t of txs) {
      const prev = s.links[t.link.name] ?? {};
      prev.lastAttempt = finishedAt.toISOString();
      if (t.error) prev.lastError = errorText(t);
      s.links[t.link.name] = prev;
    }
    s.journals![cycleId] = { ...s.journals![cycleId]!, ...(left.length ? {} : { unverified: true as const }), links: Object.fromEntries(keep.map((t) => [t.link.name, journalOf(run, t)])) };
  });
  ctx.logger.info(`${live(run).length} link(s) confirmed on every end; the keys activate by ${run.startsAt.toISOString()} and are verified by the next resume after it (--no-wait)`);
  return {
    startedAt: run.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    links: txs.map((t) => ({ ...linkReport(t, run.mode), ...(t.error ? {} : { unverified: true as const }) })),
  };
}

/** The outcome of every link into the state; the journal is done with (but for unsettled links). */
export async function recordOutcome(run: CycleRun): Promise<CycleReport> {
  const { ctx, txs, fb, mode, cycleId } = run;
  const finishedAt = ctx.clock();
  await ctx.store.update((s) => {
    for (const t of txs) {
      const prev = s.links[t.link.name] ?? {};
      if (fb) {
        if (!t.error && t.key) prev.fallback = { keyId: t.key.keyId, ckn: t.key.ckn, installedAt: finishedAt.toISOString() };
        s.links[t.link.name] = prev;
        continue;
      }
      prev.lastAttempt = finishedAt.toISOString();
      if (!t.error && t.key) {
        prev.keyId = t.key.keyId;
        prev.ckn = t.key.ckn;
        if (mode === 'key-chain') prev.slots = Object.fromEntries([...t.plans.entries()].map(([d, p]) => [d, p.slot]));
        else delete prev.slots;
        prev.activeSince = t.startsAt!.toISOString();
        prev.lastSuccess = finishedAt.toISOString();
        delete prev.lastError;
      } else if (t.error) prev.lastError = errorText(t);
      s.links[t.link.name] = prev;
    }
    const left = unsettled(run);
    if (s.journals) {
      if (left.length) s.journals[cycleId] = { ...s.journals[cycleId]!, links: Object.fromEntries(left.map((t) => [t.link.name, journalOf(run, t)])) };
      else delete s.journals[cycleId];
      if (Object.keys(s.journals).length === 0) delete s.journals;
    }
    for (const t of left) ctx.logger.error(`link ${t.link.name}: key ${t.key!.keyId} may still be on ${[...t.phase.entries()].filter(([, p]) => p !== 'planned' && p !== 'removed').map(([d]) => d).join(', ')}; kept in the journal for the next run to settle`);
  });
  const reports: LinkReport[] = txs.map((t) => {
    if (!t.error) {
      ctx.logger.info(
        fb
          ? `link ${t.link.name}: fallback key ${t.key!.keyId} installed on ${t.link.ends.map((e) => e.device).join(', ')}`
          : `link ${t.link.name}: key ${t.key!.keyId} active on ${t.link.ends.map((e) => e.device).join(', ')} since ${t.startsAt!.toISOString()}`,
      );
      emit(run, { link: t.link.name, phase: 'done', keyId: t.key!.keyId });
    }
    return linkReport(t, fb ? 'fallback' : mode);
  });
  return { startedAt: run.startedAt.toISOString(), finishedAt: finishedAt.toISOString(), links: reports };
}
