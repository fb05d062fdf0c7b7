// A journal in the state file means an earlier run stopped mid-transaction (SIGKILL, power loss,
// a lost device). Each link in it is resolved from the decision record and what the devices hold
// now:
// - the decision holds the link and every end still holds its key: confirm the rest (one plain
//   commit per device), then, once the start-time has passed, check MKA (completed);
// - otherwise remove the key from the ends that hold it. Before the start-time the old key stays
//   active everywhere; after it, the ends that switched go back to the previous key (still in the
//   chain) — the fallback-key carried the link in between;
// - a link whose devices cannot be reached stays in the journal, is reported and tried again.
// A journal of kind 'fallback' is resolved by the same rules for the fallback-key (live at its
// commit, so there is no start-time to wait for).
// Safe to call again and again (the daemon does, every few seconds, until no journal is left);
// without a journal it only looks at the state in memory.
import type { MacsecConfig } from '@qkd-macsec/macsec-config';
import type { Journal, JournalLink } from '../state/types.js';
import type { ResolvedLink } from './config-view.js';
import type { EngineContext } from './context.js';
import { describeError } from './device-ops.js';
import { removeKeys } from './remove.js';
import type { ResumeReport } from './types.js';
import { verifyLinks } from './verify.js';
import { waitOrClose } from './wait.js';

function holds(config: MacsecConfig, j: JournalLink, kind: 'primary' | 'fallback'): boolean {
  const ckn = j.ckn.toLowerCase();
  const ca = config.connectivityAssociations?.find((c) => c.name === j.connectivityAssociation);
  if (kind === 'fallback') return ca?.fallbackKey?.ckn.toLowerCase() === ckn;
  if (j.mode === 'key-chain') return (config.keyChains?.find((c) => c.name === j.keyChain)?.keys ?? []).some((k) => k.keyName?.toLowerCase() === ckn);
  return ca?.preSharedKey?.ckn.toLowerCase() === ckn;
}

/**
 * Resolve every unfinished transaction found in the state, oldest first — except those a cycle of
 * this process is running. One call at a time; each journal under its devices' mutex, so it never
 * overlaps a cycle of this process on the same devices.
 */
export function resumeJournals(ctx: EngineContext): Promise<ResumeReport[]> {
  const run = ctx.resumeQueue.tail.then(async () => {
    const journals = Object.values((await ctx.store.load()).journals ?? {})
      .filter((j) => !ctx.inFlight.has(j.cycleId) && !awaitingStart(ctx, j))
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    const out: ResumeReport[] = [];
    for (const j of journals) {
      const devices = [...new Set(Object.values(j.links).flatMap((l) => l.ends.map((e) => e.device)))];
      out.push(...(await ctx.fleet.mutex.withKeys(devices, async () => {
        // Re-read under the mutex: a cycle that just finished may have settled it.
        const current = (await ctx.store.load()).journals?.[j.cycleId];
        return current && !ctx.inFlight.has(j.cycleId) ? resumeJournal(ctx, current) : [];
      })));
    }
    return out;
  });
  ctx.resumeQueue.tail = run.catch(() => undefined);
  return run;
}

/** A --no-wait cycle's journal: every end of every link confirmed, and the start-time not yet passed: nothing to do until then. */
export function awaitingStart(ctx: Pick<EngineContext, 'clock' | 'verifyDelayMs'>, j: Journal): boolean {
  if (!j.unverified || j.kind === 'fallback' || !j.decision) return false;
  const links = Object.entries(j.links);
  return (
    links.length > 0 &&
    links.every(([name, l]) => j.decision!.links.includes(name) && l.ends.every((e) => e.phase === 'confirmed')) &&
    ctx.clock().getTime() < Date.parse(j.startsAt) + ctx.verifyDelayMs
  );
}

/** One journal being resolved: what its steps share. */
interface Resolving {
  ctx: EngineContext;
  journal: Journal;
  kind: 'primary' | 'fallback';
  fb: boolean;
  /** 'key' or 'fallback key', for messages. */
  what: string;
  startsAt: Date;
  reports: ResumeReport[];
  /** Links left in the journal for the next call. */
  unresolved: Record<string, JournalLink>;
}

/** A link of the journal and the ends that hold its key now. */
type Held = [string, JournalLink, string[]];

