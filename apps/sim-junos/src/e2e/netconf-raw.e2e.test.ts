// The simulator over real SSH, byte by byte: a bare ssh2 client and the shared framing codec.
import { BASE_1_0, BASE_1_1, encodeMessage } from '@qkd-macsec/junos-netconf/framing';
import ssh2 from 'ssh2';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimJunos, type SimJunos } from '../index.js';
import { loadHostKey } from '../ssh-server.js';
import { rawNetconf, type RawNetconfOptions } from '../testing/raw-netconf.js';

const CKN = '11'.repeat(32);
const CAK = 'aa'.repeat(32);
const NEW_CKN = '22'.repeat(32);
const NEW_CAK = 'bb'.repeat(32);
const psk = (ckn: string, cak: string) =>
  [
    'set security macsec connectivity-association CA security-mode static-cak',
    `set security macsec connectivity-association CA pre-shared-key ckn ${ckn} cak ${cak}`,
    'set security macsec interfaces ge-0/0/0 connectivity-association CA',
  ].join('\n');

const fresh = () => {
  const k = loadHostKey();
  return { private: k.privateKey, public: k.publicKey };
};
const clientKey = fresh();
let sim: SimJunos;

beforeAll(async () => {
  sim = await startSimJunos({
    clock: 'manual',
    startTime: '2026-03-01T00:00:00Z',
    sharedPort: 0,
    devices: {
      r1: { config: psk(CKN, CAK), authorizedKeys: [clientKey.public] },
      r2: { config: psk(CKN, CAK), netconf11: true },
      r3: {},
    },
    links: [{ id: 'L', a: 'r1:ge-0/0/0', b: 'r2:ge-0/0/0' }],
  });
});
afterAll(() => sim.close());

const login = (name: string, extra: Partial<RawNetconfOptions> = {}): RawNetconfOptions => {
  const d = sim.devices[name]!;
  return { host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprint: d.hostKeyFingerprint, ...extra };
};

describe('hello and framing', () => {
  it('sends a Junos hello with base:1.0 only and a session id, and frames with ]]>]]>', async () => {
    const nc = await rawNetconf(login('r1'));
    expect(nc.hello.capabilities).toContain(BASE_1_0);
    expect(nc.hello.capabilities).not.toContain(BASE_1_1);
    expect(nc.hello.capabilities).toContain('http://xml.juniper.net/netconf/junos/1.0');
    expect(nc.hello.sessionId).toBeGreaterThan(0);
    expect(nc.framing).toBe('eom');
    expect(await nc.rpc('<get-software-information/>', '42')).toMatch(/message-id="42"[\s\S]*<host-name>r1<\/host-name>/);
    nc.close();
  });

  it('switches to chunked framing when the device is rfc-compliant and the client offers base:1.1', async () => {
    const nc = await rawNetconf(login('r2'));
    expect(nc.hello.capabilities).toContain(BASE_1_1);
    expect(nc.framing).toBe('chunked');
    expect(await nc.rpc('<get-chassis-inventory/>')).toContain('<serial-number>');
    nc.close();
    const old = await rawNetconf(login('r2', { capabilities: [BASE_1_0] }));
    expect(old.framing).toBe('eom');
    expect(await old.rpc('<get-software-information/>')).toContain('<host-name>r2</host-name>');
    old.close();
  });

  it('offers base:1.1 once system services netconf rfc-compliant is committed', async () => {
    const nc = await rawNetconf(login('r3'));
    expect(nc.framing).toBe('eom');
    await nc.rpc('<load-configuration action="set"><configuration-set>set system services netconf rfc-compliant</configuration-set></load-configuration>');
    await nc.rpc('<commit-configuration/>');
    nc.close();
    const again = await rawNetconf(login('r3'));
    expect(again.framing).toBe('chunked');
    await again.rpc('<load-configuration action="set"><configuration-set>delete system services</configuration-set></load-configuration>');
    await again.rpc('<commit-configuration/>');
    again.close();
  });

  it('answers pipelined RPCs in order', async () => {
    const nc = await rawNetconf(login('r2'));
    const ids = Array.from({ length: 25 }, (_, i) => String(i + 1));
    for (const id of ids) nc.send(`<rpc message-id="${id}"><get-software-information/></rpc>`);
    const replies = await Promise.all(ids.map(() => nc.next()));
    expect(replies.map((r) => /message-id="(\d+)"/.exec(r)?.[1])).toEqual(ids);
    nc.close();
  });

  it('answers RPCs that arrive together in one SSH packet (a lock and the read behind it), and an RPC alone in its own', async () => {
    const nc = await rawNetconf(login('r2'));
    let before = nc.dataPackets();
    const rpc = (id: string, op: string) => encodeMessage(`<rpc message-id="${id}" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">${op}</rpc>`, nc.framing);
    nc.write(Buffer.concat([rpc('1', '<lock-configuration/>'), rpc('2', '<get-configuration database="committed"><configuration><security/></configuration></get-configuration>')]));
    const [locked, read] = [await nc.next(), await nc.next()];
    expect(locked).toMatch(/message-id="1"[\s\S]*<ok\/>/);
    expect(read).toMatch(/message-id="2"[\s\S]*<configuration/);
    expect(nc.dataPackets() - before).toBe(1);
    before = nc.dataPackets();
    expect(await nc.rpc('<unlock-configuration/>', '3')).toMatch(/<ok\/>/);
    expect(nc.dataPackets() - before).toBe(1);
    nc.close();
  });

  it('drops a session whose first message is not a hello', async () => {
    const nc = await rawNetconf(login('r1', { noHello: true }));
    nc.write('<rpc message-id="1"><get-software-information/></rpc>]]>]]>');
    await nc.closed;
  });
});

