import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, checkConfigFile, checkConfigText, loadConfig, type ConfigIssue } from './schema.js';

const PASSWORD = 'pw-8c1f5a-super-secret';
const FILE_PASSWORD = 'file-pw-7e2d9b';

let dir: string;

const example = (overrides = '') => `
kmes:
  KME_A: { url: "https://127.0.0.1:8443", ca: ./pki/ca.crt }
  KME_B: { url: "https://127.0.0.1:8444", ca: ./pki/ca.crt }
saes:
  SAE_A: { kme: KME_A, cert: ./pki/SAE_A.crt, key: ./pki/SAE_A.key }
  SAE_B: { kme: KME_B, cert: ./pki/SAE_B.crt, key: ./pki/SAE_B.key }
devices:
  r1:
    host: 127.0.0.1
    port: 8830
    username: rotator
    password: { env: R1_PASSWORD }
    hostKey: { fingerprint: "SHA256:${'A'.repeat(43)}" }
    sae: SAE_A
  r2:
    host: r2.example.net
    username: rotator
    password: { file: ./secrets/r2 }
    hostKey: { knownHosts: ./known_hosts }
    sae: SAE_B
links:
  - name: dc1-dc2
    master: { device: r1, interfaces: [et-0/0/0] }
    slaves: [ { device: r2, interfaces: [et-0/0/1] } ]
${overrides}`;

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function issuesOf(text: string, env: Record<string, string> = { R1_PASSWORD: PASSWORD }, name = 'qkd.yaml'): Promise<ConfigIssue[]> {
  const result = await checkConfigFile(write(name, text), { env });
  return result.issues;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rotator-config-'));
  mkdirSync(join(dir, 'pki'));
  mkdirSync(join(dir, 'secrets'));
  for (const f of ['ca.crt', 'SAE_A.crt', 'SAE_A.key', 'SAE_B.crt', 'SAE_B.key']) writeFileSync(join(dir, 'pki', f), 'pem');
  writeFileSync(join(dir, 'secrets', 'r2'), `${FILE_PASSWORD}\n`);
  writeFileSync(join(dir, 'known_hosts'), '');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadConfig', () => {
  it('resolves the example: paths against the file, defaults, secrets from env and file', async () => {
    const config = await loadConfig(write('qkd.yaml', example()), { env: { R1_PASSWORD: PASSWORD } });
    expect(config.file).toBe(join(dir, 'qkd.yaml'));
    expect(config.kmes.KME_A).toEqual({ id: 'KME_A', url: 'https://127.0.0.1:8443', caFile: join(dir, 'pki/ca.crt'), insecureSkipVerify: false });
    expect(config.saes.SAE_B).toEqual({ id: 'SAE_B', kme: 'KME_B', certFile: join(dir, 'pki/SAE_B.crt'), keyFile: join(dir, 'pki/SAE_B.key') });
    expect(config.devices.r1?.password?.reveal()).toBe(PASSWORD);
    expect(config.devices.r2?.password?.reveal()).toBe(FILE_PASSWORD);
    expect(config.devices.r2?.port).toBe(830);
    expect(config.devices.r2?.hostKey).toEqual({ fingerprints: [], knownHostsFile: join(dir, 'known_hosts'), insecureAcceptAnyHostKey: false });
    expect(config.links[0]).toEqual({
      name: 'dc1-dc2',
      master: { device: 'r1', interfaces: ['et-0/0/0'] },
      slaves: [{ device: 'r2', interfaces: ['et-0/0/1'] }],
      connectivityAssociation: 'qkd-dc1-dc2',
      keyChain: 'qkd-dc1-dc2',
    });
    expect(config.rotation).toEqual({
      mode: 'key-chain',
      cipherSuite: 'gcm-aes-256',
      cipherSuiteFrom: 'default',
      ckn: { strategy: 'sha256-keyid' },
      leadTimeSeconds: 120,
      intervalSeconds: 3600,
      concurrency: 4096,
      confirmTimeoutMinutes: 5,
      startAfterConfirmTimeout: true,
      resumeRetrySeconds: 5,
      keyChainTolerance: 0,
    });
    expect(config.control).toEqual({ host: '127.0.0.1', port: 0 });
    expect(config.stateDir).toBe(join(dir, 'state'));
    expect(config.certificates).toEqual({ renewBeforeDays: 30, checkIntervalHours: 24 });
    expect(config.metrics).toBeUndefined();
    expect(config.warnings).toEqual([]);
  });

  it('never shows a secret when the config is printed, serialised or inspected', async () => {
    const config = await loadConfig(write('qkd.yaml', example()), { env: { R1_PASSWORD: PASSWORD } });
    const shown = [JSON.stringify(config), inspect(config, { depth: 10 }), String(config.devices.r1?.password), `${config.devices.r2?.password}`].join('\n');
    expect(shown).not.toContain(PASSWORD);
    expect(shown).not.toContain(FILE_PASSWORD);
    expect(shown).toContain('[redacted]');
    expect(inspect(config.devices.r1?.password)).toBe('ConfigSecret(env R1_PASSWORD)');
  });

  it('reads JSON files, and metrics, groups, prefix-uuid and static-cak settings', async () => {
    const json = {
      kmes: { K1: { url: 'https://kme1:443', insecureSkipVerify: true } },
      saes: { S1: { kme: 'K1', cert: 'pki/SAE_A.crt', key: 'pki/SAE_A.key' }, S2: { kme: 'K1', cert: 'pki/SAE_B.crt', key: 'pki/SAE_B.key' }, S3: { kme: 'K1', cert: 'pki/SAE_B.crt', key: 'pki/SAE_B.key' } },
      devices: Object.fromEntries(
        ['a', 'b', 'c'].map((n, i) => [n, { host: `10.0.0.${i + 1}`, username: 'u', password: { env: 'PW' }, hostKey: { insecureAcceptAnyHostKey: true }, sae: `S${i + 1}` }]),
      ),
      links: [{ name: 'grp', master: { device: 'a', interfaces: ['xe-0/0/0'] }, slaves: [{ device: 'b', interfaces: ['xe-0/0/0'] }, { device: 'c', interfaces: ['xe-0/0/0', 'xe-0/0/1'] }], keyChain: 'KC1' }],
      rotation: { mode: 'static-cak', cipherSuite: 'gcm-aes-xpn-128', ckn: { strategy: 'prefix-uuid', prefix: 'ab'.repeat(16) }, leadTimeSeconds: 3, intervalSeconds: 10, startAfterConfirmTimeout: false },
      stateDir: '/var/lib/qkd',
      metrics: { listen: '[::1]:9464' },
      init: {
        staticHostMappings: [{ name: 'kme1', inet: ['192.0.2.10'] }],
        applyMacros: { kmeMethod: 'get' },
        eventOptions: { generateEvents: [{ name: 'qkd-tick', timeInterval: 3600 }], policies: [{ name: 'qkd', events: ['qkd-tick'], eventScripts: ['qkd.py'] }], eventScripts: [{ name: 'qkd.py', pythonScriptUser: 'qkd' }] },
      },
    };
    const config = await loadConfig(write('qkd.json', JSON.stringify(json)), { env: { PW: 'x' } });
    expect(config.links[0]?.slaves).toHaveLength(2);
    expect(config.links[0]?.keyChain).toBe('KC1');
    expect(config.rotation).toMatchObject({ mode: 'static-cak', cipherSuite: 'gcm-aes-xpn-128', ckn: { strategy: 'prefix-uuid', prefix: 'ab'.repeat(16) }, concurrency: 4096 });
    expect(config.stateDir).toBe('/var/lib/qkd');
    expect(config.metrics).toEqual({ host: '::1', port: 9464 });
    expect(config.init).toEqual(json.init);
    expect(config.warnings.join('\n')).toMatch(/kmes\.K1\.insecureSkipVerify.*NOT verified/);
    expect(config.warnings.join('\n')).toMatch(/devices\.a\.hostKey\.insecureAcceptAnyHostKey/);
  });

  it('accepts an inline password with a warning', async () => {
    const config = await loadConfig(write('qkd.yaml', example().replace('{ env: R1_PASSWORD }', 'inline-pw')), { env: {} });
    expect(config.devices.r1?.password?.reveal()).toBe('inline-pw');
    expect(config.warnings).toEqual([expect.stringMatching(/^devices\.r1\.password is written inline/)]);
    expect(config.warnings.join()).not.toContain('inline-pw');
  });

  it('throws a ConfigError listing every problem with its path', async () => {
    const path = write('qkd.yaml', example().replace('sae: SAE_B', 'sae: SAE_X').replace('KME_A, cert', 'KME_Z, cert'));
    const err = await loadConfig(path, { env: { R1_PASSWORD: PASSWORD } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.file).toBe(path);
    expect(e.issues).toEqual([
      { path: 'saes.SAE_A.kme', message: 'KME "KME_Z" is not defined under kmes (known: KME_A, KME_B)' },
      { path: 'devices.r2.sae', message: 'SAE "SAE_X" is not defined under saes (known: SAE_A, SAE_B)' },
    ]);
    expect(e.message).toContain('2 problems');
    expect(e.message).toContain('devices.r2.sae: SAE "SAE_X"');
  });
});

