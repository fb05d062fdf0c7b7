// The agents benchmark's fleet: sites of linked devices (sim-junos in child processes), one KME
// per site (sim-kme in a child process, one SAE per site), and per site a real `qkd-macsec agent`
// child process started from its agent.yaml, with certificates from cert-lcm. The coordinator
// gets, per site, a SiteConfig (the agent's URL, CA and pin, its own client certificate) and
// nothing else; direct mode gets the KMEs' and devices' credentials.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCa, issueCertificate, type Credential } from '@qkd-macsec/cert-lcm';
import type { SiteConfig } from '../../apps/rotator/src/agent/client/index.js';
import { agentDispatcher } from '../../apps/rotator/src/agent/client/tls.js';
import { pinOf } from '../../apps/rotator/src/agent/server/peer.js';
import { startJunos, startKme, type DeviceInfo } from './sim-child.js';
import { unitNodeOptions } from './unit-node-options.js';

const BIN = fileURLToPath(new URL('../../apps/rotator/bin/qkd-macsec.js', import.meta.url));
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

export interface SitesLayout {
  sites: string[];
  /** Link i (L{i+1}, devices d{2i+1} → d{2i+2}): its master's site and its slave's. */
  linkSites: Array<[string, string]>;
}

/**
 * `links` links over `sites` sites, each device in one link, every site holding the same number
 * of devices: link i's master is at site i mod S and its slave at the site 1…S-1 further on, the
 * offset cycling with i / S, so every pair of sites shares links, both ways.
 */
export function layout(links: number, siteCount: number): SitesLayout {
  const sites = Array.from({ length: siteCount }, (_, s) => `dc${s + 1}`);
  const linkSites = Array.from({ length: links }, (_, i): [string, string] => {
    const s = i % siteCount;
    const offset = 1 + (Math.floor(i / siteCount) % (siteCount - 1));
    return [sites[s]!, sites[(s + offset) % siteCount]!];
  });
  return { sites, linkSites };
}

export const saeOf = (site: string) => `SAE_${site}`;
export const kmeOf = (site: string) => `KME_${site}`;

