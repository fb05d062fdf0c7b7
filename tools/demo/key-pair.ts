// The README's "main job" for now: start two simulated KMEs joined by a QKD link, have SAE_A
// fetch a fresh key for SAE_B, have SAE_B fetch the same key by its ID, and show that both ends
// hold the same key — printing key IDs and sizes, never key bytes.
import { timingSafeEqual } from 'node:crypto';
import { createQkdClient } from '@qkd-macsec/etsi-qkd-client';
import { startSimKme } from '@qkd-macsec/sim-kme';

const sim = await startSimKme();
const { pki } = sim;
if (!pki) throw new Error('sim-kme started without its in-memory PKI');

const clientFor = (sae: 'SAE_A' | 'SAE_B', kme: 'KME_A' | 'KME_B') =>
  createQkdClient({
    baseUrl: sim.kmes[kme]!.url,
    tls: { cert: pki.saes[sae]!.certPem, key: pki.saes[sae]!.keyPem, ca: pki.ca.certPem },
  });

const master = clientFor('SAE_A', 'KME_A');
const slave = clientFor('SAE_B', 'KME_B');
try {
  console.log(`KME_A ${sim.kmes.KME_A!.url}  KME_B ${sim.kmes.KME_B!.url}  (mutual TLS, CA generated in memory)`);
  const status = await master.getStatus('SAE_B');
  console.log(
    `status SAE_A -> SAE_B: ${status.stored_key_count}/${status.max_key_count} keys stored, ` +
      `sizes ${status.min_key_size}..${status.max_key_size} bits, up to ${status.max_key_per_request} keys per request`,
  );

  const issued = await master.getKey('SAE_B', { number: 1, size: 256 });
  const mine = issued.keys[0]!;
  console.log(`SAE_A got    ${mine.keyId} (${mine.bits} bits) from KME_A via enc_keys in ${issued.elapsedMs.toFixed(1)} ms`);

  const fetched = await slave.getKeyWithIds('SAE_A', [mine.keyId]);
  const theirs = fetched.keys[0]!;
  console.log(`SAE_B got    ${theirs.keyId} (${theirs.bits} bits) from KME_B via dec_keys in ${fetched.elapsedMs.toFixed(1)} ms`);

  const same = mine.bytes.length === theirs.bytes.length && timingSafeEqual(mine.bytes, theirs.bytes);
  console.log(same ? 'both SAEs hold the same key (compared in memory, not printed)' : 'MISMATCH: the SAEs hold different keys');
  mine.wipe();
  theirs.wipe();
  process.exitCode = same ? 0 : 1;
} finally {
  await Promise.all([master.close(), slave.close()]);
  await sim.close();
}
