import { createHash, X509Certificate as NodeX509 } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  assertCertificate,
  CertificateError,
  checkCertificate,
  createCa,
  describeCertificate,
  fingerprint,
  issueCertificate,
  validFor,
  verifyChain,
  type Credential,
} from './index.js';
import { toCertificate } from './inspect.js';
import { webcrypto, x509, type CryptoKey, type CryptoKeyPair } from './x509.js';
import type { webcrypto as nodeWebcrypto } from 'node:crypto';

type EcdsaParams = nodeWebcrypto.EcdsaParams;

const NOW = new Date('2026-03-01T12:00:00Z');
const DAY = 86_400_000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY);

async function lab() {
  const ca = await createCa({ commonName: 'qkd-lab CA', now: NOW });
  const sae = await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_A', now: NOW, validityDays: 365 });
  return { ca, sae };
}

/** A certificate signed by `issuer` with arbitrary key / algorithm / extensions, for the weak cases. */
async function handmade(issuer: Credential, opts: { keys?: CryptoKeyPair; signingKey?: CryptoKey; extensions?: x509.Extension[]; name?: string }) {
  const keys = opts.keys ?? ((await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair);
  return x509.X509CertificateGenerator.create({
    subject: opts.name ?? 'CN=odd',
    issuer: toCertificate(issuer.certificate).subjectName,
    notBefore: NOW,
    notAfter: at(100),
    publicKey: keys.publicKey,
    signingKey: opts.signingKey ?? issuer.keys.privateKey,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
    extensions: opts.extensions ?? [],
  });
}

describe('describeCertificate', () => {
  it('reports names, SANs, serial, fingerprints (as OpenSSL prints them), validity, key and usages', async () => {
    const ca = await createCa({ commonName: 'qkd-lab CA', keyType: 'ecdsa-p384', now: NOW });
    const kme = await issueCertificate({ issuer: ca, profile: 'server', commonName: 'KME_A', keyType: 'rsa-3072', dnsNames: ['kme-a.lab'], ipAddresses: ['127.0.0.1', '::1'], serial: '01ff', now: NOW });
    const info = describeCertificate(kme.certPem);
    const node = new NodeX509(kme.certPem);
    expect(info).toMatchObject({
      subject: 'CN=KME_A', issuer: 'CN=qkd-lab CA', commonName: 'KME_A', issuerCommonName: 'qkd-lab CA',
      serial: '01ff', dnsNames: ['kme-a.lab'], ipAddresses: ['127.0.0.1', '::1'],
      keyType: 'rsa-3072', keyDescription: 'rsa-3072', isCa: false, selfIssued: false,
      keyUsages: ['digitalSignature', 'keyEncipherment'], extendedKeyUsages: ['serverAuth'],
      notBefore: NOW, notAfter: at(365),
    });
    expect(info.sha256Fingerprint).toBe(node.fingerprint256);
    expect(info.sha1Fingerprint).toBe(node.fingerprint);
    expect(fingerprint(kme.certificate)).toBe(createHash('sha256').update(node.raw).digest('hex').toUpperCase().match(/../g)!.join(':'));
    expect(info.authorityKeyId).toBe(describeCertificate(ca).subjectKeyId);
    const caInfo = describeCertificate(ca.certificate);
    expect(caInfo).toMatchObject({ isCa: true, pathLength: 0, selfIssued: true, keyType: 'ecdsa-p384', keyUsages: ['keyCertSign', 'cRLSign'] });
  });
});

describe('validFor', () => {
  it('is true only when valid now and still valid N days later', async () => {
    const { sae } = await lab();
    expect(validFor(sae, 30, NOW)).toBe(true);
    expect(validFor(sae, 365, NOW)).toBe(true);
    expect(validFor(sae, 366, NOW)).toBe(false);
    expect(validFor(sae, 30, at(340))).toBe(false);
    expect(validFor(sae, 0, at(-1))).toBe(false);
  });
});

describe('verifyChain', () => {
  it('accepts a leaf issued by the CA and returns the chain up to it', async () => {
    const { ca, sae } = await lab();
    const result = verifyChain(sae.certPem, { ca: ca.certPem, now: at(1) });
    expect(result.problems).toEqual([]);
    expect(result.chain.map((c) => c.subject)).toEqual(['CN=SAE_A', 'CN=qkd-lab CA']);
  });

  it('walks through an intermediate and enforces pathLength', async () => {
    const root = await createCa({ commonName: 'root', pathLength: 1, now: NOW });
    const mid = await createCa({ commonName: 'mid', issuer: root, now: NOW });
    const leaf = await issueCertificate({ issuer: mid, profile: 'client', commonName: 'SAE_A', now: NOW });
    const ok = verifyChain(leaf, { ca: root, intermediates: [mid], now: at(1) });
    expect(ok.problems).toEqual([]);
    expect(ok.chain.map((c) => c.subject)).toEqual(['CN=SAE_A', 'CN=mid', 'CN=root']);
    expect(verifyChain(leaf, { ca: root, now: at(1) }).problems[0]?.code).toBe('unknown-issuer');

    const strictRoot = await createCa({ commonName: 'strict', pathLength: 0, now: NOW });
    const mid2 = await createCa({ commonName: 'mid2', issuer: strictRoot, now: NOW });
    const leaf2 = await issueCertificate({ issuer: mid2, profile: 'client', commonName: 'SAE_B', now: NOW });
    expect(verifyChain(leaf2, { ca: strictRoot, intermediates: [mid2], now: at(1) }).problems.map((p) => p.code)).toEqual(['path-length-exceeded']);
  });

  it('reports another CA, a forged signature, an expired CA and a non-CA issuer', async () => {
    const { ca, sae } = await lab();
    const other = await createCa({ commonName: 'other', now: NOW });
    const r1 = verifyChain(sae, { ca: other, now: at(1) });
    expect(r1.ok).toBe(false);
    expect(r1.problems[0]?.message).toBe('issuer CN=qkd-lab CA of CN=SAE_A is not among the trusted CA(s) [CN=other]');

    // Same name as the real CA, different key: names link, the signature does not.
    const impostor = await createCa({ commonName: 'qkd-lab CA', now: NOW });
    const r2 = verifyChain(sae, { ca: impostor, now: at(1) });
    expect(r2.problems.map((p) => p.code)).toEqual(['unknown-issuer']); // AKI/SKI already differ
    const noAki = await handmade(ca, { name: 'CN=no-aki' });
    expect(verifyChain(noAki, { ca: impostor, now: at(1) }).problems.map((p) => p.code)).toEqual(['bad-signature']);

    const shortCa = await createCa({ commonName: 'short', now: NOW, validityDays: 10 });
    const leaf = await issueCertificate({ issuer: shortCa, profile: 'client', commonName: 'x', now: NOW });
    expect(verifyChain(leaf, { ca: shortCa, now: at(20) }).problems).toEqual([
      { code: 'ca-expired', severity: 'error', message: `CA certificate CN=short: expired at ${at(10).toISOString()}` },
    ]);

    // A leaf certificate used to sign another one is not a CA, even when trusted directly.
    const signedByLeaf = await handmade(sae, { name: 'CN=signed-by-leaf' });
    expect(verifyChain(signedByLeaf, { ca: sae, now: at(1) }).problems).toEqual([
      { code: 'issuer-not-ca', severity: 'error', message: 'issuer CN=SAE_A is not a CA (basicConstraints CA:true missing)' },
    ]);
  });
});

describe('checkCertificate', () => {
  it('passes a good SAE client certificate with no problems', async () => {
    const { ca, sae } = await lab();
    const report = checkCertificate(sae, { ca, now: at(10), profile: 'client', expectedCommonName: 'SAE_A', source: '/etc/qkd/sae_a.crt' });
    expect(report).toMatchObject({ ok: true, source: '/etc/qkd/sae_a.crt', subject: 'CN=SAE_A', problems: [] });
  });

  it('lists everything wrong in one pass', async () => {
    const { ca } = await lab();
    const other = await createCa({ commonName: 'other', now: NOW });
    const server = await issueCertificate({ issuer: other, profile: 'server', commonName: 'SAE_X', now: NOW, validityDays: 20 });
    const report = checkCertificate(server, { ca, now: at(30), profile: 'client', expectedCommonName: 'SAE_A' });
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.code).sort()).toEqual(['cn-mismatch', 'expired', 'missing-eku', 'unknown-issuer']);
    expect(() => assertCertificate(server, { ca, now: at(30), profile: 'client', expectedCommonName: 'SAE_A' })).toThrow(CertificateError);
    const err = (() => { try { assertCertificate(server, { ca, now: at(30), profile: 'client' }); } catch (e) { return e as CertificateError; } })()!;
    expect(err.source).toBe('CN=SAE_X');
    expect(err.problems).toHaveLength(3);
    expect(err.message).toMatch(/^CN=SAE_X: expired at .*; issuer CN=other .*; extendedKeyUsage lacks clientAuth \(has serverAuth\)$/);
  });

  it('warns about expiring soon, not yet valid, and server certificates without SANs or the wrong host', async () => {
    const { ca, sae } = await lab();
    const soon = checkCertificate(sae, { ca, now: at(350), warnDays: 30 });
    expect(soon.ok).toBe(true);
    expect(soon.problems.map((p) => p.code)).toEqual(['expiring-soon']);
    expect(soon.problems[0]?.message).toMatch(/^expires in 15\.0 days/);
    expect(checkCertificate(sae, { now: at(-1) }).problems.map((p) => p.code)).toEqual(['not-yet-valid']);

    const bare = await issueCertificate({ issuer: ca, profile: 'server', commonName: 'KME', now: NOW });
    expect(checkCertificate(bare, { now: at(1), profile: 'server' }).problems.map((p) => p.code)).toEqual(['no-san']);
    const kme = await issueCertificate({ issuer: ca, profile: 'server', commonName: 'KME', now: NOW, dnsNames: ['*.kme.lab'], ipAddresses: ['::1'] });
    expect(checkCertificate(kme, { now: at(1), profile: 'server', expectedHost: 'a.kme.lab' }).ok).toBe(true);
    expect(checkCertificate(kme, { now: at(1), profile: 'server', expectedHost: '0:0::1' }).ok).toBe(true);
    expect(checkCertificate(kme, { now: at(1), profile: 'server', expectedHost: 'a.b.kme.lab' }).problems.map((p) => p.code)).toEqual(['host-mismatch']);
    expect(checkCertificate(kme, { now: at(1), profile: 'server', expectedHost: '127.0.0.1' }).problems.map((p) => p.code)).toEqual(['host-mismatch']);
  });

  it('warns when a certificate outlives its CA', async () => {
    const shortCa = await createCa({ commonName: 'short CA', now: NOW, validityDays: 100 });
    const leaf = await issueCertificate({ issuer: shortCa, profile: 'client', commonName: 'SAE_A', now: NOW, validityDays: 365 });
    const report = checkCertificate(leaf, { ca: shortCa, now: at(1), profile: 'client' });
    expect(report.ok).toBe(true);
    expect(report.problems).toEqual([
      { code: 'outlives-ca', severity: 'warning', message: `valid until ${at(365).toISOString()}, but CA CN=short CA expires ${at(100).toISOString()}` },
    ]);
  });

  it('flags weak keys, weak signatures, and missing usages', async () => {
    const { ca } = await lab();
    const rsa1024 = (await webcrypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'],
    )) as CryptoKeyPair;
    const weak = await handmade(ca, { keys: rsa1024 });
    expect(checkCertificate(weak, { now: at(1) }).problems).toEqual([{ code: 'weak-key', severity: 'error', message: 'RSA key of 1024 bits, fewer than 2048' }]);

    // An RSA CA whose key is imported for SHA-1 signs with sha1WithRSAEncryption.
    const rsaCa = await createCa({ commonName: 'rsa CA', keyType: 'rsa-2048', now: NOW });
    const sha1Key = await webcrypto.subtle.importKey('pkcs8', Buffer.from(rsaCa.keyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' }, false, ['sign']);
    const sha1 = await handmade(rsaCa, { signingKey: sha1Key });
    expect(new NodeX509(Buffer.from(sha1.rawData)).verify(new NodeX509(rsaCa.certPem).publicKey)).toBe(true);
    expect(checkCertificate(sha1, { now: at(1) }).problems.map((p) => p.code)).toEqual(['weak-signature']);

    const noDs = await handmade(ca, { extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyEncipherment), new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])] });
    expect(checkCertificate(noDs, { now: at(1), profile: 'client' }).problems.map((p) => p.code)).toEqual(['missing-key-usage']);
    const noEku = await handmade(ca, {});
    expect(checkCertificate(noEku, { now: at(1), profile: 'client' }).problems).toMatchObject([{ code: 'no-eku', severity: 'warning' }]);
    expect(checkCertificate(ca, { now: at(1), profile: 'client' }).problems.map((p) => p.code)).toEqual(['no-eku', 'missing-key-usage', 'leaf-is-ca']);
  });
});
