// readConfigurationTree on a tree parsed apart (the rotator's path: junos-netconf hands it the
// tree this package's xml/ reader built) against parseConfigurationXml (the string path): the
// same model, the same errors, and the tree path refuses what the reader refuses in a string.
import { describe, expect, it } from 'vitest';
import { CAK128, fieldScriptReply, everyFieldModel, fullModel } from './testing/fixtures.js';
import { ConfigParseError } from './errors.js';
import { MAX_CONFIGURATION_DEPTH, parseConfigurationXml, readConfigurationTree } from './parse-xml.js';
import { renderXml } from './render-xml.js';
import { heapAfterGc } from './testing/heap.js';
import { parseXmlOrdered, type XmlElement } from './xml/index.js';

// The tree as the rotator has it, parsed apart from the model's reading.
const fromTree = (xml: string) => readConfigurationTree(parseXmlOrdered(xml)[0]!);

/** The error a reader throws, or undefined. */
function errorOf(read: () => unknown): unknown {
  try {
    read();
  } catch (e) {
    return e;
  }
  return undefined;
}

// A reply as Junos sends it: namespaces, junos:* attributes, comments, other configuration
// around, an inactive key, entries of one name split by another, a flag and a leaf-list.
const JUNOS_REPLY = `<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" xmlns:junos="http://xml.juniper.net/junos/24.4R1/junos" message-id="7">
  <configuration junos:commit-seconds="1795550400" junos:commit-localtime="2026-11-24 20:00:00 UTC" junos:commit-user="qkd">
    <version>24.4R1.9</version>
    <system><host-name>r1</host-name><static-host-mapping><name>kme-a.example.net</name><inet>192.0.2.10</inet><inet>192.0.2.11</inet></static-host-mapping></system>
    <security>
      <macsec>
        <connectivity-association><name>CA1</name><cipher-suite>gcm-aes-xpn-256</cipher-suite><security-mode>static-cak</security-mode>
          <pre-shared-key-chain>KC1</pre-shared-key-chain>
          <fallback-key><ckn>fa11fa11</ckn><cak>$9$AbCdEfGh.1</cak> <!-- SECRET-DATA --></fallback-key>
          <mka><should-secure/><key-server-priority>16</key-server-priority></mka>
          <replay-protect/><exclude-protocol><name>lldp</name></exclude-protocol><exclude-protocol>cdp</exclude-protocol>
        </connectivity-association>
        <interfaces><name>et-0/0/1</name><connectivity-association>CA1</connectivity-association>
          <apply-macro><name>qkd</name><data><name>kme-host</name><value>https://kme-a.example.net:8443/api/v1/keys</value></data><data><name>kme-port</name><value>8443</value></data></apply-macro>
        </interfaces>
        <connectivity-association><name>CA2</name><security-mode>static-cak</security-mode><pre-shared-key><ckn>ab</ckn><cak>${CAK128}</cak></pre-shared-key><offset>30</offset><include-sci/></connectivity-association>
      </macsec>
      <authentication-key-chains>
        <key-chain><name>KC1</name><tolerance>3600</tolerance>
          <key><name>62</name><secret>$9$x.62</secret><key-name>aa01</key-name><start-time>2026-11-24.19:55:00 +0000</start-time></key>
          <key junos:changed-seconds="1795550100"><name>63</name><secret>$9$x.63</secret><key-name>aa02</key-name><start-time>2026-11-24.20:00</start-time></key>
          <key inactive="inactive"><name>0</name><key-name>aa03</key-name><start-time>2026-11-24.20:05:00</start-time><algorithm>hmac-sha-1</algorithm></key>
        </key-chain>
      </authentication-key-chains>
    </security>
    <event-options><generate-event><name>every5</name><time-interval>300</time-interval></generate-event>
      <policy><name>p</name><events>every5</events><then><event-script><name>qkd.py</name></event-script></then></policy>
      <event-script><file><name>qkd.py</name><python-script-user>qkd</python-script-user></file></event-script>
      <traceoptions><file><filename>ev.log</filename><size>10m</size><files>3</files></file><flag><name>events</name></flag></traceoptions>
    </event-options>
  </configuration>
</rpc-reply>`;

