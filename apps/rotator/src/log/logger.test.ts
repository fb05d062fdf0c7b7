import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Secret } from '@qkd-macsec/macsec-config';
import { ConfigSecret } from '../config/secret.js';
import { createLogger, linkLogger } from './logger.js';
import { createHeldSecrets, KEY_TTL_FLOOR_MS, keyTtlMsFor, REDACTED, redactHeld } from './redaction.js';

function capture() {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { stream, text: () => chunks.join('') };
}

const CAK = '0123456789abcdef'.repeat(4);

describe('logger', () => {
  it('JSON lines about a link carry link, and mask secret-named values at any depth', () => {
    const out = capture();
    const log = createLogger({ format: 'json', stream: out.stream });
    linkLogger(log, 'dc1-dc2').info('staged', { device: 'r1', nested: { cak: CAK, Password: 'hunter2hunter2', keyId: 'k-1' } });
    const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', link: 'dc1-dc2', msg: 'staged', device: 'r1', nested: { keyId: 'k-1', cak: '[redacted]', Password: '[redacted]' } });
    expect(out.text()).not.toContain(CAK);
    expect(out.text()).not.toContain('hunter2hunter2');
  });

  it('pretty lines name the link and print Secrets as [redacted], without colours off a terminal', () => {
    const out = capture();
    const log = createLogger({ stream: out.stream });
    linkLogger(log, 'grp-1').warn('stage failed', Secret.fromHex(CAK), new ConfigSecret('pw-123456789', { kind: 'env', name: 'PW' }));
    const text = out.text();
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z WARN .*\[link=grp-1\] stage failed/);
    expect(text).not.toContain(CAK);
    expect(text).not.toContain('pw-123456789');
    expect(text).not.toContain('\u001b[');
  });

  it('colours on a terminal, none with NO_COLOR set (https://no-color.org: any value but empty)', () => {
    const onTerminal = (env: Record<string, string | undefined>) => {
      const out = capture();
      Object.assign(out.stream, { isTTY: true });
      createLogger({ stream: out.stream, env }).warn('hello');
      return out.text();
    };
    expect(onTerminal({})).toContain('\u001b[');
    expect(onTerminal({ NO_COLOR: '' })).toContain('\u001b[');
    expect(onTerminal({ NO_COLOR: '1' })).not.toContain('\u001b[');
    expect(onTerminal({ NO_COLOR: '1' })).toMatch(/WARN .*hello/);
  });

  it('the redaction marker is [redacted], the same for the logger, the held-value guard and ConfigSecret', () => {
    expect(REDACTED).toBe('[redacted]');
    const out = capture();
    const held = createHeldSecrets();
    held.hold('a-password-123');
    createLogger({ format: 'json', stream: out.stream, held }).info('login a-password-123', { password: 'x', pw: new ConfigSecret('s3cret-value', { kind: 'inline' }) });
    expect(JSON.parse(out.text())).toMatchObject({ msg: 'login [redacted]', password: '[redacted]', pw: '[redacted]' });
    expect(`${new ConfigSecret('s3cret-value', { kind: 'inline' })}`).toBe('[redacted]');
  });

  it('a plain-text line about a link ("link NAME: …") gets the link field too', () => {
    const out = capture();
    createLogger({ format: 'json', stream: out.stream }).info('link dc1-dc2: key 0f58 active on r1, r2');
    expect(JSON.parse(out.text())).toMatchObject({ link: 'dc1-dc2', msg: 'link dc1-dc2: key 0f58 active on r1, r2' });
  });

  it('the level filter drops lower levels', () => {
    const out = capture();
    const log = createLogger({ format: 'json', level: 'warn', stream: out.stream });
    log.info('quiet');
    log.error('loud');
    expect(out.text()).not.toContain('quiet');
    expect(out.text()).toContain('loud');
  });

  it('the held-value guard masks registered keys in hex (any case), Base64 and inside longer hex runs', () => {
    const held = createHeldSecrets();
    const key = Buffer.from(CAK, 'hex');
    held.holdBytes(key);
    held.hold('a-password-123');
    const b64 = key.toString('base64');
    const line = `cak=${CAK.toUpperCase()} b64 ${b64} joined ${'ab'.repeat(16)}${CAK} pw "a-password-123" ckn ${'cd'.repeat(32)}`;
    const masked = redactHeld(line, held);
    expect(masked).not.toMatch(new RegExp(CAK, 'i'));
    expect(masked).not.toContain(b64);
    expect(masked).not.toContain('a-password-123');
    expect(masked).toContain('cd'.repeat(32));

    const out = capture();
    createLogger({ format: 'json', stream: out.stream, held }).info(`free text with ${CAK}`);
    expect(out.text()).not.toContain(CAK);
    expect(out.text()).toContain('[redacted]');
  });

  it('the guard finds a key in any of its spellings, and nothing that only looks like one', () => {
    const held = createHeldSecrets();
    const key = Buffer.from(CAK, 'hex');
    held.holdBytes(key);
    const unpadded = key.toString('base64').replace(/=+$/, '');
    for (const form of [CAK, CAK.toUpperCase(), key.toString('base64'), unpadded, key.toString('base64url')]) expect(held.has(form)).toBe(true);
    // A non-canonical spelling (the last character's unused bits set) still decodes to the key.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const url = key.toString('base64url');
    const loose = url.slice(0, -1) + alphabet[alphabet.indexOf(url.at(-1)!) | 1];
    expect(loose).not.toBe(url);
    expect(held.has(loose)).toBe(true);
    // Same lengths, other bytes.
    const other = Buffer.from(key).fill(0, 0, 1);
    for (const form of [other.toString('hex'), other.toString('base64'), other.toString('base64url')]) expect(held.has(form)).toBe(false);
    expect(redactHeld(`b64 ${unpadded}; other ${other.toString('base64')}`, held)).toBe(`b64 [redacted]; other ${other.toString('base64')}`);
    // A 16-byte key, as Junos' 32-digit CAKs are.
    const short = Buffer.from(CAK.slice(0, 32), 'hex');
    held.holdBytes(short);
    expect(redactHeld(`${short.toString('hex')} ${short.toString('base64')} ${short.toString('base64url')}`, held)).toBe('[redacted] [redacted] [redacted]');
  });

  it('the guard forgets a key after its time (a daemon does not collect every key it ever fetched) but never a password', () => {
    let t = 0;
    const held = createHeldSecrets({ keyTtlMs: 1000, now: () => t });
    const key = Buffer.from(CAK, 'hex');
    held.holdBytes(key);
    held.hold('a-password-123');
    t = 999;
    expect(redactHeld(`${CAK} a-password-123`, held)).toBe('[redacted] [redacted]');
    t = 1125; // kept its time, and at most an eighth more (keys expire by generation)
    expect(redactHeld(`${CAK} a-password-123`, held)).toBe(`${CAK} [redacted]`);
    // A cycle's 100 keys every second for an hour: what is held stays bounded by the TTL.
    for (let i = 0; i < 3600; i++) {
      t += 1000;
      for (let k = 0; k < 100; k++) held.holdBytes(Buffer.alloc(32, k).fill(i & 255, 0, 1).fill(i >> 8, 1, 2));
    }
    expect(held.size).toBeLessThanOrEqual(1 + 2 * 100);
    expect(held.has('a-password-123')).toBe(true);
  });

  it('keepKeysFor: keys held from then on are kept that long, keys held before keep their time', () => {
    let t = 0;
    const held = createHeldSecrets({ keyTtlMs: 10_000, now: () => t });
    const early = Buffer.alloc(32, 1);
    held.holdBytes(early); // until 10,000
    held.keepKeysFor(1000);
    expect(held.keyTtlMs).toBe(1000);
    const late = Buffer.alloc(32, 2);
    held.holdBytes(late); // until 1,000 (and at most an eighth more)
    t = 1125;
    expect(held.has(late.toString('hex'))).toBe(false);
    expect(held.has(early.toString('hex'))).toBe(true);
    expect(() => held.keepKeysFor(0)).toThrow(RangeError);
    expect(() => held.keepKeysFor(Number.NaN)).toThrow(/keepKeysFor: a time in ms above 0, got NaN/);
  });

  it('keyTtlMsFor: twice the longest transaction, never under 30 minutes', () => {
    expect(keyTtlMsFor(16)).toBe(KEY_TTL_FLOOR_MS);
    expect(KEY_TTL_FLOOR_MS).toBe(30 * 60_000);
    expect(keyTtlMsFor(3906)).toBe(7_812_000);
  });

  it('a key held again within half its time keeps its time; held again later, it is kept from then', () => {
    let t = 0;
    const held = createHeldSecrets({ keyTtlMs: 1000, now: () => t });
    const key = Buffer.from(CAK, 'hex');
    held.holdBytes(key);
    t = 400;
    held.holdBytes(key); // the other SAE's copy of the same key
    expect(held.size).toBe(1); // one digest per key, whatever form it is found in
    t = 999;
    expect(redactHeld(`${CAK} ${key.toString('base64')}`, held)).toBe('[redacted] [redacted]');
    t = 1125;
    expect(held.has(CAK)).toBe(false);
    held.holdBytes(key); // until 2125–2250
    t = 1800;
    held.holdBytes(key); // past half its time: until 2800–2925
    expect(held.size).toBe(2);
    t = 2700;
    expect(redactHeld(`${CAK.toUpperCase()} ${key.toString('base64url')}`, held)).toBe('[redacted] [redacted]');
  });
});
