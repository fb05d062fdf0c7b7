// <get-macsec-connection-information> (show security macsec connections). Like Junos, each
// interface is a run of siblings: common information, create-time, then the outbound and inbound
// secure channels, which exist only while the link is secured.
import { el } from '../xml.js';
import { junosTime, type RpcHandler } from './context.js';
import { macsecInterfaces, pseudoId } from './mka.js';

export const getMacsecConnectionInformation: RpcHandler = (ctx, op) => {
  const only = op.children.find((c) => c.name === 'interface-name')?.text.trim() || undefined;
  const entries = macsecInterfaces(ctx, only).map((m) => {
    const common =
      '<macsec-interface-common-information>' +
      el('interface-name', m.interface) +
      (m.ca !== undefined ? el('connectivity-association-name', m.ca) : '') +
      el('cipher-suite', (m.cipherSuite ?? 'gcm-aes-128').toUpperCase()) +
      el('encryption', m.secured ? 'on' : 'off') +
      el('offset', 0) +
      el('include-sci', 'no') +
      el('replay-protect', 'off') +
      el('replay-protect-window', 0) +
      '</macsec-interface-common-information>';
    if (!m.secured || !m.link) return common;
    const created = junosTime(m.link.since);
    const sa = (dir: 'outbound' | 'inbound') =>
      `<${dir}-secure-association>${el('association-number', 0)}${el('association-number-status', 'inuse')}${el('create-time', created)}</${dir}-secure-association>`;
    return (
      common +
      el('create-time', created) +
      `<outbound-secure-channel>${el('sci', pseudoId(16, ctx.device.name, m.interface) + '/1')}${el('outgoing-packet-number', 1)}${sa('outbound')}</outbound-secure-channel>` +
      `<inbound-secure-channel>${el('sci', pseudoId(16, m.peer?.device ?? '', m.peer?.interface ?? '') + '/1')}${sa('inbound')}</inbound-secure-channel>`
    );
  });
  return { body: `<macsec-connection-information>${entries.join('')}</macsec-connection-information>` };
};
