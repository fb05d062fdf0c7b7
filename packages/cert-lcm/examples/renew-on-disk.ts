import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  confirmRenewal, createCa, issueCertificate, renewCredential, renewalState, rollbackRenewal, signCsr, writeCredentialFiles,
} from '@qkd-macsec/cert-lcm';

const dir = await mkdtemp(join(tmpdir(), 'sae-'));
const paths = { certPath: join(dir, 'sae_a.crt'), keyPath: join(dir, 'sae_a.key') };
const ca = await createCa({ commonName: 'qkd-lab CA' });
await writeCredentialFiles(paths, await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_A' }));

// Local CA: new key pair + certificate; sae_a.crt.prev / sae_a.key.prev kept.
const renewed = await renewCredential({ ...paths, signer: { issuer: ca }, now: new Date() });
console.log('renewed', `${renewed.credential}`, await renewalState(paths)); // pending-confirmation
// … use it against the KME; if that works:
await confirmRenewal(paths);

// External CA: the hook gets a CSR and returns the signed certificate (here a local signCsr
// stands in for the CA's API); the result is checked against the new key, the CN and `ca`.
await renewCredential({
  ...paths, now: new Date(), signer: {
    ca,
    sign: async (csrPem) => (await signCsr({ issuer: ca, csrPem, profile: 'client', expectedCommonName: 'SAE_A' })).certPem,
  },
});
// … the KME refused it: put the previous pair back.
const restored = await rollbackRenewal(paths);
console.log('rolled back to', `${restored}`, await renewalState(paths)); // current
