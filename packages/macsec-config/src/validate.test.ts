import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MacsecValidationError } from './errors.js';
import { renderSet } from './render-set.js';
import { renderText } from './render-text.js';
import { renderXml } from './render-xml.js';
import type { MacsecConfig } from './model.js';
import { Secret } from './secret.js';
import {
  assertValid,
  checkCak,
  checkCaName,
  checkCkn,
  checkConfig,
  checkHost,
  checkInterfaceName,
  checkKeyIndex,
  validateConfig,
} from './validate.js';

const hexString = (min: number, max: number) =>
  fc.array(fc.constantFrom(...'0123456789abcdefABCDEF'), { minLength: min, maxLength: max }).map((a) => a.join(''));

describe('checkCkn', () => {
  it('accepts even-length hex of 2..64 digits', () => {
    expect(checkCkn('ab')).toBeNull();
    expect(checkCkn('A'.repeat(64))).toBeNull();
  });
  it('names the rule that fails', () => {
    expect(checkCkn('')).toMatch(/2..64 hex digits, got 0/);
    expect(checkCkn('abc')).toMatch(/even number of hex digits, got 3/);
    expect(checkCkn('a'.repeat(66))).toMatch(/got 66/);
    expect(checkCkn('xy')).toMatch(/"xy" is not hex/);
    expect(checkCkn(12)).toMatch(/must be a string/);
  });
  it('agrees with the rule for every string (property)', () => {
    fc.assert(
      fc.property(fc.oneof(hexString(0, 70), fc.string({ maxLength: 70 })), (s) => {
        const ok = /^[0-9a-fA-F]*$/.test(s) && s.length >= 2 && s.length <= 64 && s.length % 2 === 0;
        expect(checkCkn(s) === null).toBe(ok);
      }),
    );
  });
});

describe('checkCak', () => {
  it('wants 32 hex for 128-bit suites and 64 for 256-bit ones', () => {
    expect(checkCak('a'.repeat(32), 'gcm-aes-128')).toBeNull();
    expect(checkCak('a'.repeat(32), 'gcm-aes-xpn-128')).toBeNull();
    expect(checkCak(Secret.fromHex('a'.repeat(64)), 'gcm-aes-xpn-256')).toBeNull();
    expect(checkCak('a'.repeat(32), 'gcm-aes-256')).toMatch(/gcm-aes-256 must be exactly 64 hex digits, got 32/);
    expect(checkCak('a'.repeat(64), 'gcm-aes-128')).toMatch(/exactly 32 hex digits, got 64/);
    expect(checkCak('a'.repeat(48))).toMatch(/32 or 64 hex digits, got 48/);
    expect(checkCak(Secret.fromDevice('$9$abcdefg'), 'gcm-aes-256')).toBeNull();
    expect(checkCak(Secret.fromDevice('plain-text'))).toMatch(/neither hex nor/);
  });
  it('never echoes the value (property)', () => {
    fc.assert(
      fc.property(hexString(1, 80), (s) => {
        const msg = checkCak(s, 'gcm-aes-256');
        const ok = s.length === 64;
        expect(msg === null).toBe(ok);
        if (msg && s.length >= 6) expect(msg).not.toContain(s);
      }),
    );
  });
});

describe('names and indexes', () => {
  it('key index is an integer 0..63 (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -200, max: 200 }), fc.double()), (n) => {
        expect(checkKeyIndex(n) === null).toBe(Number.isInteger(n) && n >= 0 && n <= 63);
      }),
    );
  });
  it('CA names are 1..32 safe characters', () => {
    expect(checkCaName('CA_basic')).toBeNull();
    expect(checkCaName('a'.repeat(33))).toMatch(/1..32 characters, got 33/);
    expect(checkCaName('has space')).toMatch(/may hold only/);
    expect(checkCaName('-lead')).toMatch(/may hold only/);
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        // Accepted names never need quoting in set/text form.
        if (checkCaName(s) === null) expect(s).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/);
      }),
    );
  });
  it('interface names follow TYPE-FPC/PIC/PORT[:CH][.UNIT]', () => {
    for (const ok of ['ge-0/0/0', 'et-0/0/20:3', 'xe-1/2/3.0', 'mge-0/0/1']) expect(checkInterfaceName(ok)).toBeNull();
    for (const bad of ['ge-0/0', 'eth0', 'ge-0/0/0 ', 'GE-0/0/0', 'ge-0/0/0;']) expect(checkInterfaceName(bad)).toMatch(/not TYPE-FPC/);
  });
  it('hosts are names or IP addresses', () => {
    for (const ok of ['10.0.0.1', '::1', 'kme-a.example.net', 'etsi14-alice']) expect(checkHost(ok)).toBeNull();
    for (const bad of ['', 'bad_host', '-x.example', 'a..b']) expect(checkHost(bad)).not.toBeNull();
  });
  it('assertValid throws a MacsecValidationError with the path', () => {
    expect(() => assertValid(checkKeyIndex, 64, 'slot')).toThrow(/slot: key index must be an integer 0..63, got 64/);
    expect(assertValid(checkKeyIndex, 5, 'slot')).toBe(5);
  });
});

