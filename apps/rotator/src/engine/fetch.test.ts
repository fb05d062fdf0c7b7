// The checks fetchLinkKey makes on what the KMEs deliver, with scripted ETSI clients (the wire is
// covered by the e2e tests against sim-kme).
import type { QkdClient, QkdKey } from '@qkd-macsec/etsi-qkd-client';
import { describe, expect, it } from 'vitest';
import { createFleet } from '../fleet/fleet.js';
import { resolveLinks, type EngineConfig } from './config-view.js';
import { fetchLinkKey, KeyFetchError } from './fetch.js';

const ID = '550e8400-e29b-41d4-a716-446655440000';
const config: EngineConfig = {
  saes: { SA: { kme: 'K1' }, SB: { kme: 'K2' }, SC: { kme: 'K3' } },
  devices: { r1: { sae: 'SA' }, r2: { sae: 'SB' }, r3: { sae: 'SC' } },
  links: [{ name: 'G', master: { device: 'r1', interfaces: ['et-0/0/0', 'et-0/0/1'] }, slaves: [{ device: 'r2', interfaces: ['et-0/0/0'] }, { device: 'r3', interfaces: ['et-0/0/0'] }] }],
  rotation: { mode: 'key-chain', cipherSuite: 'gcm-aes-128', ckn: { strategy: 'sha256-keyid' }, leadTimeSeconds: 60, intervalSeconds: 3600, concurrency: 4, confirmTimeoutMinutes: 5 },
  stateDir: '/tmp/x',
};
const link = resolveLinks(config)[0]!;

function key(bytes: Uint8Array, id = ID): QkdKey {
  return { keyId: id, bits: bytes.length * 8, bytes, wipe: () => bytes.fill(0) } as unknown as QkdKey;
}

function fleetWith(copies: Record<string, Uint8Array>, calls: string[]) {
  const client = (sae: string) =>
    ({
      async getKey(slave: string, req: { size: number; additionalSlaveSaeIds?: string[] }) {
        calls.push(`${sae} enc_keys ${slave} size=${req.size} additional=${(req.additionalSlaveSaeIds ?? []).join(',')}`);
        return { keys: [key(new Uint8Array(16).fill(7))] };
      },
      async getKeyWithIds(master: string, ids: string[]) {
        calls.push(`${sae} dec_keys ${master} ${ids.join(',')}`);
        return { keys: [key(copies[sae] ?? new Uint8Array(16).fill(7))] };
      },
      close: async () => undefined,
    }) as unknown as QkdClient;
  return createFleet({ connectDevice: () => Promise.reject(new Error('no devices here')), kmeClientFor: client, concurrency: 2 });
}

describe('fetchLinkKey', () => {
  it('asks for exactly the CAK bits, names the other slaves as additional, derives one CKN', async () => {
    const calls: string[] = [];
    const fleet = fleetWith({}, calls);
    const k = await fetchLinkKey(fleet, config, link);
    expect(calls).toEqual([`SA enc_keys SB size=128 additional=SC`, `SB dec_keys SA ${ID}`, `SC dec_keys SA ${ID}`]);
    expect(k.keyId).toBe(ID);
    expect(k.ckn).toMatch(/^[0-9a-f]{64}$/);
    expect(String(k.cak)).toBe('<redacted>');
    await fleet.close();
  });

  it('refuses a slave copy that differs, naming the SAE and KME but never the key', async () => {
    const fleet = fleetWith({ SC: new Uint8Array(16).fill(8) }, []);
    const err = await fetchLinkKey(fleet, config, link).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyFetchError);
    expect((err as Error).message).toBe(`link G: the key ${ID} delivered to SC by K3 differs from the master's copy`);
    expect((err as KeyFetchError).context).toMatchObject({ sae: 'SC', kme: 'K3', keyId: ID });
    await fleet.close();
  });

  it('refuses a slave copy of another length', async () => {
    const fleet = fleetWith({ SB: new Uint8Array(32).fill(7) }, []);
    await expect(fetchLinkKey(fleet, config, link)).rejects.toThrow(`link G: K2 returned key ${ID} of 256 bits for key ${ID} of 128 bits`);
    await fleet.close();
  });
});
