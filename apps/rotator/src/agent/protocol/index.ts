export * from './schemas.js';
export * from './wire.js';
export * from './refs.js';
export * from './check-value.js';
export * from './errors.js';
