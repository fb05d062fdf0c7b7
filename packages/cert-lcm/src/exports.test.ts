// The package's run-time exports are exactly the documented ones: a new export is a decision
// (README first), not an accident.
import { describe, expect, it } from 'vitest';

describe('public API', () => {
  it('exports the documented functions, constants and error classes, and nothing of @peculiar/x509', async () => {
    expect(Object.keys(await import('./index.js')).sort()).toEqual(
      [
        'CertLcmError', 'CertificateError', 'CertificateRequestError', 'CsrError', 'DEFAULT_KEY_TYPE', 'DistributionError', 'FileError', 'KEY_TYPES',
        'PrivateKeyError', 'RenewalError', 'assertCertificate', 'checkCertificate', 'confirmRenewal', 'createCa', 'createCsr', 'describeCertificate',
        'fetchCaFromFile', 'fetchCaFromTlsServer', 'fetchCaFromUrl', 'fetchPresentedChain', 'fingerprint', 'inWindow', 'issueCertificate',
        'loadCredential', 'nextWindowStart', 'parseCertificate', 'parseCertificates', 'parseCsr', 'planRenewals', 'readCredentialFiles',
        'renderJunosPki', 'renewCredential', 'renewalState', 'rollbackRenewal', 'signCsr', 'toDer', 'toPem', 'uploadCredential', 'validFor',
        'verifyChain', 'writeCredentialFiles', 'writeFileAtomic',
      ].sort(),
    );
  });
});
