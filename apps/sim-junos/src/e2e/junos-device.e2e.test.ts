// The Junos API of @qkd-macsec/junos-netconf (connectJunos, createSessionPool) against sim-junos,
// ending with the rotation protocol itself: a hitless key-chain rollover on both ends of a link,
// and a failed one that commit confirmed undoes — each checked against the link model.
import { RpcFailedError, connectJunos, createSessionPool, type JunosDevice } from '@qkd-macsec/junos-netconf';
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
].join('\n');

let sim: SimJunos;
const opened: JunosDevice[] = [];

beforeAll(async () => {
  sim = await startSimJunos({
    clock: 'manual',
    startTime: '2026-06-01T12:00:00Z',
    devices: { a: { config: base, model: 'ptx10001', serialNumber: 'SIMA1' }, b: { config: base, netconf11: true }, lab: {} },
    links: [{ id: 'a-b', a: 'a:et-0/0/0', b: 'b:et-0/0/0' }],
  });
});
afterEach(async () => {
  for (const d of Object.keys(sim.devices)) sim.setFaults(d, {});
  await Promise.all(opened.splice(0).map((d) => d.close().catch(() => undefined)));
});
afterAll(() => sim.close());

const optionsFor = (name: string) => {
  const d = sim.devices[name]!;
  return { host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprints: [d.hostKeyFingerprint] };
};
async function junos(name: string): Promise<JunosDevice> {
  const d = await connectJunos(optionsFor(name));
  opened.push(d);
  return d;
}
/** Junos start-time text for an epoch ms (device clocks are UTC). */
const startTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', '.');

