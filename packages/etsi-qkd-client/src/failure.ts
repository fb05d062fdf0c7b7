// Maps what fetch/ky/undici throw to this client's error classes, with wording that says what
// to check. Only codes and the ETSI Error body are used; no raw body is ever quoted.
import { isHTTPError } from 'ky';
import {
  QkdBadRequestError,
  QkdConflictError,
  QkdConnectionError,
  QkdHttpError,
  QkdNotFoundError,
  QkdServerError,
  QkdServiceUnavailableError,
  QkdResponseTooLargeError,
  QkdTimeoutError,
  QkdTlsError,
  QkdUnauthorizedError,
  type QkdError,
  type QkdErrorContext,
} from './errors.js';
import { cut, MAX_PROBLEM_CHARS } from './problems.js';
import { etsiErrorSchema, type EtsiError } from './schemas.js';
import { HANDSHAKE_FAILURE, type TlsSetup } from './tls.js';

/**
 * The first `code` found along an error's cause chain (fetch wraps undici/net/tls errors), and a
 * copy of that error safe to attach as `cause`: undici's parser error carries the raw bytes
 * received, which could be key material, so only name, message and code are kept.
 */
function lowLevelFailure(error: unknown): { code: string; localPort?: number; bytesRead?: number; error: Error } | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const raw = current as NodeJS.ErrnoException & { socket?: { localPort?: number; bytesRead?: number } };
    const code = typeof raw.code === 'string' && raw.code !== 'ABORT_ERR' ? raw.code : raw.name === 'HTTPParserError' ? 'HPE_INVALID_RESPONSE' : undefined;
    if (code) {
      const safe = Object.assign(new Error(raw.message), { name: raw.name, code });
      if ((raw as unknown as Record<symbol, unknown>)[HANDSHAKE_FAILURE]) Object.defineProperty(safe, HANDSHAKE_FAILURE, { value: true });
      return {
        code,
        error: safe,
        ...(typeof raw.socket?.localPort === 'number' ? { localPort: raw.socket.localPort } : {}),
        ...(typeof raw.socket?.bytesRead === 'number' ? { bytesRead: raw.socket.bytesRead } : {}),
      };
    }
    current = current.cause;
  }
  return undefined;
}

/** Connection failures worth retrying for an idempotent call: the KME may be back in a moment. */
const TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CLOSED']);

/** A refused/dropped connection, but not a TLS rejection seen as a closed socket. */
export function isTransientNetworkFailure(error: unknown, tls: Pick<TlsContext, 'peekTlsAlert'>): boolean {
  const failure = lowLevelFailure(error);
  return failure !== undefined && TRANSIENT.has(failure.code) && tls.peekTlsAlert(failure.localPort) === undefined;
}

/** Codes by which the KME tells us it does not accept our client certificate. */
const CLIENT_CERT_REJECTED = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
  'ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR',
]);

const SERVER_CERT_UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
]);

/** The other OpenSSL certificate verification results Node reports as error codes. */
const X509_VERIFY_CODES = new Set([
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'KEYUSAGE_NO_CERTSIGN',
]);

/**
 * OpenSSL 3.2 and later (Node 24) name the alerts "ssl/tls alert …" where earlier versions
 * (Node 20, 22) said "sslv3 alert …": Node's codes follow, e.g. ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE.
 */
function sslv3AlertName(code: string): string {
  return code.replace(/^ERR_SSL_SSL\/TLS_ALERT_/, 'ERR_SSL_SSLV3_ALERT_');
}

/** What the error mapping needs of the TLS setup. */
export type TlsContext = Omit<TlsSetup, 'agent'>;

function clientCertAdvice(tls: TlsContext): string {
  return tls.hasClientCert
    ? 'the KME rejected our client certificate: check that it is signed by a CA the KME trusts, is not expired, and names an SAE the KME knows'
    : 'the KME requires a client certificate and none is configured (set tls.cert/tls.key or tls.certFile/tls.keyFile)';
}

