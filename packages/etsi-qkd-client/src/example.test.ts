// Runs examples/two-saes.ts (the README example) for real: two scripted KMEs over mTLS that
// share issued keys, certificates in files laid out like `sim-kme pki --out DIR`.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate } from '@qkd-macsec/cert-lcm';
import { afterAll, expect, it, vi } from 'vitest';
import { makeTestPki } from './testing/pki.js';
import { json, startStubKme, statusBody, type Handler, type StubKme } from './testing/stub-kme.js';

const cleanup: Array<() => unknown> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

it('the README example gets a key on SAE_A, the same key on SAE_B, and prints key IDs only', async () => {
  const pki = await makeTestPki();
  const dir = mkdtempSync(join(tmpdir(), 'etsi-qkd-client-example-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'saes'));
  writeFileSync(join(dir, 'ca.crt'), pki.ca.certPem);
  for (const sae of ['SAE_A', 'SAE_B']) {
    const credential = await issueCertificate({ issuer: pki.ca, profile: 'client', commonName: sae });
    writeFileSync(join(dir, 'saes', `${sae}.crt`), credential.certPem);
    writeFileSync(join(dir, 'saes', `${sae}.key`), credential.keyPem, { mode: 0o600 });
  }

  // The QKD link: keys issued by KME_A for SAE_B, fetched once from KME_B by SAE_B.
  const pool = new Map<string, string>();
  const issued: string[] = [];
  const kmeA: Handler = (req, res) => {
    if (req.clientCn !== 'SAE_A') return void res.writeHead(401).end();
    if (req.url === '/api/v1/keys/SAE_B/status') return json(res, 200, statusBody());
    const size = Number(new URL(req.url, 'https://x').searchParams.get('size'));
    const keyId = randomUUID();
    const key = Buffer.alloc(size / 8, 0x5a).toString('base64');
    pool.set(keyId, key);
    issued.push(key);
    json(res, 200, { keys: [{ key_ID: keyId, key }] });
  };
  const kmeB: Handler = (req, res) => {
    const keyId = new URL(req.url, 'https://x').searchParams.get('key_ID') ?? '';
    const key = pool.get(keyId);
    if (req.clientCn !== 'SAE_B' || !req.url.startsWith('/api/v1/keys/SAE_A/dec_keys') || !key) return json(res, 400, { message: 'one or more keys specified are not found on KME' });
    pool.delete(keyId);
    json(res, 200, { keys: [{ key_ID: keyId, key }] });
  };
  const tls = { cert: pki.server.certPem, key: pki.server.keyPem, ca: pki.ca.certPem };
  const stubs: StubKme[] = [await startStubKme(kmeA, tls), await startStubKme(kmeB, tls)];
  cleanup.push(() => Promise.all(stubs.map((stub) => stub.close())));

  vi.stubEnv('PKI_DIR', dir);
  vi.stubEnv('KME_A_URL', stubs[0]!.url);
  vi.stubEnv('KME_B_URL', stubs[1]!.url);
  cleanup.push(() => vi.unstubAllEnvs());
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
  cleanup.push(() => (log.mockRestore(), error.mockRestore()));

  await import('../examples/two-saes.js');

  expect(out).toHaveLength(3);
  expect(out[0]).toBe('KME KME_A -> KME_B: 25 keys of 256 bits stored');
  expect(out[1]).toMatch(/^SAE_A got QkdKey\([0-9a-f-]{36}, 256 bits\) in [\d.]+ ms$/);
  expect(out[2]).toMatch(/^SAE_B got QkdKey\([0-9a-f-]{36}, 256 bits\); identical material: true$/);
  expect(pool.size).toBe(0); // the key went to SAE_B
  expect(process.exitCode ?? 0).toBe(0);
  for (const key of issued) expect(out.join('\n')).not.toContain(key);
});

it('the README shows examples/two-saes.ts word for word (from its first import)', () => {
  const source = readFileSync(new URL('../examples/two-saes.ts', import.meta.url), 'utf8');
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  expect(readme).toContain(source.slice(source.indexOf('import {')).trim());
});
