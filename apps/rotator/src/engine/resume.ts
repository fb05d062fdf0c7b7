// A journal in the state file means an earlier run stopped mid-cycle (SIGKILL, power loss). Each
// link in it is resolved from what the devices hold now: if every end has the new key it is
// confirmed everywhere and, once its start-time has passed, checked with MKA (completed);
// otherwise the key is removed from the ends that have it, so the old key stays active on all.
// A link whose devices cannot be reached stays in the journal and is tried again next time.
import type { MacsecConfig } from '@qkd-macsec/macsec-config';
import type { Journal, JournalLink } from '../state/types.js';
import type { ResolvedLink } from './config-view.js';
import type { EngineContext } from './context.js';
import { confirmWith, describeError, readMacsec } from './device-ops.js';
import { removeKeys } from './remove.js';
import type { ResumeReport } from './types.js';
import { verifyLinks } from './verify.js';

function holds(config: MacsecConfig, j: JournalLink): boolean {
  const ckn = j.ckn.toLowerCase();
  if (j.mode === 'key-chain') return (config.keyChains?.find((c) => c.name === j.keyChain)?.keys ?? []).some((k) => k.keyName?.toLowerCase() === ckn);
  return config.connectivityAssociations?.find((c) => c.name === j.connectivityAssociation)?.preSharedKey?.ckn.toLowerCase() === ckn;
}

/** Resolve every unfinished cycle found in the state, oldest first. */
export async function resumeJournals(ctx: EngineContext): Promise<ResumeReport[]> {
  const journals = Object.values((await ctx.store.load()).journals ?? {}).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const out: ResumeReport[] = [];
  for (const j of journals) out.push(...(await resumeJournal(ctx, j)));
  return out;
}

