// <load-configuration> (Junos) and <edit-config> (NETCONF) into the session's candidate. The load
// is atomic: on any error the candidate is left as it was.
import { ConfigSyntaxError, mergeTree, type ConfigNode } from '../config-tree.js';
import { applySetCommands, parseConfigText } from '../config-text.js';
import { jsonToTree } from '../config-json.js';
import { xmlToTree } from '../config-xml.js';
import { RpcFailure } from '../rpc-error.js';
import type { ConfigStore, EditCopy, SessionRef } from '../store.js';
import { child, parseXmlDocument, XmlInputError, type XmlElement } from '../xml.js';
import { warningsFrom, type RpcContext, type RpcHandler, type RpcResult } from './context.js';

export type Action = 'merge' | 'replace' | 'override' | 'update' | 'set';
const ACTIONS = new Set<Action>(['merge', 'replace', 'override', 'update', 'set']);

export function syntaxFailure(e: ConfigSyntaxError): RpcFailure {
  const base = e.message.replace(/ at \[edit.*$| \([^)]*\)$| on line \d+$/g, '');
  return new RpcFailure({
    path: e.editPath,
    message: base,
    ...(e.badElement !== undefined ? { badElement: e.badElement } : {}),
    ...(e.line !== undefined ? { info: { 'line-number': String(e.line) } } : {}),
  });
}

export function applyTree(tree: ConfigNode, incoming: ConfigNode, action: Action): string[] {
  if (action === 'override' || action === 'update') {
    tree.children = [];
  }
  return mergeTree(tree, incoming);
}

/** Applies `edit` to the session's candidate as a load (ConfigStore.load: checkSyntax refuses an
 *  error and the candidate is then left as it was). Every load RPC goes through here. `copy`:
 *  'root' for edits that copy what they change (applyTree), 'deep' for the others. */
export function loadInto(store: ConfigStore, session: SessionRef, edit: (tree: ConfigNode) => string[], copy: EditCopy = 'deep'): string[] {
  try {
    return store.load(session, edit, copy);
  } catch (e) {
    if (e instanceof ConfigSyntaxError) throw syntaxFailure(e);
    if (e instanceof XmlInputError) throw new RpcFailure({ tag: 'malformed-message', message: e.message });
    throw e;
  }
}

function fromUrl(ctx: RpcContext, url: string): string {
  const data = ctx.device.files.readFile(url.replace(/^file:\/\//, ''));
  if (!data) throw new RpcFailure({ message: `could not read ${url}: no such file`, badElement: url });
  return data.toString('utf8');
}

export const loadConfiguration: RpcHandler = (ctx, op) => {
  const rawAction = op.attributes['action'] ?? 'merge';
  if (!ACTIONS.has(rawAction as Action)) throw new RpcFailure({ tag: 'invalid-value', message: `unknown load action '${rawAction}'`, badElement: rawAction });
  const action = rawAction as Action;
  const format = op.attributes['format'] ?? (action === 'set' ? 'text' : 'xml');
  const rollback = op.attributes['rollback'];
  const url = op.attributes['url'];
  let warnings: string[];
  if (rollback !== undefined) {
    ctx.device.store.loadRollback(ctx.session, /^\d+$/.test(rollback) ? Number(rollback) : Number.NaN);
    warnings = [];
  } else if (action === 'set') {
    const text = url ? fromUrl(ctx, url) : child(op, 'configuration-set')?.text ?? child(op, 'configuration-text')?.text;
    if (text === undefined) throw new RpcFailure({ tag: 'missing-element', message: 'action="set" needs <configuration-set>', badElement: 'configuration-set' });
    warnings = loadInto(ctx.device.store, ctx.session, (tree) => applySetCommands(tree, text));
  } else if (format === 'text') {
    const text = url ? fromUrl(ctx, url) : child(op, 'configuration-text')?.text;
    if (text === undefined) throw new RpcFailure({ tag: 'missing-element', message: 'format="text" needs <configuration-text>', badElement: 'configuration-text' });
    warnings = loadInto(ctx.device.store, ctx.session, (tree) => applyTree(tree, parseConfigText(text), action), 'root');
  } else if (format === 'xml') {
    const conf: XmlElement | undefined = url ? parseXmlDocument(fromUrl(ctx, url)) : child(op, 'configuration');
    if (!conf || conf.name !== 'configuration') throw new RpcFailure({ tag: 'missing-element', message: 'format="xml" needs <configuration>', badElement: 'configuration' });
    warnings = loadInto(ctx.device.store, ctx.session, (tree) => applyTree(tree, xmlToTree(conf), action), 'root');
  } else if (format === 'json') {
    const text = url ? fromUrl(ctx, url) : child(op, 'configuration-json')?.text;
    if (text === undefined) throw new RpcFailure({ tag: 'missing-element', message: 'format="json" needs <configuration-json>', badElement: 'configuration-json' });
    warnings = loadInto(ctx.device.store, ctx.session, (tree) => applyTree(tree, jsonToTree(text), action), 'root');
  } else {
    throw new RpcFailure({ tag: 'invalid-value', message: `format '${format}' is not supported (xml, text, json; set via action="set")`, badElement: format });
  }
  const result: RpcResult = { body: '<load-configuration-results><load-success/></load-configuration-results>' };
  if (warnings.length) result.warnings = warningsFrom(warnings);
  return result;
};

export const editConfig: RpcHandler = (ctx, op) => {
  if (!child(child(op, 'target'), 'candidate')) throw new RpcFailure({ tag: 'invalid-value', message: 'edit-config supports only <target><candidate/></target>', badElement: 'target' });
  const defaultOp = child(op, 'default-operation')?.text.trim() ?? 'merge';
  if (defaultOp !== 'merge' && defaultOp !== 'replace' && defaultOp !== 'none')
    throw new RpcFailure({ tag: 'invalid-value', message: `unknown default-operation '${defaultOp}'`, badElement: defaultOp });
  const conf = child(child(op, 'config'), 'configuration');
  const text = child(child(op, 'config-text'), 'configuration-text')?.text;
  let warnings: string[];
  if (conf) warnings = loadInto(ctx.device.store, ctx.session, (tree) => applyTree(tree, xmlToTree(conf), defaultOp === 'replace' ? 'override' : 'merge'), 'root');
  else if (text !== undefined) warnings = loadInto(ctx.device.store, ctx.session, (tree) => applyTree(tree, parseConfigText(text), defaultOp === 'replace' ? 'override' : 'merge'), 'root');
  else throw new RpcFailure({ tag: 'missing-element', message: 'edit-config needs <config><configuration> or <config-text>', badElement: 'config' });
  return { body: '<ok/>', ...(warnings.length ? { warnings: warningsFrom(warnings) } : {}) };
};
