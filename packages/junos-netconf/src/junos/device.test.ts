import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER, startTestServer, type ReceivedRpc, type ScriptedReply, type TestServer } from '../testing/netconf-server.js';
import { connectJunos, type JunosDevice } from './device.js';

const JUNOS = 'xmlns:junos="http://xml.juniper.net/junos/23.4R1/junos"';
const replies: Record<string, (rpc: ReceivedRpc) => ScriptedReply> = {
  'get-software-information': () =>
    `<software-information><host-name>r1-lab</host-name><product-model>mx204</product-model><product-name>mx204</product-name><junos-version>23.4R1.9</junos-version></software-information>`,
  'get-chassis-inventory': () => `<chassis-inventory><chassis ${JUNOS}><name>Chassis</name><serial-number>BK012</serial-number><description>MX204</description></chassis></chassis-inventory>`,
  'get-configuration': (rpc) =>
    rpc.xml.includes('compare="rollback"')
      ? `<configuration-information><configuration-output>[edit security]\n+  authentication-key-chains { }\n[edit security authentication-key-chains key-chain KC key 0]\n+    key-name 01;\n+    secret "$9$ReVersIble0bfuscat10n"; ## SECRET-DATA</configuration-output></configuration-information>`
      : rpc.xml.includes('format="set"')
        ? `<configuration-set>set system host-name r1-lab\nset security macsec connectivity-association CA1 security-mode static-cak</configuration-set>`
        : rpc.xml.includes('format="text"')
          ? `<configuration-text>system {\n    host-name r1-lab;\n}</configuration-text>`
          : `<configuration ${JUNOS} junos:changed-seconds="1"><system><host-name>r1-lab</host-name></system></configuration>`,
  'load-configuration': (rpc) =>
    rpc.xml.includes('BADCAK')
      ? `<load-configuration-results><rpc-error><error-severity>error</error-severity><error-message>invalid cak value 'BADCAK0123456789'</error-message><error-info><bad-element>BADCAK0123456789</bad-element></error-info></rpc-error></load-configuration-results>`
      : rpc.xml.includes('bad-statement')
      ? `<load-configuration-results><rpc-error><error-severity>error</error-severity><error-message>syntax error</error-message><error-info><bad-element>bad-statement</bad-element></error-info></rpc-error><ok/></load-configuration-results>`
      : `<load-configuration-results><load-success/></load-configuration-results>`,
  'commit-configuration': (rpc) =>
    rpc.xml.includes('<log>quote the secret</log>')
      ? `<commit-results><rpc-error><error-severity>error</error-severity><error-path>[edit security authentication-key-chains key-chain KC key 1]</error-path><error-message>secret GOODCAK0123456789abcdef does not match the cipher suite</error-message></rpc-error></commit-results>`
      : rpc.xml.includes('<check/>')
      ? `<commit-results><routing-engine><name>re0</name><commit-check-success/></routing-engine></commit-results>`
      : `<commit-results><rpc-error><error-severity>warning</error-severity><error-message>mgd: commit confirmed will be rolled back in 5 minutes</error-message></rpc-error><routing-engine><name>re0</name><commit-success/></routing-engine></commit-results>`,
  command: () => `<output>\nHostname: r1-lab\nModel: mx204\n</output>`,
  'get-mka-session-information': () => `<mka-session-information ${JUNOS} junos:style="brief">
      <interface-name>et-0/0/1</interface-name><interface-state>Secured - Primary</interface-state>
      <member-identifier>64B9F944EC9D6A5022BD2D13</member-identifier>
      <cak-name>ABCD000000000000000000000000000000000000000000000000000000000001</cak-name>
      <transmit-interval>10000(ms)</transmit-interval><outbound-sci>B4:F9:5D:8C:A7:91/1</outbound-sci>
      <message-number>4242</message-number><key-number>3</key-number><key-server>yes</key-server><key-server-priority>16</key-server-priority>
      <latest-sak-an>1</latest-sak-an><latest-sak-ki>A1B2C3D4E5F6A7B8C9D0E1F2/3</latest-sak-ki>
    </mka-session-information>
    <mka-session-information ${JUNOS} junos:style="brief">
      <interface-name>et-0/0/2</interface-name><interface-state>Unsecured</interface-state>
      <cak-name>ABCD000000000000000000000000000000000000000000000000000000000002</cak-name>
      <key-server>no</key-server><latest-sak-an>0</latest-sak-an><latest-sak-ki>000000000000000000000000/0</latest-sak-ki>
    </mka-session-information>`,
  'get-mka-session-interface-information': (rpc) => replies['get-mka-session-information']!(rpc),
  'get-macsec-connection-interface-information': (rpc) => replies['get-macsec-connection-information']!(rpc),
  'get-macsec-connection-information': () => `<macsec-connection-information>
      <macsec-interface-common-information><interface-name>et-0/0/1</interface-name><connectivity-association-name>CA1</connectivity-association-name>
        <cipher-suite>GCM-AES-XPN-256</cipher-suite><encryption>on</encryption><offset>0</offset><include-sci>no</include-sci><replay-protect>off</replay-protect><replay-protect-window>0</replay-protect-window></macsec-interface-common-information>
      <inbound-secure-channel><sci>20:93:39:38:51:19/1</sci><lowest-accepted-packet-number>17</lowest-accepted-packet-number><inbound-secure-association><association-number>1</association-number><association-number-status>inuse</association-number-status><create-time junos:seconds="60">00:01:00</create-time><member-identifier>64B9F944EC9D6A5022BD2D13</member-identifier><key-number>3</key-number><start-time>2026-01-01 00:00:00 UTC</start-time></inbound-secure-association></inbound-secure-channel>
      <macsec-interface-common-information><interface-name>et-0/0/2</interface-name><connectivity-association-name>CA2</connectivity-association-name><cipher-suite>GCM-AES-128</cipher-suite></macsec-interface-common-information>
      <outbound-secure-channel><sci>B4:F9:5D:8C:A7:99/1</sci><outgoing-packet-number>29462517698</outgoing-packet-number>
        <outbound-secure-association><association-number>0</association-number><association-number-status>inuse</association-number-status></outbound-secure-association></outbound-secure-channel>
    </macsec-connection-information>`,
};

