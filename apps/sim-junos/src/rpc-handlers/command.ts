// <command>CLI text</command>: the operational commands sim-junos knows, mapped onto their RPCs.
// Junos answers in XML unless format="text" asks for the CLI output.
import { escapeXmlText } from '@qkd-macsec/junos-netconf/xml';
import { applySetWords, emptyTree, filterTree } from '../config-tree.js';
import { renderConfigText } from '../config-text.js';
import { treeToXml } from '../config-xml.js';
import { RpcFailure } from '../rpc-error.js';
import type { XmlElement } from '../xml.js';
import type { RpcContext, RpcHandler, RpcResult } from './context.js';
import { getChassisInventory } from './get-chassis-inventory.js';
import { getCommitInformation } from './get-commit-information.js';
import { getMacsecConnectionInformation } from './get-macsec-connection-information.js';
import { getMkaSessionInformation } from './get-mka-session-information.js';
import { getSoftwareInformation, softwareText } from './get-software-information.js';
import { macsecInterfaces, mkaState } from './mka.js';

const op = (name: string, iface?: string): XmlElement => ({
  name,
  attributes: {},
  text: '',
  children: iface ? [{ name: 'interface-name', attributes: {}, children: [], text: iface }] : [],
});

function showConfiguration(ctx: RpcContext, words: string[], text: boolean): RpcResult {
  let tree = ctx.device.store.committed();
  if (words.length) {
    const filter = emptyTree();
    applySetWords(words, { node: filter });
    tree = filterTree(tree, filter);
  }
  return { body: text ? `<output>${escapeXmlText(renderConfigText(tree))}</output>` : treeToXml(tree) };
}

function mkaText(ctx: RpcContext, iface?: string): string {
  return macsecInterfaces(ctx, iface)
    .map((m) => `Interface name: ${m.interface}\n  Interface State: ${mkaState(m)}\n  CAK name: ${m.ckn ?? '(none)'}\n  CAK type: ${m.onFallback ? 'fallback' : 'primary'}\n`)
    .join('\n');
}

export const command: RpcHandler = async (ctx, el) => {
  const raw = el.text.trim().replace(/\s*\|\s*(display xml|no-more)\s*$/g, '');
  const words = raw.split(/\s+/).filter(Boolean);
  const line = words.join(' ');
  const text = el.attributes['format'] === 'text' || el.attributes['format'] === 'ascii';
  const iface = words[3] === 'interface' ? words[4] : undefined;
  const asText = async (r: RpcResult | Promise<RpcResult>, render: () => string): Promise<RpcResult> => (text ? { body: `<output>${escapeXmlText(render())}</output>` } : r);
  if (line === 'show version') return asText(getSoftwareInformation(ctx, op('get-software-information')), () => softwareText(ctx));
  if (line === 'show chassis hardware') return asText(getChassisInventory(ctx, op('get-chassis-inventory')), () => `Chassis ${ctx.device.serialNumber} ${ctx.device.model}\n`);
  if (line.startsWith('show security mka sessions')) return asText(getMkaSessionInformation(ctx, op('get-mka-session-information', iface)), () => mkaText(ctx, iface));
  if (line.startsWith('show security macsec connections'))
    return asText(getMacsecConnectionInformation(ctx, op('get-macsec-connection-information', iface)), () => mkaText(ctx, iface));
  if (line === 'show system commit') return asText(getCommitInformation(ctx, op('get-commit-information')), () => ctx.device.store.history.map((r, i) => `${i}   ${new Date(r.time).toISOString()} by ${r.user}\n`).join(''));
  if (words[0] === 'show' && words[1] === 'configuration') return showConfiguration(ctx, words.slice(2), text);
  throw new RpcFailure({ type: 'rpc', message: `syntax error, expecting <command>: ${line || '(empty)'}`, badElement: words[0] ?? 'command' });
};
