// Renewing a credential on disk, keeping the previous pair until the new one is proven.
//
// Files, for certPath = sae.crt and keyPath = sae.key:
//   sae.crt / sae.key            the live pair
//   sae.crt.prev / sae.key.prev  the pair before the last renewal, until confirmRenewal()
//   sae.crt.new / sae.key.new    only during renewCredential(); left behind only by a crash
// Order of a renewal: write *.new, copy live → *.prev, rename key.new → key, cert.new → cert.
// A crash leaves either the old live pair (with *.new / *.prev to clean up) or, between the two
// renames, a new key with the old certificate; renewalState() reports that as 'interrupted' and
// rollbackRenewal() restores the previous pair in every case.
import { open, readFile, stat } from 'node:fs/promises';
import { errnoText, PRIVATE_MODE, PUBLIC_MODE, removeIfPresent, renameDurable, writeFileAtomic } from './atomic-write.js';
import type { Profile } from './build-certificate.js';
import { checkCertificate } from './check.js';
import { issueCertificate } from './create.js';
import { certificateMatchesKey, makeCredential, type Credential } from './credential.js';
import { readCredentialFiles, readFileOrThrow, type CredentialPaths } from './credential-files.js';
import { createCsr } from './csr.js';
import { FileError, PrivateKeyError, RenewalError } from './errors.js';
import { describeCertificate, type CertificateInput } from './inspect.js';
import type { KeyType } from './key-types.js';
import { readCertificates, toPem } from './pem.js';

export type { CredentialPaths };

/** How the new certificate gets signed. */
export type RenewalSigner =
  /** A CA whose key this process holds. */
  | { issuer: Credential }
  /**
   * An external CA: `sign` receives the CSR PEM and returns the signed certificate PEM (the leaf
   * first, optionally followed by intermediates). `ca` is the trust anchor to verify it against.
   */
  | { sign: (csrPem: string) => Promise<string>; ca?: CertificateInput | CertificateInput[] };

export interface RenewOptions extends CredentialPaths {
  signer: RenewalSigner;
  now: Date;
  /** Default: the current certificate's (serverAuth → 'server', else 'client'). */
  profile?: Profile;
  /** Default: the current certificate's CN; required when there is no current certificate. */
  commonName?: string;
  /** Default: the current certificate's SANs. */
  dnsNames?: string[];
  ipAddresses?: string[];
  /** Default: the current key's type, else 'ecdsa-p256'. A new key pair is made every time. */
  keyType?: KeyType;
  /** Local CA only; default 365. An external CA decides. */
  validityDays?: number;
  /**
   * External CA only: accept a certificate whose notBefore is up to this far after `now` (the
   * CA's clock, or simply the moment it signed, is ahead of ours). Default 300.
   */
  clockSkewSeconds?: number;
}

export interface RenewResult {
  credential: Credential;
  /** The replaced certificate, if there was one. */
  previous?: { subject: string; serial: string; notAfter: Date };
  paths: CredentialPaths & { prevCertPath: string; prevKeyPath: string };
}

const prevPaths = (p: CredentialPaths) => ({ certPath: `${p.certPath}.prev`, keyPath: `${p.keyPath}.prev` });
const newPaths = (p: CredentialPaths) => ({ certPath: `${p.certPath}.new`, keyPath: `${p.keyPath}.new` });

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

const lockPath = (p: CredentialPaths) => `${p.certPath}.lock`;

/**
 * Renew, confirm and rollback of one credential exclude each other across processes through
 * `<certPath>.lock` (created with O_EXCL, holding the owner's pid). A crashed owner leaves the
 * lock behind; the error says which file to delete once no such process runs.
 */
async function withLock<T>(paths: CredentialPaths, fn: () => Promise<T>): Promise<T> {
  const path = lockPath(paths);
  try {
    const handle = await open(path, 'wx', PRIVATE_MODE);
    try {
      await handle.writeFile(`pid ${process.pid}\n`);
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      const owner = (await readFile(path, 'utf8').catch(() => '')).trim() || 'unknown owner';
      throw new RenewalError(`${paths.certPath}: another renewal is in progress (${path}: ${owner}); if that process is gone, delete ${path}`, { source: paths.certPath });
    }
    throw new FileError(`${path}: cannot create the renewal lock: ${errnoText(err)}`, { source: path, cause: err });
  }
  try {
    return await fn();
  } finally {
    await removeIfPresent(path);
  }
}

export type RenewalState =
  /** No live certificate. */
  | 'missing'
  /** A live pair and nothing pending. */
  | 'current'
  /** Renewed; the previous pair is kept until confirmRenewal() or rollbackRenewal(). */
  | 'pending-confirmation'
  /** A renewal stopped half-way (leftover *.new, or live key and certificate do not match): roll back. */
  | 'interrupted';

