// @qkd-macsec/sim-junos: simulated Junos routers (SSH + NETCONF + SFTP) joined by simulated MACsec
// links. Importing it starts nothing and reads no file.
export { manualClock, realClock, type Clock, type ManualClock, type RealClock } from './clock.js';
export { defaultTopology, parseSimConfig, SimConfigError, simConfigSchema, type DeviceConfig, type SimConfigFile } from './config.js';
export { faultsSchema, parseFaults, type Faults } from './faults.js';
export { AdminAddressError, isLoopback } from './admin-server.js';
export { secretsOf, type KeyLogEntry } from './key-log.js';
export { createLogger, type CreateLoggerOptions, type LogFormat, type LogLevel, type Logger } from './logger.js';
export { activeKeyAt, fallbackKeyOf, UnknownLinkError, type DownInterval, type EndView, type FallbackInterval, type LinkDefinition, type LinkEnd, type LinkInterval, type LinkState, type LinkStatus, type LinkTotals } from './link-model.js';
export { fingerprintOf, InvalidHostKeyError } from './ssh-server.js';
export { parseConfigText, renderConfigText, renderConfigSet, applySetCommands } from './config-text.js';
export { ConfigSyntaxError, type ConfigNode } from './config-tree.js';
export { obfuscateSecret, revealSecret } from './secret.js';
export { familyOfModel, PLATFORM_FAMILIES, type PlatformFamily } from './platform.js';
export { checkCommit, checkSyntax, type ConfigIssue } from './validate.js';

export { startSimJunos } from './sim-junos.js';
export { linkRecords } from './sim-control.js';
export { DEFAULT_CONFIRM_MINUTE_MS, type LinkHistory, type SimDeviceControl, type SimDeviceInfo, type SimJunos, type SimJunosOptions } from './sim-types.js';
