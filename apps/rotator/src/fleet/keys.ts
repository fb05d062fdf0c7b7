// Steps 1–2 of the protocol for one link, wherever its SAEs are. The master SAE asks its KME for
// exactly the CAK's bits (naming every other slave SAE as an additional slave), each slave SAE
// fetches the same key_ID from its own KME, and every copy must be the same key. An SAE reached
// directly speaks through the coordinator's ETSI client (the key comes here; the client registers
// it with the held-value guard); an SAE at a site speaks through its agent (encKey/decKey), which
// keeps the key and answers with its key_ID, CKN, size and check value. Two copies held here are
// compared by their bytes, any other pair by keyCheckValue; an agent's CKN must be the one the
// coordinator derives from the key_ID. A device's CAK is the Secret when the device is reached
// directly, a reference its agent resolves otherwise (agent/protocol/refs.ts).
import { timingSafeEqual } from 'node:crypto';
import type { QkdClient, QkdKey } from '@qkd-macsec/etsi-qkd-client';
import { deriveCknCak, requiredKeyBits, resolveStrategy, type Secret } from '@qkd-macsec/macsec-config';
import { keyCheckValue } from '../agent/protocol/check-value.js';
import { keyRef } from '../agent/protocol/refs.js';
import type { EngineConfig, ResolvedLink } from '../engine/config-view.js';
import { describeError } from '../engine/device-ops.js';
import { createDirectKmes } from './kme-batch.js';
import { createKmeClients } from './kme-clients.js';
import type { Limiter } from './limit.js';
import type { AgentClient, AgentDirectory, AgentKeyInfo, FetchedKey, FetchOptions, KeySource } from './ops.js';

