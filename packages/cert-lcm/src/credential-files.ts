// A credential on disk: a certificate file (PEM, leaf first, optionally followed by its chain)
// and a private key file (PKCS#8 PEM, mode 0600).
import { readFile } from 'node:fs/promises';
import { PRIVATE_MODE, PUBLIC_MODE, writeFileAtomic, errnoText } from './atomic-write.js';
import { loadCredential, type Credential } from './credential.js';
import { FileError } from './errors.js';

export interface CredentialPaths {
  certPath: string;
  keyPath: string;
}

export async function readFileOrThrow(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new FileError(`${path}: cannot read ${what}: ${errnoText(err)}`, { source: path, cause: err });
  }
}

/** Loads a certificate file and its key file, checking that they belong together. */
export async function readCredentialFiles(paths: CredentialPaths): Promise<Credential> {
  const [certPem, keyPem] = await Promise.all([readFileOrThrow(paths.certPath, 'certificate'), readFileOrThrow(paths.keyPath, 'private key')]);
  return loadCredential({ certPem, keyPem, source: `${paths.certPath} + ${paths.keyPath}` });
}

/** Writes a credential atomically: key 0600, certificate 0644 (key first, so a crash between leaves an old certificate with a new key, which readCredentialFiles detects). */
export async function writeCredentialFiles(paths: CredentialPaths, credential: Credential, chainPem = ''): Promise<void> {
  await writeFileAtomic(paths.keyPath, credential.keyPem, { mode: PRIVATE_MODE });
  await writeFileAtomic(paths.certPath, credential.certPem + chainPem, { mode: PUBLIC_MODE });
}
