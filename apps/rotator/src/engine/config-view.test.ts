// engineView folds sites into one fleet; createRotator refuses a config with sites and no agents.
import { describe, expect, it } from 'vitest';
import type { AgentDirectory } from '../fleet/ops.js';
import { engineView, EngineConfigError, resolveLinks, type EngineConfig } from './config-view.js';
import { createRotator } from './index.js';

const base: EngineConfig = {
  saes: { SA: { kme: 'K1' } },
  devices: { r1: { sae: 'SA' } },
  sites: { dc1: { saes: ['SB'], devices: { r2: { sae: 'SB', platform: 'mx' } } } },
  links: [{ name: 'L1', master: { device: 'r1', interfaces: ['et-0/0/0'] }, slaves: [{ device: 'r2', interfaces: ['et-0/0/0'] }] }],
  rotation: { mode: 'key-chain', cipherSuite: 'gcm-aes-128', ckn: { strategy: 'sha256-keyid' }, leadTimeSeconds: 60, intervalSeconds: 3600, concurrency: 4, confirmTimeoutMinutes: 5 },
  stateDir: '/tmp/qkd-macsec-config-view-test',
};
const logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const never = () => Promise.reject(new Error('not in this test'));

describe('engineView', () => {
  it("merges a site's devices and SAEs; links resolve across direct and site devices", () => {
    const v = engineView(base);
    expect(v.devices).toEqual({ r1: { sae: 'SA' }, r2: { sae: 'SB', platform: 'mx' } });
    expect(v.saes).toEqual({ SA: { kme: 'K1' }, SB: { kme: 'agent dc1' } });
    expect(v.sites).toBeUndefined();
    expect(engineView(v)).toEqual(v);
    // resolveLinks folds the sites in itself.
    expect(resolveLinks(base)[0]).toMatchObject({ masterSae: 'SA', slaveSaes: ['SB'], ends: [{ device: 'r1', sae: 'SA' }, { device: 'r2', sae: 'SB' }] });
    const direct = { ...base, sites: {} };
    expect(engineView(direct)).toBe(direct);
  });

  it('refuses a name in two places', () => {
    expect(() => engineView({ ...base, devices: { ...base.devices, r2: { sae: 'SA' } } })).toThrow(new EngineConfigError('device "r2" is at site dc1 and in devices too: name it in one place'));
    expect(() => engineView({ ...base, saes: { ...base.saes, SB: { kme: 'K1' } } })).toThrow('SAE "SB" is at site dc1 and in saes too: name it in one place');
  });
});

describe('createRotator with sites', () => {
  it('throws a TypeError telling the caller to pass agents', () => {
    expect(() => createRotator({ config: base, logger, connectDevice: never, kmeClientFor: () => never() as never })).toThrow(
      new TypeError('createRotator: the config has sites (dc1) but no `agents` was passed: build them with createAgentDirectory(config, …) from agent/client and pass them as `agents`'),
    );
  });

  it('refuses agents that do not cover a site device', () => {
    const agents: AgentDirectory = { forDevice: () => undefined, forSae: () => undefined, all: () => [], close: async () => undefined };
    expect(() => createRotator({ config: base, logger, agents, connectDevice: never, kmeClientFor: () => never() as never })).toThrow('createRotator: device r2 is at site dc1, but `agents` has no agent for it');
  });
});
