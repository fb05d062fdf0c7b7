// Creating a CA and issuing client/server certificates with fresh keys, all in memory.
import {
  buildSan,
  caExtensions,
  checkCommonName,
  checkIssuer,
  checkProfile,
  leafExtensions,
  resolveSerial,
  resolveValidity,
  sign,
  subjectName,
  type Profile,
} from './build-certificate.js';
import { makeCredential, type Credential } from './credential.js';
import { CertificateRequestError } from './errors.js';
import { toCertificate } from './inspect.js';
import { assertKeyType, DEFAULT_KEY_TYPE, exportPrivateKeyPem, generateKeyPair, type KeyType } from './key-types.js';

export interface CreateCaOptions {
  commonName: string;
  /** Default 'ecdsa-p256'. */
  keyType?: KeyType;
  /** Default 3650. Ignored for the end when notAfter is given. */
  validityDays?: number;
  /** basicConstraints pathLenConstraint. Default 0: this CA signs leaves only. */
  pathLength?: number;
  notBefore?: Date;
  notAfter?: Date;
  /** Default: the current time. */
  now?: Date;
  /** Hex; default 16 random bytes. */
  serial?: string;
  /** Sign with this CA to make an intermediate; default self-signed root. */
  issuer?: Credential;
}

export async function createCa(opts: CreateCaOptions): Promise<Credential> {
  const source = `createCa(${JSON.stringify(opts?.commonName)})`;
  const commonName = checkCommonName(opts?.commonName, source);
  const keyType = assertKeyType(opts.keyType ?? DEFAULT_KEY_TYPE, source);
  const pathLength = opts.pathLength ?? 0;
  if (!Number.isInteger(pathLength) || pathLength < 0) {
    throw new CertificateRequestError(`${source}: pathLength must be a non-negative integer, got ${String(pathLength)}`, { source });
  }
  const parent = opts.issuer ? checkIssuer(opts.issuer, source) : undefined;
  const { notBefore, notAfter } = resolveValidity(opts, 3650, source);
  const serial = resolveSerial(opts.serial, source);
  const keys = await generateKeyPair(keyType);
  const subject = subjectName(commonName);
  const certificate = await sign({
    subject,
    publicKey: keys.publicKey,
    issuer: parent ? { name: toCertificate(parent.certificate).subjectName, privateKey: parent.keys.privateKey } : { name: subject, privateKey: keys.privateKey },
    serial,
    notBefore,
    notAfter,
    extensions: await caExtensions(pathLength, keys.publicKey, parent && toCertificate(parent.certificate)),
    source,
  });
  return makeCredential(certificate, keys, await exportPrivateKeyPem(keys.privateKey), keyType);
}

export interface IssueCertificateOptions {
  issuer: Credential;
  /** 'client' → EKU clientAuth; 'server' → EKU serverAuth. */
  profile: Profile;
  commonName: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  /** Default 'ecdsa-p256'. */
  keyType?: KeyType;
  /** Default 365. */
  validityDays?: number;
  notBefore?: Date;
  notAfter?: Date;
  serial?: string;
  now?: Date;
}

export async function issueCertificate(opts: IssueCertificateOptions): Promise<Credential> {
  const source = `issueCertificate(${JSON.stringify(opts?.commonName)})`;
  const commonName = checkCommonName(opts?.commonName, source);
  const profile = checkProfile(opts.profile, source);
  const issuer = checkIssuer(opts.issuer, source);
  const keyType = assertKeyType(opts.keyType ?? DEFAULT_KEY_TYPE, source);
  const san = buildSan(opts.dnsNames, opts.ipAddresses, source);
  const { notBefore, notAfter } = resolveValidity(opts, 365, source);
  const serial = resolveSerial(opts.serial, source);
  const keys = await generateKeyPair(keyType);
  const certificate = await sign({
    subject: subjectName(commonName),
    publicKey: keys.publicKey,
    issuer: { name: toCertificate(issuer.certificate).subjectName, privateKey: issuer.keys.privateKey },
    serial,
    notBefore,
    notAfter,
    extensions: await leafExtensions(profile, keyType.startsWith('rsa'), toCertificate(issuer.certificate), keys.publicKey, san),
    source,
  });
  return makeCredential(certificate, keys, await exportPrivateKeyPem(keys.privateKey), keyType);
}
