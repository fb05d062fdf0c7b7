// Putting a credential on a Junos device: upload through an injected uploader (e.g. SFTP from
// junos-netconf) and the PKI commands that load the files into the device's certificate store.
//
// Order on the device: commit the ca-profile configuration, then (operational mode)
//   request security pki ca-certificate load ca-profile P filename F
//   request security pki local-certificate load certificate-id ID filename F key K
// and remove the uploaded key file once loaded.
import { createPrivateKey } from 'node:crypto';
import { posix } from 'node:path';
import type { Credential } from './credential.js';
import { CertificateRequestError, DistributionError } from './errors.js';
import { toPem } from './pem.js';
import type { Certificate } from './certificate.js';
import { toCertificate } from './inspect.js';

/** Writes bytes to a path on the device with the given mode. */
export type Uploader = (remotePath: string, bytes: Uint8Array, opts: { mode: number }) => Promise<void>;

export interface UploadOptions {
  uploader: Uploader;
  credential: Credential;
  /** CA certificate(s) to upload alongside, as one PEM file. */
  caCertificates?: Certificate | Certificate[];
  /** Default '/var/tmp'. */
  remoteDir?: string;
  /** File name stem; default the certificate CN, made file-safe. */
  baseName?: string;
  /**
   * 'pkcs8' (default, "BEGIN PRIVATE KEY") or 'traditional' ("BEGIN RSA PRIVATE KEY" /
   * "BEGIN EC PRIVATE KEY") for devices that only read the older forms. Ed25519 has no
   * traditional form.
   */
  keyFormat?: 'pkcs8' | 'traditional';
}

export interface UploadedFiles {
  certPath: string;
  keyPath: string;
  caPath?: string;
}

const SAFE_PATH = /^\/[A-Za-z0-9._\/-]+$/;
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

function keyBytes(credential: Credential, format: 'pkcs8' | 'traditional', source: string): Uint8Array {
  if (format === 'pkcs8') return Buffer.from(credential.keyPem);
  const key = createPrivateKey(credential.keyPem);
  if (key.asymmetricKeyType === 'rsa') return Buffer.from(key.export({ type: 'pkcs1', format: 'pem' }) as string);
  if (key.asymmetricKeyType === 'ec') return Buffer.from(key.export({ type: 'sec1', format: 'pem' }) as string);
  throw new CertificateRequestError(`${source}: a ${key.asymmetricKeyType} key has no traditional PEM form; use keyFormat 'pkcs8'`, { source });
}

/** Uploads CA (0644), certificate (0644) and key (0600), in that order; returns the remote paths. */
export async function uploadCredential(opts: UploadOptions): Promise<UploadedFiles> {
  const source = `uploadCredential(${opts.credential?.certificate?.subject ?? '?'})`;
  const dir = opts.remoteDir ?? '/var/tmp';
  if (!SAFE_PATH.test(dir)) throw new CertificateRequestError(`${source}: remoteDir must be an absolute path of [A-Za-z0-9._/-], got ${JSON.stringify(dir)}`, { source });
  const cn = toCertificate(opts.credential.certificate).subjectName.getField('CN')[0] ?? 'credential';
  const base = opts.baseName ?? cn.replace(/[^A-Za-z0-9._-]/g, '_');
  if (!SAFE_NAME.test(base)) throw new CertificateRequestError(`${source}: baseName must be 1-63 characters of [A-Za-z0-9._-], got ${JSON.stringify(base)}`, { source });
  const files: UploadedFiles = { certPath: posix.join(dir, `${base}.crt`), keyPath: posix.join(dir, `${base}.key`) };
  const key = keyBytes(opts.credential, opts.keyFormat ?? 'pkcs8', source);
  const put = async (path: string, bytes: Uint8Array, mode: number) => {
    try {
      await opts.uploader(path, bytes, { mode });
    } catch (cause) {
      // The uploader's own message only; never the bytes being uploaded.
      throw new DistributionError(`${path}: upload failed: ${cause instanceof Error ? cause.message : String(cause)}`, { source: path, cause });
    }
  };
  if (opts.caCertificates) {
    files.caPath = posix.join(dir, `${base}-ca.crt`);
    await put(files.caPath, Buffer.from(toPem(opts.caCertificates)), 0o644);
  }
  await put(files.certPath, Buffer.from(opts.credential.certPem), 0o644);
  await put(files.keyPath, key, 0o600);
  return files;
}

export interface JunosPkiOptions {
  /** Name of the local certificate in the device's store (certificate-id). */
  certificateId: string;
  certFile: string;
  keyFile: string;
  /** CA profile name; also used as ca-identity unless caIdentity is given. */
  caProfile?: string;
  caFile?: string;
  caIdentity?: string;
  /** Default 'disable': this package issues no CRLs, and Junos would otherwise try to fetch one. */
  revocationCheck?: 'disable' | 'crl';
  /** Add `file delete KEY` after loading. Default true. */
  deleteKeyFile?: boolean;
}

export interface JunosPkiCommands {
  /** `set` lines to load and commit first (configuration mode). */
  configuration: string[];
  /** Operational-mode commands, in order, after the commit. */
  operational: string[];
}

/** The Junos commands to install a credential (and its CA) uploaded by uploadCredential. */
export function renderJunosPki(opts: JunosPkiOptions): JunosPkiCommands {
  const source = 'renderJunosPki';
  const name = (value: string | undefined, what: string) => {
    if (value === undefined || !SAFE_NAME.test(value)) throw new CertificateRequestError(`${source}: ${what} must be 1-63 characters of [A-Za-z0-9._-], got ${JSON.stringify(value)}`, { source });
    return value;
  };
  const path = (value: string | undefined, what: string) => {
    if (value === undefined || !SAFE_PATH.test(value)) throw new CertificateRequestError(`${source}: ${what} must be an absolute path of [A-Za-z0-9._/-], got ${JSON.stringify(value)}`, { source });
    return value;
  };
  const id = name(opts.certificateId, 'certificateId');
  const certFile = path(opts.certFile, 'certFile');
  const keyFile = path(opts.keyFile, 'keyFile');
  const configuration: string[] = [];
  const operational: string[] = [];
  if (opts.caProfile !== undefined || opts.caFile !== undefined) {
    const profile = name(opts.caProfile, 'caProfile');
    const caFile = path(opts.caFile, 'caFile');
    const identity = name(opts.caIdentity ?? profile, 'caIdentity');
    configuration.push(`set security pki ca-profile ${profile} ca-identity ${identity}`);
    if ((opts.revocationCheck ?? 'disable') === 'disable') configuration.push(`set security pki ca-profile ${profile} revocation-check disable`);
    operational.push(`request security pki ca-certificate load ca-profile ${profile} filename ${caFile}`);
  }
  operational.push(`request security pki local-certificate load certificate-id ${id} filename ${certFile} key ${keyFile}`);
  if (opts.deleteKeyFile ?? true) operational.push(`file delete ${keyFile}`);
  return { configuration, operational };
}
