import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { issueCertificate } from '@qkd-macsec/cert-lcm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createQkdClient, type QkdClient, type QkdClientOptions } from './client.js';
import { QkdConfigError, QkdError, QkdTlsError } from './errors.js';
import { makeTestPki, type TestPki } from './testing/pki.js';
import { json, recordingLogger, startStubKme, statusBody, type StubKme, type StubTls } from './testing/stub-kme.js';

let pki: TestPki;
let dir: string;
const open: Array<StubKme | QkdClient> = [];

beforeAll(async () => {
  pki = await makeTestPki();
  dir = mkdtempSync(join(tmpdir(), 'etsi-qkd-client-tls-'));
  writeFileSync(join(dir, 'sae.pem'), pki.client.certPem);
  writeFileSync(join(dir, 'sae.key'), pki.client.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'ca.pem'), pki.ca.certPem);
  writeFileSync(join(dir, 'other.key'), pki.otherClient.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'unreadable.pem'), pki.client.certPem, { mode: 0o000 });
  writeFileSync(join(dir, 'garbage.pem'), 'hello\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

afterEach(async () => {
  for (const thing of open.splice(0)) await thing.close();
});

async function kme(tls: Partial<StubTls> = {}): Promise<StubKme> {
  const stub = await startStubKme((_req, res) => json(res, 200, statusBody()), { cert: pki.server.certPem, key: pki.server.keyPem, ca: pki.ca.certPem, ...tls });
  open.push(stub);
  return stub;
}

function client(options: QkdClientOptions): QkdClient {
  const c = createQkdClient({ retry: { limit: 2, baseDelayMs: 1, maxDelayMs: 5 }, logger: recordingLogger(), ...options });
  open.push(c);
  return c;
}

const secretsOf = (p: TestPki) => [p.client.keyPem, p.otherClient.keyPem, p.server.keyPem].flatMap((pem) => pem.split('\n').filter((line) => line.length > 40));

describe('mutual TLS', () => {
  it('reads certificate, key and CA bundle from files and presents the client certificate', async () => {
    const stub = await kme();
    const c = client({ baseUrl: stub.url, tls: { certFile: join(dir, 'sae.pem'), keyFile: join(dir, 'sae.key'), caFile: join(dir, 'ca.pem') } });
    await c.getStatus('SAE_B');
    expect(stub.requests[0]!.clientCn).toBe('SAE_A');
  });

  it('accepts Buffers as inline PEM', async () => {
    const stub = await kme();
    const c = client({ baseUrl: stub.url, tls: { cert: Buffer.from(pki.client.certPem), key: Buffer.from(pki.client.keyPem), ca: Buffer.from(pki.ca.certPem) } });
    await expect(c.getStatus('SAE_B')).resolves.toMatchObject({ slave_SAE_ID: 'SAE_B' });
  });

  it('fails with QkdTlsError when the server certificate is not signed by the CA bundle, naming the bundle', async () => {
    const stub = await kme({ cert: pki.otherServer.certPem, key: pki.otherServer.keyPem });
    const c = client({ baseUrl: stub.url, tls: { certFile: join(dir, 'sae.pem'), keyFile: join(dir, 'sae.key'), caFile: join(dir, 'ca.pem') } });
    const error = await c.getStatus('SAE_B').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QkdTlsError);
    expect((error as QkdTlsError).code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/);
    expect((error as Error).message).toContain(`is not signed by the CA bundle caFile ${join(dir, 'ca.pem')}`);
    expect(stub.requests).toHaveLength(0); // and not retried into the server
  });

  it('names a self-signed server certificate as not signed by the CA bundle', async () => {
    const stub = await kme({ cert: pki.selfSignedServer.certPem, key: pki.selfSignedServer.keyPem });
    const error = await client({ baseUrl: stub.url, tls: { cert: pki.client.certPem, key: pki.client.keyPem, ca: pki.ca.certPem } }).getStatus('SAE_B').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QkdTlsError);
    expect((error as QkdTlsError).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect((error as Error).message).toMatch(/is not signed by the CA bundle tls\.ca/);
  });

  it('says so when the server presents a certificate not meant for TLS servers (a CA certificate)', async () => {
    const stub = await kme({ cert: pki.otherCa.certPem, key: pki.otherCa.keyPem });
    const error = await client({ baseUrl: stub.url, tls: { cert: pki.client.certPem, key: pki.client.keyPem, ca: pki.ca.certPem } }).getStatus('SAE_B').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QkdTlsError);
    expect((error as QkdTlsError).code).toBe('INVALID_PURPOSE');
    expect((error as Error).message).toMatch(/not valid for a TLS server/);
  });

  it('fails with QkdTlsError on an expired server certificate and on a host name the certificate does not cover', async () => {
    const expired = await kme({ cert: pki.expiredServer.certPem, key: pki.expiredServer.keyPem });
    const tls = { cert: pki.client.certPem, key: pki.client.keyPem, ca: pki.ca.certPem };
    const e1 = await client({ baseUrl: expired.url, tls }).getStatus('SAE_B').catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(QkdTlsError);
    expect((e1 as QkdTlsError).code).toBe('CERT_HAS_EXPIRED');
    expect((e1 as Error).message).toMatch(/server certificate of 127\.0\.0\.1:\d+ has expired/);

    const good = await kme();
    const e2 = await client({ baseUrl: good.url.replace('127.0.0.1', 'localhost'), tls }).getStatus('SAE_B').catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(QkdTlsError);
    expect((e2 as QkdTlsError).code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect((e2 as Error).message).toMatch(/does not name localhost:\d+/);
  });

  it('says the KME rejected our client certificate when it sends an alert, and hints at it when it just closes', async () => {
    // Node's TLS server checks client certificates after the handshake and closes the socket
    // without an alert (TLS 1.2 and 1.3); a missing certificate gets an alert from OpenSSL.
    for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
      const stub = await kme({ maxVersion });
      const c = client({ baseUrl: stub.url, tls: { cert: pki.otherClient.certPem, key: pki.otherClient.keyPem, ca: pki.ca.certPem } });
      const error = await c.getStatus('SAE_B').catch((e: unknown) => e);
      expect(error, maxVersion).toBeInstanceOf(QkdError);
      expect((error as Error).message, maxVersion).toMatch(/rejected our client certificate/);
      expect((error as QkdError).saeIds).toEqual(['SAE_B']);
      const text = [String(error), inspect(error, { depth: 10 })].join('\n');
      for (const secret of secretsOf(pki)) expect(text).not.toContain(secret);
    }
  });

  it('says a client certificate is needed when none is configured (TLS 1.3 alert seen on a closed socket, TLS 1.2 alert)', async () => {
    for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
      const stub = await kme({ maxVersion });
      const logger = recordingLogger();
      const error = await client({ baseUrl: stub.url, tls: { ca: pki.ca.certPem }, logger }).getStatus('SAE_B').catch((e: unknown) => e);
      expect(error, maxVersion).toBeInstanceOf(QkdTlsError);
      expect((error as QkdTlsError).code, maxVersion).toMatch(/^ERR_SSL_/);
      expect((error as Error).message).toMatch(/requires a client certificate and none is configured/);
      expect(logger.lines.filter((line) => line.includes('retry'))).toEqual([]); // a TLS rejection is not retried
    }
  });

  it('insecureSkipVerify connects to an untrusted server, and logs a warning when the client is made', async () => {
    const stub = await kme({ cert: pki.otherServer.certPem, key: pki.otherServer.keyPem });
    const logger = recordingLogger();
    const c = client({ baseUrl: stub.url, tls: { cert: pki.client.certPem, key: pki.client.keyPem }, insecureSkipVerify: true, logger });
    expect(logger.lines.join('\n')).toMatch(/warn insecureSkipVerify is set: the KME server certificate is NOT verified/);
    await expect(c.getStatus('SAE_B')).resolves.toMatchObject({ slave_SAE_ID: 'SAE_B' });
  });
});

