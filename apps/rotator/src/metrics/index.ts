export * from './registry.js';
export * from './health.js';
export * from './server.js';
