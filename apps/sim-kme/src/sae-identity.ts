// Who is calling: the SAE ID in the client certificate, checked against the topology.
import type { IncomingMessage } from 'node:http';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { SimKmeConfig } from './config.js';
import type { KeyNetwork } from './key-stream.js';
import { unauthorized } from './refusal.js';

export interface Callers {
  /** The SAE ID of the request's client certificate, or null when it carries none. */
  callerOf(req: IncomingMessage): string | null;
  /** The caller, which must be an SAE attached to this KME (401 otherwise). */
  requireLocalCaller(req: IncomingMessage): string;
}

export function callersOf(kmeId: string, network: KeyNetwork, saeIdFrom: SimKmeConfig['saeIdFrom']): Callers {
  // Peer certificates do not change on a keep-alive connection: resolve the SAE ID once per socket.
  const callerBySocket = new WeakMap<object, string | null>();
  const callerOf = (req: IncomingMessage): string | null => {
    const socket = req.socket as TLSSocket;
    let caller = callerBySocket.get(socket);
    if (caller === undefined) {
      caller = saeIdFromCertificate(socket.getPeerCertificate(), saeIdFrom, (s) => network.kmeOfSae(s) === kmeId);
      callerBySocket.set(socket, caller);
    }
    return caller;
  };
  return {
    callerOf,
    requireLocalCaller(req) {
      const caller = callerOf(req);
      if (caller === null) throw unauthorized(`the client certificate carries no SAE ID (${saeIdFrom})`);
      const home = network.kmeOfSae(caller);
      if (home === undefined) throw unauthorized(`unknown SAE "${caller}"`);
      if (home !== kmeId) throw unauthorized(`SAE "${caller}" is attached to ${home}, not to ${kmeId}`);
      return caller;
    },
  };
}

/**
 * The SAE ID in a client certificate: its subject CN, or a subjectAltName entry. With several
 * SAN entries of the wanted kind, the first that names an SAE of this KME wins.
 */
export function saeIdFromCertificate(
  cert: PeerCertificate | null | undefined,
  from: SimKmeConfig['saeIdFrom'],
  isLocal: (saeId: string) => boolean = () => false,
): string | null {
  if (!cert || !cert.subject) return null;
  if (from === 'cn') {
    const cn = cert.subject.CN as string | string[] | undefined;
    return (Array.isArray(cn) ? cn[0] : cn) || null;
  }
  const prefix = from === 'san-dns' ? 'DNS:' : from === 'san-uri' ? 'URI:' : 'email:';
  const values = (cert.subjectaltname ?? '')
    .split(/,\s*/)
    .filter((e) => e.startsWith(prefix))
    .map((e) => e.slice(prefix.length));
  return values.find(isLocal) ?? values[0] ?? null;
}
