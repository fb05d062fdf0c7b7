export * from './framing/index.js';
export * from './errors.js';
export type { Logger } from './logger.js';
export { connectSsh, redactOptions, type SshAuth, type SshTransport, type SshTransportOptions } from './ssh/transport.js';
export { createHostKeyCheck, type HostKeyPolicy, type HostKeyCheck } from './ssh/host-verifier.js';
export { parseKnownHosts, knownHostsName, type KnownHostEntry } from './ssh/known-hosts.js';
export { sha256Fingerprint } from './ssh/fingerprint.js';
