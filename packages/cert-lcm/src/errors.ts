// Error classes. Each names *what* (a file path, a URL, host:port or a certificate subject, in
// `source`) and *what is wrong* (the message, and `problems` where there are several).
// Constructors take (message, context) as everywhere in the workspace (CONTRIBUTING.md); the
// message starts with the source. Nothing here ever includes private key material: callers pass
// descriptions, never PEM bodies of keys, and causes that could quote a key are reduced first.

export interface CertLcmErrorContext {
  /** A file path, URL, host:port or certificate subject the error is about. */
  source: string;
  /** Handed to Error's own `cause`. */
  cause?: unknown;
}

/** Base class of every error this package throws on purpose. */
export class CertLcmError extends Error {
  /** A file path, URL, host:port or certificate subject the error is about. */
  readonly source: string;
  constructor(message: string, context: CertLcmErrorContext) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.source = context.source;
  }
}

/** A certificate (or bundle) that cannot be parsed, or that fails a check. */
export class CertificateError extends CertLcmError {
  readonly problems: string[];
  constructor(message: string, context: CertLcmErrorContext & { problems: string[] }) {
    super(message, context);
    this.problems = context.problems;
  }
}

/** A private key that cannot be parsed, is of an unsupported type, or does not match its certificate. */
export class PrivateKeyError extends CertLcmError {
  readonly reason: 'unparseable' | 'unsupported' | 'mismatch';
  constructor(message: string, context: CertLcmErrorContext & { reason?: PrivateKeyError['reason'] }) {
    super(message, context);
    this.reason = context.reason ?? 'unparseable';
  }
}

/** A certificate signing request that cannot be parsed or fails its checks. */
export class CsrError extends CertLcmError {
  readonly problems: string[];
  constructor(message: string, context: CertLcmErrorContext & { problems: string[] }) {
    super(message, context);
    this.problems = context.problems;
  }
}

/** Bad arguments to a create/issue/sign call (unknown key type, bad serial, bad dates, bad SAN). */
export class CertificateRequestError extends CertLcmError {}

/** A renewal step failed (signing hook, file writes, confirm/rollback). */
export class RenewalError extends CertLcmError {}

/** Fetching a CA certificate or uploading credentials to a device failed. */
export class DistributionError extends CertLcmError {}

/** Reading or writing a credential file failed. `source` is the path. */
export class FileError extends CertLcmError {}

// Names set from string keys, not from the class names, so that they survive minification.
for (const [name, errorClass] of Object.entries({
  CertLcmError,
  CertificateError,
  PrivateKeyError,
  CsrError,
  CertificateRequestError,
  RenewalError,
  DistributionError,
  FileError,
})) {
  Object.defineProperty(errorClass.prototype, 'name', { value: name, writable: true, configurable: true });
}
