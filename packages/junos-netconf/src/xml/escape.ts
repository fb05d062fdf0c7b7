// One escaping for the workspace: macsec-config's.
export { escapeXmlAttribute, escapeXmlText } from '@qkd-macsec/macsec-config/xml';
