// init's first look at each device, before any plan: its MACsec configuration (with event-options,
// to find the field script), its login users, its platform (configured or detected from its
// model), and the cipher suite each link gets from its ends' platforms.
import type { JunosFacts } from '@qkd-macsec/junos-netconf';
import { platformProfile, requiredKeyBits, type CipherSuite, type MacsecConfig, type Platform } from '@qkd-macsec/macsec-config';
import { modeProblem } from '../config/platform-rules.js';
import type { EngineConfig, ResolvedLink } from '../engine/config-view.js';
import type { DeviceOps } from '../fleet/ops.js';
import { devicePlatform, type DevicePlatform } from './platform.js';

/** The fields of the rotator's resolved config (RotatorConfig) init reads beyond EngineConfig. */
export interface InitConfigView {
  devices: Readonly<Record<string, { sae: string; platform?: Platform; username?: string }>>;
  rotation: EngineConfig['rotation'] & { keyChainTolerance?: number; cipherSuiteFrom?: 'config' | 'platform' | 'default' };
}

export function initView(config: EngineConfig): InitConfigView {
  return config as EngineConfig & InitConfigView;
}

export interface DeviceSurvey {
  config: MacsecConfig;
  users: string[];
  platform: DevicePlatform;
}

export async function surveyDevice(d: DeviceOps, config: EngineConfig, device: string): Promise<DeviceSurvey> {
  const macsec = await d.readMacsec({ staticHostMappings: !!config.init?.staticHostMappings?.length, eventOptions: true });
  const users = await d.loginUsers();
  const configured = initView(config).devices[device]?.platform;
  const facts: JunosFacts | undefined = configured ? undefined : await d.facts();
  return { config: macsec, users, platform: devicePlatform(configured, facts) };
}

/** Why init refuses a device (its platform cannot run the configured mode), or undefined. */
export function platformRefusal(p: DevicePlatform, mode: EngineConfig['rotation']['mode']): string | undefined {
  if (!p.platform) return undefined;
  const problem = modeProblem(p.platform, mode);
  return problem ? `platform ${problem.replace(/^\w+ /, `${p.platform} (from ${p.from}) `)}` : undefined;
}

/**
 * Each link's cipher suite: rotation.cipherSuite when the file sets it or the configured
 * platforms chose it; when it is the built-in default (cipherSuiteFrom 'default'), the default of its ends' (detected) platforms when they agree and
 * need the key size the engine fetches, else rotation.cipherSuite. Problems go to `errors`.
 */
export function linkSuites(links: readonly ResolvedLink[], config: EngineConfig, platforms: ReadonlyMap<string, DevicePlatform>): { suites: Map<string, CipherSuite>; problems: Map<string, string> } {
  const rotation = initView(config).rotation;
  const suites = new Map<string, CipherSuite>();
  const problems = new Map<string, string>();
  for (const l of links) {
    suites.set(l.name, rotation.cipherSuite);
    // Only a built-in default gives way (a hand-built EngineConfig without cipherSuiteFrom means what it says).
    if (rotation.cipherSuiteFrom !== 'default') continue;
    const defaults = new Set(l.ends.map((e) => platforms.get(e.device)?.platform).map((p) => (p ? platformProfile(p).defaultCipherSuite : undefined)));
    if (defaults.has(undefined) || defaults.size !== 1) continue;
    const suite = [...defaults][0]!;
    if (requiredKeyBits(suite) !== requiredKeyBits(rotation.cipherSuite)) {
      problems.set(l.name, `link ${l.name}: its ends' platforms default to ${suite} (${requiredKeyBits(suite)}-bit keys), but the rotator fetches ${requiredKeyBits(rotation.cipherSuite)}-bit keys for ${rotation.cipherSuite}: set rotation.cipherSuite (or devices.<name>.platform)`);
      continue;
    }
    suites.set(l.name, suite);
  }
  return { suites, problems };
}
