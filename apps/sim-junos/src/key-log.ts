// The key log: needles for leak scanners. Only when asked (`keyLog` / `--key-log FILE`), every
// CAK and key-chain secret committed to a device — pre-shared-key cak, key-chain key secret,
// fallback-key cak — is appended to FILE as one JSON line with its lower hex and the `$9$` form
// the device shows for it. The file holds key material: created 0600 (an existing one is
// narrowed to 0600, never widened), and the simulator warns loudly at start.
import { appendFileSync, closeSync, fchmodSync, fstatSync, openSync } from 'node:fs';
import type { ConfigNode } from './config-tree.js';
import { obfuscateSecret } from './secret.js';

export interface KeyLogEntry {
  at: string;
  source: 'sim-junos';
  id: string;
  hex: string;
  junos9: string;
}

export interface KeyLog {
  readonly file: string;
  /** Appends every secret of `tree` not yet logged for this device. */
  record(device: string, tree: ConfigNode, at: number): void;
}

/** Values of CAK-like leaves: `cak` (pre-shared-key, fallback-key) and `secret` (key-chain keys). */
export function secretsOf(tree: ConfigNode): string[] {
  const security = tree.children.find((c) => c.tag === 'security');
  const out: string[] = [];
  const walk = (n: ConfigNode, parent: string) => {
    if (n.value !== undefined && ((n.tag === 'cak' && (parent === 'pre-shared-key' || parent === 'fallback-key')) || (n.tag === 'secret' && parent === 'key'))) out.push(n.value);
    for (const c of n.children) walk(c, n.tag);
  };
  if (security) walk(security, '');
  return out;
}

export function openKeyLog(file: string): KeyLog {
  const fd = openSync(file, 'a', 0o600);
  try {
    if ((fstatSync(fd).mode & 0o077) !== 0) fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
  const logged = new Map<string, Set<string>>();
  return {
    file,
    record(device, tree, at) {
      const seen = logged.get(device) ?? new Set<string>();
      logged.set(device, seen);
      const lines: string[] = [];
      for (const value of secretsOf(tree)) {
        const hex = value.toLowerCase();
        if (!/^[0-9a-f]+$/.test(hex) || seen.has(hex)) continue;
        seen.add(hex);
        const entry: KeyLogEntry = { at: new Date(at).toISOString(), source: 'sim-junos', id: device, hex, junos9: obfuscateSecret(value) };
        lines.push(JSON.stringify(entry));
      }
      if (lines.length) appendFileSync(file, lines.join('\n') + '\n', { mode: 0o600 });
    },
  };
}
