import { describe, expect, it } from 'vitest';
import { CAK128, CAK256, CKN1, fullModel } from './testing/fixtures.js';
import { parseConfigurationXml } from './parse-xml.js';
import { renderXml } from './render-xml.js';
import { Secret } from './secret.js';

describe('renderXml', () => {
  it('renders a hitless key-chain change for a merge load', () => {
    const xml = renderXml(
      { keyChains: [{ name: 'KC1', keys: [{ index: 5, keyName: CKN1, secret: Secret.fromHex(CAK128), startTime: '2026-11-24.20:10:00' }] }] },
      { delete: [{ kind: 'key-chain-key', chain: 'KC1', index: 3 }], revealSecrets: true },
    );
    expect(xml).toBe(`<configuration>
  <security>
    <authentication-key-chains>
      <key-chain>
        <name>KC1</name>
        <key delete="delete">
          <name>3</name>
        </key>
        <key>
          <name>5</name>
          <secret>${CAK128}</secret>
          <key-name>${CKN1}</key-name>
          <start-time>2026-11-24.20:10:00</start-time>
        </key>
      </key-chain>
    </authentication-key-chains>
  </security>
</configuration>
`);
  });

  it('uses operation="delete" when asked for NETCONF style', () => {
    const xml = renderXml({}, { delete: [{ kind: 'connectivity-association', name: 'CA1' }], deleteAttribute: 'operation' });
    expect(xml).toContain('<connectivity-association operation="delete">\n        <name>CA1</name>\n      </connectivity-association>');
    expect(xml).not.toContain('delete="delete"');
  });

  it('marks each entry replace="replace" for a replace load', () => {
    const xml = renderXml(
      { connectivityAssociations: [{ name: 'CA1', securityMode: 'static-cak', cipherSuite: 'gcm-aes-256', preSharedKey: { ckn: 'ab', cak: Secret.fromHex(CAK256) } }], interfaces: [{ name: 'ge-0/0/1', connectivityAssociation: 'CA1' }] },
      { operation: 'replace' },
    );
    expect(xml).toBe(`<configuration>
  <security>
    <macsec>
      <connectivity-association replace="replace">
        <name>CA1</name>
        <cipher-suite>gcm-aes-256</cipher-suite>
        <security-mode>static-cak</security-mode>
        <pre-shared-key>
          <ckn>ab</ckn>
          <cak>[redacted]</cak>
        </pre-shared-key>
      </connectivity-association>
      <interfaces replace="replace">
        <name>ge-0/0/1</name>
        <connectivity-association>CA1</connectivity-association>
      </interfaces>
    </macsec>
  </security>
</configuration>
`);
  });

  it('renders flags as empty elements, macros as name/value data and inactive keys', () => {
    const xml = renderXml(fullModel());
    expect(xml).toContain('<include-sci/>');
    expect(xml).toContain('<should-secure/>');
    expect(xml).toContain('<data>\n            <name>kme-port</name>\n            <value>443</value>\n          </data>');
    expect(xml).toContain('<key inactive="inactive">\n          <name>0</name>');
    expect(xml).toContain('<file>\n        <filename>script.log</filename>\n        <size>10m</size>\n        <files>5</files>\n      </file>');
    expect(xml).toContain('<then>\n        <event-script>\n          <name>offbox.py</name>\n        </event-script>\n      </then>');
    expect(xml).not.toContain(CAK256);
    expect(renderXml(fullModel(), { revealSecrets: true })).toContain(`<cak>${CAK256}</cak>`);
  });

  it('escapes text', () => {
    const xml = renderXml({ keyChains: [{ name: 'K', description: `a & b <c> 'd'`, keys: [] }] });
    expect(xml).toContain(`<description>a &amp; b &lt;c&gt; 'd'</description>`);
    expect(parseConfigurationXml(xml).keyChains![0]!.description).toBe(`a & b <c> 'd'`);
  });

  it('renders an empty model as an empty configuration', () => {
    expect(renderXml({})).toBe('<configuration>\n</configuration>\n');
  });
});
