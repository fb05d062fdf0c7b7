// The CLI in agent mode (config `sites:`): validate's key-custody section, validate --connect
// through each site's agent, and run/rotate/init/status handing the engine an agent directory
// that is closed with it. The agent client is scripted here through CliDeps.agents (its wire has
// its own tests in agent/); the engine is scripted as in rotate.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SiteConfig } from '../config/index.js';
import type { AgentClient, AgentDirectory } from '../fleet/ops.js';
import type { AgentCheck, AgentWiring } from './agents.js';
import type { CreateRotatorOptions, Rotator } from './engine.js';
import { runCli } from './program.js';
import { capturedIo } from './testing/capture.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rotator-agent-mode-'));
  for (const f of ['ca.crt', 'a.crt', 'a.key', 'coord.crt', 'coord.key', 'agents-ca.crt']) writeFileSync(join(dir, f), 'pem');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const AGENT = (host: string) => `{ url: "https://${host}:8443", ca: agents-ca.crt, cert: coord.crt, key: coord.key }`;
// r1 direct (lab), r2 and r3 at dc2, r4 at dc3. L1 touches r1, so the coordinator holds its key.
const MIXED = `
kmes: { KME_A: { url: "https://127.0.0.1:1", ca: ca.crt } }
saes: { SAE_A: { kme: KME_A, cert: a.crt, key: a.key } }
devices:
  r1: { host: 127.0.0.1, username: u, password: { env: PW }, hostKey: { insecureAcceptAnyHostKey: true }, sae: SAE_A }
sites:
  dc2: { agent: ${AGENT('agent-dc2')}, saes: [SAE_B, SAE_C], devices: { r2: { sae: SAE_B }, r3: { sae: SAE_C } } }
  dc3: { agent: ${AGENT('agent-dc3')}, saes: [SAE_D], devices: { r4: { sae: SAE_D } } }
links:
  - { name: L1, master: { device: r1, interfaces: [et-0/0/0] }, slaves: [ { device: r2, interfaces: [et-0/0/0] } ] }
  - { name: L2, master: { device: r3, interfaces: [et-0/0/1] }, slaves: [ { device: r4, interfaces: [et-0/0/1] } ] }
`;
const SITES_ONLY = MIXED.replace(/^kmes:.*\n^saes:.*\n^devices:\n^ {2}r1:.*\n/m, '').replace('{ device: r1, interfaces: [et-0/0/0] }', '{ device: r4, interfaces: [et-0/0/0] }');

function configFile(text: string): string {
  const file = join(dir, 'qkd.yaml');
  writeFileSync(file, text);
  return file;
}

