// A device's platform: `devices.<name>.platform` in the config, else detected from its model and
// version (get-software-information / chassis inventory, junos-netconf's facts()). The profile
// (macsec-config's PLATFORM_PROFILES) then decides what init may configure there.
import type { JunosFacts } from '@qkd-macsec/junos-netconf';
import type { Platform } from '@qkd-macsec/macsec-config';

// QFX models that run Junos OS Evolved (macsec-config's `qfx` profile, Feature Explorer 7831);
// every other QFX runs Junos OS and is profiled as `ex`.
const EVO_QFX = /^qfx(5130|5220|5230|5240|5700)/;

/**
 * The profile for a product model (`mx204`, `PTX10008`, `acx7100-32c`, `qfx5130-32cd`,
 * `ex4650-48y`, `srx345`, `vsrx`), or undefined for a model this table does not know.
 * A QFX is `qfx` when its model is an EVO one or its version ends in `-EVO`, else `ex`.
 */
export function platformOfModel(model: string | undefined, version?: string): Platform | undefined {
  const m = (model ?? '').trim().toLowerCase();
  if (/^(mx|vmx)/.test(m)) return 'mx';
  if (/^ptx/.test(m)) return 'ptx';
  if (/^acx/.test(m)) return 'acx';
  if (/^qfx/.test(m)) return EVO_QFX.test(m) || /-evo$/i.test(version ?? '') ? 'qfx' : 'ex';
  if (/^ex/.test(m)) return 'ex';
  if (/^(srx|vsrx)/.test(m)) return 'srx';
  return undefined;
}

export interface DevicePlatform {
  platform?: Platform;
  /** `config` (devices.<name>.platform) or `model <model>` (detected). */
  from: string;
}

export function devicePlatform(configured: Platform | undefined, facts: JunosFacts | undefined): DevicePlatform {
  if (configured) return { platform: configured, from: 'config' };
  const detected = platformOfModel(facts?.model, facts?.version);
  return detected ? { platform: detected, from: `model ${facts!.model}` } : { from: `model ${facts?.model ?? 'unknown'} not in the platform table` };
}
