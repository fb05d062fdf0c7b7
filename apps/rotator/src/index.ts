// @qkd-macsec/rotator as a library: the config loader, the engine, the CLI entry and its parts.
export * from './config/index.js';
export { createRotator, type CreateRotatorOptions, type Rotator, type CycleReport, type InitReport, type LinkStatus, type ProgressEvent, type LinkReport } from './engine/index.js';
export { createLogger, linkLogger, deviceLogger, silentLogger, createHeldSecrets, redactHeld, REDACTED, type RotatorLogger, type LogFormat, type LogLevel, type HeldSecrets } from './log/index.js';
export { createMetrics, createHealth, startMetricsServer, type MetricsOptions, type RotatorMetrics, type HealthState, type MetricsServer } from './metrics/index.js';
export { runCli, runDemo, runDaemon, startDemoWorld, deviceConnector, kmeClientFactory, type CliDeps, type CliIo, type DemoOptions, type DemoResult, type DemoWorld } from './cli/index.js';
export { startAgent, type RunningAgent, type StartAgentOptions } from './agent/server/index.js';
export { loadAgentConfig, checkAgentConfigFile, type AgentConfig } from './agent/config/index.js';
export { createAgentClient, createAgentDirectory, checkAgent, AgentError, type AgentClientOptions, type AgentCheckResult, type AgentExchange } from './agent/client/index.js';
