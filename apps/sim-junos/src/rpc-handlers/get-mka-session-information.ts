// <get-mka-session-information> (show security mka sessions), answered from the link model: per
// MACsec interface, the CAK name (CKN) in use, whether the session is secured — on the primary key
// or, when the primary keys do not match but the fallback keys do, on the fallback key — and the peer.
import { el } from '../xml.js';
import type { RpcHandler } from './context.js';
import { macsecInterfaces, mkaState, pseudoId } from './mka.js';

export const getMkaSessionInformation: RpcHandler = (ctx, op) => {
  const only = op.children.find((c) => c.name === 'interface-name')?.text.trim() || op.children.find((c) => c.name === 'interface')?.text.trim() || undefined;
  const sessions = macsecInterfaces(ctx, only).map((m) => {
    const member = pseudoId(24, ctx.device.name, m.interface, m.ckn ?? '');
    const peer =
      m.secured && m.peer
        ? `<mka-peer-list><mka-peer-info>${el('peer-member-identifier', pseudoId(24, m.peer.device, m.peer.interface, (m.onFallback ? m.peer.fallbackCkn : m.peer.ckn) ?? ''))}${el('peer-hold-time', 60)}${el('peer-sci', pseudoId(16, m.peer.device, m.peer.interface) + '/1')}${el('peer-status', 'live')}</mka-peer-info></mka-peer-list>`
        : '';
    return (
      '<mka-session-info>' +
      el('interface-name', m.interface) +
      el('interface-state', mkaState(m)) +
      el('mka-session-status', m.secured ? 'live' : 'down') +
      el('member-identifier', member) +
      (m.ckn !== undefined ? el('cak-name', m.ckn) : '') +
      el('cak-type', m.onFallback ? 'fallback' : 'primary') +
      (m.onFallback ? el('cak-source', 'fallback-key') : m.end.source ? el('cak-source', m.end.source) : '') +
      (!m.onFallback && m.end.keyIndex !== undefined ? el('key-chain-key', m.end.keyIndex) : '') +
      el('transmit-interval', 2000) +
      el('outbound-sci', pseudoId(16, ctx.device.name, m.interface) + '/1') +
      el('key-server', m.keyServer ? 'yes' : 'no') +
      el('key-server-priority', 16) +
      el('latest-sak-an', 0) +
      el('latest-sak-ki', m.secured ? `${pseudoId(24, ctx.device.name, m.peer?.device ?? '', m.ckn ?? '')}/1` : '000000000000000000000000/0') +
      (m.link?.reason ? el('reason', m.link.reason) : '') +
      peer +
      '</mka-session-info>'
    );
  });
  return { body: `<mka-session-information>${sessions.join('')}</mka-session-information>` };
};
