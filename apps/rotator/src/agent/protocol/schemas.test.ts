import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ENDPOINTS, batchAnswerLineSchema, batchRequestSchema, checkResponseSchema, errorBodySchema, healthSchema } from './schemas.js';

type Json = { [k: string]: unknown };
const ALL = [
  ...Object.entries(ENDPOINTS).flatMap(([name, e]) => [
    [`${name} request`, e.request],
    [`${name} response`, e.response],
  ]),
  ['check', checkResponseSchema],
  ['health', healthSchema],
  ['error', errorBodySchema],
  ['batch request', batchRequestSchema],
  ['batch answer line', batchAnswerLineSchema],
] as Array<[string, z.ZodType]>;

/** Every (path, node) of a JSON schema, with the property name that led to it. */
function walk(node: unknown, path: string, visit: (n: Json, path: string, prop: string | undefined) => void, prop?: string): void {
  if (node === null || typeof node !== 'object') return;
  const n = node as Json;
  visit(n, path, prop);
  for (const [k, v] of Object.entries((n.properties as Json | undefined) ?? {})) walk(v, `${path}.${k}`, visit, k);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) for (const [i, v] of ((n[key] as unknown[]) ?? []).entries()) walk(v, `${path}|${i}`, visit, prop);
  if (n.items) walk(n.items, `${path}[]`, visit, prop === undefined ? undefined : `${prop}[]`);
}

const REF_SHAPES = [['key'], ['ckn', 'device']];

describe('agent API schemas', () => {
  it('has no field that could carry key material: secrets only as {key: uuid} or {device, ckn}', () => {
    const problems: string[] = [];
    let secretFields = 0;
    for (const [name, schema] of ALL) {
      walk(z.toJSONSchema(schema, { io: 'input' }), name, (n, path, prop) => {
        if (n.type === 'object' && n.additionalProperties !== false) problems.push(`${path}: object is not strict`);
        if (n.type === 'string' && n.maxLength === undefined && n.pattern === undefined && n.enum === undefined && n.const === undefined && n.format === undefined) {
          problems.push(`${path}: unbounded string`);
        }
        if (prop !== undefined && /password|passphrase|private|bytes|material|hex|base64|^value$/i.test(prop)) problems.push(`${path}: key-sounding field`);
        if (prop === 'cak' || prop === 'secret') {
          if (!n.anyOf) return;
          secretFields++;
          const shapes = (n.anyOf as Json[]).map((o) => Object.keys(o.properties as Json).sort());
          if (JSON.stringify(shapes) !== JSON.stringify(REF_SHAPES)) problems.push(`${path}: a secret field that is not a reference (${JSON.stringify(shapes)})`);
        }
        if (prop === 'keys' && !(n.type === 'array' && (n.items as Json | undefined)?.type === 'object')) problems.push(`${path}: "keys" that are not key-chain keys`);
        if (prop === 'key' && n.format !== 'uuid') problems.push(`${path}: "key" that is not a key_ID`);
      });
    }
    expect(problems).toEqual([]);
    // pre-shared-key, fallback-key and key-chain secrets, in read/commit/confirm/stage bodies.
    expect(secretFields).toBeGreaterThan(10);
  });

  const stage = () => ({
    requestId: randomUUID(),
    tx: randomUUID(),
    device: 'r1',
    comment: 'c',
    confirmMinutes: 2,
    change: {
      config: {
        connectivityAssociations: [{ name: 'qkd-L1', securityMode: 'static-cak', preSharedKeyChain: 'qkd-L1', fallbackKey: { ckn: 'ab'.repeat(32), cak: { device: 'r1', ckn: 'ab'.repeat(32) } } }],
        keyChains: [{ name: 'qkd-L1', keys: [{ index: 1, keyName: 'cd'.repeat(32), secret: { key: randomUUID() }, startTime: '2026-11-24.12:00:00' }] }],
      },
      delete: [],
    },
  });

  it('accepts a stage body whose secrets are references', () => {
    expect(ENDPOINTS.stage.request.safeParse(stage()).success).toBe(true);
  });

  it.each([
    ['a cak beside the reference', (b: ReturnType<typeof stage>) => Object.assign(b.change.config.keyChains[0]!.keys[0]!.secret, { cak: 'ef'.repeat(32) })],
    ['a key field on the request', (b: ReturnType<typeof stage>) => Object.assign(b, { key: 'ef'.repeat(32) })],
    ['a cak on a key-chain key', (b: ReturnType<typeof stage>) => Object.assign(b.change.config.keyChains[0]!.keys[0]!, { cak: 'ef'.repeat(32) })],
    ['a hex secret in place of the reference', (b: ReturnType<typeof stage>) => Object.assign(b.change.config.keyChains[0]!.keys[0]!, { secret: 'ef'.repeat(32) })],
    ['a key that is not a key_ID', (b: ReturnType<typeof stage>) => Object.assign(b.change.config.keyChains[0]!.keys[0]!, { secret: { key: 'ef'.repeat(32) } })],
    ['a cak in a pre-shared key', (b: ReturnType<typeof stage>) => Object.assign(b.change.config.connectivityAssociations[0]!, { preSharedKey: { ckn: 'ab', cak: 'ef'.repeat(32) } })],
  ])('rejects %s', (_what, mutate) => {
    const body = stage();
    mutate(body);
    expect(ENDPOINTS.stage.request.safeParse(body).success).toBe(false);
  });

  it('rejects an enc_keys body with an extra key field', () => {
    const body = { requestId: randomUUID(), tx: 'tx-1', link: 'L1', masterSae: 'SAE_A', slaveSaes: ['SAE_B'], cipherSuite: 'gcm-aes-256', ckn: { strategy: 'sha256-keyid' }, kind: 'primary' };
    expect(ENDPOINTS.encKey.request.safeParse(body).success).toBe(true);
    expect(ENDPOINTS.encKey.request.safeParse({ ...body, key: 'ab'.repeat(32) }).success).toBe(false);
    expect(ENDPOINTS.encKey.response.safeParse({ keyId: randomUUID(), ckn: 'ab'.repeat(32), bits: 256, check: '0123456789abcdef', cak: 'ab'.repeat(32) }).success).toBe(false);
  });

  it('a batch item is a request of its endpoint: a stage item with key material, or an unknown endpoint, fails the batch', () => {
    const ok = { items: [{ endpoint: 'stage', body: stage() }, { endpoint: 'endTx', body: { requestId: randomUUID(), tx: 'tx-1' } }] };
    expect(batchRequestSchema.safeParse(ok).success).toBe(true);
    const withKey = stage();
    Object.assign(withKey.change.config.keyChains[0]!.keys[0]!, { secret: 'ef'.repeat(32) });
    expect(batchRequestSchema.safeParse({ items: [ok.items[1], { endpoint: 'stage', body: withKey }] }).success).toBe(false);
    expect(batchRequestSchema.safeParse({ items: [{ endpoint: 'keys', body: { requestId: randomUUID() } }] }).success).toBe(false);
    expect(batchRequestSchema.safeParse({ items: [] }).success).toBe(false);
    expect(batchAnswerLineSchema.safeParse({ i: 0, status: 200, body: { ok: true } }).success).toBe(true);
    expect(batchAnswerLineSchema.safeParse({ i: 0, status: 200, body: { ok: true, cak: 'ab'.repeat(32) } }).success).toBe(false);
  });
});
