// The `sites:` section resolved: agent files made absolute (and checked readable by the loader's
// `readable`, which records problems), pins lower-cased and deduplicated, site devices named.
import type { ConfigFile } from './file-schema.js';
import type { SiteConfig } from './types.js';

export function resolveSites(sites: ConfigFile['sites'], readable: (at: string, path: string) => string): Record<string, SiteConfig> {
  const out: Record<string, SiteConfig> = {};
  for (const [name, site] of Object.entries(sites)) {
    const at = `sites.${name}.agent`;
    const a = site.agent;
    const pins = a.fingerprint === undefined ? [] : Array.isArray(a.fingerprint) ? a.fingerprint : [a.fingerprint];
    out[name] = {
      name,
      agent: {
        url: a.url,
        caFile: readable(`${at}.ca`, a.ca),
        certFile: readable(`${at}.cert`, a.cert),
        keyFile: readable(`${at}.key`, a.key),
        fingerprints: [...new Set(pins.map((p) => p.toLowerCase()))],
        ...(a.timeoutMs !== undefined ? { timeoutMs: a.timeoutMs } : {}),
      },
      saes: [...site.saes],
      devices: Object.fromEntries(Object.entries(site.devices).map(([d, v]) => [d, { name: d, sae: v.sae, ...(v.platform !== undefined ? { platform: v.platform } : {}) }])),
    };
  }
  return out;
}
