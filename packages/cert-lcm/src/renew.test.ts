import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  confirmRenewal,
  createCa,
  createCsr,
  describeCertificate,
  issueCertificate,
  readCredentialFiles,
  RenewalError,
  renewalState,
  renewCredential,
  rollbackRenewal,
  signCsr,
  writeCredentialFiles,
  writeFileAtomic,
  type Credential,
} from './index.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const DAY = 86_400_000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY);

let dir: string;
let paths: { certPath: string; keyPath: string };
let ca: Credential;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cert-lcm-'));
  paths = { certPath: join(dir, 'sae_a.crt'), keyPath: join(dir, 'sae_a.key') };
  ca = await createCa({ commonName: 'CA', now: at(-400) });
  const first = await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_A', ipAddresses: ['10.0.0.1'], keyType: 'ecdsa-p384', notBefore: at(-340), notAfter: at(25) });
  await writeCredentialFiles(paths, first);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const mode = async (p: string) => (await stat(p)).mode & 0o777;

describe('writeFileAtomic', () => {
  it('writes with the exact mode, replaces atomically and leaves no temp file', async () => {
    const p = join(dir, 'secret.key');
    const oldUmask = process.umask(0o077);
    try {
      await writeFileAtomic(p, 'one', { mode: 0o644 });
    } finally {
      process.umask(oldUmask);
    }
    expect(await mode(p)).toBe(0o644); // not reduced by the umask
    await writeFileAtomic(p, 'two', { mode: 0o600 });
    expect(await readFile(p, 'utf8')).toBe('two');
    expect(await mode(p)).toBe(0o600);
    expect((await readdir(dir)).sort()).toEqual(['sae_a.crt', 'sae_a.key', 'secret.key']);
  });

  it('names the path when it cannot write, and cleans up', async () => {
    await expect(writeFileAtomic(join(dir, 'no-such-dir', 'x.key'), 'k', { mode: 0o600 })).rejects.toThrow(
      new RegExp(`^${join(dir, 'no-such-dir', 'x.key')}: cannot write: ENOENT`),
    );
  });
});

