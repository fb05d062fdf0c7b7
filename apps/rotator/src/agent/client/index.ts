export { createAgentClient, type AgentClientOptions } from './client.js';
export { createAgentDirectory } from './directory.js';
export { checkAgent, type AgentCheckResult } from './check.js';
export { AgentError } from './errors.js';
export type { AgentExchange } from './request.js';
export type { SiteConfig } from './site.js';
