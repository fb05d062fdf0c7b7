import { describe, expect, it } from 'vitest';
import { QkdConfigError, QkdRequestError } from './errors.js';
import { endpointUrl, parseBaseUrl } from './url.js';

describe('parseBaseUrl', () => {
  it('keeps host, port and path prefix, dropping trailing slashes', () => {
    expect(parseBaseUrl('https://kme.example:8443', false)).toBe('https://kme.example:8443');
    expect(parseBaseUrl('https://kme.example:8443/', false)).toBe('https://kme.example:8443');
    expect(parseBaseUrl('https://kme.example/qkd/etsi//', false)).toBe('https://kme.example/qkd/etsi');
    expect(parseBaseUrl('https://[::1]:8443', false)).toBe('https://[::1]:8443');
  });

  it('refuses plain http unless allowed, other schemes, query, fragment, credentials and a base that already has /api/v1/keys', () => {
    expect(() => parseBaseUrl('http://kme:80', false)).toThrow(/plain http: ETSI GS QKD 014 requires HTTPS/);
    expect(parseBaseUrl('http://kme:80', true)).toBe('http://kme');
    expect(() => parseBaseUrl('ftp://kme', true)).toThrow(/protocol ftp:/);
    expect(() => parseBaseUrl('https://kme/?a=1', false)).toThrow(/query string or fragment/);
    expect(() => parseBaseUrl('https://user:pw@kme/', false)).toThrow(/must not carry credentials/);
    expect(() => parseBaseUrl('https://kme/api/v1/keys/', false)).toThrow(/part before \/api\/v1\/keys/);
    expect(() => parseBaseUrl('kme:8443', false)).toThrow(QkdConfigError);
    expect(() => parseBaseUrl('not a url', false)).toThrow(/is not an absolute URL/);
  });
});

describe('endpointUrl', () => {
  it('appends /api/v1/keys/{SAE}/{operation} with the SAE ID percent-encoded', () => {
    expect(endpointUrl('https://kme:8443/prefix', 'SAE_B', 'status')).toBe('https://kme:8443/prefix/api/v1/keys/SAE_B/status');
    expect(endpointUrl('https://kme', 'a/b c?d#e%f', 'enc_keys')).toBe('https://kme/api/v1/keys/a%2Fb%20c%3Fd%23e%25f/enc_keys');
    expect(endpointUrl('https://kme', 'çà', 'dec_keys')).toBe('https://kme/api/v1/keys/%C3%A7%C3%A0/dec_keys');
  });

  it('refuses an empty SAE ID and the segments . and .. that URL parsing would collapse', () => {
    expect(() => endpointUrl('https://kme', '', 'status')).toThrow(QkdRequestError);
    expect(() => endpointUrl('https://kme', '.', 'status')).toThrow(/cannot be expressed/);
    expect(() => endpointUrl('https://kme', '..', 'status')).toThrow(/cannot be expressed/);
    expect(endpointUrl('https://kme', '...', 'status')).toBe('https://kme/api/v1/keys/.../status');
    expect(() => endpointUrl('https://kme', 'a\uD800b', 'status')).toThrow(/not well-formed Unicode/);
  });
});
