// Steps 1–2 of the protocol for one link, wherever its SAEs are. The master SAE asks its KME for
// exactly the CAK's bits (naming every other slave SAE as an additional slave), each slave SAE
// fetches the same key_ID from its own KME, and every copy must be the same key. An SAE reached
// directly speaks through the coordinator's ETSI client (the key comes here; the client registers
// it with the held-value guard); an SAE at a site speaks through its agent (encKey/decKey), which
// keeps the key and answers with its key_ID, CKN, size and check value. Two copies held here are
// compared by their bytes, any other pair by keyCheckValue; an agent's CKN must be the one the
// coordinator derives from the key_ID (key-copies.ts). A device's CAK is the Secret when the
// device is reached directly, a reference its agent resolves otherwise (agent/protocol/refs.ts).
// The fetch itself: fetch-link.ts; this is the source the fleet asks, and what it releases.
import type { QkdClient } from '@qkd-macsec/etsi-qkd-client';
import type { EngineConfig } from '../engine/config-view.js';
import { describeError } from '../engine/device-ops.js';
import { fetchLinkKey, type LinkFetchDeps } from './fetch-link.js';
import { createDirectKmes } from './kme-batch.js';
import { createKmeClients } from './kme-clients.js';
import type { Limiter } from './limit.js';
import type { AgentClient, AgentDirectory, KeySource } from './ops.js';
import { allDirect } from './placement.js';

export { KeyFetchError } from './key-fetch-error.js';

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

export function createKeySource(options: KeySourceOptions): ClosableKeySource {
  const { config, agents } = options;
  const clients = createKmeClients(options.kmeClientFor);
  // The agents each transaction asked for a key: release() tells each of them to zero its keys.
  const involved = new Map<string, Set<AgentClient>>();
  const limit: Limiter = options.kmeLimit ?? ((fn) => fn());
  const deps: LinkFetchDeps = {
    config,
    agents,
    // Direct SAEs: requests of links with the same SAEs that wait at the same time are batched (kme-batch.ts).
    kmes: createDirectKmes((sae) => clients.get(sae), limit),
    agentFor(sae, tx) {
      const a = agents?.forSae(sae);
      if (a) (involved.get(tx) ?? involved.set(tx, new Set()).get(tx)!).add(a);
      return a;
    },
  };

  return {
    // A link of direct SAEs is limited per KME request (batched); one with an agent per link.
    fetch: (link, o) => (allDirect(link, agents) ? fetchLinkKey(deps, link, o) : limit(() => fetchLinkKey(deps, link, o))),
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
