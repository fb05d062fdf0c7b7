import { createHash } from 'node:crypto';

/** OpenSSH-style SHA256 fingerprint of a public key blob: "SHA256:" + unpadded base64. */
export function sha256Fingerprint(keyBlob: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Normalise a user-supplied fingerprint ("SHA256:abc=", "sha256:abc") for comparison. */
export function normalizeFingerprint(fp: string): string {
  const m = /^sha256:([A-Za-z0-9+/]{43})=?$/i.exec(fp.trim());
  if (!m) throw new TypeError(`host key fingerprint ${JSON.stringify(fp)} is not an OpenSSH SHA256 fingerprint ("SHA256:" + 43 base64 characters)`);
  return `SHA256:${m[1]}`;
}
