// PLACEHOLDER so the CLI branch (i11-cli) builds before engineer B's agent client is merged: the
// signatures pinned in the issue-11 contracts, nothing else. On merge, take B's file (i11-agent)
// and delete this one's content entirely.
import type { AgentDirectory } from '../../fleet/ops.js';
import type { SiteConfig } from '../../config/index.js';
import type { RotatorLogger } from '../../log/index.js';
import type { RotatorMetrics } from '../../metrics/index.js';

export interface AgentCheck {
  site: string;
  url: string;
  ok: boolean;
  error?: string;
  kmes: Array<{ sae: string; slave: string; ok: boolean; message?: string }>;
  devices: Array<{ device: string; ok: boolean; model?: string; version?: string; message?: string }>;
}

const missing = () => new Error('the site agent client is not part of this build (engineer B\'s agent/client is not merged yet)');

export function createAgentDirectory(_config: { sites: Record<string, SiteConfig> }, _options: { logger: RotatorLogger; metrics?: RotatorMetrics }): AgentDirectory {
  throw missing();
}

export function checkAgent(_site: SiteConfig, _options: { logger: RotatorLogger; pairs?: Array<{ sae: string; slave: string }> }): Promise<AgentCheck> {
  return Promise.reject(missing());
}
