// What `commit check` refuses in the MACsec statements, with Junos-style paths. Messages never
// quote a CAK or secret.
import { activeTree, findChild, getPath, leafValue, type ConfigNode } from './config-tree.js';

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
export function parseStartTime(text: string): number | undefined {
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

function checkCkn(value: string | undefined, path: string[], element: string, out: ConfigIssue[]): void {
  if (value === undefined) out.push({ severity: 'error', path, badElement: element, message: `${element} must be set` });
  else if (!isHex(value) || value.length % 2 !== 0 || value.length < 2 || value.length > 64)
    out.push({ severity: 'error', path, badElement: element, message: `${element} must be an even number (2..64) of hexadecimal digits` });
}

function checkCak(value: string | undefined, path: string[], element: string, hexLen: number | undefined, out: ConfigIssue[]): void {
  if (value === undefined) out.push({ severity: 'error', path, badElement: element, message: `${element} must be set` });
  else if (!isHex(value) || (value.length !== 32 && value.length !== 64))
    out.push({ severity: 'error', path, badElement: element, message: `${element} must be 32 or 64 hexadecimal digits` });
  else if (hexLen !== undefined && value.length !== hexLen)
    out.push({ severity: 'error', path, badElement: element, message: `${element} must be ${hexLen} hexadecimal digits for the configured cipher-suite` });
}

/** Checks that need no cross-reference; run at load time so bad input never reaches the candidate. */
export function checkSyntax(tree: ConfigNode): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const chains = getPath(tree, 'security', 'authentication-key-chains');
  for (const chain of chains?.children.filter((c) => c.tag === 'key-chain') ?? []) {
    for (const key of chain.children.filter((c) => c.tag === 'key')) {
      const path = ['security', 'authentication-key-chains', 'key-chain', chain.name ?? ''];
      if (!/^\d+$/.test(key.name ?? '') || Number(key.name) > 63)
        out.push({ severity: 'error', path, badElement: key.name ?? 'key', message: 'key index must be an integer 0..63' });
      const st = leafValue(key, 'start-time');
      if (st !== undefined && parseStartTime(st) === undefined)
        out.push({ severity: 'error', path: [...path, 'key', key.name ?? ''], badElement: 'start-time', message: 'start-time must be YYYY-MM-DD.HH:MM:SS' });
    }
  }
  return out;
}

/** Everything `commit check` verifies. */
export function checkCommit(fullTree: ConfigNode): ConfigIssue[] {
  const out = checkSyntax(fullTree);
  const tree = activeTree(fullTree); // inactive statements are not checked for meaning, as on Junos
  const macsec = getPath(tree, 'security', 'macsec');
  const chains = getPath(tree, 'security', 'authentication-key-chains');
  for (const ca of macsec?.children.filter((c) => c.tag === 'connectivity-association') ?? []) {
    const path = ['security', 'macsec', 'connectivity-association', ca.name ?? ''];
    const suite = leafValue(ca, 'cipher-suite');
    const hexLen = suite ? CIPHER_CAK_HEX[suite] : undefined;
    if (suite && hexLen === undefined) out.push({ severity: 'error', path, badElement: suite, message: 'unknown cipher-suite' });
    const psk = findChild(ca, 'pre-shared-key');
    const chainName = leafValue(ca, 'pre-shared-key-chain');
    if (psk && chainName !== undefined)
      out.push({ severity: 'error', path, badElement: 'pre-shared-key-chain', message: 'pre-shared-key and pre-shared-key-chain are mutually exclusive' });
    if (psk) {
      checkCkn(leafValue(psk, 'ckn'), [...path, 'pre-shared-key'], 'ckn', out);
      checkCak(leafValue(psk, 'cak'), [...path, 'pre-shared-key'], 'cak', hexLen, out);
    }
    const fallback = findChild(ca, 'fallback-key');
    if (fallback) {
      checkCkn(leafValue(fallback, 'ckn'), [...path, 'fallback-key'], 'ckn', out);
      checkCak(leafValue(fallback, 'cak'), [...path, 'fallback-key'], 'cak', hexLen, out);
    }
    if (chainName !== undefined && !chains?.children.some((c) => c.tag === 'key-chain' && c.name === chainName))
      out.push({ severity: 'error', path, badElement: chainName, message: `key-chain ${chainName} is not defined` });
    if (chainName !== undefined) {
      const chain = chains?.children.find((c) => c.tag === 'key-chain' && c.name === chainName);
      for (const key of chain?.children.filter((c) => c.tag === 'key') ?? []) {
        const secret = leafValue(key, 'secret');
        if (hexLen !== undefined && secret !== undefined && isHex(secret) && secret.length !== hexLen)
          out.push({ severity: 'error', path: ['security', 'authentication-key-chains', 'key-chain', chainName, 'key', key.name ?? ''], badElement: 'secret', message: `secret must be ${hexLen} hexadecimal digits for cipher-suite ${suite}` });
      }
    }
  }
  for (const chain of chains?.children.filter((c) => c.tag === 'key-chain') ?? []) {
    for (const key of chain.children.filter((c) => c.tag === 'key')) {
      const path = ['security', 'authentication-key-chains', 'key-chain', chain.name ?? '', 'key', key.name ?? ''];
      checkCkn(leafValue(key, 'key-name'), path, 'key-name', out);
      checkCak(leafValue(key, 'secret'), path, 'secret', undefined, out);
      if (leafValue(key, 'start-time') === undefined) out.push({ severity: 'error', path, badElement: 'start-time', message: 'start-time must be set' });
    }
  }
  for (const itf of macsec?.children.filter((c) => c.tag === 'interfaces') ?? []) {
    const ca = leafValue(itf, 'connectivity-association');
    const path = ['security', 'macsec', 'interfaces', itf.name ?? ''];
    if (ca === undefined) out.push({ severity: 'error', path, badElement: 'connectivity-association', message: 'connectivity-association must be set' });
    else if (!macsec?.children.some((c) => c.tag === 'connectivity-association' && c.name === ca))
      out.push({ severity: 'error', path, badElement: ca, message: `connectivity-association ${ca} is not defined` });
  }
  return out;
}
