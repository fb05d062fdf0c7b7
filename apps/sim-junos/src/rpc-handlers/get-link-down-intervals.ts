// <get-link-down-intervals/> — a sim-junos extension: every interval during which a link of this
// device was down, so a script can assert over NETCONF that a rotation never dropped a link.
import { RpcFailure } from '../rpc-error.js';
import { el } from '../xml.js';
import type { RpcHandler } from './context.js';

const iso = (ms: number) => new Date(ms).toISOString();

export const getLinkDownIntervals: RpcHandler = (ctx, op) => {
  const only = op.children.find((c) => c.name === 'link-id')?.text.trim() || undefined;
  const now = ctx.clock.now();
  const defs = ctx.links.linksOf(ctx.device.name).filter((l) => only === undefined || l.id === only);
  if (only !== undefined && defs.length === 0) throw new RpcFailure({ tag: 'invalid-value', message: `no link "${only}" on this device`, badElement: only });
  const links = defs.map((def) => {
    const st = ctx.links.status(def.id, now);
    const intervals = ctx.links
      .downIntervals(def.id, now)
      .map((i) => `<down-interval>${el('from', iso(i.from))}${i.to !== undefined ? el('to', iso(i.to)) : ''}${el('duration-ms', (i.to ?? now) - i.from)}${el('reason', i.reason)}</down-interval>`);
    return (
      '<link>' +
      el('link-id', def.id) +
      el('state', st.state) +
      el('since', iso(st.since)) +
      `<end>${el('device', def.a.device)}${el('interface', def.a.interface)}</end>` +
      `<end>${el('device', def.b.device)}${el('interface', def.b.interface)}</end>` +
      intervals.join('') +
      '</link>'
    );
  });
  return { body: `<link-down-intervals>${el('now', iso(now))}${links.join('')}</link-down-intervals>` };
};
