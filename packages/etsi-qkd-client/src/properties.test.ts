// Property tests: any SAE ID reaches the KME as exactly one path segment; any answer body is
// either accepted exactly when it matches the request, or refused with QkdResponseError that
// quotes no key.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQkdClient, type QkdClient } from './client.js';
import { QkdRequestError, QkdResponseError } from './errors.js';
import { endpointUrl } from './url.js';
import { json, startStubKme, type StubKme } from './testing/stub-kme.js';
import { makeTestPki } from './testing/pki.js';

describe('SAE IDs in URLs', () => {
  it('any SAE ID but "." and ".." is one path segment that decodes back to it; ill-formed ones are refused', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }).filter((id) => id !== '.' && id !== '..'),
        fc.constantFrom('https://kme:8443', 'https://kme/prefix', 'https://kme/a/b'),
        (saeId, root) => {
          if (/\p{Surrogate}/u.test(saeId.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))) {
            expect(() => endpointUrl(root, saeId, 'status')).toThrow(QkdRequestError);
            return;
          }
          const url = new URL(endpointUrl(root, saeId, 'status'));
          const prefix = new URL(root).pathname.replace(/\/$/, '');
          expect(url.pathname.startsWith(`${prefix}/api/v1/keys/`)).toBe(true);
          const rest = url.pathname.slice(`${prefix}/api/v1/keys/`.length).split('/');
          expect(rest).toHaveLength(2);
          expect(decodeURIComponent(rest[0]!)).toBe(saeId);
          expect(rest[1]).toBe('status');
          expect(url.search).toBe('');
          expect(url.hash).toBe('');
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('answers to enc_keys', () => {
  let stub: StubKme;
  let client: QkdClient;
  let next: unknown;

  beforeAll(async () => {
    const pki = await makeTestPki();
    stub = await startStubKme((_req, res) => json(res, 200, next), { cert: pki.server.certPem, key: pki.server.keyPem, ca: pki.ca.certPem });
    client = createQkdClient({ baseUrl: stub.url, tls: { cert: pki.client.certPem, key: pki.client.keyPem, ca: pki.ca.certPem }, logger: { warn: () => {} } });
  });

  afterAll(async () => {
    await client?.close();
    await stub?.close();
  });

  const keyId = fc.oneof({ arbitrary: fc.uuid(), weight: 6 }, { arbitrary: fc.string({ maxLength: 12 }), weight: 1 });
  const bytes = (length: fc.Arbitrary<number>) => length.chain((n) => fc.uint8Array({ minLength: n, maxLength: n })).map((b) => Buffer.from(b).toString('base64'));
  const entry = fc.record({
    key_ID: keyId,
    key: fc.oneof(
      { arbitrary: bytes(fc.constant(32)), weight: 6 },
      { arbitrary: bytes(fc.integer({ min: 1, max: 40 })), weight: 1 },
      { arbitrary: fc.string({ maxLength: 20 }), weight: 1 },
    ),
  });
  // Well-formed containers by construction: random entries alone reach the accepting branch too
  // rarely (4 times in 150 once), so it gets a property of its own with a known count.
  const wellFormed = fc.integer({ min: 1, max: 3 }).chain((n) =>
    fc.tuple(
      fc.uniqueArray(fc.record({ key_ID: fc.uuid(), key: bytes(fc.constant(32)) }), { minLength: n, maxLength: n, selector: (k) => k.key_ID.toLowerCase() }),
      fc.constant(n),
      fc.constant(256),
    ),
  );
  const anyContainer = fc.tuple(fc.array(entry, { maxLength: 3 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom(256, 256, 128));

  /** The client's verdict on `keys` as the answer to getKey({ number, size }), against the spec's. */
  async function check([keys, number, size]: [{ key_ID: string; key: string }[], number, number]): Promise<'accepted' | 'refused'> {
    next = { keys };
    const outcome = await client.getKey('SAE_B', { number, size }).then(
      (result) => result,
      (error: unknown) => error,
    );
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
    const valid =
      keys.length === number &&
      keys.every((k) => uuid.test(k.key_ID) && k.key.length > 0 && base64.test(k.key) && Buffer.from(k.key, 'base64').length * 8 === size) &&
      new Set(keys.map((k) => k.key_ID.toLowerCase())).size === keys.length;
    if (valid) {
      expect(outcome).not.toBeInstanceOf(Error);
      expect((outcome as { keys: { keyId: string; bits: number }[] }).keys.map((k) => [k.keyId, k.bits])).toEqual(keys.map((k) => [k.key_ID, size]));
      return 'accepted';
    }
    expect(outcome).toBeInstanceOf(QkdResponseError);
    const message = (outcome as Error).message;
    for (const k of keys) if (k.key.length >= 8) expect(message).not.toContain(k.key);
    return 'refused';
  }

  it('accepts every Key container of `number` distinct UUID keys of `size` bits', async () => {
    const verdicts: string[] = [];
    await fc.assert(
      fc.asyncProperty(wellFormed, async (container) => void verdicts.push(await check(container))),
      { numRuns: 75 },
    );
    expect(verdicts).toEqual(Array(75).fill('accepted')); // the accepting branch, every run
  });

  it('accepts any other Key container exactly when it matches the request, else refuses it quoting no key', async () => {
    await fc.assert(
      fc.asyncProperty(anyContainer, async (container) => void (await check(container))),
      { numRuns: 150 },
    );
  });

  it('any JSON value as the answer is refused with QkdResponseError or accepted as a valid container', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (body) => {
        next = body;
        const outcome = await client.getKey('SAE_B', { size: 256 }).catch((error: unknown) => error);
        if (outcome instanceof Error) expect(outcome).toBeInstanceOf(QkdResponseError);
      }),
      { numRuns: 150 },
    );
  });
});
