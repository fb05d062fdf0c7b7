// `init`: bring every device to the configuration the rotator needs — connectivity associations
// (static-cak, the cipher suite, the key chain), interface bindings, key chains with a first key
// from the KMEs, and a fallback-key on every connectivity association from a QKD key of its own —
// changing only what differs, with a readable diff. A second run reports no change.
// In order, under the devices' mutex: survey and plan (init-plan.ts), then first keys, commits,
// the state, fallback keys (init-apply.ts).
import type { EngineContext } from '../engine/context.js';
import type { InitReport } from '../engine/types.js';
import { applyInit } from './init-apply.js';
import { planInit } from './init-plan.js';
import { initReport, startInitRun, type InitOptions } from './init-run.js';

export type { InitOptions } from './init-run.js';

export async function initDevices(ctx: EngineContext, options: InitOptions): Promise<InitReport> {
  const run = startInitRun(ctx, options);
  try {
    return await ctx.fleet.mutex.withKeys(run.devices, async () => {
      const plan = await planInit(run);
      const changed = [...run.reports.values()].some((r) => r.changes.length > 0);
      if (run.dryRun || !changed) return initReport(run, changed);
      await applyInit(run, plan);
      return initReport(run, true);
    });
  } finally {
    // The agents keep init's keys until their transaction ends.
    await ctx.fleet.keys.release(run.cycle);
  }
}
