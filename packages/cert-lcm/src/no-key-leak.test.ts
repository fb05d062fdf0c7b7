// The invariant from the design: private key material never reaches an error message, a stack,
// an error's cause chain, or the printed/serialised form of any object this package returns.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  createCa,
  createCsr,
  issueCertificate,
  loadCredential,
  parseCertificates,
  readCredentialFiles,
  renewCredential,
  signCsr,
  uploadCredential,
  writeCredentialFiles,
} from './index.js';

/** Every 24-character slice of every key body: enough to catch any partial echo. */
function fragments(keyPems: string[]): string[] {
  const out: string[] = [];
  for (const pem of keyPems) {
    const body = pem.replace(/-----[^-]+-----|\s/g, '');
    for (let i = 0; i + 24 <= body.length; i += 12) out.push(body.slice(i, i + 24));
    out.push(Buffer.from(body, 'base64').toString('hex').slice(0, 48));
  }
  return out;
}

function render(value: unknown): string {
  const parts = [inspect(value, { depth: 12, showHidden: false }), String(value)];
  try {
    parts.push(JSON.stringify(value) ?? '');
  } catch {
    /* circular: inspect covers it */
  }
  for (let e = value as { cause?: unknown; stack?: string } | undefined; e && typeof e === 'object'; e = e.cause as typeof e) {
    parts.push(String(e.stack ?? ''), inspect(e, { depth: 12 }));
  }
  return parts.join('\n');
}

describe('no private key material in outputs', () => {
  it('across results and every failure path that handles a key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cert-lcm-leak-'));
    try {
      const ca = await createCa({ commonName: 'CA' });
      const sae = await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_A', keyType: 'rsa-2048' });
      const other = await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_B' });
      const csr = await createCsr({ commonName: 'SAE_C' });
      const paths = { certPath: join(dir, 'a.crt'), keyPath: join(dir, 'a.key') };
      await writeCredentialFiles(paths, sae);
      const keys = [ca.keyPem, sae.keyPem, other.keyPem, csr.keyPem];

      const outputs: unknown[] = [ca, sae, csr, await readCredentialFiles(paths)];
      const failures: (() => Promise<unknown>)[] = [
        () => loadCredential({ certPem: sae.certPem, keyPem: other.keyPem, source: 'mismatch' }),
        () => loadCredential({ certPem: sae.certPem, keyPem: sae.keyPem.slice(0, 300) + sae.keyPem.slice(sae.keyPem.lastIndexOf('\n-')) }),
        () => loadCredential({ certPem: sae.keyPem, keyPem: sae.keyPem }),
        async () => parseCertificates(sae.keyPem + sae.certPem),
        async () => parseCertificates(Buffer.from(sae.keyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64')),
        () => signCsr({ issuer: ca, csrPem: sae.keyPem, profile: 'client' }),
        () => uploadCredential({ uploader: async () => { throw new Error('disk full'); }, credential: sae }),
        () => renewCredential({ ...paths, now: new Date(), signer: { ca, sign: async () => other.certPem } }),
        () => renewCredential({ ...paths, now: new Date(), signer: { ca, sign: async () => sae.keyPem } }),
        async () => {
          await writeFile(paths.keyPath, other.keyPem);
          return readCredentialFiles(paths);
        },
      ];
      for (const attempt of failures) {
        const result = await attempt().then(
          (ok) => ({ ok }),
          (err: unknown) => ({ err }),
        );
        expect('err' in result, attempt.toString()).toBe(true);
        outputs.push((result as { err: unknown }).err);
      }
      const text = outputs.map(render).join('\n');
      for (const fragment of fragments(keys)) expect(text.includes(fragment), fragment).toBe(false);
      expect(text).not.toMatch(/PRIVATE KEY-{5}\nMI/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
