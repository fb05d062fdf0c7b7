// `init`: bring every device to the configuration the rotator needs — connectivity associations
// (static-cak, the cipher suite, the key chain), interface bindings, key chains with a first key
// from the KMEs, and a fallback-key on every connectivity association from a QKD key of its own —
// changing only what differs, with a readable diff. A second run reports no change.
import { keyChainRotationChange, planKeyChainRotation, planLinkRotation, type DeleteTarget, type MacsecConfig } from '@qkd-macsec/macsec-config';
import { randomUUID } from 'node:crypto';
import type { ResolvedLink } from '../engine/config-view.js';
import { fallbackSettings, type EngineContext } from '../engine/context.js';
import { describeError, mergeChanges } from '../engine/device-ops.js';
import type { FetchedKey, Load } from '../fleet/ops.js';
import type { DeviceInitReport, InitReport } from '../engine/types.js';
import { fallbackChanges, fetchFallbackKeys, installFallbackKeys, recordFallbackKeys } from './fallback.js';
import { adoptionPlan, dropCarried, mergeChainsByName } from './adoption-plan.js';
import { chainOrEmpty, fallbackProblem, planDevice, sharedKeyNames } from './plan.js';
import { missingScriptUsers } from './script-users.js';
import { initView, linkSuites, platformRefusal, surveyDevice, type DeviceSurvey } from './survey.js';
import { handedOutAgain } from '../state/keyid-history.js';

export interface InitOptions {
  dryRun?: boolean;
  /** Only these links (and their devices). */
  links?: string[];
  /** Remove what the field script left (event-options, event-script entries, its users, its unused CAs). */
  removeFieldScript?: boolean;
}

