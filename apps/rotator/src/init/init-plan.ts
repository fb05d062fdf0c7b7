// init's first half (index.ts): survey every device, plan what differs, and decide which links
// need a first key and which a (new) fallback-key. Writes nothing to a device; the run's reports
// get every change, so a dry run ends here.
import type { MacsecConfig } from '@qkd-macsec/macsec-config';
import type { ResolvedLink } from '../engine/config-view.js';
import type { EngineContext } from '../engine/context.js';
import { describeError } from '../engine/device-ops.js';
import type { DeviceInitReport } from '../engine/types.js';
import type { RotatorState } from '../state/types.js';
import { adoptionPlan, dropCarried } from './adoption-plan.js';
import type { InitRun } from './init-run.js';
import { fallbackProblem, planDevice, sharedKeyNames, type DevicePlan } from './plan.js';
import { missingScriptUsers } from './script-users.js';
import { initView, linkSuites, platformRefusal, surveyDevice, type DeviceSurvey } from './survey.js';

export interface InitPlan {
  configs: Map<string, MacsecConfig>;
  plans: Map<string, DevicePlan>;
  adoption: ReturnType<typeof adoptionPlan>;
  /** Links without a key shared by every end: they get a first key. */
  needKey: ResolvedLink[];
  /** Links whose connectivity associations need a fallback-key from a QKD key of its own. */
  needFallback: ResolvedLink[];
  state: RotatorState;
}

export async function planInit(run: InitRun): Promise<InitPlan> {
  const { ctx, links, devices, reports, errors, notes, mode, dryRun } = run;
  const { configs, surveys } = await surveyAll(ctx, devices, reports, errors, notes);
  const { suites, problems } = linkSuites(links, ctx.config, new Map([...surveys].map(([d, s]) => [d, s.platform])));
  for (const p of problems.values()) errors.push(p);
  const usable = links.filter((l) => l.ends.every((e) => configs.has(e.device)) && !problems.has(l.name));
  const now0 = ctx.clock();
  const tolerance = mode === 'key-chain' ? (initView(ctx.config).rotation.keyChainTolerance ?? 0) : undefined;
  const plans = new Map(
    devices.filter((d) => configs.has(d)).map((d) => [d, planDevice(d, usable, configs.get(d)!, ctx.config, { now: now0, suites, ...(tolerance !== undefined ? { tolerance } : {}) })]),
  );
  for (const [d, p] of plans) reports.get(d)!.changes.push(...p.changes);
  // The field script's leftovers: reported always, removed with removeFieldScript only.
  const adoption = adoptionPlan(ctx, usable, surveys, run.removeFieldScript);
  for (const [d, a] of adoption) {
    const r = reports.get(d)!;
    r.fieldScript = a.report;
    r.changes.push(...a.changes);
    notes.push(...a.notes);
  }

  // Links without a key shared by every end get a first key.
  const needKey = usable.filter((l) => sharedKeyNames(l, configs, mode, now0, suites.get(l.name)).length === 0);
  // Ends that run different keys share none to carry: such a link gets a first key instead.
  for (const l of needKey) for (const e of l.ends) dropCarried(plans.get(e.device), reports.get(e.device)!, l);
  for (const l of needKey) for (const e of l.ends) reports.get(e.device)!.changes.push(`${mode === 'key-chain' ? `key-chain ${l.keyChain}` : `connectivity-association ${l.connectivityAssociation}`}: ${dryRun ? 'would add' : 'add'} a first key from the KMEs (link ${l.name})`);
  // Every connectivity association gets a fallback-key from a QKD key of its own.
  const state = await ctx.store.load();
  const needFallback = run.fallbackOn ? usable.filter((l) => fallbackProblem(l, configs, state.links[l.name]?.fallback?.ckn) !== undefined) : [];
  for (const l of needFallback) {
    const why = fallbackProblem(l, configs, state.links[l.name]?.fallback?.ckn)!;
    for (const e of l.ends) reports.get(e.device)!.changes.push(`connectivity-association ${l.connectivityAssociation}: fallback-key: ${dryRun ? 'would ' : ''}${why} from a QKD key of its own (link ${l.name})`);
  }
  return { configs, plans, adoption, needKey, needFallback, state };
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