describe('SSH', () => {
  it('is refused by a client pinning another host key', async () => {
    await expect(rawNetconf(login('r1', { hostKeyFingerprint: sim.devices.r2!.hostKeyFingerprint }))).rejects.toThrow(/verification failed/i);
  });

  it('refuses a wrong password and accepts an authorized public key', async () => {
    await expect(rawNetconf(login('r1', { password: 'wrong' }))).rejects.toThrow(/authentication/i);
    const { password: _unused, ...noPassword } = login('r1');
    const nc = await rawNetconf({ ...noPassword, privateKey: clientKey.private });
    expect(await nc.rpc('<get-software-information/>')).toContain('<host-name>r1</host-name>');
    nc.close();
    const other = fresh();
    await expect(rawNetconf({ ...noPassword, privateKey: other.private })).rejects.toThrow(/authentication/i);
  });

  it('picks the device from the login name on the shared port', async () => {
    const d = sim.devices.r3!;
    const nc = await rawNetconf({ host: d.host, port: sim.sharedPort!, username: `admin@r3`, password: d.password, hostKeyFingerprint: sim.sharedHostKeyFingerprint! });
    expect(await nc.rpc('<get-software-information/>')).toContain('<host-name>r3</host-name>');
    nc.close();
    await expect(rawNetconf({ host: d.host, port: sim.sharedPort!, username: 'admin@nope', password: d.password })).rejects.toThrow(/authentication/i);
  });

  it('serves SFTP from an in-memory file system per device', async () => {
    const d = sim.devices.r3!;
    const client = new ssh2.Client();
    await new Promise<void>((ok, fail) => client.on('ready', ok).on('error', fail).connect({ host: d.host, port: d.port, username: d.username, password: d.password }));
    const sftp = await new Promise<ssh2.SFTPWrapper>((ok, fail) => client.sftp((e, s) => (e ? fail(e) : ok(s))));
    const script = Buffer.from('print("qkd")\n');
    await new Promise<void>((ok, fail) => sftp.writeFile('/var/db/scripts/event/qkd.py', script, (e) => (e ? fail(e) : ok())));
    const back = await new Promise<Buffer>((ok, fail) => sftp.readFile('/var/db/scripts/event/qkd.py', (e, b) => (e ? fail(e) : ok(b))));
    expect(back.equals(script)).toBe(true);
    const names = await new Promise<string[]>((ok, fail) => sftp.readdir('/var/db/scripts/event', (e, l) => (e ? fail(e) : ok(l.map((x) => x.filename)))));
    expect(names).toEqual(['qkd.py']);
    expect(sim.device('r3').files.readFile('/var/db/scripts/event/qkd.py')?.toString()).toBe('print("qkd")\n');
    await expect(new Promise((ok, fail) => sftp.readFile('/nope/x', (e, b) => (e ? fail(e) : ok(b))))).rejects.toThrow(/No such file/i);
    // a write far beyond any sane size is refused, not allocated
    const handle = await new Promise<Buffer>((ok, fail) => sftp.open('/var/tmp/big', 'w', (e, h) => (e ? fail(e) : ok(h))));
    await expect(new Promise<void>((ok, fail) => sftp.write(handle, Buffer.from('x'), 0, 1, 2 ** 40, (e) => (e ? fail(e) : ok())))).rejects.toThrow(/larger than/);
    client.end();
  });
});

