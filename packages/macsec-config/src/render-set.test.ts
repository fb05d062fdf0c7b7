import { describe, expect, it } from 'vitest';
import { CAK128, CAK256, CKN1, CKN2, fullModel } from './testing/fixtures.js';
import { MacsecValidationError } from './errors.js';
import { renderDelete, renderSet } from './render-set.js';
import { Secret } from './secret.js';

const reveal = { revealSecrets: true };

describe('renderSet, feature by feature', () => {
  it('static-cak CA with pre-shared-key, as the field script wrote it', () => {
    expect(
      renderSet(
        { connectivityAssociations: [{ name: 'CA_basic', cipherSuite: 'gcm-aes-xpn-256', securityMode: 'static-cak', preSharedKey: { ckn: CKN1, cak: Secret.fromHex(CAK256) }, excludeProtocols: ['lldp'] }] },
        reveal,
      ),
    ).toEqual([
      'set security macsec connectivity-association CA_basic cipher-suite gcm-aes-xpn-256',
      'set security macsec connectivity-association CA_basic security-mode static-cak',
      `set security macsec connectivity-association CA_basic pre-shared-key ckn ${CKN1}`,
      `set security macsec connectivity-association CA_basic pre-shared-key cak ${CAK256}`,
      'set security macsec connectivity-association CA_basic exclude-protocol lldp',
    ]);
  });

  it('key-chain CA with fallback-key, mka, include-sci and replay-protect', () => {
    const ca = fullModel().connectivityAssociations![1]!;
    expect(renderSet({ connectivityAssociations: [ca] }, reveal)).toEqual([
      'set security macsec connectivity-association CA_chain cipher-suite gcm-aes-128',
      'set security macsec connectivity-association CA_chain security-mode static-cak',
      'set security macsec connectivity-association CA_chain pre-shared-key-chain KC1',
      'set security macsec connectivity-association CA_chain fallback-key ckn ff00',
      `set security macsec connectivity-association CA_chain fallback-key cak ${CAK128}`,
      'set security macsec connectivity-association CA_chain mka should-secure',
      'set security macsec connectivity-association CA_chain mka key-server-priority 10',
      'set security macsec connectivity-association CA_chain mka transmit-interval 3000',
      'set security macsec connectivity-association CA_chain mka sak-rekey-interval 3600',
      'set security macsec connectivity-association CA_chain include-sci',
      'set security macsec connectivity-association CA_chain replay-protect replay-window-size 64',
    ]);
    // A bare replay-protect (the field script's successor) and the keyed exclude-protocol list.
    expect(renderSet({ connectivityAssociations: [{ name: 'X', securityMode: 'static-cak', replayProtect: {}, offset: 30, excludeProtocols: ['lldp', 'lacp'] }] })).toEqual([
      'set security macsec connectivity-association X security-mode static-cak',
      'set security macsec connectivity-association X offset 30',
      'set security macsec connectivity-association X replay-protect',
      'set security macsec connectivity-association X exclude-protocol lldp',
      'set security macsec connectivity-association X exclude-protocol lacp',
    ]);
  });

  it('macsec interfaces with the apply-macro qkd tags', () => {
    expect(renderSet({ interfaces: fullModel().interfaces })).toEqual([
      'set security macsec interfaces ge-0/0/0 apply-macro qkd kme-host etsi14-alice.example.net',
      'set security macsec interfaces ge-0/0/0 apply-macro qkd kme-port 443',
      'set security macsec interfaces ge-0/0/0 apply-macro qkd kme-ca false',
      'set security macsec interfaces ge-0/0/0 apply-macro qkd kme-keyid-check true',
      'set security macsec interfaces ge-0/0/0 apply-macro qkd kme-method get',
      'set security macsec interfaces ge-0/0/0 connectivity-association CA_basic',
      'set security macsec interfaces et-0/0/20:3 connectivity-association CA_chain',
    ]);
  });

  it('authentication key chains, with an inactive key deactivated', () => {
    expect(renderSet({ keyChains: fullModel().keyChains }, reveal)).toEqual([
      'set security authentication-key-chains key-chain KC1 description "QKD keys"',
      'set security authentication-key-chains key-chain KC1 tolerance 30',
      `set security authentication-key-chains key-chain KC1 key 62 secret ${CAK128}`,
      `set security authentication-key-chains key-chain KC1 key 62 key-name ${CKN1}`,
      'set security authentication-key-chains key-chain KC1 key 62 start-time 2026-11-24.20:00:00',
      `set security authentication-key-chains key-chain KC1 key 63 secret ${CAK128}`,
      `set security authentication-key-chains key-chain KC1 key 63 key-name ${CKN2}`,
      'set security authentication-key-chains key-chain KC1 key 63 start-time 2026-11-24.20:05:00',
      `set security authentication-key-chains key-chain KC1 key 0 secret ${CAK128}`,
      'set security authentication-key-chains key-chain KC1 key 0 key-name beef',
      'set security authentication-key-chains key-chain KC1 key 0 start-time 2026-11-24.20:10:00',
      'deactivate security authentication-key-chains key-chain KC1 key 0',
    ]);
  });

  it('quotes a start-time that carries an offset', () => {
    expect(renderSet({ keyChains: [{ name: 'K', keys: [{ index: 1, startTime: '2026-1-2.03:04:05 +0000' }] }] })).toEqual([
      'set security authentication-key-chains key-chain K key 1 start-time "2026-1-2.03:04:05 +0000"',
    ]);
  });

  it('event-options as the field script configured them', () => {
    expect(renderSet({ eventOptions: fullModel().eventOptions })).toEqual([
      'set event-options generate-event every1min time-interval 60',
      'set event-options generate-event every1min start-time 2026-11-24.20:00:00',
      'set event-options generate-event midnight time-of-day 00:00:00',
      'set event-options policy qkd events every1min',
      'set event-options policy qkd then event-script offbox.py',
      'set event-options event-script file offbox.py python-script-user remote',
      'set event-options traceoptions file script.log',
      'set event-options traceoptions file size 10m',
      'set event-options traceoptions file files 5',
      'set event-options traceoptions flag all',
    ]);
  });

  it('system static-host-mapping', () => {
    expect(renderSet({ staticHostMappings: fullModel().staticHostMappings })).toEqual([
      'set system static-host-mapping etsi14-alice.example.net inet 78.46.89.177',
      'set system static-host-mapping acx-2 inet 10.173.8.202',
      'set system static-host-mapping acx-2 inet6 2001:db8::2',
      'set system static-host-mapping acx-2 alias peer',
    ]);
  });

  it('deletes every kind of target, before any set', () => {
    expect(
      renderDelete([
        { kind: 'connectivity-association', name: 'CA1' },
        { kind: 'macsec-interface', name: 'ge-0/0/1' },
        { kind: 'key-chain', name: 'KC9' },
        { kind: 'key-chain-key', chain: 'KC1', index: 7 },
        { kind: 'generate-event', name: 'every1min' },
        { kind: 'event-policy', name: 'qkd' },
        { kind: 'event-script-file', name: 'offbox.py' },
        { kind: 'static-host-mapping', name: 'kme-a' },
      ]),
    ).toEqual([
      'delete security macsec connectivity-association CA1',
      'delete security macsec interfaces ge-0/0/1',
      'delete security authentication-key-chains key-chain KC9',
      'delete security authentication-key-chains key-chain KC1 key 7',
      'delete event-options generate-event every1min',
      'delete event-options policy qkd',
      'delete event-options event-script file offbox.py',
      'delete system static-host-mapping kme-a',
    ]);
    const lines = renderSet({ keyChains: [{ name: 'KC1', keys: [{ index: 8, startTime: '2026-11-24.20:00:00' }] }] }, { delete: [{ kind: 'key-chain-key', chain: 'KC1', index: 6 }] });
    expect(lines).toEqual([
      'delete security authentication-key-chains key-chain KC1 key 6',
      'set security authentication-key-chains key-chain KC1 key 8 start-time 2026-11-24.20:00:00',
    ]);
  });

  it('replace deletes each entry before setting it again', () => {
    expect(renderSet({ connectivityAssociations: [{ name: 'CA1', securityMode: 'static-cak', preSharedKeyChain: 'KC1' }] }, { operation: 'replace' })).toEqual([
      'delete security macsec connectivity-association CA1',
      'set security macsec connectivity-association CA1 security-mode static-cak',
      'set security macsec connectivity-association CA1 pre-shared-key-chain KC1',
    ]);
    // A replaced entry is whole: without its security-mode, pre-shared-key-chain breaks a junos:must rule.
    expect(() => renderSet({ connectivityAssociations: [{ name: 'CA1', preSharedKeyChain: 'KC1' }] }, { operation: 'replace' })).toThrow(
      /pre-shared-key-chain requires security-mode static-cak \(none set\)/,
    );
  });

  it('never shows a secret unless asked', () => {
    const preview = renderSet(fullModel()).join('\n');
    expect(preview).not.toContain(CAK256);
    expect(preview).not.toContain(CAK128);
    expect(preview).toContain('pre-shared-key cak [redacted]');
    const device = renderSet(fullModel(), reveal).join('\n');
    expect(device).toContain(`pre-shared-key cak ${CAK256}`);
    expect(device).not.toContain('[redacted]');
  });

  it('refuses an invalid model with every problem named', () => {
    expect(() => renderSet({ interfaces: [{ name: 'ge-0/0/0; delete system' }] })).toThrow(MacsecValidationError);
    expect(() => renderSet({ keyChains: [{ name: 'KC', keys: [{ index: 64 }] }] })).toThrow(/keyChains\[0\]\.keys\[0\]\.index: key index must be an integer 0..63, got 64/);
  });

  it('renders an empty model as nothing', () => {
    expect(renderSet({})).toEqual([]);
  });
});
