import { RpcError, rpcErrorMessage, type RpcErrorFields, type RpcErrorSeverity } from '../errors.js';
import { XmlError } from '../xml/errors.js';
import { asArray, childNames, isObject, textOf, type XmlObject } from '../xml/nodes.js';
import { ATTR_PREFIX, parseXml, parseXmlWith, TEXT_KEY, type XmlBuilder } from '../xml/parse.js';

export interface ParsedReply {
  /** message-id attribute of <rpc-reply>, when the server sent one. */
  messageId: string | undefined;
  /** <ok/> was present directly in the reply. */
  ok: boolean;
  /** Every <rpc-error> of severity error (wherever it sits: Junos nests them in load/commit results). */
  errors: RpcError[];
  /** Every <rpc-error> of severity warning. */
  warnings: RpcError[];
  /** The children of <rpc-reply> (attributes included) as parsed. */
  result: XmlObject;
}

const rpcError = (fields: RpcErrorFields): RpcError => new RpcError(rpcErrorMessage(fields), fields);

function toRpcError(node: unknown, junosStyle?: RpcErrorSeverity): RpcError {
  const e = isObject(node) ? node : {};
  if (junosStyle) {
    // Junos <xnm:error>/<xnm:warning>: message, edit-path, statement
    return rpcError({ severity: junosStyle, message: textOf(e['message']), path: textOf(e['edit-path']), badElement: textOf(e['statement']), info: e });
  }
  const sev = textOf(e['error-severity']);
  const info = isObject(e['error-info']) ? (e['error-info'] as XmlObject) : undefined;
  return rpcError({
    severity: sev === 'warning' ? 'warning' : 'error', // a missing/unknown severity is treated as the safe side
    type: textOf(e['error-type']),
    tag: textOf(e['error-tag']),
    appTag: textOf(e['error-app-tag']),
    path: textOf(e['error-path']),
    message: textOf(e['error-message']),
    badElement: textOf(info?.['bad-element']),
    info,
  });
}

const hasMessage = (v: unknown): boolean => isObject(v) && Object.hasOwn(v, 'message');

/** Every rpc-error and Junos error/warning below `node`. Walks the keys in place (no key arrays per object). */
function collect(node: unknown, out: RpcError[]): void {
  if (Array.isArray(node)) {
    for (const n of node) collect(n, out);
    return;
  }
  if (!isObject(node)) return;
  for (const key in node) {
    if (key === TEXT_KEY || key.startsWith(ATTR_PREFIX)) continue;
    const value = node[key];
    if (key === 'rpc-error') {
      for (const e of asArray(value)) out.push(toRpcError(e));
    } else if ((key === 'error' || key === 'warning') && (Array.isArray(value) ? value.some(hasMessage) : hasMessage(value))) {
      for (const e of asArray(value)) out.push(toRpcError(e, key));
    } else if (typeof value === 'object') {
      collect(value, out);
    }
  }
}