/** A network/TLS failure (fetch's "fetch failed" and what it wraps) as a QkdError. */
export function networkError(error: unknown, context: QkdErrorContext, tls: TlsContext, status = 0): QkdError | undefined {
  const failure = lowLevelFailure(error);
  if (!failure) return undefined;
  const { endpoint } = context;
  const host = safeHost(endpoint);
  const ctx = { ...context, cause: failure.error };
  let code = failure.code;
  // TLS 1.3: a rejected client certificate surfaces as a closed socket; the socket saw the alert.
  const alert = code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' ? tls.takeTlsAlert(failure.localPort) : undefined;
  if (alert) code = alert;

  if (CLIENT_CERT_REJECTED.has(sslv3AlertName(code))) return new QkdTlsError(`TLS handshake with ${host} failed (${code}): ${clientCertAdvice(tls)}`, { ...ctx, code });
  if (SERVER_CERT_UNTRUSTED.has(code)) {
    return new QkdTlsError(`TLS: the server certificate of ${host} is not signed by the CA bundle ${tls.caSource} (${code})`, { ...ctx, code });
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    const when = code === 'CERT_HAS_EXPIRED' ? 'has expired' : 'is not yet valid (check the clocks)';
    return new QkdTlsError(`TLS: the server certificate of ${host} ${when} (${code})`, { ...ctx, code });
  }
  if (code === 'INVALID_PURPOSE') {
    return new QkdTlsError(`TLS: the server certificate of ${host} is not valid for a TLS server (keyUsage / extendedKeyUsage serverAuth) (${code})`, { ...ctx, code });
  }
  if (X509_VERIFY_CODES.has(code)) {
    return new QkdTlsError(`TLS: the server certificate of ${host} was rejected (${code})`, { ...ctx, code });
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new QkdTlsError(`TLS: the server certificate does not name ${host} in its subjectAltName (${code}); use the host name or IP the certificate was issued for`, { ...ctx, code });
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return new QkdTlsError(`TLS: ${host} does not speak TLS on this port (plain HTTP?) (${code})`, { ...ctx, code });
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO') {
    return new QkdTlsError(`TLS handshake with ${host} failed (${code})`, { ...ctx, code });
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new QkdTimeoutError(`TCP/TLS connect to ${host} timed out (${code}): is the KME reachable?`, { ...ctx });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new QkdTimeoutError(`the KME at ${host} stopped answering (${code})`, { ...ctx });
  }
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
    const limitBytes = tls.maxResponseBytes;
    return new QkdResponseTooLargeError(`the answer from ${endpoint} is larger than maxResponseBytes (${limitBytes} bytes)`, { ...ctx, status, limitBytes });
  }
  if (code.startsWith('HPE_')) {
    return new QkdConnectionError(`the answer from ${host} is not valid HTTP (${code}): is this port a KME?`, { ...ctx, code });
  }
  switch (code) {
    case 'ECONNREFUSED':
      return new QkdConnectionError(`connection to ${host} refused (${code}): is the KME running and listening on that port?`, { ...ctx, code });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new QkdConnectionError(`cannot resolve the KME host of ${endpoint} (${code})`, { ...ctx, code });
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED': {
      // A KME that checks client certificates after the handshake (TLS 1.3, or servers that
      // verify in application code) just closes the connection: say so when nothing was read.
      const duringHandshake = (failure.error as unknown as Record<symbol, unknown>)[HANDSHAKE_FAILURE] === true;
      const hint =
        duringHandshake || (endpoint.startsWith('https:') && failure.bytesRead === 0)
          ? `; the KME closed it without answering, which often means that ${clientCertAdvice(tls)}`
          : '';
      return new QkdConnectionError(`the connection to ${host} was dropped before a complete answer (${code})${hint}`, { ...ctx, code });
    }
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new QkdConnectionError(`the KME host ${host} is unreachable (${code})`, { ...ctx, code });
    default:
      return new QkdConnectionError(`request to ${endpoint} failed (${code})`, { ...ctx, code });
  }
}

function safeHost(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

const MAX_ERROR_BODY = 64 * 1024;

/** Reads an ETSI Error body if there is one; anything else is dropped (it is not quoted either). */
async function readEtsiError(response: Response): Promise<EtsiError | undefined> {
  try {
    const text = await response.text();
    if (!text || text.length > MAX_ERROR_BODY) return undefined;
    const parsed = etsiErrorSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A non-2xx answer as the matching QkdHttpError subclass. */
export async function httpError(error: unknown, context: QkdErrorContext): Promise<QkdHttpError | undefined> {
  if (!isHTTPError(error)) return undefined;
  const { status } = error.response;
  const etsiError = await readEtsiError(error.response);
  const saes = context.saeIds.join(', ');
  // The KME's words, cut like a listed problem: its Error body can be as long as maxResponseBytes.
  // etsiError keeps the whole of it.
  const said = etsiError ? `: "${cut(etsiError.message, MAX_PROBLEM_CHARS)}"` : '';
  const where = `${context.method ?? 'GET'} ${context.endpoint}`;
  const ctx = { ...context, status, etsiError };
  switch (true) {
    case status === 400:
      return new QkdBadRequestError(`KME rejected the request (400 Bad Request) for ${where}${said}`, ctx);
    case status === 401:
      return new QkdUnauthorizedError(
        `KME refused the call (401 Unauthorized) for ${where}${said}: check that our client certificate names an SAE the KME knows, and that it may fetch keys for SAE ${saes} (a dec_keys caller must have been named as slave when the key was issued)`,
        ctx,
      );
    case status === 404:
      return new QkdNotFoundError(
        `KME answered 404 Not Found for ${where}${said}: check the baseUrl (host, port, path prefix) and the SAE ID ${saes}; some KMEs also send 404 for unknown key IDs`,
        ctx,
      );
    case status === 409:
      return new QkdConflictError(`KME answered 409 Conflict for ${where}${said} (not an ETSI 014 status; the key may be already delivered or reserved)`, ctx);
    case status === 503:
      return new QkdServiceUnavailableError(`KME unavailable (503 Service Unavailable) for ${where}${said}: typically not enough key material yet`, ctx);
    case status >= 500:
      return new QkdServerError(`KME or gateway failure (${status}) for ${where}${said}`, ctx);
    default:
      return new QkdHttpError(`KME answered ${status} for ${where}${said} (not an ETSI 014 status)`, ctx);
  }
}
