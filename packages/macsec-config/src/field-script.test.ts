// Devices set up by the field script: v3.2 (static CAK, CKN = 32-hex prefix + key_ID, apply-macro
// qkd with kme-host as a URL, event-options running its event script) and its successor v3.3
// (a 4-slot key chain with a bootstrap key 0, start-times without seconds, bare replay-protect,
// fallback-key, transmit-interval 2000, sak-rekey-interval 300, its script user).
import { describe, expect, it } from 'vitest';
import { fieldScriptReply } from './fixtures.test-util.js';
import { parseConfigurationXml } from './parse-xml.js';
import { planKeyChainRotation } from './ring.js';
import { renderSet } from './render-set.js';
import { renderXml } from './render-xml.js';
import { parseStartTime } from './start-time.js';
import { checkConfig } from './validate.js';

describe('field script v3.2 device', () => {
  const model = parseConfigurationXml(fieldScriptReply('v3.2'));

  it('reads the static CAK, the prefix + key_ID CKN and the macro with a URL', () => {
    const ca = model.connectivityAssociations![0]!;
    expect(ca).toMatchObject({ name: 'CA_QKD', securityMode: 'static-cak', cipherSuite: 'gcm-aes-xpn-256', excludeProtocols: ['lldp'] });
    expect(ca.preSharedKey!.ckn).toBe('0123456789abcdef0123456789abcdef' + '550e8400e29b41d4a716446655440000');
    expect(ca.preSharedKey!.cak.encrypted).toBe(true);
    expect(model.interfaces).toEqual([
      { name: 'et-0/0/0', connectivityAssociation: 'CA_QKD', qkd: { kmeHost: 'https://kme-a.example.net:8443/api/v1/keys', kmePort: 8443, kmeCa: true, kmeKeyidCheck: true, kmeMethod: 'get' } },
    ]);
    expect(model.eventOptions).toEqual({
      generateEvents: [{ name: 'qkd-every-minute', timeInterval: 60 }],
      policies: [{ name: 'qkd-rotate', events: ['qkd-every-minute'], eventScripts: ['qkd-macsec.py'] }],
      eventScripts: [{ name: 'qkd-macsec.py', pythonScriptUser: 'qkd' }],
      traceoptions: { file: 'qkd-events.log', size: '10m', files: 3, flags: ['events'] },
    });
    expect(checkConfig(model)).toEqual([]);
  });

  it('renders the kme-host URL back', () => {
    expect(renderSet({ interfaces: model.interfaces })).toContain('set security macsec interfaces et-0/0/0 apply-macro qkd kme-host https://kme-a.example.net:8443/api/v1/keys');
    expect(renderXml({ interfaces: model.interfaces })).toContain('<value>https://kme-a.example.net:8443/api/v1/keys</value>');
  });
});

describe('field script v3.3 device', () => {
  const model = parseConfigurationXml(fieldScriptReply('v3.3'));

  it('reads the key chain, bare replay-protect, fallback-key and the MKA timers', () => {
    const ca = model.connectivityAssociations![0]!;
    expect(ca).toMatchObject({ preSharedKeyChain: 'QKD_KC', replayProtect: {}, mka: { transmitInterval: 2000, sakRekeyInterval: 300 } });
    expect(ca.fallbackKey!.ckn).toBe('fa11bac0'.repeat(8));
    const chain = model.keyChains![0]!;
    expect(chain.keys.map((k) => [k.index, k.startTime])).toEqual([
      [0, '2026-01-01.00:00'],
      [1, '2026-11-24.19:55'],
      [2, '2026-11-24.20:00'],
      [3, '2026-11-24.20:05'],
    ]);
    expect(parseStartTime('2026-11-24.20:05').toISOString()).toBe('2026-11-24T20:05:00.000Z');
    expect(model.eventOptions!.eventScripts).toEqual([{ name: 'qkd-macsec-v3.3.py', pythonScriptUser: 'qkd-script' }]);
    expect(checkConfig(model)).toEqual([]);
  });

  it('plans the next rotation on the chain as the device holds it', () => {
    const plan = planKeyChainRotation({ chain: model.keyChains![0]!, now: new Date('2026-11-24T20:06:00Z'), leadTimeSeconds: 120 });
    expect(plan).toMatchObject({ slot: 4, activeSlot: 3, previousSlot: 2, startTime: '2026-11-24.20:08:00' });
    expect(plan.deleteSlots).toEqual([0, 1]);
  });
});
