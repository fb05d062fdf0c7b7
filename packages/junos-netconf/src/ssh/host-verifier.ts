import { readFileSync } from 'node:fs';
import { ConnectionError, HostKeyError, type HostKeyErrorReason } from '../errors.js';
import { normalizeFingerprint, sha256Fingerprint } from './fingerprint.js';
import { entryMatches, knownHostsName, parseKnownHosts, type KnownHostEntry } from './known-hosts.js';

export interface HostKeyPolicy {
  /** Path(s) of OpenSSH known_hosts files (hashed `|1|` entries and `[host]:port` supported). */
  knownHostsFile?: string | string[];
  /** known_hosts content given inline. */
  knownHosts?: string;
  /** Pinned host key fingerprints, "SHA256:…" as printed by `ssh-keygen -lf`. */
  hostKeyFingerprints?: string[];
  /**
   * INSECURE: accept a host that has no entry at all (a mismatching or revoked key is still
   * refused). For labs only; every connection using it logs a warning.
   */
  insecureAcceptUnknownHostKey?: boolean;
}

export interface HostKeyCheck {
  ok: boolean;
  fingerprint: string;
  error?: HostKeyError;
  /** True when accepted only because of insecureAcceptUnknownHostKey. */
  insecure?: boolean;
}

/**
 * Build the check for one host. known_hosts files are read now, so a missing file is an
 * error at connect time rather than a silent "unknown host".
 */
export function createHostKeyCheck(policy: HostKeyPolicy, host: string, port: number): (keyBlob: Buffer) => HostKeyCheck {
  const name = knownHostsName(host, port);
  const files = policy.knownHostsFile === undefined ? [] : Array.isArray(policy.knownHostsFile) ? policy.knownHostsFile : [policy.knownHostsFile];
  const entries: KnownHostEntry[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConnectionError(`cannot read known_hosts file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { host: name, cause: err });
    }
    entries.push(...parseKnownHosts(text));
  }
  if (policy.knownHosts !== undefined) entries.push(...parseKnownHosts(policy.knownHosts));
  const pinned = (policy.hostKeyFingerprints ?? []).map(normalizeFingerprint);
  const forHost = entries.filter((e) => e.marker !== 'cert-authority' && entryMatches(e, name));
  const revoked = forHost.filter((e) => e.marker === 'revoked');
  const trusted = forHost.filter((e) => e.marker === undefined);
  const expected = [...new Set([...trusted.map((e) => sha256Fingerprint(e.key)), ...pinned])];

  return (keyBlob: Buffer): HostKeyCheck => {
    const fingerprint = sha256Fingerprint(keyBlob);
    if (revoked.some((e) => e.key.equals(keyBlob))) {
      return { ok: false, fingerprint, error: hostKeyError('revoked', name, fingerprint, expected) };
    }
    if (trusted.some((e) => e.key.equals(keyBlob)) || pinned.includes(fingerprint)) return { ok: true, fingerprint };
    if (expected.length > 0) return { ok: false, fingerprint, error: hostKeyError('mismatch', name, fingerprint, expected) };
    if (policy.insecureAcceptUnknownHostKey === true) return { ok: true, fingerprint, insecure: true };
    return { ok: false, fingerprint, error: hostKeyError('unknown', name, fingerprint, []) };
  };
}

function hostKeyError(reason: HostKeyErrorReason, host: string, seen: string, expected: string[]): HostKeyError {
  const message =
    reason === 'unknown'
      ? `host key for ${host} is unknown (${seen}); add it to known_hosts or pin its fingerprint (insecureAcceptUnknownHostKey accepts it without checking)`
      : reason === 'revoked'
        ? `host key for ${host} (${seen}) is marked @revoked in known_hosts`
        : `HOST KEY MISMATCH for ${host}: server presented ${seen}, expected ${expected.join(' or ')}`;
  return new HostKeyError(message, { reason, host, seen, expected });
}
