// Issue 11, "proof, not promise": a full `init` and 3 rotations in agent mode where the coordinator
// is a real `qkd-macsec` child process (src/cli.ts under tsx, as the other e2e tests run it) given
// a config file with only `sites:` — no kmes, saes, devices or credentials besides its own client
// certificate for the agents' mutual TLS — and an environment without any. Three sites (dc1: r1,
// dc2: r2 r3, dc3: r4), each its own sim-kme KME and an agent in this process; dc1-edge is a group
// spanning all three sites, dc1-dc2 and dc2-dc4 cross sites. A recording relay in front of each
// agent (agent/testing/recording-relay.ts) keeps every exchange as it crossed: method, path, all
// headers, both bodies, status. Every key the KMEs handed out (sim-kme's key log) and every CAK
// derived from them or committed to a device (sim-junos' key log, with its `$9$` form) is then
// searched for in those exchanges, the coordinator's stdout/stderr (debug JSON logs, --json
// reports) and every file of its directory (config, certificates, state): zero hits. The same
// scanner finds them where they do belong (the devices, the key log), so it can find them.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordingRelay, type RecordingRelay, type RelayedExchange } from '../agent/testing/recording-relay.js';
import { downTimeAfterFirstSecured } from '../cli/demo/links-table.js';
import { startSitesWorld, writeCoordinatorConfig, type CoordinatorFiles, type SitesWorld } from '../cli/demo/sites-world.js';
import { readNeedles, scanAll, type Needles } from '../cli/demo/who-held.js';
import { filesUnder, keyForms, scanText } from '../cli/demo/scan.js';
import { createStateStore, KEY_IDS_FILE, keyIdsInLog } from '../state/index.js';

const ROTATOR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROTATOR, 'src', 'cli.ts');
const ROTATIONS = 3;

interface Run {
  args: string[];
  code: number | null;
  out: string;
  err: string;
}

let world: SitesWorld;
let coord: CoordinatorFiles;
let coordRoot: string;
const relays: RecordingRelay[] = [];
const exchanges: RelayedExchange[] = [];
const runs: Run[] = [];
let env: Record<string, string>;
let needles: Needles;

/** Only what a Node process needs to start: no secret of the test process can reach the child. */
function childEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'LANG', 'TMPDIR'];
  return { ...Object.fromEntries(keep.flatMap((k) => (process.env[k] !== undefined ? [[k, process.env[k]!]] : []))), NO_COLOR: '1' };
}

function coordinator(args: string[]): Promise<Run> {
  const all = ['-c', coord.configFile, '--log-level', 'debug', '--log-format', 'json', ...args];
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...all], { cwd: ROTATOR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      const run = { args, code, out, err };
      runs.push(run);
      resolve(run);
    }),
  );
}

beforeAll(async () => {
  world = await startSitesWorld();
  for (const site of Object.keys(world.bench.sites)) relays.push(await startRecordingRelay(world.bench, site, (e) => void exchanges.push(e)));
  coordRoot = await mkdtemp(join(tmpdir(), 'agent-leak-coordinator-'));
  coord = await writeCoordinatorConfig(world.bench, coordRoot, { urls: Object.fromEntries(relays.map((r) => [r.site, r.url])), leadTimeSeconds: 2 });
  env = childEnv();
  for (const args of [['validate', '--connect', '--json'], ['init', '--json'], ...Array.from({ length: ROTATIONS }, () => ['rotate', '--json']), ['status', '--json']]) {
    const run = await coordinator(args);
    if (run.code !== 0) throw new Error(`qkd-macsec ${args.join(' ')} exited ${run.code}:\n${run.out}\n${run.err}`);
  }
  needles = readNeedles(world.bench.keyLogs!, { cipherSuite: 'gcm-aes-256', strategy: 'sha256-keyid' });
}, 240_000);
afterAll(async () => {
  await Promise.allSettled(relays.map((r) => r.close()));
  await world?.close();
  if (coordRoot) await rm(coordRoot, { recursive: true, force: true });
});

