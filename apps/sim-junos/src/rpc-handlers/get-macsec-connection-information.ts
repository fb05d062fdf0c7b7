// <get-macsec-connection-information> (show security macsec connections). Shaped like the
// junos-rpc-security YANG (grouping macsec-connection-information-block): each interface is a
// run of siblings — common information, then the outbound and inbound secure channels, which
// exist only while the link is secured — and each secure association carries its creation time,
// the MKA member identifier and key number of its SAK, and its start time. The RPC takes no input;
// the per-interface variant is get-macsec-connection-interface-information.
import { el } from '../xml.js';
import { junosTime, type RpcContext, type RpcHandler, type RpcResult } from './context.js';
import { refuseInputsExcept } from './rpc-input.js';
import { macsecInterfaces, pseudoId, type InterfaceMacsec } from './mka.js';

function connection(ctx: RpcContext, m: InterfaceMacsec): string {
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
  const since = junosTime(m.link.since);
  // The SAK's key identifier, as get-mka-session-information reports it in latest-sak-ki
  // (member identifier / key number) and latest-sak-an.
  const memberIdentifier = pseudoId(24, ctx.device.name, m.peer?.device ?? '', m.end.ckn ?? '');
  const sa = (dir: 'outbound' | 'inbound') =>
    `<${dir}-secure-association>` +
    el('association-number', 0) +
    el('association-number-status', 'inuse') +
    el('create-time', since) +
    el('member-identifier', memberIdentifier) +
    el('key-number', 1) +
    el('start-time', since) +
    `</${dir}-secure-association>`;
  return (
    common +
    `<outbound-secure-channel>${el('sci', pseudoId(16, ctx.device.name, m.interface) + '/1')}${el('outgoing-packet-number', 1)}${sa('outbound')}</outbound-secure-channel>` +
    `<inbound-secure-channel>${el('sci', pseudoId(16, m.peer?.device ?? '', m.peer?.interface ?? '') + '/1')}${el('lowest-accepted-packet-number', 0)}${sa('inbound')}</inbound-secure-channel>`
  );
}

export function macsecConnectionReply(ctx: RpcContext, only: string | undefined): RpcResult {
  const entries = macsecInterfaces(ctx, only).map((m) => connection(ctx, m));
  return { body: `<macsec-connection-information>${entries.join('')}</macsec-connection-information>` };
}

export const getMacsecConnectionInformation: RpcHandler = (ctx, op) => {
  refuseInputsExcept(op, []);
  return macsecConnectionReply(ctx, undefined);
};