describe('readConfigurationTree reads what parseConfigurationXml reads', () => {
  const documents: Array<[string, string]> = [
    ['a Junos reply with every part of the model', JUNOS_REPLY],
    ['the field script v3.2 device', fieldScriptReply('v3.2')],
    ['the field script v3.3 device', fieldScriptReply('v3.3')],
    ['renderXml of the full model', renderXml(fullModel(), { revealSecrets: true })],
    ['renderXml of a model setting every field', renderXml(everyFieldModel(), { revealSecrets: true })],
    ['a NETCONF <data> reply', `<rpc-reply message-id="1"><data>${renderXml(fullModel(), { revealSecrets: true })}</data></rpc-reply>`],
    ['an empty configuration', '<rpc-reply><configuration/></rpc-reply>'],
  ];
  for (const [what, xml] of documents) {
    it(what, () => {
      const text = parseConfigurationXml(xml);
      const tree = fromTree(xml);
      expect(tree).toEqual(text);
      // toEqual compares Secrets by value (testing/fixtures.ts); the JSON form shows the shape.
      expect(JSON.stringify(tree)).toBe(JSON.stringify(text));
    });
  }

  it('reads every part of the Junos reply (the comparison above is not of two empty models)', () => {
    const m = fromTree(JUNOS_REPLY);
    expect(m.connectivityAssociations?.map((c) => c.name)).toEqual(['CA1', 'CA2']);
    expect(m.connectivityAssociations?.[0]?.excludeProtocols).toEqual(['lldp', 'cdp']);
    expect(m.connectivityAssociations?.[0]?.fallbackKey?.cak.reveal()).toBe('$9$AbCdEfGh.1');
    expect(m.interfaces?.[0]?.qkd).toEqual({ kmeHost: 'https://kme-a.example.net:8443/api/v1/keys', kmePort: 8443 });
    expect(m.keyChains?.[0]?.keys.map((k) => [k.index, k.inactive ?? false])).toEqual([[62, false], [63, false], [0, true]]);
    expect(m.staticHostMappings).toEqual([{ name: 'kme-a.example.net', inet: ['192.0.2.10', '192.0.2.11'] }]);
    expect(m.eventOptions?.traceoptions).toEqual({ file: 'ev.log', size: '10m', files: 3, flags: ['events'] });
  });

  const wrap = (inner: string) => `<rpc-reply><configuration><security>${inner}</security></configuration></rpc-reply>`;
  const bad: Array<[string, string]> = [
    ['an rpc-error', '<rpc-reply><rpc-error><error-message>denied</error-message></rpc-error></rpc-reply>'],
    ['no configuration', '<rpc-reply><ok/></rpc-reply>'],
    ['two configurations', '<rpc-reply><configuration/><configuration/></rpc-reply>'],
    ['a CA without a name', wrap('<macsec><connectivity-association><cipher-suite>gcm-aes-128</cipher-suite></connectivity-association></macsec>')],
    ['an unknown suite', wrap('<macsec><connectivity-association><name>C</name><cipher-suite>des</cipher-suite></connectivity-association></macsec>')],
    ['an offset Junos lacks', wrap('<macsec><connectivity-association><name>C</name><offset>031</offset></connectivity-association></macsec>')],
    ['a bad priority', wrap('<macsec><connectivity-association><name>C</name><mka><key-server-priority>high</key-server-priority></mka></connectivity-association></macsec>')],
    ['a key index out of range', wrap('<authentication-key-chains><key-chain><name>K</name><key><name>64</name></key></key-chain></authentication-key-chains>')],
    ['a repeated start-time', wrap('<authentication-key-chains><key-chain><name>K</name><key><name>1</name><start-time>a</start-time><start-time>b</start-time></key></key-chain></authentication-key-chains>')],
    ['two security elements', '<configuration><security/><security/></configuration>'],
    ['a bad macro value', wrap('<macsec><interfaces><name>ge-0/0/0</name><apply-macro><name>qkd</name><data><name>kme-ca</name><value>yes</value></data></apply-macro></interfaces></macsec>')],
    ['an unusable secret', wrap(`<macsec><connectivity-association><name>C</name><pre-shared-key><ckn>ab</ckn><cak>${CAK128} x</cak></pre-shared-key></connectivity-association></macsec>`)],
  ];
  for (const [what, xml] of bad) {
    it(`refuses ${what} with the same error`, () => {
      const text = errorOf(() => parseConfigurationXml(xml));
      const tree = errorOf(() => fromTree(xml));
      expect(text).toBeInstanceOf(ConfigParseError);
      expect(tree).toBeInstanceOf(ConfigParseError);
      expect(String(tree)).toBe(String(text));
    });
  }
});

