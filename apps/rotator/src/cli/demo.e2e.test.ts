// The whole demo in-process, as `qkd-macsec demo` runs it, with every log line at debug level:
// then every QKD key the simulated KMEs handed out (and so every CAK derived from them: with
// gcm-aes-256 the CAK is the whole key) is searched for in stdout, stderr and every file the run
// left (config, PKI, state). None may appear. The device passwords may appear only in their
// secret files.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDemo } from './demo/run-demo.js';
import { capturedIo } from './testing/capture.js';
import { keyForms, scanFiles, scanText } from './demo/scan.js';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

describe('the demo', () => {
  it.each([
    { format: 'json' as const, rotations: 3 },
    { format: 'pretty' as const, rotations: 1 },
  ])('runs init and $rotations rotations with no link drop, and no key reaches any output or file ($format logs, debug level)', async ({ format, rotations }) => {
    const root = mkdtempSync(join(tmpdir(), 'rotator-demo-e2e-'));
    roots.push(root);
    const io = capturedIo();
    const keys = new Map<string, Buffer>();
    const result = await runDemo({
      rotations,
      stdout: io.stdout,
      stderr: io.stderr,
      logFormat: format,
      logLevel: 'debug',
      keep: true,
      tmpRoot: root,
      onKeyIssued: (keyId, bytes) => keys.set(keyId, bytes),
    });

    expect(result.ok).toBe(true);
    expect(result.cycles).toHaveLength(rotations);
    for (const c of result.cycles) expect(c.links.map((l) => l.result)).toEqual(['ok', 'ok', 'ok']);
    expect(Object.values(result.downMs)).toEqual([0, 0, 0, 0]);
    expect(Object.values(result.fallbackMs)).toEqual([0, 0, 0, 0]);
    expect(io.out()).toMatch(/down time +fallback time\n/);
    expect(io.out()).toContain(`all links secured; ${rotations} rotation`);

    // At init three first keys and three fallback keys, then three per rotation: one enc_keys per
    // link and key, exactly.
    expect(keys.size).toBe(3 + 3 + 3 * rotations);
    for (const bytes of keys.values()) expect(bytes.length).toBe(32);
    // The scan sees the outputs it searches: the key IDs are there (the keys are not).
    for (const keyId of keys.keys()) expect(io.out()).toContain(keyId);
    expect(io.err().length).toBeGreaterThan(1000);

    const passwords = readPasswords(result.dir);
    expect(scanText('stdout', io.out(), keys, passwords)).toEqual([]);
    expect(scanText('stderr', io.err(), keys, passwords)).toEqual([]);
    const { files, leaks } = scanFiles(result.dir, keys);
    expect(leaks).toEqual([]);
    expect(files.some((f) => f.includes(`${join(result.dir, 'state')}/`))).toBe(true);
    // Passwords only in their own secret files.
    const elsewhere = scanFiles(result.dir, new Map(), (f) => f.includes('/secrets/')).files.flatMap((f) => scanText(f, readFileSync(f, 'latin1'), new Map(), passwords));
    expect(elsewhere).toEqual([]);
  }, 120_000);

  it('the scanner finds a key in each form it looks for', () => {
    const key = Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex');
    const keys = new Map([['k1', key]]);
    for (const [form, text] of keyForms(key)) expect(scanText('t', `x ${text} y`, keys).map((l) => l.form)).toContain(form);
    expect(scanText('t', `<Buffer ${key.toString('hex').slice(0, 24).replace(/(..)(?!$)/g, '$1 ')} ...>`, keys)).toHaveLength(1);
  });
});

function readPasswords(dir: string): Array<[string, string]> {
  return ['r1', 'r2', 'r3', 'r4'].map((d) => [`password of ${d}`, readFileSync(join(dir, 'secrets', d), 'utf8').trim()]);
}
