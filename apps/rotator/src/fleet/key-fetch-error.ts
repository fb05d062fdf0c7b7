// What a failed key fetch throws: the link, the SAE and its KME, and the key_ID once there is one.
export class KeyFetchError extends Error {
  override name = 'KeyFetchError';
  constructor(
    message: string,
    readonly context: { link: string; sae: string; kme: string; keyId?: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A link's error context for an SAE (and a key_ID). */
export type FetchContext = (sae: string, keyId?: string) => KeyFetchError['context'];
