// Error classes. Each names *what* (a file path, a URL or a certificate subject, in `source`) and
// *what is wrong* (`problems`). Nothing here ever includes private key material: callers pass
// descriptions, never PEM bodies of keys.

export class CertLcmError extends Error {
  /** A file path, URL, or certificate subject the error is about. */
  readonly source: string;
  constructor(message: string, source: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.source = source;
  }
}

/** A certificate (or bundle) that cannot be parsed, or that fails a check. */
export class CertificateError extends CertLcmError {
  readonly problems: string[];
  constructor(source: string, problems: string[], options?: { cause?: unknown }) {
    super(`${source}: ${problems.join('; ')}`, source, options);
    this.problems = problems;
  }
}

/** A private key that cannot be parsed, is of an unsupported type, or does not match its certificate. */
export class PrivateKeyError extends CertLcmError {
  readonly reason: 'unparseable' | 'unsupported' | 'mismatch';
  constructor(source: string, problem: string, options?: { cause?: unknown; reason?: PrivateKeyError['reason'] }) {
    super(`${source}: ${problem}`, source, options);
    this.reason = options?.reason ?? 'unparseable';
  }
}

/** A certificate signing request that cannot be parsed or fails its checks. */
export class CsrError extends CertLcmError {
  readonly problems: string[];
  constructor(source: string, problems: string[], options?: { cause?: unknown }) {
    super(`${source}: ${problems.join('; ')}`, source, options);
    this.problems = problems;
  }
}

/** Bad arguments to a create/issue/sign call (unknown key type, bad serial, bad dates, bad SAN). */
export class CertificateRequestError extends CertLcmError {
  constructor(source: string, problem: string) {
    super(`${source}: ${problem}`, source);
  }
}

/** A renewal step failed (signing hook, file writes, confirm/rollback). */
export class RenewalError extends CertLcmError {
  constructor(source: string, problem: string, options?: { cause?: unknown }) {
    super(`${source}: ${problem}`, source, options);
  }
}

/** Fetching a CA certificate or uploading credentials to a device failed. */
export class DistributionError extends CertLcmError {
  constructor(source: string, problem: string, options?: { cause?: unknown }) {
    super(`${source}: ${problem}`, source, options);
  }
}

/** Reading or writing a credential file failed. `source` is the path. */
export class FileError extends CertLcmError {
  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super(`${path}: ${problem}`, path, options);
  }
}
