// The chaos world's shape, from one number (--links N): a chain of point-to-point links
// r01 – r02 – … – rN (each inner router holds two links, so one device commit carries two
// links' keys and two `rotate --link` commands contend for it) and one group `grp` whose master
// g0 shares each key with g1 (the slave) and g2 (an additional_slave_SAE_ID) over two cables.
// Three KMEs, all linked; neighbours never share a KME (sim-kme serves a key only between
// linked KMEs). Every router fetches its keys as its own SAE.

export const KME_IDS = ['KME_A', 'KME_B', 'KME_C'] as const;

interface ChaosDevice {
  name: string;
  sae: string;
  kme: string;
}

/** @public — the return type of world-config.ts rotatorConfig() names it. */
export interface ChaosLinkEnd {
  device: string;
  interfaces: string[];
}

export interface ChaosLink {
  name: string;
  master: ChaosLinkEnd;
  slaves: ChaosLinkEnd[];
}

/** A cable sim-junos models; a group has one cable per slave interface. */
interface ChaosCable {
  id: string;
  link: string;
  a: string;
  b: string;
}

export interface Topology {
  devices: ChaosDevice[];
  links: ChaosLink[];
  cables: ChaosCable[];
  /** The device made slow to commit (the "one slow-commit device"). */
  slowDevice: string;
  /** rotation.concurrency: fewer than the devices, so staging and confirms go out in batches. */
  concurrency: number;
}

const MIN_LINKS = 2;
const MAX_LINKS = 500;

const pad = (n: number) => String(n).padStart(2, '0');

export function buildTopology(links: number): Topology {
  if (!Number.isInteger(links) || links < MIN_LINKS || links > MAX_LINKS)
    throw new RangeError(`--links must be a whole number ${MIN_LINKS}..${MAX_LINKS} (one group plus point-to-point links); got ${links}`);
  const chainLength = links - 1; // point-to-point links; chainLength + 1 routers
  const devices: ChaosDevice[] = [];
  for (let i = 1; i <= chainLength + 1; i++) devices.push({ name: `r${pad(i)}`, sae: `SAE_r${pad(i)}`, kme: KME_IDS[i % 3]! });
  ['g0', 'g1', 'g2'].forEach((name, i) => devices.push({ name, sae: `SAE_${name}`, kme: KME_IDS[i]! }));

  const result: ChaosLink[] = [];
  for (let i = 1; i <= chainLength; i++) {
    // r_i's et-0/0/1 faces r_{i+1}'s et-0/0/0.
    result.push({ name: `p${pad(i)}`, master: { device: `r${pad(i)}`, interfaces: ['et-0/0/1'] }, slaves: [{ device: `r${pad(i + 1)}`, interfaces: ['et-0/0/0'] }] });
  }
  result.push({
    name: 'grp',
    master: { device: 'g0', interfaces: ['et-0/0/0', 'et-0/0/1'] },
    slaves: [
      { device: 'g1', interfaces: ['et-0/0/0'] },
      { device: 'g2', interfaces: ['et-0/0/0'] },
    ],
  });
  return {
    devices,
    links: result,
    cables: cablesOf(result),
    slowDevice: `r${pad(Math.ceil((chainLength + 1) / 2))}`,
    concurrency: Math.max(2, Math.floor(devices.length / 3)),
  };
}

/** The master's interfaces paired in order with the slaves' interfaces, as the rotator's demo does. */
function cablesOf(links: readonly ChaosLink[]): ChaosCable[] {
  const cables: ChaosCable[] = [];
  for (const link of links) {
    const slaveEnds = link.slaves.flatMap((s) => s.interfaces.map((i) => `${s.device}:${i}`));
    const many = slaveEnds.length > 1;
    link.master.interfaces.forEach((iface, i) => {
      const b = slaveEnds[i];
      if (b !== undefined) cables.push({ id: many ? `${link.name}#${i + 1}` : link.name, link: link.name, a: `${link.master.device}:${iface}`, b });
    });
  }
  return cables;
}

/** Every device a link touches. */
export function devicesOfLink(link: ChaosLink): string[] {
  return [link.master.device, ...link.slaves.map((s) => s.device)];
}
