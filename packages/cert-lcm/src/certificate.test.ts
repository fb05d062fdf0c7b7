// The public Certificate type is a shape, not @peculiar/x509's class: a certificate object that is
// not this package's own (another copy of @peculiar/x509, or a plain object) is read from its DER.
import { describe, expect, it } from 'vitest';
import { certificateMatchesKey } from './credential.js';
import { createCa, describeCertificate, issueCertificate, toPem, type Certificate } from './index.js';

describe('Certificate', () => {
  it('any object of its shape works where a certificate is taken', async () => {
    const ca = await createCa({ commonName: 'shape CA' });
    const leaf = await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_S' });
    const c = leaf.certificate;
    const plain: Certificate = { subject: c.subject, issuer: c.issuer, serialNumber: c.serialNumber, notBefore: c.notBefore, notAfter: c.notAfter, rawData: c.rawData, toString: () => c.toString('pem') };
    expect(describeCertificate(plain)).toEqual(describeCertificate(leaf));
    expect(certificateMatchesKey(plain, leaf.keyPem)).toBe(true);
    expect(certificateMatchesKey(plain, ca.keyPem)).toBe(false);
    expect(toPem(plain)).toBe(leaf.certPem);
  });
});
