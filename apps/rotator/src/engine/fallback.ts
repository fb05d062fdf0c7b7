// The fallback-key of every connectivity association, rotated on its own slower schedule
// (config `fallback.intervalHours`) after the primary cycle of a rotate() call. Junos runs MKA on
// the fallback-key when the primary keys of the ends differ, so it is changed only while the
// link's MKA runs on one primary key on every end: then a fallback change cannot drop the link,
// whatever order the ends take it in. Each change is a transaction of kind 'fallback' (journal,
// stage, decision, confirm — cycle.ts and its steps) resolved after a crash by the same rules (resume.ts).
import type { EngineContext } from './context.js';
import { fallbackSettings } from './context.js';
import { runCycle } from './cycle.js';
import { describeError } from './device-ops.js';
import { resumeJournals } from './resume.js';
import type { LinkReport, ResumeReport } from './types.js';
import { isFallbackSession, readSessions } from './verify.js';

/** Links (of `names`) whose fallback-key is due: none recorded, or older than the interval. */
async function fallbackDue(ctx: EngineContext, names: readonly string[]): Promise<string[]> {
  const { enabled, intervalHours } = fallbackSettings(ctx);
  if (!enabled) return [];
  const state = await ctx.store.load();
  const now = ctx.clock().getTime();
  return names.filter((n) => {
    const f = state.links[n]?.fallback;
    return !f || now - Date.parse(f.installedAt) >= intervalHours * 3_600_000;
  });
}

/**
 * Rotates the due fallback-keys among `names`; undefined when none is due. A link whose ends do
 * not all run MKA on one primary key is skipped (reported) and tried again next time.
 */
export async function rotateFallbackKeys(ctx: EngineContext, names: readonly string[]): Promise<LinkReport[] | undefined> {
  const due = await fallbackDue(ctx, names);
  if (!due.length) return undefined;
  const state = await ctx.store.load();
  const dueSet = new Set(due);
  const links = ctx.links.filter((l) => dueSet.has(l.name));
  const sessions = await readSessions(ctx, [...new Set(links.flatMap((l) => l.ends.map((e) => e.device)))]);
  const primaryCkn = new Map<string, string>();
  const skipped: LinkReport[] = [];
  for (const link of links) {
    const problems: string[] = [];
    const ckns = new Set<string>();
    for (const end of link.ends) {
      const list = sessions.get(end.device);
      if (list instanceof Error || !list) {
        problems.push(`cannot read MKA sessions on ${end.device}: ${list ? describeError(list) : 'no answer'}`);
        continue;
      }
      for (const iface of end.interfaces) {
        const s = list.find((x) => x.interface === iface);
        if (!s?.secured) problems.push(`${end.device} ${iface}: MKA not secured (${s?.state ?? 'no session'})`);
        else if (isFallbackSession(s, state.links[link.name]?.fallback?.ckn)) problems.push(`${end.device} ${iface}: MKA runs on the fallback key`);
        else if (s.ckn) ckns.add(s.ckn.toLowerCase());
      }
    }
    if (!problems.length && ckns.size !== 1) problems.push(`the ends run MKA on different primary CKNs (${[...ckns].join(', ') || 'none'})`);
    if (problems.length) {
      const message = `fallback key not changed: the link must run on one primary key on every end first: ${problems.join('; ')}`;
      ctx.logger.warn(`link ${link.name}: ${message}`);
      skipped.push({ link: link.name, result: 'skipped', devices: link.ends.map((e) => e.device), error: { phase: 'verify', message }, durationMs: 0 });
    } else primaryCkn.set(link.name, [...ckns][0]!);
  }
  const ready = links.filter((l) => primaryCkn.has(l.name)).map((l) => l.name);
  // No progress events: they describe the primary rotation the caller asked for; these are in the report.
  const rotated = ready.length ? (await runCycle(ctx, { links: ready }, { kind: 'fallback', primaryCkn })).links : [];
  // A fallback transaction that failed after its fetch was undone in its cycle onto one fallback
  // key on every end (fallback-undo.ts) — unless an end refused both keys, and then the journal
  // keeps it. Either way its link is due again at once, as after a crash (resume.ts), not at its
  // next interval: an end left on another key must not wait that long (tools/chaos).
  const split = rotated.filter((r) => r.result === 'failed' && r.error?.phase !== 'fetch').map((r) => r.link);
  if (split.length) {
    await ctx.store.update((s) => {
      for (const name of split) if (s.links[name]) delete s.links[name]!.fallback;
    });
    ctx.logger.warn(`links ${split.join(', ')}: fallback-key transaction failed after the fetch; a fresh fallback key is due at once`);
  }
  return [...rotated, ...skipped];
}

/**
 * Resolves every journal, then gives a fresh fallback-key at once to the links whose fallback
 * transaction was rolled back. Such a rollback takes the new key off the ends that held it while
 * the others kept the old one: the ends' fallback keys then differ, and a primary mismatch in that
 * state would drop the link. Waiting for the next due slot would leave that window open for hours.
 */
export async function resumeAndRepair(ctx: EngineContext): Promise<ResumeReport[]> {
  const resumed = await resumeJournals(ctx);
  const split = resumed.filter((r) => r.kind === 'fallback' && r.outcome === 'rolled-back').map((r) => r.link);
  if (split.length) {
    ctx.logger.warn(`links ${split.join(', ')}: fallback-key transaction rolled back, so their ends may hold different fallback keys; installing a fresh one now`);
    try {
      const repaired = await rotateFallbackKeys(ctx, split);
      for (const r of repaired ?? []) if (r.result !== 'ok') ctx.logger.error(`link ${r.link}: fresh fallback key not installed (${r.error?.message ?? r.result}); tried again on the next resume or rotation`);
    } catch (e) {
      ctx.logger.error(`links ${split.join(', ')}: fresh fallback key not installed: ${describeError(e)}; tried again on the next resume or rotation`);
    }
  }
  return resumed;
}
