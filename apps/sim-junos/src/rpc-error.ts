// NETCONF <rpc-error> as Junos sends it. Handlers throw RpcFailure; the session renders it.
import { escapeXmlText } from '@qkd-macsec/junos-netconf/xml';
import { el } from './xml.js';

export interface RpcErrorInfo {
  type?: 'transport' | 'rpc' | 'protocol' | 'application';
  tag?: string;
  severity?: 'error' | 'warning';
  /** `[edit …]` words, rendered as `[edit a b c]`. */
  path?: string[];
  message: string;
  badElement?: string;
  /** Extra <error-info> children, e.g. { 'session-id': '3' }. */
  info?: Record<string, string>;
}

export class RpcFailure extends Error {
  override name = 'RpcFailure';
  readonly errors: RpcErrorInfo[];
  constructor(errors: RpcErrorInfo | RpcErrorInfo[]) {
    const list = Array.isArray(errors) ? errors : [errors];
    super(list.map((e) => e.message).join('; '));
    this.errors = list;
  }
}

export function renderRpcError(e: RpcErrorInfo): string {
  const info = { ...(e.badElement !== undefined ? { 'bad-element': e.badElement } : {}), ...e.info };
  const infoXml = Object.keys(info).length
    ? `<error-info>${Object.entries(info).map(([k, v]) => el(k, v)).join('')}</error-info>`
    : '';
  return (
    '<rpc-error>' +
    el('error-type', e.type ?? 'protocol') +
    el('error-tag', e.tag ?? 'operation-failed') +
    el('error-severity', e.severity ?? 'error') +
    (e.path ? `<error-path>[edit${e.path.length ? ' ' : ''}${escapeXmlText(e.path.join(' '))}]</error-path>` : '') +
    el('error-message', e.message) +
    infoXml +
    '</rpc-error>'
  );
}