describe('the README', () => {
  it("config example passes the schema and the cross-checks (only its files are missing here)", () => {
    const md = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const start = md.indexOf('```yaml\n') + 8;
    const yaml = md.slice(start, md.indexOf('```', start));
    const { issues } = checkConfigText(yaml, join(dir, 'nowhere/qkd-macsec.yaml'), { env: { R1_PASSWORD: 'x', ROTATOR_KEY_PASSPHRASE: 'y' } });
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.filter((i) => !i.message.endsWith('does not exist'))).toEqual([]);
  });
});

describe('config problems name the path', () => {
  it('a missing environment variable, an unreadable secret file, a missing certificate', async () => {
    rmSync(join(dir, 'secrets', 'r2'));
    rmSync(join(dir, 'pki', 'SAE_B.key'));
    expect(await issuesOf(example(), {})).toEqual([
      { path: 'saes.SAE_B.key', message: `${join(dir, 'pki/SAE_B.key')} does not exist` },
      { path: 'devices.r1.password.env', message: 'environment variable R1_PASSWORD is not set' },
      { path: 'devices.r2.password.file', message: `${join(dir, 'secrets/r2')} does not exist` },
    ]);
  });

  it('an empty secret file and an empty variable', async () => {
    writeFileSync(join(dir, 'secrets', 'r2'), '\n');
    expect(await issuesOf(example(), { R1_PASSWORD: '' })).toEqual([
      { path: 'devices.r1.password.env', message: 'environment variable R1_PASSWORD is empty' },
      { path: 'devices.r2.password.file', message: `${join(dir, 'secrets/r2')} is empty` },
    ]);
  });

  it('a secret file or a certificate that is a directory', async () => {
    rmSync(join(dir, 'secrets', 'r2'));
    mkdirSync(join(dir, 'secrets', 'r2'));
    rmSync(join(dir, 'pki', 'SAE_A.crt'));
    mkdirSync(join(dir, 'pki', 'SAE_A.crt'));
    expect(await issuesOf(example())).toEqual([
      { path: 'saes.SAE_A.cert', message: `${join(dir, 'pki/SAE_A.crt')} is a directory, not a file` },
      { path: 'devices.r2.password.file', message: `${join(dir, 'secrets/r2')} is a directory, not a file` },
    ]);
  });

  it("a device's timeoutMs: a whole number of ms from 100 to 600,000", async () => {
    const withTimeout = (v: string) => example().replace('    sae: SAE_A\n', `    sae: SAE_A\n    timeoutMs: ${v}\n`);
    expect(await issuesOf(withTimeout('180000'))).toEqual([]);
    expect(await issuesOf(withTimeout('50'))).toEqual([{ path: 'devices.r1.timeoutMs', message: 'Too small: expected number to be >=100' }]);
    expect(await issuesOf(withTimeout('"60s"'))).toEqual([{ path: 'devices.r1.timeoutMs', message: 'timeoutMs must be an integer' }]);
    const config = await loadConfig(write('qkd.yaml', withTimeout('180000')), { env: { R1_PASSWORD: PASSWORD } });
    expect([config.devices.r1?.timeoutMs, config.devices.r2?.timeoutMs]).toEqual([180_000, undefined]);
  });

  it('unknown keys, wrong types, bad enums, missing fields', async () => {
    const text = example(`rotation: { mode: hitless, cipherSuite: gcm-aes-512, leadTimeSecs: 3, concurrency: 0 }
metrics: { listen: "9464" }`)
      .replace('port: 8830', 'port: "8830"')
      .replace('username: rotator\n    password: { file', 'password: { file')
      .replace('interfaces: [et-0/0/1]', 'interfaces: [eth0]');
    expect(await issuesOf(text)).toEqual([
      { path: 'devices.r1.port', message: 'port must be an integer' },
      { path: 'devices.r2.username', message: 'is required' },
      { path: 'links[0].slaves[0].interfaces[0]', message: 'interface name "eth0" is not TYPE-FPC/PIC/PORT[:CHANNEL][.UNIT] (e.g. ge-0/0/0)' },
      { path: 'rotation.mode', message: 'mode must be "key-chain" (hitless) or "static-cak" (replace)' },
      { path: 'rotation.cipherSuite', message: 'cipherSuite must be one of gcm-aes-128, gcm-aes-256, gcm-aes-xpn-128, gcm-aes-xpn-256' },
      { path: 'rotation.concurrency', message: 'Too small: expected number to be >=1' },
      { path: 'rotation', message: 'unknown key "leadTimeSecs"' },
      { path: 'metrics.listen', message: 'listen must be HOST:PORT, e.g. 127.0.0.1:9464' },
    ]);
  });

  it('init extras: host names, IPv4 addresses, apply-macro options, event-options', async () => {
    const text = example(`init:
  staticHostMappings: [ { name: "-bad", inet: [ "::1" ] } ]
  applyMacros: { kmeMethod: put }
  eventOptions: { generateEvents: [ { name: tick, timeInterval: 30 } ], excludeProtocols: [ lldp ] }`);
    expect(await issuesOf(text)).toEqual([
      { path: 'init.staticHostMappings[0].name', message: 'host "-bad" is not a host name or IP address' },
      { path: 'init.staticHostMappings[0].inet[0]', message: 'inet must list IPv4 addresses' },
      { path: 'init.applyMacros', message: 'applyMacros must be true/false or { kmeMethod: get|post, kmeKeyidCheck: true|false }' },
      { path: 'init.eventOptions.generateEvents[0].timeInterval', message: 'Too small: expected number to be >=60' },
      { path: 'init.eventOptions', message: 'unknown key "excludeProtocols"' },
    ]);
  });

  it('secret references of the wrong shape, KMEs over http, bad fingerprints and CKN prefixes', async () => {
    const text = example(`rotation: { ckn: { strategy: prefix-uuid, prefix: abc } }`)
      .replace('{ env: R1_PASSWORD }', '{ vault: r1 }')
      .replace('https://127.0.0.1:8444', 'http://127.0.0.1:8444')
      .replace(`SHA256:${'A'.repeat(43)}`, 'MD5:aa:bb');
    expect(await issuesOf(text)).toEqual([
      { path: 'kmes.KME_B.url', message: 'url must be an https:// URL (ETSI 014 is HTTPS only)' },
      { path: 'devices.r1.password', message: 'must be { env: VARIABLE } or { file: PATH } (or, discouraged, an inline string)' },
      { path: 'devices.r1.hostKey.fingerprint', message: 'fingerprint must be "SHA256:<43 Base64 characters>" as printed by ssh-keygen -lf' },
      { path: 'rotation.ckn.prefix', message: 'prefix must be exactly 32 hex digits' },
    ]);
  });

  it('cross-references: links to unknown devices, the same device or SAE twice, interfaces in two links, duplicate names', async () => {
    const text = example(`  - name: dc1-dc2
    master: { device: r1, interfaces: [et-0/0/0] }
    slaves: [ { device: r1, interfaces: [et-0/0/2, et-0/0/2] }, { device: r9, interfaces: [et-0/0/0] } ]
rotation: { leadTimeSeconds: 600, intervalSeconds: 300 }`);
    expect(await issuesOf(text)).toEqual([
      { path: 'links[1].name', message: '"dc1-dc2" is already the name of links[0]' },
      { path: 'links[1].master.interfaces', message: 'r1 et-0/0/0 is already in link "dc1-dc2"' },
      { path: 'links[1].slaves[0].device', message: 'device "r1" is already another end of this link' },
      { path: 'links[1].slaves[0].device', message: 'device "r1" uses SAE "SAE_A", as links[1].master does: each end of a link needs its own SAE' },
      { path: 'links[1].slaves[0].interfaces', message: 'lists et-0/0/2 twice' },
      { path: 'links[1].slaves[1].device', message: 'device "r9" is not defined under devices (known: r1, r2)' },
      {
        path: 'rotation.intervalSeconds',
        message: '300 is shorter than a cycle can take (300 s confirm timeout + 600 s lead time + 6 s verification = 906 s): set it to at least 906, or lower rotation.confirmTimeoutMinutes or rotation.leadTimeSeconds',
      },
    ]);
  });

  it('devices without credentials or host key policy, KMEs without a CA', async () => {
    const text = example()
      .replace('    password: { env: R1_PASSWORD }\n', '')
      .replace('hostKey: { knownHosts: ./known_hosts }', 'hostKey: {}')
      .replace('KME_B: { url: "https://127.0.0.1:8444", ca: ./pki/ca.crt }', 'KME_B: { url: "https://127.0.0.1:8444" }');
    expect(await issuesOf(text)).toEqual([
      { path: 'devices.r1', message: 'needs password or privateKey (from env or file)' },
      { path: 'devices.r2.hostKey', message: 'needs fingerprint or knownHosts (or, for labs only, insecureAcceptAnyHostKey: true)' },
      { path: 'kmes.KME_B', message: 'needs ca (the CA that signs the KME certificate), or for labs only insecureSkipVerify: true' },
    ]);
  });

  it('YAML and JSON syntax errors give a line and column, and no source excerpt', async () => {
    const yamlIssues = await issuesOf('kmes:\n  KME_A: { url: "https://x", ca: [\nsaes: {}\n');
    expect(yamlIssues.length).toBeGreaterThan(0);
    expect(yamlIssues[0]?.path).toBe('');
    expect(yamlIssues[0]?.message).toMatch(/^YAML syntax error at line \d+, column \d+: /);
    const dup = await issuesOf(`${example()}\nkmes: {}\n`);
    expect(dup[0]?.message).toMatch(/^YAML syntax error at line \d+, column \d+: Map keys must be unique/);
    const jsonIssues = await issuesOf('{"kmes": {"K": {"url": "https://x" "ca": "secret-looking"}}}', {}, 'qkd.json');
    expect(jsonIssues[0]?.message).toMatch(/^JSON syntax error at line 1, column \d+/);
    expect(jsonIssues.map((i) => i.message).join()).not.toContain('secret-looking');
  });

  it('a missing, empty or non-object file', async () => {
    expect(await checkConfigFile(join(dir, 'nope.yaml'))).toEqual({ issues: [{ path: '', message: `cannot read ${join(dir, 'nope.yaml')}: does not exist` }] });
    expect(await issuesOf('')).toEqual([{ path: '', message: `${join(dir, 'qkd.yaml')} is empty` }]);
    expect(await issuesOf('- just\n- a list\n')).toEqual([{ path: '', message: 'Invalid input: expected object, received array' }]);
  });

  it('an error never quotes an inline secret', async () => {
    const text = example().replace('{ env: R1_PASSWORD }', `"${PASSWORD}"`).replace('username: rotator', 'username: 7');
    const issues = await issuesOf(text);
    expect(issues).toEqual([{ path: 'devices.r1.username', message: 'username must be a string' }]);
    expect(JSON.stringify(issues)).not.toContain(PASSWORD);
  });
});

