export * from './fleet.js';
export * from './mutex.js';
export * from './limit.js';
