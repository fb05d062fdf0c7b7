import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAK128, CKN1, fullModel } from './testing/fixtures.js';
import { ConfigParseError } from './errors.js';
import { CIPHER_SUITES, type MacsecConfig } from './model.js';
import { parseConfigurationChange, parseConfigurationXml } from './parse-xml.js';
import { renderSet } from './render-set.js';
import { renderXml } from './render-xml.js';
import { Secret } from './secret.js';
import { XmlError } from './xml/index.js';

// What a Junos device answers to <get-configuration> (shape of a real reply: namespaces,
// junos:* attributes, SECRET-DATA comments, encrypted secrets, other configuration around).
const JUNOS_REPLY = `<rpc-reply xmlns:junos="http://xml.juniper.net/junos/23.4R1/junos">
    <configuration junos:commit-seconds="1732478400" junos:commit-localtime="2026-11-24 20:00:00 UTC" junos:commit-user="lab">
            <version>23.4R1.9</version>
            <system>
                <host-name>SAE_A</host-name>
                <static-host-mapping>
                    <name>etsi14-alice.keequant.com</name>
                    <inet>78.46.89.177</inet>
                </static-host-mapping>
                <services><netconf><ssh/></netconf></services>
            </system>
            <security>
                <authentication-key-chains>
                    <key-chain>
                        <name>QKD_KC</name>
                        <key>
                            <name>62</name>
                            <secret>$9$5Qz/tpBREyKvL7-bs4ZDkqPTF/CtO1hcyeK8xNdsYgoZUikPTzn6</secret> <!-- SECRET-DATA -->
                            <key-name>ABCD1234ABCD5678ABCD1234ABCD5678B4C9C6A1426AB71B1D53479F3D795B0D</key-name>
                            <start-time>2026-11-24.19:55:00 +0000</start-time>
                        </key>
                        <key junos:changed-seconds="1732478100">
                            <name>63</name>
                            <secret>$9$dQbgoGUHqfTaZjmTQnCA0O1RhyKM8LNdvWX-wsgoZGjq.f5QF/Ct</secret> <!-- SECRET-DATA -->
                            <key-name>ABCD1234ABCD5678ABCD1234ABCD56786C00260045EBAF1EBB0D41FBDD9FF375</key-name>
                            <start-time>2026-11-24.20:00:00 +0000</start-time>
                        </key>
                        <key inactive="inactive">
                            <name>7</name>
                            <secret>$9$abcdEFGH</secret>
                            <key-name>AA</key-name>
                            <start-time>2026-1-1.0:00:00 +0000</start-time>
                        </key>
                    </key-chain>
                </authentication-key-chains>
                <macsec>
                    <connectivity-association>
                        <name>CA_basic</name>
                        <cipher-suite>gcm-aes-xpn-256</cipher-suite>
                        <security-mode>static-cak</security-mode>
                        <pre-shared-key-chain>QKD_KC</pre-shared-key-chain>
                        <mka>
                            <must-secure/>
                            <key-server-priority>16</key-server-priority>
                        </mka>
                        <exclude-protocol>lldp</exclude-protocol>
                    </connectivity-association>
                    <interfaces>
                        <name>ge-0/0/0</name>
                        <apply-macro>
                            <name>qkd</name>
                            <data><name>kme-ca</name><value>false</value></data>
                            <data><name>kme-host</name><value>etsi14-alice.keequant.com</value></data>
                            <data><name>kme-port</name><value>443</value></data>
                            <data><name>kme-keyid-check</name><value>false</value></data>
                            <data><name>operator-note</name><value>ignored</value></data>
                        </apply-macro>
                        <apply-macro><name>other</name><data><name>x</name></data></apply-macro>
                        <connectivity-association>CA_basic</connectivity-association>
                    </interfaces>
                </macsec>
            </security>
            <event-options>
                <generate-event>
                    <name>every1min</name>
                    <time-interval>60</time-interval>
                </generate-event>
                <policy>
                    <name>qkd</name>
                    <events>every1min</events>
                    <then><event-script><name>offbox.py</name></event-script></then>
                </policy>
                <event-script>
                    <file><name>offbox.py</name><python-script-user>remote</python-script-user></file>
                </event-script>
                <traceoptions>
                    <file><filename>script.log</filename><size>10m</size></file>
                </traceoptions>
            </event-options>
            <protocols><lldp><interface><name>all</name></interface></lldp></protocols>
    </configuration>
    <cli><banner>[edit]</banner></cli>
</rpc-reply>`;

