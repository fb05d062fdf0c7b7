// Valid inputs the mutators start from: what Junos, the packages' renderers and ETSI KMEs produce.
// The macsec-config documents are rendered by the package itself from a model touching every
// feature, so the corpus follows the renderer as it changes.
import { readdirSync, readFileSync } from 'node:fs';
import { Secret, renderXml, type MacsecConfig } from '@qkd-macsec/macsec-config';

const NS = 'urn:ietf:params:xml:ns:netconf:base:1.0';
const JUNOS = 'xmlns:junos="http://xml.juniper.net/junos/23.4R1/junos"';
const CKN1 = 'abcd1234abcd5678abcd1234abcd5678550e8400e29b41d4a716446655440000';
const CKN2 = 'abcd1234abcd5678abcd1234abcd56786c00260045ebaf1ebb0d41fbdd9ff375';
const CAK256 = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const CAK128 = '00112233445566778899aabbccddeeff';

/** A model using every part of macsec-config's model (kept in step with its fixtures). */
function fullModel(): MacsecConfig {
  return {
    connectivityAssociations: [
      { name: 'CA_basic', securityMode: 'static-cak', cipherSuite: 'gcm-aes-xpn-256', preSharedKey: { ckn: CKN1, cak: Secret.fromHex(CAK256) }, excludeProtocols: ['lldp'] },
      {
        name: 'CA_chain',
        securityMode: 'static-cak',
        cipherSuite: 'gcm-aes-128',
        preSharedKeyChain: 'KC1',
        fallbackKey: { ckn: 'ff00', cak: Secret.fromHex(CAK128) },
        mka: { keyServerPriority: 10, transmitInterval: 3000, sakRekeyInterval: 3600, shouldSecure: true },
        includeSci: true,
        replayProtect: { replayWindowSize: 64 },
      },
    ],
    interfaces: [
      { name: 'ge-0/0/0', connectivityAssociation: 'CA_basic', qkd: { kmeHost: 'etsi14-alice.example.net', kmePort: 443, kmeCa: false, kmeKeyidCheck: true, kmeMethod: 'get' } },
      { name: 'et-0/0/20:3', connectivityAssociation: 'CA_chain' },
    ],
    keyChains: [
      {
        name: 'KC1',
        description: 'QKD keys',
        tolerance: 30,
        keys: [
          { index: 62, keyName: CKN1, secret: Secret.fromHex(CAK128), startTime: '2026-11-24.20:00:00' },
          { index: 63, keyName: CKN2, secret: Secret.fromHex(CAK128), startTime: '2026-11-24.20:05:00' },
        ],
      },
    ],
    eventOptions: {
      generateEvents: [{ name: 'every1min', timeInterval: 60, startTime: '2026-11-24.20:00:00' }, { name: 'midnight', timeOfDay: '00:00:00' }],
      policies: [{ name: 'qkd', events: ['every1min'], eventScripts: ['offbox.py'] }],
      eventScripts: [{ name: 'offbox.py', pythonScriptUser: 'remote' }],
      traceoptions: { file: 'script.log', size: '10m', files: 5, flags: ['all'] },
    },
    staticHostMappings: [{ name: 'etsi14-alice.example.net', inet: ['78.46.89.177'] }, { name: 'acx-2', inet: ['10.173.8.202'], inet6: ['2001:db8::2'], alias: ['peer'] }],
  };
}

/** The renderer may refuse parts of the model as the package tightens its rules: keep what renders. */
function tryRender(render: () => string): string[] {
  try {
    return [render()];
  } catch {
    return [];
  }
}

const partial = (m: MacsecConfig, keep: (keyof MacsecConfig)[]): MacsecConfig =>
  Object.fromEntries(Object.entries(m).filter(([k]) => keep.includes(k as keyof MacsecConfig))) as MacsecConfig;

/** Configuration replies kept as test fixtures by macsec-config (devices the field script set up). */
function fixtureSamples(): string[] {
  const dir = new URL('../../packages/macsec-config/src/fixtures/', import.meta.url);
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.xml'))
      .sort()
      .map((f) => readFileSync(new URL(f, dir), 'utf8'));
  } catch {
    return [];
  }
}