/** A scripted agent client: what checkAgent answers per site, and what the directory saw. */
function scriptedAgents(checks: Record<string, AgentCheck | Error> = {}) {
  const seen = { built: [] as string[][], checked: [] as string[], pairs: {} as Record<string, string[]>, closed: 0 };
  const directory: AgentDirectory = {
    forDevice: () => undefined as AgentClient | undefined,
    forSae: () => undefined as AgentClient | undefined,
    all: () => [],
    close: () => {
      seen.closed += 1;
      return Promise.resolve();
    },
  };
  const wiring: AgentWiring = {
    createAgentDirectory: (config) => {
      seen.built.push(Object.keys(config.sites));
      return directory;
    },
    checkAgent: (site: SiteConfig, options) => {
      seen.checked.push(site.name);
      seen.pairs[site.name] = (options.pairs ?? []).map((p) => `${p.sae}>${p.slave}`);
      const answer = checks[site.name];
      if (answer === undefined) return Promise.reject(new Error(`no script for ${site.name}`));
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
  return { wiring, seen, directory };
}

function engine(seen: { options?: CreateRotatorOptions; closed?: boolean }, options: CreateRotatorOptions): Rotator {
  seen.options = options;
  return {
    init: () => Promise.reject(new Error('not scripted')),
    rotate: () => Promise.resolve({ startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z', links: [] }),
    status: () => Promise.resolve([]),
    resume: () => Promise.resolve([]),
    close: () => {
      seen.closed = true;
      return Promise.resolve();
    },
  };
}

describe('validate with sites', () => {
  it('says per site whether the coordinator sees its keys, and per link which processes hold the key', async () => {
    const file = configFile(MIXED);
    const io = capturedIo({ env: { PW: 'p' } });
    expect(await runCli(['-c', file, 'validate'], { io })).toBe(0);
    expect(io.out()).toContain(`config ${file} is valid: 1 KME, 4 SAEs, 4 devices, 2 sites with an agent, 2 links,`);
    expect(io.out()).toContain(
      [
        'key custody:',
        '  direct (reached by the coordinator): SAEs SAE_A; devices r1',
        '    the coordinator fetches these keys and holds every CAK of links that touch it',
        '  site dc2 (agent https://agent-dc2:8443): SAEs SAE_B, SAE_C; devices r2, r3',
        '    keys stay at the site: only its agent fetches them and derives the CAKs',
        '  site dc3 (agent https://agent-dc3:8443): SAEs SAE_D; devices r4',
        '    keys stay at the site: only its agent fetches them and derives the CAKs',
        '  links (processes that hold the key):',
        '    L1: coordinator, agent dc2',
        '    L2: agent dc2, agent dc3',
        '  the coordinator holds the keys of 1 of 2 links',
      ].join('\n'),
    );
  });

  it('--json carries the same custody; a config with agents everywhere leaves the coordinator no key', async () => {
    const io = capturedIo();
    expect(await runCli(['-c', configFile(SITES_ONLY), 'validate', '--json'], { io })).toBe(0);
    const report = JSON.parse(io.out()) as { custody: { sites: Array<{ site: string; mode: string }>; links: Array<{ link: string; holders: string[]; coordinatorSeesKey: boolean }> } };
    expect(report.custody.sites.map((s) => `${s.site}:${s.mode}`)).toEqual(['dc2:agent', 'dc3:agent']);
    expect(report.custody.links).toEqual([
      { link: 'L1', holders: ['agent dc3', 'agent dc2'], coordinatorSeesKey: false },
      { link: 'L2', holders: ['agent dc2', 'agent dc3'], coordinatorSeesKey: false },
    ]);
    const text = capturedIo();
    await runCli(['-c', configFile(SITES_ONLY), 'validate'], { io: text });
    expect(text.out()).toContain('  the coordinator holds no key material\n');
  });
});

describe('validate --connect with sites', () => {
  const DC2: AgentCheck = {
    site: 'dc2',
    url: 'https://agent-dc2:8443',
    ok: false,
    kmes: [
      { sae: 'SAE_B', slave: 'SAE_A', ok: true, message: 'stored 10/100 keys of 256 bits' },
      { sae: 'SAE_C', slave: 'SAE_D', ok: false, message: 'KME_C answered 503' },
    ],
    devices: [
      { device: 'r2', ok: true, model: 'mx204', version: '23.4R1.10' },
      { device: 'r3', ok: false, message: 'authentication failed' },
    ],
  };

  it('asks each agent, shows its KME and device rows in the table, and an unreachable agent as a failed row (exit 1)', async () => {
    const { wiring, seen } = scriptedAgents({ dc2: DC2, dc3: new Error('AgentError: agent dc3 GET /v1/check: connect ECONNREFUSED') });
    const io = capturedIo();
    expect(await runCli(['-c', configFile(SITES_ONLY), '--log-level', 'fatal', 'validate', '--connect'], { io, agents: wiring })).toBe(1);
    expect(seen.checked.sort()).toEqual(['dc2', 'dc3']);
    // Each agent is asked for the SAE pairs that start at its site, both directions of every link.
    expect(seen.pairs).toEqual({ dc2: ['SAE_B>SAE_D', 'SAE_C>SAE_D'], dc3: ['SAE_D>SAE_B', 'SAE_D>SAE_C'] });
    const out = io.out();
    expect(out).toMatch(/agent +dc2 \(https:\/\/agent-dc2:8443\) +ok +\d+ ms +reached over mutual TLS; 2 KME and 2 device checks at the site, 2 failing/);
    expect(out).toMatch(/kme +agent dc2: SAE_B -> SAE_A +ok +\d+ ms +stored 10\/100 keys of 256 bits/);
    expect(out).toMatch(/kme +agent dc2: SAE_C -> SAE_D +FAILED +\d+ ms +KME_C answered 503/);
    expect(out).toMatch(/device +r2 \(agent dc2\) +ok +\d+ ms +mx204 Junos 23\.4R1\.10/);
    expect(out).toMatch(/device +r3 \(agent dc2\) +FAILED +\d+ ms +authentication failed/);
    expect(out).toMatch(/agent +dc3 \(https:\/\/agent-dc3:8443\) +FAILED +\d+ ms +AgentError: agent dc3 GET \/v1\/check: connect ECONNREFUSED/);
    expect(out).toContain('3 of 6 checks failed');
  });

  it('all agents fine: exit 0, and --json lists the agent probes', async () => {
    const ok = (site: string, device: string): AgentCheck => ({ site, url: `https://agent-${site}:8443`, ok: true, kmes: [], devices: [{ device, ok: true, model: 'mx204', version: '23.4R1.10' }] });
    const { wiring } = scriptedAgents({ dc2: { ...ok('dc2', 'r2'), devices: [...ok('dc2', 'r2').devices, ...ok('dc2', 'r3').devices] }, dc3: ok('dc3', 'r4') });
    const io = capturedIo();
    expect(await runCli(['-c', configFile(SITES_ONLY), '--log-level', 'fatal', 'validate', '--connect', '--json'], { io, agents: wiring })).toBe(0);
    const report = JSON.parse(io.out()) as { probes: Array<{ kind: string; target: string; ok: boolean }> };
    expect(report.probes.map((p) => `${p.kind} ${p.target} ${p.ok}`)).toEqual([
      'agent dc2 (https://agent-dc2:8443) true',
      'device r2 (agent dc2) true',
      'device r3 (agent dc2) true',
      'agent dc3 (https://agent-dc3:8443) true',
      'device r4 (agent dc3) true',
    ]);
  });
});

describe('the engine in agent mode', () => {
  it('rotate with sites: the engine gets the agent directory, closed after the engine', async () => {
    const { wiring, seen, directory } = scriptedAgents();
    const eng: { options?: CreateRotatorOptions; closed?: boolean } = {};
    const io = capturedIo();
    const state = join(dir, 'state');
    const file = configFile(`${SITES_ONLY}stateDir: ${state}\n`);
    expect(await runCli(['-c', file, '--log-level', 'error', 'rotate'], { io, agents: wiring, createRotator: (o) => engine(eng, o) })).toBe(0);
    expect(seen.built).toEqual([['dc2', 'dc3']]);
    expect((eng.options as { agents?: unknown }).agents).toBe(directory);
    expect(eng.closed).toBe(true);
    expect(seen.closed).toBe(1);
  });

  it('without sites no directory is built and the engine gets no agents', async () => {
    const { wiring, seen } = scriptedAgents();
    const direct = `
kmes: { KME_A: { url: "https://127.0.0.1:1", ca: ca.crt } }
saes: { SAE_A: { kme: KME_A, cert: a.crt, key: a.key }, SAE_B: { kme: KME_A, cert: a.crt, key: a.key } }
devices:
  r1: { host: 127.0.0.1, username: u, password: { env: PW }, hostKey: { insecureAcceptAnyHostKey: true }, sae: SAE_A }
  r2: { host: 127.0.0.1, username: u, password: { env: PW }, hostKey: { insecureAcceptAnyHostKey: true }, sae: SAE_B }
links:
  - { name: L1, master: { device: r1, interfaces: [et-0/0/0] }, slaves: [ { device: r2, interfaces: [et-0/0/0] } ] }
stateDir: ${join(dir, 'state')}
`;
    const eng: { options?: CreateRotatorOptions; closed?: boolean } = {};
    expect(await runCli(['-c', configFile(direct), '--log-level', 'error', 'rotate'], { io: capturedIo({ env: { PW: 'p' } }), agents: wiring, createRotator: (o) => engine(eng, o) })).toBe(0);
    expect(seen.built).toEqual([]);
    expect(eng.options).not.toHaveProperty('agents');
    expect(eng.closed).toBe(true);
  });

  it('an engine that fails to start still closes the agent directory', async () => {
    const { wiring, seen } = scriptedAgents();
    const io = capturedIo();
    expect(await runCli(['-c', configFile(SITES_ONLY), '--log-level', 'fatal', 'status'], { io, agents: wiring, createRotator: () => Promise.reject(new Error('engine refused')) })).toBe(1);
    expect(io.err()).toContain('engine refused');
    expect(seen.built).toHaveLength(1);
    expect(seen.closed).toBe(1);
  });
});
