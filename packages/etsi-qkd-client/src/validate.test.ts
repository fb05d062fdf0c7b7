import { describe, expect, it } from 'vitest';
import type { Status } from './schemas.js';
import { decKeysProblems, encKeysProblems, keyIdsProblems, keyRequestProblems } from './validate.js';

const status: Status = {
  source_KME_ID: 'KME_A',
  target_KME_ID: 'KME_B',
  master_SAE_ID: 'SAE_A',
  slave_SAE_ID: 'SAE_B',
  key_size: 256,
  stored_key_count: 10,
  max_key_count: 100,
  max_key_per_request: 2,
  max_key_size: 512,
  min_key_size: 128,
  max_SAE_ID_count: 1,
};
const ID1 = '550e8400-e29b-41d4-a716-446655440000';
const ID2 = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const key = (id: string, bytes: number) => ({ key_ID: id, key: Buffer.alloc(bytes, 1).toString('base64') });

describe('keyRequestProblems', () => {
  it('accepts a plain request with or without a Status', () => {
    expect(keyRequestProblems({}, undefined)).toEqual([]);
    expect(keyRequestProblems({ number: 2, size: 256, additionalSlaveSaeIds: ['SAE_C'] }, status)).toEqual([]);
  });

  it('refuses bad numbers and sizes without a Status', () => {
    expect(keyRequestProblems({ size: 129 }, undefined)).toEqual(['size shall be a multiple of 8 (got 129 bits)']);
    expect(keyRequestProblems({ size: 0 }, undefined)[0]).toMatch(/positive integer number of bits/);
    expect(keyRequestProblems({ size: 25.6 }, undefined)[0]).toMatch(/positive integer/);
    expect(keyRequestProblems({ number: 0 }, undefined)[0]).toMatch(/number must be a positive integer/);
    expect(keyRequestProblems({ additionalSlaveSaeIds: ['A', 'A'] }, undefined)).toEqual(['additionalSlaveSaeIds has duplicates']);
    expect(keyRequestProblems({ additionalSlaveSaeIds: [''] }, undefined)[0]).toMatch(/non-empty SAE IDs/);
    expect(keyRequestProblems({ extensionMandatory: ['x' as never] }, undefined)).toEqual(['extensionMandatory must be an array of objects']);
  });

  it('refuses what the Status says the KME will not do', () => {
    expect(keyRequestProblems({ size: 120 }, status)).toEqual(["size 120 bits is outside the KME's range [128, 512]"]);
    expect(keyRequestProblems({ size: 1024 }, status)).toEqual(["size 1024 bits is outside the KME's range [128, 512]"]);
    expect(keyRequestProblems({ number: 3 }, status)).toEqual(["number 3 exceeds the KME's max_key_per_request 2"]);
    expect(keyRequestProblems({ additionalSlaveSaeIds: ['C', 'D'] }, status)).toEqual(["2 additional slave SAE IDs exceed the KME's max_SAE_ID_count 1"]);
  });
});

describe('keyIdsProblems', () => {
  it('wants a non-empty list of distinct UUIDs', () => {
    expect(keyIdsProblems([ID1, ID2])).toEqual([]);
    expect(keyIdsProblems([])).toEqual(['keyIds must be a non-empty array of key_ID strings']);
    expect(keyIdsProblems('x')).toEqual(['keyIds must be a non-empty array of key_ID strings']);
    expect(keyIdsProblems([ID1, 'nope', 3])).toEqual(['keyIds[1] is not a UUID key_ID', 'keyIds[2] is not a UUID key_ID']);
    expect(keyIdsProblems([ID1, ID1.toUpperCase()])).toEqual(['keyIds has duplicates']);
  });
});

describe('answer checks', () => {
  it('enc_keys: count, duplicates, size', () => {
    expect(encKeysProblems({ keys: [key(ID1, 32), key(ID2, 32)] }, { number: 2, bits: 256 })).toEqual([]);
    expect(encKeysProblems({ keys: [key(ID1, 32)] }, { number: 2, bits: 256 })).toEqual(['asked for 2 key(s), got 1']);
    expect(encKeysProblems({ keys: [key(ID1, 32), key(ID1, 32)] }, { number: 2, bits: 256 })).toEqual([`key IDs delivered more than once: ${ID1}`]);
    expect(encKeysProblems({ keys: [key(ID1, 31)] }, { number: 1, bits: 256 })).toEqual([`key ${ID1} has 248 bits, expected 256`]);
    expect(encKeysProblems({ keys: [key(ID1, 16), key(ID2, 32)] }, { number: 2, bits: undefined })).toEqual(['keys of different sizes in one answer: 128, 256 bits']);
  });

  it('dec_keys: exactly the requested IDs (any letter case), each once', () => {
    expect(decKeysProblems({ keys: [key(ID1.toUpperCase(), 16)] }, [ID1])).toEqual([]);
    expect(decKeysProblems({ keys: [key(ID2, 16)] }, [ID1])).toEqual([`key IDs not requested: ${ID2}`, `requested key IDs missing: ${ID1}`]);
    expect(decKeysProblems({ keys: [key(ID1, 16), key(ID1, 16)] }, [ID1])).toEqual([`key IDs delivered more than once: ${ID1}`]);
    expect(decKeysProblems({ keys: [] }, [ID1])).toEqual([`requested key IDs missing: ${ID1}`]);
  });
});