async function resumeJournal(ctx: EngineContext, journal: Journal): Promise<ResumeReport[]> {
  const kind = journal.kind ?? 'primary';
  const fb = kind === 'fallback';
  ctx.logger.warn(
    `state has an unfinished ${fb ? 'fallback-key ' : ''}cycle ${journal.cycleId} from ${journal.startedAt} (links ${Object.keys(journal.links).join(', ')}; ${journal.decision ? `decision: commit ${journal.decision.links.join(', ')}` : 'no decision'}): resolving it first`,
  );
  const r: Resolving = { ctx, journal, kind, fb, what: fb ? 'fallback key' : 'key', startsAt: new Date(journal.startsAt), reports: [], unresolved: {} };
  // 1. What every device holds now (each read once). Pending commits confirmed must not be left
  //    to run out while we wait, so nothing waits before step 3.
  const devices = [...new Set(Object.values(journal.links).flatMap((j) => j.ends.map((e) => e.device)))];
  const held = await readEach(ctx, devices);
  const { complete, rollback } = sortLinks(r, held);
  // 2. One commit per device, all at once: remove the keys of links to roll back, and confirm the rest.
  const failedDevices = await settleDevices(r, devices, held, complete, rollback);
  const rolledBack = reportRollbacks(r, rollback, failedDevices);
  // 3. Links confirmed on every end: wait for the start-time, then MKA.
  const completed = await verifyCompleted(r, complete, failedDevices);
  await recordResolved(r, completed, rolledBack);
  return r.reports;
}

function report(r: Resolving, rep: Omit<ResumeReport, 'kind'>): void {
  r.reports.push({ ...rep, ...(r.fb ? { kind: 'fallback' as const } : {}) });
}

function linkOf(ctx: EngineContext, name: string, j: JournalLink): ResolvedLink {
  return (
    ctx.links.find((l) => l.name === name) ?? {
      name,
      connectivityAssociation: j.connectivityAssociation,
      keyChain: j.keyChain,
      ends: j.ends.map((e) => ({ role: 'slave' as const, device: e.device, sae: '', interfaces: [] })),
      masterSae: '',
      slaveSaes: [],
    }
  );
}

async function readEach(ctx: EngineContext, devices: string[]): Promise<Map<string, MacsecConfig | Error>> {
  const held = new Map<string, MacsecConfig | Error>();
  await Promise.all(
    devices.map(async (dev) => {
      try {
        held.set(dev, await ctx.confirmLane(dev, (d) => d.readMacsec()));
      } catch (e) {
        held.set(dev, e instanceof Error ? e : new Error(String(e)));
      }
    }),
  );
  return held;
}

/** Each link of the journal: complete (decided and on every end), roll back, or unresolved (an end unread). */
function sortLinks(r: Resolving, held: Map<string, MacsecConfig | Error>): { complete: Array<[string, JournalLink]>; rollback: Held[] } {
  const { ctx, journal, kind } = r;
  const complete: Array<[string, JournalLink]> = [];
  const rollback: Held[] = [];
  for (const [name, j] of Object.entries(journal.links)) {
    const bad = j.ends.find((e) => held.get(e.device) instanceof Error);
    if (bad) {
      r.unresolved[name] = j;
      const msg = `cannot resolve the unfinished transaction: ${bad.device}: ${describeError(held.get(bad.device))}`;
      report(r, { link: name, keyId: j.keyId, outcome: 'alarm', devices: j.ends.map((e) => e.device), message: msg });
      ctx.logger.error(`link ${name}: ${msg}; will try again`);
      continue;
    }
    const holders = j.ends.filter((e) => holds(held.get(e.device) as MacsecConfig, j, kind)).map((e) => e.device);
    // A journal written before decision records existed (no confirmDeadline either) is resolved
    // by the rule of its time: every end holding the key completes it.
    const legacy = journal.confirmDeadline === undefined && journal.decision === undefined;
    const decided = legacy || (journal.decision?.links.includes(name) ?? false);
    if (decided && holders.length === j.ends.length) complete.push([name, j]);
    else rollback.push([name, j, holders]);
  }
  return { complete, rollback };
}

/**
 * The commits: removals and confirms, one per device, all at once; then the read-back of the
 * confirmed ends, and the removal of a decided link's key that an end lost meanwhile (moved from
 * `complete` to `rollback`). Returns the devices whose commit failed, with why.
 */
