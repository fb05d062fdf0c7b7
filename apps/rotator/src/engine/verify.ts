// After the start-time: every interface of every end must run an MKA session secured with the new
// CKN. Read once per device.
import type { MkaSession } from '@qkd-macsec/junos-netconf';
import type { ResolvedLink } from './config-view.js';
import type { EngineContext } from './context.js';
import { describeError } from './device-ops.js';

export interface VerifyProblem {
  device?: string;
  message: string;
}

export async function readSessions(ctx: EngineContext, devices: readonly string[]): Promise<Map<string, MkaSession[] | Error>> {
  const out = new Map<string, MkaSession[] | Error>();
  await Promise.all(
    devices.map(async (dev) => {
      try {
        out.set(dev, await ctx.fleet.withDevice(dev, (d) => d.mkaSessions()));
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
  const problems = new Map<string, VerifyProblem>();
  for (const { link, ckn } of items) {
    const issues: VerifyProblem[] = [];
    for (const end of link.ends) {
      const s = sessions.get(end.device);
      if (s instanceof Error || s === undefined) {
        issues.push({ device: end.device, message: `cannot read MKA sessions on ${end.device}: ${s ? describeError(s) : 'no answer'}` });
        continue;
      }
      for (const iface of end.interfaces) {
        const session = s.find((x) => x.interface === iface);
        if (!session) issues.push({ device: end.device, message: `${end.device} ${iface}: no MKA session` });
        else if (!session.secured) issues.push({ device: end.device, message: `${end.device} ${iface}: MKA not secured (${session.state ?? 'no state'})` });
        else if (session.ckn?.toLowerCase() !== ckn.toLowerCase()) issues.push({ device: end.device, message: `${end.device} ${iface}: MKA secured with CKN ${session.ckn ?? '?'}, not the new ${ckn}` });
      }
    }
    if (issues.length) {
      problems.set(link.name, { ...(issues[0]!.device ? { device: issues[0]!.device } : {}), message: `link ${link.name} after the start-time: ${issues.map((i) => i.message).join('; ')}` });
    }
  }
  return problems;
}
