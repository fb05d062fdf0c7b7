import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnChild, stopChild } from './processes.js';

const dir = mkdtempSync(join(tmpdir(), 'chaos-proc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const node = (name: string, script: string) => spawnChild({ name, command: process.execPath, args: ['-e', script], logDir: dir });

describe('spawnChild', () => {
  it('records every byte to files (mode 0600) and hands out lines as they come', async () => {
    const c = node('talker', 'process.stdout.write("one\\ntwo"); setTimeout(() => { process.stdout.write(" halves\\n"); process.stderr.write("\\u001b[31mred\\u001b[0m\\n"); }, 50)');
    const seen: string[] = [];
    c.onLine((l, s) => seen.push(`${s}:${l}`));
    expect((await c.waitForLine(/^two (\w+)/, 5000))[1]).toBe('halves');
    const exit = await c.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(seen).toEqual(['stdout:one', 'stdout:two halves', 'stderr:red']);
    expect(readFileSync(c.files.stdout, 'utf8')).toBe('one\ntwo halves\n');
    expect(readFileSync(c.files.stderr, 'utf8')).toContain('\u001b[31m'); // the file keeps the raw bytes
    expect(statSync(c.files.stdout).mode & 0o777).toBe(0o600);
  });

  it('a SIGKILLed child reports the signal, and its output up to then is on disk', async () => {
    const c = node('victim', 'console.log("ready"); setInterval(() => {}, 1000)');
    await c.waitForLine(/^ready$/, 5000);
    expect(c.kill('SIGKILL')).toBe(true);
    expect(await c.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(readFileSync(c.files.stdout, 'utf8')).toBe('ready\n');
    expect(c.kill('SIGKILL')).toBe(false); // never signals a pid that may have been reused
  });

  it('waitForLine rejects when the child exits first, naming it and showing its last lines', async () => {
    const c = node('quitter', 'console.log("bye"); process.exit(3)');
    await expect(c.waitForLine(/never/, 5000)).rejects.toThrow(/quitter exited \(code 3[\s\S]*bye/);
  });

  it('waitForLine rejects after its timeout', async () => {
    const c = node('silent', 'setInterval(() => {}, 1000)');
    await expect(c.waitForLine(/never/, 100)).rejects.toThrow(/silent: no line matching/);
    await stopChild(c);
  });

  it('stopChild escalates to SIGKILL when SIGTERM is ignored', async () => {
    const c = node('stubborn', 'process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)');
    await c.waitForLine(/^up$/, 5000);
    expect(await stopChild(c, 200)).toEqual({ code: null, signal: 'SIGKILL' });
  });
});
