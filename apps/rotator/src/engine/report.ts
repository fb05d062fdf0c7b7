// A cycle's transactions as the LinkReports the CLI prints.
import type { EngineContext } from './context.js';
import type { Tx } from './tx.js';
import type { CycleReport, LinkReport } from './types.js';

export function linkReport(t: Tx, mode: string): LinkReport {
  return {
    link: t.link.name,
    result: t.error ? 'failed' : 'ok',
    ...(t.key ? { keyId: t.key.keyId } : {}),
    ...(t.plans.size && !t.error && mode !== 'fallback' ? { slot: Object.fromEntries([...t.plans.entries()].map(([d, p]) => [d, p.slot])) } : {}),
    ...(t.key && !t.error && mode !== 'fallback' ? { startTime: t.startsAt!.toISOString() } : {}),
    devices: t.link.ends.map((e) => e.device),
    ...(t.error ? { error: t.error } : {}),
    ...(t.alarms.length ? { alarms: t.alarms } : {}),
    ...(t.onFallback ? { onFallback: true as const } : {}),
    ...(mode === 'static-cak' ? { hitless: false } : {}),
    durationMs: Date.now() - t.startedMs,
  };
}

export function dryRunReport(ctx: EngineContext, txs: Tx[], startedAt: Date, mode: string): CycleReport {
  return {
    startedAt: startedAt.toISOString(),
    finishedAt: ctx.clock().toISOString(),
    dryRun: true,
    links: txs.map((t) => ({
      link: t.link.name,
      result: t.error ? 'failed' : 'ok',
      devices: t.link.ends.map((e) => e.device),
      ...(t.error ? { error: t.error } : {}),
      ...(mode === 'key-chain' && !t.error
        ? {
            startTime: t.plans.get(t.link.ends[0]!.device)?.startsAt.toISOString(),
            plan: t.link.ends.map((e) => ({ device: e.device, slot: t.plans.get(e.device)!.slot, deleteSlots: t.plans.get(e.device)!.deleteSlots })),
          }
        : { plan: t.link.ends.map((e) => ({ device: e.device })) }),
      ...(mode === 'static-cak' ? { hitless: false } : {}),
      durationMs: Date.now() - t.startedMs,
    })),
  };
}
