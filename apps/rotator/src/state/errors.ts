// What the state store throws: a file it cannot read or write, named.
export class StateError extends Error {
  override name = 'StateError';
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A state file that is not JSON, or not a rotator state: the operator's to repair, never overwritten. */
export class CorruptStateError extends StateError {
  override name = 'CorruptStateError';
}