describe('configuration over NETCONF', () => {
  it('loads set commands, shows the diff, commits, and the link model follows', async () => {
    const nc = await rawNetconf(login('r3'));
    expect(await nc.rpc('<lock-configuration/>')).toContain('<ok/>');
    const load = await nc.rpc(
      `<load-configuration action="set" format="text"><configuration-set>set system host-name edge3\ndelete protocols ospf</configuration-set></load-configuration>`,
    );
    expect(load).toContain('<load-success/>');
    expect(load).toMatch(/<error-severity>warning<\/error-severity>[\s\S]*statement not found/);
    expect(await nc.rpc('<get-configuration compare="rollback" rollback="0" format="text"/>')).toContain('+    host-name edge3;');
    expect(await nc.rpc('<commit-configuration><log>rename</log></commit-configuration>')).toContain('<commit-success/>');
    expect(await nc.rpc('<get-configuration database="committed" format="set"/>')).toContain('set system host-name edge3');
    expect(await nc.rpc('<unlock-configuration/>')).toContain('<ok/>');
    nc.close();
  });

  it('answers bad input with a Junos-like rpc-error and leaves the candidate untouched', async () => {
    const nc = await rawNetconf(login('r3'));
    const bad = await nc.rpc(
      '<load-configuration><configuration><security><authentication-key-chains><key-chain><name>KC</name><key><name>0</name><start-time>tomorrow</start-time></key></key-chain></authentication-key-chains></security></configuration></load-configuration>',
    );
    expect(bad).toContain('<error-severity>error</error-severity>');
    expect(bad).toContain('<error-path>[edit security authentication-key-chains key-chain KC key 0]</error-path>');
    expect(bad).toContain('<bad-element>start-time</bad-element>');
    expect(await nc.rpc('<get-configuration format="text"/>')).not.toContain('tomorrow');
    const ckn = await nc.rpc(
      '<load-configuration format="text"><configuration-text>security { macsec { connectivity-association X { security-mode static-cak; pre-shared-key { ckn 123; cak "0123456789abcdef0123456789abcdef"; } } } }</configuration-text></load-configuration>',
    );
    expect(ckn).toContain('<error-path>[edit security macsec connectivity-association X pre-shared-key]</error-path>');
    expect(ckn).toContain('<bad-element>ckn</bad-element>');
    expect(ckn).not.toContain('0123456789abcdef0123456789abcdef');
    const cak = await nc.rpc(
      '<load-configuration format="text"><configuration-text>security { macsec { connectivity-association X { security-mode static-cak; cipher-suite gcm-aes-xpn-256; pre-shared-key { ckn 1234; cak "0123456789abcdef0123456789abcdef"; } } } }</configuration-text></load-configuration>',
    );
    expect(cak).toContain('<load-success/>');
    const check = await nc.rpc('<commit-configuration><check/></commit-configuration>');
    expect(check).toContain('<error-path>[edit security macsec connectivity-association X pre-shared-key]</error-path>');
    expect(check).toContain('<bad-element>cak</bad-element>');
    expect(check).not.toContain('0123456789abcdef0123456789abcdef');
    expect(await nc.rpc('<discard-changes/>')).toContain('<ok/>');
    const typo = await nc.rpc('<load-configuration action="set"><configuration-set>set system host-name x\nset security macsec xyz</configuration-set></load-configuration>');
    expect(typo).toContain(
      '<rpc-error><error-type>protocol</error-type><error-tag>operation-failed</error-tag><error-severity>error</error-severity><error-path>[edit security macsec]</error-path><error-message>syntax error</error-message><error-info><bad-element>xyz</bad-element><line-number>2</line-number></error-info></rpc-error>',
    );
    expect(await nc.rpc('<frobnicate/>')).toContain('<error-tag>operation-not-supported</error-tag>');
    nc.close();
  });

  it('refuses malformed and hostile XML with an rpc-error and keeps the session', async () => {
    const nc = await rawNetconf(login('r3'));
    nc.send('<rpc message-id="1"><get-software-information></rpc>');
    expect(await nc.next()).toContain('<error-tag>malformed-message</error-tag>');
    nc.send('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><rpc message-id="2">&b;</rpc>');
    expect(await nc.next()).toMatch(/malformed-message[\s\S]*DOCTYPE/);
    nc.send('<rpc message-id="3"><get-configuration><configuration><system/></configuration></get-configuration><!ENTITY x SYSTEM "file:///etc/passwd"></rpc>');
    expect(await nc.next()).toContain('<error-tag>malformed-message</error-tag>');
    nc.send('<a/><b/>');
    expect(await nc.next()).toContain('<error-tag>malformed-message</error-tag>');
    expect(await nc.rpc('<get-software-information/>')).toContain('<host-name>');
    nc.close();
  });

  it('never echoes a CAK in get-configuration, in any format', async () => {
    const nc = await rawNetconf(login('r1'));
    for (const format of ['xml', 'text', 'set']) expect(await nc.rpc(`<get-configuration database="committed" format="${format}"/>`)).not.toContain(CAK);
    expect(await nc.rpc('<get-config><source><running/></source></get-config>')).not.toContain(CAK);
    nc.close();
  });

  it('rolls a commit confirmed back when not confirmed in time (injected clock)', async () => {
    const nc = await rawNetconf(login('r3'));
    await nc.rpc('<load-configuration action="set"><configuration-set>set system host-name risky</configuration-set></load-configuration>');
    expect(await nc.rpc('<commit-configuration><confirmed/><confirm-timeout>2</confirm-timeout></commit-configuration>')).toContain('<commit-success/>');
    expect(sim.device('r3').committedText()).toContain('host-name risky;');
    sim.advance(2 * 60_000);
    expect(sim.device('r3').committedText()).not.toContain('host-name risky;');
    expect(await nc.rpc('<get-commit-information/>')).toContain('<log>commit confirmed rollback</log>');
    // as on Junos, `commit check` within the timeout confirms it too
    await nc.rpc('<load-configuration action="set"><configuration-set>set system host-name kept</configuration-set></load-configuration>');
    await nc.rpc('<commit-configuration><confirmed/><confirm-timeout>2</confirm-timeout></commit-configuration>');
    expect(await nc.rpc('<commit-configuration><check/></commit-configuration>')).toContain('<commit-check-success/>');
    sim.advance(5 * 60_000);
    expect(sim.device('r3').committedText()).toContain('host-name kept;');
    nc.close();
  });
});

