// Certificate signing requests: for SAEs whose CA is run by someone else (the KME vendor or the
// operator's PKI) the SAE makes a key pair and a CSR, and the CA returns a certificate. Also the
// other side: a local CA signing a CSR.
import { createPublicKey } from 'node:crypto';
import {
  buildSan,
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
import { hideSecrets, type Credential } from './credential.js';
import { CsrError } from './errors.js';
import type { Certificate, CertificateRequest } from './certificate.js';
import { toCertificate } from './inspect.js';
import { assertKeyType, DEFAULT_KEY_TYPE, describeKeyObject, exportPrivateKeyPem, generateKeyPair, keyTypeOfKeyObject, signingAlgorithm, type KeyType } from './key-types.js';
import { readPemBlocks } from './pem.js';
import { webcrypto, x509, type CryptoKeyPair } from './x509.js';

const SAN_OID = '2.5.29.17';

export interface CreateCsrOptions {
  commonName: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  /** Default 'ecdsa-p256'. */
  keyType?: KeyType;
}

/** A CSR and the new private key behind it. Like Credential, it never shows the key when printed. */
export interface CsrWithKey {
  readonly csrPem: string;
  /** An @peculiar/x509 Pkcs10CertificateRequest at run time. */
  readonly csr: CertificateRequest;
  /** PEM "PRIVATE KEY" (PKCS#8). Secret; non-enumerable. */
  readonly keyPem: string;
  /** Secret; non-enumerable. */
  readonly keys: CryptoKeyPair;
  readonly keyType: KeyType;
  toString(): string;
  toJSON(): { subject: string; keyType: KeyType };
}

export async function createCsr(opts: CreateCsrOptions): Promise<CsrWithKey> {
  const source = `createCsr(${JSON.stringify(opts?.commonName)})`;
  const commonName = checkCommonName(opts?.commonName, source);
  const keyType = assertKeyType(opts.keyType ?? DEFAULT_KEY_TYPE, source);
  const san = buildSan(opts.dnsNames, opts.ipAddresses, source);
  const keys = await generateKeyPair(keyType);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    { name: subjectName(commonName), keys, signingAlgorithm: signingAlgorithm(keyType), extensions: san ? [san] : [] },
    webcrypto,
  );
  const keyPem = await exportPrivateKeyPem(keys.privateKey);
  const describe = () => `CertificateSigningRequest(${csr.subject}, ${keyType})`;
  const result = {
    csrPem: csr.toString('pem') + '\n',
    csr,
    keyPem,
    keys,
    keyType,
    toString: describe,
    toJSON: () => ({ subject: csr.subject, keyType }),
  };
  return hideSecrets(result, describe);
}

/** A PEM or DER CSR as the @peculiar/x509 object, for this package's own use (parseCsr is the public form). */
function readCsr(input: string | Uint8Array, source = 'CSR input'): x509.Pkcs10CertificateRequest {
  let der: Uint8Array;
  if (typeof input !== 'string' && input[0] === 0x30) {
    der = input;
  } else {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
    const blocks = readPemBlocks(text, source);
    if (blocks.length === 0) throw new CsrError(`${source}: no PEM "-----BEGIN CERTIFICATE REQUEST-----" block and not DER`, { source, problems: ['no PEM "-----BEGIN CERTIFICATE REQUEST-----" block and not DER'] });
    if (blocks.length > 1) throw new CsrError(`${source}: expected one CSR, found ${blocks.length} PEM blocks`, { source, problems: [`expected one CSR, found ${blocks.length} PEM blocks`] });
    const block = blocks[0]!;
    if (block.label !== 'CERTIFICATE REQUEST' && block.label !== 'NEW CERTIFICATE REQUEST') {
      throw new CsrError(`${source}: PEM block is a ${block.label}, expected a CERTIFICATE REQUEST`, { source, problems: [`PEM block is a ${block.label}, expected a CERTIFICATE REQUEST`] });
    }
    der = block.der;
  }
  try {
    return new x509.Pkcs10CertificateRequest(der);
  } catch (cause) {
    throw new CsrError(`${source}: not a valid PKCS#10 certificate request (${cause instanceof Error ? cause.message : 'ASN.1 decoding failed'})`, { source, problems: [`not a valid PKCS#10 certificate request (${cause instanceof Error ? cause.message : 'ASN.1 decoding failed'})`], cause });
  }
}

