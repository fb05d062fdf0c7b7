// validate --connect through an agent: the agent itself (mutual TLS, the coordinator check),
// then what it reaches — the status of each SAE pair at its KMEs, the facts of each device.
import { GET_PATHS, checkResponseSchema } from '../protocol/schemas.js';
import type { AgentClientOptions } from './client.js';
import { AgentError } from './errors.js';
import { resolveRetry, send } from './request.js';
import type { SiteConfig } from './site.js';
import { agentDispatcher } from './tls.js';

export interface AgentCheckResult {
  site: string;
  url: string;
  ok: boolean;
  error?: string;
  kmes: Array<{ sae: string; slave: string; ok: boolean; message?: string }>;
  devices: Array<{ device: string; ok: boolean; model?: string; version?: string; message?: string }>;
}

export async function checkAgent(site: SiteConfig, options: AgentClientOptions & { pairs?: Array<{ sae: string; slave: string }> }): Promise<AgentCheckResult> {
  const url = site.agent.url.replace(/\/+$/, '');
  let dispatcher;
  try {
    dispatcher = agentDispatcher(site.name, site.agent);
  } catch (e) {
    return { site: site.name, url, ok: false, error: (e as Error).message, kmes: [], devices: [] };
  }
  try {
    const search = new URLSearchParams((options.pairs ?? []).map((p): [string, string] => ['pair', `${p.sae}:${p.slave}`]));
    const t = { site: site.name, url, dispatcher, timeoutMs: options.timeoutMs ?? site.agent.timeoutMs ?? 60_000, retry: resolveRetry(options.retry), logger: options.logger, ...(options.record ? { record: options.record } : {}) };
    const r = await send(t, GET_PATHS.check, 'get', undefined, checkResponseSchema, search);
    const ok = r.kmes.every((k) => k.ok) && r.devices.every((d) => d.ok);
    if (r.site !== site.name) return { site: site.name, url, ok: false, error: `the agent at ${url} serves site ${r.site}, not ${site.name}`, kmes: r.kmes, devices: r.devices };
    return { site: site.name, url, ok, kmes: r.kmes, devices: r.devices };
  } catch (e) {
    return { site: site.name, url, ok: false, error: e instanceof AgentError ? e.message : String(e), kmes: [], devices: [] };
  } finally {
    await dispatcher.close();
  }
}
