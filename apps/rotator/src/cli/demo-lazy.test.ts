// The simulators (sim-junos, sim-kme) are the demo's: the daemon, every other command and a
// program that imports the package never load them. Each case runs in a child node whose module
// resolution is watched by a hook that reports every `@qkd-macsec/sim-*` import it sees — the
// sources through tsx, and the built CLI (bin/qkd-macsec.js, dist/), which is what an operator
// runs: a bundler could hoist a dynamic import. Where they are not installed (they are
// optionalDependencies), the demo says what to install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SIMULATORS_MISSING } from './demo/load.js';

const cliTs = fileURLToPath(new URL('../cli.ts', import.meta.url));
const indexTs = fileURLToPath(new URL('../index.ts', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/qkd-macsec.js', import.meta.url));

// Registered before the code under test loads; the hooks run on node's loader thread, so they
// report on file descriptor 2 directly.
const hooks = `import { writeSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@qkd-macsec/sim-')) writeSync(2, 'LOADS ' + specifier + '\\n');
  return next(specifier, context);
}`;
const watch = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`)}`;

// The same, refusing them as if they were not installed.
const absentHooks = `export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@qkd-macsec/sim-')) throw Object.assign(new Error("Cannot find package '" + specifier + "' imported from " + context.parentURL), { code: 'ERR_MODULE_NOT_FOUND' });
  return next(specifier, context);
}`;
const absent = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(absentHooks)}`)});`)}`;

/** The `@qkd-macsec/sim-*` packages a child node resolved while running `args` (sources through tsx unless `built`). */
function simulatorsLoaded(args: string[], built = false): string[] {
  const r = spawnSync(process.execPath, [...(built ? [] : ['--import', 'tsx']), '--import', watch, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (exit ${String(r.status)}): ${r.stderr}`);
  return [...new Set([...r.stderr.matchAll(/^LOADS (\S+)$/gm)].map((m) => m[1]!))].sort();
}

describe('the simulators load with the demo only', () => {
  it('sees a simulator imported (the watch works)', () => {
    expect(simulatorsLoaded(['--input-type=module', '-e', "await import('@qkd-macsec/sim-kme')"])).toEqual(['@qkd-macsec/sim-kme']);
  }, 60_000);

  it('qkd-macsec --version loads no simulator (the daemon loads the same modules)', () => {
    expect(simulatorsLoaded([cliTs, '--version'])).toEqual([]);
  }, 60_000);

  it("the package's entry loads no simulator until the demo is asked for", () => {
    const script = `const m = await import(${JSON.stringify(indexTs)});
      if (typeof m.runDemo !== 'function' || typeof m.startDemoWorld !== 'function') throw new Error('the demo API is missing');`;
    expect(simulatorsLoaded(['--input-type=module', '-e', script])).toEqual([]);
    const started = `const m = await import(${JSON.stringify(indexTs)});
      const world = await m.startDemoWorld();
      await world.close();`;
    expect(simulatorsLoaded(['--input-type=module', '-e', started])).toEqual(['@qkd-macsec/sim-junos', '@qkd-macsec/sim-kme']);
  }, 60_000);
});

describe('the built CLI (bin/qkd-macsec.js) loads the simulators with the demo only', () => {
  it('is built (the test target depends on the build)', () => {
    expect(existsSync(fileURLToPath(new URL('../../dist/cli.js', import.meta.url))), 'dist/cli.js: run `npx nx run @qkd-macsec/rotator:build` first').toBe(true);
  });

  it('--version, run --help and status --help load no simulator', () => {
    expect(simulatorsLoaded([bin, '--version'], true)).toEqual([]);
    expect(simulatorsLoaded([bin, 'run', '--help'], true)).toEqual([]);
    expect(simulatorsLoaded([bin, 'status', '--help'], true)).toEqual([]);
  }, 60_000);

  it('demo loads them (the watch sees the built CLI import them)', () => {
    const r = spawnSync(process.execPath, ['--import', watch, bin, 'demo', '--rotations', '1'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect([...new Set([...r.stderr.matchAll(/^LOADS (\S+)$/gm)].map((m) => m[1]!))].sort()).toEqual(['@qkd-macsec/sim-junos', '@qkd-macsec/sim-kme']);
    expect(r.status, r.stderr).toBe(0);
  }, 120_000);

  it('without the simulators installed, demo says what to install and exits 1; the other commands do not notice', () => {
    const demo = spawnSync(process.execPath, ['--import', absent, bin, 'demo'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(demo.status).toBe(1);
    expect(demo.stdout).toBe('');
    expect(demo.stderr).toContain(SIMULATORS_MISSING);
    expect(demo.stderr).toMatch(/^qkd-macsec demo: the demo runs on the simulators, which are not installed \(Cannot find package '@qkd-macsec\/sim-/m);
    const version = spawnSync(process.execPath, ['--import', absent, bin, '--version'], { encoding: 'utf8' });
    expect(version.status).toBe(0);
  }, 60_000);
});