/** Parses a PEM ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST") or DER CSR. */
export function parseCsr(input: string | Uint8Array, source?: string): CertificateRequest {
  return readCsr(input, source);
}

export interface SignCsrOptions {
  issuer: Credential;
  csrPem: string | Uint8Array;
  profile: Profile;
  /** Default 365. */
  validityDays?: number;
  notBefore?: Date;
  notAfter?: Date;
  serial?: string;
  now?: Date;
  /** Refuse a CSR whose CN differs. */
  expectedCommonName?: string;
  /** Replace the SANs requested in the CSR (the CA decides); default: copy the CSR's SANs. */
  dnsNames?: string[];
  ipAddresses?: string[];
}

export interface SignedCertificate {
  certPem: string;
  certificate: Certificate;
}

/**
 * Signs a CSR with a local CA after checking its self-signature (proof that the requester holds
 * the key), its subject CN and its key type. The CA picks the profile; any key usages the CSR
 * asks for are ignored. SANs are copied from the CSR unless given.
 */
export async function signCsr(opts: SignCsrOptions): Promise<SignedCertificate> {
  const csr = readCsr(opts.csrPem, 'signCsr: CSR');
  const source = `CSR ${csr.subject || '(empty subject)'}`;
  const profile = checkProfile(opts.profile, source);
  const issuer = checkIssuer(opts.issuer, source);
  const problems: string[] = [];
  if (!(await csr.verify(webcrypto).catch(() => false))) problems.push('the CSR signature does not verify (not signed by its own key)');
  const cn = csr.subjectName.getField('CN')[0];
  if (!cn) problems.push('the CSR subject has no CN');
  else checkCommonName(cn, source);
  if (opts.expectedCommonName !== undefined && cn !== opts.expectedCommonName) {
    problems.push(`the CSR CN is ${JSON.stringify(cn)}, expected ${JSON.stringify(opts.expectedCommonName)}`);
  }
  const keyObject = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
  const keyType = keyTypeOfKeyObject(keyObject);
  if (!keyType) problems.push(`unsupported or weak key ${describeKeyObject(keyObject)}`);
  if (problems.length) throw new CsrError(`${source}: ${problems.join('; ')}`, { source, problems });

  let san: x509.Extension | undefined;
  if (opts.dnsNames || opts.ipAddresses) {
    san = buildSan(opts.dnsNames, opts.ipAddresses, source);
  } else {
    const requested = csr.extensions.find((e) => e.type === SAN_OID);
    if (requested) {
      const names = new x509.SubjectAlternativeNameExtension(requested.rawData).names.items;
      const unsupported = names.filter((n) => n.type !== 'dns' && n.type !== 'ip');
      if (unsupported.length) throw new CsrError(`${source}: the CSR asks for SAN types this CA does not issue: ${unsupported.map((n) => n.type).join(', ')}`, { source, problems: [`the CSR asks for SAN types this CA does not issue: ${unsupported.map((n) => n.type).join(', ')}`] });
      san = buildSan(names.filter((n) => n.type === 'dns').map((n) => n.value), names.filter((n) => n.type === 'ip').map((n) => n.value), source);
    }
  }
  const { notBefore, notAfter } = resolveValidity(opts, 365, source);
  const certificate = await sign({
    subject: subjectName(cn!),
    publicKey: csr.publicKey,
    issuer: { name: toCertificate(issuer.certificate).subjectName, privateKey: issuer.keys.privateKey },
    serial: resolveSerial(opts.serial, source),
    notBefore,
    notAfter,
    extensions: await leafExtensions(profile, keyType!.startsWith('rsa'), toCertificate(issuer.certificate), csr.publicKey, san),
    source,
  });
  return { certPem: certificate.toString('pem') + '\n', certificate };
}
