// The demo's entry points, loaded when called: they start the simulators (sim-kme, sim-junos),
// which the daemon and every other command never need. Imported statically, the simulators loaded
// into every process that loaded the CLI or the package: after importing the package's build and
// a full collection, 1.7 MiB more V8 heap (which a daemon's full collections then marked for its
// lifetime) and 16 MiB more external memory. They are optionalDependencies: installed by default,
// left out by `npm install --omit=optional`, and then the demo says what to install.
import type { DemoOptions, DemoResult, DemoWorld, DemoWorldOptions } from './run-demo.js';
import type { SitesDemoResult } from './run-sites-demo.js';

export const SIMULATORS_MISSING = 'npm install @qkd-macsec/sim-kme @qkd-macsec/sim-junos to run the demo';

/** The demo was asked for where the simulators are not installed. */
export class SimulatorsMissingError extends Error {
  override name = 'SimulatorsMissingError';
}

/** `load()`, with a missing simulator package told as what to install. */
async function withSimulators<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if ((e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') && /@qkd-macsec\/sim-(kme|junos)/.test(e.message)) {
      throw new SimulatorsMissingError(`the demo runs on the simulators, which are not installed (${e.message.split('\n')[0]}): ${SIMULATORS_MISSING}`, { cause: err });
    }
    throw err;
  }
}

/** `qkd-macsec demo` (see run-demo.ts). */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  return (await withSimulators(() => import('./run-demo.js'))).runDemo(options);
}

/** `qkd-macsec demo --sites` (see run-sites-demo.ts). */
export async function runSitesDemo(options: DemoOptions): Promise<SitesDemoResult> {
  return (await withSimulators(() => import('./run-sites-demo.js'))).runSitesDemo(options);
}

/** The simulators and a config file for them in a fresh temp dir (see run-demo.ts). */
export async function startDemoWorld(options: DemoWorldOptions = {}): Promise<DemoWorld> {
  return (await withSimulators(() => import('./run-demo.js'))).startDemoWorld(options);
}
