export { runCli, buildProgram } from './program.js';
export type { CliDeps, GlobalOptions } from './context.js';
export type { CliIo, OutStream } from './io.js';
export { runDemo, startDemoWorld } from './demo/load.js';
export { downTimeAfterFirstSecured } from './demo/links-table.js';
export type { DemoOptions, DemoResult, DemoWorld, DemoWorldOptions } from './demo/run-demo.js';
export { runDaemon, type DaemonOptions, type DaemonResult } from './daemon.js';
export type { Rotator, CreateRotator, CreateRotatorOptions } from './engine.js';
export { deviceConnector, kmeClientFactory, timedDevice, timedKmeClient, type ConnectDevice, type KmeClientFor } from '../fleet/connectors.js';