export class KeyFetchError extends Error {
  override name = 'KeyFetchError';
  constructor(
    message: string,
    readonly context: { link: string; sae: string; kme: string; keyId?: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface KeySourceOptions {
  /** saes (the KME of each, for messages; `agent <site>` for a site's) and rotation.ckn. */
  config: Pick<EngineConfig, 'saes' | 'rotation'>;
  /** The coordinator's ETSI 014 client for a directly reached SAE (created once per SAE, closed by close()). */
  kmeClientFor: (sae: string) => QkdClient;
  agents?: AgentDirectory | undefined;
  /** Links fetching at once (each fetch is one enc_keys and a dec_keys per slave). Default: unbounded. */
  kmeLimit?: Limiter | undefined;
  /** Where a failed release is reported (release never throws). */
  logger?: { warn(...args: unknown[]): unknown } | undefined;
}

export interface ClosableKeySource extends KeySource {
  /** Closes the ETSI clients (the agents belong to the directory's owner). */
  close(): Promise<void>;
}

/** One copy of the key: its bytes when the coordinator holds it, else what its agent says of it. */
type Copy = { sae: string; keyId: string; bits: number } & ({ bytes: Uint8Array; wipe(): void } | { agent: AgentClient; info: AgentKeyInfo });

export function createKeySource(options: KeySourceOptions): ClosableKeySource {
  const { config, agents } = options;
  const clients = createKmeClients(options.kmeClientFor);
  const client = (sae: string): QkdClient => clients.get(sae);
  // The agents each transaction asked for a key: release() tells each of them to zero its keys.
  const involved = new Map<string, Set<AgentClient>>();
  const limit: Limiter = options.kmeLimit ?? ((fn) => fn());
  // Direct SAEs: requests of links with the same SAEs that wait at the same time are batched (kme-batch.ts).
  const kmes = createDirectKmes(client, limit);
  const kmeOf = (sae: string) => config.saes[sae]?.kme ?? '?';

  async function fetchLink(link: ResolvedLink, o: FetchOptions): Promise<FetchedKey> {
    const bits = requiredKeyBits(o.cipherSuite);
    const ctx = (sae: string, keyId?: string) => ({ link: link.name, sae, kme: kmeOf(sae), ...(keyId !== undefined ? { keyId } : {}) });
    placementCheck(link, agents, ctx);
    if (!link.slaveSaes.length) throw new KeyFetchError(`link ${link.name} has no slave SAE`, ctx(link.masterSae));
    const ckn = config.rotation.ckn;
    const strategy = resolveStrategy(ckn.strategy, ckn.strategy === 'prefix-uuid' ? ckn.prefix : undefined);
    const agentFor = (sae: string) => {
      const a = agents?.forSae(sae);
      if (a) (involved.get(o.tx) ?? involved.set(o.tx, new Set()).get(o.tx)!).add(a);
      return a;
    };
    const copies: Copy[] = [];
    try {
      // 1. enc_keys as the master SAE.
      let master: Copy;
      try {
        const a = agentFor(link.masterSae);
        if (a) {
          const info = await a.encKey({ tx: o.tx, link: link.name, masterSae: link.masterSae, slaveSaes: link.slaveSaes, cipherSuite: o.cipherSuite, ckn, kind: o.kind });
          master = { sae: link.masterSae, keyId: info.keyId, bits: info.bits, agent: a, info };
        } else {
          master = direct(link.masterSae, await kmes.enc(link.masterSae, link.slaveSaes, bits));
        }
      } catch (e) {
        throw new KeyFetchError(`link ${link.name}: enc_keys on ${kmeOf(link.masterSae)} as ${link.masterSae} for ${link.slaveSaes.join(', ')} failed: ${describeError(e)}`, ctx(link.masterSae), { cause: e });
      }
      copies.push(master);
      const keyId = master.keyId;
      const expectedCkn = strategy.ckn(keyId);
      checkAgentCopy(link, master, master, bits, expectedCkn, kmeOf, ctx);
      // 2. dec_keys of that key_ID as each slave SAE, on its own KME.
      for (const sae of link.slaveSaes) {
        let copy: Copy;
        try {
          const a = agentFor(sae);
          if (a) {
            const info = await a.decKey({ tx: o.tx, link: link.name, sae, masterSae: link.masterSae, keyId, cipherSuite: o.cipherSuite, ckn, kind: o.kind });
            copy = { sae, keyId: info.keyId, bits: info.bits, agent: a, info };
          } else {
            copy = direct(sae, await kmes.dec(sae, link.masterSae, keyId));
          }
        } catch (e) {
          throw new KeyFetchError(`link ${link.name}: dec_keys of key ${keyId} on ${kmeOf(sae)} as ${sae} failed: ${describeError(e)}`, ctx(sae, keyId), { cause: e });
        }
        copies.push(copy);
        if (copy.keyId !== keyId || copy.bits !== master.bits) {
          throw new KeyFetchError(`link ${link.name}: ${kmeOf(sae)} returned key ${copy.keyId} of ${copy.bits} bits for key ${keyId} of ${master.bits} bits`, ctx(sae, keyId));
        }
        checkAgentCopy(link, copy, master, bits, expectedCkn, kmeOf, ctx);
        if (!sameKey(copy, master)) {
          throw new KeyFetchError(`link ${link.name}: the key ${keyId} delivered to ${sae} by ${kmeOf(sae)} differs from the master's copy`, ctx(sae, keyId));
        }
      }
      // The CAK of the directly reached devices, from the coordinator's own copy (placementCheck:
      // a direct device's SAE is direct, so there is one whenever such a device is on the link).
      const held = copies.find((c): c is Copy & { bytes: Uint8Array } => 'bytes' in c);
      let cak: Secret | undefined;
      if (held) {
        const derived = deriveCknCak(held, { cipherSuite: o.cipherSuite, strategy });
        cak = derived.cak;
      }
      return {
        keyId,
        ckn: expectedCkn,
        bits: master.bits,
        cakFor(device: string): Secret {
          if (agents?.forDevice(device)) return keyRef(keyId);
          if (!cak) throw new KeyFetchError(`link ${link.name}: device ${device} is reached directly but key ${keyId} is held only by site agents`, ctx(link.masterSae, keyId));
          return cak;
        },
      };
    } finally {
      for (const c of copies) if ('wipe' in c) c.wipe();
    }
  }

  return {
    // A link of direct SAEs is limited per KME request (batched); one with an agent per link.
    fetch: (link, o) => (allDirect(link, agents) ? fetchLink(link, o) : limit(() => fetchLink(link, o))),
    async release(tx) {
      const list = involved.get(tx);
      involved.delete(tx);
      if (!list) return;
      await Promise.all(
        [...list].map((a) =>
          a.endTx(tx).catch((e: unknown) => {
            // The agent zeroes the keys anyway when their time is up (keyTtlSeconds).
            options.logger?.warn(`site ${a.site}: ending transaction ${tx} failed: ${describeError(e)}; the agent drops its keys when they expire`);
          }),
        ),
      );
    },
    async close() {
      await clients.close();
    },
  };
}

function allDirect(link: ResolvedLink, agents: AgentDirectory | undefined): boolean {
  return !agents || (!agents.forSae(link.masterSae) && link.slaveSaes.every((s) => !agents.forSae(s)));
}

function direct(sae: string, k: QkdKey): Copy {
  return { sae, keyId: k.keyId, bits: k.bits, bytes: k.bytes, wipe: () => k.wipe() };
}

function checkOf(c: Copy): string {
  return 'info' in c ? c.info.check : keyCheckValue(c.bytes, c.keyId);
}

/** Two copies held here: their bytes; otherwise their check values. */
function sameKey(a: Copy, b: Copy): boolean {
  if ('bytes' in a && 'bytes' in b) return a.bytes.length === b.bytes.length && timingSafeEqual(Buffer.from(a.bytes), Buffer.from(b.bytes));
  return checkOf(a) === checkOf(b);
}

/** An agent's copy: the size the suite needs, and the CKN the coordinator derives from the key_ID. */
function checkAgentCopy(link: ResolvedLink, c: Copy, master: Copy, bits: number, ckn: string, kmeOf: (sae: string) => string, ctx: (sae: string, keyId?: string) => KeyFetchError['context']): void {
  if (!('info' in c)) return;
  const where = `site ${c.agent.site}'s agent (${c.sae})`;
  if (c.bits !== bits) throw new KeyFetchError(`link ${link.name}: ${where} reports key ${c.keyId} of ${c.bits} bits; the cipher suite needs ${bits}`, ctx(c.sae, master.keyId));
  if (c.info.ckn.toLowerCase() !== ckn) {
    throw new KeyFetchError(`link ${link.name}: ${where} derived CKN ${c.info.ckn} for key ${c.keyId}, the coordinator ${ckn} (rotation.ckn differs between them?); refusing the key`, ctx(c.sae, master.keyId));
  }
  if (!/^[0-9a-f]{16}$/.test(c.info.check)) throw new KeyFetchError(`link ${link.name}: ${where} sent a malformed check value for key ${c.keyId} (${kmeOf(c.sae)})`, ctx(c.sae, master.keyId));
}

/**
 * Before any key is spent: every end's device and SAE must be reached the same way. A direct
 * device needs the key here (its SAE direct); a device at a site needs it at that site's agent.
 */
function placementCheck(link: ResolvedLink, agents: AgentDirectory | undefined, ctx: (sae: string) => KeyFetchError['context']): void {
  for (const e of link.ends) {
    const dev = agents?.forDevice(e.device);
    const sae = agents?.forSae(e.sae);
    if (dev?.site === sae?.site) continue;
    const how = (a: AgentClient | undefined) => (a ? `behind site ${a.site}'s agent` : 'reached directly');
    throw new KeyFetchError(
      `link ${link.name}: device ${e.device} is ${how(dev)} but its SAE ${e.sae} is ${how(sae)}: the key would have to cross between them; put both at one site (or both direct)`,
      ctx(e.sae),
    );
  }
}
