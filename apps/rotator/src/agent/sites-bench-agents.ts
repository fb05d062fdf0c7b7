// Each simulated site's agent (simulated-sites.ts): its server certificate, its agent.yaml on disk
// read back by loadAgentConfig as `qkd-macsec agent` reads it, and the SiteConfig the coordinator
// gets for it (URL, CA, its client certificate, the agent's pin: no KME or device credential).
import { X509Certificate } from 'node:crypto';
import { issueCertificate, type Credential } from '@qkd-macsec/cert-lcm';
import type { SimJunos } from '@qkd-macsec/sim-junos';
import type { SimKme } from '@qkd-macsec/sim-kme';
import type { SiteConfig } from './client/site.js';
import { loadAgentConfig } from './config/load.js';
import type { AgentConfig } from './config/types.js';
import { pinOf } from './server/peer.js';
import type { BenchFiles, BenchPki } from './sites-bench-pki.js';

export const kmeOf = (site: string) => `KME_${site}`;
export const saeOf = (device: string) => `SAE_${device}`;

export interface SiteAgentSpec {
  site: string;
  devices: string[];
  /** agent.yaml's coordinator line (default: the name `coordinator`). */
  coordinator?: string | undefined;
  keyTtlSeconds?: number | undefined;
  metrics?: boolean | undefined;
}

/** Writes the site's agent.yaml (the device passwords go into `env`) and loads it. */
export async function writeSiteAgent(spec: SiteAgentSpec, sims: { kme: SimKme; junos: SimJunos }, files: BenchFiles, pki: BenchPki, env: Record<string, string>, now: Date): Promise<{ agentConfig: AgentConfig; siteConfig: SiteConfig }> {
  const { site, devices } = spec;
  const { kme, junos } = sims;
  const server = await issueCertificate({ issuer: pki.pki.agentsCa, profile: 'server', commonName: `agent-${site}`, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], now });
  const serverFiles = await files.writeCredential(`agent-${site}`, server);
  const lines = [`site: ${site}`, 'listen: "127.0.0.1:0"', `tls: { cert: ${serverFiles.certFile}, key: ${serverFiles.keyFile}, ca: ${pki.coordinatorsCaFile} }`];
  lines.push(spec.coordinator ?? 'coordinator: { name: coordinator }');
  lines.push('kmes:', `  ${kmeOf(site)}: { url: "${kme.kmes[kmeOf(site)]!.url}", ca: ${pki.kmeCaFile} }`, 'saes:');
  for (const d of devices) {
    const sae = kme.pki!.saes[saeOf(d)]!;
    const saeFiles = await files.writeCredential(saeOf(d), { certPem: sae.certPem, keyPem: sae.keyPem } as Credential);
    lines.push(`  ${saeOf(d)}: { kme: ${kmeOf(site)}, cert: ${saeFiles.certFile}, key: ${saeFiles.keyFile} }`);
  }
  lines.push('devices:');
  for (const d of devices) {
    const x = junos.devices[d]!;
    env[`PW_${d}`] = x.password;
    lines.push(`  ${d}: { host: ${x.host}, port: ${x.port}, username: ${x.username}, password: { env: PW_${d} }, hostKey: { fingerprint: "${x.hostKeyFingerprint}" }, sae: ${saeOf(d)} }`);
  }
  if (spec.keyTtlSeconds !== undefined) lines.push(`keyTtlSeconds: ${spec.keyTtlSeconds}`);
  if (spec.metrics) lines.push('metrics: { listen: "127.0.0.1:0" }');
  const file = await files.write(`agent-${site}.yaml`, `${lines.join('\n')}\n`);
  const { coordinatorFiles } = pki;
  return {
    agentConfig: await loadAgentConfig(file, { env }),
    siteConfig: {
      name: site,
      agent: { url: 'https://127.0.0.1:0', caFile: pki.agentsCaFile, certFile: coordinatorFiles.certFile, keyFile: coordinatorFiles.keyFile, fingerprints: [pinOf(new X509Certificate(server.certPem).fingerprint256)] },
      saes: devices.map(saeOf),
      devices: Object.fromEntries(devices.map((d) => [d, { name: d, sae: saeOf(d) }])),
    },
  };
}
