// One `init` run (index.ts): what it was asked, the transaction its keys belong to, and what it
// reports, filled in by its steps (init-plan.ts, init-apply.ts).
import { randomUUID } from 'node:crypto';
import type { ResolvedLink } from '../engine/config-view.js';
import { fallbackSettings, type EngineContext } from '../engine/context.js';
import type { DeviceInitReport, InitReport } from '../engine/types.js';

export interface InitOptions {
  dryRun?: boolean;
  /** Only these links (and their devices). */
  links?: string[];
  /** Remove what the field script left (event-options, event-script entries, its users, its unused CAs). */
  removeFieldScript?: boolean;
}

export interface InitRun {
  ctx: EngineContext;
  dryRun: boolean;
  mode: EngineContext['config']['rotation']['mode'];
  removeFieldScript: boolean;
  links: ResolvedLink[];
  devices: string[];
  /** The transaction init's keys belong to: the agents keep them until initDevices releases it. */
  cycle: string;
  fallbackOn: boolean;
  reports: Map<string, DeviceInitReport>;
  errors: string[];
  notes: string[];
  firstKeys: InitReport['firstKeys'];
  fallbackKeys: NonNullable<InitReport['fallbackKeys']>;
}

/** The run over the links asked for (all by default); an unknown link name throws. */
export function startInitRun(ctx: EngineContext, options: InitOptions): InitRun {
  const links = options.links?.length ? ctx.links.filter((l) => options.links!.includes(l.name)) : ctx.links;
  const unknown = (options.links ?? []).filter((n) => !ctx.links.some((l) => l.name === n));
  if (unknown.length) throw new Error(`unknown link${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
  const devices = [...new Set(links.flatMap((l) => l.ends.map((e) => e.device)))];
  const fallbackOn = fallbackSettings(ctx).enabled;
  return {
    ctx,
    dryRun: options.dryRun ?? false,
    mode: ctx.config.rotation.mode,
    removeFieldScript: options.removeFieldScript === true,
    links,
    devices,
    cycle: randomUUID(),
    fallbackOn,
    reports: new Map(devices.map((d) => [d, { device: d, changes: [], applied: false }])),
    errors: [],
    notes: fallbackOn ? [] : ['fallback keys are disabled (fallback.enabled: false): no fallback-key installed or rotated; existing ones are left as they are, and a link whose primary keys differ goes down'],
    firstKeys: [],
    fallbackKeys: [],
  };
}

export function initReport(run: InitRun, changed: boolean): InitReport {
  const { dryRun, firstKeys, errors, fallbackKeys, notes } = run;
  return { dryRun, devices: [...run.reports.values()], firstKeys, changed, errors, ...(run.fallbackOn ? { fallbackKeys } : {}), ...(notes.length ? { notes } : {}) };
}
