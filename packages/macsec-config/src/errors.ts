// Error classes for the package (CONTRIBUTING.md, "Errors"): one base, constructors of
// (message, context), the context's fields readable on the error. Each carries what a caller needs
// to act on it (which field, which strategy, which XML path) and never a key value: CAKs and key
// bytes stay out of messages, contexts and causes.

/** What every error of this package may carry: `cause` goes to Error's own `cause`. */
export interface MacsecConfigErrorContext {
  cause?: unknown;
}

/** Base class: `instanceof MacsecConfigError` catches everything this package throws on bad input. */
export class MacsecConfigError extends Error {
  override name = 'MacsecConfigError';
  constructor(message: string, context: MacsecConfigErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
  }
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
  constructor(message: string, context: MacsecConfigErrorContext & { issues: readonly ValidationIssue[] }) {
    super(message, context);
    this.issues = context.issues;
  }
}

/** A MacsecValidationError whose message lists every issue with its path. */
export function validationError(issues: readonly ValidationIssue[]): MacsecValidationError {
  const message =
    issues.length === 1
      ? `invalid MACsec configuration: ${issues[0]!.path}: ${issues[0]!.message}`
      : `invalid MACsec configuration (${issues.length} problems): ` + issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new MacsecValidationError(message, { issues });
}

export interface KeyDerivationContext extends MacsecConfigErrorContext {
  keyId?: string;
  strategy?: string;
  cipherSuite?: string;
  keyBits?: number;
  neededBits?: number;
}

/** The key handed to a derivation cannot produce a CKN/CAK (too short, bad key_ID, ...). */
export class KeyDerivationError extends MacsecConfigError {
  override name = 'KeyDerivationError';
  readonly keyId: string | undefined;
  readonly strategy: string | undefined;
  readonly cipherSuite: string | undefined;
  readonly keyBits: number | undefined;
  readonly neededBits: number | undefined;
  constructor(message: string, context: KeyDerivationContext) {
    super(message, context);
    this.keyId = context.keyId;
    this.strategy = context.strategy;
    this.cipherSuite = context.cipherSuite;
    this.keyBits = context.keyBits;
    this.neededBits = context.neededBits;
  }
}

/** Configuration XML that cannot be read into the model; `path` names the element. */
export class ConfigParseError extends MacsecConfigError {
  override name = 'ConfigParseError';
  /** The element, e.g. `configuration/security/macsec/connectivity-association[C]/cipher-suite`, or `(document)`. */
  readonly path: string;
  constructor(message: string, context: MacsecConfigErrorContext & { path: string }) {
    super(`${context.path}: ${message}`, context);
    this.path = context.path;
  }
}

export type RingPlanErrorCode = 'bad-input' | 'duplicate-start-time' | 'ring-full' | 'key-present' | 'start-too-early';

export interface RingPlanContext extends MacsecConfigErrorContext {
  code: RingPlanErrorCode;
  chain?: string;
  slot?: number;
}

/** The key-chain ring cannot take another key, or the chain as read is inconsistent. */
export class RingPlanError extends MacsecConfigError {
  override name = 'RingPlanError';
  readonly code: RingPlanErrorCode;
  readonly chain: string | undefined;
  readonly slot: number | undefined;
  constructor(message: string, context: RingPlanContext) {
    super(message, context);
    this.code = context.code;
    this.chain = context.chain;
    this.slot = context.slot;
  }
}
