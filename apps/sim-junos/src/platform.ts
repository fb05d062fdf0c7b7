// Platform families: which of Juniper's four 24.4R1 YANG families a simulated device follows.
// The MACsec statements differ slightly between them (see schema-macsec.ts), so a device accepts
// only what its family's YANG has.
export const PLATFORM_FAMILIES = ['junos', 'junos-qfx', 'junos-es', 'evo'] as const;
export type PlatformFamily = (typeof PLATFORM_FAMILIES)[number];

// Model name → family. Junos OS Evolved: PTX, ACX7000 and QFX5130/5220/5700 (Juniper's
// "Junos OS Evolved" platform list); SRX runs the junos-es family; EX and the QFX models still on
// Junos OS follow junos-qfx; MX and everything else the `junos` family.
const RULES: ReadonlyArray<[RegExp, PlatformFamily]> = [
  [/^ptx/i, 'evo'],
  [/^acx7/i, 'evo'],
  [/^qfx(5130|5220|5230|5240|5700)/i, 'evo'],
  [/^srx/i, 'junos-es'],
  [/^(ex|qfx)/i, 'junos-qfx'],
];

/** The family a device model belongs to (`mx204` → junos, `srx345` → junos-es, `ptx10008` → evo). */
export function familyOfModel(model: string): PlatformFamily {
  return RULES.find(([re]) => re.test(model))?.[1] ?? 'junos';
}
