import { describe, expect, it } from 'vitest';
import { devicePlatform, platformOfModel } from './platform.js';
import { platformRefusal } from './survey.js';

describe('platform of a device', () => {
  it('maps product models to macsec-config profiles', () => {
    const table: Array<[string, string | undefined, string | undefined]> = [
      ['mx204', undefined, 'mx'],
      ['MX10003', undefined, 'mx'],
      ['vmx', undefined, 'mx'],
      ['ptx10008', '23.4R1.10-EVO', 'ptx'],
      ['acx7100-32c', undefined, 'acx'],
      ['qfx5130-32cd', undefined, 'qfx'],
      ['qfx5120-48y', '23.4R1-EVO', 'qfx'], // an EVO release says so
      ['qfx5120-48y', '21.4R3', 'ex'], // QFX on Junos OS: the ex profile
      ['ex4650-48y', undefined, 'ex'],
      ['srx345', undefined, 'srx'],
      ['vsrx', undefined, 'srx'],
      ['nfx250', undefined, undefined],
      ['', undefined, undefined],
    ];
    for (const [model, version, want] of table) expect(platformOfModel(model, version), model).toBe(want);
  });

  it('prefers the config, says where a platform came from, and refuses key-chain mode without hitless rollover', () => {
    expect(devicePlatform('srx', { hostname: 'x', model: 'mx204', version: '1', serialNumber: undefined })).toEqual({ platform: 'srx', from: 'config' });
    const detected = devicePlatform(undefined, { hostname: 'x', model: 'srx345', version: '23.4R1', serialNumber: undefined });
    expect(detected).toEqual({ platform: 'srx', from: 'model srx345' });
    expect(platformRefusal(detected, 'key-chain')).toMatch(/^platform srx \(from model srx345\) \(SRX Series\) has no hitless key-chain rollover, and rotation.mode is key-chain: set rotation.mode: static-cak/);
    expect(platformRefusal(detected, 'static-cak')).toBeUndefined();
    expect(platformRefusal({ platform: 'ptx', from: 'config' }, 'key-chain')).toBeUndefined();
    expect(devicePlatform(undefined, { hostname: 'x', model: 'nfx250', version: '1', serialNumber: undefined })).toEqual({ from: 'model nfx250 not in the platform table' });
  });
});
