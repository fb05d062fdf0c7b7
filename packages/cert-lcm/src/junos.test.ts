import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCa, DistributionError, issueCertificate, parseCertificates, renderJunosPki, uploadCredential } from './index.js';

describe('uploadCredential', () => {
  it('uploads CA, certificate and key with their modes through the injected uploader', async () => {
    const ca = await createCa({ commonName: 'qkd-lab CA' });
    const sae = await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE A/1', keyType: 'rsa-2048' });
    const calls: { path: string; text: string; mode: number }[] = [];
    const files = await uploadCredential({
      uploader: async (path, bytes, { mode }) => void calls.push({ path, text: Buffer.from(bytes).toString(), mode }),
      credential: sae,
      caCertificates: ca.certificate,
      remoteDir: '/var/tmp/qkd',
      keyFormat: 'traditional',
    });
    expect(files).toEqual({ certPath: '/var/tmp/qkd/SAE_A_1.crt', keyPath: '/var/tmp/qkd/SAE_A_1.key', caPath: '/var/tmp/qkd/SAE_A_1-ca.crt' });
    expect(calls.map((c) => [c.path, c.mode])).toEqual([
      ['/var/tmp/qkd/SAE_A_1-ca.crt', 0o644],
      ['/var/tmp/qkd/SAE_A_1.crt', 0o644],
      ['/var/tmp/qkd/SAE_A_1.key', 0o600],
    ]);
    expect(parseCertificates(calls[0]!.text)[0]!.subject).toBe('CN=qkd-lab CA');
    expect(calls[1]!.text).toBe(sae.certPem);
    expect(calls[2]!.text).toMatch(/^-{5}BEGIN RSA PRIVATE KEY-{5}/);
    expect(createPrivateKey(calls[2]!.text).export({ type: 'pkcs8', format: 'pem' })).toBe(sae.keyPem);
  });

  it('wraps uploader failures with the remote path and no key material; refuses unsafe paths', async () => {
    const ca = await createCa({ commonName: 'CA' });
    const sae = await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_A', keyType: 'ed25519' });
    const err = await uploadCredential({
      uploader: async (path) => { if (path.endsWith('.key')) throw new Error('SFTP: permission denied'); },
      credential: sae,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DistributionError);
    expect((err as DistributionError).message).toBe('/var/tmp/SAE_A.key: upload failed: SFTP: permission denied');
    await expect(uploadCredential({ uploader: async () => {}, credential: sae, remoteDir: '/tmp; rm -rf /' })).rejects.toThrow(/remoteDir must be an absolute path/);
    await expect(uploadCredential({ uploader: async () => {}, credential: sae, keyFormat: 'traditional' })).rejects.toThrow(/a ed25519 key has no traditional PEM form/);
  });
});

describe('renderJunosPki', () => {
  it('renders the ca-profile configuration and the load commands in order', () => {
    expect(renderJunosPki({ certificateId: 'SAE_A', certFile: '/var/tmp/SAE_A.crt', keyFile: '/var/tmp/SAE_A.key', caProfile: 'qkd-ca', caFile: '/var/tmp/SAE_A-ca.crt' })).toEqual({
      configuration: ['set security pki ca-profile qkd-ca ca-identity qkd-ca', 'set security pki ca-profile qkd-ca revocation-check disable'],
      operational: [
        'request security pki ca-certificate load ca-profile qkd-ca filename /var/tmp/SAE_A-ca.crt',
        'request security pki local-certificate load certificate-id SAE_A filename /var/tmp/SAE_A.crt key /var/tmp/SAE_A.key',
        'file delete /var/tmp/SAE_A.key',
      ],
    });
    expect(renderJunosPki({ certificateId: 'X', certFile: '/a.crt', keyFile: '/a.key', deleteKeyFile: false })).toEqual({
      configuration: [],
      operational: ['request security pki local-certificate load certificate-id X filename /a.crt key /a.key'],
    });
  });

  it('refuses names and paths that would break the command line', () => {
    expect(() => renderJunosPki({ certificateId: 'a b', certFile: '/a', keyFile: '/b' })).toThrow('renderJunosPki: certificateId must be 1-63 characters of [A-Za-z0-9._-], got "a b"');
    expect(() => renderJunosPki({ certificateId: 'a', certFile: 'rel/a', keyFile: '/b' })).toThrow(/certFile must be an absolute path/);
    expect(() => renderJunosPki({ certificateId: 'a', certFile: '/a', keyFile: '/b', caProfile: 'p' })).toThrow(/caFile must be an absolute path/);
  });
});
