// startAgent: the site agent's HTTPS server (mutual TLS against tls.ca, tls-server.ts, then the
// coordinator check), its devices in one session pool and its SAEs' ETSI clients (the
// coordinator's Fleet and connectors, reused), the key store and the idempotency cache. Nothing
// is written to disk.
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createDevicePool } from '../../fleet/fleet.js';
import { createKmeClients } from '../../fleet/kme-clients.js';
import { deviceConnector, kmeClientFactory } from '../../fleet/connectors.js';
import type { HeldSecrets, RotatorLogger } from '../../log/index.js';
import { startMetricsServer, type MetricsServer } from '../../metrics/server.js';
import type { AgentConfig } from '../config/types.js';
import { GET_PATHS } from '../protocol/schemas.js';
import { createDeviceEndpoints } from './device-ops.js';
import { requestListener } from './http.js';
import { createIdempotencyCache } from './idempotency.js';
import { createKeyStore, inspectKeyStore, type HeldKeyInfo } from './keys.js';
import { createKmeOps } from './kme-ops.js';
import { createAgentMetrics } from './metrics.js';
import { checkSite } from './site-check.js';
import { listenMutualTls } from './tls-server.js';

export interface StartAgentOptions {
  logger: RotatorLogger;
  /** Every key the agent's KME clients receive is registered here (the log guard masks it). */
  held?: HeldSecrets;
  /** Where key bytes are copied to (keys.ts); tests pass one that keeps the Buffers to see them zeroed. */
  keyAlloc?: (size: number) => Buffer;
  /** Per-RPC NETCONF timeout (default 60 s). */
  rpcTimeoutMs?: number;
}

export interface RunningAgent {
  /** https://host:port */
  url: string;
  /** The plain-HTTP /healthz + /metrics listener, when the config has `metrics`. */
  metricsUrl?: string;
  /** The keys held now, without their bytes. */
  inspectKeys(): HeldKeyInfo[];
  /** Stops listening, zeroes every key, closes the device sessions and KME clients. */
  close(): Promise<void>;
}

export async function startAgent(config: AgentConfig, options: StartAgentOptions): Promise<RunningAgent> {
  const { logger } = options;
  const site = config.site;
  for (const w of config.warnings) logger.warn(w);
  let store: ReturnType<typeof createKeyStore>;
  const metrics = createAgentMetrics(() => store.size);
  store = createKeyStore({
    ttlSeconds: config.keyTtlSeconds,
    ...(options.keyAlloc ? { alloc: options.keyAlloc } : {}),
    onZeroed: (k, why) => {
      metrics.zeroed(why);
      logger.debug(`zeroed key ${k.keyId} (${k.sae}, tx ${k.tx}, link ${k.link}): ${why}`);
    },
  });
  const connectorOptions = { logger, ...(options.held ? { held: options.held } : {}), ...(options.rpcTimeoutMs !== undefined ? { rpcTimeoutMs: options.rpcTimeoutMs } : {}) };
  // Every device at once: the coordinator bounds what it sends by rotation.concurrency, and each
  // device has one session anyway. A lower bound here would split a site's stages into waves of
  // commits (a fixed 64 made a 100-device site's stage phase take two commit latencies).
  const pool = createDevicePool({ connectDevice: deviceConnector(config, connectorOptions), concurrency: Math.max(1, Object.keys(config.devices).length), logger });
  const kmeClients = createKmeClients(kmeClientFactory(config, connectorOptions));
  const kmeOps = createKmeOps({ site, saes: config.saes, store, kme: (sae) => kmeClients.get(sae) });
  const devices = createDeviceEndpoints({ site, devices: config.devices, pool, store });
  const health = () => ({ ok: true, site, keysHeld: store.size });

  const listener = requestListener({
    coordinator: config.coordinator,
    cache: createIdempotencyCache(),
    metrics,
    logger,
    post: {
      encKey: kmeOps.encKey,
      decKey: kmeOps.decKey,
      endTx: async (b) => ({ released: store.endTx(b.tx) }),
      ...devices,
    },
    get: {
      [GET_PATHS.health]: async () => ({ body: JSON.stringify(health()) }),
      [GET_PATHS.metrics]: async () => ({ body: await metrics.render(), contentType: metrics.contentType }),
      [GET_PATHS.check]: async (url) => ({ body: JSON.stringify(await checkSite(config, kmeClients, devices, url.searchParams.getAll('pair'))) }),
    },
  });

  let server: Server;
  try {
    server = await listenMutualTls(config, listener, metrics, logger);
  } catch (err) {
    await Promise.allSettled([pool.close(), kmeClients.close()]);
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  let metricsServer: MetricsServer | undefined;
  if (config.metrics) {
    metricsServer = await startMetricsServer({ ...config.metrics, metrics, health: { report: () => ({ healthy: true, body: health() }) } });
  }
  const url = `https://${host}:${port}`;
  logger.info(`agent ${site} listening on ${url} (${Object.keys(config.devices).length} devices, ${Object.keys(config.saes).length} SAEs; keys held in memory only, ${config.keyTtlSeconds} s at most)`);
  return {
    url,
    ...(metricsServer ? { metricsUrl: metricsServer.url } : {}),
    inspectKeys: () => inspectKeyStore(store),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      store.close();
      await metricsServer?.close();
      await Promise.allSettled([pool.close(), kmeClients.close()]);
    },
  };
}
