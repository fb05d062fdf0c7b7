import { describe, expect, it } from 'vitest';
import { QkdTlsError } from './errors.js';
import { networkError, type TlsContext } from './failure.js';

const tls = (hasClientCert: boolean): TlsContext => ({
  caSource: 'ca.pem',
  hasClientCert,
  maxResponseBytes: 1 << 20,
  takeTlsAlert: () => undefined,
  peekTlsAlert: () => undefined,
});
const failed = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('alert'), { code }) });
const context = { endpoint: 'https://kme.example:443/api/v1/keys/SAE_B/status', saeIds: ['SAE_B'] };

describe('networkError: client certificate alerts', () => {
  // Node 20/22 (OpenSSL 3.0) report "sslv3 alert …"; Node 24 (OpenSSL 3.5) "ssl/tls alert …".
  for (const code of ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE', 'ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE']) {
    it(`reads ${code} as the KME refusing the client certificate, and keeps the code`, () => {
      const none = networkError(failed(code), context, tls(false));
      expect(none).toBeInstanceOf(QkdTlsError);
      expect((none as QkdTlsError).code).toBe(code);
      expect(none!.message).toMatch(/requires a client certificate and none is configured/);
      expect(networkError(failed(code), context, tls(true))!.message).toMatch(/rejected our client certificate/);
    });
  }
});