describe('agent mode: the coordinator never holds key material (proof, not promise)', () => {
  it('the coordinator is given no KME, SAE or device credential: its config names only sites, its environment none', async () => {
    const text = await readFile(coord.configFile, 'utf8');
    const file = parseYaml(text) as Record<string, unknown> & { sites: Record<string, { agent: Record<string, string>; saes: string[]; devices: Record<string, Record<string, string>> }> };
    expect(Object.keys(file).sort()).toEqual(['links', 'rotation', 'sites', 'stateDir']);
    expect(Object.keys(file.sites).sort()).toEqual(['dc1', 'dc2', 'dc3']);
    for (const s of Object.values(file.sites)) {
      expect(Object.keys(s).sort()).toEqual(['agent', 'devices', 'saes']);
      for (const d of Object.values(s.devices)) expect(Object.keys(d)).toEqual(['sae']);
      // The one credential: its own client certificate for the agents, beside the config.
      expect([s.agent.ca, s.agent.cert, s.agent.key]).toEqual(['./certs/agents-ca.pem', './certs/coordinator.pem', './certs/coordinator-key.pem']);
    }
    expect((await readdir(join(coord.dir, 'certs'))).sort()).toEqual(['agents-ca.pem', 'coordinator-key.pem', 'coordinator.pem']);
    // No device password, SAE private key, KME URL or device address in its files or environment.
    const secrets: Array<[string, string]> = [];
    for (const [name, d] of Object.entries(world.bench.junos.devices)) secrets.push([`password of ${name}`, d.password], [`address of ${name}`, `${d.host}:${d.port}`], [`port of ${name}`, `port: ${d.port}`]);
    for (const name of (await readdir(world.bench.dir)).filter((f) => /^SAE_.*-key\.pem$/.test(f))) secrets.push([name, (await readFile(join(world.bench.dir, name), 'utf8')).trim()]);
    for (const k of Object.values(world.bench.kme.kmes)) secrets.push([`URL of ${k.id}`, k.url]);
    expect(secrets.length).toBe(4 * 3 + 4 + 3);
    const texts: Array<[string, string]> = [['environment', JSON.stringify(env)], ...filesUnder(coord.dir).map((f): [string, string] => [f, readFileSync(f, 'latin1')])];
    expect(texts.flatMap(([where, t]) => scanText(where, t, new Map(), secrets))).toEqual([]);
    expect(Object.keys(env).some((k) => k.startsWith('PW_'))).toBe(false);
  });

  it('init and 3 rotations succeed through the agents, every exchange recorded both ways', () => {
    expect(runs.map((r) => [r.args[0], r.code])).toEqual([['validate', 0], ['init', 0], ['rotate', 0], ['rotate', 0], ['rotate', 0], ['status', 0]]);
    for (const r of runs.filter((x) => x.args[0] === 'rotate')) {
      const report = JSON.parse(r.out) as { links: Array<{ link: string; result: string }> };
      expect(report.links.map((l) => [l.link, l.result])).toEqual([['dc1-dc2', 'ok'], ['dc2-dc4', 'ok'], ['dc1-edge', 'ok']]);
    }
    const paths = new Set(exchanges.map((e) => e.path.split('?')[0]));
    for (const p of ['/v1/check', '/v1/keys/enc', '/v1/keys/dec', '/v1/tx/end', '/v1/devices/read', '/v1/devices/commit', '/v1/devices/stage', '/v1/devices/confirm-staged', '/v1/devices/mka']) expect(paths, p).toContain(p);
    expect(new Set(exchanges.map((e) => e.site))).toEqual(new Set(['dc1', 'dc2', 'dc3']));
    for (const e of exchanges) {
      expect(e.status, `${e.method} ${e.path}: ${e.response}`).toBe(200);
      expect(Object.keys(e.requestHeaders).length).toBeGreaterThan(0);
      expect(Object.keys(e.responseHeaders).length).toBeGreaterThan(0);
      expect(e.response.length).toBeGreaterThan(0);
      if (e.method === 'POST') expect(e.request.length).toBeGreaterThan(0);
    }
  });

  it('no key and no CAK in any exchange, any output of the coordinator or any file it wrote: zero hits', () => {
    // init: 3 first keys + 3 fallback keys; then one per link per rotation.
    expect(needles.keyIds.size).toBe(6 + 3 * ROTATIONS);
    expect(needles.extra.length).toBeGreaterThanOrEqual(needles.keyIds.size);
    const texts: Array<[string, string]> = [
      ...exchanges.map((e, i): [string, string] => [`exchange ${i}: ${e.site} ${e.method} ${e.path}`, JSON.stringify(e)]),
      ...runs.flatMap((r): Array<[string, string]> => [[`${r.args.join(' ')}: stdout`, r.out], [`${r.args.join(' ')}: stderr`, r.err]]),
    ];
    const scan = scanAll(texts, [coord.dir], needles);
    const files = filesUnder(coord.dir);
    expect(files.some((f) => f.startsWith(`${coord.stateDir}/`))).toBe(true);
    expect(scan.sources).toBe(texts.length + files.length);
    // The scan looks where the key_IDs are: the exchanges and the debug logs name every one.
    const everything = texts.map(([, t]) => t).join('\n');
    for (const keyId of needles.keyIds) expect(everything, keyId).toContain(keyId);
    expect(scan.leaks).toEqual([]);
    console.info(`agent-leak: ${needles.keys.size} key/CAK needles in 6 forms each (hex, HEX, base64, base64url, hex prefix, Buffer inspect) + ${needles.extra.length} $9$ needles; scanned ${exchanges.length} exchanges, ${runs.length * 2} coordinator streams, ${files.length} files: ${scan.sources} sources, ${scan.bytes} bytes; 0 hits`);
  });

  it('positive control: the same scanner finds the keys where they belong — the devices, the KME key log, a body that carried one', () => {
    const shown = Object.keys(world.bench.junos.devices).map((d): [string, string] => [`${d} committed`, world.bench.junos.device(d).committedText()]);
    const onDevices = scanAll(shown, [], needles);
    // Every device shows its current keys as $9$: 4 devices, several keys each.
    expect(new Set(onDevices.leaks.map((l) => l.where)).size).toBe(4);
    expect(onDevices.leaks.every((l) => l.form.startsWith('$9$'))).toBe(true);
    const kmeLog = scanAll([['sim-kme key log', readFileSync(world.bench.keyLogs!.kme, 'utf8')]], [], needles);
    expect([...needles.keyIds].filter((k) => !kmeLog.found.has(k))).toEqual([]);
    // A recorded exchange that had carried a key, in each form the scanner knows, is caught.
    const [keyId, bytes] = [...needles.keys][0]!;
    const [label, junos9] = needles.extra[0]!;
    for (const [form, text] of [...keyForms(bytes), [label, junos9] as [string, string]]) {
      const forged = { ...exchanges[0]!, response: JSON.stringify({ keyId, held: text }) };
      expect(scanAll([['forged exchange', JSON.stringify(forged)]], [], needles).leaks.map((l) => l.form), form).toContain(form);
    }
  });

  it('the links ended secured with 0 ms down, and every key_ID in the coordinator state came from the KMEs', async () => {
    const now = world.bench.junos.now();
    for (const c of world.cables) {
      expect(world.bench.junos.linkStatus(c.id).state, c.id).toBe('secured');
      expect(downTimeAfterFirstSecured(world.bench.junos.linkHistory(c.id).downIntervals, world.simStart, now), c.id).toEqual({ ms: 0, drops: 0, everSecured: true });
    }
    const state = await createStateStore(coord.stateDir).load();
    const keyIds = await keyIdsInLog(join(coord.stateDir, KEY_IDS_FILE));
    expect(keyIds).toHaveLength(needles.keyIds.size);
    expect(keyIds.filter((k) => !needles.keyIds.has(k))).toEqual([]);
    for (const [link, l] of Object.entries(state.links)) expect(needles.keyIds.has(l.keyId!), link).toBe(true);
  });
});
