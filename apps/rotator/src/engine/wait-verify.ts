// Step 9: wait for the start-time, then read MKA on every end of every link that went through (a
// fallback-key change must leave the link secured on its primary key: nothing to wait for).
import { emit, fail, live, type CycleRun } from './cycle-run.js';
import type { Tx } from './tx.js';
import { verifyLinks } from './verify.js';
import { waitOrClose } from './wait.js';

export async function waitAndVerify(run: CycleRun): Promise<void> {
  const { ctx, fb } = run;
  if (!live(run).length) return;
  if (!fb && run.mode === 'key-chain') await waitForStart(run);
  else if (!fb && ctx.verifyDelayMs > 0) await waitOrClose(ctx, ctx.verifyDelayMs);
  for (const t of live(run)) emit(run, { link: t.link.name, phase: 'verify' });
  const expected = (t: Tx) => (fb ? (run.what.primaryCkn?.get(t.link.name) ?? '') : t.key!.ckn);
  // MKA needs a moment after the switch (key server election, SAK distribution): a few reads.
  let problems = await verifyLinks(ctx, live(run).map((t) => ({ link: t.link, ckn: expected(t) })));
  for (let attempt = 1; problems.size > 0 && attempt < ctx.verifyAttempts; attempt++) {
    await ctx.sleep(Math.max(ctx.verifyDelayMs, 1000));
    problems = await verifyLinks(ctx, live(run).filter((t) => problems.has(t.link.name)).map((t) => ({ link: t.link, ckn: expected(t) })));
  }
  for (const t of live(run)) {
    const p = problems.get(t.link.name);
    if (p?.onFallback) t.onFallback = true;
    if (p) fail(run, t, { phase: 'verify', ...(p.device ? { device: p.device } : {}), message: p.message });
  }
}

/** Waits until the last start-time plus the verification delay, after telling onWait why. */
async function waitForStart(run: CycleRun): Promise<void> {
  const { ctx, startsAt } = run;
  const wait = startsAt.getTime() - ctx.clock().getTime();
  const firstStart = new Date(Math.min(...live(run).map((t) => t.startsAt!.getTime())));
  if (firstStart < ctx.clock()) ctx.logger.warn(`staging took longer than the lead time: start-time ${firstStart.toISOString()} passed before every end was confirmed`);
  const until = new Date(ctx.clock().getTime() + Math.max(0, wait) + ctx.verifyDelayMs);
  try {
    run.options.onWait?.({
      until: until.toISOString(),
      startsAt: startsAt.toISOString(),
      links: live(run).length,
      reason: `every end confirmed; the new keys activate at their start-times, the last at ${startsAt.toISOString()}${ctx.startAfterConfirmTimeout ? ` (after the ${run.confirmMinutes}-minute confirm timeout, so an end that missed its confirm has rolled back before any end switches)` : ''}; MKA is checked then`,
    });
  } catch {
    // a display must not break a transaction
  }
  await waitOrClose(ctx, Math.max(0, wait) + ctx.verifyDelayMs);
}
