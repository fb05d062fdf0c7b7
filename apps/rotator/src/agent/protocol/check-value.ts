// A key check value: how two sites confirm they hold the same QKD key without either sending it.
// HMAC-SHA-256 keyed with the key, over a fixed label and the key_ID, cut to 64 bits (16 hex): a
// PRF output tells nothing about its key, and 64 bits catch a KME that delivered different bytes.
import { createHmac } from 'node:crypto';

const LABEL = 'qkd-macsec key check v1\n';

export function keyCheckValue(bytes: Uint8Array, keyId: string): string {
  return createHmac('sha256', bytes).update(LABEL).update(keyId.toLowerCase()).digest('hex').slice(0, 16);
}
