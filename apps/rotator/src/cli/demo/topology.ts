// The demo's small world: 3 KMEs, 4 SAEs, 4 routers, 3 rotator links — two point-to-point links
// and one group whose master (r1) shares each key with two slaves on different KMEs (the second
// is an additional_slave_SAE_ID). In sim-junos the group is two cables out of r1, both under
// the group's connectivity association.

export const DEMO_KMES = [
  { id: 'KME_A', saes: ['SAE_A'] },
  { id: 'KME_B', saes: ['SAE_B', 'SAE_C'] },
  { id: 'KME_C', saes: ['SAE_D'] },
] as const;

export const DEMO_KME_LINKS: Array<{ kmes: [string, string] }> = [{ kmes: ['KME_A', 'KME_B'] }, { kmes: ['KME_A', 'KME_C'] }, { kmes: ['KME_B', 'KME_C'] }];

/** Router → the SAE it fetches keys as. */
export const DEMO_DEVICES: Record<string, string> = { r1: 'SAE_A', r2: 'SAE_B', r3: 'SAE_C', r4: 'SAE_D' };

export interface DemoLink {
  name: string;
  master: { device: string; interfaces: string[] };
  slaves: Array<{ device: string; interfaces: string[] }>;
}

const DEMO_LINKS: DemoLink[] = [
  { name: 'dc1-dc2', master: { device: 'r1', interfaces: ['et-0/0/0'] }, slaves: [{ device: 'r2', interfaces: ['et-0/0/0'] }] },
  { name: 'dc2-dc4', master: { device: 'r2', interfaces: ['et-0/0/1'] }, slaves: [{ device: 'r4', interfaces: ['et-0/0/0'] }] },
  {
    name: 'dc1-edge',
    master: { device: 'r1', interfaces: ['et-0/0/1', 'et-0/0/2'] },
    slaves: [
      { device: 'r3', interfaces: ['et-0/0/0'] },
      { device: 'r4', interfaces: ['et-0/0/1'] },
    ],
  },
];

/** The cables sim-junos models, each named after the rotator link it belongs to. */
export interface DemoCable {
  id: string;
  link: string;
  a: string;
  b: string;
}

export function demoCables(links: DemoLink[] = DEMO_LINKS): DemoCable[] {
  const cables: DemoCable[] = [];
  for (const link of links) {
    // The master's interfaces are paired, in order, with the slaves' interfaces.
    const slaveEnds = link.slaves.flatMap((s) => s.interfaces.map((i) => `${s.device}:${i}`));
    link.master.interfaces.forEach((iface, i) => {
      const b = slaveEnds[i];
      if (b !== undefined) cables.push({ id: link.slaves.length > 1 || link.master.interfaces.length > 1 ? `${link.name}#${i + 1}` : link.name, link: link.name, a: `${link.master.device}:${iface}`, b });
    });
  }
  return cables;
}

/** The demo config's `links:` and `rotation:` sections and its stateDir, as YAML lines. */
export function demoLinksAndRotationYaml(leadTimeSeconds: number): string[] {
  const lines = ['links:'];
  for (const l of DEMO_LINKS) {
    lines.push(`  - name: ${l.name}`, `    master: { device: ${l.master.device}, interfaces: [${l.master.interfaces.join(', ')}] }`, '    slaves:');
    for (const s of l.slaves) lines.push(`      - { device: ${s.device}, interfaces: [${s.interfaces.join(', ')}] }`);
  }
  lines.push(
    'rotation:',
    '  mode: key-chain',
    '  cipherSuite: gcm-aes-256',
    '  ckn: { strategy: sha256-keyid }',
    `  leadTimeSeconds: ${leadTimeSeconds}   # short for the demo; minutes in production`,
    '  intervalSeconds: 60',
    '  concurrency: 8',
    '  confirmTimeoutMinutes: 1',
    '  startAfterConfirmTimeout: false   # the demo runs on a real clock: start-times right after the lead time',
    'stateDir: ./state',
  );
  return lines;
}
