// One ETSI 014 client per SAE, created on first use and kept (its keep-alive mTLS connections
// are what makes a large fleet's fetches fast); close() closes them all.
import type { QkdClient } from '@qkd-macsec/etsi-qkd-client';

export interface KmeClients {
  get(sae: string): QkdClient;
  close(): Promise<void>;
}

export function createKmeClients(kmeClientFor: (sae: string) => QkdClient): KmeClients {
  const clients = new Map<string, QkdClient>();
  return {
    get(sae) {
      let c = clients.get(sae);
      if (!c) clients.set(sae, (c = kmeClientFor(sae)));
      return c;
    },
    async close() {
      await Promise.allSettled([...clients.values()].map((c) => c.close()));
      clients.clear();
    },
  };
}
