// `status`: per link, the recorded key and age, MKA state read live from every end, next rotation.
import type { EngineContext } from './context.js';
import { describeError } from './device-ops.js';
import type { LinkStatus } from './types.js';
import { readSessions } from './verify.js';

export async function linkStatuses(ctx: EngineContext, names?: readonly string[]): Promise<LinkStatus[]> {
  const state = await ctx.store.load();
  const links = names?.length ? ctx.links.filter((l) => names.includes(l.name)) : ctx.links;
  const sessions = await readSessions(ctx, [...new Set(links.flatMap((l) => l.ends.map((e) => e.device)))]);
  const now = ctx.clock();
  return links.map((link) => {
    const s = state.links[link.name] ?? {};
    const ends = link.ends.map((end) => {
      const list = sessions.get(end.device);
      if (list instanceof Error || !list) return { device: end.device, interfaces: [], error: list ? describeError(list) : 'no answer' };
      return {
        device: end.device,
        interfaces: end.interfaces.map((iface) => {
          const m = list.find((x) => x.interface === iface);
          return { interface: iface, secured: m?.secured ?? false, ...(m?.ckn ? { ckn: m.ckn } : {}), ...(m?.state ? { state: m.state } : {}) };
        }),
      };
    });
    const secured = ends.every((e) => !('error' in e) && e.interfaces.every((i) => i.secured && (!s.ckn || i.ckn?.toLowerCase() === s.ckn.toLowerCase())));
    const base = s.lastSuccess ? Date.parse(s.lastSuccess) : undefined;
    const j = Object.values(state.journals ?? {}).find((x) => x.links[link.name]);
    return {
      link: link.name,
      ...(s.keyId ? { keyId: s.keyId } : {}),
      ...(s.ckn ? { ckn: s.ckn } : {}),
      ...(s.activeSince ? { ageSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(s.activeSince)) / 1000)) } : {}),
      ...(s.lastSuccess ? { lastSuccess: s.lastSuccess } : {}),
      nextRotation: new Date(base !== undefined ? base + ctx.config.rotation.intervalSeconds * 1000 : now.getTime()).toISOString(),
      secured,
      ...(j ? { unfinished: { keyId: j.links[link.name]!.keyId, startsAt: j.startsAt, cycleId: j.cycleId } } : {}),
      ends,
    };
  });
}
