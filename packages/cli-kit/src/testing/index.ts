// Helpers for the apps' tests of their built dist; never imported by an app's own code.
export { importProblems } from './import-probe.js';
export { cliKitLeftIn } from './bundled.js';