describe('renewCredential with a local CA', () => {
  it('writes a new key and certificate (0600/0644), keeps the previous pair until confirmed', async () => {
    const before = await readCredentialFiles(paths);
    expect(await renewalState(paths)).toBe('current');
    const result = await renewCredential({ ...paths, signer: { issuer: ca }, now: NOW });
    const info = describeCertificate(result.credential);
    expect(info).toMatchObject({ subject: 'CN=SAE_A', ipAddresses: ['10.0.0.1'], extendedKeyUsages: ['clientAuth'], keyType: 'ecdsa-p384', notBefore: NOW });
    expect(result.previous).toEqual({ subject: 'CN=SAE_A', serial: before.certificate.serialNumber, notAfter: at(25) });

    const live = await readCredentialFiles(paths);
    expect(live.certificate.serialNumber).toBe(result.credential.certificate.serialNumber);
    expect(live.keyPem).not.toBe(before.keyPem); // a new key pair, not a re-signed old key
    expect(await mode(paths.keyPath)).toBe(0o600);
    expect(await mode(paths.certPath)).toBe(0o644);
    expect(await mode(`${paths.keyPath}.prev`)).toBe(0o600);
    expect((await readdir(dir)).sort()).toEqual(['sae_a.crt', 'sae_a.crt.prev', 'sae_a.key', 'sae_a.key.prev']);
    expect((await readCredentialFiles({ certPath: `${paths.certPath}.prev`, keyPath: `${paths.keyPath}.prev` })).certificate.serialNumber).toBe(before.certificate.serialNumber);
    expect(await renewalState(paths)).toBe('pending-confirmation');

    // A second renewal before confirming is refused.
    await expect(renewCredential({ ...paths, signer: { issuer: ca }, now: NOW })).rejects.toThrow(/the previous renewal is not confirmed yet/);

    expect(await confirmRenewal(paths)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['sae_a.crt', 'sae_a.key']);
    expect(await renewalState(paths)).toBe('current');
    expect(await confirmRenewal(paths)).toBe(false);
  });

  it('rolls back to the previous pair', async () => {
    const before = await readCredentialFiles(paths);
    await renewCredential({ ...paths, signer: { issuer: ca }, now: NOW, keyType: 'ed25519', validityDays: 30 });
    const restored = await rollbackRenewal(paths);
    expect(restored.certificate.serialNumber).toBe(before.certificate.serialNumber);
    const live = await readCredentialFiles(paths);
    expect(live.certificate.serialNumber).toBe(before.certificate.serialNumber);
    expect(live.keyType).toBe('ecdsa-p384');
    expect(await mode(paths.keyPath)).toBe(0o600);
    expect((await readdir(dir)).sort()).toEqual(['sae_a.crt', 'sae_a.key']);
    await expect(rollbackRenewal(paths)).rejects.toThrow(/nothing to roll back/);
  });

  it('recovers from a crash between the key and certificate renames', async () => {
    const before = await readCredentialFiles(paths);
    const other = await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_A' });
    // Simulate: *.prev written, key renamed into place, certificate not yet.
    await writeFile(`${paths.certPath}.prev`, await readFile(paths.certPath));
    await writeFile(`${paths.keyPath}.prev`, await readFile(paths.keyPath), { mode: 0o600 });
    await writeFile(paths.keyPath, other.keyPem);
    await writeFile(`${paths.certPath}.new`, other.certPem);
    expect(await renewalState(paths)).toBe('interrupted');
    await expect(renewCredential({ ...paths, signer: { issuer: ca }, now: NOW })).rejects.toThrow(/interrupted/);
    await expect(confirmRenewal(paths)).rejects.toThrow(/cannot confirm/);
    await rollbackRenewal(paths);
    expect((await readCredentialFiles(paths)).certificate.serialNumber).toBe(before.certificate.serialNumber);
    expect((await readdir(dir)).sort()).toEqual(['sae_a.crt', 'sae_a.key']);
  });

  it('lets only one renewal run at a time, across processes, through a lock file', async () => {
    const [a, b] = await Promise.allSettled([
      renewCredential({ ...paths, signer: { issuer: ca }, now: NOW }),
      renewCredential({ ...paths, signer: { issuer: ca }, now: NOW }),
    ]);
    expect([a.status, b.status].sort()).toEqual(['fulfilled', 'rejected']);
    const failure = (a.status === 'rejected' ? a.reason : (b as PromiseRejectedResult).reason) as Error;
    expect(failure.message).toMatch(/another renewal is in progress|the previous renewal is not confirmed yet/);
    await confirmRenewal(paths);
    // A lock left by a crashed process is reported with the file to delete.
    await writeFile(`${paths.certPath}.lock`, 'pid 999999\n');
    await expect(renewCredential({ ...paths, signer: { issuer: ca }, now: NOW })).rejects.toThrow(
      `${paths.certPath}: another renewal is in progress (${paths.certPath}.lock: pid 999999); if that process is gone, delete ${paths.certPath}.lock`,
    );
    await expect(rollbackRenewal(paths)).rejects.toThrow(/another renewal is in progress/);
    await rm(`${paths.certPath}.lock`);
    await renewCredential({ ...paths, signer: { issuer: ca }, now: NOW });
    expect((await readdir(dir)).sort()).toEqual(['sae_a.crt', 'sae_a.crt.prev', 'sae_a.key', 'sae_a.key.prev']);
  });

  it('treats a damaged live pair as interrupted when the previous pair can be restored', async () => {
    const before = await readCredentialFiles(paths);
    await renewCredential({ ...paths, signer: { issuer: ca }, now: NOW });
    await writeFile(paths.certPath, '-----BEGIN CERTIFICATE-----\nMIIB'); // torn by something else
    expect(await renewalState(paths)).toBe('interrupted');
    await rollbackRenewal(paths);
    expect((await readCredentialFiles(paths)).certificate.serialNumber).toBe(before.certificate.serialNumber);
    // Without a previous pair, the damage is reported, naming the file.
    await writeFile(paths.certPath, 'garbage');
    await expect(renewalState(paths)).rejects.toThrow(`${paths.certPath} + ${paths.keyPath} (certificate): no PEM`);
  });

  it('issues a first credential when there is none, given a commonName', async () => {
    const fresh = { certPath: join(dir, 'kme.crt'), keyPath: join(dir, 'kme.key') };
    expect(await renewalState(fresh)).toBe('missing');
    await expect(renewCredential({ ...fresh, signer: { issuer: ca }, now: NOW })).rejects.toThrow(`${fresh.certPath}: no current certificate to renew and no commonName given`);
    const r = await renewCredential({ ...fresh, signer: { issuer: ca }, now: NOW, commonName: 'KME_A', profile: 'server', dnsNames: ['localhost'] });
    expect(r.previous).toBeUndefined();
    expect(describeCertificate(r.credential).extendedKeyUsages).toEqual(['serverAuth']);
    expect(await renewalState(fresh)).toBe('current');
  });
});

