// The simulator's PKI: one CA, a server certificate per KME (valid for localhost, 127.0.0.1 and
// ::1) and a client certificate per SAE whose CN is the SAE ID. Made with cert-lcm, kept in
// memory for tests or written to a directory for `sim-kme pki --out DIR`.
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createCa, issueCertificate, loadCredential, writeCredentialFiles, type Credential, type KeyType } from '@qkd-macsec/cert-lcm';

export interface SimPki {
  ca: Credential;
  /** Server certificates, CN = KME ID. */
  kmes: Record<string, Credential>;
  /** Client certificates, CN = SAE ID. */
  saes: Record<string, Credential>;
  /** Client certificates, CN = KME ID, for the KME-to-KME key relay (KMEs in separate processes). */
  kmeClients?: Record<string, Credential>;
}

export interface CreateSimPkiOptions {
  kmeIds: string[];
  saeIds: string[];
  /** Default 'ecdsa-p256'. */
  keyType?: KeyType;
  /** Validity of the KME and SAE certificates; default 365 days (the CA gets 3650). */
  validityDays?: number;
  /** Names on each KME certificate; default localhost, 127.0.0.1 and ::1. */
  dnsNames?: string[];
  ipAddresses?: string[];
  caCommonName?: string;
  now?: Date;
}

export class SimPkiError extends Error {
  override name = 'SimPkiError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

export async function createSimPki(opts: CreateSimPkiOptions): Promise<SimPki> {
  const common = {
    ...(opts.keyType ? { keyType: opts.keyType } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  };
  const ca = await createCa({ commonName: opts.caCommonName ?? 'sim-kme CA', ...common });
  const kmes: Record<string, Credential> = {};
  const saes: Record<string, Credential> = {};
  const kmeClients: Record<string, Credential> = {};
  for (const id of opts.kmeIds)
    kmes[id] = await issueCertificate({
      issuer: ca,
      profile: 'server',
      commonName: id,
      dnsNames: opts.dnsNames ?? ['localhost'],
      ipAddresses: opts.ipAddresses ?? ['127.0.0.1', '::1'],
      validityDays: opts.validityDays ?? 365,
      ...common,
    });
  for (const id of opts.saeIds)
    saes[id] = await issueCertificate({ issuer: ca, profile: 'client', commonName: id, validityDays: opts.validityDays ?? 365, ...common });
  for (const id of opts.kmeIds)
    kmeClients[id] = await issueCertificate({ issuer: ca, profile: 'client', commonName: id, validityDays: opts.validityDays ?? 365, ...common });
  return { ca, kmes, saes, kmeClients };
}

/** Where writeSimPki puts each file, relative to its directory. */
export const pkiLayout = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  kmeCert: (id: string) => join('kmes', `${id}.crt`),
  kmeKey: (id: string) => join('kmes', `${id}.key`),
  kmeClientCert: (id: string) => join('kmes', `${id}.client.crt`),
  kmeClientKey: (id: string) => join('kmes', `${id}.client.key`),
  saeCert: (id: string) => join('saes', `${id}.crt`),
  saeKey: (id: string) => join('saes', `${id}.key`),
};

export interface WrittenPki {
  dir: string;
  caCert: string;
  caKey: string;
  kmes: Record<string, { cert: string; key: string; clientCert?: string; clientKey?: string }>;
  saes: Record<string, { cert: string; key: string }>;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Writes the PKI to `dir` (certificates 0644, private keys 0600). Refuses to overwrite an
 * existing PKI unless `force` is set, so a second run cannot silently orphan issued certificates.
 */
export async function writeSimPki(pki: SimPki, dir: string, opts: { force?: boolean } = {}): Promise<WrittenPki> {
  const root = resolve(dir);
  for (const id of [...Object.keys(pki.kmes), ...Object.keys(pki.saes)])
    if (!SAFE_NAME.test(id)) throw new SimPkiError(root, `"${id}" cannot be used as a file name (letters, digits, . _ - only)`);
  if (!opts.force) {
    const existing = await readdir(root).catch(() => [] as string[]);
    if (existing.includes(pkiLayout.caCert))
      throw new SimPkiError(join(root, pkiLayout.caCert), 'a PKI already exists here; replace it with --force (force: true from code)');
  }
  await mkdir(join(root, 'kmes'), { recursive: true });
  await mkdir(join(root, 'saes'), { recursive: true });
  // cert-lcm writes each pair atomically with exact modes (key 0600, certificate 0644), also
  // when `force` replaces files that already exist.
  const put = async (cert: string, key: string, credential: Credential) => {
    const paths = { certPath: join(root, cert), keyPath: join(root, key) };
    await writeCredentialFiles(paths, credential);
    return { cert: paths.certPath, key: paths.keyPath };
  };
  const ca = await put(pkiLayout.caCert, pkiLayout.caKey, pki.ca);
  const out: WrittenPki = { dir: root, caCert: ca.cert, caKey: ca.key, kmes: {}, saes: {} };
  for (const [id, c] of Object.entries(pki.kmes)) {
    out.kmes[id] = await put(pkiLayout.kmeCert(id), pkiLayout.kmeKey(id), c);
    const client = pki.kmeClients?.[id];
    if (client) {
      const written = await put(pkiLayout.kmeClientCert(id), pkiLayout.kmeClientKey(id), client);
      out.kmes[id].clientCert = written.cert;
      out.kmes[id].clientKey = written.key;
    }
  }
  for (const [id, c] of Object.entries(pki.saes)) out.saes[id] = await put(pkiLayout.saeCert(id), pkiLayout.saeKey(id), c);
  return out;
}

export interface KmeTls {
  ca: string;
  /** Server credential, and the relay client credential when there is one. */
  kmes: Record<string, { cert: string; key: string; client?: { cert: string; key: string } }>;
}

/** The CA certificate and the credentials of `kmeIds`, read from a writeSimPki directory. */
export async function readKmeTls(dir: string, kmeIds: string[]): Promise<KmeTls> {
  const root = resolve(dir);
  const read = async (rel: string, optional = false) => {
    const file = join(root, rel);
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      if (optional && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      const hint = (err as NodeJS.ErrnoException).code === 'ENOENT' ? ' (run `sim-kme pki --out DIR` with the same KME IDs first)' : '';
      throw new SimPkiError(file, `cannot read: ${(err as Error).message}${hint}`);
    }
  };
  const ca = (await read(pkiLayout.caCert))!;
  const kmes: KmeTls['kmes'] = {};
  for (const id of kmeIds) {
    const cert = (await read(pkiLayout.kmeCert(id)))!;
    const key = (await read(pkiLayout.kmeKey(id)))!;
    // Catches a certificate and key that do not belong together before the TLS stack does, with a path.
    await loadCredential({ certPem: cert, keyPem: key, source: join(root, pkiLayout.kmeCert(id)) });
    const clientCert = await read(pkiLayout.kmeClientCert(id), true);
    const clientKey = clientCert === undefined ? undefined : await read(pkiLayout.kmeClientKey(id));
    kmes[id] = { cert, key, ...(clientCert !== undefined && clientKey !== undefined ? { client: { cert: clientCert, key: clientKey } } : {}) };
  }
  return { ca, kmes };
}
