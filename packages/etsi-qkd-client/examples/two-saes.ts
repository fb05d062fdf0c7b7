// SAE_A asks its KME for a key shared with SAE_B; SAE_B fetches the same key from its own KME.
// Run against the simulator:  npx sim-kme pki --out ./pki && npx sim-kme serve
// then:                       npx tsx packages/etsi-qkd-client/examples/two-saes.ts
import { createQkdClient, QkdError } from '@qkd-macsec/etsi-qkd-client';

const pki = process.env.PKI_DIR ?? './pki';
const kmeA = createQkdClient({
  baseUrl: process.env.KME_A_URL ?? 'https://127.0.0.1:8443',
  tls: { certFile: `${pki}/saes/SAE_A.crt`, keyFile: `${pki}/saes/SAE_A.key`, caFile: `${pki}/ca.crt` },
});
const kmeB = createQkdClient({
  baseUrl: process.env.KME_B_URL ?? 'https://127.0.0.1:8444',
  tls: { certFile: `${pki}/saes/SAE_B.crt`, keyFile: `${pki}/saes/SAE_B.key`, caFile: `${pki}/ca.crt` },
});

try {
  const status = await kmeA.getStatus('SAE_B');
  console.log(`KME ${status.source_KME_ID} -> ${status.target_KME_ID}: ${status.stored_key_count} keys of ${status.key_size} bits stored`);

  // Master side: a new 256-bit key (a gcm-aes-256 CAK), checked locally against the Status.
  const issued = await kmeA.getKey('SAE_B', { number: 1, size: 256 });
  const [key] = issued.keys;
  console.log(`SAE_A got ${key} in ${issued.elapsedMs.toFixed(1)} ms`); // prints the key ID and length only

  // Slave side: the same key by its ID (normally sent to SAE_B over your own channel).
  const fetched = await kmeB.getKeyWithIds('SAE_A', [key!.keyId]);
  const [same] = fetched.keys;
  console.log(`SAE_B got ${same}; identical material: ${Buffer.from(key!.bytes).equals(same!.bytes)}`);

  key!.wipe();
  same!.wipe();
} catch (error) {
  if (!(error instanceof QkdError)) throw error;
  console.error(`${error.name}: ${error.message}`); // never contains key material
  process.exitCode = 1;
} finally {
  await Promise.all([kmeA.close(), kmeB.close()]);
}