let server: TestServer;
let device: JunosDevice;
let failUnlock = false;
beforeAll(async () => {
  server = await startTestServer({
    handler: (rpc) =>
      rpc.name === 'unlock-configuration' && failUnlock
        ? '<rpc-error><error-severity>error</error-severity><error-message>configuration database not locked</error-message></rpc-error>'
        : (replies[rpc.name]?.(rpc) ?? '<ok/>'),
  });
  device = await connectJunos({ host: server.host, port: server.port, ...DEFAULT_USER, knownHosts: server.knownHostsLine });
});
afterAll(async () => {
  await device.close();
  await server.close();
});

const lastRpc = (): string => server.received.at(-1)!.inner;

describe('Junos device API over real SSH', () => {
  it('reads closed and hostKeyFingerprint also through a Proxy of the device or its client (as wrappers do)', () => {
    const proxied = <T extends object>(o: T): T => new Proxy(o, { get: (t, p, r) => Reflect.get(t, p, r) as unknown });
    expect(proxied(device).closed).toBe(false);
    expect(proxied(device.netconf).closed).toBe(false);
    expect(proxied(device.netconf).hostKeyFingerprint).toMatch(/^SHA256:/);
    const { rpc } = device; // the device's methods are closures: they work detached
    return expect(rpc('<get-software-information/>')).resolves.toMatchObject({ failed: false });
  });

  it('keeps the device and its client out of V8 dictionary mode (~1.3 KiB more per kept session, slower method lookups)', async () => {
    // In a plain node process, as the package runs (under vitest's transform both ways stayed fast).
    const code = `
      import { connectJunos } from ${JSON.stringify(new URL('./device.ts', import.meta.url).href)};
      const fast = new Function('o', 'return %HasFastProperties(o)');
      const device = await connectJunos(JSON.parse(process.env.CONNECT));
      console.log(JSON.stringify({ device: fast(device), client: fast(device.netconf), assigned: fast(Object.assign(new (class {})(), { ...device })) }));
      await device.close();`;
    // Not execFileSync: the SSH server it connects to runs in this process.
    // The connection options (a password among them) in the environment, not on the command line.
    const env = { ...process.env, CONNECT: JSON.stringify({ host: server.host, port: server.port, ...DEFAULT_USER, knownHosts: server.knownHostsLine }) };
    const { stdout: out } = await promisify(execFile)(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 60_000, env });
    // `assigned`: the way it was built before — the check can tell the two apart.
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ device: true, client: true, assigned: false });
  });

  it('never lets the SSH password be reached from the device object (every own property, symbols and non-enumerable ones too)', () => {
    const seen = new Set<unknown>();
    const found: string[] = [];
    const walk = (v: unknown, path: string, depth: number): void => {
      if (typeof v === 'string') {
        if (v.includes(DEFAULT_USER.password)) found.push(path);
        return;
      }
      if ((typeof v !== 'object' && typeof v !== 'function') || v === null || seen.has(v) || depth > 40) return;
      seen.add(v);
      for (const key of Reflect.ownKeys(v)) {
        const d = Object.getOwnPropertyDescriptor(v, key);
        if (d && 'value' in d) walk(d.value, `${path}.${String(key)}`, depth + 1);
      }
      walk(Object.getPrototypeOf(v), `${path}.__proto__`, depth + 1);
    };
    walk(device, 'device', 0);
    expect(seen.size).toBeGreaterThan(20); // the walk did go somewhere
    expect(found).toEqual([]);
  });

  it('reads facts from software information and chassis inventory', async () => {
    expect(await device.facts()).toEqual({ hostname: 'r1-lab', model: 'mx204', version: '23.4R1.9', serialNumber: 'BK012' });
  });

  it('reads the configuration as XML, text and set commands', async () => {
    const xml = await device.getConfiguration({ filter: '<system/>' });
    expect(lastRpc()).toBe('<get-configuration><configuration><system/></configuration></get-configuration>');
    expect(xml.configuration).toMatchObject({ system: { 'host-name': 'r1-lab' } });
    expect((await device.getConfiguration({ format: 'text' })).configuration).toBe('system {\n    host-name r1-lab;\n}');
    expect((await device.getConfiguration({ format: 'set' })).configuration).toContain('set security macsec connectivity-association CA1');
  });

  it('loads set commands, commits confirmed with a comment, returns the warning, then confirms', async () => {
    await device.load({ format: 'set', config: 'set security authentication-key-chains key-chain KC key 1 key-name ABCD secret "$9$x<y"' });
    expect(lastRpc()).toBe(
      '<load-configuration action="set" format="text"><configuration-set>set security authentication-key-chains key-chain KC key 1 key-name ABCD secret "$9$x&lt;y"</configuration-set></load-configuration>',
    );
    const c = await device.commit({ confirmed: true, confirmTimeoutMinutes: 5, comment: 'qkd rotation' });
    expect(lastRpc()).toBe('<commit-configuration><confirmed/><confirm-timeout>5</confirm-timeout><log>qkd rotation</log></commit-configuration>');
    expect(c.failed).toBe(false);
    expect(c.warnings[0]!.message).toMatch(/rolled back in 5 minutes/);
    await device.confirm();
    expect(lastRpc()).toBe('<commit-configuration/>');
    await device.commit({ check: true });
    expect(lastRpc()).toBe('<commit-configuration><check/></commit-configuration>');
  });

  it('turns a load error into RpcFailedError naming the bad element', async () => {
    await expect(device.load({ format: 'text', config: 'bad-statement;' })).rejects.toMatchObject({
      name: 'RpcFailedError',
      rpc: 'load-configuration',
      errors: [expect.objectContaining({ message: 'syntax error', badElement: 'bad-statement' })],
    });
  });

  it('keeps the key material of a load out of the error it causes', async () => {
    const err = (await device.load({ format: 'set', config: 'set security macsec connectivity-association CA1 pre-shared-key cak BADCAK0123456789' }).catch((e: unknown) => e)) as Error & { raw: string; errors: Array<{ badElement?: string }> };
    expect(err).toMatchObject({ name: 'RpcFailedError' });
    expect(`${err.message} ${err.raw} ${err.stack} ${JSON.stringify(err.errors.map((e) => ({ ...e })))}`).not.toContain('BADCAK0123456789');
    expect(err.errors[0]!.badElement).toBe('[redacted]');
  });

  it('keeps the key material of earlier loads out of a later commit error', async () => {
    await device.load({ format: 'set', config: 'set security authentication-key-chains key-chain KC key 1 secret GOODCAK0123456789abcdef' });
    const err = (await device.commit({ comment: 'quote the secret' }).catch((e: unknown) => e)) as Error & { raw: string; errors: Array<{ message: string }> };
    expect(err).toMatchObject({ name: 'RpcFailedError', rpc: 'commit-configuration' });
    expect(`${err.message} ${err.raw} ${err.stack} ${JSON.stringify(err.errors.map((e) => ({ ...e })))}`).not.toContain('GOODCAK0123456789abcdef');
    expect(err.errors[0]!.message).toBe('secret [redacted] does not match the cipher suite');
  });

  it('diffs against rollback 0 and rolls back', async () => {
    expect(await device.diff()).toBe('[edit security]\n+  authentication-key-chains { }\n[edit security authentication-key-chains key-chain KC key 0]\n+    key-name 01;\n+    secret "[redacted]"; ## SECRET-DATA');
    expect(lastRpc()).toBe('<get-configuration compare="rollback" rollback="0" format="text"/>');
    await device.rollback(1);
    expect(lastRpc()).toBe('<load-configuration rollback="1"/>');
  });

  it('runs private and exclusive configuration sessions, discarding on failure', async () => {
    const before = server.received.length;
    await device.withConfiguration('private', async (d) => d.load({ format: 'text', config: 'system { host-name r2; }' }));
    await expect(device.withConfiguration('exclusive', async () => Promise.reject(new Error('render failed')))).rejects.toThrow('render failed');
    expect(server.received.slice(before).map((r) => r.inner)).toEqual([
      '<open-configuration><private/></open-configuration>',
      '<load-configuration action="merge" format="text"><configuration-text>system { host-name r2; }</configuration-text></load-configuration>',
      '<close-configuration/>',
      '<lock-configuration/>',
      '<load-configuration rollback="0"/>',
      '<unlock-configuration/>',
    ]);
  });

  it('reports the failure inside withConfiguration, not a failing unlock after it', async () => {
    failUnlock = true;
    try {
      await expect(device.withConfiguration('exclusive', async () => Promise.reject(new Error('render failed')))).rejects.toThrow('render failed');
      await expect(device.withConfiguration('exclusive', async () => 'done')).rejects.toMatchObject({ name: 'RpcFailedError', rpc: 'unlock-configuration' });
    } finally {
      failUnlock = false;
    }
  });

  it('runs a CLI command', async () => {
    expect(await device.cli('show version')).toBe('Hostname: r1-lab\nModel: mx204');
    expect(lastRpc()).toBe('<command format="text">show version</command>');
  });

  it('reads MKA sessions as typed objects', async () => {
    const sessions = await device.mkaSessions();
    expect(sessions).toHaveLength(2);
    expect(sessions[0]).toMatchObject({
      interface: 'et-0/0/1',
      secured: true,
      cakType: 'primary',
      ckn: 'ABCD000000000000000000000000000000000000000000000000000000000001',
      transmitIntervalMs: 10000,
      keyServer: true,
      keyServerPriority: 16,
      latestSakAn: 1,
      latestSakKi: 'A1B2C3D4E5F6A7B8C9D0E1F2/3',
      sakInstalled: true,
    });
    expect(sessions[1]).toMatchObject({ interface: 'et-0/0/2', secured: false, keyServer: false, sakInstalled: false });
    await device.mkaSessions('et-0/0/1');
    expect(lastRpc()).toBe('<get-mka-session-interface-information><interface-name>et-0/0/1</interface-name></get-mka-session-interface-information>');
  });

  it('reads the same MKA sessions as summaries, without the tree', async () => {
    const summaries = await device.mkaSummaries();
    expect(summaries).toEqual([
      { interface: 'et-0/0/1', state: 'Secured - Primary', secured: true, cakType: 'primary', ckn: 'ABCD000000000000000000000000000000000000000000000000000000000001' },
      { interface: 'et-0/0/2', state: 'Unsecured', secured: false, cakType: undefined, ckn: 'ABCD000000000000000000000000000000000000000000000000000000000002' },
    ]);
    await device.mkaSummaries('et-0/0/2');
    expect(lastRpc()).toBe('<get-mka-session-interface-information><interface-name>et-0/0/2</interface-name></get-mka-session-interface-information>');
  });

  it('reads MACsec connections, attaching channels to the interface they follow', async () => {
    const conns = await device.macsecConnections();
    expect(conns.map((c) => c.interface)).toEqual(['et-0/0/1', 'et-0/0/2']);
    expect(conns[0]).toMatchObject({ connectivityAssociation: 'CA1', cipherSuite: 'GCM-AES-XPN-256', encryption: true, includeSci: false, outbound: undefined });
    expect(conns[0]).not.toHaveProperty('createTime'); // not in the YANG: SAs carry create-time
    expect(conns[0]!.inbound[0]).toMatchObject({ sci: '20:93:39:38:51:19/1', lowestAcceptedPacketNumber: '17' });
    expect(conns[0]!.inbound[0]!.associations[0]).toEqual({
      associationNumber: 1,
      status: 'inuse',
      createTime: '00:01:00',
      memberIdentifier: '64B9F944EC9D6A5022BD2D13',
      keyNumber: 3,
      startTime: '2026-01-01 00:00:00 UTC',
    });
    expect(conns[1]!.outbound).toMatchObject({ sci: 'B4:F9:5D:8C:A7:99/1', outgoingPacketNumber: '29462517698' });
    expect(conns[1]!.inbound).toEqual([]);
    await device.macsecConnections('et-0/0/2');
    expect(lastRpc()).toBe('<get-macsec-connection-interface-information><interface-name>et-0/0/2</interface-name></get-macsec-connection-interface-information>');
  });

  it('keeps the standard NETCONF operations at hand', async () => {
    await device.netconf.lock('candidate');
    expect(lastRpc()).toBe('<lock><target><candidate/></target></lock>');
    await device.netconf.discardChanges();
    expect(lastRpc()).toBe('<discard-changes/>');
  });
});