/** Configuration XML as macsec-config renders it and as Junos returns it from get-configuration. */
export function configurationSamples(): string[] {
  const m = fullModel();
  const rendered = [
    ...tryRender(() => renderXml(m, { revealSecrets: true })),
    ...tryRender(() => renderXml(m, { revealSecrets: true, operation: 'replace' })),
    ...tryRender(() => renderXml(partial(m, ['keyChains']), { revealSecrets: true, delete: [{ kind: 'key-chain-key', chain: 'KC1', index: 61 }, { kind: 'connectivity-association', name: 'OLD' }] })),
    ...tryRender(() => renderXml(partial(m, ['eventOptions', 'staticHostMappings']), { delete: [{ kind: 'generate-event', name: 'x' }, { kind: 'static-host-mapping', name: 'h' }], deleteAttribute: 'operation' })),
    ...tryRender(() => renderXml(partial(m, ['connectivityAssociations', 'interfaces']), { revealSecrets: true })),
  ];
  const junos = `<rpc-reply xmlns="${NS}" ${JUNOS} message-id="3">
<configuration junos:changed-seconds="1764000000" junos:changed-localtime="2026-11-24 20:00:00 UTC">
  <security>
    <macsec>
      <connectivity-association>
        <name>CA1</name>
        <cipher-suite>gcm-aes-xpn-256</cipher-suite>
        <security-mode>static-cak</security-mode>
        <pre-shared-key-chain>QKD</pre-shared-key-chain>
        <mka><should-secure/><transmit-interval>2000</transmit-interval><sak-rekey-interval>300</sak-rekey-interval></mka>
        <replay-protect/>
        <fallback-key><ckn>${CKN2}</ckn><cak>$9$abcDEFghiJKLmnoPQRstuVWXyz0123456789</cak></fallback-key>
      </connectivity-association>
      <interfaces><name>et-0/0/0</name><connectivity-association>CA1</connectivity-association></interfaces>
    </macsec>
    <authentication-key-chains>
      <key-chain>
        <name>QKD</name>
        <key><name>0</name><secret>$9$q.Pz69t1hSyKMX7Ns4JUD</secret><key-name>${'00'.repeat(32)}</key-name><start-time>2026-11-24.20:00</start-time></key>
        <key inactive="inactive"><name>1</name><secret>$9$q.Pz69t1hSyKMX7Ns4JUD</secret><key-name>${CKN1}</key-name><start-time>2026-11-24.20:05:00 +0000</start-time></key>
      </key-chain>
    </authentication-key-chains>
  </security>
  <interfaces><interface><name>et-0/0/0</name><apply-macro><name>qkd</name><data><name>kme-host</name><value>https://kme-a.example.net:443</value></data><data><name>kme-port</name><value>443</value></data></apply-macro></interface></interfaces>
  <event-options>
    <generate-event><name>qkd-every-min</name><time-interval>60</time-interval></generate-event>
    <policy><name>qkd</name><events>qkd-every-min</events><then><event-script><name>qkd.py</name></event-script></then></policy>
    <event-script><file><name>qkd.py</name><python-script-user>qkd</python-script-user></file></event-script>
  </event-options>
  <system><static-host-mapping><name>kme-a</name><inet>192.0.2.1</inet></static-host-mapping></system>
</configuration>
</rpc-reply>`;
  const data = `<rpc-reply xmlns="${NS}" message-id="9"><data><configuration><security><macsec><connectivity-association><name>A</name><security-mode>static-cak</security-mode><pre-shared-key><ckn>${CKN1}</ckn><cak>${CAK256}</cak></pre-shared-key></connectivity-association></macsec></security></configuration></data></rpc-reply>`;
  return [...rendered, junos, data, ...fixtureSamples()];
}

