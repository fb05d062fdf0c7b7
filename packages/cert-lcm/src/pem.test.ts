import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CertificateError, createCa, issueCertificate, loadCredential, parseCertificate, parseCertificates, PrivateKeyError, toDer, toPem } from './index.js';

describe('parseCertificates', async () => {
  const ca = await createCa({ commonName: 'CA' });
  const leaf = await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_A' });

  it('round-trips PEM and DER, and reads bundles with text between blocks', () => {
    const fromPem = parseCertificate(leaf.certPem);
    expect(Buffer.from(fromPem.rawData).equals(Buffer.from(leaf.certificate.rawData))).toBe(true);
    const der = toDer(fromPem);
    expect(der[0]).toBe(0x30);
    expect(toPem(parseCertificate(der))).toBe(leaf.certPem);
    const bundle = `subject=CN=SAE_A\n${leaf.certPem}\nsome comment\r\n${ca.certPem.replace(/\n/g, '\r\n')}`;
    expect(parseCertificates(bundle, 'bundle.pem').map((c) => c.subject)).toEqual(['CN=SAE_A', 'CN=CA']);
    expect(toPem([leaf.certificate, ca.certificate])).toBe(leaf.certPem + ca.certPem);
    expect(parseCertificates(Buffer.from(leaf.certPem))).toHaveLength(1);
  });

  it('gives clear errors for garbage, truncation, wrong labels, keys, and bundles where one is expected', () => {
    const cases: [string | Uint8Array, RegExp][] = [
      ['', /^x\.pem: empty input: no certificate found$/],
      ['just some text', /x\.pem: no PEM "-----BEGIN CERTIFICATE-----" block and not DER/],
      [leaf.certPem.slice(0, 200), /x\.pem: PEM block 1 \(CERTIFICATE\) is truncated: no "-----END CERTIFICATE-----" line/],
      [leaf.certPem.replace(/^(-----BEGIN CERTIFICATE-----\n)(.{10})/, '$1!!!!!!!!!!'), /x\.pem: PEM block 1 \(CERTIFICATE\) has a damaged Base64 body/],
      [leaf.keyPem, /^x\.pem: PEM block 1 is a PRIVATE KEY, expected a CERTIFICATE$/],
      ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', /x\.pem: PEM block 1 is not a valid X\.509 certificate/],
      [new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]), /x\.pem: DER input is not a valid X\.509 certificate/],
      [`${leaf.certPem}-----BEGIN CERTIFICATE-----\nMII`, /PEM block 2 \(CERTIFICATE\) is truncated/],
    ];
    for (const [input, message] of cases) {
      const err = (() => { try { parseCertificates(input, 'x.pem'); } catch (e) { return e; } })();
      expect(err, String(message)).toBeInstanceOf(CertificateError);
      expect((err as CertificateError).message).toMatch(message);
      expect((err as CertificateError).source).toBe('x.pem');
      // A private key handed over by mistake is never echoed back.
      expect((err as Error).message).not.toContain(leaf.keyPem.split('\n')[1]);
    }
    expect(() => parseCertificate(leaf.certPem + ca.certPem, 'one.pem')).toThrow('one.pem: expected one certificate, found 2');
  });

  it('loadCredential pairs a certificate with its key, and names what is wrong otherwise', async () => {
    const cred = await loadCredential({ certPem: leaf.certPem, keyPem: leaf.keyPem, source: 'sae.crt' });
    expect(String(cred)).toContain('CN=SAE_A');
    const fromBundle = await loadCredential({ certPem: leaf.certPem + ca.certPem, keyPem: leaf.keyPem });
    expect(fromBundle.certPem).toBe(leaf.certPem);
    await expect(loadCredential({ certPem: leaf.certPem, keyPem: ca.keyPem, source: 'sae' })).rejects.toThrow(
      new RegExp(`^sae: the private key does not belong to certificate CN=SAE_A \\(serial ${leaf.certificate.serialNumber}\\)$`),
    );
    await expect(loadCredential({ certPem: leaf.certPem, keyPem: leaf.certPem, source: 'sae' })).rejects.toThrow('sae (private key): found a CERTIFICATE where a private key was expected');
    const truncated = leaf.keyPem.slice(0, 60) + leaf.keyPem.slice(leaf.keyPem.lastIndexOf('\n-'));
    const err = await loadCredential({ certPem: leaf.certPem, keyPem: truncated, source: 'sae' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrivateKeyError);
    expect((err as Error).message).toBe('sae (private key): the private key PEM is damaged or truncated');
    expect(JSON.stringify(err)).not.toContain(leaf.keyPem.slice(28, 60));
    await expect(loadCredential({ certPem: leaf.keyPem, keyPem: leaf.keyPem, source: 'sae' })).rejects.toThrow('sae (certificate): PEM block 1 is a PRIVATE KEY, expected a CERTIFICATE');
    const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const unsupported = await loadCredential({ certPem: leaf.certPem, keyPem: p521, source: 'sae' }).catch((e: unknown) => e as PrivateKeyError);
    expect(unsupported).toMatchObject({ reason: 'unsupported', message: expect.stringMatching(/^sae \(private key\): unsupported private key type ec-secp521r1 \(expected one of rsa-2048, /) });
    const encrypted = createPrivateKey(leaf.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string;
    await expect(loadCredential({ certPem: leaf.certPem, keyPem: encrypted, source: 'sae' })).rejects.toThrow(/the private key is encrypted/);
  });
});
