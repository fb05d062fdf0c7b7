// Small helpers every engine step uses on devices' changes and errors (the operations themselves
// are DeviceOps: fleet/ops.ts).
import type { DeleteTarget, MacsecConfig } from '@qkd-macsec/macsec-config';

/** Merges two changes (one device's changes for several links go in one load). */
export function mergeChanges(a: { config: MacsecConfig; delete: DeleteTarget[] }, b: { config: MacsecConfig; delete: DeleteTarget[] }) {
  const config: MacsecConfig = { ...a.config };
  if (b.config.keyChains) config.keyChains = [...(config.keyChains ?? []), ...b.config.keyChains];
  if (b.config.connectivityAssociations) {
    // Same-named entries become one (init adds a first pre-shared-key to a CA it also creates).
    const cas = [...(config.connectivityAssociations ?? [])];
    for (const ca of b.config.connectivityAssociations) {
      const i = cas.findIndex((c) => c.name === ca.name);
      if (i >= 0) cas[i] = { ...cas[i]!, ...ca };
      else cas.push(ca);
    }
    config.connectivityAssociations = cas;
  }
  if (b.config.interfaces) config.interfaces = [...(config.interfaces ?? []), ...b.config.interfaces];
  if (b.config.staticHostMappings) config.staticHostMappings = [...(config.staticHostMappings ?? []), ...b.config.staticHostMappings];
  if (b.config.eventOptions) config.eventOptions = { ...config.eventOptions, ...b.config.eventOptions };
  return { config, delete: [...a.delete, ...b.delete] };
}

/** A message for a report or a log line: the error's own message (never key material: the
 *  libraries guarantee it), with the class name when it says more. */
export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const detail = (e as { errors?: Array<{ message?: string }> }).errors?.map((x) => x.message).filter(Boolean);
    const base = e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message;
    return detail && detail.length && !detail.every((m) => base.includes(m!)) ? `${base} (${detail.join('; ')})` : base;
  }
  return String(e);
}
