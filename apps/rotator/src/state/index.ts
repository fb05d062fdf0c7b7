export * from './types.js';
export * from './store.js';
export { keyIdsInLog } from './keyid-log.js';
