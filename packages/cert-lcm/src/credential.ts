// A certificate together with its private key. The key is reachable through `keyPem` and
// `keys`, which are non-enumerable: printing, logging or JSON-serialising a Credential shows the
// subject, serial and expiry, never the key.
import { createPublicKey, X509Certificate as NodeX509 } from 'node:crypto';
import { inspect } from 'node:util';
import type { Certificate } from './certificate.js';
import { PrivateKeyError } from './errors.js';
import { importPrivateKeyPem, type KeyType } from './key-types.js';
import { readCertificates } from './pem.js';
import { x509, type CryptoKeyPair } from './x509.js';

export interface Credential {
  /** PEM "CERTIFICATE". */
  readonly certPem: string;
  /** PEM "PRIVATE KEY" (PKCS#8), usable as `key` by node:tls / https. Secret; non-enumerable. */
  readonly keyPem: string;
  /** An @peculiar/x509 X509Certificate at run time. */
  readonly certificate: Certificate;
  /** WebCrypto key pair (extractable). Secret; non-enumerable. */
  readonly keys: CryptoKeyPair;
  readonly keyType: KeyType;
  toString(): string;
  toJSON(): { subject: string; serial: string; notAfter: string };
}

export function makeCredential(certificate: x509.X509Certificate, keys: CryptoKeyPair, keyPem: string, keyType: KeyType): Credential {
  const describe = () => `Credential(${certificate.subject}, serial ${certificate.serialNumber})`;
  const credential = {
    certPem: certificate.toString('pem') + '\n',
    keyPem,
    certificate,
    keys,
    keyType,
    toString: describe,
    toJSON: () => ({ subject: certificate.subject, serial: certificate.serialNumber, notAfter: certificate.notAfter.toISOString() }),
  };
  return hideSecrets(credential, describe);
}

/**
 * Makes `keyPem` and `keys` non-enumerable (so JSON and spreading skip them), has util.inspect
 * print `describe()`, and freezes. Shared by Credential and CsrWithKey so both stay redacted alike.
 */
export function hideSecrets<T extends { keyPem: string; keys: CryptoKeyPair }>(value: T, describe: () => string): Readonly<T> {
  Object.defineProperty(value, 'keyPem', { enumerable: false });
  Object.defineProperty(value, 'keys', { enumerable: false });
  Object.defineProperty(value, inspect.custom, { value: describe, enumerable: false });
  return Object.freeze(value);
}

/** True when the certificate's public key is the public half of `keyPem`. */
export function certificateMatchesKey(certificate: Certificate, keyPem: string): boolean {
  const fromCert = new NodeX509(Buffer.from(certificate.rawData)).publicKey.export({ type: 'spki', format: 'der' });
  const fromKey = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  return fromCert.equals(fromKey);
}

/**
 * Builds a Credential from a certificate and its private key (PEM text or bytes). Checks that
 * the key belongs to the certificate. A certificate bundle (leaf followed by its chain, as
 * certificate files often hold) gives the leaf. `source` names where they came from.
 */
export async function loadCredential(input: {
  certPem: string | Uint8Array;
  keyPem: string | Uint8Array;
  source?: string;
}): Promise<Credential> {
  const source = input.source ?? 'credential';
  const certificate = readCertificates(input.certPem, `${source} (certificate)`)[0]!;
  const { keyType, keys, keyPem } = await importPrivateKeyPem(input.keyPem, `${source} (private key)`);
  if (!certificateMatchesKey(certificate, keyPem)) {
    throw new PrivateKeyError(`${source}: the private key does not belong to certificate ${certificate.subject} (serial ${certificate.serialNumber})`, { source, reason: 'mismatch' });
  }
  return makeCredential(certificate, keys, keyPem, keyType);
}
