import { NetconfError, type NetconfErrorContext } from '../errors.js';
import { escapeXmlText } from '../xml/escape.js';
import { asArray, childNames, childObject, isObject } from '../xml/nodes.js';
import { intern } from '../own-string.js';
import { parseXml } from '../xml/parse.js';
import type { Framing } from './encode.js';

export const BASE_1_0 = 'urn:ietf:params:netconf:base:1.0';
export const BASE_1_1 = 'urn:ietf:params:netconf:base:1.1';
/** XML namespace of NETCONF base elements (hello, rpc, rpc-reply). */
export const NETCONF_NS = 'urn:ietf:params:xml:ns:netconf:base:1.0';

export type HelloErrorReason = 'not-a-hello' | 'no-capabilities' | 'bad-session-id' | 'no-common-base';

/** A hello message that cannot start a session. */
export class HelloError extends NetconfError {
  override readonly name: string = 'HelloError';
  readonly reason: HelloErrorReason;
  constructor(message: string, context: NetconfErrorContext & { reason: HelloErrorReason }) {
    super(message, context);
    this.reason = context.reason;
  }
}

export interface Hello {
  capabilities: string[];
  /** Present in a server's hello, absent in a client's. */
  sessionId?: number;
}

/** Build a `<hello>`; a server passes its session id, a client does not. */
export function buildHello(capabilities: string[], sessionId?: number): string {
  if (capabilities.length === 0) throw new HelloError('a hello needs at least one capability', { reason: 'no-capabilities' });
  if (sessionId !== undefined && !isSessionId(sessionId)) {
    throw new HelloError(`session-id must be an integer 1..4294967295, got ${sessionId}`, { reason: 'bad-session-id' });
  }
  const caps = capabilities.map((c) => `<capability>${escapeXmlText(c)}</capability>`).join('');
  const sid = sessionId === undefined ? '' : `<session-id>${sessionId}</session-id>`;
  return `<?xml version="1.0" encoding="UTF-8"?><hello xmlns="${NETCONF_NS}"><capabilities>${caps}</capabilities>${sid}</hello>`;
}

function isSessionId(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 4294967295;
}

// A fleet's devices announce the same capability URIs (a Junos hello carries tens, with YANG
// modules hundreds): each kept session holding its own copies, sliced out of its hello text, cost
// per-session memory for nothing. They are interned (own-string.ts).
/** Parse a peer's hello (through the safe XML parse: DOCTYPE and entities are refused). */
export function parseHello(xml: string): Hello {
  const doc = parseXml(xml);
  const h = doc['hello'];
  if (!isObject(h)) throw new HelloError(`expected a <hello> message, got <${childNames(doc)[0] ?? '(nothing)'}>`, { reason: 'not-a-hello' });
  const capabilities = asArray(childObject(h, 'capabilities')?.['capability'])
    .map((c) => (typeof c === 'string' ? c.trim() : ''))
    .filter((c) => c !== '')
    .map(intern);
  if (capabilities.length === 0) throw new HelloError('hello has no <capability> elements', { reason: 'no-capabilities' });
  const result: Hello = { capabilities };
  const sid = h['session-id'];
  if (sid !== undefined) {
    const n = typeof sid === 'string' && /^[1-9][0-9]{0,9}$/.test(sid.trim()) ? Number(sid.trim()) : Number.NaN;
    if (!isSessionId(n)) throw new HelloError(`hello has an invalid <session-id> ${JSON.stringify(sid)}`, { reason: 'bad-session-id' });
    result.sessionId = n;
  }
  return result;
}

/** RFC 6242: chunked framing iff both sides advertise base:1.1; base:1.0 otherwise. */
export function negotiateFraming(ours: string[], theirs: string[]): Framing {
  if (ours.includes(BASE_1_1) && theirs.includes(BASE_1_1)) return 'chunked';
  if (ours.includes(BASE_1_0) && theirs.includes(BASE_1_0)) return 'eom';
  throw new HelloError(`no common NETCONF base capability (ours: ${baseOf(ours)}; theirs: ${baseOf(theirs)})`, { reason: 'no-common-base' });
}

function baseOf(caps: string[]): string {
  const bases = caps.filter((c) => c === BASE_1_0 || c === BASE_1_1);
  return bases.length ? bases.join(', ') : 'none';
}
