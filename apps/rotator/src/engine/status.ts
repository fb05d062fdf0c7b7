// `status`: per link, the recorded key and age, MKA state read live from every end (and whether it
// runs on the fallback key), next rotation, and any unfinished transaction with what resume() will
// do with it.
import type { Journal } from '../state/types.js';
import type { EngineContext } from './context.js';
import { describeError } from './device-ops.js';
import type { LinkStatus } from './types.js';
import { fallbackAlarm, isFallbackSession, readSessions } from './verify.js';

/** What resume() will do with a link of a journal, from the state alone (it reads the devices to be sure). */
export function nextStep(j: Journal, link: string, now: Date): string {
  if (!j.confirmDeadline && !j.decision) return 'complete it if every end holds the key (a journal from before decision records), otherwise remove the key from the ends that hold it';
  const decided = j.decision?.links.includes(link) ?? false;
  const deadline = j.confirmDeadline ? Date.parse(j.confirmDeadline) : undefined;
  if (decided && (deadline === undefined || now.getTime() < deadline)) return 'confirm the ends not yet confirmed (decision: commit), then verify after the start-time';
  if (decided) return 'confirm if every end still holds the key; otherwise remove it from the ends that hold it';
  return j.kind !== 'fallback' && now.getTime() >= Date.parse(j.startsAt)
    ? 'remove the key from the ends that hold it (after the start-time: they go back to the previous key)'
    : 'remove the key from the ends that hold it (no decision: roll back)';
}

export async function linkStatuses(ctx: EngineContext, names?: readonly string[]): Promise<LinkStatus[]> {
  const state = await ctx.store.load();
  const links = names?.length ? ctx.links.filter((l) => names.includes(l.name)) : ctx.links;
  const sessions = await readSessions(ctx, [...new Set(links.flatMap((l) => l.ends.map((e) => e.device)))]);
  const now = ctx.clock();
  return links.map((link) => {
    const s = state.links[link.name] ?? {};
    let onFallback = false;
    const ends = link.ends.map((end) => {
      const list = sessions.get(end.device);
      if (list instanceof Error || !list) return { device: end.device, interfaces: [], error: list ? describeError(list) : 'no answer' };
      return {
        device: end.device,
        interfaces: end.interfaces.map((iface) => {
          const m = list.find((x) => x.interface === iface);
          if (m?.secured && isFallbackSession(m, s.fallback?.ckn)) onFallback = true;
          return { interface: iface, secured: m?.secured ?? false, ...(m?.ckn ? { ckn: m.ckn } : {}), ...(m?.state ? { state: m.state } : {}) };
        }),
      };
    });
    if (onFallback) ctx.logger.error(fallbackAlarm(link.name));
    const secured = !onFallback && ends.every((e) => !('error' in e) && e.interfaces.every((i) => i.secured && (!s.ckn || i.ckn?.toLowerCase() === s.ckn.toLowerCase())));
    const base = s.lastSuccess ? Date.parse(s.lastSuccess) : undefined;
    const j = Object.values(state.journals ?? {}).find((x) => x.links[link.name]);
    const jl = j?.links[link.name];
    return {
      link: link.name,
      ...(s.keyId ? { keyId: s.keyId } : {}),
      ...(s.ckn ? { ckn: s.ckn } : {}),
      ...(s.activeSince ? { ageSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(s.activeSince)) / 1000)) } : {}),
      ...(s.lastSuccess ? { lastSuccess: s.lastSuccess } : {}),
      nextRotation: new Date(base !== undefined && !onFallback ? base + ctx.config.rotation.intervalSeconds * 1000 : now.getTime()).toISOString(),
      secured,
      onFallback,
      ...(j && jl
        ? {
            unfinished: {
              keyId: jl.keyId,
              startsAt: j.startsAt,
              cycleId: j.cycleId,
              kind: j.kind ?? 'primary',
              decided: j.decision?.links.includes(link.name) ?? false,
              ...(j.confirmDeadline ? { confirmDeadline: j.confirmDeadline } : {}),
              phases: Object.fromEntries(jl.ends.map((e) => [e.device, e.phase])),
              next: nextStep(j, link.name, now),
            },
          }
        : {}),
      ends,
    };
  });
}