describe('TLS configuration errors', () => {
  const make = (tls: Record<string, unknown>) => () => createQkdClient({ baseUrl: 'https://127.0.0.1:1', tls: tls as never, logger: recordingLogger() });

  it('names a missing or unreadable file', () => {
    expect(make({ certFile: join(dir, 'nope.pem'), keyFile: join(dir, 'sae.key') })).toThrow(`tls.certFile ${join(dir, 'nope.pem')} does not exist`);
    expect(make({ caFile: join(dir, 'missing-ca.pem') })).toThrow(/tls\.caFile .*missing-ca\.pem does not exist/);
    if (process.getuid?.() !== 0) {
      expect(make({ caFile: join(dir, 'unreadable.pem') })).toThrow(/is not readable/);
    }
  });

  it('refuses half a client identity, a key that does not match, garbage PEM and both inline and file', () => {
    expect(make({ cert: pki.client.certPem })).toThrow(/tls\.cert is given without its private key/);
    expect(make({ keyFile: join(dir, 'sae.key') })).toThrow(/keyFile .* is given without its certificate/);
    expect(make({ certFile: join(dir, 'sae.pem'), keyFile: join(dir, 'other.key') })).toThrow(/keyFile .*other\.key is not the private key of the certificate in certFile .*sae\.pem/);
    expect(make({ caFile: join(dir, 'garbage.pem') })).toThrow(/garbage\.pem holds no PEM certificate/);
    expect(make({ cert: pki.client.certPem, key: 'hello' })).toThrow(/tls\.key holds no PEM private key/);
    expect(make({ ca: pki.ca.certPem, caFile: join(dir, 'ca.pem') })).toThrow(/both set/);
    for (const f of [make({ cert: pki.client.certPem, key: pki.otherClient.keyPem }), make({ cert: pki.client.certPem, key: pki.client.keyPem.replace(/\n[A-Za-z0-9+/]{24}/, '\n') })]) {
      const error = (() => {
        try {
          f();
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(QkdConfigError);
      expect((error as QkdConfigError).endpoint).toBe('https://127.0.0.1:1');
      for (const secret of secretsOf(pki)) expect(String(error)).not.toContain(secret);
    }
  });

  it('warns at creation when the client certificate has expired', async () => {
    const expired = await issueCertificate({
      issuer: pki.ca,
      profile: 'client',
      commonName: 'SAE_OLD',
      notBefore: new Date(Date.now() - 10 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const logger = recordingLogger();
    await createQkdClient({ baseUrl: 'https://127.0.0.1:1', tls: { cert: expired.certPem, key: expired.keyPem }, logger }).close();
    expect(logger.lines).toEqual([expect.stringMatching(/^warn client certificate tls\.cert expired on .*; the KME will reject it$/)]);
  });

  it('refuses an encrypted private key with a clear message', () => {
    const { privateKey: encrypted } = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'test-only' },
    });
    expect(make({ cert: pki.client.certPem, key: encrypted })).toThrow(/tls\.key is an encrypted private key/);
  });
});
