// The shared core of every certificate this package signs: CA, client/server leaf, signed CSR.
// Validates the request (names, SANs, serial, dates) before any key is touched.
import { isIP } from 'node:net';
import { CertificateRequestError } from './errors.js';
import { toCertificate } from './inspect.js';
import { keyTypeOfCryptoKey, signingAlgorithm } from './key-types.js';
import { webcrypto, x509, type CryptoKey } from './x509.js';
import type { Credential } from './credential.js';

export type Profile = 'client' | 'server';
export const DAY_MS = 86_400_000;

export interface ValidityOptions {
  validityDays?: number;
  notBefore?: Date;
  notAfter?: Date;
  now?: Date;
}

export function resolveValidity(opts: ValidityOptions, defaultDays: number, source: string): { notBefore: Date; notAfter: Date } {
  const now = opts.now ?? new Date();
  checkDate(now, 'now', source);
  const notBefore = opts.notBefore ?? now;
  checkDate(notBefore, 'notBefore', source);
  const days = opts.validityDays ?? defaultDays;
  if (!Number.isFinite(days) || days <= 0) {
    throw new CertificateRequestError(`${source}: validityDays must be a positive number, got ${String(days)}`, { source });
  }
  const notAfter = opts.notAfter ?? new Date(notBefore.getTime() + days * DAY_MS);
  checkDate(notAfter, 'notAfter', source);
  if (notAfter.getTime() <= notBefore.getTime()) {
    throw new CertificateRequestError(`${source}: notAfter (${notAfter.toISOString()}) must be after notBefore (${notBefore.toISOString()})`, { source });
  }
  // X.509 Time stops at 9999-12-31; whole seconds only.
  return { notBefore: wholeSeconds(notBefore), notAfter: wholeSeconds(notAfter) };
}

function wholeSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

function checkDate(d: unknown, name: string, source: string): void {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) {
    throw new CertificateRequestError(`${source}: ${name} must be a valid Date`, { source });
  }
}

/** Hex serial, normalised; random 16 bytes (positive, non-zero leading byte) by default. */
export function resolveSerial(serial: string | undefined, source: string): string {
  if (serial === undefined) {
    const bytes = webcrypto.getRandomValues(new Uint8Array(16));
    // Clear the sign bit (serials are positive) and set the next one so DER needs no padding.
    bytes[0] = (bytes[0]! & 0x7f) | 0x40;
    return Buffer.from(bytes).toString('hex');
  }
  const hex = serial.replace(/^0x/i, '').replace(/:/g, '').toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex) || /^0+$/.test(hex)) {
    throw new CertificateRequestError(`${source}: serial must be a non-zero hex string, got ${JSON.stringify(serial)}`, { source });
  }
  const trimmed = hex.replace(/^0+/, '');
  const even = trimmed.length % 2 ? `0${trimmed}` : trimmed;
  if (even.length > 40) throw new CertificateRequestError(`${source}: serial is longer than 20 bytes (RFC 5280 limit)`, { source });
  return even;
}

const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function buildSan(dnsNames: readonly string[] = [], ipAddresses: readonly string[] = [], source: string): x509.SubjectAlternativeNameExtension | undefined {
  for (const name of dnsNames) {
    if (typeof name !== 'string' || !DNS_NAME.test(name) || name.length > 253) {
      throw new CertificateRequestError(`${source}: invalid DNS name in dnsNames: ${JSON.stringify(name)}`, { source });
    }
  }
  for (const ip of ipAddresses) {
    if (typeof ip !== 'string' || isIP(ip) === 0) {
      throw new CertificateRequestError(`${source}: invalid IP address in ipAddresses: ${JSON.stringify(ip)}`, { source });
    }
  }
  if (dnsNames.length + ipAddresses.length === 0) return undefined;
  return new x509.SubjectAlternativeNameExtension([
    ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ]);
}

export function checkCommonName(commonName: unknown, source: string): string {
  if (typeof commonName !== 'string' || commonName.trim() === '' || commonName.length > 64) {
    throw new CertificateRequestError(`${source}: commonName must be a non-empty string of at most 64 characters, got ${JSON.stringify(commonName)}`, { source });
  }
  return commonName;
}

export function checkProfile(profile: unknown, source: string): Profile {
  if (profile !== 'client' && profile !== 'server') {
    throw new CertificateRequestError(`${source}: profile must be 'client' or 'server', got ${JSON.stringify(profile)}`, { source });
  }
  return profile;
}

export function subjectName(commonName: string): x509.Name {
  return new x509.Name([{ CN: [commonName] }]);
}

/** The issuer must be a CA holding its private key; its SKI becomes the leaf's AKI. */
export function checkIssuer(issuer: Credential | undefined, source: string): Credential {
  if (!issuer || !issuer.certificate || !issuer.keys?.privateKey) {
    throw new CertificateRequestError(`${source}: issuer must be a Credential with a private key (from createCa or loadCredential)`, { source });
  }
  const bc = toCertificate(issuer.certificate).getExtension(x509.BasicConstraintsExtension);
  if (!bc?.ca) {
    throw new CertificateRequestError(`${source}: issuer ${issuer.certificate.subject} is not a CA certificate (basicConstraints CA:true missing)`, { source });
  }
  return issuer;
}

async function authorityKeyId(issuer: x509.X509Certificate): Promise<x509.AuthorityKeyIdentifierExtension> {
  const ski = issuer.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski) return new x509.AuthorityKeyIdentifierExtension(ski.keyId);
  return x509.AuthorityKeyIdentifierExtension.create(issuer.publicKey, false, webcrypto);
}

export async function leafExtensions(profile: Profile, publicKeyIsRsa: boolean, issuer: x509.X509Certificate, publicKey: CryptoKey | x509.PublicKey, san: x509.Extension | undefined): Promise<x509.Extension[]> {
  const usage = x509.KeyUsageFlags.digitalSignature | (publicKeyIsRsa ? x509.KeyUsageFlags.keyEncipherment : 0);
  const eku = profile === 'client' ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth;
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(usage, true),
    new x509.ExtendedKeyUsageExtension([eku], false),
    ...(san ? [san] : []),
    await x509.SubjectKeyIdentifierExtension.create(publicKey, false, webcrypto),
    await authorityKeyId(issuer),
  ];
}

export async function caExtensions(pathLength: number, publicKey: CryptoKey, issuer: x509.X509Certificate | undefined): Promise<x509.Extension[]> {
  return [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(publicKey, false, webcrypto),
    ...(issuer ? [await authorityKeyId(issuer)] : []),
  ];
}

export async function sign(params: {
  subject: x509.Name;
  publicKey: CryptoKey | x509.PublicKey;
  issuer: { name: x509.Name; privateKey: CryptoKey };
  serial: string;
  notBefore: Date;
  notAfter: Date;
  extensions: x509.Extension[];
  source: string;
}): Promise<x509.X509Certificate> {
  const keyType = keyTypeOfCryptoKey(params.issuer.privateKey);
  if (!keyType) throw new CertificateRequestError(`${params.source}: issuer private key is of an unsupported type`, { source: params.source });
  return x509.X509CertificateGenerator.create(
    {
      serialNumber: params.serial,
      subject: params.subject,
      issuer: params.issuer.name,
      notBefore: params.notBefore,
      notAfter: params.notAfter,
      publicKey: params.publicKey,
      signingKey: params.issuer.privateKey,
      signingAlgorithm: signingAlgorithm(keyType),
      extensions: params.extensions,
    },
    webcrypto,
  );
}