export async function initDevices(ctx: EngineContext, options: InitOptions): Promise<InitReport> {
  const dryRun = options.dryRun ?? false;
  const mode = ctx.config.rotation.mode;
  const links = options.links?.length ? ctx.links.filter((l) => options.links!.includes(l.name)) : ctx.links;
  const unknown = (options.links ?? []).filter((n) => !ctx.links.some((l) => l.name === n));
  if (unknown.length) throw new Error(`unknown link${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
  const devices = [...new Set(links.flatMap((l) => l.ends.map((e) => e.device)))];
  const errors: string[] = [];
  const reports = new Map<string, DeviceInitReport>(devices.map((d) => [d, { device: d, changes: [], applied: false }]));
  const firstKeys: InitReport['firstKeys'] = [];
  const fallbackKeys: NonNullable<InitReport['fallbackKeys']> = [];
  const fallbackOn = fallbackSettings(ctx).enabled;
  const notes = fallbackOn ? [] : ['fallback keys are disabled (fallback.enabled: false): no fallback-key installed or rotated; existing ones are left as they are, and a link whose primary keys differ goes down'];
  const done = (r: Omit<InitReport, 'notes' | 'fallbackKeys'>): InitReport => ({ ...r, ...(fallbackOn ? { fallbackKeys } : {}), ...(notes.length ? { notes } : {}) });

  // The transaction init's keys belong to: the agents keep them until the finally below.
  const cycle = randomUUID();
  try {
    return await ctx.fleet.mutex.withKeys(devices, () => initLocked());
  } finally {
    await ctx.fleet.keys.release(cycle);
  }

  // init in order, under the devices' mutex: survey, plan, first keys, commit, record, fallback
  // keys. The steps that stand alone are functions below; what is left shares the plan's maps.
  async function initLocked(): Promise<InitReport> {
    const { configs, surveys } = await surveyAll(ctx, devices, reports, errors, notes);
    const { suites, problems } = linkSuites(links, ctx.config, new Map([...surveys].map(([d, s]) => [d, s.platform])));
    for (const p of problems.values()) errors.push(p);
    const usable = (l: ResolvedLink) => l.ends.every((e) => configs.has(e.device)) && !problems.has(l.name);
    const now0 = ctx.clock();
    const tolerance = mode === 'key-chain' ? (initView(ctx.config).rotation.keyChainTolerance ?? 0) : undefined;
    const plans = new Map(
      devices
        .filter((d) => configs.has(d))
        .map((d) => [d, planDevice(d, links.filter(usable), configs.get(d)!, ctx.config, { now: now0, suites, ...(tolerance !== undefined ? { tolerance } : {}) })]),
    );
    for (const [d, p] of plans) reports.get(d)!.changes.push(...p.changes);
    // The field script's leftovers: reported always, removed with removeFieldScript only.
    const adoption = adoptionPlan(ctx, links.filter(usable), surveys, options.removeFieldScript === true);
    for (const [d, a] of adoption) {
      const r = reports.get(d)!;
      r.fieldScript = a.report;
      r.changes.push(...a.changes);
      notes.push(...a.notes);
    }

    // Links without a key shared by every end get a first key.
    const needKey = links.filter(usable).filter((l) => sharedKeyNames(l, configs, mode, now0, suites.get(l.name)).length === 0);
    // Ends that run different keys share none to carry: such a link gets a first key instead.
    for (const l of needKey) for (const e of l.ends) dropCarried(plans.get(e.device), reports.get(e.device)!, l);
    for (const l of needKey) for (const e of l.ends) reports.get(e.device)!.changes.push(`${mode === 'key-chain' ? `key-chain ${l.keyChain}` : `connectivity-association ${l.connectivityAssociation}`}: ${dryRun ? 'would add' : 'add'} a first key from the KMEs (link ${l.name})`);
    // Every connectivity association gets a fallback-key from a QKD key of its own.
    const state = await ctx.store.load();
    const needFallback = fallbackOn ? links.filter(usable).filter((l) => fallbackProblem(l, configs, state.links[l.name]?.fallback?.ckn) !== undefined) : [];
    for (const l of needFallback) {
      const why = fallbackProblem(l, configs, state.links[l.name]?.fallback?.ckn)!;
      for (const e of l.ends) reports.get(e.device)!.changes.push(`connectivity-association ${l.connectivityAssociation}: fallback-key: ${dryRun ? 'would ' : ''}${why} from a QKD key of its own (link ${l.name})`);
    }
    const changed = [...reports.values()].some((r) => r.changes.length > 0);
    if (dryRun || !changed) return done({ dryRun, devices: [...reports.values()], firstKeys, changed, errors });

    const keys = new Map<string, FetchedKey>();
    for (const l of needKey) {
      try {
        const k = await ctx.fleet.keys.fetch(l, { tx: cycle, cipherSuite: ctx.config.rotation.cipherSuite, kind: 'primary' });
        if (state.keyIds.has(k.keyId)) throw new Error(await handedOutAgain(state.keyIds, k.keyId));
        keys.set(l.name, k);
      } catch (e) {
        errors.push(`link ${l.name}: no first key: ${describeError(e)}`);
        ctx.logger.error(`link ${l.name}: no first key: ${describeError(e)}`);
      }
    }
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

    await commitPlans(ctx, cycle, plans, reports, extra, adoption, errors);
    const applied = (l: ResolvedLink) => l.ends.every((e) => reports.get(e.device)!.applied);
    const keyed = needKey.filter((l) => keys.has(l.name) && applied(l));
    for (const l of keyed) firstKeys.push({ link: l.name, keyId: keys.get(l.name)!.keyId });
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
    // Then the fallback keys of the links that just got their first key.
    const later = needFallback.filter((l) => needKey.includes(l));
    for (const l of later.filter((x) => !keyed.includes(x))) errors.push(`link ${l.name}: no fallback key: its first key was not installed`);
    const laterKeys = await fetchFallbackKeys(ctx, cycle, later.filter((l) => keyed.includes(l)), configs, new Map([...keys].map(([n, k]) => [n, k.ckn])), errors);
    const installed = await installFallbackKeys(ctx, later, laterKeys, `qkd-macsec init ${cycle}: fallback keys`, errors);
    await recordFallbackKeys(ctx, installed, laterKeys);
    for (const l of [...fellBack, ...installed]) fallbackKeys.push({ link: l.name, keyId: (fallbacks.get(l.name) ?? laterKeys.get(l.name))!.keyId });
    return done({ dryRun, devices: [...reports.values()], firstKeys, changed: true, errors });
  }
}

/** Reads every device's configuration, platform and users; a device that cannot be used is an error in its report. */
async function surveyAll(ctx: EngineContext, devices: string[], reports: Map<string, DeviceInitReport>, errors: string[], notes: string[]): Promise<{ configs: Map<string, MacsecConfig>; surveys: Map<string, DeviceSurvey> }> {
  const mode = ctx.config.rotation.mode;
  const configs = new Map<string, MacsecConfig>();
  const surveys = new Map<string, DeviceSurvey>();
  await Promise.all(
    devices.map(async (dev) => {
      try {
        const s = await ctx.fleet.withDevice(dev, (d) => surveyDevice(d, ctx.config, dev));
        const report = reports.get(dev)!;
        report.platform = s.platform;
        const refused = platformRefusal(s.platform, mode);
        if (refused) {
          report.error = `${dev}: ${refused}`;
          errors.push(report.error);
          return;
        }
        const noUser = missingScriptUsers(ctx.config.init?.eventOptions, s.users, dev);
        if (noUser.length) {
          report.error = noUser.join('; ');
          errors.push(...noUser);
          return;
        }
        if (!s.platform.platform) notes.push(`${dev}: platform unknown (${s.platform.from}): no platform checks; set devices.${dev}.platform`);
        surveys.set(dev, s);
        configs.set(dev, s.config);
      } catch (e) {
        const msg = `${dev}: cannot read the configuration: ${describeError(e)}`;
        reports.get(dev)!.error = msg;
        errors.push(msg);
      }
    }),
  );
  return { configs, surveys };
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
