// Error classes for the package. Each carries the context a caller needs to act on it (which field,
// which strategy, which XML path) and never a key value: CAKs and key bytes stay out of messages.

/** Base class: `instanceof MacsecConfigError` catches everything this package throws on bad input. */
export class MacsecConfigError extends Error {
  override name = 'MacsecConfigError';
}

export interface ValidationIssue {
  /** Where the bad value sits, e.g. `connectivityAssociations[0].preSharedKey.ckn`. */
  readonly path: string;
  readonly message: string;
}

/** One or more values fail Junos' rules. `issues` lists every problem found, not just the first. */
export class MacsecValidationError extends MacsecConfigError {
  override name = 'MacsecValidationError';
  readonly issues: readonly ValidationIssue[];
  constructor(issues: readonly ValidationIssue[]) {
    super(
      issues.length === 1
        ? `invalid MACsec configuration: ${issues[0]!.path}: ${issues[0]!.message}`
        : `invalid MACsec configuration (${issues.length} problems): ` +
            issues.map((i) => `${i.path}: ${i.message}`).join('; '),
    );
    this.issues = issues;
  }
}

/** The key handed to a derivation cannot produce a CKN/CAK (too short, bad key_ID, ...). */
export class KeyDerivationError extends MacsecConfigError {
  override name = 'KeyDerivationError';
  constructor(
    message: string,
    readonly context: { keyId?: string; strategy?: string; cipherSuite?: string; keyBits?: number; neededBits?: number },
  ) {
    super(message);
  }
}

/** Configuration XML that cannot be read into the model; `path` names the element. */
export class ConfigParseError extends MacsecConfigError {
  override name = 'ConfigParseError';
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/** The key-chain ring cannot take another key, or the chain as read is inconsistent. */
export class RingPlanError extends MacsecConfigError {
  override name = 'RingPlanError';
  constructor(
    message: string,
    readonly context: { chain?: string; slot?: number; code: 'bad-input' | 'duplicate-start-time' | 'ring-full' | 'key-present' | 'start-too-early' },
  ) {
    super(message);
  }
}
