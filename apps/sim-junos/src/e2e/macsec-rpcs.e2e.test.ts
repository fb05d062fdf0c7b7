// The interface-filtered MKA and MACsec RPCs of Juniper's junos-rpc-security YANG
// (get-mka-session-interface-information, get-macsec-connection-interface-information), through
// junos-netconf's JunosDevice over real SSH, and the shape of the macsec connection reply.
import { RpcFailedError, connectJunos, type JunosDevice } from '@qkd-macsec/junos-netconf';
import { parseXmlOrdered, type XmlElement } from '@qkd-macsec/junos-netconf/xml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimJunos, type SimJunos } from '../index.js';

const CKN0 = '00'.repeat(31) + '01';
const CAK0 = '0a'.repeat(32);
const base = [
  'set security macsec connectivity-association CA security-mode static-cak',
  'set security macsec connectivity-association CA cipher-suite gcm-aes-xpn-256',
  'set security macsec connectivity-association CA pre-shared-key-chain KC',
  `set security authentication-key-chains key-chain KC key 0 key-name ${CKN0} secret ${CAK0} start-time 2026-01-01.00:00:00`,
  'set security macsec interfaces et-0/0/0 connectivity-association CA',
  'set security macsec interfaces et-0/0/1 connectivity-association CA',
].join('\n');

let sim: SimJunos;
const opened: JunosDevice[] = [];
beforeAll(async () => {
  sim = await startSimJunos({
    clock: 'manual',
    startTime: '2026-06-01T12:00:00Z',
    devices: { a: { config: base }, b: { config: base } },
    links: [{ id: 'a-b', a: 'a:et-0/0/0', b: 'b:et-0/0/0' }],
  });
  sim.advance(60_000);
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close().catch(() => undefined)));
});
afterAll(() => sim.close());

async function junos(name: string): Promise<JunosDevice> {
  const d = sim.devices[name]!;
  const device = await connectJunos({ host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprints: [d.hostKeyFingerprint] });
  opened.push(device);
  return device;
}

describe('interface-filtered RPCs', () => {
  it('mkaSessions(iface) answers for that interface only', async () => {
    const a = await junos('a');
    expect((await a.mkaSessions()).map((s) => s.interface)).toEqual(['et-0/0/0', 'et-0/0/1']);
    const [s0, ...more0] = await a.mkaSessions('et-0/0/0');
    expect(more0).toEqual([]);
    expect(s0).toMatchObject({ interface: 'et-0/0/0', secured: true, ckn: CKN0 });
    expect((await a.mkaSessions('et-0/0/1')).map((s) => [s.interface, s.secured])).toEqual([['et-0/0/1', false]]);
    expect(await a.mkaSessions('xe-9/9/9')).toEqual([]);
    // interface-name "all" is the YANG's default
    const all = await a.rpc('<get-mka-session-interface-information><interface-name>all</interface-name></get-mka-session-interface-information>');
    expect(all.raw.match(/<interface-name>/g)).toHaveLength(2);
  });

  it('macsecConnections(iface) answers for that interface only, with the SA fields of the YANG', async () => {
    const a = await junos('a');
    expect((await a.macsecConnections()).map((c) => c.interface)).toEqual(['et-0/0/0', 'et-0/0/1']);
    const [c, ...more] = await a.macsecConnections('et-0/0/0');
    expect(more).toEqual([]);
    expect(c).toMatchObject({ interface: 'et-0/0/0', connectivityAssociation: 'CA', cipherSuite: 'GCM-AES-XPN-256', encryption: true });
    const [mka] = await a.mkaSessions('et-0/0/0');
    const [mi, kn] = mka!.latestSakKi!.split('/');
    const sa = { associationNumber: mka!.latestSakAn, status: 'inuse', createTime: '2026-06-01 12:00:00 UTC', memberIdentifier: mi, keyNumber: Number(kn), startTime: '2026-06-01 12:00:00 UTC' };
    expect(c!.outbound?.associations).toEqual([sa]);
    expect(c!.inbound).toHaveLength(1);
    expect(c!.inbound[0]!.associations).toEqual([sa]);
    const [unsecured] = await a.macsecConnections('et-0/0/1');
    expect(unsecured).toMatchObject({ interface: 'et-0/0/1', encryption: false, outbound: undefined, inbound: [] });
    expect(await a.macsecConnections('xe-9/9/9')).toEqual([]);
  });

  it('the unfiltered macsec RPC takes no interface, as in the YANG', async () => {
    const a = await junos('a');
    const err = await a.rpc('<get-macsec-connection-information><interface-name>et-0/0/0</interface-name></get-macsec-connection-information>').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcFailedError);
    expect((err as RpcFailedError).errors[0]).toMatchObject({ badElement: 'interface-name', message: expect.stringMatching(/syntax error/) });
  });

  it('shapes the macsec connection reply like the YANG: no create-time beside the channels, SA leaves in YANG order', async () => {
    const a = await junos('a');
    const r = await a.rpc('<get-macsec-connection-interface-information><interface-name>et-0/0/0</interface-name></get-macsec-connection-interface-information>');
    const info = findElement(parseXmlOrdered(r.raw), 'macsec-connection-information')!;
    expect(info.children.map((e) => e.name)).toEqual(['macsec-interface-common-information', 'outbound-secure-channel', 'inbound-secure-channel']);
    // junos-rpc-security@2024-01-01, grouping macsec-connection-information-block
    const SA = ['association-number', 'association-number-status', 'create-time', 'member-identifier', 'key-number', 'start-time'];
    const [common, outbound, inbound] = info.children;
    expect(common!.children.map((e) => e.name)).toEqual(['interface-name', 'connectivity-association-name', 'cipher-suite', 'encryption', 'offset', 'include-sci', 'replay-protect', 'replay-protect-window']);
    expect(outbound!.children.map((e) => e.name)).toEqual(['sci', 'outgoing-packet-number', 'outbound-secure-association']);
    expect(inbound!.children.map((e) => e.name)).toEqual(['sci', 'lowest-accepted-packet-number', 'inbound-secure-association']);
    expect(outbound!.children[2]!.children.map((e) => e.name)).toEqual(SA);
    expect(inbound!.children[2]!.children.map((e) => e.name)).toEqual(SA);
  });
});

function findElement(els: readonly XmlElement[], name: string): XmlElement | undefined {
  for (const e of els) {
    if (e.name === name) return e;
    const inner = findElement(e.children, name);
    if (inner) return inner;
  }
  return undefined;
}
