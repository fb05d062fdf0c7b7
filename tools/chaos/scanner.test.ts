import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KeyLogEntry } from './key-log.js';
import { buildNeedles, filesUnder, scanFiles, scanText } from './scanner.js';

const key = (bytes = 32): { hex: string; b64: string; buf: Buffer } => {
  const buf = randomBytes(bytes);
  return { buf, hex: buf.toString('hex'), b64: buf.toString('base64') };
};

const k1 = key();
const k2 = key(16);
const cak = key();
const entries: KeyLogEntry[] = [
  { at: '', source: 'sim-kme', id: 'KME_A', keyId: '11111111-1111-4111-8111-111111111111', hex: k1.hex, base64: k1.b64 },
  { at: '', source: 'sim-kme', id: 'KME_B', keyId: '22222222-2222-4222-8222-222222222222', hex: k2.hex, base64: k2.b64 },
  { at: '', source: 'sim-junos', id: 'r01', hex: cak.hex, junos9: '$9$abcdEFGH.ijkl/mnop-qrstuvwxyz0123456789' },
];
const needles = buildNeedles(entries);

describe('scanText', () => {
  it('finds nothing in clean text', () => {
    const clean = `{"msg":"link p01: key 11111111-1111-4111-8111-111111111111 fetched","ckn":"${randomBytes(32).toString('hex')}"}\n`;
    expect(scanText('clean', clean, needles)).toEqual([]);
  });

  it.each([
    ['hex', `cak ${k1.hex};`, 'hex'],
    ['upper-case hex', `CAK=${k1.hex.toUpperCase()}`, 'HEX'],
    ['hex inside a longer hex run', `ff00${k1.hex}00ff`, 'hex'],
    ['the first half of a key', `secret ${k1.hex.slice(0, 32)}…`, 'hex-prefix'],
    ['base64', `"key":"${k1.b64}"`, 'base64'],
    ['base64url', `k=${k1.buf.toString('base64url')}&`, 'base64url'],
    ['a 128-bit key in base64', `key ${k2.b64}`, 'base64'],
  ])('finds %s', (_name, text, form) => {
    const leaks = scanText('file.log', `line one\n${text}\n`, needles);
    expect(leaks).toHaveLength(1);
    expect(leaks[0]).toMatchObject({ where: 'file.log', line: 2, form });
  });

  it('finds the $9$ form and names the device, never the needle', () => {
    const leaks = scanText('err', 'secret "$9$abcdEFGH.ijkl/mnop-qrstuvwxyz0123456789"; ## SECRET-DATA', needles);
    expect(leaks).toEqual([{ where: 'err', line: 1, form: 'junos9', key: 'sim-junos r01' }]);
    expect(JSON.stringify(leaks)).not.toContain('abcdEFGH');
  });

  it('does not take a different $9$ string with the same prefix for a leak', () => {
    expect(scanText('x', '$9$abcdEFGH.other', needles)).toEqual([]);
  });

  it('reports each key once per line, by its most specific form', () => {
    const leaks = scanText('x', `${k1.hex} and again ${k1.hex}\n${cak.hex.toUpperCase()}`, needles);
    expect(leaks.map((l) => [l.line, l.form, l.key])).toEqual([
      [1, 'hex', '11111111-1111-4111-8111-111111111111'],
      [2, 'HEX', 'sim-junos r01'],
    ]);
  });
});

describe('scanFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chaos-scan-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('scans every file under a directory, binary ones too', () => {
    mkdirSync(join(dir, 'state'));
    writeFileSync(join(dir, 'state', 'rotator-state.json'), '{"keyIds":{}}');
    writeFileSync(join(dir, 'daemon.stderr.log'), `ok\nok\nleaked ${k2.hex}\n`);
    writeFileSync(join(dir, 'core.bin'), Buffer.concat([Buffer.from([0, 255, 7]), Buffer.from(k1.b64), Buffer.from([0x80])]));
    const files = filesUnder(dir);
    expect(files).toHaveLength(3);
    const result = scanFiles(files, needles);
    expect(result.files).toBe(3);
    expect(result.leaks.map((l) => [l.where.slice(dir.length + 1), l.line, l.form]).sort()).toEqual([
      ['core.bin', 1, 'base64'],
      ['daemon.stderr.log', 3, 'hex'],
    ]);
  });

  it('scans a few megabytes against thousands of needles quickly enough to be useful', () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({ at: '', source: 'sim-kme' as const, id: 'KME_A', keyId: `k${i}`, hex: randomBytes(32).toString('hex') }));
    const big = buildNeedles(many);
    const line = `{"time":"2026-11-25T18:00:00.000Z","level":"info","link":"p01","msg":"key ${randomBytes(16).toString('hex')} staged on r01"}\n`;
    const text = line.repeat(20_000) + `tail ${many[2999]!.hex}`;
    const leaks = scanText('big', text, big);
    expect(leaks).toEqual([{ where: 'big', line: 20_001, form: 'hex', key: 'k2999' }]);
  });
});
