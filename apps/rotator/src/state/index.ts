export * from './types.js';
export * from './store.js';
export { KeyIdHistory } from './keyid-history.js';
export { keyIdsInLog } from './keyid-log.js';
