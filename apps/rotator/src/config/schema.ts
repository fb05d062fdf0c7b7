// The config contract the engine builds on: the resolved RotatorConfig and loadConfig().
export type {
  RotatorConfig,
  KmeConfig,
  SaeConfig,
  DeviceConfig,
  SiteConfig,
  SiteAgentConfig,
  SiteDeviceConfig,
  HostKeyConfig,
  LinkConfig,
  LinkEndConfig,
  RotationConfig,
  FallbackConfig,
  CknConfig,
  CertificatePolicyConfig,
  MetricsConfig,
  ControlConfig,
  InitConfig,
} from './types.js';
export { loadConfig, checkConfigFile, checkConfigText, type LoadOptions, type CheckResult } from './load.js';
export { configFileSchema, type ConfigFile, type SecretRef } from './file-schema.js';
export { minimumCycle, intervalProblem, VERIFY_DELAY_SECONDS, VERIFY_ATTEMPTS, type CycleTime } from './cycle-time.js';
export { isLoopback } from './cross-check.js';
export { allDevices, siteOfSae, type DeviceEnd } from './sites.js';
export { ConfigError, formatIssue, type ConfigIssue } from './errors.js';
export { ConfigSecret, type SecretSource } from './secret.js';
export { readLocalCaSetting, type LocalCaFiles } from './local-ca.js';