export async function renewalState(paths: CredentialPaths): Promise<RenewalState> {
  return (await inspectFiles(paths)).state;
}

/** The state, and the live pair when it was read and is consistent (so renewal need not read it again). */
async function inspectFiles(paths: CredentialPaths): Promise<{ state: RenewalState; live?: Credential }> {
  const n = newPaths(paths);
  const p = prevPaths(paths);
  if ((await exists(n.certPath)) || (await exists(n.keyPath))) return { state: 'interrupted' };
  if (!(await exists(paths.certPath))) return { state: (await exists(p.certPath)) ? 'interrupted' : 'missing' };
  const havePrev = (await exists(p.certPath)) && (await exists(p.keyPath));
  const live = await readCredentialFiles(paths).catch((err: unknown) => err as Error);
  // A key that does not match its certificate is what a crash between the two renames leaves.
  if (live instanceof PrivateKeyError && live.reason === 'mismatch') return { state: 'interrupted' };
  // Any other unreadable live pair is recoverable only when the previous pair is there.
  if (live instanceof Error) {
    if (havePrev) return { state: 'interrupted' };
    throw live;
  }
  const state = havePrev || (await exists(p.certPath)) || (await exists(p.keyPath)) ? 'pending-confirmation' : 'current';
  return { state, live };
}

export async function renewCredential(opts: RenewOptions): Promise<RenewResult> {
  const paths = { certPath: opts.certPath, keyPath: opts.keyPath };
  if (!(opts.now instanceof Date) || Number.isNaN(opts.now.getTime())) throw new RenewalError(`${opts.certPath}: now must be a valid Date`, { source: opts.certPath });
  return withLock(paths, () => renewLocked(opts, paths));
}

async function renewLocked(opts: RenewOptions, paths: CredentialPaths): Promise<RenewResult> {
  const source = opts.certPath;
  const { state, live } = await inspectFiles(paths);
  if (state === 'pending-confirmation') {
    throw new RenewalError(`${source}: the previous renewal is not confirmed yet (${prevPaths(paths).certPath} exists): call confirmRenewal() or rollbackRenewal() first`, { source });
  }
  if (state === 'interrupted') {
    throw new RenewalError(`${source}: an earlier renewal was interrupted (leftover .new files or a key that does not match the certificate): call rollbackRenewal() first`, { source });
  }
  const current = state === 'current' ? live : undefined;
  const info = current ? describeCertificate(current.certificate) : undefined;
  const commonName = opts.commonName ?? info?.commonName;
  if (!commonName) throw new RenewalError(`${source}: no current certificate to renew and no commonName given`, { source });
  const profile = opts.profile ?? (info?.extendedKeyUsages.includes('serverAuth') && !info.extendedKeyUsages.includes('clientAuth') ? 'server' : 'client');
  const dnsNames = opts.dnsNames ?? info?.dnsNames ?? [];
  const ipAddresses = opts.ipAddresses ?? info?.ipAddresses ?? [];
  const keyType = opts.keyType ?? current?.keyType ?? 'ecdsa-p256';

  let credential: Credential;
  let chainPem = '';
  if ('issuer' in opts.signer) {
    credential = await issueCertificate({
      issuer: opts.signer.issuer, profile, commonName, dnsNames, ipAddresses, keyType, now: opts.now,
      ...(opts.validityDays !== undefined ? { validityDays: opts.validityDays } : {}),
    });
  } else {
    ({ credential, chainPem } = await signExternally(opts.signer, { commonName, dnsNames, ipAddresses, keyType, profile, now: opts.now, source, skewMs: (opts.clockSkewSeconds ?? 300) * 1000 }));
  }

  const fresh = newPaths(paths);
  const prev = prevPaths(paths);
  await writeFileAtomic(fresh.keyPath, credential.keyPem, { mode: PRIVATE_MODE });
  await writeFileAtomic(fresh.certPath, credential.certPem + chainPem, { mode: PUBLIC_MODE });
  if (current) {
    await writeFileAtomic(prev.keyPath, await readFileOrThrow(paths.keyPath, 'private key'), { mode: PRIVATE_MODE });
    await writeFileAtomic(prev.certPath, await readFileOrThrow(paths.certPath, 'certificate'), { mode: PUBLIC_MODE });
  }
  await renameDurable(fresh.keyPath, paths.keyPath);
  await renameDurable(fresh.certPath, paths.certPath);
  return {
    credential,
    ...(current ? { previous: { subject: current.certificate.subject, serial: current.certificate.serialNumber, notAfter: current.certificate.notAfter } } : {}),
    paths: { ...paths, prevCertPath: prev.certPath, prevKeyPath: prev.keyPath },
  };
}

