import { describe, expect, it } from 'vitest';
import { CAK128, CKN1, fullModel } from './testing/fixtures.js';
import { renderText } from './render-text.js';
import { Secret } from './secret.js';

describe('renderText', () => {
  it('prints the full model as Junos curly-brace text', () => {
    expect(renderText(fullModel())).toBe(`security {
    macsec {
        connectivity-association CA_basic {
            cipher-suite gcm-aes-xpn-256;
            security-mode static-cak;
            pre-shared-key {
                ckn ${CKN1};
                cak [redacted];
            }
            exclude-protocol lldp;
        }
        connectivity-association CA_chain {
            cipher-suite gcm-aes-128;
            security-mode static-cak;
            pre-shared-key-chain KC1;
            fallback-key {
                ckn ff00;
                cak [redacted];
            }
            mka {
                should-secure;
                key-server-priority 10;
                transmit-interval 3000;
                sak-rekey-interval 3600;
            }
            include-sci;
            replay-protect {
                replay-window-size 64;
            }
        }
        interfaces {
            ge-0/0/0 {
                apply-macro qkd {
                    kme-host etsi14-alice.example.net;
                    kme-port 443;
                    kme-ca false;
                    kme-keyid-check true;
                    kme-method get;
                }
                connectivity-association CA_basic;
            }
            et-0/0/20:3 {
                connectivity-association CA_chain;
            }
        }
    }
    authentication-key-chains {
        key-chain KC1 {
            description "QKD keys";
            tolerance 30;
            key 62 {
                secret [redacted];
                key-name ${CKN1};
                start-time 2026-11-24.20:00:00;
            }
            key 63 {
                secret [redacted];
                key-name abcd1234abcd5678abcd1234abcd56786c00260045ebaf1ebb0d41fbdd9ff375;
                start-time 2026-11-24.20:05:00;
            }
            inactive: key 0 {
                secret [redacted];
                key-name beef;
                start-time 2026-11-24.20:10:00;
            }
        }
    }
}
event-options {
    generate-event {
        every1min time-interval 60 start-time 2026-11-24.20:00:00;
        midnight time-of-day 00:00:00;
    }
    policy qkd {
        events every1min;
        then {
            event-script offbox.py;
        }
    }
    event-script {
        file offbox.py {
            python-script-user remote;
        }
    }
    traceoptions {
        file script.log size 10m files 5;
        flag all;
    }
}
system {
    static-host-mapping {
        etsi14-alice.example.net inet 78.46.89.177;
        acx-2 inet 10.173.8.202 inet6 2001:db8::2 alias peer;
    }
}
`);
  });

  it('groups leaf-lists in brackets; exclude-protocol, a keyed list, gets one statement per entry', () => {
    const text = renderText({
      connectivityAssociations: [{ name: 'CA1', excludeProtocols: ['lldp', 'cdp'] }],
      staticHostMappings: [{ name: 'h', inet: ['10.0.0.1', '10.0.0.2'] }],
    });
    expect(text).toContain('exclude-protocol lldp;\n            exclude-protocol cdp;');
    expect(text).toContain('h inet [ 10.0.0.1 10.0.0.2 ];');
  });

  it('writes delete: and replace: operators for load-configuration format="text"', () => {
    expect(
      renderText(
        { keyChains: [{ name: 'KC1', keys: [{ index: 1, keyName: 'ab', secret: Secret.fromHex(CAK128), startTime: '2026-11-24.20:00:00' }] }] },
        { delete: [{ kind: 'key-chain-key', chain: 'KC1', index: 60 }, { kind: 'macsec-interface', name: 'ge-0/0/9' }] },
      ),
    ).toBe(`security {
    authentication-key-chains {
        key-chain KC1 {
            delete:
            key 60;
            key 1 {
                secret [redacted];
                key-name ab;
                start-time 2026-11-24.20:00:00;
            }
        }
    }
    macsec {
        interfaces {
            delete:
            ge-0/0/9;
        }
    }
}
`);
    expect(renderText({ staticHostMappings: [{ name: 'kme', inet: ['10.0.0.1'] }] }, { operation: 'replace' })).toBe(
      'system {\n    static-host-mapping {\n        replace:\n        kme inet 10.0.0.1;\n    }\n}\n',
    );
  });

  it('refuses a secret that is not a Secret', () => {
    expect(() => renderText({ keyChains: [{ name: 'K', keys: [{ index: 0, secret: CAK128 as never }] }] })).toThrow(/keys\[0\]\.secret: must be a Secret/);
  });

  it('reveals secrets only on request', () => {
    const m = fullModel();
    expect(renderText(m)).not.toContain(CAK128);
    expect(renderText(m, { revealSecrets: true })).toContain(`secret ${CAK128};`);
    expect(renderText({})).toBe('');
  });
});
