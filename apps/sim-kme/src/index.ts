export { startSimKme, type StartSimKmeOptions, type SimKme, type SimKmeEndpoint } from './sim-kme.js';
export { createSimPki, writeSimPki, readKmeTls, pkiLayout, SimPkiError, type SimPki, type CreateSimPkiOptions, type WrittenPki } from './pki.js';
export {
  parseConfig,
  loadConfigFile,
  defaultConfigInput,
  configSchema,
  faultsSchema,
  DEFAULT_LIMITS,
  DEFAULT_HTTP_TIMEOUTS,
  SimKmeConfigError,
  type SimKmeConfig,
  type SimKmeConfigInput,
  type Faults,
  type FaultsInput,
  type LinkLimits,
} from './config.js';
export { NO_FAULTS } from './faults.js';
export type { KeyNetwork, LinkPool, Clock } from './key-stream.js';
export type { KeyIssuedEvent } from './kme-api.js';
export { createLogger, type CreateLoggerOptions, type LogLevel, type LogFormat, type Logger } from './logger.js';
