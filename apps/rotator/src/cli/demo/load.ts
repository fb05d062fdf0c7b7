// The demo's entry points, loaded when called: they start the simulators (sim-kme, sim-junos),
// which the daemon and every other command never need. Imported statically, the simulators loaded
// into every process that loaded the CLI or the package: after importing the package's build and
// a full collection, 1.7 MiB more V8 heap (which a daemon's full collections then marked for its
// lifetime) and 16 MiB more external memory.
import type { DemoOptions, DemoResult, DemoWorld, DemoWorldOptions } from './run-demo.js';
import type { SitesDemoResult } from './run-sites-demo.js';

/** `qkd-macsec demo` (see run-demo.ts). */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  return (await import('./run-demo.js')).runDemo(options);
}

/** `qkd-macsec demo --sites` (see run-sites-demo.ts). */
export async function runSitesDemo(options: DemoOptions): Promise<SitesDemoResult> {
  return (await import('./run-sites-demo.js')).runSitesDemo(options);
}

/** The simulators and a config file for them in a fresh temp dir (see run-demo.ts). */
export async function startDemoWorld(options: DemoWorldOptions = {}): Promise<DemoWorld> {
  return (await import('./run-demo.js')).startDemoWorld(options);
}
