// Who sees which keys, from the config alone (`validate`): per site, whether the coordinator
// fetches its keys (direct) or they stay at the site with its agent; per link, every process that
// holds its key. A key reaches every SAE of its link, so a link with one direct end is in the
// coordinator's hands even when its other ends are at agent sites.
import type { RotatorConfig } from '../config/index.js';
import { allDevices } from '../config/index.js';

const COORDINATOR = 'coordinator';

interface SiteCustody {
  /** The site's name, or "direct" for what the coordinator reaches itself. */
  site: string;
  mode: 'direct' | 'agent';
  agentUrl?: string;
  saes: string[];
  devices: string[];
  keys: string;
}

interface LinkCustody {
  link: string;
  /** "coordinator" and/or "agent SITE", in the order the link's ends name them. */
  holders: string[];
  /** Whether the coordinator process ever holds this link's key or CAK. */
  coordinatorSeesKey: boolean;
}

export interface Custody {
  sites: SiteCustody[];
  links: LinkCustody[];
}

const DIRECT_KEYS = 'the coordinator fetches these keys and holds every CAK of links that touch it';
const AGENT_KEYS = 'keys stay at the site: only its agent fetches them and derives the CAKs';

export function keyCustody(config: RotatorConfig): Custody {
  const sites: SiteCustody[] = [];
  const direct = Object.keys(config.devices);
  if (direct.length > 0 || Object.keys(config.saes).length > 0) {
    sites.push({ site: 'direct', mode: 'direct', saes: Object.keys(config.saes), devices: direct, keys: DIRECT_KEYS });
  }
  for (const s of Object.values(config.sites)) {
    sites.push({ site: s.name, mode: 'agent', agentUrl: s.agent.url, saes: [...s.saes], devices: Object.keys(s.devices), keys: AGENT_KEYS });
  }
  const devices = allDevices(config);
  const links = config.links.map((l) => {
    const holders = [...new Set([l.master, ...l.slaves].map((e) => devices.get(e.device)?.site).map((site) => (site === undefined ? COORDINATOR : `agent ${site}`)))];
    return { link: l.name, holders, coordinatorSeesKey: holders.includes(COORDINATOR) };
  });
  return { sites, links };
}

/** The custody section of `validate`'s text output. */
export function custodyLines(custody: Custody): string[] {
  const out = ['key custody:'];
  for (const s of custody.sites) {
    const where = s.mode === 'direct' ? 'direct (reached by the coordinator)' : `site ${s.site} (agent ${s.agentUrl})`;
    out.push(`  ${where}: SAEs ${s.saes.join(', ') || '-'}; devices ${s.devices.join(', ') || '-'}`);
    out.push(`    ${s.keys}`);
  }
  out.push('  links (processes that hold the key):');
  for (const l of custody.links) out.push(`    ${l.link}: ${l.holders.join(', ')}`);
  const seen = custody.links.filter((l) => l.coordinatorSeesKey).length;
  out.push(seen === 0 ? '  the coordinator holds no key material' : `  the coordinator holds the keys of ${seen} of ${custody.links.length} link${custody.links.length === 1 ? '' : 's'}`);
  return out;
}
