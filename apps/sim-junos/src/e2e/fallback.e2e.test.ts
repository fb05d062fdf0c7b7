// Secured on fallback over real NETCONF: a key-chain rollover only one end of a link received
// leaves the link on the connectivity association's fallback-key — MKA (read with junos-netconf's
// mkaSessions) says so, the link record counts it apart from down time, and the late end's
// commit brings the link back to its primary key.
import { connectJunos, type JunosDevice } from '@qkd-macsec/junos-netconf';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimJunos, type SimJunos } from '../index.js';

const CKN0 = '00'.repeat(31) + '01';
const CAK0 = '0a'.repeat(32);
const CKN1 = '00'.repeat(31) + '02';
const CAK1 = '0b'.repeat(32);
const FB_CKN = 'fb'.repeat(32);
const FB_CAK = 'fc'.repeat(32);
const key = (slot: number, ckn: string, cak: string, start: string) =>
  `set security authentication-key-chains key-chain KC key ${slot} key-name ${ckn} secret ${cak} start-time ${start}`;
const base = (fallback: boolean) =>
  [
    'set security macsec connectivity-association CA security-mode static-cak',
    'set security macsec connectivity-association CA cipher-suite gcm-aes-xpn-256',
    'set security macsec connectivity-association CA pre-shared-key-chain KC',
    ...(fallback ? [`set security macsec connectivity-association CA fallback-key ckn ${FB_CKN} cak ${FB_CAK}`] : []),
    key(0, CKN0, CAK0, '2026-01-01.00:00:00'),
    'set security macsec interfaces et-0/0/0 connectivity-association CA',
  ].join('\n');

let sim: SimJunos;
const opened: JunosDevice[] = [];
beforeAll(async () => {
  sim = await startSimJunos({
    clock: 'manual',
    startTime: '2026-06-01T12:00:00Z',
    devices: { a: { config: base(true) }, b: { config: base(true), netconf11: true }, c: { config: base(false) }, d: { config: base(true) } },
    links: [
      { id: 'a-b', a: 'a:et-0/0/0', b: 'b:et-0/0/0' },
      { id: 'c-d', a: 'c:et-0/0/0', b: 'd:et-0/0/0' },
    ],
  });
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
async function stage(device: JunosDevice, config: string): Promise<void> {
  await device.withConfiguration('private', async (c) => {
    await c.load({ format: 'set', config });
    await c.commit({});
  });
}

describe('secured on fallback', () => {
  it('MKA reads cak-type fallback with the fallback CKN while only one end switched, and the record counts it apart from down time', async () => {
    const [a, b] = [await junos('a'), await junos('b')];
    expect((await a.mkaSessions())[0]).toMatchObject({ interface: 'et-0/0/0', state: 'Secured - Primary', cakType: 'primary', ckn: CKN0, secured: true });

    const t0 = sim.now();
    await stage(a, key(1, CKN1, CAK1, '2026-06-01.12:05:00')); // b never gets the key
    sim.advance(10 * 60_000);
    const onFallback = await a.mkaSessions('et-0/0/0');
    expect(onFallback).toHaveLength(1);
    expect(onFallback[0]).toMatchObject({ state: 'Secured - Fallback', cakType: 'fallback', ckn: FB_CKN, secured: true });
    expect((await b.mkaSessions())[0]).toMatchObject({ cakType: 'fallback', ckn: FB_CKN });
    expect(JSON.stringify(onFallback[0]!.raw)).not.toContain(FB_CAK);
    // Traffic is still encrypted on fallback: the MACsec connection is up, and the CLI says why.
    expect((await a.macsecConnections('et-0/0/0'))[0]).toMatchObject({ encryption: true });
    expect(await a.cli('show security mka sessions')).toMatch(new RegExp(`Interface State: Secured - Fallback\\n\\s+CAK name: ${FB_CKN}\\n\\s+CAK type: fallback`));

    const rpc = await a.rpc('<get-link-down-intervals><link-id>a-b</link-id></get-link-down-intervals>');
    expect(rpc.raw).toContain('<state>fallback</state>');
    expect(rpc.raw).toContain('<fallback-ms-total>300000</fallback-ms-total>');
    expect(rpc.raw).toContain('<down-ms-total>0</down-ms-total>');
    expect(rpc.raw).toMatch(/<fallback-interval><from>2026-06-01T12:05:00\.000Z<\/from><duration-ms>300000<\/duration-ms><reason>CKN mismatch<\/reason><\/fallback-interval>/);

    await stage(b, key(1, CKN1, CAK1, '2026-06-01.12:05:00')); // the late end catches up
    sim.advance(1_000);
    expect((await b.mkaSessions())[0]).toMatchObject({ state: 'Secured - Primary', cakType: 'primary', ckn: CKN1 });
    expect(sim.downIntervalsSince(t0)).toEqual([]);
    expect(sim.fallbackIntervalsSince(t0)).toEqual([{ linkId: 'a-b', from: t0 + 5 * 60_000, to: t0 + 10 * 60_000, reason: 'CKN mismatch' }]);
    expect(sim.linkHistory('a-b')).toMatchObject({ downMs: 0, fallbackMs: 5 * 60_000 });
  });

  it('a link whose ends do not both carry the same fallback-key goes down, as without fallback', async () => {
    const c = await junos('c');
    const t0 = sim.now();
    await stage(c, key(1, CKN1, CAK1, '2026-06-01.12:00:00'));
    expect((await c.mkaSessions())[0]).toMatchObject({ state: 'Unsecured', cakType: 'primary', secured: false });
    expect(sim.linkStatus('c-d')).toMatchObject({ state: 'down', reason: 'CKN mismatch' });
    expect(sim.fallbackIntervalsSince(t0)).toEqual([]);
  });

  it('commit check refuses a fallback-key CAK that does not fit the cipher-suite, naming it', async () => {
    const d = await junos('d');
    await expect(stage(d, `set security macsec connectivity-association CA fallback-key ckn ${FB_CKN} cak ${'ab'.repeat(16)}`)).rejects.toThrow(
      /cak must be 64 hexadecimal digits[\s\S]*\[edit security macsec connectivity-association CA fallback-key\]/,
    );
  });
});
