import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import { checkAgentConfigText, loadAgentConfig } from './load.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agent-config-'));
  for (const f of ['agent.pem', 'agent-key.pem', 'coordinators-ca.pem', 'kme-ca.pem', 'sae.pem', 'sae-key.pem']) await writeFile(join(dir, f), 'x');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const GOOD = `
site: dc1
listen: "127.0.0.1:8443"
tls: { cert: agent.pem, key: agent-key.pem, ca: coordinators-ca.pem }
coordinator: { name: coordinator }
kmes:
  KME_A: { url: "https://kme-a:8443", ca: kme-ca.pem }
saes:
  SAE_A: { kme: KME_A, cert: sae.pem, key: sae-key.pem }
devices:
  r1: { host: 10.0.0.1, username: qkd, password: { env: R1_PASSWORD }, hostKey: { fingerprint: "SHA256:${'A'.repeat(43)}" }, sae: SAE_A, platform: mx }
`;

describe('agent.yaml', () => {
  it('loads a good file: paths absolute, secrets read, defaults filled in', async () => {
    const file = join(dir, 'agent.yaml');
    await writeFile(file, GOOD);
    const c = await loadAgentConfig(file, { env: { R1_PASSWORD: 'pw' } });
    expect(c.site).toBe('dc1');
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 8443 });
    expect(c.tls.caFile).toBe(join(dir, 'coordinators-ca.pem'));
    expect(c.coordinator).toEqual({ name: 'coordinator' });
    expect(c.keyTtlSeconds).toBe(900);
    expect(c.devices.r1?.password?.reveal()).toBe('pw');
    expect(c.saes.SAE_A?.certFile).toBe(join(dir, 'sae.pem'));
  });

  it('takes a pinned coordinator certificate instead of a name', () => {
    const fp = `sha256:${'ab'.repeat(32)}`;
    const r = checkAgentConfigText(GOOD.replace('{ name: coordinator }', `{ fingerprint: "${fp}" }`), join(dir, 'agent.yaml'), { env: { R1_PASSWORD: 'pw' } });
    expect(r.issues).toEqual([]);
    expect(r.config?.coordinator).toEqual({ fingerprints: [fp] });
  });

  it.each([
    ['an unknown key', GOOD.replace('site: dc1', 'site: dc1\nsitez: 1'), '', 'unknown key "sitez"'],
    ['a missing coordinator', GOOD.replace('coordinator: { name: coordinator }\n', ''), 'coordinator', 'coordinator must be { name: CN-or-SAN }'],
    ['a bad pin', GOOD.replace('{ name: coordinator }', '{ fingerprint: "sha256:XY" }'), 'coordinator.fingerprint', 'sha256:<64 lower-case hex digits>'],
    ['an unknown SAE', GOOD.replace('sae: SAE_A, platform', 'sae: SAE_Z, platform'), 'devices.r1.sae', 'SAE "SAE_Z" is not defined'],
    ['a missing file', GOOD.replace('ca: coordinators-ca.pem', 'ca: nope.pem'), 'tls.ca', 'does not exist'],
    ['an unset password variable', GOOD, 'devices.r1.password.env', 'environment variable R1_PASSWORD is not set'],
    ['a bad TTL', `${GOOD}keyTtlSeconds: 0\n`, 'keyTtlSeconds', ''],
  ])('names the path and the problem: %s', (_what, text, path, message) => {
    const r = checkAgentConfigText(text, join(dir, 'agent.yaml'), { env: {} });
    expect(r.config).toBeUndefined();
    expect(r.issues.some((i) => i.path === path && i.message.includes(message)), JSON.stringify(r.issues)).toBe(true);
  });

  it('throws a ConfigError naming the file', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'site: [');
    await expect(loadAgentConfig(file)).rejects.toThrow(ConfigError);
    await expect(loadAgentConfig(file)).rejects.toThrow(file);
  });
});