async function settleDevices(r: Resolving, devices: string[], held: Map<string, MacsecConfig | Error>, complete: Array<[string, JournalLink]>, rollback: Held[]): Promise<Map<string, string>> {
  const { ctx, journal, fb } = r;
  const failedDevices = new Map<string, string>();
  const remove = (dev: string, removals: Held[], comment: string) =>
    removeKeys(ctx, dev, removals.map(([name, j]) => ({ link: linkOf(ctx, name, j), keyId: j.keyId, ckn: j.ckn })), fb ? 'fallback' : removals[0]![1].mode, `qkd-macsec ${journal.cycleId}: ${comment}`, ctx.confirmLane);
  await Promise.all(
    devices
      .filter((dev) => !(held.get(dev) instanceof Error))
      .map(async (dev) => {
        const removals = rollback.filter(([, , holders]) => holders.includes(dev));
        // Ends the journal records as confirmed need no commit (a --no-wait cycle's).
        const confirms = complete.filter(([, j]) => j.ends.some((e) => e.device === dev && e.phase !== 'confirmed'));
        try {
          if (removals.length) await remove(dev, removals, 'settle after restart');
          // removeKeys' commit also confirmed; without removals a plain commit confirms.
          if (confirms.length && !removals.length) await ctx.confirmLane(dev, (d) => d.confirmPending(undefined, `qkd-macsec ${journal.cycleId}: confirm after restart`));
        } catch (e) {
          failedDevices.set(dev, describeError(e));
        }
      }),
  );
  // A confirm that arrives after its commit confirmed rolled back is a plain commit of the
  // rolled-back configuration and succeeds: only reading back tells. A decided link that lost its
  // key on an end meanwhile is rolled back like one that was never decided.
  const lost = await readBackConfirmed(ctx, complete, held, failedDevices, r.kind);
  for (const item of lost) {
    complete.splice(complete.findIndex(([n]) => n === item[0]), 1);
    rollback.push(item);
  }
  await Promise.all(
    [...new Set(lost.flatMap(([, , holders]) => holders))].map(async (dev) => {
      try {
        await remove(dev, lost.filter(([, , holders]) => holders.includes(dev)), 'settle after restart (a confirm came too late)');
      } catch (e) {
        failedDevices.set(dev, describeError(e));
      }
    }),
  );
  return failedDevices;
}

/** Reports each link rolled back (or, when a removal failed, kept for the next call); returns those whose key was on some end. */
function reportRollbacks(r: Resolving, rollback: Held[], failedDevices: Map<string, string>): string[] {
  const { ctx, journal, fb, what } = r;
  const late = !fb && ctx.clock() >= r.startsAt;
  const rolledBack: string[] = [];
  for (const [name, j, holders] of rollback) {
    const devs = j.ends.map((e) => e.device);
    const failedOn = holders.filter((d) => failedDevices.has(d));
    if (failedOn.length) {
      report(r, { link: name, keyId: j.keyId, outcome: 'alarm', devices: devs, message: `could not remove ${what} ${j.keyId} from ${failedOn.map((d) => `${d} (${failedDevices.get(d)})`).join(', ')}; will try again` });
      ctx.logger.error(`link ${name}: could not remove resumed ${what} ${j.keyId} from ${failedOn.join(', ')}; will try again`);
      r.unresolved[name] = j;
      continue;
    }
    const why = journal.decision?.links.includes(name) ? `not every end holds it (${devs.filter((d) => !holders.includes(d)).join(', ')} rolled back or never took it)` : 'no decision was recorded for it';
    const after = late && holders.length > 0 ? ' — after its start-time: those ends switched to it alone and ran on the fallback key meanwhile; they are back on the previous key' : '';
    report(r, {
      link: name,
      keyId: j.keyId,
      outcome: 'rolled-back',
      devices: devs,
      message: `${what} ${j.keyId} was on ${holders.length ? holders.join(', ') : 'no end'} of ${devs.join(', ')}; ${why}; ${holders.length ? 'removed' : 'nothing to remove'}${after}`,
    });
    ctx.logger.warn(`link ${name}: resumed ${what} ${j.keyId} rolled back (${why}); removed from ${holders.join(', ') || 'no end'}${fb ? '' : ', the previous key stays active'}${after}`);
    if (holders.length) rolledBack.push(name);
  }
  return rolledBack;
}

