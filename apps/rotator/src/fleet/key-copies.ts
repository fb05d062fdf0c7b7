// The copies of one link's key, one per SAE, and the checks that they are the same key: two
// copies held here are compared by their bytes, any other pair by keyCheckValue; an agent's copy
// must have the size the suite needs and the CKN the coordinator derives from the key_ID.
import { timingSafeEqual } from 'node:crypto';
import type { QkdKey } from '@qkd-macsec/etsi-qkd-client';
import { keyCheckValue } from '../agent/protocol/check-value.js';
import type { ResolvedLink } from '../engine/config-view.js';
import { KeyFetchError, type FetchContext } from './key-fetch-error.js';
import type { AgentClient, AgentKeyInfo } from './ops.js';

/** One copy of the key: its bytes when the coordinator holds it, else what its agent says of it. */
export type Copy = { sae: string; keyId: string; bits: number } & ({ bytes: Uint8Array; wipe(): void } | { agent: AgentClient; info: AgentKeyInfo });

/** A copy the coordinator's ETSI client fetched. */
export function directCopy(sae: string, k: QkdKey): Copy {
  return { sae, keyId: k.keyId, bits: k.bits, bytes: k.bytes, wipe: () => k.wipe() };
}

/** A slave's copy: the master's key_ID and size, the same key, and (an agent's) the size and CKN. */
export function checkSlaveCopy(link: ResolvedLink, copy: Copy, master: Copy, bits: number, ckn: string, kmeOf: (sae: string) => string, ctx: FetchContext): void {
  const sae = copy.sae;
  const keyId = master.keyId;
  if (copy.keyId !== keyId || copy.bits !== master.bits) {
    throw new KeyFetchError(`link ${link.name}: ${kmeOf(sae)} returned key ${copy.keyId} of ${copy.bits} bits for key ${keyId} of ${master.bits} bits`, ctx(sae, keyId));
  }
  checkAgentCopy(link, copy, master, bits, ckn, kmeOf, ctx);
  if (!sameKey(copy, master)) {
    throw new KeyFetchError(`link ${link.name}: the key ${keyId} delivered to ${sae} by ${kmeOf(sae)} differs from the master's copy`, ctx(sae, keyId));
  }
}

/** An agent's copy: the size the suite needs, and the CKN the coordinator derives from the key_ID. */
export function checkAgentCopy(link: ResolvedLink, c: Copy, master: Copy, bits: number, ckn: string, kmeOf: (sae: string) => string, ctx: FetchContext): void {
  if (!('info' in c)) return;
  const where = `site ${c.agent.site}'s agent (${c.sae})`;
  if (c.bits !== bits) throw new KeyFetchError(`link ${link.name}: ${where} reports key ${c.keyId} of ${c.bits} bits; the cipher suite needs ${bits}`, ctx(c.sae, master.keyId));
  if (c.info.ckn.toLowerCase() !== ckn) {
    throw new KeyFetchError(`link ${link.name}: ${where} derived CKN ${c.info.ckn} for key ${c.keyId}, the coordinator ${ckn} (rotation.ckn differs between them?); refusing the key`, ctx(c.sae, master.keyId));
  }
  if (!/^[0-9a-f]{16}$/.test(c.info.check)) throw new KeyFetchError(`link ${link.name}: ${where} sent a malformed check value for key ${c.keyId} (${kmeOf(c.sae)})`, ctx(c.sae, master.keyId));
}

function checkOf(c: Copy): string {
  return 'info' in c ? c.info.check : keyCheckValue(c.bytes, c.keyId);
}

/** Two copies held here: their bytes; otherwise their check values. */
function sameKey(a: Copy, b: Copy): boolean {
  if ('bytes' in a && 'bytes' in b) return a.bytes.length === b.bytes.length && timingSafeEqual(Buffer.from(a.bytes), Buffer.from(b.bytes));
  return checkOf(a) === checkOf(b);
}
