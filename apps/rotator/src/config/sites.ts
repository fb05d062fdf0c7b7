// Direct devices and site devices side by side: links, platforms and `validate` look a device up
// by name wherever it is configured. Works on the file as written and on the resolved config.
import type { Platform } from '@qkd-macsec/macsec-config';

interface DeviceShape {
  sae: string;
  platform?: Platform | undefined;
}
interface ConfigShape {
  devices: Record<string, DeviceShape>;
  sites: Record<string, { saes: string[]; devices: Record<string, DeviceShape> }>;
}

/** A device as links see it: its SAE, platform, and the site whose agent reaches it (none: direct). */
export interface DeviceEnd {
  name: string;
  sae: string;
  platform?: Platform;
  site?: string;
}

/** Every device by name, direct ones first. A name configured twice is cross-check.ts's to report; here the first wins. */
export function allDevices(config: ConfigShape): Map<string, DeviceEnd> {
  const out = new Map<string, DeviceEnd>();
  const add = (name: string, d: DeviceShape, site?: string) => {
    if (!out.has(name)) out.set(name, { name, sae: d.sae, ...(d.platform !== undefined ? { platform: d.platform } : {}), ...(site !== undefined ? { site } : {}) });
  };
  for (const [name, d] of Object.entries(config.devices)) add(name, d);
  for (const [site, s] of Object.entries(config.sites)) for (const [name, d] of Object.entries(s.devices)) add(name, d, site);
  return out;
}

/** The site whose agent holds this SAE's certificate, or undefined when the coordinator does. */
export function siteOfSae(config: Pick<ConfigShape, 'sites'>, sae: string): string | undefined {
  return Object.entries(config.sites).find(([, s]) => s.saes.includes(sae))?.[0];
}
