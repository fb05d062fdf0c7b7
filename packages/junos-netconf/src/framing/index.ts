export { createFrameDecoder, DEFAULT_MAX_MESSAGE_BYTES, type FrameDecoder, type FrameDecoderOptions } from './decoder.js';
export { encodeMessage, EOM_DELIMITER, type Framing } from './encode.js';
export { Outbox } from './outbox.js';
export { FramingError, type FramingErrorReason } from './errors.js';
export { buildHello, parseHello, negotiateFraming, HelloError, BASE_1_0, BASE_1_1, NETCONF_NS, type Hello, type HelloErrorReason } from './hello.js';
export { parseXml, escapeXmlText, escapeXmlAttribute, XmlError, type XmlErrorReason } from '../xml/index.js';
