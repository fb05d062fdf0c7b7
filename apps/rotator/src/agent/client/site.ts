// The coordinator's view of one site, as contracts-11 pins it. Engineer C's config/ resolves it
// from `sites:` in the config file; until that lands this is its one definition (structurally the
// same, so config/types.ts can re-export or replace it).
import type { Platform } from '@qkd-macsec/macsec-config';

export interface SiteConfig {
  name: string;
  agent: {
    /** https://host:port */
    url: string;
    /** Verifies the agent's server certificate. */
    caFile: string;
    /** The coordinator's client certificate and key. */
    certFile: string;
    keyFile: string;
    /** SHA-256 pins of the agent's server certificate, "sha256:<64 hex>"; [] = CA only. */
    fingerprints: string[];
    timeoutMs?: number;
  };
  /** SAE IDs at this site: their KMEs and certificates are the agent's. */
  saes: string[];
  /** Devices at this site: credentials and host keys are the agent's. */
  devices: Record<string, { name: string; sae: string; platform?: Platform }>;
}
