// The CLI's one seam to the site agents' client (agent/client): the directory the engine reaches
// agent-site devices and SAEs through, and the check behind `validate --connect`. Injected through
// CliDeps (`agents`) so a test can script an agent without a server.
import { checkAgent, createAgentDirectory } from '../agent/client/index.js';
import type { RotatorConfig } from '../config/index.js';
import type { AgentDirectory } from '../fleet/ops.js';

export type AgentCheck = Awaited<ReturnType<typeof checkAgent>>;

export interface AgentWiring {
  createAgentDirectory: typeof createAgentDirectory;
  checkAgent: typeof checkAgent;
}

export const defaultAgentWiring: AgentWiring = { createAgentDirectory, checkAgent };

/** The agent directory for a config with sites, or undefined for an all-direct one. */
export function agentsFor(wiring: AgentWiring, config: RotatorConfig, options: Parameters<typeof createAgentDirectory>[1]): AgentDirectory | undefined {
  return Object.keys(config.sites).length === 0 ? undefined : wiring.createAgentDirectory(config, options);
}