export async function startSites(l: SitesLayout, options: { simProcs: number; latencyMs: number; agentCpuProfileDir?: string | undefined }) {
  const dir = await mkdtemp(join(tmpdir(), 'agents-bench-'));
  const kme = await startKme({
    kmes: l.sites.map((s) => ({ id: kmeOf(s), port: 0, saes: [saeOf(s)] })),
    links: l.sites.flatMap((a, i) => l.sites.slice(i + 1).map((b) => ({ kmes: [kmeOf(a), kmeOf(b)], maxKeyCount: 100_000, keyRateBps: 100_000_000 }))),
  });
  const junos = await startJunos(l.linkSites.length, options.simProcs, options.latencyMs);
  const siteDevices = Object.fromEntries(l.sites.map((s) => [s, [] as string[]]));
  l.linkSites.forEach(([m, sl], i) => {
    siteDevices[m]!.push(`d${2 * i + 1}`);
    siteDevices[sl]!.push(`d${2 * i + 2}`);
  });

  const write = async (name: string, text: string) => {
    const file = join(dir, name);
    await writeFile(file, text, { mode: 0o600 });
    return file;
  };
  const now = new Date();
  const agentsCa = await createCa({ commonName: 'bench agents CA', now });
  const coordinatorsCa = await createCa({ commonName: 'bench coordinators CA', now });
  const coordinator = await issueCertificate({ issuer: coordinatorsCa, profile: 'client', commonName: 'coordinator', now });
  const agentsCaFile = await write('agents-ca.pem', agentsCa.certPem);
  const coordinatorsCaFile = await write('coordinators-ca.pem', coordinatorsCa.certPem);
  const kmeCaFile = await write('kme-ca.pem', kme.ready.ca);
  const coordinatorFiles = { certFile: await write('coordinator.pem', coordinator.certPem), keyFile: await write('coordinator-key.pem', coordinator.keyPem) };

  const agents: Record<string, AgentChild> = {};
  const sites: Record<string, SiteConfig> = {};
  try {
    await Promise.all(
      l.sites.map(async (site) => {
        const server = await issueCertificate({ issuer: agentsCa, profile: 'server', commonName: `agent-${site}`, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], now });
        const sae = kme.ready.saes[saeOf(site)]!;
        const files = {
          cert: await write(`agent-${site}.pem`, server.certPem),
          key: await write(`agent-${site}-key.pem`, server.keyPem),
          saeCert: await write(`${saeOf(site)}.pem`, sae.cert),
          saeKey: await write(`${saeOf(site)}-key.pem`, sae.key),
        };
        const { yaml, env } = agentYaml(site, siteDevices[site]!, junos.devices, { ...files, ca: coordinatorsCaFile, kmeCa: kmeCaFile, kmeUrl: kme.ready.urls[kmeOf(site)]! });
        agents[site] = await startAgentChild(site, await write(`agent-${site}.yaml`, yaml), env, options.agentCpuProfileDir);
        sites[site] = {
          name: site,
          agent: { url: agents[site].url, caFile: agentsCaFile, ...coordinatorFiles, fingerprints: [pinOf(new X509Certificate(server.certPem).fingerprint256)] },
          saes: [saeOf(site)],
          devices: Object.fromEntries(siteDevices[site]!.map((d) => [d, { name: d, sae: saeOf(site) }])),
        };
      }),
    );
  } catch (e) {
    await Promise.allSettled([...Object.values(agents).map((a) => a.stop()), kme.close(), junos.close()]);
    throw e;
  }
  return {
    kme,
    junos,
    sites,
    siteDevices,
    /**
     * Over all agents, from their /metrics (scraped over their mutual TLS, as the coordinator):
     * requests answered and TLS connections accepted so far.
     */
    async agentCounts(): Promise<AgentCounts> {
      const counts = await Promise.all(Object.values(sites).map((s) => scrape(s)));
      const total = (k: keyof AgentCounts) => counts.reduce((a, c) => a + c[k], 0);
      return { requests: total('requests'), exchanges: total('exchanges'), connections: total('connections') };
    },
    /** Per site: the agent process's CPU so far, ms (user + system, from /proc). */
    agentCpuMs: () => Object.fromEntries(Object.entries(agents).map(([s, a]) => [s, a.cpuMs()])),
    async close() {
      await Promise.allSettled(Object.values(agents).map((a) => a.stop()));
      await Promise.allSettled([kme.close(), junos.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface AgentCounts {
  /** API requests answered (alone or as items of a batch). */
  requests: number;
  /** HTTPS exchanges that carried them: requests alone, plus batches. */
  exchanges: number;
  /** TLS connections accepted. */
  connections: number;
}

async function scrape(site: SiteConfig): Promise<AgentCounts> {
  const dispatcher = agentDispatcher(site.name, site.agent);
  try {
    const r = await dispatcher.request({ origin: site.agent.url, path: '/metrics', method: 'GET' });
    const text = await r.body.text();
    const total = (name: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith(name))
        .reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    // requests_total counts the API's POSTs only, so not this GET; connections_total counts its connection.
    const requests = total('qkd_macsec_agent_requests_total');
    const exchanges = requests - total('qkd_macsec_agent_batched_requests_total') + total('qkd_macsec_agent_batches_total');
    return { requests, exchanges, connections: total('qkd_macsec_agent_connections_total') };
  } finally {
    await dispatcher.close();
  }
}

/** agent.yaml for one site (the device passwords by env, as an operator would keep them out of the file). */
function agentYaml(site: string, devices: string[], info: Record<string, DeviceInfo>, f: { cert: string; key: string; ca: string; kmeCa: string; kmeUrl: string; saeCert: string; saeKey: string }) {
  const env: Record<string, string> = {};
  const lines = [
    `site: ${site}`,
    'listen: "127.0.0.1:0"',
    `tls: { cert: ${f.cert}, key: ${f.key}, ca: ${f.ca} }`,
    'coordinator: { name: coordinator }',
    'kmes:',
    `  ${kmeOf(site)}: { url: "${f.kmeUrl}", ca: ${f.kmeCa} }`,
    'saes:',
    `  ${saeOf(site)}: { kme: ${kmeOf(site)}, cert: ${f.saeCert}, key: ${f.saeKey} }`,
    'devices:',
  ];
  for (const d of devices) {
    const x = info[d]!;
    env[`PW_${d}`] = x.password;
    lines.push(`  ${d}: { host: ${x.host}, port: ${x.port}, username: ${x.username}, password: { env: PW_${d} }, hostKey: { fingerprint: "${x.hostKeyFingerprint}" }, sae: ${saeOf(site)} }`);
  }
  return { yaml: `${lines.join('\n')}\n`, env };
}

interface AgentChild {
  url: string;
  cpuMs(): number;
  stop(): Promise<void>;
}

/** `qkd-macsec --config FILE agent` (the built CLI), up once it prints its URL. */
async function startAgentChild(site: string, config: string, env: Record<string, string>, cpuProfileDir: string | undefined): Promise<AgentChild> {
  const child: ChildProcess = spawn(process.execPath, [...(cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfileDir] : []), BIN, '--config', config, '--log-level', 'warn', 'agent'], {
    env: { ...process.env, ...env, NODE_OPTIONS: unitNodeOptions('qkd-macsec-agent.service') }, // as the agent's systemd unit starts it
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`agent ${site} did not start within 60 s: ${out}`)), 60_000);
    void exited.then(() => reject(new Error(`agent ${site} exited before it listened: ${out}`)));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^agent \S+ on (https:\/\/\S+)/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  return {
    url,
    cpuMs() {
      // /proc/PID/stat: utime and stime are fields 14 and 15, in clock ticks (after the ")" of comm).
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