describe('link model over NETCONF', () => {
  it('reports MKA sessions and records the down interval of a one-sided key change', async () => {
    const t0 = sim.now();
    const r1 = await rawNetconf(login('r1'));
    const r2 = await rawNetconf(login('r2'));
    expect(await r1.rpc('<get-mka-session-information/>')).toMatch(new RegExp(`<cak-name>${CKN}</cak-name>[\\s\\S]*<peer-status>live`));
    const change = `<load-configuration action="set"><configuration-set>set security macsec connectivity-association CA pre-shared-key ckn ${NEW_CKN} cak ${NEW_CAK}</configuration-set></load-configuration>`;
    await r1.rpc(change);
    await r1.rpc('<commit-configuration/>');
    sim.advance(5_000);
    const mka = await r1.rpc('<get-mka-session-information><interface-name>ge-0/0/0</interface-name></get-mka-session-information>');
    expect(mka).toContain('<interface-state>Unsecured</interface-state>');
    expect(mka).not.toContain(NEW_CAK);
    await r2.rpc(change);
    await r2.rpc('<commit-configuration/>');
    expect(sim.linkStatus('L').state).toBe('secured');
    expect(sim.downIntervalsSince(t0)).toEqual([{ linkId: 'L', from: t0, to: t0 + 5_000, reason: 'CKN mismatch' }]);
    const rpc = await r2.rpc('<get-link-down-intervals/>');
    expect(rpc).toContain('<link-id>L</link-id>');
    expect(rpc).toContain('<duration-ms>5000</duration-ms>');
    r1.close();
    r2.close();
  });
});

