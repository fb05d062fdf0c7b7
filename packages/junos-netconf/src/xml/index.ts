export { parseXml, parseXmlOrdered, parseXmlWith, type XmlElement, ATTR_PREFIX, TEXT_KEY, MAX_XML_DEPTH } from './parse.js';
export { escapeXmlText, escapeXmlAttribute } from './escape.js';
export { XmlError, type XmlErrorReason } from './errors.js';
export type { XmlBuilder } from './parse.js';
