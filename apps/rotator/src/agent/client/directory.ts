// Which agent stands between the coordinator and a device or an SAE: one client per site.
import type { AgentDirectory } from '../../fleet/ops.js';
import { createAgentClient, type AgentClientOptions } from './client.js';
import type { SiteConfig } from './site.js';

export function createAgentDirectory(config: { sites: Record<string, SiteConfig> }, options: AgentClientOptions): AgentDirectory {
  const clients = Object.values(config.sites).map((site) => ({ site, client: createAgentClient(site, options) }));
  const byDevice = new Map(clients.flatMap(({ site, client }) => Object.keys(site.devices).map((d) => [d, client] as const)));
  const bySae = new Map(clients.flatMap(({ site, client }) => site.saes.map((s) => [s, client] as const)));
  return {
    forDevice: (device) => byDevice.get(device),
    forSae: (sae) => bySae.get(sae),
    all: () => clients.map((c) => c.client),
    async close() {
      await Promise.allSettled(clients.map((c) => c.client.close()));
    },
  };
}
