// How a link's ends are reached: directly by the coordinator, or behind a site's agent.
import type { ResolvedLink } from '../engine/config-view.js';
import { KeyFetchError, type FetchContext } from './key-fetch-error.js';
import type { AgentClient, AgentDirectory } from './ops.js';

/** Every SAE of the link is reached directly. */
export function allDirect(link: ResolvedLink, agents: AgentDirectory | undefined): boolean {
  return !agents || (!agents.forSae(link.masterSae) && link.slaveSaes.every((s) => !agents.forSae(s)));
}

/**
 * Before any key is spent: every end's device and SAE must be reached the same way. A direct
 * device needs the key here (its SAE direct); a device at a site needs it at that site's agent.
 */
export function placementCheck(link: ResolvedLink, agents: AgentDirectory | undefined, ctx: FetchContext): void {
  for (const e of link.ends) {
    const dev = agents?.forDevice(e.device);
    const sae = agents?.forSae(e.sae);
    if (dev?.site === sae?.site) continue;
    const how = (a: AgentClient | undefined) => (a ? `behind site ${a.site}'s agent` : 'reached directly');
    throw new KeyFetchError(
      `link ${link.name}: device ${e.device} is ${how(dev)} but its SAE ${e.sae} is ${how(sae)}: the key would have to cross between them; put both at one site (or both direct)`,
      ctx(e.sae),
    );
  }
}
