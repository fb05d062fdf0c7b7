import type { PeerCertificate } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { saeIdFromCertificate } from './sae-identity.js';

const cert = (fields: Partial<PeerCertificate>) => ({ subject: { CN: 'SAE_CN' }, ...fields }) as PeerCertificate;

describe('saeIdFromCertificate', () => {
  it('takes the CN by default', () => {
    expect(saeIdFromCertificate(cert({}), 'cn')).toBe('SAE_CN');
  });

  it('takes a SAN entry of the configured kind, preferring one attached to this KME', () => {
    const c = cert({ subjectaltname: 'DNS:other.example, URI:urn:sae:1, DNS:sae-a.example, email:sae@example.org' });
    expect(saeIdFromCertificate(c, 'san-dns')).toBe('other.example');
    expect(saeIdFromCertificate(c, 'san-dns', (s) => s === 'sae-a.example')).toBe('sae-a.example');
    expect(saeIdFromCertificate(c, 'san-uri')).toBe('urn:sae:1');
    expect(saeIdFromCertificate(c, 'san-email')).toBe('sae@example.org');
  });

  it('gives null when the certificate has no such identity', () => {
    expect(saeIdFromCertificate(cert({}), 'san-dns')).toBeNull();
    expect(saeIdFromCertificate(cert({ subject: {} as PeerCertificate['subject'] }), 'cn')).toBeNull();
    expect(saeIdFromCertificate({} as PeerCertificate, 'cn')).toBeNull();
  });
});
