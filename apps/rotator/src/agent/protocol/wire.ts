// macsec-config models to wire form and back. The client side turns each Secret into the
// reference it stands for (refs.ts) and refuses any Secret that is not one: key material never
// leaves for an agent. The agent side turns each reference back into a Secret with a resolver
// that only the agent has (its key store, its own last read of the device).
import type { MacsecConfig, Secret } from '@qkd-macsec/macsec-config';
import type { Change, Load } from '../../fleet/ops.js';
import { deviceRef, keyRef, refOf } from './refs.js';
import type { WireChange, WireConfig, WireLoad, WireSecret } from './schemas.js';

/** A Secret that is not a reference was about to be sent to an agent. */
export class KeyMaterialRefusedError extends Error {
  override name = 'KeyMaterialRefusedError';
}

type AnyConfig<S> = {
  connectivityAssociations?: Array<{ preSharedKey?: { ckn: string; cak: S }; fallbackKey?: { ckn: string; cak: S } }>;
  keyChains?: Array<{ keys: Array<{ keyName?: string; secret?: S }> }>;
};

/**
 * A copy of `config` with each secret replaced by f(secret, the CKN beside it); a secret f maps
 * to undefined is left out. Everything else is copied as it is (plain data on both sides).
 */
function mapSecrets<A, B>(config: AnyConfig<A>, f: (secret: A, ckn: string | undefined) => B | undefined): AnyConfig<B> {
  const psk = (p: { ckn: string; cak: A }) => {
    const cak = f(p.cak, p.ckn);
    return cak === undefined ? undefined : { ...p, cak };
  };
  const out: Record<string, unknown> = { ...config };
  if (config.connectivityAssociations) {
    out.connectivityAssociations = config.connectivityAssociations.map((ca) => {
      const c: Record<string, unknown> = { ...ca };
      for (const field of ['preSharedKey', 'fallbackKey'] as const) {
        const p = ca[field];
        if (p === undefined) continue;
        const mapped = psk(p);
        if (mapped === undefined) delete c[field];
        else c[field] = mapped;
      }
      return c;
    });
  }
  if (config.keyChains) {
    out.keyChains = config.keyChains.map((chain) => ({
      ...chain,
      keys: chain.keys.map((k) => {
        const { secret, ...rest } = k;
        const mapped = secret === undefined ? undefined : f(secret, k.keyName);
        return mapped === undefined ? rest : { ...rest, secret: mapped };
      }),
    }));
  }
  return out as AnyConfig<B>;
}

// ---- client side ----

/** The wire form of a config bound for the agent of `site`: every Secret must be a reference. */
function configToWire(config: MacsecConfig, site: string): WireConfig {
  return mapSecrets<Secret, WireSecret>(config as AnyConfig<Secret>, (s) => {
    const ref = refOf(s);
    if (ref === undefined) throw new KeyMaterialRefusedError(`refusing to send key material to agent ${site}`);
    return { ...ref };
  }) as WireConfig;
}

export function changeToWire(change: Change, site: string): WireChange {
  return { config: configToWire(change.config, site), delete: change.delete.map((d) => ({ ...d })) };
}

export function loadToWire(load: Load, site: string): WireLoad {
  switch (load.action) {
    case 'merge':
      return { action: 'merge', change: changeToWire(load.change, site) };
    case 'replace':
      return { action: 'replace', config: configToWire(load.config, site) };
    case 'remove-login-user':
      return { action: 'remove-login-user', user: load.user };
    case 'remove-event-traceoptions':
      return { action: 'remove-event-traceoptions' };
  }
}

/** A config an agent read, as the coordinator holds it: each reference a placeholder Secret (refs.ts). */
export function configFromAgent(config: WireConfig): MacsecConfig {
  return mapSecrets<WireSecret, Secret>(config as AnyConfig<WireSecret>, (r) => ('key' in r ? keyRef(r.key) : deviceRef(r.device, r.ckn))) as MacsecConfig;
}

// ---- agent side ----

/** Turns a reference into the Secret it stands for, or throws (the agent answers 409). */
export type ResolveRef = (ref: WireSecret) => Secret;

function configFromWire(config: WireConfig, resolve: ResolveRef): MacsecConfig {
  return mapSecrets<WireSecret, Secret>(config as AnyConfig<WireSecret>, (r) => resolve(r)) as MacsecConfig;
}

export function changeFromWire(change: WireChange, resolve: ResolveRef): Change {
  return { config: configFromWire(change.config, resolve), delete: change.delete.map((d) => ({ ...d })) };
}

export function loadFromWire(load: WireLoad, resolve: ResolveRef): Load {
  switch (load.action) {
    case 'merge':
      return { action: 'merge', change: changeFromWire(load.change, resolve) };
    case 'replace':
      return { action: 'replace', config: configFromWire(load.config, resolve) };
    default:
      return { ...load };
  }
}

/**
 * What the agent answers for a config it read from `device`: each secret becomes {device, ckn}
 * (the CKN beside it). A key-chain key without a key name cannot be referred to, so its secret
 * is left out (the engine never puts such a key back).
 */
export function configReadToWire(config: MacsecConfig, device: string): WireConfig {
  return mapSecrets<Secret, WireSecret>(config as AnyConfig<Secret>, (_s, ckn) => (ckn === undefined ? undefined : { device, ckn: ckn.toLowerCase() })) as WireConfig;
}

/** Every secret a read config holds, by the CKN beside it (what the agent remembers per device). */
export function secretsByCkn(config: MacsecConfig): Map<string, Secret> {
  const out = new Map<string, Secret>();
  mapSecrets<Secret, null>(config as AnyConfig<Secret>, (s, ckn) => {
    if (ckn !== undefined) out.set(ckn.toLowerCase(), s);
    return undefined;
  });
  return out;
}
