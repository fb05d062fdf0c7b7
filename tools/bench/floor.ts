// The floor a rotation cycle is measured against, taken in the same run on an idle fleet: one
// link's KME round trips (enc_keys at the master's KME, then dec_keys at the slave's) and one
// device's commits on a fresh session (load + commit confirmed, then confirm) — what the protocol
// needs at the least: one commit before the key can be used, two before it is kept.
import { performance } from 'node:perf_hooks';
import type { QkdClient } from '@qkd-macsec/etsi-qkd-client';
import type { JunosDevice } from '@qkd-macsec/junos-netconf';

export interface Floor {
  kmeMs: number;
  commitMs: number;
  confirmMs: number;
  /** One commit + the KME round trips. */
  oneCommitMs: number;
  /** Two commits + the KME round trips. */
  twoCommitsMs: number;
}

export async function measureFloor(kme: { master: QkdClient; masterSae: string; slave: QkdClient; slaveSae: string }, connect: () => Promise<JunosDevice>): Promise<Floor> {
  const { master, slave } = kme;
  await master.getStatus(kme.slaveSae); // warm the TLS connections, as the engine's are
  await slave.getStatus(kme.masterSae);
  const tk = performance.now();
  const { keys } = await master.getKey(kme.slaveSae, { number: 1, size: 256 });
  const got = await slave.getKeyWithIds(kme.masterSae, [keys[0]!.keyId]);
  const kmeMs = performance.now() - tk;
  keys[0]!.wipe();
  got.keys[0]!.wipe();
  await Promise.all([master.close(), slave.close()]);
  const dev = await connect();
  try {
    const tc1 = performance.now();
    await dev.withConfiguration('exclusive', async (d) => {
      await d.load({ format: 'set', config: 'set system host-name bench-floor' });
      await d.commit({ confirmed: true, confirmTimeoutMinutes: 5 });
    });
    const commitMs = performance.now() - tc1;
    const tc2 = performance.now();
    await dev.withConfiguration('exclusive', (d) => d.confirm());
    const confirmMs = performance.now() - tc2;
    return { kmeMs, commitMs, confirmMs, oneCommitMs: commitMs + kmeMs, twoCommitsMs: commitMs + confirmMs + kmeMs };
  } finally {
    await dev.close();
  }
}
