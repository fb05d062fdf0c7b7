import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CsrError, createCa, createCsr, describeCertificate, loadCredential, parseCsr, signCsr, verifyChain } from './index.js';
import { x509, type CryptoKeyPair } from './x509.js';

const NOW = new Date('2026-03-01T12:00:00Z');

describe('createCsr', () => {
  it('makes a self-signed PKCS#10 request with CN and SANs, and hides its key', async () => {
    const req = await createCsr({ commonName: 'SAE_B', dnsNames: ['sae-b.lab'], ipAddresses: ['10.0.0.2'], keyType: 'ecdsa-p384' });
    expect(req.csrPem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n/);
    const csr = parseCsr(req.csrPem) as x509.Pkcs10CertificateRequest; // what it is at run time
    expect(csr.subject).toBe('CN=SAE_B');
    expect(await csr.verify()).toBe(true);
    expect(req.keyType).toBe('ecdsa-p384');
    for (const shown of [String(req), JSON.stringify(req), inspect(req)]) expect(shown).not.toContain('PRIVATE KEY');
    expect(String(req)).toBe('CertificateSigningRequest(CN=SAE_B, ecdsa-p384)');
  });
});

describe('signCsr', () => {
  it('signs with a local CA: subject, SANs copied, profile chosen by the CA, chain verifies, key pair loads', async () => {
    const ca = await createCa({ commonName: 'CA', now: NOW });
    const req = await createCsr({ commonName: 'SAE_B', dnsNames: ['sae-b.lab'], ipAddresses: ['10.0.0.2'] });
    const signed = await signCsr({ issuer: ca, csrPem: req.csrPem, profile: 'client', now: NOW, validityDays: 90, expectedCommonName: 'SAE_B' });
    const info = describeCertificate(signed.certPem);
    expect(info.subject).toBe('CN=SAE_B');
    expect(info.dnsNames).toEqual(['sae-b.lab']);
    expect(info.ipAddresses).toEqual(['10.0.0.2']);
    expect(info.extendedKeyUsages).toEqual(['clientAuth']);
    expect(info.notAfter.getTime() - info.notBefore.getTime()).toBe(90 * 86_400_000);
    expect(verifyChain(signed.certPem, { ca: ca.certPem, now: NOW }).ok).toBe(true);
    const cred = await loadCredential({ certPem: signed.certPem, keyPem: req.keyPem, source: 'SAE_B' });
    expect(cred.certificate.subject).toBe('CN=SAE_B');
  });

  it('lets the CA override the SANs and accepts DER input', async () => {
    const ca = await createCa({ commonName: 'CA' });
    const req = await createCsr({ commonName: 'KME_B', dnsNames: ['wrong.example'], keyType: 'rsa-2048' });
    const der = new Uint8Array(req.csr.rawData);
    const signed = await signCsr({ issuer: ca, csrPem: der, profile: 'server', ipAddresses: ['127.0.0.1'] });
    const info = describeCertificate(signed.certificate);
    expect(info.dnsNames).toEqual([]);
    expect(info.ipAddresses).toEqual(['127.0.0.1']);
    expect(info.keyUsages).toEqual(['digitalSignature', 'keyEncipherment']);
  });

  it('refuses a CSR with the wrong CN, a forged signature, a weak key, or that is not a CSR', async () => {
    const ca = await createCa({ commonName: 'CA' });
    const req = await createCsr({ commonName: 'SAE_B' });
    await expect(signCsr({ issuer: ca, csrPem: req.csrPem, profile: 'client', expectedCommonName: 'SAE_C' })).rejects.toThrow(
      'CSR CN=SAE_B: the CSR CN is "SAE_B", expected "SAE_C"',
    );

    // Flip a bit in the signature: the request no longer proves possession of the key.
    const der = new Uint8Array(req.csr.rawData);
    der[der.length - 5]! ^= 0x01;
    const err = await signCsr({ issuer: ca, csrPem: der, profile: 'client' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CsrError);
    expect((err as CsrError).problems).toContain('the CSR signature does not verify (not signed by its own key)');

    const weakKeys = (await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    )) as CryptoKeyPair;
    const weak = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=weak', keys: weakKeys, signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5' } });
    await expect(signCsr({ issuer: ca, csrPem: weak.toString('pem'), profile: 'client' })).rejects.toThrow(/unsupported or weak key rsa-1024/);

    await expect(signCsr({ issuer: ca, csrPem: ca.certPem, profile: 'client' })).rejects.toThrow('signCsr: CSR: PEM block is a CERTIFICATE, expected a CERTIFICATE REQUEST');
    await expect(signCsr({ issuer: ca, csrPem: 'hello', profile: 'client' })).rejects.toThrow(/no PEM "-----BEGIN CERTIFICATE REQUEST-----" block/);
  });
});
