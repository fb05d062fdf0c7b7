export * from './types.js';
export * from './store.js';
export { KeyIdHistory } from './keyid-history.js';
