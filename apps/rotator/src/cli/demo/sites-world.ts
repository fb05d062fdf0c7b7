// `demo --sites`' world: the demo's four routers and three links over three sites, each with its
// own sim-kme KME and a site agent (the sites bench: agent.yaml files, cert-lcm PKI, real mutual
// TLS), sim-junos on a real clock — and a coordinator config file that names only the sites:
// no kmes, no saes, no devices, no password, no SAE certificate. The coordinator's own client
// certificate (for the agents' mutual TLS) is the one credential it has.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSitesBench, type SitesBench } from '../../agent/simulated-sites.js';
import { demoCables, demoLinksAndRotationYaml, type DemoCable } from './topology.js';

/** dc1 holds the group's master r1; dc2 r2 and r3; dc3 r4. Every link crosses sites; dc1-edge spans all three. */
const SITES_DEMO: Record<string, { devices: string[] }> = { dc1: { devices: ['r1'] }, dc2: { devices: ['r2', 'r3'] }, dc3: { devices: ['r4'] } };

export interface SitesWorldOptions {
  tmpRoot?: string;
  commitLatencyMs?: number;
}

export interface SitesWorld {
  bench: SitesBench;
  cables: DemoCable[];
  /** sim-junos time when its links were created. */
  simStart: number;
  /** Stops agents and simulators; removes the dir unless keep. */
  close(options?: { keep?: boolean }): Promise<void>;
}

export async function startSitesWorld(options: SitesWorldOptions = {}): Promise<SitesWorld> {
  const cables = demoCables();
  const bench = await startSitesBench({
    sites: SITES_DEMO,
    links: cables.map((c) => [c.id, c.a, c.b]),
    clock: 'real',
    commitLatencyMs: options.commitLatencyMs ?? 20,
    keyLogs: true,
    metrics: true,
    ...(options.tmpRoot !== undefined ? { tmpRoot: options.tmpRoot } : {}),
  });
  return { bench, cables, simStart: bench.junos.now(), close: (o) => bench.close(o) };
}

export interface CoordinatorFiles {
  dir: string;
  configFile: string;
  stateDir: string;
}

/**
 * The coordinator's directory: qkd-macsec.yaml with `sites:` only, the agents' CA and its client
 * certificate beside it, state/. `urls` puts something else (a relay) in front of an agent.
 */
export async function writeCoordinatorConfig(bench: SitesBench, dir: string, options: { urls?: Record<string, string>; leadTimeSeconds?: number } = {}): Promise<CoordinatorFiles> {
  await mkdir(join(dir, 'certs'), { recursive: true, mode: 0o700 });
  const f = bench.coordinatorFiles;
  await copyFile(f.caFile, join(dir, 'certs', 'agents-ca.pem'));
  await copyFile(f.certFile, join(dir, 'certs', 'coordinator.pem'));
  await copyFile(f.keyFile, join(dir, 'certs', 'coordinator-key.pem'));
  const lines = ['# Written by `qkd-macsec demo --sites`: the coordinator knows each site by its agent, never a KME or device credential.', 'sites:'];
  for (const [name, s] of Object.entries(bench.sites)) {
    const url = options.urls?.[name] ?? s.agent.url;
    lines.push(
      `  ${name}:`,
      `    agent: { url: "${url}", ca: ./certs/agents-ca.pem, cert: ./certs/coordinator.pem, key: ./certs/coordinator-key.pem, fingerprint: "${s.agent.fingerprints[0]}" }`,
      `    saes: [${s.saes.join(', ')}]`,
      '    devices:',
      ...Object.values(s.devices).map((d) => `      ${d.name}: { sae: ${d.sae} }`),
    );
  }
  lines.push(...demoLinksAndRotationYaml(options.leadTimeSeconds ?? 3));
  const configFile = join(dir, 'qkd-macsec.yaml');
  await writeFile(configFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  return { dir, configFile, stateDir: join(dir, 'state') };
}
