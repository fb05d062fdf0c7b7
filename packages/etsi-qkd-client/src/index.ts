export * from './schemas.js';
export * from './key.js';
