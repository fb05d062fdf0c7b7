// `qkd-macsec demo [--sites] [--rotations N] [--keep]`: see demo/run-demo.ts and demo/run-sites-demo.ts.
import { EXIT_FAILED, EXIT_OK, type CliDeps, type GlobalOptions } from '../context.js';
import { runDemo, runSitesDemo, SimulatorsMissingError } from '../demo/load.js';
import { line } from '../io.js';

export async function demoCommand(deps: CliDeps, global: GlobalOptions & { logLevelGiven: boolean }, options: { rotations: number; keep?: boolean; sites?: boolean }): Promise<number> {
  let result;
  try {
    result = await (options.sites === true ? runSitesDemo : runDemo)({
      rotations: options.rotations,
      stdout: deps.io.stdout,
      stderr: deps.io.stderr,
      logFormat: global.logFormat,
      // The demo's story is on stdout; logs only when something is wrong, unless asked for.
      logLevel: global.logLevelGiven ? global.logLevel : 'warn',
      ...(options.keep !== undefined ? { keep: options.keep } : {}),
      ...(deps.createRotator !== undefined ? { createRotator: deps.createRotator } : {}),
    });
  } catch (err) {
    if (!(err instanceof SimulatorsMissingError)) throw err;
    line(deps.io.stderr, `qkd-macsec demo: ${err.message}`);
    return EXIT_FAILED;
  }
  return result.ok ? EXIT_OK : EXIT_FAILED;
}
