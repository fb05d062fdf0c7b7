// Simulated sites for `demo --sites` and the agent tests: sim-kme (one KME per site, real mTLS),
// sim-junos (real SSH/NETCONF, manual clock), certificates from cert-lcm (an agents' CA, a coordinators' CA, the coordinator's
// client certificate), and per site an agent.yaml on disk that loadAgentConfig reads — the agents
// are started from their files, as `qkd-macsec agent` starts them (sites-bench-agents.ts). The
// coordinator side gets SiteConfigs and nothing else: no KME or device credential.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Credential } from '@qkd-macsec/cert-lcm';
import { startSimJunos, type SimJunos } from '@qkd-macsec/sim-junos';
import { createLogger as createSimKmeLogger, startSimKme, type SimKme } from '@qkd-macsec/sim-kme';
import { createLogger, type RotatorLogger } from '../log/index.js';
import type { AgentConfig } from './config/types.js';
import type { SiteConfig } from './client/site.js';
import { startAgent, type RunningAgent, type StartAgentOptions } from './server/agent.js';
import { kmeOf, saeOf, writeSiteAgent } from './sites-bench-agents.js';
import { benchFiles, createBenchPki } from './sites-bench-pki.js';

interface SiteSpec {
  /** Device name → interface list is fixed: et-0/0/0 faces the peer in `links`. */
  devices: string[];
}

export interface SitesBenchOptions {
  sites: Record<string, SiteSpec>;
  /** Physical links between devices (sim-junos link IDs): [id, 'r1:et-0/0/0', 'r2:et-0/0/0']. */
  links: Array<[string, string, string]>;
  keyTtlSeconds?: number;
  /** Extra agent.yaml text per site (e.g. a coordinator pin instead of a name). */
  coordinator?: Record<string, string>;
  /** sim-junos' clock: 'manual' (default; the test moves it) or 'real' (a coordinator in another process, the demo). */
  clock?: 'manual' | 'real';
  /** sim-junos commit latency on every device (default none). */
  commitLatencyMs?: number;
  /** The simulators' key logs (needles for leak scanners, key material in clear): kme-keys.jsonl and junos-keys.jsonl in `dir`. */
  keyLogs?: boolean;
  /** Each agent also serves plain /healthz + /metrics on 127.0.0.1 (any port): RunningAgent.metricsUrl. */
  metrics?: boolean;
  /** Where the temp dir goes (default the OS temp dir). */
  tmpRoot?: string;
}

export interface SitesBench {
  kme: SimKme;
  junos: SimJunos;
  dir: string;
  /** Every key the KMEs handed out, hex. */
  issuedKeys: string[];
  /** What the coordinator is given per site: URL, CA, its client cert, pins. */
  sites: Record<string, SiteConfig>;
  agents: Record<string, RunningAgent>;
  agentConfigs: Record<string, AgentConfig>;
  /** Every line the agents logged. */
  agentLog: string[];
  pki: { agentsCa: Credential; coordinatorsCa: Credential; coordinator: Credential };
  /** The files the coordinator's site configs name: the agents' CA, its own client certificate and key. */
  coordinatorFiles: { caFile: string; certFile: string; keyFile: string };
  /** With `keyLogs`: sim-kme's key log (every key a KME handed out, per KME) and sim-junos' (every CAK committed, with its `$9$` form). */
  keyLogs?: { kme: string; junos: string };
  /** Writes a PEM pair and returns the paths. */
  writeCredential(name: string, c: Credential): Promise<{ certFile: string; keyFile: string }>;
  startAgent(site: string, extra?: Partial<StartAgentOptions>): Promise<RunningAgent>;
  stopAgent(site: string): Promise<void>;
  /** Stops everything; removes `dir` unless `keep`. */
  close(options?: { keep?: boolean }): Promise<void>;
}

