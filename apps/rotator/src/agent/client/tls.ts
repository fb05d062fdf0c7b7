// The undici dispatcher that carries the coordinator's mutual TLS to one agent: the agent's CA,
// the coordinator's client certificate and key, the usual host name check, and — when the site
// lists fingerprints — the agent's certificate pinned by the SHA-256 of its DER.
import { readFileSync } from 'node:fs';
import { checkServerIdentity, createSecureContext, type PeerCertificate } from 'node:tls';
import { Agent } from 'undici';
import { pinOf } from '../server/peer.js';

export interface AgentTls {
  caFile: string;
  certFile: string;
  keyFile: string;
  fingerprints: string[];
}

export function agentDispatcher(site: string, tls: AgentTls): Agent {
  const read = (what: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw new Error(`site ${site}: agent ${what} ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
  };
  const pins = tls.fingerprints.map((f) => f.toLowerCase());
  // One secure context for every connection: given ca/cert/key, Node parses the PEMs again for
  // each new socket (undici opens one per concurrent request).
  const secureContext = createSecureContext({ ca: read('ca', tls.caFile), cert: read('cert', tls.certFile), key: read('key', tls.keyFile), minVersion: 'TLSv1.2' });
  return new Agent({
    connect: {
      secureContext,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      checkServerIdentity(host: string, cert: PeerCertificate) {
        const named = checkServerIdentity(host, cert);
        if (named) return named;
        if (pins.length > 0 && !pins.includes(pinOf(cert.fingerprint256))) {
          return new Error(`the agent's certificate ${pinOf(cert.fingerprint256)} is not pinned for site ${site}`);
        }
        return undefined;
      },
    },
  });
}
