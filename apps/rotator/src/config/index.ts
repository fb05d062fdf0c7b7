// Config loading and the resolved types (schema.ts is the contract the engine imports).
export * from './schema.js';
