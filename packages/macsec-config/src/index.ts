// The package's public API: what the README documents and the workspace's apps and tools use.
// The XML reader is its own entry (`./xml`), the YANG runner another (`./junos-yang`).
export {
  MacsecConfigError,
  MacsecValidationError,
  KeyDerivationError,
  ConfigParseError,
  RingPlanError,
  type MacsecConfigErrorContext,
  type ValidationIssue,
  type KeyDerivationContext,
  type RingPlanErrorCode,
  type RingPlanContext,
} from './errors.js';
export { REDACTED, Secret } from './secret.js';
export * from './model.js';
export { checkStartTime, parseStartTime, formatStartTime, type TimeZoneOption } from './start-time.js';
export {
  checkCkn,
  checkCak,
  checkKeyIndex,
  checkCaName,
  checkKeyChainName,
  checkInterfaceName,
  checkKmeHost,
  checkHost,
  checkConfig,
  validateConfig,
  type CheckOptions,
} from './validate.js';
export {
  requiredKeyBits,
  prefixUuidStrategy,
  resolveStrategy,
  deriveCknCak,
  type KeyInput,
  type CknStrategy,
  type CknStrategyName,
  type DeriveOptions,
  type DerivedKey,
} from './derive.js';
export type { RenderOptions } from './render-options.js';
export { renderSet, renderDelete } from './render-set.js';
export { renderText } from './render-text.js';
export { renderXml, type XmlRenderOptions } from './render-xml.js';
export { parseConfigurationXml, readConfigurationTree, parseConfigurationChange, type ParsedChange } from './parse-xml.js';
export * from './ring.js';
export * from './platform.js';
