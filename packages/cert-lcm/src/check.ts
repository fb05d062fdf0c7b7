// Verifying certificates: chain up to a trusted CA, remaining validity, and a one-pass report of
// everything wrong with a certificate for its intended use. The clock is always a parameter.
import { X509Certificate as NodeX509 } from 'node:crypto';
import { isIP } from 'node:net';
import { DAY_MS, type Profile } from './build-certificate.js';
import { CertificateError } from './errors.js';
import { describeCertificate, toCertificate, type CertificateInput } from './inspect.js';
import type { Certificate } from './certificate.js';
import { x509 } from './x509.js';

export type ProblemCode =
  | 'expired'
  | 'not-yet-valid'
  | 'expiring-soon'
  | 'unknown-issuer'
  | 'bad-signature'
  | 'issuer-not-ca'
  | 'path-length-exceeded'
  | 'ca-expired'
  | 'ca-not-yet-valid'
  | 'chain-too-long'
  | 'missing-eku'
  | 'no-eku'
  | 'missing-key-usage'
  | 'leaf-is-ca'
  | 'cn-mismatch'
  | 'weak-key'
  | 'weak-signature'
  | 'no-san'
  | 'host-mismatch'
  | 'outlives-ca';

export interface Problem {
  code: ProblemCode;
  severity: 'error' | 'warning';
  message: string;
}

export interface ChainResult {
  ok: boolean;
  /** Leaf first, ending with the trust anchor when one was reached. */
  chain: Certificate[];
  problems: Problem[];
}

const MAX_CHAIN = 8;

function sameDer(a: x509.X509Certificate, b: x509.X509Certificate): boolean {
  return Buffer.from(a.rawData).equals(Buffer.from(b.rawData));
}

function nameDer(name: x509.Name): Buffer {
  return Buffer.from(name.toArrayBuffer());
}

function validityProblems(cert: x509.X509Certificate, now: Date, role: 'leaf' | 'ca'): Problem[] {
  const label = role === 'leaf' ? '' : `CA certificate ${cert.subject}: `;
  if (now.getTime() > cert.notAfter.getTime()) {
    return [{ code: role === 'leaf' ? 'expired' : 'ca-expired', severity: 'error', message: `${label}expired at ${cert.notAfter.toISOString()}` }];
  }
  if (now.getTime() < cert.notBefore.getTime()) {
    return [{ code: role === 'leaf' ? 'not-yet-valid' : 'ca-not-yet-valid', severity: 'error', message: `${label}not valid before ${cert.notBefore.toISOString()}` }];
  }
  return [];
}

/**
 * Builds and checks the path from `certificate` up to one of the trusted `ca` certificates,
 * through optional `intermediates`: names and key identifiers link, every signature verifies,
 * every issuer is a CA allowed to sign (keyCertSign, pathLength), and all are valid at `now`.
 */
export function verifyChain(
  certificate: CertificateInput,
  opts: { ca: CertificateInput | CertificateInput[]; intermediates?: CertificateInput[]; now: Date },
): ChainResult {
  const leaf = toCertificate(certificate);
  const anchors = (Array.isArray(opts.ca) ? opts.ca : [opts.ca]).map((c, i) => toCertificate(c, `trusted CA #${i + 1}`));
  const intermediates = (opts.intermediates ?? []).map((c, i) => toCertificate(c, `intermediate #${i + 1}`));
  const problems: Problem[] = [...validityProblems(leaf, opts.now, 'leaf')];
  const chain = [leaf];
  let current = leaf;
  let caBelow = 0; // non-self-issued CA certificates below the one being examined (for pathLength)
  for (;;) {
    if (anchors.some((a) => sameDer(a, current))) break; // the leaf itself is a trusted certificate
    if (chain.length > MAX_CHAIN) {
      problems.push({ code: 'chain-too-long', severity: 'error', message: `chain longer than ${MAX_CHAIN} certificates` });
      break;
    }
    const aki = current.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId;
    const named = [...anchors, ...intermediates].filter(
      (c) => nameDer(c.subjectName).equals(nameDer(current.issuerName)) && !sameDer(c, current),
    );
    const candidates = aki ? named.filter((c) => { const ski = c.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId; return !ski || ski === aki; }) : named;
    if (candidates.length === 0) {
      const trusted = anchors.map((a) => a.subject).join(', ');
      problems.push({ code: 'unknown-issuer', severity: 'error', message: `issuer ${current.issuer} of ${current.subject} is not among the trusted CA(s) [${trusted}]${intermediates.length ? ' or the intermediates' : ''}` });
      break;
    }
    const currentNode = new NodeX509(Buffer.from(current.rawData));
    const issuer = candidates.find((c) => currentNode.verify(new NodeX509(Buffer.from(c.rawData)).publicKey));
    if (!issuer) {
      problems.push({ code: 'bad-signature', severity: 'error', message: `signature of ${current.subject} does not verify with the key of ${candidates[0]!.subject}` });
      break;
    }
    const info = describeCertificate(issuer);
    if (!info.isCa) problems.push({ code: 'issuer-not-ca', severity: 'error', message: `issuer ${issuer.subject} is not a CA (basicConstraints CA:true missing)` });
    else if (issuer.getExtension(x509.KeyUsagesExtension) && !info.keyUsages.includes('keyCertSign')) {
      problems.push({ code: 'issuer-not-ca', severity: 'error', message: `issuer ${issuer.subject} lacks keyUsage keyCertSign` });
    }
    if (info.pathLength !== undefined && caBelow > info.pathLength) {
      problems.push({ code: 'path-length-exceeded', severity: 'error', message: `CA ${issuer.subject} allows ${info.pathLength} intermediate CA(s) below it, found ${caBelow}` });
    }
    problems.push(...validityProblems(issuer, opts.now, 'ca'));
    chain.push(issuer);
    if (anchors.some((a) => sameDer(a, issuer))) break;
    if (!info.selfIssued) caBelow += 1;
    current = issuer;
  }
  return { ok: problems.length === 0, chain, problems };
}

