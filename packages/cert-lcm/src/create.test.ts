import { createPrivateKey, X509Certificate as NodeX509 } from 'node:crypto';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CertificateRequestError, createCa, issueCertificate, KEY_TYPES, type Credential } from './index.js';
import { toCertificate } from './inspect.js';
import { x509 } from './x509.js';
import { mtlsGet, startMtlsServer, type MtlsServer } from './testing/mtls.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const DAY = 86_400_000;

describe('createCa', () => {
  it('makes a self-signed CA with CA:true, pathLength, keyCertSign+cRLSign and an SKI', async () => {
    const ca = await createCa({ commonName: 'qkd-lab CA', pathLength: 1, now: NOW, serial: '0a1b' });
    const cert = toCertificate(ca.certificate);
    expect(cert.subject).toBe('CN=qkd-lab CA');
    expect(cert.issuer).toBe('CN=qkd-lab CA');
    expect(cert.serialNumber).toBe('0a1b');
    expect(cert.notBefore.toISOString()).toBe(NOW.toISOString());
    expect(cert.notAfter.getTime()).toBe(NOW.getTime() + 3650 * DAY);
    const bc = cert.getExtension(x509.BasicConstraintsExtension)!;
    expect(bc.ca).toBe(true);
    expect(bc.pathLength).toBe(1);
    expect(bc.critical).toBe(true);
    const ku = cert.getExtension(x509.KeyUsagesExtension)!;
    expect(ku.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
    expect(await cert.verify({ signatureOnly: true })).toBe(true);
    expect(ca.keyType).toBe('ecdsa-p256');
    // Node's own X.509 parser agrees it is a CA that issued itself.
    const node = new NodeX509(ca.certPem);
    expect(node.ca).toBe(true);
    expect(node.checkIssued(node)).toBe(true);
  });

  it('uses a random positive 16-byte serial by default', async () => {
    const a = await createCa({ commonName: 'A' });
    const b = await createCa({ commonName: 'A' });
    expect(a.certificate.serialNumber).toMatch(/^[4-7][0-9a-f]{31}$/);
    expect(a.certificate.serialNumber).not.toBe(b.certificate.serialNumber);
  });

  it('rejects bad arguments with a CertificateRequestError naming the problem', async () => {
    await expect(createCa({ commonName: '' })).rejects.toThrow(/commonName must be a non-empty string/);
    await expect(createCa({ commonName: 'X', keyType: 'dsa-1024' as never })).rejects.toThrow(/unknown key type "dsa-1024"/);
    await expect(createCa({ commonName: 'X', serial: 'xyz' })).rejects.toThrow(/serial must be a non-zero hex string/);
    await expect(createCa({ commonName: 'X', pathLength: -1 })).rejects.toThrow(/pathLength must be a non-negative integer/);
    await expect(createCa({ commonName: 'X', validityDays: 0 })).rejects.toThrow(CertificateRequestError);
    await expect(createCa({ commonName: 'X', now: new Date('nope') })).rejects.toThrow(/now must be a valid Date/);
  });

  it('can make an intermediate CA signed by a root', async () => {
    const root = await createCa({ commonName: 'root', pathLength: 1 });
    const mid = await createCa({ commonName: 'mid', issuer: root });
    expect(mid.certificate.issuer).toBe('CN=root');
    expect(await toCertificate(mid.certificate).verify({ publicKey: toCertificate(root.certificate), signatureOnly: true })).toBe(true);
    expect(toCertificate(mid.certificate).getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(
      toCertificate(root.certificate).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
    );
  });
});

describe('issueCertificate', () => {
  it('issues a client certificate: clientAuth, digitalSignature, AKI = issuer SKI, CA:false', async () => {
    const ca = await createCa({ commonName: 'CA', now: NOW });
    const sae = await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_A', now: NOW });
    const cert = toCertificate(sae.certificate);
    expect(cert.subject).toBe('CN=SAE_A');
    expect(cert.issuer).toBe('CN=CA');
    expect(cert.notAfter.getTime()).toBe(NOW.getTime() + 365 * DAY);
    expect(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([x509.ExtendedKeyUsage.clientAuth]);
    expect(cert.getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(cert.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);
    expect(cert.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(toCertificate(ca.certificate).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
    expect(cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
    expect(cert.getExtension(x509.SubjectAlternativeNameExtension)).toBeNull();
    expect(await cert.verify({ publicKey: toCertificate(ca.certificate), date: new Date(NOW.getTime() + DAY) })).toBe(true);
  });

  it('issues a server certificate with serverAuth and the given SANs; RSA gets keyEncipherment', async () => {
    const ca = await createCa({ commonName: 'CA' });
    const kme = await issueCertificate({
      issuer: ca, profile: 'server', commonName: 'KME_A', keyType: 'rsa-2048',
      dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'],
    });
    expect(toCertificate(kme.certificate).getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([x509.ExtendedKeyUsage.serverAuth]);
    expect(toCertificate(kme.certificate).getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
    expect(new NodeX509(kme.certPem).subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(kme.keyType).toBe('rsa-2048');
  });

  it('lets explicit notBefore/notAfter override validityDays (for already-expired certificates)', async () => {
    const ca = await createCa({ commonName: 'CA' });
    const notBefore = new Date('2020-01-01T00:00:00Z');
    const notAfter = new Date('2020-02-01T00:00:00Z');
    const old = await issueCertificate({ issuer: ca, profile: 'client', commonName: 'old', validityDays: 999, notBefore, notAfter });
    expect(old.certificate.notBefore).toEqual(notBefore);
    expect(old.certificate.notAfter).toEqual(notAfter);
  });

  it('refuses a non-CA issuer, a bad profile, bad SANs and inverted dates', async () => {
    const ca = await createCa({ commonName: 'CA' });
    const leaf = await issueCertificate({ issuer: ca, profile: 'client', commonName: 'leaf' });
    await expect(issueCertificate({ issuer: leaf, profile: 'client', commonName: 'x' })).rejects.toThrow(/issuer CN=leaf is not a CA certificate/);
    await expect(issueCertificate({ issuer: ca, profile: 'peer' as never, commonName: 'x' })).rejects.toThrow(/profile must be 'client' or 'server'/);
    await expect(issueCertificate({ issuer: ca, profile: 'server', commonName: 'x', ipAddresses: ['300.1.1.1'] })).rejects.toThrow(/invalid IP address in ipAddresses: "300.1.1.1"/);
    await expect(issueCertificate({ issuer: ca, profile: 'server', commonName: 'x', dnsNames: ['bad name'] })).rejects.toThrow(/invalid DNS name/);
    await expect(
      issueCertificate({ issuer: ca, profile: 'client', commonName: 'x', notBefore: NOW, notAfter: new Date(NOW.getTime() - 1) }),
    ).rejects.toThrow(/notAfter .* must be after notBefore/);
    await expect(issueCertificate({ issuer: undefined as never, profile: 'client', commonName: 'x' })).rejects.toThrow(/issuer must be a Credential/);
  });
});

describe('Credential redaction', () => {
  it('never shows the private key in toString, JSON, inspect or enumeration, but keyPem is a loadable PKCS#8 key', async () => {
    const ca = await createCa({ commonName: 'CA' });
    const sae = await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_A' });
    const keyBody = sae.keyPem.split('\n')[1]!;
    for (const shown of [String(sae), JSON.stringify(sae), inspect(sae, { depth: 10 }), `${sae}`, JSON.stringify({ ...sae })]) {
      expect(shown).not.toContain('PRIVATE KEY');
      expect(shown).not.toContain(keyBody);
    }
    expect(String(sae)).toBe(`Credential(CN=SAE_A, serial ${sae.certificate.serialNumber})`);
    expect(JSON.parse(JSON.stringify(sae))).toEqual({ subject: 'CN=SAE_A', serial: sae.certificate.serialNumber, notAfter: sae.certificate.notAfter.toISOString() });
    expect(Object.keys(sae)).not.toContain('keyPem');
    expect(sae.keyPem).toMatch(/^-{5}BEGIN PRIVATE KEY-{5}\n/);
    expect(createPrivateKey(sae.keyPem).asymmetricKeyType).toBe('ec');
  });
});

describe('real mutual TLS with node:https', () => {
  let server: MtlsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function pki(keyType: (typeof KEY_TYPES)[number]) {
    const ca = await createCa({ commonName: `CA ${keyType}`, keyType });
    const kme = await issueCertificate({ issuer: ca, profile: 'server', commonName: 'KME_A', keyType, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] });
    const sae = await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_A', keyType });
    return { ca, kme, sae };
  }

  function get(port: number, client: Credential | undefined, ca: Credential) {
    return mtlsGet(port, { caPem: ca.certPem, ...(client ? { certPem: client.certPem, keyPem: client.keyPem } : {}) });
  }

  for (const keyType of KEY_TYPES) {
    it(`accepts a client certificate from the CA over TLS 1.3 and 1.2, key type ${keyType}`, async () => {
      const { ca, kme, sae } = await pki(keyType);
      server = await startMtlsServer({ certPem: kme.certPem, keyPem: kme.keyPem, caPem: ca.certPem });
      const outcome = await get(server.port, sae, ca);
      expect(outcome).toEqual({ ok: true, body: JSON.stringify({ peer: 'CN=SAE_A' }), protocol: 'TLSv1.3' });
      const tls12 = await mtlsGet(server.port, { caPem: ca.certPem, certPem: sae.certPem, keyPem: sae.keyPem, maxVersion: 'TLSv1.2' });
      expect(tls12).toEqual({ ok: true, body: JSON.stringify({ peer: 'CN=SAE_A' }), protocol: 'TLSv1.2' });
      expect(server.clientErrors).toEqual([]);
    }, 120_000); // RSA-4096 key generation is slow on a busy 2-core machine
  }

  it('refuses an expired client certificate, one from another CA, and none at all', async () => {
    const { ca, kme } = await pki('ecdsa-p256');
    server = await startMtlsServer({ certPem: kme.certPem, keyPem: kme.keyPem, caPem: ca.certPem });
    const expired = await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_OLD', notBefore: new Date('2020-01-01Z'), notAfter: new Date('2020-06-01Z') });
    const otherCa = await createCa({ commonName: 'Other CA' });
    const stranger = await issueCertificate({ issuer: otherCa, profile: 'client', commonName: 'SAE_X' });

    // Node's https server drops a client that fails verification without saying why (the
    // server sees "socket hang up"); what matters is that the handshake never reaches the handler.
    for (const client of [expired, stranger, undefined]) {
      const outcome = await get(server.port, client, ca);
      expect(outcome.ok, `client ${String(client)}`).toBe(false);
    }
    expect(server.clientErrors).toHaveLength(3);

    // The same server still serves a good client afterwards.
    const good = await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_A' });
    expect((await get(server.port, good, ca)).ok).toBe(true);
  });

  it('a client refuses a server whose certificate comes from another CA', async () => {
    const { ca, sae } = await pki('ecdsa-p256');
    const otherCa = await createCa({ commonName: 'Other CA' });
    const rogue = await issueCertificate({ issuer: otherCa, profile: 'server', commonName: 'KME_A', ipAddresses: ['127.0.0.1'] });
    server = await startMtlsServer({ certPem: rogue.certPem, keyPem: rogue.keyPem, caPem: ca.certPem });
    const outcome = await get(server.port, sae, ca);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.message).toMatch(/self.signed|unable to (get|verify)|local issuer/i);
  });
});
