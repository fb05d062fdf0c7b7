// Reading what a certificate says: names, SANs, serial, fingerprints, validity, key, usages.
import { createHash, createPublicKey } from 'node:crypto';
import { describeKeyObject, keyTypeOfKeyObject, type KeyType } from './key-types.js';
import { readCertificate } from './pem.js';
import type { Certificate } from './certificate.js';
import { x509 } from './x509.js';

/** A certificate object, a Credential, or PEM/DER holding exactly one certificate. */
export type CertificateInput = Certificate | { certificate: Certificate } | string | Uint8Array;

/** The @peculiar/x509 object behind any CertificateInput (re-read from DER when it is not one). */
export function toCertificate(input: CertificateInput, source = 'certificate'): x509.X509Certificate {
  if (input instanceof x509.X509Certificate) return input;
  if (typeof input === 'object' && input !== null && 'certificate' in input) return toCertificate(input.certificate, source);
  if (typeof input === 'object' && input !== null && 'rawData' in input && input.rawData instanceof ArrayBuffer) {
    return readCertificate(new Uint8Array(input.rawData), source);
  }
  return readCertificate(input as string | Uint8Array, source);
}

const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

const KEY_USAGE_NAMES: [number, string][] = [
  [x509.KeyUsageFlags.digitalSignature, 'digitalSignature'],
  [x509.KeyUsageFlags.nonRepudiation, 'nonRepudiation'],
  [x509.KeyUsageFlags.keyEncipherment, 'keyEncipherment'],
  [x509.KeyUsageFlags.dataEncipherment, 'dataEncipherment'],
  [x509.KeyUsageFlags.keyAgreement, 'keyAgreement'],
  [x509.KeyUsageFlags.keyCertSign, 'keyCertSign'],
  [x509.KeyUsageFlags.cRLSign, 'cRLSign'],
  [x509.KeyUsageFlags.encipherOnly, 'encipherOnly'],
  [x509.KeyUsageFlags.decipherOnly, 'decipherOnly'],
];

export interface CertificateInfo {
  subject: string;
  issuer: string;
  commonName: string | undefined;
  issuerCommonName: string | undefined;
  /** Lower-case hex, as encoded (no sign padding). */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  dnsNames: string[];
  ipAddresses: string[];
  /** Upper-case colon-separated hex, the form `openssl x509 -fingerprint` and Junos print. */
  sha256Fingerprint: string;
  sha1Fingerprint: string;
  /** One of ours, or undefined for a key this package does not issue (see keyDescription). */
  keyType: KeyType | undefined;
  /** e.g. "rsa-1024", "ec-prime256v1", "ed25519". */
  keyDescription: string;
  isCa: boolean;
  pathLength: number | undefined;
  keyUsages: string[];
  /** "clientAuth", "serverAuth", … or the OID when unnamed. Empty when the extension is absent. */
  extendedKeyUsages: string[];
  subjectKeyId: string | undefined;
  authorityKeyId: string | undefined;
  selfIssued: boolean;
}

export function fingerprint(cert: Certificate, algorithm: 'sha256' | 'sha1' = 'sha256'): string {
  const hex = createHash(algorithm).update(new Uint8Array(cert.rawData)).digest('hex').toUpperCase();
  return hex.match(/../g)!.join(':');
}

function publicKeyObject(cert: x509.X509Certificate) {
  return createPublicKey({ key: Buffer.from(cert.publicKey.rawData), format: 'der', type: 'spki' });
}

export function describeCertificate(input: CertificateInput, source?: string): CertificateInfo {
  const cert = toCertificate(input, source);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = san?.names.items ?? [];
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  const key = publicKeyObject(cert);
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    commonName: cert.subjectName.getField('CN')[0],
    issuerCommonName: cert.issuerName.getField('CN')[0],
    serial: cert.serialNumber,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    dnsNames: names.filter((n) => n.type === 'dns').map((n) => n.value),
    ipAddresses: names.filter((n) => n.type === 'ip').map((n) => n.value),
    sha256Fingerprint: fingerprint(cert, 'sha256'),
    sha1Fingerprint: fingerprint(cert, 'sha1'),
    keyType: keyTypeOfKeyObject(key),
    keyDescription: describeKeyObject(key),
    isCa: bc?.ca ?? false,
    pathLength: bc?.pathLength,
    keyUsages: ku ? KEY_USAGE_NAMES.filter(([flag]) => (ku.usages & flag) !== 0).map(([, name]) => name) : [],
    extendedKeyUsages: eku ? eku.usages.map((u) => EKU_NAMES[String(u)] ?? String(u)) : [],
    subjectKeyId: cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
    authorityKeyId: cert.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId,
    selfIssued: Buffer.from(cert.subjectName.toArrayBuffer()).equals(Buffer.from(cert.issuerName.toArrayBuffer())),
  };
}
