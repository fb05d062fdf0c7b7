import { connectJunos, type JunosDevice } from '@qkd-macsec/junos-netconf';
import { startSimJunos, type SimJunos } from '@qkd-macsec/sim-junos';
import * as xml from '@qkd-macsec/junos-netconf/xml';
import { parseConfigurationXml, readConfigurationTree, Secret, type MacsecConfig } from '@qkd-macsec/macsec-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directOps } from './direct-ops.js';
import { loadAndCommit, readMacsec } from './netconf-ops.js';

let sim: SimJunos;
let device: JunosDevice;
beforeAll(async () => {
  sim = await startSimJunos({ devices: { r1: {} }, links: [] });
  const d = sim.devices['r1']!;
  device = await connectJunos({ host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprints: [d.hostKeyFingerprint] });
  const cak = (byte: string) => Secret.fromHex(byte.repeat(32));
  const config: MacsecConfig = {
    connectivityAssociations: [
      { name: 'CA1', securityMode: 'static-cak', cipherSuite: 'gcm-aes-xpn-256', preSharedKeyChain: 'KC1', fallbackKey: { ckn: 'fa11'.repeat(16), cak: cak('ab') }, mka: { keyServerPriority: 16 } },
    ],
    interfaces: [{ name: 'et-0/0/1', connectivityAssociation: 'CA1' }],
    keyChains: [
      {
        name: 'KC1',
        keys: [
          { index: 1, keyName: '01'.repeat(32), secret: cak('cd'), startTime: '2026-11-24.20:00:00' },
          { index: 2, keyName: '02'.repeat(32), secret: cak('ef'), startTime: '2026-11-24.20:05:00' },
        ],
      },
    ],
    staticHostMappings: [{ name: 'kme-a.example.net', inet: ['192.0.2.10'] }],
  };
  await loadAndCommit(device, { config, delete: [] }, { comment: 'setup' });
});
afterAll(async () => {
  await device?.close();
  await sim?.close();
});

describe('readMacsec', () => {
  it('reads the same model from the parsed tree as macsec-config reads from the reply text', async () => {
    const { raw } = await device.getConfigurationRaw({ filter: '<configuration><security/><system><static-host-mapping/></system></configuration>' });
    const fromText = parseConfigurationXml(raw);
    const fromTree = readConfigurationTree(xml.parseXmlOrdered(raw)[0]!);
    const secrets = (c: MacsecConfig) => [...(c.keyChains ?? []).flatMap((k) => k.keys.map((key) => key.secret?.reveal())), ...(c.connectivityAssociations ?? []).map((ca) => ca.fallbackKey?.cak.reveal())];
    expect(fromTree).toEqual(fromText);
    expect(secrets(fromTree)).toEqual(secrets(fromText));
    expect(fromTree.keyChains?.[0]?.keys).toHaveLength(2);
    expect(fromTree.interfaces).toEqual([{ name: 'et-0/0/1', connectivityAssociation: 'CA1' }]);
    expect(fromTree.staticHostMappings?.[0]?.inet).toEqual(['192.0.2.10']);
  });

  it('reads the committed configuration, not edits another session left uncommitted in the shared candidate', async () => {
    const d = sim.devices['r1']!;
    const other = await connectJunos({ host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprints: [d.hostKeyFingerprint] });
    try {
      await other.load({ format: 'xml', action: 'merge', config: '<configuration><security><macsec><connectivity-association><name>CA-uncommitted</name></connectivity-association></macsec></security></configuration>' });
      const config = await readMacsec(device);
      expect(config.connectivityAssociations?.map((c) => c.name)).toEqual(['CA1']);
    } finally {
      await other.rollback(0).catch(() => undefined);
      await other.close();
    }
  });

  it('refuses a reply that is not configuration, naming it', () => {
    expect(() => readConfigurationTree(xml.parseXmlOrdered('<rpc-reply><rpc-error><error-message>denied</error-message></rpc-error></rpc-reply>')[0]!)).toThrow(/rpc-error/);
    expect(() => readConfigurationTree(xml.parseXmlOrdered('<rpc-reply><data/></rpc-reply>')[0]!)).toThrow(/no <configuration>/);
  });
});

describe('a stage and its confirm (DirectOps)', () => {
  it('keeps the lock until the confirming commit is done: no other session locks (or commits its candidate) in between', async () => {
    const slow = await startSimJunos({ devices: { r2: { faults: { commitLatencyMs: 400 } } }, links: [] });
    const d = slow.devices['r2']!;
    const open = () => connectJunos({ host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprints: [d.hostKeyFingerprint] });
    const [a, b] = await Promise.all([open(), open()]);
    try {
      const change = { config: { staticHostMappings: [{ name: 'kme-b.example.net', inet: ['192.0.2.11'] }] }, delete: [] };
      const ops = directOps('r2', a);
      await ops.stage('tx1', change, { confirmMinutes: 5, comment: 'stage' });
      const confirming = ops.confirmStaged('tx1', undefined, 'confirm');
      await new Promise((r) => setTimeout(r, 150)); // the confirm is in its commit latency
      const other = await b.lock().then(
        () => 'locked',
        (e: Error) => e.message,
      );
      await confirming;
      expect(other).toMatch(/lock/i);
      expect(other).not.toBe('locked');
      await b.lock(); // free once the confirm is done
      await b.unlock();
    } finally {
      await Promise.allSettled([a.close(), b.close()]);
      await slow.close();
    }
  });
});
