// The built sim-junos binary, as `npm i -g` would install it: tests run it in a child process.
// `nx test` builds first (the project's test target depends on its build).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/sim-junos.js', import.meta.url));
if (!existsSync(fileURLToPath(new URL('../../dist/cli.js', import.meta.url))))
  throw new Error('apps/sim-junos/dist/cli.js is missing: build first (npx nx build @qkd-macsec/sim-junos)');

export interface RunningCli {
  /** stdout and stderr so far, resolved once the banner ends ("Ctrl-C stops.") or the process exits. */
  output: Promise<{ stdout: string; stderr: string; all: string }>;
  exit: Promise<number | null>;
  stop(): void;
}

/** Starts the binary with stdout and stderr on pipes, as under a supervisor. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = process.env): RunningCli {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const out = { stdout: '', stderr: '', all: '' };
  const output = new Promise<typeof out>((resolve) => {
    const take = (which: 'stdout' | 'stderr') => (d: Buffer) => {
      out[which] += d.toString();
      out.all += d.toString();
      if (out.stdout.includes('Ctrl-C stops.')) resolve(out);
    };
    child.stdout.on('data', take('stdout'));
    child.stderr.on('data', take('stderr'));
    child.on('exit', () => resolve(out));
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { output, exit, stop: () => child.kill('SIGTERM') };
}