describe('sites (agent mode)', () => {
  const PIN = `sha256:${'AB'.repeat(32)}`;
  // r1 is reached directly; r2 (and r3) sit at site dc2 behind its agent.
  const withSites = (site = '', extraLinks = '') => `
kmes:
  KME_A: { url: "https://127.0.0.1:8443", ca: ./pki/ca.crt }
saes:
  SAE_A: { kme: KME_A, cert: ./pki/SAE_A.crt, key: ./pki/SAE_A.key }
devices:
  r1:
    host: 127.0.0.1
    username: rotator
    password: { env: R1_PASSWORD }
    hostKey: { fingerprint: "SHA256:${'A'.repeat(43)}" }
    sae: SAE_A
sites:
  dc2:
    agent: { url: "https://agent-dc2:8443", ca: ./pki/ca.crt, cert: ./pki/SAE_B.crt, key: ./pki/SAE_B.key, fingerprint: "${PIN}" }
    saes: [SAE_B, SAE_C]
    devices:
      r2: { sae: SAE_B, platform: mx }
      r3: { sae: SAE_C }
${site}links:
  - name: dc1-dc2
    master: { device: r1, interfaces: [et-0/0/0] }
    slaves: [ { device: r2, interfaces: [et-0/0/1] }, { device: r3, interfaces: [et-0/0/1] } ]
${extraLinks}`;

  it('resolves a site: agent files against the config file, the pin lower-cased, devices without credentials', async () => {
    const config = await loadConfig(write('qkd.yaml', withSites()), { env: { R1_PASSWORD: PASSWORD } });
    expect(Object.keys(config.devices)).toEqual(['r1']);
    expect(Object.keys(config.saes)).toEqual(['SAE_A']);
    expect(config.sites).toEqual({
      dc2: {
        name: 'dc2',
        agent: { url: 'https://agent-dc2:8443', caFile: join(dir, 'pki/ca.crt'), certFile: join(dir, 'pki/SAE_B.crt'), keyFile: join(dir, 'pki/SAE_B.key'), fingerprints: [PIN.toLowerCase()] },
        saes: ['SAE_B', 'SAE_C'],
        devices: { r2: { name: 'r2', sae: 'SAE_B', platform: 'mx' }, r3: { name: 'r3', sae: 'SAE_C' } },
      },
    });
    // The site device's platform counts like a direct one's.
    expect(config.rotation.cipherSuiteFrom).toBe('platform');
  });

  it('a config without sites has sites: {}', async () => {
    const config = await loadConfig(write('qkd.yaml', example()), { env: { R1_PASSWORD: PASSWORD } });
    expect(config.sites).toEqual({});
  });

  it('every device and SAE at sites: kmes, saes and devices may be absent', async () => {
    const text = `
sites:
  dc1:
    agent: { url: "https://10.0.0.1:8443", ca: ./pki/ca.crt, cert: ./pki/SAE_A.crt, key: ./pki/SAE_A.key, timeoutMs: 5000 }
    saes: [SAE_A]
    devices: { r1: { sae: SAE_A } }
  dc2:
    agent: { url: "https://10.0.0.2:8443", ca: ./pki/ca.crt, cert: ./pki/SAE_A.crt, key: ./pki/SAE_A.key, fingerprint: [ "${PIN}", "sha256:${'0'.repeat(64)}" ] }
    saes: [SAE_B]
    devices: { r2: { sae: SAE_B } }
links:
  - name: l1
    master: { device: r1, interfaces: [et-0/0/0] }
    slaves: [ { device: r2, interfaces: [et-0/0/0] } ]
`;
    const config = await loadConfig(write('qkd.yaml', text), { env: {} });
    expect(config.kmes).toEqual({});
    expect(config.saes).toEqual({});
    expect(config.devices).toEqual({});
    expect(config.sites.dc1?.agent.timeoutMs).toBe(5000);
    expect(config.sites.dc2?.agent.fingerprints).toEqual([PIN.toLowerCase(), `sha256:${'0'.repeat(64)}`]);
  });

  it('no device anywhere is an error', async () => {
    expect(await issuesOf('links: [ { name: l, master: { device: a, interfaces: [et-0/0/0] }, slaves: [ { device: b, interfaces: [et-0/0/0] } ] } ]\n')).toEqual([
      { path: 'links[0].master.device', message: 'device "a" is not defined under devices (known: none)' },
      { path: 'links[0].slaves[0].device', message: 'device "b" is not defined under devices (known: none)' },
      { path: 'devices', message: 'must name at least one device (here, or under sites.*.devices)' },
    ]);
  });

  it('a name in two places, a site device on another site\'s SAE, a direct device on a site SAE, an unknown link end', async () => {
    const site = `  dc3:
    agent: { url: "https://agent-dc3:8443", ca: ./pki/ca.crt, cert: ./pki/SAE_B.crt, key: ./pki/SAE_B.key }
    saes: [SAE_A, SAE_B, SAE_D, SAE_D]
    devices:
      r1: { sae: SAE_D }
      r2: { sae: SAE_D }
      r4: { sae: SAE_C }
`;
    const text = withSites(site, `  - name: l2
    master: { device: r4, interfaces: [et-0/0/5] }
    slaves: [ { device: r9, interfaces: [et-0/0/5] } ]
`).replace('    sae: SAE_A\nsites:', '    sae: SAE_C\nsites:');
    expect(await issuesOf(text)).toEqual([
      { path: 'devices.r1.sae', message: 'SAE "SAE_C" is not defined under saes (known: SAE_A)' },
      { path: 'links[0].slaves[1].device', message: 'device "r3" uses SAE "SAE_C", as links[0].master does: each end of a link needs its own SAE' },
      { path: 'links[1].slaves[0].device', message: 'device "r9" is not defined under devices or any sites.*.devices (known: r1, r2, r3, r4)' },
      { path: 'sites.dc3.saes[0]', message: 'SAE "SAE_A" is already under saes: an SAE is either reached directly or at one site' },
      { path: 'sites.dc3.saes[1]', message: 'SAE "SAE_B" is already under sites.dc2.saes: an SAE is either reached directly or at one site' },
      { path: 'sites.dc3.saes[3]', message: 'lists SAE "SAE_D" twice' },
      { path: 'sites.dc3.devices.r1', message: 'device "r1" is already under devices: a device is either reached directly or at one site' },
      { path: 'sites.dc3.devices.r2', message: 'device "r2" is already under sites.dc2.devices: a device is either reached directly or at one site' },
      { path: 'sites.dc3.devices.r4.sae', message: `SAE "SAE_C" is not one of this site's saes (SAE_A, SAE_B, SAE_D, SAE_D): a site's devices use its own SAEs` },
      { path: 'devices.r1.sae', message: 'SAE "SAE_C" is at site dc2, whose agent alone holds its certificate: move r1 under sites.dc2.devices (without its credentials)' },
    ]);
  });

  it('agent settings: https only, strict keys, pin form, missing files, site platform checked against the mode', async () => {
    rmSync(join(dir, 'pki', 'SAE_B.key'));
    const text = withSites()
      .replace('https://agent-dc2:8443', 'http://agent-dc2:8443')
      .replace(PIN, 'sha256:abcd')
      .replace('r3: { sae: SAE_C }', 'r3: { sae: SAE_C, password: x }');
    expect(await issuesOf(text)).toEqual([
      { path: 'sites.dc2.agent.url', message: 'url must be an https:// URL (the agent speaks mutual TLS only)' },
      { path: 'sites.dc2.agent.fingerprint', message: 'fingerprint must be "sha256:<64 hex digits>", the SHA-256 of the agent certificate\'s DER (`qkd-macsec certs issue` prints it)' },
      { path: 'sites.dc2.devices.r3', message: 'unknown key "password"' },
    ]);
    expect(await issuesOf(withSites())).toEqual([{ path: 'sites.dc2.agent.key', message: `${join(dir, 'pki/SAE_B.key')} does not exist` }]);
    const srx = withSites().replace('r2: { sae: SAE_B, platform: mx }', 'r2: { sae: SAE_B, platform: srx }');
    expect((await issuesOf(srx)).map((i) => i.path)).toEqual(['sites.dc2.devices.r2.platform']);
  });
});

describe('the README sites example', () => {
  it('passes the schema and the cross-checks (only its files are missing here)', () => {
    const md = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const start = md.indexOf('```yaml\n# kmes, saes and devices hold only what') + 8;
    expect(start).toBeGreaterThan(8);
    const yaml = md.slice(start, md.indexOf('```', start));
    const { issues } = checkConfigText(yaml, join(dir, 'nowhere/qkd-macsec.yaml'), { env: { LAB1_PASSWORD: 'x' } });
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.filter((i) => !i.message.endsWith('does not exist'))).toEqual([]);
    expect(issues.map((i) => i.path)).toContain('sites.dc1.agent.cert');
  });
});