// `<rpc-reply attributes><ok/></rpc-reply>`: what lock, unlock, close-session and most standard
// operations answer. Read without the XML parser (a reply costs its set-up more than its bytes);
// so narrow that whatever matches is well-formed: unprefixed names, attribute values without
// markup, references or control characters, and XML's whitespace only ([ \t\r\n]: JavaScript's
// \s also takes a no-break space or a form feed, which XML does not). Anything else takes the parser.
const OK_REPLY = /^[ \t\r\n]*(?:<\?xml[^<>]*\?>[ \t\r\n]*)?<rpc-reply(?:[ \t\r\n]+[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?[ \t\r\n]*=[ \t\r\n]*(?:"[^"<&\x00-\x1f]*"|'[^'<&\x00-\x1f]*'))*[ \t\r\n]*>[ \t\r\n]*<ok[ \t\r\n]*\/>[ \t\r\n]*<\/rpc-reply>[ \t\r\n]*$/;
const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;

/** The parse of an <ok/>-only reply, as parseXml gives it; undefined for anything else. */
export function parseOkReply(raw: string): ParsedReply | undefined {
  if (raw.length > 4096 || !OK_REPLY.test(raw)) return undefined;
  // The attributes, read where they stand (their form is what OK_REPLY matched): no match arrays.
  const result: XmlObject = { ok: '' };
  const seen: string[] = [];
  let i = raw.indexOf('<rpc-reply') + 10; // the declaration, if any, holds no '<'
  for (;;) {
    while (isSpace(raw.charCodeAt(i))) i++;
    if (raw.charCodeAt(i) === 0x3e /* > */) break;
    const nameFrom = i;
    while (raw.charCodeAt(i) !== 0x3d /* = */ && !isSpace(raw.charCodeAt(i))) i++;
    const name = raw.slice(nameFrom, i);
    while (raw.charCodeAt(i) !== 0x22 && raw.charCodeAt(i) !== 0x27) i++; // past '=' and whitespace, to the quote
    const valueTo = raw.indexOf(raw[i]!, i + 1);
    const valueFrom = i + 1;
    i = valueTo + 1;
    if (seen.includes(name)) return undefined; // repeated: the parser's error to report
    seen.push(name);
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue; // namespace declarations are dropped
    const key = ATTR_PREFIX + name.slice(name.indexOf(':') + 1); // prefixes are removed
    if (Object.hasOwn(result, key)) return undefined; // two prefixes on one local name: ambiguous, leave it to the parser
    result[key] = raw.slice(valueFrom, valueTo);
  }
  const messageId = result['@_message-id'];
  return { messageId: typeof messageId === 'string' ? messageId : undefined, ok: true, errors: [], warnings: [], result };
}

/** Parse an <rpc-reply> (safely: DOCTYPE/entities refused) into its id, ok flag, errors and warnings. */
export function parseRpcReply(raw: string): ParsedReply {
  return parseOkReply(raw) ?? parseFullReply(raw);
}

/** parseRpcReply with the XML parser, whatever the reply. */
export function parseFullReply(raw: string): ParsedReply {
  const doc = parseXml(raw);
  const reply = doc['rpc-reply'];
  if (reply === undefined) {
    throw new XmlError(`expected <rpc-reply>, got <${childNames(doc)[0] ?? '(nothing)'}>`, { reason: 'malformed' });
  }
  // A reply with only text content (Junos JSON output) parses to a plain string.
  const result: XmlObject = isObject(reply) ? reply : typeof reply === 'string' && reply !== '' ? { '#text': reply } : {};
  const all: RpcError[] = [];
  collect(result, all);
  const messageId = result['@_message-id'];
  return {
    messageId: typeof messageId === 'string' ? messageId : undefined,
    ok: Object.hasOwn(result, 'ok'),
    errors: all.length === 0 ? all : all.filter((e) => e.severity === 'error'),
    warnings: all.length === 0 ? [] : all.filter((e) => e.severity === 'warning'),
    result,
  };
}

/** Notes the root element's name and whether it has a direct <ok/> child; builds nothing. */
class ReplyCheck implements XmlBuilder {
  root: string | undefined = undefined;
  ok = false;
  private depth = 0;
  open(name: string): void {
    if (this.depth === 0) this.root = name;
    else if (this.depth === 1 && name === 'ok') this.ok = true;
    this.depth++;
  }
  text(): void {}
  close(): void {
    this.depth--;
  }
}

/**
 * Reads a reply with parseXml's checks and refusals but builds no tree of it (RpcOptions
 * parseResult 'check'): throws as parseFullReply would on a malformed reply or one that is not an
 * <rpc-reply>; says whether <ok/> is a direct child. The caller has made sure it holds no error.
 */
export function checkReply(raw: string): { ok: boolean } {
  if (parseOkReply(raw)) return { ok: true };
  const check = new ReplyCheck();
  parseXmlWith(raw, check);
  if (check.root !== 'rpc-reply') throw new XmlError(`expected <rpc-reply>, got <${check.root ?? '(nothing)'}>`, { reason: 'malformed' });
  return { ok: check.ok };
}

/** Best-effort message-id from a reply that failed to parse, so the right RPC gets the error. */
export function sniffMessageId(raw: string): string | undefined {
  return /<(?:\w+:)?rpc-reply\b[^>]*?\bmessage-id\s*=\s*["']([^"']{1,64})["']/.exec(raw.slice(0, 4096))?.[1];
}