describe('checkConfig', () => {
  const cak = Secret.fromHex('ab'.repeat(32));
  const good: MacsecConfig = {
    connectivityAssociations: [
      {
        name: 'CA1',
        securityMode: 'static-cak',
        cipherSuite: 'gcm-aes-xpn-256',
        preSharedKeyChain: 'KC1',
        fallbackKey: { ckn: 'aa'.repeat(32), cak },
        mka: { keyServerPriority: 16, transmitInterval: 2000, sakRekeyInterval: 60, shouldSecure: true },
        excludeProtocols: ['lldp'],
        includeSci: true,
        replayProtect: { replayWindowSize: 0 },
      },
    ],
    interfaces: [{ name: 'ge-0/0/0', connectivityAssociation: 'CA1', qkd: { kmeHost: 'kme-a', kmePort: 443, kmeCa: true, kmeKeyidCheck: true, kmeMethod: 'post' } }],
    keyChains: [{ name: 'KC1', keys: [{ index: 0, keyName: 'bb'.repeat(32), secret: cak, startTime: '2026-01-01.00:00:00' }] }],
    eventOptions: {
      generateEvents: [{ name: 'every1min', timeInterval: 60, startTime: '2026-01-01.00:00:00' }],
      policies: [{ name: 'qkd', events: ['every1min'], eventScripts: ['qkd.py'] }],
      eventScripts: [{ name: 'qkd.py', pythonScriptUser: 'remote' }],
      traceoptions: { file: 'script.log', size: '10m', files: 3, flags: ['all'] },
    },
    staticHostMappings: [{ name: 'kme-a', inet: ['10.0.0.1'], inet6: ['2001:db8::1'] }],
  };

  it('accepts a full valid model', () => {
    expect(checkConfig(good)).toEqual([]);
    expect(validateConfig(good)).toBe(good);
  });

  it('reports every problem with its path, never a CAK', () => {
    const shortCak = Secret.fromHex('cd'.repeat(16));
    const bad: MacsecConfig = {
      connectivityAssociations: [
        { name: 'CA 1', cipherSuite: 'gcm-aes-256', preSharedKey: { ckn: 'abc', cak: shortCak }, preSharedKeyChain: 'KC', mka: { keyServerPriority: 300, mustSecure: true, shouldSecure: true } as never, excludeProtocols: ['ospf'] },
        { name: 'CA1', cipherSuite: 'gcm-aes-512' as never },
        { name: 'CA1', replayProtect: { replayWindowSize: -1 } },
      ],
      interfaces: [{ name: 'eth0', qkd: { kmePort: 0, kmeMethod: 'put' as never } }],
      keyChains: [
        {
          name: 'KC1',
          keys: [
            { index: 64, startTime: '2026-02-30.00:00:00' },
            { index: 1, keyName: 'ab', secret: shortCak, startTime: '2026-01-01.00:00:00' },
            { index: 1, startTime: '2026-01-01.00:00:00' },
          ],
        },
      ],
      eventOptions: {
        generateEvents: [{ name: 'e', startTime: '2026-01-01.00:00:00' }, { name: 'f', timeInterval: 30, timeOfDay: '00:00:00' }],
        policies: [{ name: 'p', events: [], eventScripts: [] }],
        traceoptions: { size: 'huge' },
      },
      staticHostMappings: [{ name: '10.0.0.1', inet: ['::1'] }],
    };
    const issues = checkConfig(bad);
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'connectivityAssociations',
        'connectivityAssociations[0].name',
        'connectivityAssociations[0].preSharedKey.ckn',
        'connectivityAssociations[0].preSharedKey.cak',
        'connectivityAssociations[0]',
        'connectivityAssociations[0].mka.keyServerPriority',
        'connectivityAssociations[0].mka',
        'connectivityAssociations[0].excludeProtocols[0]',
        'connectivityAssociations[1].cipherSuite',
        'connectivityAssociations[2].replayProtect.replayWindowSize',
        'interfaces[0].name',
        'interfaces[0].qkd.kmePort',
        'interfaces[0].qkd.kmeMethod',
        'keyChains[0].keys[0].index',
        'keyChains[0].keys[0].startTime',
        'keyChains[0].keys[2].index',
        'keyChains[0].keys[2].startTime',
        'eventOptions.generateEvents[0]',
        'eventOptions.generateEvents[0].startTime',
        'eventOptions.generateEvents[1]',
        'eventOptions.generateEvents[1].timeInterval',
        'eventOptions.policies[0].events',
        'eventOptions.traceoptions.size',
        'staticHostMappings[0].name',
        'staticHostMappings[0].inet[0]',
      ]),
    );
    expect(() => validateConfig(bad)).toThrow(MacsecValidationError);
    try {
      validateConfig(bad);
    } catch (e) {
      expect((e as MacsecValidationError).issues.length).toBe(issues.length);
      expect((e as Error).message).not.toContain('cdcdcdcd');
    }
  });

  it('checks key-chain secrets against the suite of the CA that uses the chain', () => {
    const issues = checkConfig({
      connectivityAssociations: [{ name: 'CA1', securityMode: 'static-cak', cipherSuite: 'gcm-aes-256', preSharedKeyChain: 'KC1' }],
      keyChains: [{ name: 'KC1', keys: [{ index: 0, secret: Secret.fromHex('ab'.repeat(16)) }] }],
    });
    expect(issues).toEqual([{ path: 'keyChains[0].keys[0].secret', message: 'CAK for gcm-aes-256 must be exactly 64 hex digits, got 32' }]);
  });

  it('takes time-of-day as Junos prints it back, offset included', () => {
    expect(checkConfig({ eventOptions: { generateEvents: [{ name: 'm', timeOfDay: '00:00:00 -0500' }, { name: 'n', timeOfDay: '23:59:59+0100' }] } })).toEqual([]);
    expect(checkConfig({ eventOptions: { generateEvents: [{ name: 'm', timeOfDay: '24:00:00' }] } })[0]?.message).toMatch(/not hh:mm:ss/);
  });

  it('reports a non-object config', () => {
    expect(checkConfig(null as never)).toEqual([{ path: '(config)', message: 'configuration must be an object' }]);
  });
});

