// The config contract the engine builds on: the resolved RotatorConfig and loadConfig().
export type {
  RotatorConfig,
  KmeConfig,
  SaeConfig,
  DeviceConfig,
  HostKeyConfig,
  LinkConfig,
  LinkEndConfig,
  RotationConfig,
  FallbackConfig,
  CknConfig,
  CertificatePolicyConfig,
  MetricsConfig,
  InitConfig,
} from './types.js';
export { loadConfig, checkConfigFile, checkConfigText, type LoadOptions, type CheckResult } from './load.js';
export { configFileSchema, type ConfigFile, type SecretRef } from './file-schema.js';
export { ConfigError, formatIssue, type ConfigIssue } from './errors.js';
export { ConfigSecret, type SecretSource } from './secret.js';
