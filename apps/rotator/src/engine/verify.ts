// After the start-time: every interface of every end must run an MKA session secured with the new
// CKN. Read once per device. A session secured on the fallback-key (cak-type fallback, or the CKN
// of the link's fallback-key) is an alarm of its own: the link carries traffic, but the primary
// keys of its ends differ — the next rotation gives every end a fresh primary key.
import type { MkaSession, MkaSummary } from '@qkd-macsec/junos-netconf';
import type { ResolvedLink } from './config-view.js';
import type { EngineContext } from './context.js';
import { describeError } from './device-ops.js';

export interface VerifyProblem {
  device?: string;
  message: string;
  /** Some end's MKA runs on the fallback-key. */
  onFallback?: true;
}

/** The session runs on the link's fallback-key (as Junos reports it, or by its CKN). */
export function isFallbackSession(session: Pick<MkaSession, 'cakType' | 'ckn'>, fallbackCkn: string | undefined): boolean {
  if (session.cakType === 'fallback') return true;
  return !!fallbackCkn && session.ckn?.toLowerCase() === fallbackCkn.toLowerCase();
}

export function fallbackAlarm(link: string): string {
  return `link ${link}: secured on its FALLBACK key — the primary keys of its ends differ; repairing on the next run`;
}

/**
 * What the rotator checks of an MKA session (verify, status, the fallback-key's precondition):
 * junos-netconf's MkaSummary, which a direct device's DeviceOps reads straight from the reply
 * (no tree of it built). Only this is kept while a fleet's reads come in, not the session as
 * parsed: that holds its whole reply (`raw`, and strings V8 cuts out of the reply text as views
 * of it), and a verify keeps every device's until the last one answers — at 4,000 devices ~20 MB
 * carried through the young generation's collections and promoted, in the cycle's last burst.
 */
export type MkaView = MkaSummary;

/**
 * A device's sessions as MkaViews, from a DeviceOps without mkaSummaries (a site agent's). One
 * JSON round trip makes every string its own copy: a field cut from the reply text would
 * otherwise keep that whole reply alive.
 */
function mkaViews(sessions: readonly MkaSession[]): MkaView[] {
  return JSON.parse(JSON.stringify(sessions.map((s) => ({ interface: s.interface, secured: s.secured, state: s.state, cakType: s.cakType, ckn: s.ckn })))) as MkaView[];
}

/** Every device's MKA sessions (as MkaViews), or why they could not be read. */
export async function readSessions(ctx: EngineContext, devices: readonly string[]): Promise<Map<string, MkaView[] | Error>> {
  const out = new Map<string, MkaView[] | Error>();
  await Promise.all(
    devices.map(async (dev) => {
      try {
        out.set(dev, await ctx.fleet.withDevice(dev, (d) => (d.mkaSummaries ? d.mkaSummaries() : d.mkaSessions().then(mkaViews))));
      } catch (e) {
        out.set(dev, e instanceof Error ? e : new Error(String(e)));
      }
    }),
  );
  return out;
}

export async function verifyLinks(ctx: EngineContext, items: Array<{ link: ResolvedLink; ckn: string }>): Promise<Map<string, VerifyProblem>> {
  const devices = [...new Set(items.flatMap((i) => i.link.ends.map((e) => e.device)))];
  const sessions = await readSessions(ctx, devices);
  const state = await ctx.store.load();
  const problems = new Map<string, VerifyProblem>();
  for (const { link, ckn } of items) {
    const issues: VerifyProblem[] = [];
    let onFallback = false;
    for (const end of link.ends) {
      const s = sessions.get(end.device);
      if (s instanceof Error || s === undefined) {
        issues.push({ device: end.device, message: `cannot read MKA sessions on ${end.device}: ${s ? describeError(s) : 'no answer'}` });
        continue;
      }
      for (const iface of end.interfaces) {
        const session = s.find((x) => x.interface === iface);
        if (!session) issues.push({ device: end.device, message: `${end.device} ${iface}: no MKA session` });
        else if (session.secured && isFallbackSession(session, state.links[link.name]?.fallback?.ckn)) {
          onFallback = true;
          issues.push({ device: end.device, message: `${end.device} ${iface}: MKA secured on the fallback key (CKN ${session.ckn ?? '?'}), not on the primary ${ckn}` });
        } else if (!session.secured) issues.push({ device: end.device, message: `${end.device} ${iface}: MKA not secured (${session.state ?? 'no state'})` });
        else if (session.ckn?.toLowerCase() !== ckn.toLowerCase()) issues.push({ device: end.device, message: `${end.device} ${iface}: MKA secured with CKN ${session.ckn ?? '?'}, not the new ${ckn}` });
      }
    }
    if (onFallback) ctx.logger.error(fallbackAlarm(link.name));
    if (issues.length) {
      problems.set(link.name, {
        ...(issues[0]!.device ? { device: issues[0]!.device } : {}),
        message: `link ${link.name} after the start-time: ${issues.map((i) => i.message).join('; ')}`,
        ...(onFallback ? { onFallback: true as const } : {}),
      });
    }
  }
  return problems;
}
