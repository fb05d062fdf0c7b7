// Per device, what init does about the field script's leftovers (field-script.ts): always report
// them; with removeFieldScript, delete them in init's commit; without, say what still runs.
import type { DeleteTarget, KeyChain, MacsecConfig } from '@qkd-macsec/macsec-config';
import type { Load } from '../fleet/ops.js';
import type { ResolvedLink } from '../engine/config-view.js';
import type { EngineContext } from '../engine/context.js';
import type { DeviceInitReport } from '../engine/types.js';
import { CARRY_MARK } from './adopt.js';
import { findFieldScript } from './field-script.js';
import type { DevicePlan } from './plan.js';
import { initView, type DeviceSurvey } from './survey.js';

export interface DeviceAdoption {
  report: NonNullable<DeviceInitReport['fieldScript']>;
  /** Change lines (only when removing). */
  changes: string[];
  notes: string[];
  /** What to delete in init's commit (only when removing). */
  removal?: { delete: DeleteTarget[]; loads: Load[] };
}

export function adoptionPlan(ctx: EngineContext, links: readonly ResolvedLink[], surveys: ReadonlyMap<string, DeviceSurvey>, remove: boolean): Map<string, DeviceAdoption> {
  const out = new Map<string, DeviceAdoption>();
  const ev = ctx.config.init?.eventOptions;
  const keep = new Set<string>([
    ...(ev?.generateEvents ?? []).map((g) => g.name),
    ...(ev?.policies ?? []).map((p) => p.name),
    ...(ev?.eventScripts ?? []).flatMap((s) => [s.name, ...(s.pythonScriptUser ? [s.pythonScriptUser] : [])]),
    ...(ev?.traceoptions ? ['traceoptions'] : []),
  ]);
  for (const [device, s] of surveys) {
    const mine = links.filter((l) => l.ends.some((e) => e.device === device));
    const ours = {
      cas: new Set(mine.map((l) => l.connectivityAssociation)),
      chains: new Set(mine.map((l) => l.keyChain)),
      interfaces: new Set(mine.flatMap((l) => l.ends.filter((e) => e.device === device).flatMap((e) => e.interfaces))),
    };
    const rotatorUser = initView(ctx.config).devices[device]?.username;
    const found = findFieldScript({ config: s.config, users: s.users, keep, ours, ...(rotatorUser ? { rotatorUser } : {}) });
    if (!found) continue;
    const report = { version: found.version, artefacts: found.artefacts, removed: remove && found.removal.lines.length > 0 };
    if (remove) {
      out.set(device, { report, changes: found.removal.lines, notes: [], removal: { delete: found.removal.delete, loads: found.removal.loads } });
      continue;
    }
    const notes = found.running.length
      ? [`${device}: the field script (${found.version}) still runs on the device (${found.running.join('; ')}) and would change keys behind the rotator: run \`qkd-macsec init --remove-field-script\` to remove its event-options, event-script entries and user`]
      : found.removal.lines.length
        ? [`${device}: the field script (${found.version}) left ${found.removal.lines.length} statement${found.removal.lines.length === 1 ? '' : 's'} init can remove with --remove-field-script`]
        : [];
    out.set(device, { report, changes: [], notes });
  }
  return out;
}

/** One entry per key-chain name (the plan's tolerance and carried key, and a first key, may meet). */
export function mergeChainsByName(config: MacsecConfig): MacsecConfig {
  if (!config.keyChains) return config;
  const byName = new Map<string, KeyChain>();
  for (const c of config.keyChains) {
    const have = byName.get(c.name);
    byName.set(c.name, have ? { ...have, ...c, keys: [...have.keys, ...c.keys] } : { ...c, keys: [...c.keys] });
  }
  return { ...config, keyChains: [...byName.values()] };
}

/** Takes a carried running key of `link` out of a device's plan (and its change line). */
export function dropCarried(plan: DevicePlan | undefined, report: DeviceInitReport, link: ResolvedLink): void {
  const chain = plan?.merge.keyChains?.find((c) => c.name === link.keyChain);
  if (!plan || !chain?.keys.length) return;
  chain.keys = [];
  const line = (c: string) => c.startsWith(`key-chain ${link.keyChain}: key `) && c.includes(CARRY_MARK);
  plan.changes = plan.changes.filter((c) => !line(c));
  report.changes = report.changes.filter((c) => !line(c));
}
