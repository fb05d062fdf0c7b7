import { execFileSync, spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateHostKey } from '../testing/netconf-server.js';
import { normalizeFingerprint, sha256Fingerprint } from './fingerprint.js';
import { createHostKeyCheck } from './host-verifier.js';
import { entryMatches, knownHostsName, parseKnownHosts } from './known-hosts.js';

const keyA = generateHostKey();
const keyB = generateHostKey();
const hasSshKeygen = spawnSync('ssh-keygen', ['-?']).error === undefined;
const blob = (k: { publicKey: string }): Buffer => Buffer.from(k.publicKey.split(' ')[1]!, 'base64');
const pub = (k: { publicKey: string }): string => k.publicKey.split(' ').slice(0, 2).join(' ');

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('known_hosts', () => {
  it('parses plain, [host]:port, hashed, marker and comment lines, skipping junk', () => {
    const text = [
      '# comment',
      '',
      `r1.lab,10.0.0.1 ${pub(keyA)} comment here`,
      `[r2.lab]:830 ${pub(keyA)}`,
      `${hashed('[r3.lab]:830')} ${pub(keyB)}`,
      `@revoked * ${pub(keyB)}`,
      'garbage-line-with-no-key',
      `r4 ssh-ed25519 !!notbase64!!`,
    ].join('\n');
    const entries = parseKnownHosts(text);
    expect(entries.map((e) => e.line)).toEqual([3, 4, 5, 6]);
    expect(entries[3]!.marker).toBe('revoked');
    expect(entryMatches(entries[0]!, '10.0.0.1')).toBe(true);
    expect(entryMatches(entries[1]!, knownHostsName('r2.lab', 830))).toBe(true);
    expect(entryMatches(entries[1]!, knownHostsName('r2.lab', 22))).toBe(false);
    expect(entryMatches(entries[2]!, '[r3.lab]:830')).toBe(true);
    expect(entryMatches(entries[2]!, '[r3.lab]:831')).toBe(false);
  });

  it('honours wildcards and negation', () => {
    const [e] = parseKnownHosts(`*.lab,!bad.lab ${pub(keyA)}`);
    expect(entryMatches(e!, 'r1.lab')).toBe(true);
    expect(entryMatches(e!, 'bad.lab')).toBe(false);
    expect(entryMatches(e!, 'r1.prod')).toBe(false);
  });
});

describe('host key check', () => {
  it('accepts the known key, refuses another key for the same host naming both fingerprints', () => {
    const check = createHostKeyCheck({ knownHosts: `${hashed('[r1]:830')} ${pub(keyA)}` }, 'r1', 830);
    expect(check(blob(keyA))).toMatchObject({ ok: true, fingerprint: keyA.fingerprint });
    const bad = check(blob(keyB));
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatchObject({ name: 'HostKeyError', reason: 'mismatch', host: '[r1]:830', seen: keyB.fingerprint, expected: [keyA.fingerprint] });
    expect(bad.error!.message).toContain(keyA.fingerprint);
    expect(bad.error!.message).toContain(keyB.fingerprint);
  });

  it('refuses an unknown host unless insecureAcceptUnknownHostKey, and never accepts a mismatch with it', () => {
    expect(createHostKeyCheck({}, 'r9', 830)(blob(keyA)).error).toMatchObject({ reason: 'unknown' });
    expect(createHostKeyCheck({ insecureAcceptUnknownHostKey: true }, 'r9', 830)(blob(keyA))).toMatchObject({ ok: true, insecure: true });
    const pinnedB = createHostKeyCheck({ hostKeyFingerprints: [keyB.fingerprint], insecureAcceptUnknownHostKey: true }, 'r9', 830);
    expect(pinnedB(blob(keyA)).error).toMatchObject({ reason: 'mismatch' });
  });

  it('accepts a pinned fingerprint and refuses a revoked key', () => {
    expect(createHostKeyCheck({ hostKeyFingerprints: [`${keyA.fingerprint}=`] }, 'r1', 830)(blob(keyA)).ok).toBe(true);
    const revoked = createHostKeyCheck({ knownHosts: `r1 ${pub(keyA)}\n@revoked r1 ${pub(keyA)}` }, 'r1', 22);
    expect(revoked(blob(keyA)).error).toMatchObject({ reason: 'revoked' });
  });

  it('fails loudly on a missing known_hosts file and a malformed fingerprint', () => {
    expect(() => createHostKeyCheck({ knownHostsFile: '/nonexistent/known_hosts' }, 'r1', 830)).toThrow(/cannot read known_hosts file \/nonexistent\/known_hosts: ENOENT/);
    expect(() => normalizeFingerprint('MD5:aa:bb')).toThrow(/not an OpenSSH SHA256 fingerprint/);
  });

  it('computes the OpenSSH SHA256 fingerprint format', () => {
    expect(sha256Fingerprint(Buffer.from('x'))).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  // OpenSSH itself as the oracle: the fingerprint ssh-keygen prints, and the |1| entries it hashes.
  it.skipIf(!hasSshKeygen)('agrees with ssh-keygen on fingerprints and hashed known_hosts entries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kh-keygen-'));
    try {
      const file = join(dir, 'known_hosts');
      writeFileSync(file, `[r5.lab]:830 ${pub(keyA)}\nr6.lab ${pub(keyB)}\n`);
      const listed = execFileSync('ssh-keygen', ['-l', '-f', file], { encoding: 'utf8' });
      expect(listed).toContain(sha256Fingerprint(blob(keyA)));
      expect(listed).toContain(sha256Fingerprint(blob(keyB)));
      execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'pipe' });
      const entries = parseKnownHosts(readFileSync(file, 'utf8'));
      expect(entries.map((e) => e.patterns[0]!.startsWith('|1|'))).toEqual([true, true]);
      expect(entryMatches(entries[0]!, knownHostsName('r5.lab', 830))).toBe(true);
      expect(entryMatches(entries[0]!, knownHostsName('r5.lab', 22))).toBe(false);
      expect(entryMatches(entries[1]!, knownHostsName('r6.lab', 22))).toBe(true);
      expect(createHostKeyCheck({ knownHostsFile: file }, 'r5.lab', 830)(blob(keyA)).ok).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