/** NETCONF messages a Junos device sends: hello, replies with data, errors, warnings, MKA state. */
export function netconfSamples(): string[] {
  return [
    `<?xml version="1.0" encoding="UTF-8"?><hello xmlns="${NS}"><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability><capability>urn:ietf:params:netconf:base:1.1</capability><capability>http://xml.juniper.net/netconf/junos/1.0</capability></capabilities><session-id>4242</session-id></hello>`,
    `<rpc-reply xmlns="${NS}" ${JUNOS} message-id="101"><ok/></rpc-reply>`,
    `<rpc-reply xmlns="${NS}" ${JUNOS} message-id="102"><software-information><host-name>r1-lab</host-name><product-model>mx204</product-model><junos-version>23.4R1.10</junos-version></software-information></rpc-reply>`,
    `<rpc-reply xmlns="${NS}" ${JUNOS} message-id="103"><load-configuration-results><rpc-error><error-severity>error</error-severity><error-path>[edit security macsec]</error-path><error-message>syntax error</error-message><error-info><bad-element>bad-statement</bad-element></error-info></rpc-error><ok/></load-configuration-results></rpc-reply>`,
    `<rpc-reply xmlns="${NS}" ${JUNOS} message-id="104"><commit-results><rpc-error><error-severity>warning</error-severity><error-message>mgd: commit confirmed will be rolled back in 5 minutes</error-message></rpc-error><routing-engine><name>re0</name><commit-success/></routing-engine></commit-results></rpc-reply>`,
    `<rpc-reply xmlns="${NS}" ${JUNOS} message-id="105"><mka-session-information junos:style="brief"><interface-name>et-0/0/1</interface-name><interface-state>Secured - Primary</interface-state><member-identifier>64B9F944EC9D6A5022BD2D13</member-identifier><cak-name>${CKN1}</cak-name><transmit-interval>10000(ms)</transmit-interval><outbound-sci>B4:F9:5D:8C:A7:91/1</outbound-sci><message-number>4242</message-number><key-number>3</key-number><key-server>yes</key-server><key-server-priority>16</key-server-priority><latest-sak-an>1</latest-sak-an><latest-sak-ki>A1B2C3D4E5F6A7B8C9D0E1F2/3</latest-sak-ki></mka-session-information></rpc-reply>`,
    `<rpc-reply xmlns="${NS}" ${JUNOS} message-id="106"><macsec-connection-information><macsec-interface-common-information><interface-name>et-0/0/1</interface-name><connectivity-association-name>CA1</connectivity-association-name><cipher-suite>GCM-AES-XPN-256</cipher-suite><encryption>on</encryption><offset>0</offset><include-sci>no</include-sci><replay-protect>off</replay-protect><replay-protect-window>0</replay-protect-window></macsec-interface-common-information><inbound-secure-channel><sci>20:93:39:38:51:19/1</sci><inbound-secure-association><association-number>1</association-number><association-number-status>inuse</association-number-status></inbound-secure-association></inbound-secure-channel><outbound-secure-channel><sci>B4:F9:5D:8C:A7:99/1</sci><outgoing-packet-number>29462517698</outgoing-packet-number><outbound-secure-association><association-number>0</association-number><association-number-status>inuse</association-number-status></outbound-secure-association></outbound-secure-channel></macsec-connection-information></rpc-reply>`,
    `<rpc-reply xmlns="${NS}" message-id="107"><output>\nHostname: r1-lab\nModel: mx204 &amp; more &lt;x&gt; &#x41;&#66;</output></rpc-reply>`,
    `<rpc-reply xmlns="${NS}" message-id="108"><configuration-text><![CDATA[system { host-name r1; }]]></configuration-text><!-- comment --></rpc-reply>`,
    `<nc:rpc-reply xmlns:nc="${NS}" nc:message-id="109"><nc:rpc-error><nc:error-type>protocol</nc:error-type><nc:error-tag>lock-denied</nc:error-tag><nc:error-severity>error</nc:error-severity><nc:error-info><nc:session-id>7</nc:session-id></nc:error-info></nc:rpc-error></nc:rpc-reply>`,
  ];
}

