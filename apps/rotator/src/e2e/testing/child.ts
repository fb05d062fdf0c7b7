// Runs the rotator as a real child process (fixtures/rotate-child.ts) against the bench's
// simulators and SIGKILLs it at a pause point — the restart tests' way of dying mid-transaction.
import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bench } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface KillOptions {
  /** Pause point where the child is killed ('journaled', 'decided', 'device-confirmed', ...). */
  point: string;
  /** A pause point where the child waits until `onHeld` has run (then goes on). */
  hold?: { point: string; onHeld: () => Promise<void> | void };
  /** Only these links. */
  links?: string[];
  env?: Record<string, string>;
}

/** Runs the child until it prints `paused:<point>`, then SIGKILLs it. Returns its output. */
export async function runAndKill(bench: Bench, options: KillOptions): Promise<{ stdout: string; stderr: string }> {
  const { point } = options;
  const specFile = join(bench.stateDir, 'child-spec.json');
  await writeFile(specFile, JSON.stringify(bench.fixtureSpec()), { mode: 0o600 });
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'rotate-child.ts'), specFile], {
    env: {
      ...process.env,
      ROTATOR_TEST_PAUSE_AT: point,
      ...(options.hold ? { ROTATOR_TEST_HOLD_AT: options.hold.point } : {}),
      ...(options.links ? { ROTATOR_TEST_LINKS: options.links.join(',') } : {}),
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child never paused at ${point}: ${stdout}\n${stderr}`)), 60_000);
      void exited.then((how) => {
        clearTimeout(timer);
        reject(new Error(`child exited (${String(how)}) before pausing at ${point}: ${stdout}\n${stderr}`));
      });
      let held = false;
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (options.hold && !held && stdout.includes(`held:${options.hold.point}`)) {
          held = true;
          void Promise.resolve(options.hold.onHeld()).then(
            () => child.stdin.write('go\n'),
            (e: unknown) => reject(e instanceof Error ? e : new Error(String(e))),
          );
        }
        if (stdout.includes(`paused:${point}`)) {
          clearTimeout(timer);
          resolve();
        } else if (stdout.includes('done:')) {
          clearTimeout(timer);
          reject(new Error(`child finished without pausing at ${point}: ${stdout}\n${stderr}`));
        }
      });
    });
  } finally {
    child.kill('SIGKILL');
    await exited;
    await rm(specFile, { force: true });
  }
  return { stdout, stderr };
}