/** True when the certificate is valid at `now` and still will be `days` days later. */
export function validFor(certificate: CertificateInput, days: number, now: Date): boolean {
  const cert = toCertificate(certificate);
  return cert.notBefore.getTime() <= now.getTime() && now.getTime() + days * DAY_MS <= cert.notAfter.getTime();
}

export interface CheckOptions {
  now: Date;
  /** Trusted CA certificate(s); when given the chain is verified. */
  ca?: CertificateInput | CertificateInput[];
  intermediates?: CertificateInput[];
  /** 'client': needs EKU clientAuth (SAE → KME); 'server': serverAuth (KME). */
  profile?: Profile;
  expectedCommonName?: string;
  /** Server profile: a DNS name or IP address the certificate must cover. */
  expectedHost?: string;
  /** Warn when fewer days than this remain. Default 30. */
  warnDays?: number;
  /** Default 2048. */
  minRsaBits?: number;
  /** Names the certificate in the report (a file path, say). Default: its subject. */
  source?: string;
}

export interface CheckReport {
  /** No problem of severity 'error'. */
  ok: boolean;
  source: string;
  subject: string;
  serial: string;
  notAfter: Date;
  problems: Problem[];
}

const WEAK_SIGNATURE = /sha-?1\b|md5|md2/i;

