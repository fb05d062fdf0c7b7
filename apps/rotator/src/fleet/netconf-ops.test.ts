import { connectJunos, type JunosDevice } from '@qkd-macsec/junos-netconf';
import { startSimJunos, type SimJunos } from '@qkd-macsec/sim-junos';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadAndCommit, readMacsec } from './netconf-ops.js';

let sim: SimJunos;
let device: JunosDevice;
beforeAll(async () => {
  sim = await startSimJunos({ devices: { r1: {} }, links: [] });
  const d = sim.devices['r1']!;
  device = await connectJunos({ host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprints: [d.hostKeyFingerprint] });
  const config = { connectivityAssociations: [{ name: 'CA1', securityMode: 'static-cak' as const, preSharedKeyChain: 'KC1' }], keyChains: [{ name: 'KC1', keys: [] }] };
  await loadAndCommit(device, { config, delete: [] }, { comment: 'setup' });
});
afterAll(async () => {
  await device?.close();
  await sim?.close();
});

describe('readMacsec', () => {
  it('parses the get-configuration reply once (macsec-config reads it; junos-netconf leaves it unparsed)', async () => {
    const parse = vi.spyOn(XMLParser.prototype, 'parse');
    // Parses of replies (sim-junos, in this process, parses the requests with the same library).
    const replyParses = () => parse.mock.calls.filter(([xml]) => String(xml).includes('<rpc-reply')).length;
    try {
      const config = await readMacsec(device);
      expect(config.connectivityAssociations?.map((c) => c.name)).toEqual(['CA1']);
      expect(replyParses()).toBe(1);
      parse.mockClear();
      await readMacsec(device, { staticHostMappings: true, eventOptions: true });
      expect(replyParses()).toBe(3); // three replies, one parse each
    } finally {
      parse.mockRestore();
    }
  });
});
