// After the start-time every interface of a link must run an MKA session secured with the new
// CKN. One end of a two-ended link proves it: a session secured on a CKN has a live peer that
// signs its MKPDUs with that CKN's CAK, and across a point-to-point interface that peer is the
// link's other end. So each such link is read at one end first (one read per device, ends chosen
// to read as few devices as possible), and its other end only when the first does not prove it —
// a failure is reported from every end, as before. A session secured on the fallback-key (cak-type
// fallback, or the CKN of the link's fallback-key) is an alarm of its own: the link carries
// traffic, but the primary keys of its ends differ — the next rotation gives every end a fresh
// primary key.
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

type Item = { link: ResolvedLink; ckn: string };
type Sessions = Map<string, MkaView[] | Error>;

/**
 * The devices to read first: one end of each two-ended link — an end whose device is read for
 * another link already, else the end whose device ends more of these links (a hub), else the two
 * sides in turn — and every end of a link with more (a slave's session proves only its own peer).
 */
export function firstReads(items: readonly Item[]): string[] {
  const links = new Map<string, number>();
  for (const { link } of items) for (const e of link.ends) links.set(e.device, (links.get(e.device) ?? 0) + 1);
  const read = new Set<string>();
  items.forEach(({ link }, i) => {
    if (link.ends.length !== 2) return link.ends.forEach((e) => read.add(e.device));
    const [a, b] = [link.ends[0]!.device, link.ends[1]!.device];
    if (read.has(a) || read.has(b)) return;
    const [na, nb] = [links.get(a)!, links.get(b)!];
    read.add(na > nb ? a : nb > na ? b : i % 2 ? b : a);
  });
  return [...read];
}

/** What is wrong with one end of a link; none when each of its interfaces is secured on `ckn`. */
function endIssues(end: ResolvedLink['ends'][number], s: MkaView[] | Error | undefined, ckn: string, fallbackCkn: string | undefined): Array<VerifyProblem & { device: string }> {
  if (s instanceof Error || s === undefined) return [{ device: end.device, message: `cannot read MKA sessions on ${end.device}: ${s ? describeError(s) : 'no answer'}` }];
  const issues: Array<VerifyProblem & { device: string }> = [];
  for (const iface of end.interfaces) {
    const session = s.find((x) => x.interface === iface);
    if (!session) issues.push({ device: end.device, message: `${end.device} ${iface}: no MKA session` });
    else if (session.secured && isFallbackSession(session, fallbackCkn)) issues.push({ device: end.device, onFallback: true, message: `${end.device} ${iface}: MKA secured on the fallback key (CKN ${session.ckn ?? '?'}), not on the primary ${ckn}` });
    else if (!session.secured) issues.push({ device: end.device, message: `${end.device} ${iface}: MKA not secured (${session.state ?? 'no state'})` });
    else if (session.ckn?.toLowerCase() !== ckn.toLowerCase()) issues.push({ device: end.device, message: `${end.device} ${iface}: MKA secured with CKN ${session.ckn ?? '?'}, not the new ${ckn}` });
  }
  return issues;
}

/** The link's problem from the ends read; none when one end of a two-ended link, or every end of a larger one, checks out. */
function linkProblem({ link, ckn }: Item, sessions: Sessions, fallbackCkn: string | undefined): VerifyProblem | undefined {
  const read = link.ends.filter((e) => sessions.has(e.device));
  const byEnd = read.map((e) => endIssues(e, sessions.get(e.device), ckn, fallbackCkn));
  // An end with no interface listed (an EngineConfig built by hand) checks nothing: it proves nothing.
  const proven = link.ends.length === 2 ? byEnd.some((i, k) => i.length === 0 && read[k]!.interfaces.length > 0) : read.length === link.ends.length && byEnd.every((i) => i.length === 0);
  if (proven) return undefined;
  const issues = byEnd.flat();
  const onFallback = issues.some((i) => i.onFallback);
  return {
    ...(issues[0] ? { device: issues[0].device } : {}),
    message: `link ${link.name} after the start-time: ${issues.map((i) => i.message).join('; ')}`,
    ...(onFallback ? { onFallback: true as const } : {}),
  };
}

export async function verifyLinks(ctx: EngineContext, items: Item[]): Promise<Map<string, VerifyProblem>> {
  const sessions = await readSessions(ctx, firstReads(items));
  const state = await ctx.store.load();
  const fallbackCkn = (i: Item) => state.links[i.link.name]?.fallback?.ckn;
  // A link the first reads did not prove: its other ends are read too, for the proof or for the
  // whole picture of what is wrong where.
  const unproven = items.filter((i) => linkProblem(i, sessions, fallbackCkn(i)));
  const rest = [...new Set(unproven.flatMap((i) => i.link.ends.map((e) => e.device)))].filter((d) => !sessions.has(d));
  if (rest.length) for (const [d, s] of await readSessions(ctx, rest)) sessions.set(d, s);
  const problems = new Map<string, VerifyProblem>();
  for (const item of unproven) {
    const p = linkProblem(item, sessions, fallbackCkn(item));
    if (!p) continue;
    if (p.onFallback) ctx.logger.error(fallbackAlarm(item.link.name));
    problems.set(item.link.name, p);
  }
  return problems;
}