/** Everything wrong with a certificate for its intended use, in one pass. Never throws on a parsed certificate. */
export function checkCertificate(certificate: CertificateInput, opts: CheckOptions): CheckReport {
  const cert = toCertificate(certificate, opts.source);
  const info = describeCertificate(cert);
  const problems: Problem[] = [];
  const now = opts.now;
  if (opts.ca !== undefined) {
    const chain = verifyChain(cert, { ca: opts.ca, intermediates: opts.intermediates ?? [], now });
    problems.push(...chain.problems);
    // A certificate is only usable while every CA above it is: say so before it bites.
    const firstCaExpiry = chain.chain.slice(1).sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime())[0];
    if (firstCaExpiry && firstCaExpiry.notAfter.getTime() < cert.notAfter.getTime() && firstCaExpiry.notAfter.getTime() >= now.getTime()) {
      problems.push({ code: 'outlives-ca', severity: 'warning', message: `valid until ${cert.notAfter.toISOString()}, but CA ${firstCaExpiry.subject} expires ${firstCaExpiry.notAfter.toISOString()}` });
    }
  } else {
    problems.push(...validityProblems(cert, now, 'leaf'));
  }
  const warnDays = opts.warnDays ?? 30;
  const left = cert.notAfter.getTime() - now.getTime();
  if (left >= 0 && left < warnDays * DAY_MS) {
    problems.push({ code: 'expiring-soon', severity: 'warning', message: `expires in ${(left / DAY_MS).toFixed(1)} days (${cert.notAfter.toISOString()}), less than ${warnDays}` });
  }
  if (opts.profile) {
    const wanted = opts.profile === 'client' ? 'clientAuth' : 'serverAuth';
    if (!cert.getExtension(x509.ExtendedKeyUsageExtension)) {
      problems.push({ code: 'no-eku', severity: 'warning', message: `no extendedKeyUsage extension (TLS accepts it for any purpose, but many KMEs require ${wanted})` });
    } else if (!info.extendedKeyUsages.includes(wanted)) {
      problems.push({ code: 'missing-eku', severity: 'error', message: `extendedKeyUsage lacks ${wanted} (has ${info.extendedKeyUsages.join(', ') || 'none'})` });
    }
    if (cert.getExtension(x509.KeyUsagesExtension) && !info.keyUsages.includes('digitalSignature')) {
      problems.push({ code: 'missing-key-usage', severity: 'error', message: `keyUsage lacks digitalSignature (has ${info.keyUsages.join(', ') || 'none'})` });
    }
    if (info.isCa) problems.push({ code: 'leaf-is-ca', severity: 'warning', message: `a CA certificate is used as a ${opts.profile} certificate` });
    if (opts.profile === 'server' && info.dnsNames.length + info.ipAddresses.length === 0) {
      problems.push({ code: 'no-san', severity: 'warning', message: 'no subjectAltName: TLS clients will not match any host name or IP address' });
    }
  }
  if (opts.expectedHost !== undefined) {
    const host = opts.expectedHost;
    const covered = isIP(host) ? info.ipAddresses.some((ip) => sameIp(ip, host)) : info.dnsNames.some((d) => dnsMatches(d, host));
    if (!covered) {
      problems.push({ code: 'host-mismatch', severity: 'error', message: `subjectAltName does not cover ${host} (DNS: ${info.dnsNames.join(', ') || 'none'}; IP: ${info.ipAddresses.join(', ') || 'none'})` });
    }
  }
  if (opts.expectedCommonName !== undefined && info.commonName !== opts.expectedCommonName) {
    problems.push({ code: 'cn-mismatch', severity: 'error', message: `CN is ${JSON.stringify(info.commonName ?? null)}, expected ${JSON.stringify(opts.expectedCommonName)}` });
  }
  const minRsa = opts.minRsaBits ?? 2048;
  const rsaBits = /^rsa(?:-pss)?-(\d+)$/.exec(info.keyDescription);
  if (rsaBits && Number(rsaBits[1]) < minRsa) {
    problems.push({ code: 'weak-key', severity: 'error', message: `RSA key of ${rsaBits[1]} bits, fewer than ${minRsa}` });
  } else if (!rsaBits && info.keyType === undefined) {
    problems.push({ code: 'weak-key', severity: 'error', message: `key ${info.keyDescription} is not one of RSA >= ${minRsa}, ECDSA P-256/P-384, Ed25519` });
  }
  const sigName = signatureAlgorithmName(cert);
  if (WEAK_SIGNATURE.test(sigName)) problems.push({ code: 'weak-signature', severity: 'error', message: `signed with ${sigName}` });
  return {
    ok: !problems.some((p) => p.severity === 'error'),
    source: opts.source ?? cert.subject,
    subject: cert.subject,
    serial: cert.serialNumber,
    notAfter: cert.notAfter,
    problems,
  };
}

function signatureAlgorithmName(cert: x509.X509Certificate): string {
  const alg = cert.signatureAlgorithm as { name?: string; hash?: { name?: string } | string };
  const hash = typeof alg.hash === 'string' ? alg.hash : alg.hash?.name;
  return [alg.name, hash].filter(Boolean).join(' with ');
}

function sameIp(a: string, b: string): boolean {
  // The SAN parser prints IPv6 in full form; compare parsed addresses.
  const norm = (ip: string) => (isIP(ip) === 6 ? new URL(`http://[${ip}]/`).hostname : ip);
  return norm(a) === norm(b);
}

function dnsMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase().replace(/\.$/, '');
  if (!p.startsWith('*.')) return p === h;
  const rest = p.slice(1); // ".example.com"
  return h.endsWith(rest) && !h.slice(0, -rest.length).includes('.') && h.length > rest.length;
}

/** Like checkCertificate, but throws a CertificateError listing every error-level problem. */
export function assertCertificate(certificate: CertificateInput, opts: CheckOptions): CheckReport {
  const report = checkCertificate(certificate, opts);
  if (!report.ok) {
    const problems = report.problems.filter((p) => p.severity === 'error').map((p) => p.message);
    throw new CertificateError(`${report.source}: ${problems.join('; ')}`, { source: report.source, problems });
  }
  return report;
}
