// Certificates for the in-package TLS tests, made at test time with @qkd-macsec/cert-lcm; the one
// it does not make (a self-signed leaf) with @peculiar/x509 directly, which needs the Reflect
// polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { KeyObject, webcrypto } from 'node:crypto';
import { createCa, issueCertificate, type Credential } from '@qkd-macsec/cert-lcm';

export interface TestPki {
  ca: Credential;
  /** KME server certificate for 127.0.0.1, signed by `ca`. */
  server: Credential;
  /** SAE_A client certificate, signed by `ca`. */
  client: Credential;
  /** A CA the KME does not trust, with a client and a server certificate of its own. */
  otherCa: Credential;
  otherClient: Credential;
  otherServer: Credential;
  /** Signed by `ca` but expired yesterday. */
  expiredServer: Credential;
  /** A self-signed server certificate (a leaf, not a CA) for 127.0.0.1. */
  selfSignedServer: { certPem: string; keyPem: string };
}

const DAY = 86_400_000;

export async function makeTestPki(): Promise<TestPki> {
  const ca = await createCa({ commonName: 'Test KME CA' });
  const otherCa = await createCa({ commonName: 'Some Other CA' });
  const server = (issuer: Credential, extra: { notBefore?: Date; notAfter?: Date } = {}) =>
    issueCertificate({ issuer, profile: 'server', commonName: 'KME_A', ipAddresses: ['127.0.0.1'], ...extra });
  return {
    ca,
    otherCa,
    server: await server(ca),
    client: await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_A' }),
    otherClient: await issueCertificate({ issuer: otherCa, profile: 'client', commonName: 'SAE_X' }),
    otherServer: await server(otherCa),
    expiredServer: await server(ca, { notBefore: new Date(Date.now() - 10 * DAY), notAfter: new Date(Date.now() - DAY) }),
    selfSignedServer: await selfSignedServer(),
  };
}

async function selfSignedServer(): Promise<{ certPem: string; keyPem: string }> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=KME_SELF',
    keys,
    signingAlgorithm: algorithm,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + DAY),
    extensions: [
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }]),
    ],
  }, webcrypto);
  const keyPem = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string;
  return { certPem: certificate.toString('pem'), keyPem };
}
