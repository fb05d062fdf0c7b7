// Who is calling: the TLS layer has already verified the client certificate against tls.ca
// (requestCert + rejectUnauthorized); this decides whether that certificate is the coordinator's —
// by name (CN or a SAN) or by the SHA-256 pin of its DER — before any body is read.
import type { TLSSocket } from 'node:tls';
import type { CoordinatorIdentity } from '../config/types.js';

export type PeerVerdict = { ok: true; who: string } | { ok: false; status: 401 | 403; reason: 'no-certificate' | 'wrong-name' | 'wrong-pin'; who: string };

/** "sha256:<64 lower-case hex>" from Node's fingerprint256 ("AB:CD:…"). */
export function pinOf(fingerprint256: string): string {
  return `sha256:${fingerprint256.replaceAll(':', '').toLowerCase()}`;
}

export function checkPeer(socket: TLSSocket, identity: CoordinatorIdentity): PeerVerdict {
  const cert = socket.getPeerCertificate();
  if (!socket.authorized || cert === null || Object.keys(cert).length === 0) {
    return { ok: false, status: 401, reason: 'no-certificate', who: `unverified peer ${socket.remoteAddress ?? '?'}` };
  }
  const fingerprint = pinOf(cert.fingerprint256);
  const cn = typeof cert.subject?.CN === 'string' ? cert.subject.CN : undefined;
  const who = `${cn ? `CN=${cn}` : 'a certificate without CN'} ${fingerprint} from ${socket.remoteAddress ?? '?'}`;
  if ('fingerprints' in identity) {
    return identity.fingerprints.includes(fingerprint) ? { ok: true, who } : { ok: false, status: 403, reason: 'wrong-pin', who };
  }
  const sans = (cert.subjectaltname ?? '')
    .split(',')
    .map((s) => s.trim().replace(/^(DNS|URI|IP Address):/, ''))
    .filter(Boolean);
  return cn === identity.name || sans.includes(identity.name) ? { ok: true, who } : { ok: false, status: 403, reason: 'wrong-name', who };
}
