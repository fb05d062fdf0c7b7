// Adoption: a link that already runs a key (the field script's static CAK, or the active key of a
// chain the rotator does not use) keeps it until the first rotation replaces it. init puts that
// key into the link's key chain as its active key, in the same commit that points the connectivity
// association (or the interface) at the chain, so at no instant does an end run a different CKN/CAK:
// whichever end commits first, both still run the same key.
//
// The CAK is carried in the form the device shows (`$9$…`): loading the encrypted form back is
// ordinary Junos practice (it decrypts it on load), and the rotator never decodes it. Pure: no I/O.
import { formatStartTime, parseStartTime, requiredKeyBits, type CipherSuite, type KeyChain, type KeyChainKey, type MacsecConfig } from '@qkd-macsec/macsec-config';
import type { ResolvedLink } from '../engine/config-view.js';

/** How far before now a carried key's start-time lies: in the past on any device with a sane clock. */
const CARRIED_START_BEFORE_MS = 3_600_000;

export interface CarriedKey {
  key: KeyChainKey;
  /** Where it came from, e.g. `pre-shared-key of connectivity-association CA_QKD`. */
  from: string;
}

function startMs(k: KeyChainKey): number | undefined {
  if (!k.startTime) return undefined;
  try {
    return parseStartTime(k.startTime).getTime();
  } catch {
    return undefined;
  }
}

/** The key of a chain that is active at `now`: the latest start-time not after it. */
export function activeKey(chain: KeyChain | undefined, now: Date): KeyChainKey | undefined {
  let best: KeyChainKey | undefined;
  for (const k of chain?.keys ?? []) {
    const t = startMs(k);
    if (k.inactive || t === undefined || t > now.getTime()) continue;
    if (!best || t >= startMs(best)!) best = k;
  }
  return best;
}

/**
 * The key an end of `link` runs now that its key chain lacks, or undefined. Not when the link's
 * cipher suite `suite` needs another CAK length than the running one (Junos' default suite is
 * gcm-aes-128): that key cannot work under the new suite, and the link needs a first key.
 */
export function carriedKey(link: ResolvedLink, interfaces: readonly string[], have: MacsecConfig, now: Date, suite: CipherSuite): CarriedKey | undefined {
  const caName = interfaces.map((i) => have.interfaces?.find((x) => x.name === i)?.connectivityAssociation).find((c) => c !== undefined);
  const ca = caName ? have.connectivityAssociations?.find((c) => c.name === caName) : undefined;
  if (!ca || requiredKeyBits(ca.cipherSuite ?? 'gcm-aes-128') !== requiredKeyBits(suite)) return undefined;
  let running: { keyName: string; secret: NonNullable<KeyChainKey['secret']>; from: string } | undefined;
  if (ca.preSharedKey) running = { keyName: ca.preSharedKey.ckn, secret: ca.preSharedKey.cak, from: `pre-shared-key of connectivity-association ${ca.name}` };
  else if (ca.preSharedKeyChain && ca.preSharedKeyChain !== link.keyChain) {
    const k = activeKey(have.keyChains?.find((c) => c.name === ca.preSharedKeyChain), now);
    if (k?.keyName && k.secret) running = { keyName: k.keyName, secret: k.secret, from: `key ${k.index} of key-chain ${ca.preSharedKeyChain} (connectivity-association ${ca.name})` };
  }
  if (!running) return undefined;
  const target = have.keyChains?.find((c) => c.name === link.keyChain);
  if (target?.keys.some((k) => k.keyName?.toLowerCase() === running.keyName.toLowerCase())) return undefined;
  const used = new Set((target?.keys ?? []).map((k) => k.index));
  const newest = Math.max(-1, ...used);
  let index = 0;
  for (let i = 1; i <= 64; i++) {
    const c = (newest + i) % 64;
    if (!used.has(c)) {
      index = c;
      break;
    }
  }
  // In the past, and after every key of the chain that has started, so that it is the active one.
  let start = Math.floor((now.getTime() - CARRIED_START_BEFORE_MS) / 1000) * 1000;
  for (const k of target?.keys ?? []) {
    const t = startMs(k);
    if (t !== undefined && t <= now.getTime() && t >= start) start = t + 1000;
  }
  return { key: { index, keyName: running.keyName, secret: running.secret, startTime: formatStartTime(new Date(Math.min(start, now.getTime()))) }, from: running.from };
}

/** In every carry's change line (dropCarried finds it by this). */
export const CARRY_MARK = '= the running key';

export function describeCarry(link: ResolvedLink, c: CarriedKey): string {
  return `key-chain ${link.keyChain}: key ${c.key.index} ${CARRY_MARK} (CKN ${c.key.keyName}, the ${c.from}), start-time ${c.key.startTime}: it stays active until the first rotation replaces it`;
}