describe('checkConfig on arbitrary input (fuzz)', () => {
  const any = fc.anything({ maxDepth: 2, maxKeys: 4 });
  const loose = (keys: string[]) => fc.dictionary(fc.constantFrom(...keys), fc.oneof(any, fc.array(any, { maxLength: 3 }), fc.dictionary(fc.string(), any, { maxKeys: 3 })), { maxKeys: keys.length });
  const shaped = fc.record(
    {
      connectivityAssociations: fc.array(loose(['name', 'cipherSuite', 'securityMode', 'preSharedKey', 'preSharedKeyChain', 'fallbackKey', 'mka', 'excludeProtocols', 'includeSci', 'replayProtect'])),
      interfaces: fc.array(loose(['name', 'connectivityAssociation', 'qkd'])),
      keyChains: fc.array(fc.record({ name: any, keys: fc.array(loose(['index', 'keyName', 'secret', 'startTime', 'inactive'])) })),
      eventOptions: loose(['generateEvents', 'policies', 'eventScripts', 'traceoptions']),
      staticHostMappings: fc.array(loose(['name', 'inet', 'inet6', 'alias'])),
    },
    { requiredKeys: [] },
  );

  it('returns issues, never throws, and renderers refuse what it rejects', () => {
    fc.assert(
      fc.property(fc.oneof(any, shaped), (input) => {
        const issues = checkConfig(input as MacsecConfig);
        expect(Array.isArray(issues)).toBe(true);
        for (const issue of issues) {
          expect(typeof issue.path).toBe('string');
          expect(typeof issue.message).toBe('string');
        }
        if (issues.length > 0) expect(() => validateConfig(input as MacsecConfig)).toThrow(MacsecValidationError);
        else for (const render of [renderSet, renderText, renderXml]) render(input as MacsecConfig);
      }),
      { numRuns: 500 },
    );
  });

  it('reports wrong shapes by path', () => {
    expect(checkConfig({ connectivityAssociations: 'CA1' } as never)).toEqual([{ path: 'connectivityAssociations', message: 'must be an array' }]);
    expect(checkConfig({ keyChains: [{ name: 'K' }] } as never)).toEqual([{ path: 'keyChains[0].keys', message: 'must be an array' }]);
    expect(checkConfig({ staticHostMappings: [{ name: 'h', inet: [1] }] } as never)).toEqual([{ path: 'staticHostMappings[0].inet[0]', message: 'must be a string, got number' }]);
    expect(checkConfig({ eventOptions: { policies: [{ name: 'p', events: ['e'] }] } } as never)).toEqual([{ path: 'eventOptions.policies[0].eventScripts', message: 'must be an array' }]);
  });
});