describe('device API', () => {
  it('facts', async () => {
    const a = await junos('a');
    expect(await a.facts()).toEqual({ hostname: 'a', model: 'ptx10001', version: '23.4R1.10', serialNumber: 'SIMA1' });
  });

  it('getConfiguration as XML, text and set, filtered, never showing the secret', async () => {
    const a = await junos('a');
    const xml = await a.getConfiguration({ database: 'committed', filter: '<security><macsec/></security>' });
    expect(xml.raw).toContain('<pre-shared-key-chain>KC</pre-shared-key-chain>');
    expect(xml.raw).not.toContain('authentication-key-chains');
    const text = await a.getConfiguration({ format: 'text' });
    expect(text.configuration).toMatch(/secret "\$9\$[^"]+"; ## SECRET-DATA/);
    const set = await a.getConfiguration({ format: 'set' });
    expect(set.configuration).toContain('set security macsec interfaces et-0/0/0 connectivity-association CA');
    const json = await a.getConfiguration({ format: 'json', database: 'committed' });
    const parsed = JSON.parse(json.configuration as string) as { configuration: { security: { macsec: { 'connectivity-association': Array<{ name: string }> } } } };
    expect(parsed.configuration.security.macsec['connectivity-association'][0]!.name).toBe('CA');
    for (const r of [xml, text, set, json]) expect(r.raw).not.toContain(CAK0);
  });

  it('load in three formats, diff, commit check, commit with a comment, rollback', async () => {
    const lab = await junos('lab');
    await lab.withConfiguration('exclusive', async (d) => {
      await d.load({ format: 'set', config: 'set system host-name lab1' });
      await d.load({ format: 'text', config: 'system { static-host-mapping { kme-a { inet 192.0.2.10; } } }' });
      await d.load({ format: 'xml', config: '<event-options><generate-event><name>qkd-tick</name><time-interval>600</time-interval></generate-event></event-options>' });
      await d.load({ format: 'json', config: '{"configuration": {"event-options": {"policy": [{"name": "qkd", "events": ["qkd-tick"]}]}}}' });
      const diff = await d.diff();
      expect(diff).toContain('+    host-name lab1;');
      expect(diff).toContain('[edit event-options generate-event qkd-tick]');
      expect(diff).toContain('[edit event-options policy qkd]\n+    events qkd-tick;');
      await d.commit({ check: true });
      await d.commit({ comment: 'lab setup' });
      expect(await d.diff()).toBe('');
    });
    expect(await lab.cli('show system commit')).toMatch(/^0 /);
    await lab.withConfiguration('exclusive', async (d) => {
      await d.rollback(1);
      expect(await d.diff()).toContain('-    host-name lab1;');
      await d.commit();
    });
    expect(sim.device('lab').committedText()).not.toContain('lab1');
  });

  it('withConfiguration discards the changes and releases the database when fn throws', async () => {
    const lab = await junos('lab');
    await expect(
      lab.withConfiguration('exclusive', async (d) => {
        await d.load({ format: 'set', config: 'set system host-name doomed' });
        throw new Error('rotation aborted');
      }),
    ).rejects.toThrow('rotation aborted');
    const other = await junos('lab');
    await other.lock(); // free again, and the candidate is clean
    expect(await other.diff()).toBe('');
    await other.unlock();
    await lab.withConfiguration('private', async (d) => {
      await d.load({ format: 'set', config: 'set system host-name private1' });
      await d.commit();
    });
    expect(sim.device('lab').committedText()).toContain('host-name private1;');
  });

  it('reports load errors as RpcFailedError with the Junos path', async () => {
    const lab = await junos('lab');
    const err = await lab.load({ format: 'set', config: 'set security authentication-key-chains key-chain KC key 64 key-name 00' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcFailedError);
    expect((err as RpcFailedError).errors[0]).toMatchObject({ path: '[edit security authentication-key-chains key-chain KC]', badElement: '64' });
  });

  it('MKA sessions and MACsec connections come from the link model', async () => {
    const [a, b] = await Promise.all([junos('a'), junos('b')]);
    const [ma] = await a.mkaSessions('et-0/0/0');
    expect(ma).toMatchObject({ interface: 'et-0/0/0', secured: true, ckn: CKN0, keyServer: true, sakInstalled: true });
    const [mb] = await b.mkaSessions();
    expect(mb).toMatchObject({ secured: true, ckn: CKN0, keyServer: false });
    const [conn] = await a.macsecConnections();
    expect(conn).toMatchObject({ interface: 'et-0/0/0', connectivityAssociation: 'CA', cipherSuite: 'GCM-AES-XPN-256', encryption: true });
    expect(conn!.outbound?.associations[0]?.status).toBe('inuse');
    expect(conn!.inbound).toHaveLength(1);
  });

  it('uploads an event script over SFTP, and loads a configuration file uploaded the same way', async () => {
    const a = await junos('a');
    await a.upload({ remotePath: '/var/db/scripts/event/qkd.py', content: '# qkd\n' });
    expect((await a.download('/var/db/scripts/event/qkd.py'))?.toString()).toBe('# qkd\n');
    const lab = await junos('lab');
    await lab.upload({ remotePath: '/var/tmp/event.conf', content: 'event-options { event-script { file qkd.py { python-script-user admin; } } }\n' });
    await lab.rpc('<load-configuration url="/var/tmp/event.conf" format="text" action="merge"/>');
    expect(await lab.diff()).toContain('+    python-script-user admin;');
    await lab.rollback(0);
    await expect(lab.rpc('<load-configuration url="/var/tmp/none.conf" format="text"/>')).rejects.toThrow(/could not read \/var\/tmp\/none.conf/);
  });
});

describe('rotation through a session pool', () => {
  const CKN1 = 'ab'.repeat(32);
  const CAK1 = 'cd'.repeat(32);
  const stage = (slot: number, ckn: string, cak: string, at: number) =>
    `set security authentication-key-chains key-chain KC key ${slot} key-name ${ckn} secret ${cak} start-time ${startTime(at)}`;

  it('stages the next key on both ends ahead of start-time: the link never drops', async () => {
    const t0 = sim.now();
    const switchAt = t0 + 5 * 60_000;
    const pool = createSessionPool({ connect: (name) => connectJunos(optionsFor(name)), maxConcurrency: 2 });
    try {
      await Promise.all(
        ['a', 'b'].map((name) =>
          pool.use(name, (d) =>
            d.withConfiguration('private', async () => {
              await d.load({ format: 'set', config: stage(1, CKN1, CAK1, switchAt) });
              await d.commit({ confirmed: true, confirmTimeoutMinutes: 2, comment: 'qkd stage' });
            }),
          ),
        ),
      );
      await Promise.all(['a', 'b'].map((name) => pool.use(name, (d) => d.confirm({ comment: 'qkd confirm' }))));
      sim.advance(10 * 60_000);
      const sessions = await Promise.all(['a', 'b'].map((name) => pool.use(name, (d) => d.mkaSessions('et-0/0/0'))));
      for (const [s] of sessions) expect(s).toMatchObject({ secured: true, ckn: CKN1 });
    } finally {
      await pool.close();
    }
    expect(sim.downIntervalsSince(t0)).toEqual([]);
    expect(sim.linkStatus('a-b')).toMatchObject({ state: 'secured', a: { keyIndex: 1 }, b: { keyIndex: 1 } });
  });

  it('when one end cannot commit, commit confirmed takes the new key back off the other before start-time', async () => {
    const t0 = sim.now();
    const switchAt = t0 + 15 * 60_000;
    sim.setFaults('b', { commitFailure: 'commit failed: simulated' });
    const [a, b] = await Promise.all([junos('a'), junos('b')]);
    await a.load({ format: 'set', config: stage(2, '12'.repeat(32), '34'.repeat(32), switchAt) });
    await a.commit({ confirmed: true, confirmTimeoutMinutes: 5 });
    await b.load({ format: 'set', config: stage(2, '12'.repeat(32), '34'.repeat(32), switchAt) });
    await expect(b.commit()).rejects.toThrow(/commit failed: simulated/);
    await b.rollback(0);
    // nobody confirms a's commit: it rolls back after 5 minutes, 10 minutes before the switch
    sim.advance(30 * 60_000);
    expect(sim.device('a').committedText()).not.toContain('key 2 {');
    expect(sim.downIntervalsSince(t0)).toEqual([]);
    expect(sim.linkStatus('a-b')).toMatchObject({ state: 'secured', a: { keyIndex: 1 } });
  });

  it('a confirmed key on one end only drops the link at start-time, and the model says when', async () => {
    const t0 = sim.now();
    const switchAt = t0 + 60_000;
    const a = await junos('a');
    await a.load({ format: 'set', config: stage(3, '56'.repeat(32), '78'.repeat(32), switchAt) });
    await a.commit();
    sim.advance(2 * 60_000);
    expect(sim.downIntervalsSince(t0)).toEqual([{ linkId: 'a-b', from: switchAt, reason: 'CKN mismatch' }]);
    const [s] = await a.mkaSessions();
    expect(s).toMatchObject({ secured: false, state: 'Unsecured' });
  });
});