/** RPCs a client sends to a Junos device (for sim-junos over the wire). */
export function rpcSamples(): string[] {
  const [config] = configurationSamples();
  return [
    '<get-software-information/>',
    '<get-chassis-inventory/>',
    '<get-configuration/>',
    '<get-configuration format="text"/>',
    '<get-configuration format="json"/>',
    '<get-configuration database="committed"><configuration><security><macsec/></security></configuration></get-configuration>',
    '<get-configuration compare="rollback" rollback="0" format="text"/>',
    '<lock-configuration/>',
    '<unlock-configuration/>',
    '<open-configuration><private/></open-configuration>',
    '<close-configuration/>',
    `<load-configuration action="merge" format="xml">${config ?? '<configuration/>'}</load-configuration>`,
    '<load-configuration action="set" format="text"><configuration-set>set security macsec connectivity-association CA9 security-mode static-cak\nset security macsec connectivity-association CA9 cipher-suite gcm-aes-128</configuration-set></load-configuration>',
    '<load-configuration action="merge" format="text"><configuration-text>security { macsec { connectivity-association CA8 { security-mode static-cak; } } }</configuration-text></load-configuration>',
    '<load-configuration action="replace" format="xml"><configuration><system><static-host-mapping replace="replace"><name>kme</name><inet>192.0.2.7</inet></static-host-mapping></system></configuration></load-configuration>',
    '<commit-configuration><check/></commit-configuration>',
    '<commit-configuration><confirmed/><confirm-timeout>1</confirm-timeout><log>fuzz</log></commit-configuration>',
    '<commit-configuration/>',
    '<discard-changes/>',
    '<get-commit-information/>',
    '<get-mka-session-information/>',
    '<get-mka-session-information><interface-name>et-0/0/0</interface-name></get-mka-session-information>',
    '<get-macsec-connection-information/>',
    '<get-system-uptime-information/>',
    '<get-route-engine-information/>',
    '<command format="text">show version</command>',
    '<command>show security mka sessions</command>',
    '<get><filter type="subtree"><configuration/></filter></get>',
    '<cancel-commit/>',
  ];
}

export const UUIDS = ['550e8400-e29b-41d4-a716-446655440000', '6c002600-45eb-af1e-bb0d-41fbdd9ff375', 'C0FFEE00-0000-0000-0000-000000000001'];

/** ETSI GS QKD 014 messages, as JSON values. */
export function etsiSamples(): { schema: 'status' | 'keyRequest' | 'keyContainer' | 'keyIds' | 'error'; value: unknown }[] {
  return [
    {
      schema: 'status',
      value: { source_KME_ID: 'KME_A', target_KME_ID: 'KME_B', master_SAE_ID: 'SAE_A', slave_SAE_ID: 'SAE_B', key_size: 256, stored_key_count: 20, max_key_count: 20, max_key_per_request: 128, max_key_size: 1024, min_key_size: 64, max_SAE_ID_count: 4, status_extension: { route_type: 'direct' } },
    },
    { schema: 'keyRequest', value: { number: 2, size: 256, additional_slave_SAE_IDs: ['SAE_C'], extension_mandatory: [{ route_type: 'direct' }], extension_optional: [{ x: 1 }] } },
    { schema: 'keyRequest', value: {} },
    {
      schema: 'keyContainer',
      value: { keys: [{ key_ID: UUIDS[0], key: Buffer.alloc(32, 7).toString('base64') }, { key_ID: UUIDS[1], key_ID_extension: { a: 1 }, key: Buffer.alloc(16, 1).toString('base64'), key_extension: {} }], key_container_extension: { x: [] } },
    },
    { schema: 'keyIds', value: { key_IDs: [{ key_ID: UUIDS[0] }, { key_ID: UUIDS[2], key_ID_extension: {} }], key_IDs_extension: {} } },
    { schema: 'error', value: { message: 'size shall be a multiple of 8', details: [{ size: 255 }] } },
  ];
}
