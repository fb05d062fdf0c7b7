// init's second half (index.ts), once the plan has changes and it is not a dry run: first keys
// from the KMEs, one commit per device with the plan, the first keys and the fallback keys of the
// links that already had a key; the state records them; then, once the first keys are active,
// the fallback keys of the links that just got one (init/fallback.ts says why they wait).
import { keyChainRotationChange, planKeyChainRotation, planLinkRotation, type DeleteTarget, type MacsecConfig } from '@qkd-macsec/macsec-config';
import type { ResolvedLink } from '../engine/config-view.js';
import type { EngineContext } from '../engine/context.js';
import { describeError, mergeChanges } from '../engine/device-ops.js';
import type { DeviceInitReport } from '../engine/types.js';
import type { FetchedKey, Load } from '../fleet/ops.js';
import { handedOutAgain } from '../state/keyid-history.js';
import { mergeChainsByName, type adoptionPlan } from './adoption-plan.js';
import { fallbackChanges, fetchFallbackKeys, installFallbackKeys, recordFallbackKeys } from './fallback.js';
import type { InitPlan } from './init-plan.js';
import type { InitRun } from './init-run.js';
import { chainOrEmpty, type planDevice } from './plan.js';

export async function applyInit(run: InitRun, plan: InitPlan): Promise<void> {
  const { ctx, cycle, mode, reports, errors } = run;
  const { configs, needKey, needFallback } = plan;
  const keys = await fetchFirstKeys(run, plan);
  // One start instant for every first key; ends switch together once it passes.
  const now = ctx.clock();
  const { extra, slots, startsAt } = firstKeyChanges(needKey, keys, configs, mode, now);
  const at = now.toISOString();
  await ctx.store.update((st) => {
    for (const [name, k] of keys) st.keyIds.add(k.keyId, { link: name, at });
  });
  // Fallback keys of links that already have a key go in the same commit; those of links getting
  // their first key now wait until it is active (init/fallback.ts says why).
  const fallbackNow = needFallback.filter((l) => !needKey.includes(l));
  const fallbacks = await fetchFallbackKeys(ctx, cycle, fallbackNow, configs, new Map(), errors);
  for (const [device, change] of fallbackChanges(fallbackNow, fallbacks)) extra.set(device, mergeChanges(extra.get(device) ?? { config: {}, delete: [] }, change));

  await commitPlans(ctx, cycle, plan.plans, reports, extra, plan.adoption, errors);
  const applied = (l: ResolvedLink) => l.ends.every((e) => reports.get(e.device)!.applied);
  const keyed = needKey.filter((l) => keys.has(l.name) && applied(l));
  for (const l of keyed) run.firstKeys.push({ link: l.name, keyId: keys.get(l.name)!.keyId });
  await ctx.store.update((st) => {
    for (const l of keyed) {
      const k = keys.get(l.name)!;
      st.links[l.name] = { ...st.links[l.name], keyId: k.keyId, ckn: k.ckn, activeSince: startsAt.toISOString(), ...(mode === 'key-chain' ? { slots: slots.get(l.name)! } : {}) };
    }
  });
  const fellBack = fallbackNow.filter((l) => fallbacks.has(l.name) && applied(l));
  await recordFallbackKeys(ctx, fellBack, fallbacks);
  // Let the first keys activate before returning, so that `status` right after shows them.
  if (keyed.length) {
    const wait = startsAt.getTime() - ctx.clock().getTime() + ctx.verifyDelayMs;
    if (wait > 0) await ctx.sleep(wait);
  }
  const installed = await fallbackKeysAfterFirstKeys(run, plan, keys, keyed);
  for (const l of fellBack) run.fallbackKeys.push({ link: l.name, keyId: fallbacks.get(l.name)!.keyId });
  for (const [l, keyId] of installed) run.fallbackKeys.push({ link: l.name, keyId });
}

/** A first key per link that needs one; a link whose fetch fails (or whose key_ID was handed out before) gets none, and an error. */
async function fetchFirstKeys(run: InitRun, plan: InitPlan): Promise<Map<string, FetchedKey>> {
  const { ctx, cycle, errors } = run;
  const keys = new Map<string, FetchedKey>();
  for (const l of plan.needKey) {
    try {
      const k = await ctx.fleet.keys.fetch(l, { tx: cycle, cipherSuite: ctx.config.rotation.cipherSuite, kind: 'primary' });
      if (plan.state.keyIds.has(k.keyId)) throw new Error(await handedOutAgain(plan.state.keyIds, k.keyId));
      keys.set(l.name, k);
    } catch (e) {
      errors.push(`link ${l.name}: no first key: ${describeError(e)}`);
      ctx.logger.error(`link ${l.name}: no first key: ${describeError(e)}`);
    }
  }
  return keys;
}

