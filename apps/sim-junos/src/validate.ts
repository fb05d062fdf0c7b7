// What a load and `commit check` refuse in the modelled hierarchies, with Junos-style paths
// (error-path, bad-element, message). Messages never quote a CAK or secret.
import { activeTree, findChild, getPath, leafValue, type ConfigNode } from './config-tree.js';
import type { PlatformFamily } from './platform.js';
import { memoize } from './memo.js';
import { checkMustRules } from './validate-must.js';
import { checkTypes, isEncrypted } from './validate-types.js';

export interface ConfigIssue {
  severity: 'error' | 'warning';
  /** `[edit …]` hierarchy words. */
  path: string[];
  badElement?: string;
  message: string;
}

const START_TIME = /^(\d{4})-(\d{2})-(\d{2})\.(\d{2}):(\d{2})(?::(\d{2}))?(?:\s+([+-])(\d{2}):?(\d{2}))?$/;

/** Junos key-chain start-time ("YYYY-MM-DD.HH:MM:SS", optional "+HHMM" as Junos shows it) →
 *  epoch ms; device time zone is UTC. Undefined when the text is not a valid start-time. */
export const parseStartTime: (text: string) => number | undefined = memoize(1 << 14, readStartTime);

/** Every key's start-time is read by the load, the commit check and the link model, in each new
 *  tree: remembered (bounded), as the same few values come back tree after tree. */
function readStartTime(text: string): number | undefined {
  const m = START_TIME.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(ms);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  const offset = m[7] ? (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) : 0;
  return ms - offset * 60_000;
}

const isHex = (s: string) => /^[0-9a-fA-F]+$/.test(s);
const CIPHER_CAK_HEX: Record<string, number> = {
  'gcm-aes-128': 32,
  'gcm-aes-xpn-128': 32,
  'gcm-aes-256': 64,
  'gcm-aes-xpn-256': 64,
};

// The CKN's format is its YANG type (validate-types.ts); MACsec needs it present.
function checkCkn(value: string | undefined, path: string[], element: string, out: ConfigIssue[]): void {
  if (value === undefined) out.push({ severity: 'error', path, badElement: element, message: `${element} must be set` });
}

// The YANG types a CAK as 1..64 hex digits; MACsec needs a 128- or 256-bit key that fits the
// cipher-suite (Juniper, "cak": 32 hex digits for the 128-bit suites, 64 for the 256-bit ones).
function checkCak(value: string | undefined, path: string[], element: string, hexLen: number | undefined, out: ConfigIssue[]): void {
  if (value === undefined) out.push({ severity: 'error', path, badElement: element, message: `${element} must be set` });
  else if (isEncrypted(value)) return; // a real device's $9$: its length cannot be checked
  else if (!isHex(value) || (value.length !== 32 && value.length !== 64))
    out.push({ severity: 'error', path, badElement: element, message: `${element} must be 32 or 64 hexadecimal digits` });
  else if (hexLen !== undefined && value.length !== hexLen)
    out.push({ severity: 'error', path, badElement: element, message: `${element} must be ${hexLen} hexadecimal digits for the configured cipher-suite` });
}

/** Checks that need no cross-reference (the YANG value types, the start-time format); run at load
 *  time so bad input never reaches the candidate, as Junos refuses it at load. */
export function checkSyntax(tree: ConfigNode, family: PlatformFamily = 'junos'): ConfigIssue[] {
  const out = checkTypes(tree, family);
  const chains = getPath(tree, 'security', 'authentication-key-chains');
  for (const chain of chains?.children.filter((c) => c.tag === 'key-chain') ?? []) {
    for (const key of chain.children) {
      if (key.tag !== 'key') continue;
      const st = leafValue(key, 'start-time');
      if (st !== undefined && parseStartTime(st) === undefined)
        out.push({ severity: 'error', path: ['security', 'authentication-key-chains', 'key-chain', chain.name ?? '', 'key', key.name ?? ''], badElement: 'start-time', message: 'start-time must be YYYY-MM-DD.HH:MM[:SS]' });
    }
  }
  return out;
}

/** What a caller already computed for the same tree, so checkCommit does not redo it: the result
 *  of checkSyntax (a load ran it on this very tree) and activeTree. */
export interface KnownResults {
  syntax?: readonly ConfigIssue[];
  active?: ConfigNode;
}

/** Everything `commit check` verifies: the syntax above, the YANG's `junos:must` rules, and what
 *  MACsec itself needs of its keys (a CAK that fits the cipher-suite, a key-chain key with a
 *  key-name, a hex secret and a start-time). */
export function checkCommit(fullTree: ConfigNode, family: PlatformFamily = 'junos', known: KnownResults = {}): ConfigIssue[] {
  const out = known.syntax ? [...known.syntax] : checkSyntax(fullTree, family);
  const tree = known.active ?? activeTree(fullTree); // inactive statements are not checked for meaning, as on Junos
  out.push(...checkMustRules(tree));
  const macsec = getPath(tree, 'security', 'macsec');
  const chains = getPath(tree, 'security', 'authentication-key-chains');
  for (const ca of macsec?.children.filter((c) => c.tag === 'connectivity-association') ?? []) {
    const path = ['security', 'macsec', 'connectivity-association', ca.name ?? ''];
    const suite = leafValue(ca, 'cipher-suite');
    const hexLen = suite ? CIPHER_CAK_HEX[suite] : undefined;
    for (const tag of ['pre-shared-key', 'fallback-key']) {
      const psk = findChild(ca, tag);
      if (!psk) continue;
      checkCkn(leafValue(psk, 'ckn'), [...path, tag], 'ckn', out);
      checkCak(leafValue(psk, 'cak'), [...path, tag], 'cak', hexLen, out);
    }
    const chainName = leafValue(ca, 'pre-shared-key-chain');
    const chain = chainName === undefined ? undefined : chains?.children.find((c) => c.tag === 'key-chain' && c.name === chainName);
    for (const key of chain?.children.filter((c) => c.tag === 'key') ?? []) {
      const kp = ['security', 'authentication-key-chains', 'key-chain', chainName!, 'key', key.name ?? ''];
      checkCkn(leafValue(key, 'key-name'), kp, 'key-name', out);
      checkCak(leafValue(key, 'secret'), kp, 'secret', hexLen, out);
      if (leafValue(key, 'start-time') === undefined) out.push({ severity: 'error', path: kp, badElement: 'start-time', message: 'start-time must be set' });
    }
  }
  return dedupe(out);
}

/** A key chain shared by two connectivity associations is checked twice; report each issue once. */
function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  if (issues.length < 2) return issues;
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path.join(' ')}|${i.badElement ?? ''}|${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
