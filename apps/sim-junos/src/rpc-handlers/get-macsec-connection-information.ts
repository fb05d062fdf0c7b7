// <get-macsec-connection-information> (show security macsec connections): per MACsec interface,
// its connectivity association and, when the link is secured, the secure channels.
import { el } from '../xml.js';
import type { RpcHandler } from './context.js';
import { macsecInterfaces, pseudoId } from './mka.js';

export const getMacsecConnectionInformation: RpcHandler = (ctx, op) => {
  const only = op.children.find((c) => c.name === 'interface-name')?.text.trim() || undefined;
  const entries = macsecInterfaces(ctx, only).map(
    (m) =>
      '<macsec-interface-common-information>' +
      el('interface-name', m.interface) +
      (m.ca !== undefined ? el('connectivity-association-name', m.ca) : '') +
      el('cipher-suite', (m.cipherSuite ?? 'gcm-aes-128').toUpperCase()) +
      el('encryption', m.secured ? 'on' : 'off') +
      el('offset', 0) +
      el('include-sci', 'no') +
      el('replay-protect', 'off') +
      el('replay-window', 0) +
      el('secured', m.secured ? 'yes' : 'no') +
      (m.secured
        ? `<outbound-secure-channel>${el('sci', pseudoId(16, ctx.device.name, m.interface) + '/1')}${el('outgoing-packet-number', 1)}</outbound-secure-channel>` +
          `<inbound-secure-channel>${el('sci', pseudoId(16, m.peer?.device ?? '', m.peer?.interface ?? '') + '/1')}</inbound-secure-channel>`
        : '') +
      '</macsec-interface-common-information>',
  );
  return { body: `<macsec-connection-information>${entries.join('')}</macsec-connection-information>` };
};
