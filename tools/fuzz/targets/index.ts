// Every fuzz target, by name.
import type { Target } from '../types.js';
import { deriveTarget } from './derive.js';
import { etsiSchemasTarget } from './etsi-schemas.js';
import { framingTarget } from './framing.js';
import { junosXmlTarget } from './junos-xml.js';
import { macsecConfigTarget } from './macsec-config.js';
import { netconfClientTarget } from './netconf-client.js';
import { qkdClientTarget } from './qkd-client.js';
import { simJunosTarget } from './sim-junos.js';
import { simKmeTarget } from './sim-kme.js';

export const TARGETS: readonly Target[] = [framingTarget, junosXmlTarget, macsecConfigTarget, deriveTarget, etsiSchemasTarget, qkdClientTarget, netconfClientTarget, simKmeTarget, simJunosTarget];

export function targetByName(name: string): Target | undefined {
  return TARGETS.find((t) => t.name === name);
}
