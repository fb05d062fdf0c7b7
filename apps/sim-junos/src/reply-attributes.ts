// The attributes of an <rpc> that come back on its <rpc-reply> (RFC 6241 §4.2: message-id and
// any others, as Junos does). The parser has already dropped namespace declarations and prefixes,
// so a name that is still not an NCName (`a:b:c`, or `:xmlns` that lost its empty prefix and
// reads `xmlns`) cannot be echoed as well-formed XML: `xmlns` would be a second one on
// <rpc-reply>. Such an RPC is refused as malformed-message, and its reply carries the other
// attributes, so the client can still match it by message-id.
import { escapeXmlAttribute } from '@qkd-macsec/junos-netconf/xml';
import { memoize } from './memo.js';
import type { RpcErrorInfo } from './rpc-error.js';

// XML 1.0 (5th edition) NameStartChar and NameChar, without ':' (a namespace NCName).
const START = 'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NCNAME = new RegExp(`^[${START}][${START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040]*$`, 'u');
/** Every RPC brings the same few names (message-id): each is tested once (bounded). */
const echoable = memoize(256, (name: string) => NCNAME.test(name) && name !== 'xmlns');
/** Longest attribute name quoted in an error. */
const MAX_SHOWN = 64;

export interface ReplyAttributes {
  /** ` name="value"` for every attribute that can be echoed. */
  xml: string;
  /** Why the RPC is refused, when an attribute cannot be echoed. */
  refused?: RpcErrorInfo;
}

export function replyAttributes(element: string, attributes: Record<string, string>): ReplyAttributes {
  let xml = '';
  let refused: RpcErrorInfo | undefined;
  for (const [name, value] of Object.entries(attributes)) {
    if (echoable(name)) {
      xml += ` ${name}="${escapeXmlAttribute(value)}"`;
      continue;
    }
    if (refused) continue;
    const shown = name.length > MAX_SHOWN ? `${name.slice(0, MAX_SHOWN)}…` : name;
    const why = name === 'xmlns' ? "written with a prefix (such as ':xmlns'), it would be a second xmlns on <rpc-reply>" : 'it is not a namespace-well-formed name';
    refused = { type: 'rpc', tag: 'malformed-message', message: `attribute '${shown}' of <${element}> cannot be echoed: ${why}` };
  }
  return refused ? { xml, refused } : { xml };
}
