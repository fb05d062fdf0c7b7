// `@qkd-macsec/macsec-config/xml`: the workspace's one hardened XML reader and its escaping, for
// anything that reads XML a peer sent (junos-netconf reads every NETCONF reply with it) or writes
// values into XML. Pure: no I/O, no dependency.
export { parseXml, parseXmlOrdered, parseXmlWith, type XmlElement, ATTR_PREFIX, TEXT_KEY, MAX_XML_DEPTH } from './parse.js';
export { escapeXmlText, escapeXmlAttribute } from './escape.js';
export { XmlError, type XmlErrorReason } from './errors.js';
export type { XmlBuilder } from './reader.js';
