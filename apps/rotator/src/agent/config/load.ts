// Loading agent.yaml the way loadConfig loads the coordinator's file: YAML with positions, zod,
// cross-checks, then resolution (the same resolver); every problem collected and named by path.
import { crossCheckEndpoints } from '../../config/cross-check.js';
import type { ConfigIssue } from '../../config/errors.js';
import { checkFile, createResolver, loadConfigFile, parseListen, parseText, resolveDevices, resolveKmes, resolveSaes, zodIssue, type LoadOptions } from '../../config/load.js';
import { agentFileSchema } from './schema.js';
import type { AgentConfig } from './types.js';

export interface AgentCheckResult {
  config?: AgentConfig;
  issues: ConfigIssue[];
}

/** Load and resolve agent.yaml; throws ConfigError listing every problem. */
export async function loadAgentConfig(path: string, options: LoadOptions = {}): Promise<AgentConfig> {
  return loadConfigFile(path, options, checkAgentConfigText);
}

export async function checkAgentConfigFile(path: string, options: LoadOptions = {}): Promise<AgentCheckResult> {
  return checkFile(path, options, checkAgentConfigText);
}

export function checkAgentConfigText(text: string, file: string, options: LoadOptions = {}): AgentCheckResult {
  const data = parseText(text, file);
  if ('issues' in data) return { issues: data.issues };
  const parsed = agentFileSchema.safeParse(data.value);
  if (!parsed.success) return { issues: parsed.error.issues.map(zodIssue) };
  const f = parsed.data;
  const cross = crossCheckEndpoints(f);
  if (cross.length > 0) return { issues: cross };

  const r = createResolver(file, options.env ?? process.env);
  const kmes = resolveKmes(f.kmes, r);
  const saes = resolveSaes(f.saes, r);
  const devices = resolveDevices(f.devices, r);
  const tls = { certFile: r.readable('tls.cert', f.tls.cert), keyFile: r.readable('tls.key', f.tls.key), caFile: r.readable('tls.ca', f.tls.ca) };
  if (r.issues.length > 0) return { issues: r.issues };
  const c = f.coordinator;
  const config: AgentConfig = {
    file,
    site: f.site,
    listen: parseListen(f.listen),
    tls,
    coordinator: 'name' in c ? { name: c.name } : { fingerprints: Array.isArray(c.fingerprint) ? c.fingerprint : [c.fingerprint] },
    kmes,
    saes,
    devices,
    keyTtlSeconds: f.keyTtlSeconds,
    ...(f.stateDir !== undefined ? { stateDir: r.abs(f.stateDir) } : {}),
    ...(f.metrics !== undefined ? { metrics: parseListen(f.metrics.listen) } : {}),
    warnings: r.warnings,
  };
  return { config, issues: [] };
}
