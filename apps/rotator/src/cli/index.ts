export { runCli } from './program.js';
export type { CliDeps } from './context.js';
export type { CliIo } from './io.js';
export { runDemo, startDemoWorld } from './demo/load.js';
export type { DemoOptions, DemoResult, DemoWorld } from './demo/run-demo.js';
export { runDaemon } from './daemon.js';
export { deviceConnector, kmeClientFactory } from '../fleet/connectors.js';
