import { describe, expect, it } from 'vitest';
import { keyContainerSchema, keyIdsSchema, parseMessage, statusSchema } from './schemas.js';

const status = {
  source_KME_ID: 'KME-A', target_KME_ID: 'KME-B', master_SAE_ID: 'SAE-A', slave_SAE_ID: 'SAE-B',
  key_size: 256, stored_key_count: 10, max_key_count: 100, max_key_per_request: 8,
  max_key_size: 1024, min_key_size: 64, max_SAE_ID_count: 0,
};
const keyId = '550e8400-e29b-41d4-a716-446655440000';

describe('ETSI 014 schemas', () => {
  it('accepts a complete Status and keeps its extension', () => {
    const parsed = parseMessage(statusSchema, { ...status, status_extension: { vendor: 1 } }, 'Status');
    expect(parsed.key_size).toBe(256);
    expect(parsed.status_extension).toEqual({ vendor: 1 });
  });

  it('names every missing or mistyped Status field', () => {
    const { stored_key_count: _dropped, ...partial } = status;
    expect(() => parseMessage(statusSchema, { ...partial, key_size: '256' }, 'Status')).toThrow(
      /invalid Status: .*key_size.*stored_key_count|invalid Status: .*stored_key_count.*key_size/,
    );
  });

  it('rejects a key that is not Base64 and a key_ID that is not a UUID, without echoing the key', () => {
    const secret = 'not*base64*secret';
    let message = '';
    try {
      parseMessage(keyContainerSchema, { keys: [{ key_ID: 'nope', key: secret }] }, 'Key container');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/keys\.0\.key_ID: key_ID is not a UUID/);
    expect(message).toMatch(/keys\.0\.key: key is not Base64/);
    expect(message).not.toContain(secret);
  });

  it('accepts a key_ID in UUID form whose variant bits are not RFC 9562 ones', () => {
    const key = Buffer.alloc(16, 1).toString('base64');
    const odd = '00000000-0000-0000-0000-000000000001';
    expect(parseMessage(keyContainerSchema, { keys: [{ key_ID: odd, key }] }, 'Key container').keys[0]?.key_ID).toBe(odd);
  });

  it('accepts a valid Key container', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const parsed = parseMessage(keyContainerSchema, { keys: [{ key_ID: keyId, key }] }, 'Key container');
    expect(parsed.keys[0]?.key_ID).toBe(keyId);
  });

  it('requires at least one key_ID in a dec_keys request', () => {
    expect(() => parseMessage(keyIdsSchema, { key_IDs: [] }, 'Key IDs')).toThrow(/at least one key_ID/);
    expect(parseMessage(keyIdsSchema, { key_IDs: [{ key_ID: keyId }] }, 'Key IDs').key_IDs).toHaveLength(1);
  });
});
