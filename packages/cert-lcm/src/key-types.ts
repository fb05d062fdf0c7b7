// Key types this package generates and accepts, and how each maps onto WebCrypto.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { PrivateKeyError, CertificateRequestError } from './errors.js';
import { webcrypto, type Algorithm, type CryptoKey, type CryptoKeyPair, type EcdsaParams, type EcKeyGenParams, type EcKeyImportParams, type RsaHashedImportParams, type RsaHashedKeyGenParams } from './x509.js';

export const KEY_TYPES = ['rsa-2048', 'rsa-3072', 'rsa-4096', 'ecdsa-p256', 'ecdsa-p384', 'ed25519'] as const;
export type KeyType = (typeof KEY_TYPES)[number];
export const DEFAULT_KEY_TYPE: KeyType = 'ecdsa-p256';

type WebAlgorithm = RsaHashedKeyGenParams | EcKeyGenParams | Algorithm;

function generationParams(keyType: KeyType): WebAlgorithm {
  switch (keyType) {
    case 'rsa-2048':
    case 'rsa-3072':
    case 'rsa-4096':
      return {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: Number(keyType.slice(4)),
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      };
    case 'ecdsa-p256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'ecdsa-p384':
      return { name: 'ECDSA', namedCurve: 'P-384' };
    case 'ed25519':
      return { name: 'Ed25519' };
  }
}

export function assertKeyType(value: unknown, source: string): KeyType {
  if (typeof value === 'string' && (KEY_TYPES as readonly string[]).includes(value)) return value as KeyType;
  throw new CertificateRequestError(`${source}: unknown key type ${JSON.stringify(value)} (expected one of ${KEY_TYPES.join(', ')})`, { source });
}

/** A fresh, extractable key pair (extractable so the private key can be written as PKCS#8). */
export async function generateKeyPair(keyType: KeyType): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(generationParams(keyType), true, ['sign', 'verify'])) as CryptoKeyPair;
}

/**
 * The signature algorithm a key of this type signs with. P-384 pairs with SHA-384 so the
 * signature is not weaker than the key; Ed25519 hashes internally.
 */
export function signingAlgorithm(keyType: KeyType): Algorithm | EcdsaParams | RsaHashedImportParams {
  switch (keyType) {
    case 'ecdsa-p384':
      return { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams;
    case 'ecdsa-p256':
      return { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams;
    case 'ed25519':
      return { name: 'Ed25519' };
    default:
      return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as RsaHashedImportParams;
  }
}

/** Key type of a Node KeyObject (public or private), or undefined when it is none of ours. */
export function keyTypeOfKeyObject(key: KeyObject): KeyType | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa': {
      const bits = details.modulusLength;
      return bits === 2048 || bits === 3072 || bits === 4096 ? (`rsa-${bits}` as KeyType) : undefined;
    }
    case 'ec':
      if (details.namedCurve === 'prime256v1') return 'ecdsa-p256';
      if (details.namedCurve === 'secp384r1') return 'ecdsa-p384';
      return undefined;
    case 'ed25519':
      return 'ed25519';
    default:
      return undefined;
  }
}

/** Human description of any public key, including ones we do not generate (for reports). */
export function describeKeyObject(key: KeyObject): string {
  const d = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return `${key.asymmetricKeyType}-${d.modulusLength ?? '?'}`;
    case 'ec':
      return `ec-${d.namedCurve ?? '?'}`;
    default:
      return key.asymmetricKeyType ?? 'unknown';
  }
}

function toPem(label: string, der: ArrayBuffer | Uint8Array): string {
  const b64 = Buffer.from(der as ArrayBuffer).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export async function exportPrivateKeyPem(privateKey: CryptoKey): Promise<string> {
  return toPem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', privateKey));
}

/**
 * Imports a PEM private key (PKCS#8 "PRIVATE KEY", or the traditional "RSA/EC PRIVATE KEY"
 * forms, which Node converts) into a WebCrypto key pair. `source` names the file or object in
 * errors; the key text itself never appears in an error.
 */
export async function importPrivateKeyPem(
  pem: string | Uint8Array,
  source: string,
): Promise<{ keyType: KeyType; keys: CryptoKeyPair; keyPem: string }> {
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey({ key: typeof pem === 'string' ? pem : Buffer.from(pem), format: 'pem' });
  } catch (cause) {
    const text = typeof pem === 'string' ? pem : Buffer.from(pem).toString('latin1');
    const hint = /-{5}BEGIN CERTIFICATE-{5}/.test(text)
      ? 'found a CERTIFICATE where a private key was expected'
      : /ENCRYPTED PRIVATE KEY/.test(text)
        ? 'the private key is encrypted (a passphrase-protected key is not supported; decrypt it first)'
        : /-{5}BEGIN [A-Z ]*PRIVATE KEY-{5}/.test(text)
          ? 'the private key PEM is damaged or truncated'
          : 'not a PEM private key (no PEM block labelled PRIVATE KEY)';
    throw new PrivateKeyError(`${source}: ${hint}`, { source, cause: redactCause(cause) });
  }
  const keyType = keyTypeOfKeyObject(keyObject);
  if (!keyType) {
    throw new PrivateKeyError(`${source}: unsupported private key type ${describeKeyObject(keyObject)} (expected one of ${KEY_TYPES.join(', ')})`, { source, reason: 'unsupported' });
  }
  const pkcs8 = keyObject.export({ type: 'pkcs8', format: 'der' });
  const spki = createPublicKey(keyObject).export({ type: 'spki', format: 'der' });
  const params = importParams(keyType);
  const privateKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, params, true, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('spki', spki, params, true, ['verify']);
  return { keyType, keys: { privateKey, publicKey }, keyPem: toPem('PRIVATE KEY', pkcs8) };
}

function importParams(keyType: KeyType): Algorithm | RsaHashedImportParams | EcKeyImportParams {
  const gen = generationParams(keyType) as Algorithm & { namedCurve?: string; hash?: string };
  if (gen.name === 'RSASSA-PKCS1-v1_5') return { name: gen.name, hash: 'SHA-256' } as RsaHashedImportParams;
  if (gen.name === 'ECDSA') return { name: 'ECDSA', namedCurve: gen.namedCurve } as EcKeyImportParams;
  return { name: gen.name };
}

/** OpenSSL decoder errors carry no key bytes, but keep only their message to be certain. */
function redactCause(cause: unknown): Error {
  return new Error(cause instanceof Error ? cause.message : 'key decoding failed');
}

/** Key type of a WebCrypto public or private key. */
export function keyTypeOfCryptoKey(key: CryptoKey): KeyType | undefined {
  const alg = key.algorithm as Algorithm & { modulusLength?: number; namedCurve?: string };
  if (alg.name === 'Ed25519') return 'ed25519';
  if (alg.name === 'ECDSA') return alg.namedCurve === 'P-256' ? 'ecdsa-p256' : alg.namedCurve === 'P-384' ? 'ecdsa-p384' : undefined;
  if (alg.name === 'RSASSA-PKCS1-v1_5' || alg.name === 'RSA-PSS') {
    const bits = alg.modulusLength;
    return bits === 2048 || bits === 3072 || bits === 4096 ? (`rsa-${bits}` as KeyType) : undefined;
  }
  return undefined;
}
