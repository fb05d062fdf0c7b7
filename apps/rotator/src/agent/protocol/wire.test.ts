import { randomUUID } from 'node:crypto';
import { Secret, type MacsecConfig } from '@qkd-macsec/macsec-config';
import { describe, expect, it } from 'vitest';
import { deviceRef, keyRef, refOf } from './refs.js';
import { wireConfigSchema } from './schemas.js';
import { KeyMaterialRefusedError, changeFromWire, changeToWire, configFromAgent, configReadToWire, loadToWire, secretsByCkn } from './wire.js';

const CKN1 = 'aa'.repeat(32);
const CKN2 = 'bb'.repeat(32);

function config(primary: Secret, fallback: Secret): MacsecConfig {
  return {
    connectivityAssociations: [{ name: 'qkd-L1', securityMode: 'static-cak', cipherSuite: 'gcm-aes-256', preSharedKeyChain: 'qkd-L1', fallbackKey: { ckn: CKN2, cak: fallback } }],
    interfaces: [{ name: 'et-0/0/0', connectivityAssociation: 'qkd-L1' }],
    keyChains: [{ name: 'qkd-L1', keys: [{ index: 3, keyName: CKN1, secret: primary, startTime: '2026-11-24.12:00:00' }] }],
  };
}

describe('wire form', () => {
  it('sends references as references and nothing else', () => {
    const keyId = randomUUID();
    const wire = changeToWire({ config: config(keyRef(keyId), deviceRef('r1', CKN2)), delete: [{ kind: 'key-chain-key', chain: 'qkd-L1', index: 1 }] }, 'dc1');
    expect(wireConfigSchema.parse(wire.config)).toEqual(wire.config);
    expect(wire.config.keyChains?.[0]?.keys[0]?.secret).toEqual({ key: keyId });
    expect(wire.config.connectivityAssociations?.[0]?.fallbackKey?.cak).toEqual({ device: 'r1', ckn: CKN2 });
    expect(wire.delete).toEqual([{ kind: 'key-chain-key', chain: 'qkd-L1', index: 1 }]);
  });

  it('refuses a real Secret, wherever it sits, naming the site and never the key', () => {
    const cak = 'ef'.repeat(32);
    for (const c of [config(Secret.fromHex(cak), deviceRef('r1', CKN2)), config(keyRef(randomUUID()), Secret.fromHex(cak))]) {
      let error: unknown;
      try {
        loadToWire({ action: 'replace', config: c }, 'dc1');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(KeyMaterialRefusedError);
      expect((error as Error).message).toBe('refusing to send key material to agent dc1');
    }
  });

  it('resolves references at the agent into the Secrets it holds', () => {
    const keyId = randomUUID();
    const wire = changeToWire({ config: config(keyRef(keyId), deviceRef('r1', CKN2)), delete: [] }, 'dc1');
    const held = { primary: Secret.fromHex('11'.repeat(32)), fallback: Secret.fromDevice('$9$abc') };
    const change = changeFromWire(wire, (r) => ('key' in r ? held.primary : held.fallback));
    expect(change.config.keyChains?.[0]?.keys[0]?.secret?.reveal()).toBe('11'.repeat(32));
    expect(change.config.connectivityAssociations?.[0]?.fallbackKey?.cak.reveal()).toBe('$9$abc');
    expect(change.config.interfaces).toEqual([{ name: 'et-0/0/0', connectivityAssociation: 'qkd-L1' }]);
  });

  it('reads a device config out as {device, ckn} references, and the coordinator holds placeholders', () => {
    const read = config(Secret.fromDevice('$9$primary'), Secret.fromDevice('$9$fallback'));
    const wire = configReadToWire(read, 'r1');
    expect(JSON.stringify(wire)).not.toContain('$9$');
    expect(wire.keyChains?.[0]?.keys[0]?.secret).toEqual({ device: 'r1', ckn: CKN1 });
    expect([...secretsByCkn(read).keys()].sort()).toEqual([CKN1, CKN2]);
    const atCoordinator = configFromAgent(wire);
    expect(refOf(atCoordinator.keyChains![0]!.keys[0]!.secret!)).toEqual({ device: 'r1', ckn: CKN1 });
    // …and it goes back over the wire as the same reference.
    expect(changeToWire({ config: atCoordinator, delete: [] }, 'dc1').config).toEqual(wire);
  });
});
