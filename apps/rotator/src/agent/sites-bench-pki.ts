// The simulated sites' certificates (simulated-sites.ts) and the files they are written to: an
// agents' CA, a coordinators' CA and the coordinator's client certificate, from cert-lcm.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCa, issueCertificate, type Credential } from '@qkd-macsec/cert-lcm';

export interface BenchFiles {
  /** Writes `text` to `name` in the bench's directory (mode 0600); resolves to its path. */
  write(name: string, text: string): Promise<string>;
  /** Writes a PEM pair (`name`.pem, `name`-key.pem) and returns the paths. */
  writeCredential(name: string, c: Credential): Promise<{ certFile: string; keyFile: string }>;
}

export function benchFiles(dir: string): BenchFiles {
  const write = async (name: string, text: string) => {
    const file = join(dir, name);
    await writeFile(file, text, { mode: 0o600 });
    return file;
  };
  return { write, writeCredential: async (name, c) => ({ certFile: await write(`${name}.pem`, c.certPem), keyFile: await write(`${name}-key.pem`, c.keyPem) }) };
}

export interface BenchPki {
  pki: { agentsCa: Credential; coordinatorsCa: Credential; coordinator: Credential };
  agentsCaFile: string;
  coordinatorsCaFile: string;
  /** The KMEs' CA (sim-kme's), for the agents. */
  kmeCaFile: string;
  /** The coordinator's client certificate and key. */
  coordinatorFiles: { certFile: string; keyFile: string };
}

export async function createBenchPki(files: BenchFiles, kmeCaPem: string, now: Date): Promise<BenchPki> {
  const agentsCa = await createCa({ commonName: 'qkd-macsec agents CA', now });
  const coordinatorsCa = await createCa({ commonName: 'qkd-macsec coordinators CA', now });
  const coordinator = await issueCertificate({ issuer: coordinatorsCa, profile: 'client', commonName: 'coordinator', now });
  return {
    pki: { agentsCa, coordinatorsCa, coordinator },
    agentsCaFile: await files.write('agents-ca.pem', agentsCa.certPem),
    coordinatorsCaFile: await files.write('coordinators-ca.pem', coordinatorsCa.certPem),
    kmeCaFile: await files.write('kme-ca.pem', kmeCaPem),
    coordinatorFiles: await files.writeCredential('coordinator', coordinator),
  };
}
