// Errors as classes, each carrying where it happened (endpoint, SAE IDs) so that a caller can
// log it as is. None of them ever holds key material or the body of a successful key reply.
import type { EtsiError } from './schemas.js';

export interface QkdErrorContext {
  /** The URL that was called (or would have been), without query string. */
  endpoint: string;
  /** The SAE IDs the call was about: the path SAE first, then any additional slaves. */
  saeIds: readonly string[];
  /** The HTTP method used, when a request was made. */
  method?: string;
  cause?: unknown;
}

/** Base class of every error this client throws. */
export class QkdError extends Error {
  readonly endpoint: string;
  readonly saeIds: readonly string[];
  readonly method: string | undefined;

  constructor(message: string, context: QkdErrorContext) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.endpoint = context.endpoint;
    this.saeIds = Object.freeze([...context.saeIds]);
    this.method = context.method;
  }
}

/** The client options are unusable: a missing or unreadable PEM file, a bad base URL, … */
export class QkdConfigError extends QkdError {}

/** Refused locally before anything was sent: bad size, bad number, bad key IDs, closed client. */
export class QkdRequestError extends QkdError {}

/** The KME answered with a non-2xx status. */
export class QkdHttpError extends QkdError {
  readonly status: number;
  /** The ETSI Error body (message, details) when the KME sent one. */
  readonly etsiError: EtsiError | undefined;

  constructor(message: string, context: QkdErrorContext & { status: number; etsiError?: EtsiError | undefined }) {
    super(message, context);
    this.status = context.status;
    this.etsiError = context.etsiError;
  }
}

/** 400: the KME rejected the request (the ETSI message says why). */
export class QkdBadRequestError extends QkdHttpError {}
/** 401: the KME does not accept our client certificate's SAE for this call. */
export class QkdUnauthorizedError extends QkdHttpError {}
/** 404: not defined by ETSI 014; wrong base URL / path prefix, or a KME's way of saying "no such key". */
export class QkdNotFoundError extends QkdHttpError {}
/** 409: not defined by ETSI 014; some KMEs use it for keys already delivered or reserved. */
export class QkdConflictError extends QkdHttpError {}
/** 503: the KME is temporarily unable to serve (typically: not enough key material). */
export class QkdServiceUnavailableError extends QkdHttpError {}
/** Any other 5xx (500, 502, 504, …): a KME or gateway failure. */
export class QkdServerError extends QkdHttpError {}

/** No (complete) answer within the call's timeout, or the TCP connect timed out. */
export class QkdTimeoutError extends QkdError {
  readonly timeoutMs: number | undefined;
  constructor(message: string, context: QkdErrorContext & { timeoutMs?: number | undefined }) {
    super(message, context);
    this.timeoutMs = context.timeoutMs;
  }
}

/** The TLS handshake failed: the server certificate did not verify, or the KME rejected ours. */
export class QkdTlsError extends QkdError {
  /** The low-level code (CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID, ERR_SSL_…). */
  readonly code: string;
  constructor(message: string, context: QkdErrorContext & { code: string }) {
    super(message, context);
    this.code = context.code;
  }
}

/** The connection could not be made or broke: refused, reset, dropped, unresolvable host. */
export class QkdConnectionError extends QkdError {
  /** The low-level code (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, ENOTFOUND, …). */
  readonly code: string;
  constructor(message: string, context: QkdErrorContext & { code: string }) {
    super(message, context);
    this.code = context.code;
  }
}

/** The KME answered 2xx but the body is not what ETSI 014 and our request call for. */
export class QkdResponseError extends QkdError {
  readonly status: number;
  constructor(message: string, context: QkdErrorContext & { status: number }) {
    super(message, context);
    this.status = context.status;
  }
}

/** The answer was larger than the client's maxResponseBytes; reading it was stopped there. */
export class QkdResponseTooLargeError extends QkdResponseError {
  readonly limitBytes: number;
  constructor(message: string, context: QkdErrorContext & { status: number; limitBytes: number }) {
    super(message, context);
    this.limitBytes = context.limitBytes;
  }
}

/** The caller's AbortSignal fired. */
export class QkdAbortError extends QkdError {}

// Names set from string keys, not from the class names, so that they survive minification.
for (const [name, errorClass] of Object.entries({
  QkdError,
  QkdConfigError,
  QkdRequestError,
  QkdHttpError,
  QkdBadRequestError,
  QkdUnauthorizedError,
  QkdNotFoundError,
  QkdConflictError,
  QkdServiceUnavailableError,
  QkdServerError,
  QkdTimeoutError,
  QkdTlsError,
  QkdConnectionError,
  QkdResponseError,
  QkdResponseTooLargeError,
  QkdAbortError,
})) {
  Object.defineProperty(errorClass.prototype, 'name', { value: name, writable: true, configurable: true });
}