async function signExternally(
  signer: { sign: (csrPem: string) => Promise<string>; ca?: CertificateInput | CertificateInput[] },
  req: { commonName: string; dnsNames: string[]; ipAddresses: string[]; keyType: KeyType; profile: Profile; now: Date; source: string; skewMs: number },
): Promise<{ credential: Credential; chainPem: string }> {
  const csr = await createCsr({ commonName: req.commonName, dnsNames: req.dnsNames, ipAddresses: req.ipAddresses, keyType: req.keyType });
  let returned: string;
  try {
    returned = await signer.sign(csr.csrPem);
  } catch (cause) {
    throw new RenewalError(`${req.source}: the external CA's sign() hook failed: ${cause instanceof Error ? cause.message : String(cause)}`, { source: req.source, cause });
  }
  if (typeof returned !== 'string') throw new RenewalError(`${req.source}: the external CA's sign() hook returned ${typeof returned}, expected a PEM string`, { source: req.source });
  const [leaf, ...chain] = readCertificates(returned, `certificate returned by the external CA for ${req.commonName}`);
  const problems: string[] = [];
  if (!certificateMatchesKey(leaf!, csr.keyPem)) problems.push('its public key is not the new key (the CA signed another request?)');
  // Judge validity at the later of now and notBefore when notBefore is within the allowed skew.
  const notBefore = leaf!.notBefore.getTime();
  const checkAt = notBefore > req.now.getTime() && notBefore - req.now.getTime() <= req.skewMs ? new Date(notBefore) : req.now;
  const report = checkCertificate(leaf!, {
    now: checkAt,
    profile: req.profile,
    expectedCommonName: req.commonName,
    ...(signer.ca !== undefined ? { ca: signer.ca, intermediates: chain } : {}),
    warnDays: 0,
  });
  problems.push(...report.problems.filter((p) => p.severity === 'error').map((p) => p.message));
  if (problems.length) throw new RenewalError(`${req.source}: the certificate returned by the external CA is unusable: ${problems.join('; ')}`, { source: req.source });
  return { credential: makeCredential(leaf!, csr.keys, csr.keyPem, req.keyType), chainPem: chain.length ? toPem(chain) : '' };
}

/**
 * Call after the renewed pair has been used successfully (e.g. a KME accepted it): drops the
 * previous pair. Refuses when the live pair is inconsistent. Returns false when nothing was pending.
 */
export async function confirmRenewal(paths: CredentialPaths): Promise<boolean> {
  return withLock(paths, () => confirmLocked(paths));
}

async function confirmLocked(paths: CredentialPaths): Promise<boolean> {
  const state = await renewalState(paths);
  if (state === 'interrupted') throw new RenewalError(`${paths.certPath}: cannot confirm: the renewal was interrupted; call rollbackRenewal()`, { source: paths.certPath });
  if (state !== 'pending-confirmation') return false;
  const prev = prevPaths(paths);
  await removeIfPresent(prev.keyPath);
  await removeIfPresent(prev.certPath);
  return true;
}

/** Puts the previous pair back (after a failed or interrupted renewal) and clears leftovers. */
export async function rollbackRenewal(paths: CredentialPaths): Promise<Credential> {
  return withLock(paths, () => rollbackLocked(paths));
}

async function rollbackLocked(paths: CredentialPaths): Promise<Credential> {
  const prev = prevPaths(paths);
  const fresh = newPaths(paths);
  if (!(await exists(prev.certPath)) || !(await exists(prev.keyPath))) {
    // Interrupted before the live pair was touched: only leftovers to remove.
    if ((await exists(fresh.certPath)) || (await exists(fresh.keyPath))) {
      await removeIfPresent(fresh.keyPath);
      await removeIfPresent(fresh.certPath);
      return readCredentialFiles(paths);
    }
    throw new RenewalError(`${paths.certPath}: nothing to roll back: ${prev.certPath} and ${prev.keyPath} are not both present`, { source: paths.certPath });
  }
  const previous = await readCredentialFiles(prev); // refuse to restore an inconsistent pair
  await writeFileAtomic(paths.keyPath, await readFileOrThrow(prev.keyPath, 'previous private key'), { mode: PRIVATE_MODE });
  await writeFileAtomic(paths.certPath, await readFileOrThrow(prev.certPath, 'previous certificate'), { mode: PUBLIC_MODE });
  await removeIfPresent(prev.keyPath);
  await removeIfPresent(prev.certPath);
  await removeIfPresent(fresh.keyPath);
  await removeIfPresent(fresh.certPath);
  return previous;
}
