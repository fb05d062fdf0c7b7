// In agent mode the coordinator never holds a CAK, yet the engine builds changes (macsec-config
// models) whose CAK fields are Secrets. Those Secrets are references: a placeholder object this
// module remembers, standing for "the key of key_ID K as the agent holds it" or "the secret the
// device already holds for CKN C". Only the agent client can turn one into wire form; rendering
// one to XML at the coordinator is refused (assertNoRefs), so a reference can never reach a device
// as if it were a key.
import { Secret } from '@qkd-macsec/macsec-config';

export type SecretRef = { key: string } | { device: string; ckn: string };

const refs = new WeakMap<Secret, SecretRef>();
const PLACEHOLDER = 'qkd-macsec-reference';

/** A Secret standing for the CAK of key `keyId`, held by the agent of the device it goes to. */
export function keyRef(keyId: string): Secret {
  const s = Secret.fromDevice(PLACEHOLDER);
  refs.set(s, { key: keyId.toLowerCase() });
  return s;
}

/** A Secret standing for the secret `device` holds for `ckn` (as an agent's read reported it). */
export function deviceRef(device: string, ckn: string): Secret {
  const s = Secret.fromDevice(PLACEHOLDER);
  refs.set(s, { device, ckn: ckn.toLowerCase() });
  return s;
}

/** The reference a Secret stands for, or undefined for a real secret. */
export function refOf(secret: Secret): SecretRef | undefined {
  return refs.get(secret);
}

export class SecretReferenceError extends Error {
  override name = 'SecretReferenceError';
}

/** Throws when a model about to be rendered at the coordinator holds a reference (its key is at an agent). */
export function assertNoRefs(secrets: Iterable<Secret>, device: string): void {
  for (const s of secrets) {
    const r = refs.get(s);
    if (r) {
      throw new SecretReferenceError(
        'key' in r
          ? `device ${device} is reached directly but the CAK of key ${r.key} is held by a site agent; put the device behind its site's agent`
          : `device ${device} is reached directly but the change carries a secret an agent read from ${r.device}`,
      );
    }
  }
}
