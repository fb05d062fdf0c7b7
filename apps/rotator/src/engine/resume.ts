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

export async function resumeJournal(ctx: EngineContext): Promise<ResumeReport[]> {
  const state = await ctx.store.load();
  const journal: Journal | undefined = state.journal;
  if (!journal) return [];
  ctx.logger.warn(`state has an unfinished cycle ${journal.cycleId} from ${journal.startedAt} (links ${Object.keys(journal.links).join(', ')}): resolving it first`);
  const startsAt = new Date(journal.startsAt);
  const reports: ResumeReport[] = [];
  const unresolved: Record<string, JournalLink> = {};
  const completed: Array<{ name: string; j: JournalLink }> = [];

  for (const [name, j] of Object.entries(journal.links)) {
    const devices = j.ends.map((e) => e.device);
    const link: ResolvedLink = ctx.links.find((l) => l.name === name) ?? {
      name,
      connectivityAssociation: j.connectivityAssociation,
      keyChain: j.keyChain,
      ends: j.ends.map((e) => ({ role: 'slave', device: e.device, sae: '', interfaces: [] })),
      masterSae: '',
      slaveSaes: [],
    };
    try {
      const held = new Map<string, boolean>();
      for (const dev of devices) held.set(dev, holds(await ctx.fleet.withDevice(dev, (d) => readMacsec(d)), j));
      const holders = devices.filter((d) => held.get(d));
      if (holders.length === devices.length) {
        // Every end has it: settle any pending commit confirmed, then it is a normal rotation.
        for (const dev of devices) await ctx.fleet.withDevice(dev, (d) => confirmWith(d, undefined, `qkd-macsec ${journal.cycleId}: confirm after restart`));
        const wait = startsAt.getTime() + ctx.verifyDelayMs - ctx.clock().getTime();
        if (wait > 0) await ctx.sleep(wait);
        const problems = link.ends.some((e) => e.interfaces.length) ? await verifyLinks(ctx, [{ link, ckn: j.ckn }]) : new Map();
        const p = problems.get(name);
        if (p) {
          reports.push({ link: name, keyId: j.keyId, outcome: 'alarm', devices, message: p.message });
          ctx.logger.error(`link ${name}: resumed key ${j.keyId} is on every end but ${p.message}`);
        } else {
          reports.push({ link: name, keyId: j.keyId, outcome: 'completed', devices });
          ctx.logger.info(`link ${name}: resumed key ${j.keyId}: every end holds it, confirmed; completed`);
        }
        completed.push({ name, j });
      } else {
        const removed = holders.length ? await Promise.all(holders.map((dev) => removeKeys(ctx, dev, [{ link, keyId: j.keyId, ckn: j.ckn }], j.mode, `qkd-macsec ${journal.cycleId}: roll back after restart`))) : [];
        const late = ctx.clock() >= startsAt && holders.length > 0;
        reports.push({
          link: name,
          keyId: j.keyId,
          outcome: 'rolled-back',
          devices,
          message: `key ${j.keyId} was on ${holders.length ? holders.join(', ') : 'no end'} of ${devices.join(', ')}; ${removed.flat().length ? 'removed' : 'nothing to remove'}${late ? ' (after its start-time: the link may have dropped meanwhile)' : ''}`,
        });
        ctx.logger.warn(`link ${name}: resumed key ${j.keyId} was not on every end (held by ${holders.join(', ') || 'none'}); removed, the previous key stays active`);
      }
    } catch (e) {
      unresolved[name] = j;
      reports.push({ link: name, keyId: j.keyId, outcome: 'alarm', devices, message: `cannot resolve the unfinished transaction: ${describeError(e)}` });
      ctx.logger.error(`link ${name}: cannot resolve the unfinished transaction of key ${j.keyId}: ${describeError(e)}; will try again`);
    }
  }

  await ctx.store.update((s) => {
    for (const { name, j } of completed) {
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
    if (Object.keys(unresolved).length) s.journal = { ...journal, links: unresolved };
    else delete s.journal;
  });
  return reports;
}