describe('renewCredential with an external CA', () => {
  it('sends a CSR to the sign() hook and installs the verified result', async () => {
    const seen: string[] = [];
    const sign = async (csrPem: string) => {
      seen.push(csrPem);
      return (await signCsr({ issuer: ca, csrPem, profile: 'client', now: NOW, validityDays: 90 })).certPem;
    };
    const r = await renewCredential({ ...paths, signer: { sign, ca }, now: NOW });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    expect(r.credential.certificate.notAfter).toEqual(at(90));
    expect((await readCredentialFiles(paths)).certificate.serialNumber).toBe(r.credential.certificate.serialNumber);
  });

  it('tolerates a CA clock slightly ahead (clockSkewSeconds), not a certificate from the future', async () => {
    const signAt = (seconds: number) => async (csrPem: string) =>
      (await signCsr({ issuer: ca, csrPem, profile: 'client', now: new Date(NOW.getTime() + seconds * 1000) })).certPem;
    await expect(renewCredential({ ...paths, signer: { sign: signAt(3600), ca }, now: NOW })).rejects.toThrow(/unusable: not valid before 2026-03-01T13:00:00.000Z/);
    await expect(renewCredential({ ...paths, signer: { sign: signAt(60), ca }, now: NOW, clockSkewSeconds: 30 })).rejects.toThrow(/not valid before/);
    const ok = await renewCredential({ ...paths, signer: { sign: signAt(60), ca }, now: NOW });
    expect(ok.credential.certificate.notBefore).toEqual(new Date(NOW.getTime() + 60_000));
  });

  it('refuses what the hook returns when it is for another key, another name, another CA, garbage, or the hook fails', async () => {
    const other = await createCa({ commonName: 'Other', now: at(-1) });
    const stranger = await createCsr({ commonName: 'SAE_A' });
    const cases: [string, (csr: string) => Promise<string>, RegExp][] = [
      ['other key', async () => (await signCsr({ issuer: ca, csrPem: stranger.csrPem, profile: 'client', now: NOW })).certPem, /its public key is not the new key/],
      ['other name', async () => (await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_B', now: NOW })).certPem, /CN is "SAE_B", expected "SAE_A"/],
      ['other CA', async (csr) => (await signCsr({ issuer: other, csrPem: csr, profile: 'client', now: NOW })).certPem, /issuer CN=Other of CN=SAE_A is not among the trusted CA/],
      ['server profile', async (csr) => (await signCsr({ issuer: ca, csrPem: csr, profile: 'server', now: NOW })).certPem, /extendedKeyUsage lacks clientAuth/],
      ['garbage', async () => 'HTTP 502 Bad Gateway', /certificate returned by the external CA for SAE_A: no PEM/],
      ['throws', async () => { throw new Error('CA unreachable'); }, /the external CA's sign\(\) hook failed: CA unreachable/],
    ];
    const before = await readFile(paths.certPath, 'utf8');
    for (const [name, sign, message] of cases) {
      const err = await renewCredential({ ...paths, signer: { sign, ca }, now: NOW }).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(Error);
      expect((err as Error).message, name).toMatch(message);
      // Nothing touched on disk.
      expect(await readFile(paths.certPath, 'utf8'), name).toBe(before);
      expect((await readdir(dir)).sort(), name).toEqual(['sae_a.crt', 'sae_a.key']);
    }
    const hookErr = await renewCredential({ ...paths, signer: { sign: async () => { throw new Error('x'); }, ca }, now: NOW }).catch((e: unknown) => e);
    expect(hookErr).toBeInstanceOf(RenewalError);
    expect((hookErr as RenewalError).source).toBe(paths.certPath);
  });
});
