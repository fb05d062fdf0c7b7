// The `fallback` section of the config file: defaults, and clear errors naming the field.
import { describe, expect, it } from 'vitest';
import { checkConfigText, configFileSchema } from './schema.js';

const yaml = (fallback: string) => `
kmes: { KME_A: { url: "https://127.0.0.1:8443" } }
saes: { SAE_A: { kme: KME_A, cert: a.crt, key: a.key }, SAE_B: { kme: KME_A, cert: b.crt, key: b.key } }
devices:
  r1: { host: 127.0.0.1, username: u, password: x, hostKey: { insecureAcceptAnyHostKey: true }, sae: SAE_A }
  r2: { host: 127.0.0.1, username: u, password: x, hostKey: { insecureAcceptAnyHostKey: true }, sae: SAE_B }
links: [ { name: L1, master: { device: r1, interfaces: [et-0/0/0] }, slaves: [ { device: r2, interfaces: [et-0/0/0] } ] } ]
${fallback}`;
const fallbackIssues = (text: string) => checkConfigText(text, '/nowhere/qkd.yaml', { env: {} }).issues.filter((i) => i.path.startsWith('fallback'));

describe('config fallback', () => {
  it('defaults to enabled, every 168 hours', () => {
    expect(configFileSchema.shape.fallback.parse(undefined)).toEqual({ enabled: true, intervalHours: 168 });
    expect(configFileSchema.shape.fallback.parse({ intervalHours: 24 })).toEqual({ enabled: true, intervalHours: 24 });
    expect(fallbackIssues(yaml('fallback: { enabled: false, intervalHours: 0.5 }'))).toEqual([]);
  });

  it('names the field of a bad value', () => {
    expect(fallbackIssues(yaml('fallback: { enabled: "yes", intervalHours: 0 }'))).toEqual([
      { path: 'fallback.enabled', message: 'enabled must be true or false' },
      { path: 'fallback.intervalHours', message: 'intervalHours must be greater than 0' },
    ]);
    expect(fallbackIssues(yaml('fallback: { interval: 3 }'))[0]!.message).toMatch(/interval/);
  });
});
