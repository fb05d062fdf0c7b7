// The field script's leftovers found in macsec-config's fixtures (replies of v3.2 and v3.3
// devices), what --remove-field-script would delete, and what it never touches.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseConfigurationXml, renderXml } from '@qkd-macsec/macsec-config';
import { describe, expect, it } from 'vitest';
import { renderLoad } from '../fleet/direct-ops.js';
import { findFieldScript, prefixUuidCkn } from './field-script.js';

const fixture = (v: string) => readFileSync(fileURLToPath(new URL(`../../../../packages/macsec-config/src/fixtures/field-script-${v}.xml`, import.meta.url)), 'utf8');
const v32 = parseConfigurationXml(fixture('v3.2'));
const v33 = parseConfigurationXml(fixture('v3.3'));

describe('findFieldScript', () => {
  it('v3.2: static CAK with prefix + key_ID, apply-macro kme-host URL, its event-options and user', () => {
    const f = findFieldScript({ config: v32, users: ['qkd', 'rotator'], ours: { cas: new Set(['qkd-L1']), chains: new Set(['qkd-L1']), interfaces: new Set(['et-0/0/0']) } })!;
    expect(f.version).toBe('v3.2');
    expect(f.artefacts).toEqual([
      'event-script file qkd-macsec.py (python-script-user qkd)',
      'event-options policy qkd-rotate (events qkd-every-minute -> qkd-macsec.py)',
      'event-options generate-event qkd-every-minute (every 60 s)',
      'event-options traceoptions (file qkd-events.log)',
      'system login user qkd (the script\'s user)',
      'macsec interface et-0/0/0: apply-macro qkd (kme-host https://kme-a.example.net:8443/api/v1/keys, a URL: v3.2)',
      'connectivity-association CA_QKD: static pre-shared-key, CKN = prefix 0123456789abcdef0123456789abcdef + key_ID (v3.2)',
    ]);
    expect(f.running).toEqual(['policy qkd-rotate runs qkd-macsec.py on qkd-every-minute']);
    expect(f.removal.delete).toEqual([
      { kind: 'event-script-file', name: 'qkd-macsec.py' },
      { kind: 'event-policy', name: 'qkd-rotate' },
      { kind: 'generate-event', name: 'qkd-every-minute' },
      { kind: 'connectivity-association', name: 'CA_QKD' }, // the link's interface moves to qkd-L1
    ]);
    expect(f.removal.loads).toEqual([{ action: 'remove-event-traceoptions' }, { action: 'remove-login-user', user: 'qkd' }]);
    // What a direct device loads for them (an agent renders the same Loads itself).
    expect(f.removal.loads.map((l) => renderLoad(l, 'r1').xml).join('\n')).toContain('<user delete="delete"><name>qkd</name></user>');
    expect(f.removal.loads.map((l) => renderLoad(l, 'r1').xml).join('\n')).toContain('<traceoptions delete="delete"/>');
    // The delete targets render (what init loads).
    expect(renderXml({}, { delete: f.removal.delete })).toContain('<policy delete="delete">');
  });

  it('v3.3: the key chain with fallback-key and its timers, its script user; the CA in use stays', () => {
    const f = findFieldScript({ config: v33, users: ['qkd-script'], ours: { cas: new Set(['CA_QKD']), chains: new Set(['QKD_KC']), interfaces: new Set(['et-0/0/1']) } })!;
    expect(f.version).toBe('v3.3');
    expect(f.artefacts).toContain('connectivity-association CA_QKD: pre-shared-key-chain QKD_KC, fallback-key, transmit-interval 2000, sak-rekey-interval 300 (v3.3)');
    expect(f.artefacts).toContain("system login user qkd-script (the script's user)");
    expect(f.removal.delete.map((d) => d.kind)).toEqual(['event-script-file', 'event-policy', 'generate-event']);
  });

  it('never removes the rotator\'s own login, names the rotator\'s config uses, or a CA another interface still uses', () => {
    const f = findFieldScript({
      config: v32,
      users: ['qkd'],
      rotatorUser: 'qkd',
      keep: new Set(['qkd-rotate', 'traceoptions']),
      ours: { cas: new Set(['qkd-L1']), chains: new Set(['qkd-L1']), interfaces: new Set(['et-0/0/9']) },
    })!;
    expect(f.artefacts).toContain("system login user qkd (the script's user — and the rotator's own login: kept)");
    const scriptUser = findFieldScript({ config: v32, users: ['qkd'], keep: new Set(['qkd']) })!;
    expect(scriptUser.artefacts).toContain("system login user qkd (the script's user — init.eventOptions runs a script as it: kept)");
    expect(scriptUser.removal.loads.filter((l) => l.action === 'remove-login-user')).toEqual([]);
    expect(f.removal.loads).toEqual([]);
    expect(f.removal.delete).toEqual([{ kind: 'event-script-file', name: 'qkd-macsec.py' }]);
  });

  it('finds nothing on a device the field script never touched, even with a prefix + key_ID CKN (the rotator\'s own prefix-uuid)', () => {
    expect(findFieldScript({ config: { connectivityAssociations: [{ name: 'CA', securityMode: 'static-cak', preSharedKeyChain: 'KC' }] }, users: ['admin'] })).toBeUndefined();
    const rotatorOwn = { connectivityAssociations: [{ ...v32.connectivityAssociations![0]! }] };
    expect(findFieldScript({ config: rotatorOwn, users: [], ours: { cas: new Set(), chains: new Set(), interfaces: new Set() } })).toBeUndefined();
  });

  it('recognises CKN = 32-hex prefix + a UUID', () => {
    expect(prefixUuidCkn('0123456789abcdef0123456789abcdef550e8400e29b41d4a716446655440000')).toEqual({ prefix: '0123456789abcdef0123456789abcdef' });
    expect(prefixUuidCkn('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08')).toBeUndefined(); // sha256, no UUID shape
  });
});