/** The fallback keys of the links that just got their first key (`keyed`), installed and recorded; the links that got one, with its key_ID. */
async function fallbackKeysAfterFirstKeys(run: InitRun, plan: InitPlan, keys: ReadonlyMap<string, FetchedKey>, keyed: readonly ResolvedLink[]): Promise<Array<[ResolvedLink, string]>> {
  const { ctx, cycle, errors } = run;
  const later = plan.needFallback.filter((l) => plan.needKey.includes(l));
  for (const l of later.filter((x) => !keyed.includes(x))) errors.push(`link ${l.name}: no fallback key: its first key was not installed`);
  const laterKeys = await fetchFallbackKeys(ctx, cycle, later.filter((l) => keyed.includes(l)), plan.configs, new Map([...keys].map(([n, k]) => [n, k.ckn])), errors);
  const installed = await installFallbackKeys(ctx, later, laterKeys, `qkd-macsec init ${cycle}: fallback keys`, errors);
  await recordFallbackKeys(ctx, installed, laterKeys);
  return installed.map((l) => [l, laterKeys.get(l.name)!.keyId]);
}

/** The changes that install each link's first key on its ends, all starting at one instant, and the slots they take. */
function firstKeyChanges(needKey: readonly ResolvedLink[], keys: ReadonlyMap<string, FetchedKey>, configs: ReadonlyMap<string, MacsecConfig>, mode: EngineContext['config']['rotation']['mode'], now: Date) {
  const extra = new Map<string, { config: MacsecConfig; delete: DeleteTarget[] }>();
  const slots = new Map<string, Record<string, number>>();
  let startsAt = now;
  if (mode === 'key-chain') {
    for (const l of needKey) {
      const k = keys.get(l.name);
      if (!k) continue;
      const p = planLinkRotation({ ends: l.ends.map((e) => ({ chain: chainOrEmpty(configs.get(e.device), l.keyChain) })), now, leadTimeSeconds: 0, keyName: k.ckn });
      if (p.startsAt > startsAt) startsAt = p.startsAt;
    }
  }
  for (const l of needKey) {
    const k = keys.get(l.name);
    if (!k) continue;
    const s: Record<string, number> = {};
    for (const e of l.ends) {
      let change: { config: MacsecConfig; delete: DeleteTarget[] };
      if (mode === 'key-chain') {
        const plan = planKeyChainRotation({ chain: chainOrEmpty(configs.get(e.device), l.keyChain), now, leadTimeSeconds: 0, keyName: k.ckn, startAt: startsAt });
        s[e.device] = plan.slot;
        change = keyChainRotationChange({ ...plan, deleteSlots: [] }, { chain: l.keyChain, keyName: k.ckn, secret: k.cakFor(e.device) });
      } else {
        change = { config: { connectivityAssociations: [{ name: l.connectivityAssociation, preSharedKey: { ckn: k.ckn, cak: k.cakFor(e.device) } }] }, delete: [] };
      }
      extra.set(e.device, mergeChanges(extra.get(e.device) ?? { config: {}, delete: [] }, change));
    }
    slots.set(l.name, s);
  }
  return { extra, slots, startsAt };
}

/** Commits each device's plan (replace, merge with the first and fallback keys, the field script's removal); failures go in its report. */
async function commitPlans(
  ctx: EngineContext,
  cycle: string,
  plans: ReadonlyMap<string, ReturnType<typeof planDevice>>,
  reports: Map<string, DeviceInitReport>,
  extra: ReadonlyMap<string, { config: MacsecConfig; delete: DeleteTarget[] }>,
  adoption: ReturnType<typeof adoptionPlan>,
  errors: string[],
): Promise<void> {
  await Promise.all(
    [...plans.values()].map(async (p) => {
      const r = reports.get(p.device)!;
      if (r.changes.length === 0) return;
      const loads: Load[] = [];
      if (Object.keys(p.replace).length) loads.push({ action: 'replace', config: p.replace });
      const merged = mergeChanges({ config: p.merge, delete: [] }, extra.get(p.device) ?? { config: {}, delete: [] });
      const removal = adoption.get(p.device)?.removal;
      if (Object.keys(merged.config).length || removal?.delete.length) loads.push({ action: 'merge', change: { config: mergeChainsByName(merged.config), delete: removal?.delete ?? [] } });
      loads.push(...(removal?.loads ?? []));
      if (!loads.length) return;
      try {
        await ctx.fleet.withDevice(p.device, (d) => d.commit(loads, { comment: `qkd-macsec init ${cycle}` }));
        r.applied = true;
        ctx.logger.info(`init ${p.device}: applied ${r.changes.length} change${r.changes.length === 1 ? '' : 's'}`);
      } catch (e) {
        r.error = `${p.device}: applying the initial configuration failed: ${describeError(e)}`;
        errors.push(r.error);
        ctx.logger.error(r.error);
      }
    }),
  );
}