describe('faults', () => {
  it('refuses every login under authFailure', async () => {
    sim.setFaults('r3', { authFailure: true });
    await expect(rawNetconf(login('r3'))).rejects.toThrow(/authentication/i);
    sim.setFaults('r3', {});
  });

  it('drops the connection mid-RPC after N RPCs', async () => {
    sim.setFaults('r3', { dropAfterRpcs: 2 });
    const nc = await rawNetconf(login('r3'));
    await nc.rpc('<get-software-information/>');
    await nc.rpc('<get-software-information/>');
    await expect(nc.rpc('<get-software-information/>')).rejects.toThrow(/closed/);
    sim.setFaults('r3', {});
  });

  it('fails only the next N commits under failCommits', async () => {
    sim.setFaults('r3', { failCommits: 2 });
    const nc = await rawNetconf(login('r3'));
    expect(await nc.rpc('<commit-configuration/>')).toContain('statements constraint check failed');
    expect(await nc.rpc('<commit-configuration/>')).toContain('statements constraint check failed');
    expect(await nc.rpc('<commit-configuration/>')).toContain('<commit-success/>');
    expect(await nc.rpc('<get-route-engine-information/>')).toContain('<mastership-state>master</mastership-state>');
    expect(await nc.rpc('<get-system-uptime-information/>')).toContain('2026-03-01');
    nc.close();
  });

  it('fails commits with the configured message, and delays commits and hellos', async () => {
    sim.setFaults('r3', { commitFailure: 'commit failed: simulated', commitLatencyMs: 20, helloDelayMs: 20 });
    const nc = await rawNetconf(login('r3'));
    const reply = await nc.rpc('<commit-configuration/>');
    expect(reply).toContain('<error-message>commit failed: simulated</error-message>');
    sim.setFaults('r3', {});
    expect(await nc.rpc('<commit-configuration/>')).toContain('<commit-success/>');
    nc.close();
  });
});

describe('hostile clients (property)', () => {
  it('random messages get an rpc-error or end their own session, and never take the device down', async () => {
    const message = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.constantFrom('<rpc/>', '<rpc message-id="x"><lock-configuration/><unlock-configuration/></rpc>', '<hello/>', '<rpc><command>show</command></rpc>', '<rpc><get-configuration format="json"/></rpc>', '<rpc><load-configuration action="bogus"/></rpc>', '<rpc><edit-config><target><running/></target></edit-config></rpc>'),
      fc.array(fc.constantFrom('<rpc>', '</rpc>', '<get-configuration>', '<configuration>', '<security>', '</security>', '<![CDATA[', ']]>', '&amp;', '&x;', '<!--', '-->', '<?xml version="1.0"?>', 'text'), { maxLength: 12 }).map((a) => a.join('')),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 4 }), async (messages) => {
        const nc = await rawNetconf(login('r3'));
        for (const m of messages) {
          if (m.includes(']]>]]>')) continue; // the codec refuses to frame the delimiter itself
          nc.send(m);
          const reply = await Promise.race([nc.next(), nc.closed.then(() => undefined)]);
          if (reply === undefined) break;
          expect(reply).toMatch(/<rpc-reply[\s\S]*<\/rpc-reply>/);
        }
        nc.close();
      }),
      { numRuns: 25 },
    );
    const healthy = await rawNetconf(login('r3'));
    expect(await healthy.rpc('<get-software-information/>')).toContain('<host-name>');
    healthy.close();
  });
});
