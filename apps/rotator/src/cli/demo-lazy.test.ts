// The simulators (sim-junos, sim-kme) are the demo's: the daemon, every other command and a
// program that imports the package never load them. Each case runs in a child node whose module
// resolution is watched by a hook that reports every `@qkd-macsec/sim-*` import it sees.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cliTs = fileURLToPath(new URL('../cli.ts', import.meta.url));
const indexTs = fileURLToPath(new URL('../index.ts', import.meta.url));

// Registered before the code under test loads; the hooks run on node's loader thread, so they
// report on file descriptor 2 directly.
const hooks = `import { writeSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@qkd-macsec/sim-')) writeSync(2, 'LOADS ' + specifier + '\\n');
  return next(specifier, context);
}`;
const watch = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`)}`;

/** The `@qkd-macsec/sim-*` packages a child node resolved while running `args`. */
function simulatorsLoaded(args: string[]): string[] {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', watch, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
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