describe('readConfigurationTree refuses what a string would be refused for', () => {
  const node = (name: string, children: XmlElement[] = []): XmlElement => ({ name, attributes: {}, children, text: '' });

  it(`nesting deeper than ${MAX_CONFIGURATION_DEPTH} levels, anywhere in the tree`, () => {
    // `levels` nested elements under rpc-reply/configuration/system: the innermost at depth levels + 2.
    const reply = (levels: number) => {
      let deep = node('x');
      for (let i = 1; i < levels; i++) deep = node('x', [deep]);
      return node('rpc-reply', [node('configuration', [node('system', [deep])])]);
    };
    expect(() => readConfigurationTree(reply(MAX_CONFIGURATION_DEPTH - 1))).toThrow(/nested deeper than 100 levels/);
    expect(readConfigurationTree(reply(MAX_CONFIGURATION_DEPTH - 2))).toEqual({});
  });

  it('elements named like Object.prototype members, even where the model reads nothing', () => {
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      const reply = node('rpc-reply', [node('configuration', [node('version', [node(name)])])]);
      expect(() => readConfigurationTree(reply)).toThrow(new RegExp(`element <${name}> is not allowed`));
    }
  });

  it('attributes are own properties only', () => {
    const key = { name: 'key', attributes: Object.create({ inactive: 'inactive' }) as Record<string, string>, children: [{ ...node('name'), text: '1' }], text: '' };
    const reply = node('configuration', [node('security', [node('authentication-key-chains', [node('key-chain', [{ ...node('name'), text: 'K' }, key])])])]);
    expect(readConfigurationTree(reply).keyChains?.[0]?.keys).toEqual([{ index: 1 }]);
  });
});

describe('what a model keeps of the reply it was read from', () => {
  it('nothing: a fleet of models read from 1 MiB replies holds their values, not the replies', () => {
    const MiB = 1 << 20;
    // Key names, secrets and start-times: the long values (13+ characters) V8 would keep as views of the reply.
    const reply = (i: number) =>
      `<rpc-reply><configuration><!-- ${'x'.repeat(MiB)} --><security><authentication-key-chains><key-chain><name>KC1</name>` +
      `<key><name>1</name><secret>$9$${String(i).padStart(60, 'A')}</secret><key-name>${i.toString(16).padStart(64, 'c')}</key-name><start-time>2026-11-24.20:0${i}:00 +0000</start-time></key>` +
      `</key-chain></authentication-key-chains></security></configuration></rpc-reply>`;
    const before = heapAfterGc();
    const kept = Array.from({ length: 8 }, (_, i) => fromTree(reply(i)));
    const grown = heapAfterGc() - before;
    expect(kept.map((m) => m.keyChains![0]!.keys[0]!.keyName)).toEqual(Array.from({ length: 8 }, (_, i) => i.toString(16).padStart(64, 'c')));
    expect(grown).toBeLessThan(2 * MiB); // the replies, kept: 8 MiB and more
  });
});
