// JunosDevice.diff() against sim-junos: Junos prints secrets in `show | compare` as reversible
// $9$ values on lines marked "## SECRET-DATA"; the client must hand back none of them.
import { connectJunos, type JunosDevice } from '@qkd-macsec/junos-netconf';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimJunos, type SimJunos } from '../index.js';

const CKN = '11'.repeat(32);
const CAK = 'aa'.repeat(32);
const KEY_CKN = '22'.repeat(32);
const KEY_CAK = 'bb'.repeat(32);

let sim: SimJunos;
const opened: JunosDevice[] = [];
beforeAll(async () => {
  sim = await startSimJunos({ clock: 'manual', startTime: '2026-03-01T00:00:00Z', devices: { r1: {} } });
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close().catch(() => undefined)));
});
afterAll(() => sim.close());

async function junos(): Promise<JunosDevice> {
  const d = sim.devices['r1']!;
  const device = await connectJunos({ host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprints: [d.hostKeyFingerprint] });
  opened.push(device);
  return device;
}

const config = [
  'set security macsec connectivity-association CA security-mode static-cak',
  `set security macsec connectivity-association CA pre-shared-key ckn ${CKN} cak ${CAK}`,
  `set security authentication-key-chains key-chain KC key 1 key-name ${KEY_CKN} secret ${KEY_CAK} start-time 2026-03-02.00:00:00`,
].join('\n');

describe('diff() over the wire', () => {
  it('masks the $9$ secret lines of added and removed statements, and keeps the rest', async () => {
    const r1 = await junos();
    // What Junos (and the simulator) really sends: $9$ values on SECRET-DATA lines.
    await r1.load({ format: 'set', config });
    const raw = await r1.rpc('<get-configuration compare="rollback" rollback="0" format="text"/>');
    expect(raw.raw).toMatch(/cak "\$9\$[^"]+"; ## SECRET-DATA/);
    expect(raw.raw).toMatch(/secret "\$9\$[^"]+"; ## SECRET-DATA/);

    const added = await r1.diff();
    expect(added).not.toContain('$9$');
    expect(added).not.toContain(CAK);
    expect(added).not.toContain(KEY_CAK);
    expect(added).toContain('+    cak "[redacted]"; ## SECRET-DATA');
    expect(added).toContain('+    secret "[redacted]"; ## SECRET-DATA');
    expect(added).toContain(`ckn ${CKN};`); // a CKN names a key, it is not one
    expect(added).toContain(`key-name ${KEY_CKN};`);
    expect(added).toContain('start-time 2026-03-02.00:00:00;');
    await r1.commit();

    // And what a rollback would take away.
    await r1.load({ format: 'set', config: 'delete security' });
    const removed = await r1.diff();
    expect(removed).not.toContain('$9$');
    expect(removed).toContain('-    cak "[redacted]"; ## SECRET-DATA');
    expect(removed).toContain('-    secret "[redacted]"; ## SECRET-DATA');
    await r1.rollback(0);
  });

  it('masks them from a fresh session too (nothing loaded there to remember)', async () => {
    const writer = await junos();
    await writer.load({ format: 'set', config: `set security authentication-key-chains key-chain KC key 2 key-name ${'33'.repeat(32)} secret ${'cc'.repeat(32)} start-time 2026-03-03.00:00:00` });
    const reader = await junos();
    const d = await reader.diff();
    expect(d).toContain('secret "[redacted]"; ## SECRET-DATA');
    expect(d).not.toContain('$9$');
    await writer.rollback(0);
  });
});
