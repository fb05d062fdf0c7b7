// The resolved agent configuration: absolute paths, secrets read, defaults filled in.
import type { DeviceConfig, KmeConfig, MetricsConfig, SaeConfig } from '../../config/types.js';

export type CoordinatorIdentity = { name: string } | { fingerprints: string[] };

export interface AgentConfig {
  /** Absolute path of the file this was loaded from. */
  file: string;
  site: string;
  listen: { host: string; port: number };
  /** The agent's server certificate and key, and the CA its coordinator's client certificate must chain to. */
  tls: { certFile: string; keyFile: string; caFile: string };
  coordinator: CoordinatorIdentity;
  kmes: Record<string, KmeConfig>;
  saes: Record<string, SaeConfig>;
  devices: Record<string, DeviceConfig>;
  keyTtlSeconds: number;
  stateDir?: string;
  metrics?: MetricsConfig;
  warnings: string[];
}
