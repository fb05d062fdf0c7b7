// Parsing certificates from PEM (one or many blocks, with or without surrounding text) and
// DER. Every failure names the source and the block, and says what was found instead; it never
// echoes the input (which might be a private key handed over by mistake).
import { CertificateError } from './errors.js';
import type { Certificate } from './certificate.js';
import { x509 } from './x509.js';

const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);

export interface PemBlock {
  label: string;
  der: Uint8Array;
  /** 1-based position of the block in its input, for error messages. */
  index: number;
}

function isDer(bytes: Uint8Array): boolean {
  // A DER certificate is a SEQUENCE (0x30) with a long-form length; PEM text starts with text.
  return bytes.length > 0 && bytes[0] === 0x30;
}

/** Splits PEM text into blocks. Throws on BEGIN without END, mismatched labels, bad Base64. */
export function readPemBlocks(text: string, source: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  const begin = /-----BEGIN ([A-Z0-9 ]+)-----/g;
  let match: RegExpExecArray | null;
  let index = 0;
  while ((match = begin.exec(text)) !== null) {
    index += 1;
    const label = match[1] ?? '';
    const endMarker = `-----END ${label}-----`;
    const bodyStart = match.index + match[0].length;
    const end = text.indexOf(endMarker, bodyStart);
    const nextBegin = text.indexOf('-----BEGIN ', bodyStart);
    if (end < 0 || (nextBegin >= 0 && nextBegin < end)) {
      throw new CertificateError(`${source}: PEM block ${index} (${label}) is truncated: no "${endMarker}" line`, { source, problems: [`PEM block ${index} (${label}) is truncated: no "${endMarker}" line`] });
    }
    const body = text.slice(bodyStart, end).replace(/\s+/g, '');
    // Encapsulated headers (RFC 1421 "Proc-Type:") only occur in encrypted legacy keys.
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) {
      throw new CertificateError(`${source}: PEM block ${index} (${label}) has a damaged Base64 body`, { source, problems: [`PEM block ${index} (${label}) has a damaged Base64 body`] });
    }
    blocks.push({ label, der: new Uint8Array(Buffer.from(body, 'base64')), index });
    begin.lastIndex = end + endMarker.length;
  }
  return blocks;
}

function decodeDer(der: Uint8Array, source: string, what: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(der);
  } catch (cause) {
    throw new CertificateError(`${source}: ${what} is not a valid X.509 certificate (${cause instanceof Error ? cause.message : 'ASN.1 decoding failed'})`, { source, problems: [`${what} is not a valid X.509 certificate (${cause instanceof Error ? cause.message : 'ASN.1 decoding failed'})`], cause });
  }
}

/**
 * All certificates in `input` as @peculiar/x509 objects, for this package's own use; the public
 * parseCertificates gives them as Certificate. PEM text (a bundle of any number of CERTIFICATE blocks, other
 * text between blocks ignored) or DER bytes (one certificate). Throws CertificateError when the
 * input holds no certificate, a block is damaged, or a block is not a certificate (e.g. a key).
 */
export function readCertificates(input: string | Uint8Array | ArrayBuffer, source = 'certificate input'): x509.X509Certificate[] {
  const bytes = typeof input === 'string' ? undefined : new Uint8Array(input instanceof ArrayBuffer ? input : input.buffer.slice(input.byteOffset, input.byteOffset + input.byteLength));
  if (bytes && isDer(bytes)) return [decodeDer(bytes, source, 'DER input')];
  const text = typeof input === 'string' ? input : Buffer.from(bytes ?? new Uint8Array()).toString('latin1');
  if (text.trim() === '') throw new CertificateError(`${source}: empty input: no certificate found`, { source, problems: ['empty input: no certificate found'] });
  const blocks = readPemBlocks(text, source);
  if (blocks.length === 0) {
    throw new CertificateError(`${source}: no PEM "-----BEGIN CERTIFICATE-----" block and not DER: no certificate found`, { source, problems: ['no PEM "-----BEGIN CERTIFICATE-----" block and not DER: no certificate found'] });
  }
  return blocks.map((block) => {
    if (!CERT_LABELS.has(block.label)) {
      throw new CertificateError(`${source}: PEM block ${block.index} is a ${block.label}, expected a CERTIFICATE`, { source, problems: [`PEM block ${block.index} is a ${block.label}, expected a CERTIFICATE`] });
    }
    return decodeDer(block.der, source, `PEM block ${block.index}`);
  });
}

/** readCertificates for exactly one certificate; a bundle with more is an error. */
export function readCertificate(input: string | Uint8Array | ArrayBuffer, source = 'certificate input'): x509.X509Certificate {
  const certs = readCertificates(input, source);
  if (certs.length !== 1) {
    throw new CertificateError(`${source}: expected one certificate, found ${certs.length}`, { source, problems: [`expected one certificate, found ${certs.length}`] });
  }
  return certs[0]!;
}

/**
 * All certificates in `input`: PEM text (a bundle of any number of CERTIFICATE blocks, other
 * text between blocks ignored) or DER bytes (one certificate). Throws CertificateError when the
 * input holds no certificate, a block is damaged, or a block is not a certificate (e.g. a key).
 */
export function parseCertificates(input: string | Uint8Array | ArrayBuffer, source?: string): Certificate[] {
  return readCertificates(input, source);
}

/** Exactly one certificate; a bundle with more is an error (use parseCertificates for bundles). */
export function parseCertificate(input: string | Uint8Array | ArrayBuffer, source?: string): Certificate {
  return readCertificate(input, source);
}

/** PEM text of one or more certificates. */
export function toPem(certs: Certificate | readonly Certificate[]): string {
  const list: readonly Certificate[] = Array.isArray(certs) ? certs : [certs as Certificate];
  return list.map((c) => c.toString('pem') + '\n').join('');
}

/** DER bytes of a certificate. */
export function toDer(cert: Certificate): Uint8Array {
  return new Uint8Array(cert.rawData);
}