export async function startSitesBench(options: SitesBenchOptions): Promise<SitesBench> {
  const dir = await mkdtemp(join(options.tmpRoot ?? tmpdir(), 'agent-bench-'));
  const keyLogs = options.keyLogs ? { kme: join(dir, 'kme-keys.jsonl'), junos: join(dir, 'junos-keys.jsonl') } : undefined;
  const issuedKeys: string[] = [];
  const siteNames = Object.keys(options.sites);
  const kme = await startSimKme({
    kmes: siteNames.map((s) => ({ id: kmeOf(s), port: 0, saes: options.sites[s]!.devices.map(saeOf) })),
    links: pairs(siteNames).map(([a, b]) => ({ kmes: [kmeOf(a), kmeOf(b)] })),
    onKeyIssued: (e) => void issuedKeys.push(Buffer.from(e.key).toString('hex')),
    // The key log's loud start-up warning is this option's documented purpose here: errors only.
    ...(keyLogs ? { keyLog: keyLogs.kme, logger: createSimKmeLogger({ level: 'error' }) } : {}),
  });
  const devices = siteNames.flatMap((s) => options.sites[s]!.devices);
  const junos = await startSimJunos({
    clock: options.clock ?? 'manual',
    ...(options.clock === 'real' ? {} : { startTime: Date.UTC(2026, 10, 24, 12, 0, 0) }),
    devices: Object.fromEntries(devices.map((d) => [d, options.commitLatencyMs ? { faults: { commitLatencyMs: options.commitLatencyMs } } : {}])),
    ...(keyLogs ? { keyLog: keyLogs.junos } : {}),
    links: options.links.map(([id, a, b]) => ({ id, a, b })),
  });

  const now = new Date();
  const files = benchFiles(dir);
  const pki = await createBenchPki(files, kme.pki!.ca.certPem, now);
  const agentLog: string[] = [];
  const agentConfigs: Record<string, AgentConfig> = {};
  const sites: Record<string, SiteConfig> = {};
  const env: Record<string, string> = {};
  for (const site of siteNames) {
    const spec = { site, devices: options.sites[site]!.devices, coordinator: options.coordinator?.[site], keyTtlSeconds: options.keyTtlSeconds, metrics: options.metrics };
    const { agentConfig, siteConfig } = await writeSiteAgent(spec, { kme, junos }, files, pki, env, now);
    agentConfigs[site] = agentConfig;
    sites[site] = siteConfig;
  }

  const agents: Record<string, RunningAgent> = {};
  const bench: SitesBench = {
    kme,
    junos,
    dir,
    issuedKeys,
    sites,
    agents,
    agentConfigs,
    agentLog,
    pki: pki.pki,
    coordinatorFiles: { caFile: pki.agentsCaFile, ...pki.coordinatorFiles },
    ...(keyLogs ? { keyLogs } : {}),
    writeCredential: files.writeCredential,
    async startAgent(site, extra = {}) {
      const c = agentConfigs[site]!;
      // A restart comes back on the port the coordinator knows.
      const port = Number(new URL(sites[site]!.agent.url).port);
      const running = await startAgent({ ...c, listen: { ...c.listen, port } }, { logger: agentLogger(site, agentLog), rpcTimeoutMs: 10_000, ...extra });
      agents[site] = running;
      sites[site]!.agent.url = running.url;
      return running;
    },
    async stopAgent(site) {
      await agents[site]?.close();
      delete agents[site];
    },
    async close(o = {}) {
      await Promise.allSettled(Object.values(agents).map((a) => a.close()));
      await Promise.allSettled([kme.close(), junos.close()]);
      if (o.keep !== true) await rm(dir, { recursive: true, force: true });
    },
  };
  for (const site of siteNames) await bench.startAgent(site);
  return bench;
}

/** A site's agent logs JSON lines into `agentLog` (and to stderr with ROTATOR_E2E_LOG set). */
function agentLogger(site: string, agentLog: string[]): RotatorLogger {
  return createLogger({
    format: 'json',
    level: 'debug',
    name: `agent-${site}`,
    stream: new Writable({
      write(chunk: Buffer, _enc, cb) {
        agentLog.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        if (process.env.ROTATOR_E2E_LOG) process.stderr.write(chunk);
        cb();
      },
    }),
  });
}

function pairs<T>(xs: T[]): Array<[T, T]> {
  return xs.flatMap((a, i) => xs.slice(i + 1).map((b) => [a, b] as [T, T]));
}