/** Links confirmed on every end: after the start-time (a primary key), MKA is read and each reported; returns those completed. */
async function verifyCompleted(r: Resolving, complete: Array<[string, JournalLink]>, failedDevices: Map<string, string>): Promise<Array<[string, JournalLink]>> {
  const { ctx, fb, what } = r;
  const completed: Array<[string, JournalLink]> = [];
  if (!complete.length) return completed;
  if (!fb) {
    const wait = r.startsAt.getTime() + ctx.verifyDelayMs - ctx.clock().getTime();
    if (wait > 0) await waitOrClose(ctx, wait);
  }
  const state = await ctx.store.load();
  const checkable = complete.filter(([name, j]) => linkOf(ctx, name, j).ends.some((e) => e.interfaces.length) && (!fb || state.links[name]?.ckn));
  const problems = await verifyLinks(ctx, checkable.map(([name, j]) => ({ link: linkOf(ctx, name, j), ckn: fb ? state.links[name]!.ckn! : j.ckn })));
  for (const [name, j] of complete) {
    const devs = j.ends.map((e) => e.device);
    const confirmFailed = devs.filter((d) => failedDevices.has(d));
    if (confirmFailed.length) {
      // Still decided and still on every end (unless it timed out meanwhile): the next call confirms.
      report(r, { link: name, keyId: j.keyId, outcome: 'alarm', devices: devs, message: `confirm failed on ${confirmFailed.map((d) => `${d} (${failedDevices.get(d)})`).join(', ')}; will try again` });
      ctx.logger.error(`link ${name}: resumed ${what} ${j.keyId}: confirm failed on ${confirmFailed.join(', ')}; will try again`);
      r.unresolved[name] = j;
      continue;
    }
    const p = problems.get(name);
    if (p) {
      report(r, { link: name, keyId: j.keyId, outcome: 'alarm', devices: devs, message: p.message });
      ctx.logger.error(`link ${name}: resumed ${what} ${j.keyId} is on every end but ${p.message}`);
    } else {
      report(r, { link: name, keyId: j.keyId, outcome: 'completed', devices: devs });
      ctx.logger.info(`link ${name}: resumed ${what} ${j.keyId}: decided and on every end, confirmed; completed`);
    }
    completed.push([name, j]);
  }
  return completed;
}

async function recordResolved(r: Resolving, completed: Array<[string, JournalLink]>, rolledBack: string[]): Promise<void> {
  const { ctx, journal, fb } = r;
  await ctx.store.update((s) => {
    for (const [name, j] of completed) {
      const prev = s.links[name] ?? {};
      if (fb) prev.fallback = { keyId: j.keyId, ckn: j.ckn, installedAt: ctx.clock().toISOString() };
      else {
        prev.keyId = j.keyId;
        prev.ckn = j.ckn;
        const slots = Object.fromEntries(j.ends.filter((e) => e.slot !== undefined).map((e) => [e.device, e.slot!]));
        if (Object.keys(slots).length) prev.slots = slots;
        prev.activeSince = r.startsAt.toISOString();
        prev.lastSuccess = ctx.clock().toISOString();
        delete prev.lastError;
      }
      s.links[name] = prev;
    }
    // A fallback-key taken off some ends leaves the ends with different fallback keys: due at once.
    if (fb) for (const name of rolledBack) if (s.links[name]) delete s.links[name]!.fallback;
    const js = (s.journals ??= {});
    if (Object.keys(r.unresolved).length) js[journal.cycleId] = { ...journal, links: r.unresolved };
    else delete js[journal.cycleId];
    if (Object.keys(js).length === 0) delete s.journals;
  });
}

/** The decided links (of `complete`) that some end no longer holds after the confirms, with the ends that still do. */
async function readBackConfirmed(
  ctx: EngineContext,
  complete: ReadonlyArray<[string, JournalLink]>,
  held: Map<string, MacsecConfig | Error>,
  failedDevices: Map<string, string>,
  kind: 'primary' | 'fallback',
): Promise<Array<[string, JournalLink, string[]]>> {
  const devices = [...new Set(complete.flatMap(([, j]) => j.ends.map((e) => e.device)))].filter((d) => !failedDevices.has(d) && !(held.get(d) instanceof Error));
  const after = new Map<string, MacsecConfig>();
  await Promise.all(
    devices.map(async (dev) => {
      try {
        after.set(dev, await ctx.confirmLane(dev, (d) => d.readMacsec()));
      } catch (e) {
        failedDevices.set(dev, describeError(e));
      }
    }),
  );
  const lost: Array<[string, JournalLink, string[]]> = [];
  for (const [name, j] of complete) {
    if (j.ends.some((e) => !after.has(e.device))) continue; // unread: reported as a failed confirm, retried
    const holders = j.ends.filter((e) => holds(after.get(e.device)!, j, kind)).map((e) => e.device);
    if (holders.length < j.ends.length) lost.push([name, j, holders]);
  }
  return lost;
}
