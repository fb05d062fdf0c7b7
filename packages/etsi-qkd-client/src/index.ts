// The public API: what the README documents and the workspace's apps and tools use. The ETSI
// message schemas are the `/schemas` entry point (src/schemas.ts).
export { createQkdClient, DEFAULT_MAX_RESPONSE_BYTES } from './client.js';
export type { QkdClient, QkdClientOptions, QkdCallOptions, QkdGetKeyCallOptions, QkdKeyResult, QkdMethod } from './client.js';
export type { KeyRequestOptions } from './validate.js';
export { DEFAULT_RETRY, type QkdRetryOptions } from './retry.js';
export type { QkdTlsOptions, QkdTlsPem, QkdTlsFiles } from './tls.js';
export type { Logger } from './logger.js';
export { decodeKey, type QkdKey } from './key.js';
export type { Status, EtsiError } from './schemas.js';
export * from './errors.js';