describe('parseConfigurationXml', () => {
  it('reads a realistic Junos get-configuration reply', () => {
    const m = parseConfigurationXml(JUNOS_REPLY);
    expect(m).toEqual({
      connectivityAssociations: [
        { name: 'CA_basic', cipherSuite: 'gcm-aes-xpn-256', securityMode: 'static-cak', preSharedKeyChain: 'QKD_KC', mka: { keyServerPriority: 16 }, excludeProtocols: ['lldp'] },
      ],
      interfaces: [{ name: 'ge-0/0/0', connectivityAssociation: 'CA_basic', qkd: { kmeCa: false, kmeHost: 'etsi14-alice.keequant.com', kmePort: 443, kmeKeyidCheck: false } }],
      keyChains: [
        {
          name: 'QKD_KC',
          keys: [
            { index: 62, secret: Secret.fromDevice('$9$5Qz/tpBREyKvL7-bs4ZDkqPTF/CtO1hcyeK8xNdsYgoZUikPTzn6'), keyName: 'ABCD1234ABCD5678ABCD1234ABCD5678B4C9C6A1426AB71B1D53479F3D795B0D', startTime: '2026-11-24.19:55:00 +0000' },
            { index: 63, secret: Secret.fromDevice('$9$dQbgoGUHqfTaZjmTQnCA0O1RhyKM8LNdvWX-wsgoZGjq.f5QF/Ct'), keyName: 'ABCD1234ABCD5678ABCD1234ABCD56786C00260045EBAF1EBB0D41FBDD9FF375', startTime: '2026-11-24.20:00:00 +0000' },
            { index: 7, secret: Secret.fromDevice('$9$abcdEFGH'), keyName: 'AA', startTime: '2026-1-1.0:00:00 +0000', inactive: true },
          ],
        },
      ],
      eventOptions: {
        generateEvents: [{ name: 'every1min', timeInterval: 60 }],
        policies: [{ name: 'qkd', events: ['every1min'], eventScripts: ['offbox.py'] }],
        eventScripts: [{ name: 'offbox.py', pythonScriptUser: 'remote' }],
        traceoptions: { file: 'script.log', size: '10m' },
      },
      staticHostMappings: [{ name: 'etsi14-alice.keequant.com', inet: ['78.46.89.177'] }],
    });
    expect(m.keyChains![0]!.keys[0]!.secret!.encrypted).toBe(true);
    expect(JSON.stringify(m)).not.toContain('$9$');
  });

  it('accepts a bare <configuration>, a NETCONF <data> wrapper and an XML declaration', () => {
    const bare = '<?xml version="1.0"?>\n<configuration><security><macsec><interfaces><name>ge-0/0/1</name></interfaces></macsec></security></configuration>';
    expect(parseConfigurationXml(bare)).toEqual({ interfaces: [{ name: 'ge-0/0/1' }] });
    const netconf = `<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="101"><data>${bare.split('\n')[1]}</data></rpc-reply>`;
    expect(parseConfigurationXml(netconf)).toEqual({ interfaces: [{ name: 'ge-0/0/1' }] });
    expect(parseConfigurationXml('<configuration/>')).toEqual({});
  });

  it('decodes entities without expanding anything else', () => {
    const xml = '<configuration><security><authentication-key-chains><key-chain><name>K</name><description>a &amp; b &lt;c&gt; &#65;&#x42;</description></key-chain></authentication-key-chains></security></configuration>';
    expect(parseConfigurationXml(xml).keyChains![0]!.description).toBe('a & b <c> AB');
    expect(() => parseConfigurationXml(xml.replace('&amp;', '&bogus;'))).toThrow(/malformed XML at line 1, column 93: an entity reference that is not one of the five predefined XML entities/);
  });

  it('names the element for every kind of bad input', () => {
    const wrap = (inner: string) => `<configuration><security>${inner}</security></configuration>`;
    const cases: [string, RegExp][] = [
      ['<configuration><security>', /malformed XML at line 1/],
      ['<rpc-reply><rpc-error><error-message>denied</error-message></rpc-error></rpc-reply>', /is an <rpc-error>/],
      ['<rpc-reply><ok/></rpc-reply>', /no <configuration> element/],
      [wrap('<macsec><connectivity-association><cipher-suite>gcm-aes-128</cipher-suite></connectivity-association></macsec>'), /configuration\/security\/macsec\/connectivity-association: missing <name>/],
      [wrap('<macsec><connectivity-association><name>C</name><cipher-suite>des</cipher-suite></connectivity-association></macsec>'), /connectivity-association\[C\]\/cipher-suite: unknown cipher-suite "des"/],
      [wrap('<macsec><connectivity-association><name>C</name><mka><key-server-priority>high</key-server-priority></mka></connectivity-association></macsec>'), /\[C\]\/mka\/key-server-priority: "high" is not a non-negative integer/],
      [wrap('<macsec><connectivity-association><name>C</name><pre-shared-key><ckn>ab</ckn></pre-shared-key></connectivity-association></macsec>'), /\[C\]\/pre-shared-key: missing <cak>/],
      [wrap('<authentication-key-chains><key-chain><name>K</name><key><name>64</name></key></key-chain></authentication-key-chains>'), /key-chain\[K\]\/key\[64\]: key index "64" is not 0..63/],
      [wrap('<authentication-key-chains><key-chain><name>K</name><key><name>1</name><start-time>a</start-time><start-time>b</start-time></key></key-chain></authentication-key-chains>'), /key\[1\]: <start-time> appears 2 times/],
      [wrap('<macsec><interfaces><name>ge-0/0/0</name><apply-macro><name>qkd</name><data><name>kme-ca</name><value>yes</value></data></apply-macro></interfaces></macsec>'), /data\[kme-ca\]: expected true or false, got "yes"/],
      [wrap('<macsec><interfaces><name>ge-0/0/0</name><apply-macro><name>qkd</name><data><name>kme-port</name><value>https</value></data></apply-macro></interfaces></macsec>'), /kme-port "https" is not a port number/],
      [wrap('<macsec><interfaces><name>ge-0/0/0</name><apply-macro><name>qkd</name><data><name>kme-method</name><value>put</value></data></apply-macro></interfaces></macsec>'), /kme-method must be get or post/],
      [wrap('<macsec><connectivity-association><name>C</name><pre-shared-key><ckn>ab</ckn><cak>two words</cak></pre-shared-key></connectivity-association></macsec>'), /\/cak: <cak> is not a usable secret/],
    ];
    for (const [xml, message] of cases) {
      expect(() => parseConfigurationXml(xml)).toThrow(ConfigParseError);
      expect(() => parseConfigurationXml(xml)).toThrow(message);
    }
    expect(() => parseConfigurationXml(42 as never)).toThrow(/expected an XML string/);
  });

  it("hands on the reader's refusal as its cause", () => {
    const err = (() => {
      try {
        parseConfigurationXml('<configuration>\n<!DOCTYPE x></configuration>');
      } catch (e) {
        return e as ConfigParseError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigParseError);
    expect(err).toMatchObject({ path: '(document)', message: '(document): malformed XML at line 2, column 1: DOCTYPE declarations are refused (entity expansion and external entities)' });
    expect(err!.cause).toBeInstanceOf(XmlError);
    expect(err!.cause).toMatchObject({ reason: 'doctype', position: 16 });
  });

  it('never puts a secret in an error', () => {
    const xml = `<configuration><security><macsec><connectivity-association><name>C</name><pre-shared-key><ckn>ab</ckn><cak>${CAK128} x</cak></pre-shared-key></connectivity-association></macsec></security></configuration>`;
    expect(() => parseConfigurationXml(xml)).toThrow(ConfigParseError);
    try {
      parseConfigurationXml(xml);
    } catch (e) {
      expect(String(e)).not.toContain(CAK128);
    }
  });

  it('never quotes a secret from malformed XML', () => {
    // A reader that names the bad "tag" it found would quote the CAK itself.
    const broken = [`<configuration><cak>00<${CAK128}/></cak></configuration>`, `<configuration><cak ${CAK128}>x</cak></configuration>`];
    for (const xml of broken) {
      expect(() => parseConfigurationXml(xml)).toThrow(/malformed XML at line 1, column \d+: /);
      expect(() => parseConfigurationXml(xml)).not.toThrow(CAK128);
    }
    expect(() => parseConfigurationXml('<configuration>&</configuration>')).toThrow(/malformed XML at line 1, column 16: an entity reference/);
  });
});

describe('round trip model -> XML -> model', () => {
  it('keeps every feature of the full model, secrets included', () => {
    const model = fullModel();
    const back = parseConfigurationXml(renderXml(model, { revealSecrets: true }));
    expect(back).toEqual(model);
    expect(renderSet(back, { revealSecrets: true })).toEqual(renderSet(model, { revealSecrets: true }));
  });

  it('the Secret-aware equality can fail', () => {
    const back = parseConfigurationXml(renderXml(fullModel(), { revealSecrets: true }));
    back.connectivityAssociations![0]!.preSharedKey!.cak = Secret.fromHex(CAK128 + CAK128);
    expect(back).not.toEqual(fullModel());
  });

  const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,15}$/);
  const hex = (n: number) => fc.array(fc.constantFrom(...'0123456789abcdef'), { minLength: n, maxLength: n }).map((a) => a.join(''));
  const ckn = fc.integer({ min: 1, max: 32 }).chain((n) => hex(n * 2));
  const secret = fc.oneof(hex(32), hex(64)).map((h) => Secret.fromHex(h));
  const startTime = fc
    .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-01-01T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 19).replace('T', '.'));
  const uniqueBy = <T,>(arb: fc.Arbitrary<T>, key: (t: T) => unknown, max: number) => fc.uniqueArray(arb, { selector: key, maxLength: max });
  const model: fc.Arbitrary<MacsecConfig> = fc.record(
    {
      connectivityAssociations: uniqueBy(
        fc.record(
          {
            name: name.map((n) => n.slice(0, 32)),
            cipherSuite: fc.constantFrom(...CIPHER_SUITES),
            securityMode: fc.constant('static-cak' as const),
            // Never one of the generated chains, whose secrets need not match this suite.
            preSharedKeyChain: name.map((n) => `ca-${n}`),
            mka: fc.record({ keyServerPriority: fc.integer({ min: 0, max: 255 }), transmitInterval: fc.integer({ min: 2000, max: 6000 }), shouldSecure: fc.constant(true) }, { requiredKeys: [] }),
            excludeProtocols: fc.uniqueArray(fc.constantFrom('lldp', 'cdp', 'lacp'), { minLength: 1 }),
            includeSci: fc.constant(true),
            replayProtect: fc.record({ replayWindowSize: fc.integer({ min: 0, max: 65535 }) }),
          },
          { requiredKeys: ['name'] },
        ),
        (c) => c.name,
        4,
      ),
      interfaces: uniqueBy(
        fc.record(
          {
            name: fc.tuple(fc.constantFrom('ge', 'xe', 'et'), fc.nat(9), fc.nat(3), fc.nat(47)).map(([t, a, b, c]) => `${t}-${a}/${b}/${c}`),
            connectivityAssociation: name.map((n) => n.slice(0, 32)),
            qkd: fc.record({ kmeHost: fc.constantFrom('kme-a', '10.0.0.1', 'kme.example.net'), kmePort: fc.integer({ min: 1, max: 65535 }), kmeCa: fc.boolean(), kmeKeyidCheck: fc.boolean(), kmeMethod: fc.constantFrom('get' as const, 'post' as const) }, { requiredKeys: [] }),
          },
          { requiredKeys: ['name'] },
        ),
        (i) => i.name,
        4,
      ),
      keyChains: uniqueBy(
        fc.record({
          name: name.map((n) => `kc-${n}`),
          keys: uniqueBy(fc.record({ index: fc.integer({ min: 0, max: 63 }), keyName: ckn, secret, startTime }, { requiredKeys: ['index'] }), (k) => k.index, 6).map((keys) => {
            // Junos wants unique start-times within a chain.
            const seen = new Set<string | undefined>();
            return keys.filter((k) => (k.startTime === undefined || !seen.has(k.startTime)) && (seen.add(k.startTime), true));
          }),
        }),
        (c) => c.name,
        3,
      ),
      staticHostMappings: uniqueBy(fc.record({ name: fc.constantFrom('kme-a', 'kme-b', 'peer.example.net'), inet: fc.array(fc.ipV4(), { minLength: 1, maxLength: 2 }) }), (h) => h.name, 3),
    },
    { requiredKeys: [] },
  );

  // What renders to nothing comes back absent: empty top-level lists, an empty mka or qkd macro.
  const normalize = (m: MacsecConfig): MacsecConfig => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(m)) if (!(Array.isArray(v) && v.length === 0)) out[k] = v;
    const cas = (out.connectivityAssociations as MacsecConfig['connectivityAssociations'])?.map((c) => {
      const { mka, ...rest } = c;
      return mka && Object.keys(mka).length > 0 ? c : rest;
    });
    if (cas) out.connectivityAssociations = cas;
    const ifs = (out.interfaces as MacsecConfig['interfaces'])?.map((i) => {
      const { qkd, ...rest } = i;
      return qkd && Object.keys(qkd).length > 0 ? i : rest;
    });
    if (ifs) out.interfaces = ifs;
    return out as MacsecConfig;
  };

  it('keeps any valid model (property)', () => {
    fc.assert(
      fc.property(model, (m) => {
        const back = parseConfigurationXml(renderXml(m, { revealSecrets: true }));
        expect(back).toEqual(normalize(m));
        expect(renderSet(back, { revealSecrets: true })).toEqual(renderSet(m, { revealSecrets: true }));
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseConfigurationChange', () => {
  it('reads back what a rendered change adds, deletes and replaces', () => {
    const xml = renderXml(
      { keyChains: [{ name: 'KC1', keys: [{ index: 5, keyName: CKN1, secret: Secret.fromHex(CAK128), startTime: '2026-11-24.20:10:00' }] }], interfaces: [{ name: 'ge-0/0/0', connectivityAssociation: 'CA1' }] },
      {
        delete: [
          { kind: 'key-chain-key', chain: 'KC1', index: 3 },
          { kind: 'connectivity-association', name: 'OLD' },
          { kind: 'macsec-interface', name: 'ge-0/0/9' },
          { kind: 'key-chain', name: 'KC0' },
          { kind: 'generate-event', name: 'e' },
          { kind: 'event-policy', name: 'p' },
          { kind: 'event-script-file', name: 'f.py' },
          { kind: 'static-host-mapping', name: 'h' },
        ],
        revealSecrets: true,
      },
    );
    const change = parseConfigurationChange(xml);
    expect(change.config.keyChains).toEqual([{ name: 'KC1', keys: [{ index: 5, keyName: CKN1, secret: Secret.fromHex(CAK128), startTime: '2026-11-24.20:10:00' }] }]);
    expect(change.config.interfaces).toEqual([{ name: 'ge-0/0/0', connectivityAssociation: 'CA1' }]);
    expect(change.delete).toEqual(
      expect.arrayContaining([
        { kind: 'key-chain-key', chain: 'KC1', index: 3 },
        { kind: 'connectivity-association', name: 'OLD' },
        { kind: 'macsec-interface', name: 'ge-0/0/9' },
        { kind: 'key-chain', name: 'KC0' },
        { kind: 'generate-event', name: 'e' },
        { kind: 'event-policy', name: 'p' },
        { kind: 'event-script-file', name: 'f.py' },
        { kind: 'static-host-mapping', name: 'h' },
      ]),
    );
    expect(change.delete).toHaveLength(8);
    expect(change.replaced).toEqual([]);
  });

  it('understands operation="delete" and replace="replace"', () => {
    const xml = renderXml({ connectivityAssociations: [{ name: 'CA1', securityMode: 'static-cak', preSharedKeyChain: 'KC1' }] }, { operation: 'replace', delete: [{ kind: 'macsec-interface', name: 'ge-0/0/1' }], deleteAttribute: 'operation' });
    const change = parseConfigurationChange(xml);
    expect(change.delete).toEqual([{ kind: 'macsec-interface', name: 'ge-0/0/1' }]);
    expect(change.replaced).toEqual(['connectivity-association:CA1']);
    expect(change.config).toEqual({ connectivityAssociations: [{ name: 'CA1', securityMode: 'static-cak', preSharedKeyChain: 'KC1' }] });
  });
});

describe('parseConfigurationXml on hostile input (fuzz)', () => {
  const valid = renderXml(fullModel(), { revealSecrets: true });
  const expectOnlyParseErrors = (xml: string) => {
    try {
      parseConfigurationXml(xml);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigParseError);
    }
  };

  it('throws only ConfigParseError for random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), expectOnlyParseErrors), { numRuns: 300 });
  });

  it('throws only ConfigParseError for damaged configuration XML', () => {
    const damaged = fc
      .tuple(fc.integer({ min: 0, max: valid.length }), fc.integer({ min: 0, max: 40 }), fc.constantFrom('', '<', '>', '&', '<x>', '</name>', '<name>', '99', 'gcm-aes-999', '<key>', ' junos:x="1"', '<![CDATA[a]]>', '&#xFFFFFFF;'))
      .map(([at, cut, insert]) => valid.slice(0, at) + insert + valid.slice(at + cut));
    fc.assert(fc.property(damaged, expectOnlyParseErrors), { numRuns: 500 });
  });

  it('does not expand entities (no billion laughs)', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<configuration><security><authentication-key-chains><key-chain><name>K</name><description>&lol2;</description></key-chain></authentication-key-chains></security></configuration>`;
    expect(() => parseConfigurationXml(bomb)).toThrow(/malformed XML at line 1, column 22: DOCTYPE declarations are refused/);
    const xml = '<configuration><security><authentication-key-chains><key-chain><name>K</name><description>&lol2;</description></key-chain></authentication-key-chains></security></configuration>';
    expect(() => parseConfigurationXml(xml)).toThrow(/malformed XML at line 1, column 91: an entity reference that is not one of the five predefined XML entities/);
  });
});
