export * from './errors.js';
export * from './secret.js';
export * from './model.js';
export * from './start-time.js';
export * from './validate.js';
export * from './derive.js';
