// <get-configuration> (Junos) and <get-config> (NETCONF): candidate or committed, as XML, text or
// set commands, optionally filtered by a subtree, or a `compare="rollback"` diff.
import { escapeXmlAttribute, escapeXmlText } from '@qkd-macsec/junos-netconf/xml';
import { ConfigSyntaxError, filterTree, type ConfigNode } from '../config-tree.js';
import { renderCompare, renderConfigSet, renderConfigText } from '../config-text.js';
import { treeToJson } from '../config-json.js';
import { treeToXml, xmlToTree } from '../config-xml.js';
import { RpcFailure } from '../rpc-error.js';
import { child, type XmlElement } from '../xml.js';
import { junosTime, type RpcContext, type RpcHandler } from './context.js';
import { syntaxFailure } from './load-configuration.js';

/** A subtree filter's `<configuration>` as a tree of selectors. */
export function filterSelector(filter: XmlElement): ConfigNode {
  try {
    return xmlToTree(filter, { filter: true });
  } catch (e) {
    // A filter is configuration XML too (`<security>text</security>`): its syntax errors are
    // answered like a load's, with the path and the bad element.
    if (e instanceof ConfigSyntaxError) throw syntaxFailure(e);
    throw e;
  }
}

function select(tree: ConfigNode, filter: XmlElement | undefined): ConfigNode {
  if (!filter || filter.children.length === 0) return tree;
  return filterTree(tree, filterSelector(filter));
}

function source(ctx: RpcContext, database: string | undefined): ConfigNode {
  if (database === undefined || database === 'candidate') return ctx.device.store.candidate(ctx.session);
  if (database === 'committed') return ctx.device.store.committed();
  throw new RpcFailure({ tag: 'invalid-value', message: `unknown database '${database}'`, badElement: database });
}

/** The candidate's `junos:changed-*` attributes: one second's text, made once. */
let changed = { second: Number.NaN, attrs: '' };
function changedAttrs(now: number): string {
  const second = Math.floor(now / 1000);
  if (changed.second !== second) changed = { second, attrs: ` junos:changed-seconds="${second}" junos:changed-localtime="${junosTime(now)}"` };
  return changed.attrs;
}

export const getConfiguration: RpcHandler = (ctx, op) => {
  const tree = source(ctx, op.attributes['database']);
  if (op.attributes['compare'] !== undefined) {
    if (op.attributes['compare'] !== 'rollback') throw new RpcFailure({ tag: 'invalid-value', message: `unknown compare '${op.attributes['compare']}'`, badElement: op.attributes['compare'] });
    const n = Number(op.attributes['rollback'] ?? '0');
    const from = ctx.device.store.history[n];
    if (!Number.isInteger(n) || !from) throw new RpcFailure({ tag: 'invalid-value', message: `rollback ${op.attributes['rollback']} is not available`, badElement: String(op.attributes['rollback']) });
    const diff = renderCompare(select(from.tree, child(op, 'configuration')), select(tree, child(op, 'configuration')));
    return { body: `<configuration-information><configuration-output>${escapeXmlText(diff)}</configuration-output></configuration-information>` };
  }
  const selected = select(tree, child(op, 'configuration'));
  const format = op.attributes['format'] ?? 'xml';
  switch (format) {
    case 'xml': {
      const head = ctx.device.store.history[0]!;
      const attrs =
        op.attributes['database'] === 'committed'
          ? ` junos:commit-seconds="${Math.floor(head.time / 1000)}" junos:commit-localtime="${junosTime(head.time)}" junos:commit-user="${escapeXmlAttribute(head.user)}"`
          : changedAttrs(ctx.clock.now());
      return { body: treeToXml(selected, attrs) };
    }
    case 'text':
      return { body: `<configuration-text>${escapeXmlText(renderConfigText(selected))}</configuration-text>` };
    case 'set':
      return { body: `<configuration-set>${escapeXmlText(renderConfigSet(selected))}</configuration-set>` };
    case 'json': // Junos puts the JSON document straight into <rpc-reply>
      return { body: escapeXmlText(treeToJson(selected)) };
    default:
      throw new RpcFailure({ tag: 'invalid-value', message: `format '${format}' is not supported (xml, text, set, json)`, badElement: format });
  }
};

export const getConfig: RpcHandler = (ctx, op) => {
  const src = child(op, 'source');
  const db = child(src, 'running') ? 'committed' : child(src, 'candidate') ? 'candidate' : undefined;
  if (!db) throw new RpcFailure({ tag: 'missing-element', message: 'get-config needs <source><running/> or <candidate/>', badElement: 'source' });
  const filter = child(op, 'filter');
  const tree = select(source(ctx, db), child(filter, 'configuration'));
  return { body: `<data>${treeToXml(tree)}</data>` };
};
