// The renewal flow as an SAE runs it: renew, prove the new pair against a real mTLS KME, then
// confirm — or roll back when the KME refuses it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  confirmRenewal,
  createCa,
  issueCertificate,
  readCredentialFiles,
  renewalState,
  renewCredential,
  rollbackRenewal,
  signCsr,
  writeCredentialFiles,
  type Credential,
} from './index.js';
import { mtlsGet, startMtlsServer, type MtlsServer } from './testing/mtls.js';

let dir: string;
let ca: Credential;
let kme: MtlsServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cert-lcm-tls-'));
  ca = await createCa({ commonName: 'qkd-lab CA' });
  const server = await issueCertificate({ issuer: ca, profile: 'server', commonName: 'KME_A', ipAddresses: ['127.0.0.1'] });
  kme = await startMtlsServer({ certPem: server.certPem, keyPem: server.keyPem, caPem: ca.certPem });
});
afterAll(async () => {
  await kme.close();
  await rm(dir, { recursive: true, force: true });
});

async function callKme(paths: { certPath: string; keyPath: string }) {
  const sae = await readCredentialFiles(paths);
  return mtlsGet(kme.port, { caPem: ca.certPem, certPem: sae.certPem, keyPem: sae.keyPem });
}

describe('renew → use → confirm / rollback against a real mTLS server', () => {
  it('confirms a renewal the KME accepts', async () => {
    const paths = { certPath: join(dir, 'a.crt'), keyPath: join(dir, 'a.key') };
    await writeCredentialFiles(paths, await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_A' }));
    expect((await callKme(paths)).ok).toBe(true);
    await renewCredential({ ...paths, signer: { issuer: ca }, now: new Date() });
    expect(await callKme(paths)).toMatchObject({ ok: true, body: JSON.stringify({ peer: 'CN=SAE_A' }) });
    expect(await confirmRenewal(paths)).toBe(true);
    expect(await renewalState(paths)).toBe('current');
  });

  it('rolls back a renewal the KME refuses (signed by a CA the KME does not trust)', async () => {
    const paths = { certPath: join(dir, 'b.crt'), keyPath: join(dir, 'b.key') };
    await writeCredentialFiles(paths, await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_B' }));
    const newCa = await createCa({ commonName: 'qkd-lab CA 2027' });
    await renewCredential({
      ...paths,
      now: new Date(),
      signer: { ca: newCa, sign: async (csrPem) => (await signCsr({ issuer: newCa, csrPem, profile: 'client' })).certPem },
    });
    expect((await callKme(paths)).ok).toBe(false);
    await rollbackRenewal(paths);
    expect(await callKme(paths)).toMatchObject({ ok: true, body: JSON.stringify({ peer: 'CN=SAE_B' }) });
  });
});
