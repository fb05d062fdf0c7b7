export { startAgent, type RunningAgent, type StartAgentOptions } from './agent.js';
export { createKeyStore, inspectKeyStore, type HeldKeyInfo, type KeyStore, type KeyStoreOptions } from './keys.js';
export { createIdempotencyCache, type IdempotencyCache } from './idempotency.js';
export { createAgentMetrics, type AgentMetrics } from './metrics.js';
export { pinOf } from './peer.js';
