// The key log: every key a client receives from enc_keys or dec_keys, in whatever form it asked,
// is in the file before the client has it; the file is 0600; nothing is written unless asked.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQkdClient, type QkdClient } from '@qkd-macsec/etsi-qkd-client';
import { createSimPki, startSimKme, type SimKme, type SimPki } from '../index.js';
import { rawCall } from './testing/raw-https.js';

interface Line {
  at: string;
  source: string;
  id: string;
  keyId: string;
  hex: string;
  base64: string;
}
const readLines = (file: string): Line[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);

let pki: SimPki;
const tlsOf = (sae: string) => ({ cert: pki.saes[sae]!.certPem, key: pki.saes[sae]!.keyPem, ca: pki.ca.certPem });
beforeAll(async () => {
  pki = await createSimPki({ kmeIds: ['KME_A', 'KME_B'], saeIds: ['SAE_A', 'SAE_B', 'SAE_B2'] });
});

describe('key log on', () => {
  let sim: SimKme;
  let file: string;
  const warnings: unknown[][] = [];
  const clients: QkdClient[] = [];
  beforeAll(async () => {
    file = join(mkdtempSync(join(tmpdir(), 'sim-kme-keylog-')), 'keys.jsonl');
    const quiet = () => undefined;
    sim = await startSimKme({
      pki,
      kmes: [
        { id: 'KME_A', saes: ['SAE_A'] },
        { id: 'KME_B', saes: ['SAE_B', 'SAE_B2'] },
      ],
      links: [{ kmes: ['KME_A', 'KME_B'] }],
      keyLog: file,
      logger: { debug: quiet, info: quiet, error: quiet, warn: (...args: unknown[]) => void warnings.push(args) },
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sim.close();
  });
  const client = (kme: string, sae: string) => {
    const c = createQkdClient({ baseUrl: sim.kmes[kme]!.url, tls: tlsOf(sae), retry: false });
    clients.push(c);
    return c;
  };

  it('warns loudly, naming the file', () => {
    expect(sim.keyLogFile).toBe(file);
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]![0])).toBe(`key log on: every key handed out is written in clear to ${file} (mode 0600); for tests only, never with real keys`);
  });

  it('holds every key a client received from enc_keys and dec_keys (GET, POST, multicast), as hex and base64', async () => {
    const received: { kme: string; keyId: string; key: Buffer }[] = [];
    const master = client('KME_A', 'SAE_A');
    const enc = await master.getKey('SAE_B', { number: 3, size: 128 });
    received.push(...enc.keys.map((k) => ({ kme: 'KME_A', keyId: k.keyId, key: Buffer.from(k.bytes) })));
    const dec = await client('KME_B', 'SAE_B').getKeyWithIds('SAE_A', enc.keys.map((k) => k.keyId));
    received.push(...dec.keys.map((k) => ({ kme: 'KME_B', keyId: k.keyId, key: Buffer.from(k.bytes) })));
    const multi = await master.getKey('SAE_B', { additionalSlaveSaeIds: ['SAE_B2'] });
    received.push({ kme: 'KME_A', keyId: multi.keys[0]!.keyId, key: Buffer.from(multi.keys[0]!.bytes) });
    for (const sae of ['SAE_B', 'SAE_B2']) {
      const got = await rawCall(sim.kmes.KME_B!.url, `/api/v1/keys/SAE_A/dec_keys?key_ID=${multi.keys[0]!.keyId}`, tlsOf(sae));
      const [k] = (got.json as { keys: { key_ID: string; key: string }[] }).keys;
      received.push({ kme: 'KME_B', keyId: k!.key_ID, key: Buffer.from(k!.key, 'base64') });
    }
    const raw = await rawCall(sim.kmes.KME_A!.url, '/api/v1/keys/SAE_B/enc_keys?number=2', tlsOf('SAE_A'));
    for (const k of (raw.json as { keys: { key_ID: string; key: string }[] }).keys)
      received.push({ kme: 'KME_A', keyId: k.key_ID, key: Buffer.from(k.key, 'base64') });

    expect(received).toHaveLength(11);
    const lines = readLines(file);
    for (const r of received)
      expect(lines, r.keyId).toContainEqual({
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        source: 'sim-kme',
        id: r.kme,
        keyId: r.keyId,
        hex: r.key.toString('hex'),
        base64: r.key.toString('base64'),
      });
    expect(lines).toHaveLength(received.length); // one line per key handed out, nothing else
  });

  it('is mode 0600', () => {
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
  });

  it('logs no key for a refused or faulted request', async () => {
    const before = readLines(file).length;
    sim.setFaults('KME_A', { malformedRate: 1 });
    await rawCall(sim.kmes.KME_A!.url, '/api/v1/keys/SAE_B/enc_keys', tlsOf('SAE_A'));
    sim.setFaults('KME_A', undefined);
    await rawCall(sim.kmes.KME_B!.url, '/api/v1/keys/SAE_A/dec_keys?key_ID=00000000-0000-4000-8000-000000000000', tlsOf('SAE_B'));
    expect(readLines(file)).toHaveLength(before);
  });
});

describe('key log file', () => {
  it('an existing file is appended to and narrowed to 0600, never widened', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sim-kme-keylog-')), 'keys.jsonl');
    writeFileSync(file, '{"earlier":true}\n', { mode: 0o644 });
    const sim = await startSimKme({ pki, keyLog: file, log: { level: 'silent' } });
    try {
      expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
      const sae = tlsOf('SAE_A');
      const res = await rawCall(sim.kmes.KME_A!.url, '/api/v1/keys/SAE_B/enc_keys', sae);
      expect(res.status).toBe(200);
      const text = readFileSync(file, 'utf8');
      expect(text.startsWith('{"earlier":true}\n')).toBe(true);
      expect(text.split('\n').filter(Boolean)).toHaveLength(2);
    } finally {
      await sim.close();
    }
  });

  it('a file that cannot be opened is a clear error at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-kme-keylog-'));
    await expect(startSimKme({ pki, keyLog: join(dir, 'missing', 'keys.jsonl'), log: { level: 'silent' } })).rejects.toThrow(
      /^key log .*missing\/keys\.jsonl: cannot open for writing: ENOENT/,
    );
  });

  it('is off by default', async () => {
    const warnings: unknown[] = [];
    const quiet = () => undefined;
    const sim = await startSimKme({ pki, logger: { debug: quiet, info: quiet, error: quiet, warn: (m: unknown) => void warnings.push(m) } });
    try {
      expect(sim.keyLogFile).toBeUndefined();
      expect(warnings).toEqual([]);
    } finally {
      await sim.close();
    }
  });
});
