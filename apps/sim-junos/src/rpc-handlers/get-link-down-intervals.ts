// <get-link-down-intervals/> — a sim-junos extension: every interval during which a link of this
// device was down, and every one it ran secured on its fallback key, each with its total, so a
// script can assert over NETCONF that a rotation never dropped a link (and how long it leaned on
// the fallback key).
import type { LinkInterval } from '../link-model.js';
import { RpcFailure } from '../rpc-error.js';
import { el } from '../xml.js';
import type { RpcHandler } from './context.js';

const iso = (ms: number) => new Date(ms).toISOString();

const intervalXml = (tag: string, i: LinkInterval, now: number) =>
  `<${tag}>${el('from', iso(i.from))}${i.to !== undefined ? el('to', iso(i.to)) : ''}${el('duration-ms', (i.to ?? now) - i.from)}${el('reason', i.reason)}</${tag}>`;

export const getLinkDownIntervals: RpcHandler = (ctx, op) => {
  const only = op.children.find((c) => c.name === 'link-id')?.text.trim() || undefined;
  const now = ctx.clock.now();
  const defs = ctx.links.linksOf(ctx.device.name).filter((l) => only === undefined || l.id === only);
  if (only !== undefined && defs.length === 0) throw new RpcFailure({ tag: 'invalid-value', message: `no link "${only}" on this device`, badElement: only });
  const links = defs.map((def) => {
    const st = ctx.links.status(def.id, now);
    const totals = ctx.links.totals(def.id, now);
    return (
      '<link>' +
      el('link-id', def.id) +
      el('state', st.state) +
      el('since', iso(st.since)) +
      `<end>${el('device', def.a.device)}${el('interface', def.a.interface)}</end>` +
      `<end>${el('device', def.b.device)}${el('interface', def.b.interface)}</end>` +
      el('down-ms-total', totals.downMs) +
      el('fallback-ms-total', totals.fallbackMs) +
      ctx.links.downIntervals(def.id, now).map((i) => intervalXml('down-interval', i, now)).join('') +
      ctx.links.fallbackIntervals(def.id, now).map((i) => intervalXml('fallback-interval', i, now)).join('') +
      '</link>'
    );
  });
  return { body: `<link-down-intervals>${el('now', iso(now))}${links.join('')}</link-down-intervals>` };
};
