import { createHmac, timingSafeEqual } from 'node:crypto';

/** One usable line of a known_hosts file. */
export interface KnownHostEntry {
  marker?: 'revoked' | 'cert-authority';
  /** Host patterns as written (or one hashed `|1|salt|hash` entry). */
  patterns: string[];
  keyType: string;
  /** Decoded public key blob (SSH wire format). */
  key: Buffer;
  /** 1-based line number, for messages. */
  line: number;
}

/**
 * Parse known_hosts text. Comments, blank lines and lines that are not host-key lines are
 * skipped (OpenSSH does the same), so one odd line cannot lock a user out of every host.
 */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((rawLine, idx) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') {
      marker = fields[0] === '@revoked' ? 'revoked' : 'cert-authority';
      fields.shift();
    }
    const [hosts, keyType, keyB64] = fields;
    if (!hosts || !keyType || !keyB64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(keyB64)) return;
    const key = Buffer.from(keyB64, 'base64');
    if (key.length === 0) return;
    entries.push({ ...(marker ? { marker } : {}), patterns: hosts.split(','), keyType, key, line: idx + 1 });
  });
  return entries;
}

/** The name OpenSSH looks up: "host" on port 22, "[host]:port" otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function matchHashed(pattern: string, name: string): boolean {
  const parts = pattern.split('|'); // ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2]!, 'base64');
  const expected = Buffer.from(parts[3]!, 'base64');
  const actual = createHmac('sha1', salt).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function wildcardToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

function matchPattern(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) return matchHashed(pattern, name);
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern.toLowerCase() === name.toLowerCase();
  return wildcardToRegExp(pattern).test(name);
}

/** Does an entry's pattern list match this host name? A negated (!pattern) match wins over any other. */
export function entryMatches(entry: KnownHostEntry, name: string): boolean {
  let matched = false;
  for (const p of entry.patterns) {
    if (p.startsWith('!')) {
      if (matchPattern(p.slice(1), name)) return false;
    } else if (matchPattern(p, name)) {
      matched = true;
    }
  }
  return matched;
}