async function resumeJournal(ctx: EngineContext, journal: Journal): Promise<ResumeReport[]> {
  ctx.logger.warn(`state has an unfinished cycle ${journal.cycleId} from ${journal.startedAt} (links ${Object.keys(journal.links).join(', ')}): resolving it first`);
  const startsAt = new Date(journal.startsAt);
  const entries = Object.entries(journal.links);
  const reports: ResumeReport[] = [];
  const unresolved: Record<string, JournalLink> = {};
  const linkOf = (name: string, j: JournalLink): ResolvedLink =>
    ctx.links.find((l) => l.name === name) ?? {
      name,
      connectivityAssociation: j.connectivityAssociation,
      keyChain: j.keyChain,
      ends: j.ends.map((e) => ({ role: 'slave' as const, device: e.device, sae: '', interfaces: [] })),
      masterSae: '',
      slaveSaes: [],
    };

  // 1. What every device holds now (each read once). Pending commits confirmed must not be left
  //    to run out while we wait, so nothing waits before step 3.
  const devices = [...new Set(entries.flatMap(([, j]) => j.ends.map((e) => e.device)))];
  const held = new Map<string, MacsecConfig | Error>();
  await Promise.all(
    devices.map(async (dev) => {
      try {
        held.set(dev, await ctx.fleet.withDevice(dev, (d) => readMacsec(d)));
      } catch (e) {
        held.set(dev, e instanceof Error ? e : new Error(String(e)));
      }
    }),
  );
  const complete: Array<[string, JournalLink]> = [];
  const rollback: Array<[string, JournalLink, string[]]> = [];
  for (const [name, j] of entries) {
    const bad = j.ends.find((e) => held.get(e.device) instanceof Error);
    if (bad) {
      unresolved[name] = j;
      const msg = `cannot resolve the unfinished transaction: ${bad.device}: ${describeError(held.get(bad.device))}`;
      reports.push({ link: name, keyId: j.keyId, outcome: 'alarm', devices: j.ends.map((e) => e.device), message: msg });
      ctx.logger.error(`link ${name}: ${msg}; will try again`);
      continue;
    }
    const holders = j.ends.filter((e) => holds(held.get(e.device) as MacsecConfig, j)).map((e) => e.device);
    if (holders.length === j.ends.length) complete.push([name, j]);
    else rollback.push([name, j, holders]);
  }

  // 2. One commit per device: remove the keys of links to roll back, and confirm the rest.
  const failedDevices = new Map<string, string>();
  await Promise.all(
    devices
      .filter((dev) => !(held.get(dev) instanceof Error))
      .map(async (dev) => {
        const removals = rollback.filter(([, , holders]) => holders.includes(dev));
        const confirms = complete.filter(([, j]) => j.ends.some((e) => e.device === dev));
        try {
          if (removals.length) {
            await removeKeys(ctx, dev, removals.map(([name, j]) => ({ link: linkOf(name, j), keyId: j.keyId, ckn: j.ckn })), removals[0]![1].mode, `qkd-macsec ${journal.cycleId}: settle after restart`);
          }
          // removeKeys' commit also confirmed; without removals a plain commit confirms.
          if (confirms.length && !removals.length) await ctx.fleet.withDevice(dev, (d) => confirmWith(d, undefined, `qkd-macsec ${journal.cycleId}: confirm after restart`));
        } catch (e) {
          failedDevices.set(dev, describeError(e));
        }
      }),
  );
  for (const [name, j, holders] of rollback) {
    const devs = j.ends.map((e) => e.device);
    const failedOn = holders.filter((d) => failedDevices.has(d));
    const late = ctx.clock() >= startsAt && holders.length > 0;
    if (failedOn.length) {
      reports.push({ link: name, keyId: j.keyId, outcome: 'alarm', devices: devs, message: `could not remove key ${j.keyId} from ${failedOn.map((d) => `${d} (${failedDevices.get(d)})`).join(', ')}` });
      ctx.logger.error(`link ${name}: could not remove resumed key ${j.keyId} from ${failedOn.join(', ')}`);
      unresolved[name] = j;
      continue;
    }
    reports.push({
      link: name,
      keyId: j.keyId,
      outcome: 'rolled-back',
      devices: devs,
      message: `key ${j.keyId} was on ${holders.length ? holders.join(', ') : 'no end'} of ${devs.join(', ')}; ${holders.length ? 'removed' : 'nothing to remove'}${late ? ' (after its start-time: the link may have dropped meanwhile)' : ''}`,
    });
    ctx.logger.warn(`link ${name}: resumed key ${j.keyId} was not on every end (held by ${holders.join(', ') || 'none'}); removed, the previous key stays active`);
  }

  // 3. Links on every end: wait for the start-time, then MKA.
  const completed: Array<[string, JournalLink]> = [];
  if (complete.length) {
    const wait = startsAt.getTime() + ctx.verifyDelayMs - ctx.clock().getTime();
    if (wait > 0) await ctx.sleep(wait);
    const checkable = complete.filter(([name, j]) => linkOf(name, j).ends.some((e) => e.interfaces.length));
    const problems = await verifyLinks(ctx, checkable.map(([name, j]) => ({ link: linkOf(name, j), ckn: j.ckn })));
    for (const [name, j] of complete) {
      const devs = j.ends.map((e) => e.device);
      const confirmFailed = devs.filter((d) => failedDevices.has(d));
      const p = problems.get(name);
      if (p || confirmFailed.length) {
        const message = p?.message ?? `confirm failed on ${confirmFailed.join(', ')}`;
        reports.push({ link: name, keyId: j.keyId, outcome: 'alarm', devices: devs, message });
        ctx.logger.error(`link ${name}: resumed key ${j.keyId} is on every end but ${message}`);
      } else {
        reports.push({ link: name, keyId: j.keyId, outcome: 'completed', devices: devs });
        ctx.logger.info(`link ${name}: resumed key ${j.keyId}: every end holds it, confirmed; completed`);
      }
      completed.push([name, j]);
    }
  }

  await ctx.store.update((s) => {
    for (const [name, j] of completed) {
      const prev = s.links[name] ?? {};
      prev.keyId = j.keyId;
      prev.ckn = j.ckn;
      const slots = Object.fromEntries(j.ends.filter((e) => e.slot !== undefined).map((e) => [e.device, e.slot!]));
      if (Object.keys(slots).length) prev.slots = slots;
      prev.activeSince = startsAt.toISOString();
      prev.lastSuccess = ctx.clock().toISOString();
      delete prev.lastError;
      s.links[name] = prev;
    }
    const js = (s.journals ??= {});
    if (Object.keys(unresolved).length) js[journal.cycleId] = { ...journal, links: unresolved };
    else delete js[journal.cycleId];
    if (Object.keys(js).length === 0) delete s.journals;
  });
  return reports;
}
